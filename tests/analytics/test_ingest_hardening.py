"""The importer never silently misreads (issue 17): dates decided per column, keys, amounts with
currency and missing-words, invoice numbers that are not numbers, key collisions kept as evidence,
aliases learnt from real headers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from tests.external import data

from tillit.analytics.engines.base import DatasetSource
from tillit.analytics.ingest import ROW_NUMBER, Mapping, ingest, preview
from tillit.analytics.runner import run_controls

HEADER = "Löpnr;Leverantör;Fakturanr;Fakturadatum;Belopp\n"


def _csv(tmp_path: Path, body: str, header: str = HEADER, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


def _run(tmp_path: Path, path: Path, dataset: str = "invoices", **kw):
    out = tmp_path / "out" / "snap.parquet"
    out.parent.mkdir(exist_ok=True)
    return ingest(dataset, path, out, **kw), out


def _empty(out: Path) -> bool:
    return not any(out.parent.iterdir())


def _messages(result) -> list[str]:
    return [e.message % e.params for e in result.file_errors]


# ------------------------------------------------------------------ day first or month first


def test_one_day_first_value_decides_the_whole_column(tmp_path):
    # 03/04/2025 alone could be either; 21/04/2025 decides that the column is day first
    body = "1;L1;F1;03/04/2025;10\n2;L1;F2;21/04/2025;10\n3;L1;F3;1/2/2025;10\n"
    result, out = _run(tmp_path, _csv(tmp_path, body))
    assert result.ok, (result.file_errors, result.errors)
    assert [r["invoice_date"] for r in pq.read_table(out).to_pylist()] == [
        date(2025, 4, 3),
        date(2025, 4, 21),
        date(2025, 2, 1),
    ]
    assert any("day first" in n.message % n.params for n in result.notes)


def test_the_deciding_value_may_be_the_last_row_of_a_large_file(tmp_path):
    # the decision is made on the whole column, not on the first batch
    body = (
        "".join(f"{i};L1;F{i};03/04/2025;10\n" for i in range(1, 60_001))
        + "60001;L1;X;04/13/2025;10\n"
    )
    result, out = _run(tmp_path, _csv(tmp_path, body))
    assert result.ok, result.file_errors
    dates = pq.read_table(out, columns=["invoice_date"]).column(0).to_pylist()
    assert dates[0] == date(2025, 3, 4) and dates[-1] == date(2025, 4, 13)


def test_an_ambiguous_column_is_refused_with_a_question_for_the_format(tmp_path):
    result, out = _run(
        tmp_path,
        _csv(tmp_path, "1;L1;F1;03/04/2025;10\n2;L1;F2;05/06/2025;10\n"),
        policy="quarantine",
    )
    assert not result.ok and _empty(out)
    [message] = _messages(result)
    assert "Fakturadatum" in message and "03/04/2025" in message and "%d/%m/%Y" in message


def test_an_ambiguous_column_is_read_with_the_profiles_format(tmp_path):
    result, out = _run(
        tmp_path, _csv(tmp_path, "1;L1;F1;03/04/2025;10\n"), mapping=Mapping(date_format="%m/%d/%Y")
    )
    assert result.ok
    assert pq.read_table(out).column("invoice_date").to_pylist() == [date(2025, 3, 4)]


def test_a_day_first_file_read_with_a_month_first_profile_is_refused(tmp_path):
    # most values would parse month first and be silently wrong: 02/03/2025 as 3 February
    body = (
        "".join(f"{i};L1;F{i};0{i}/03/2025;10\n" for i in range(1, 10))
        + "10;L1;F10;25/03/2025;10\n"
    )
    for policy in ("reject", "quarantine"):
        result, out = _run(
            tmp_path, _csv(tmp_path, body), mapping=Mapping(date_format="%m/%d/%Y"), policy=policy
        )
        assert not result.ok and _empty(out)
        [message] = _messages(result)
        assert "25/03/2025" in message and "%m/%d/%Y" in message


def test_mixed_day_first_and_month_first_is_refused(tmp_path):
    result, out = _run(tmp_path, _csv(tmp_path, "1;L1;F1;25/03/2025;10\n2;L1;F2;03/25/2025;10\n"))
    assert not result.ok and _empty(out)
    assert "25/03/2025" in _messages(result)[0] and "03/25/2025" in _messages(result)[0]


def test_more_than_5_percent_unreadable_dates_refuse_even_under_quarantine(tmp_path):
    good = "".join(f"{i};L1;F{i};2025-01-{i:02d};10\n" for i in range(1, 19))
    bad = "19;L1;F19;mars 2025;10\n20;L1;F20;vecka 12;10\n"  # 2 of 20 = 10 %
    result, out = _run(tmp_path, _csv(tmp_path, good + bad), policy="quarantine")
    assert not result.ok and _empty(out)
    [message] = _messages(result)
    assert message.startswith("2 of 20 dates in the column Fakturadatum")
    # one in twenty-one is below the limit: quarantined, the rest imported
    result, out = _run(
        tmp_path,
        _csv(
            tmp_path,
            good + "19;L1;F19;2025-01-19;1\n20;L1;F20;2025-01-20;1\n21;L1;F21;vecka 12;10\n",
        ),
        policy="quarantine",
    )
    assert result.ok and (result.rows, result.quarantined) == (20, 1)


def test_oxford_dates_are_decided_day_first_without_a_profile_format(tmp_path):
    mapping = Mapping(
        columns={
            "payment_id": "Trans No",
            "payment_date": "Paid Date",
            "amount": "Amount",
            "payee_id": "Supplier ID",
            "payee_name": "Supplier Name",
        },
        unavailable=["bank_account"],
    )
    result, out = _run(
        tmp_path,
        data("oxford-spend/expenditure-over-500-jan-mar-2016.csv"),
        dataset="payments",
        mapping=mapping,
    )
    assert result.ok, result.file_errors
    assert (result.period_min, result.period_max) == (date(2016, 1, 8), date(2016, 3, 29))


def test_preview_says_how_the_dates_will_be_read(tmp_path):
    shown = preview("invoices", _csv(tmp_path, "1;L1;F1;13.02.2025;10\n"))
    assert shown.rows[0]["invoice_date"] == "2025-02-13"
    assert any("day first" in p.message % p.params for p in shown.problems)


# ------------------------------------------------------------------ the key


def test_a_key_marked_unavailable_is_refused(tmp_path):
    path = _csv(
        tmp_path, "L1;F1;2025-01-03;10\n", header="Leverantör;Fakturanr;Fakturadatum;Belopp\n"
    )
    result, out = _run(tmp_path, path, mapping=Mapping(unavailable=["invoice_id"]))
    assert not result.ok and _empty(out)
    assert "invoice_id" in _messages(result)[0] and "row number" in _messages(result)[0]


def test_a_profile_may_say_the_row_number_is_the_key(tmp_path):
    path = _csv(
        tmp_path,
        "L1;F1;2025-01-03;10\nL1;F1;2025-01-03;10\n",
        header="Leverantör;Fakturanr;Fakturadatum;Belopp\n",
    )
    result, out = _run(tmp_path, path, mapping=Mapping(columns={"invoice_id": ROW_NUMBER}))
    assert result.ok, result.file_errors
    assert pq.read_table(out).column("invoice_id").to_pylist() == ["2", "3"]
    assert result.mapping.columns["invoice_id"] == ROW_NUMBER


# ------------------------------------------------------------------ amounts


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        ("1 234,50 kr", Decimal("1234.50")),
        ("SEK 99", Decimal("99.00")),
        ("12 KR", Decimal("12.00")),
        ("-€5,25", Decimal("-5.25")),
        ("$12", Decimal("12.00")),
        ("£ 3,10", Decimal("3.10")),
        ("100:-", Decimal("100.00")),
    ],
)
def test_amounts_with_a_currency_sign_or_code(tmp_path, value, amount):
    result, out = _run(tmp_path, _csv(tmp_path, f"1;L1;F1;2025-01-03;{value}\n"))
    assert result.ok, result.errors
    assert pq.read_table(out).column("amount").to_pylist() == [amount]


def test_words_for_missing_are_missing(tmp_path):
    header = "Löpnr;Leverantör;Fakturanr;Fakturadatum;Belopp;Moms;Förfallodatum\n"
    body = (
        "1;L1;F1;2025-01-03;10;SAKNAS;-\n2;L1;F2;2025-01-03;10;saknas;N/A\n3;L1;F3;2025-01-03;10;-;2025-02-03\n"
        "4;L1;F4;2025-01-03;N/A;1;2025-02-03\n"
    )
    result, out = _run(tmp_path, _csv(tmp_path, body, header=header), policy="quarantine")
    assert result.ok
    rows = pq.read_table(out).to_pylist()
    assert [(r["vat_amount"], r["due_date"]) for r in rows] == [
        (None, None),
        (None, None),
        (None, date(2025, 2, 3)),
    ]
    # a required amount written as N/A is missing, and so an error, never 0
    [error] = result.errors
    assert (error.row, error.message) == (5, "%(column)s is required but empty.")


# ------------------------------------------------------------------ invoice numbers that are not numbers


def test_invoice_numbers_that_are_not_numbers_are_flagged_and_counted(tmp_path):
    body = (
        "1;L1;2.15458E+13;2010-05-12;10\n2;L1;101810;2010-10-18;10\n3;L1;100102;2010-01-02;10\n"
        "4;L1;SERVICE;2010-01-02;10\n5;L1;FAKTURA;2010-01-02;10\n6;L1;0496J10;2010-01-02;10\n"
        "7;L1;123456;2010-01-02;10\n"
    )
    result, out = _run(tmp_path, _csv(tmp_path, body))
    assert result.ok
    flags = pq.read_table(out).column("invoice_number_flag").to_pylist()
    assert flags == ["excel", "date", "date", "generic", "generic", None, None]
    assert result.flagged_numbers == {"excel": 1, "date": 2, "generic": 2}
    assert any("5 invoice numbers" in n.message % n.params for n in result.notes)


def _control_hits(parquet: Path, control: str):
    source = DatasetSource(paths=[str(parquet)], key="invoice_id")
    result = run_controls({"invoices": source}, control_ids=[control])
    [c] = result.controls
    assert not c.not_applicable, c.not_applicable
    return c.hits


def test_rows_colliding_on_the_key_reach_the_duplicate_controls(tmp_path):
    # the same invoice exported twice under one internal id: quarantined, and still a duplicate
    body = (
        "1;L1;F-100;2025-01-03;4 500,00\n2;L1;F-200;2025-01-04;10\n1;L1;F-100;2025-02-03;4 500,00\n"
    )
    result, out = _run(tmp_path, _csv(tmp_path, body), policy="quarantine")
    assert result.ok and result.quarantined == 2 and result.key_collisions == 2
    [hit] = _control_hits(out, "INV-DUP-EXACT")
    assert sorted(hit.evidence_keys) == ["invoices:1#2", "invoices:1#4"]


# ------------------------------------------------------------------ aliases from real headers


def test_an_ap_file_with_one_date_reads_it_as_the_invoice_date(tmp_path):
    # Nigrini's corporate.payment header
    path = tmp_path / "ap.csv"
    path.write_text(
        "VendorNum,Date,InvNum,Amount\n2001,2010-01-02,0496J10,36.08\n2001,2010-01-02,1726J10,77.8\n"
    )
    result, out = _run(tmp_path, path, mapping=Mapping(columns={"invoice_id": ROW_NUMBER}))
    assert result.ok, result.file_errors
    assert result.mapping.columns == {
        "invoice_id": ROW_NUMBER,
        "supplier_id": "VendorNum",
        "invoice_number": "InvNum",
        "invoice_date": "Date",
        "amount": "Amount",
    }
    assert pq.read_table(out).column("amount").to_pylist() == [Decimal("36.08"), Decimal("77.80")]
