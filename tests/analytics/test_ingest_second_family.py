"""The data sets of LMS-ATTENDANCE-IMPOSSIBLE, EMP-UNDECLARED-ROLE and APP-BEFORE-PAYMENT import through the
one importer: Swedish headers found by their aliases, identifiers in their normal forms, dates and decimal
commas typed, a bad row named in Swedish."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq

from tillit.analytics.ingest import ingest


def _import(tmp_path: Path, dataset: str, body: str):
    path = tmp_path / f"{dataset}.csv"
    path.write_text(body, encoding="cp1252")
    out = tmp_path / "out" / f"{dataset}.parquet"
    out.parent.mkdir(exist_ok=True)
    return ingest(dataset, path, out), out


def test_programme_attendance_with_swedish_headers(tmp_path):
    result, out = _import(
        tmp_path,
        "programme_attendance",
        "Närvaro-id;Deltagare;Insats;Anordnare;Datum;Antal timmar\n"
        "NV-1;19850101-1234;Arbetsträning;556000-0001;2025-03-04;7,5\n"
        "NV-2;198501011234;Språkträning;5560000002;20250304;4\n",
    )
    assert result.ok, (result.file_errors, result.errors)
    rows = pq.read_table(out).to_pylist()
    assert [(r["attendance_id"], r["participant"], r["date"], r["hours"]) for r in rows] == [
        ("NV-1", "198501011234", date(2025, 3, 4), Decimal("7.5")),
        ("NV-2", "198501011234", date(2025, 3, 4), Decimal("4")),
    ]
    assert rows[0]["provider_orgnr"] == "5560000001"


def test_side_jobs_with_swedish_headers(tmp_path):
    result, out = _import(
        tmp_path,
        "side_jobs",
        "Anställningsnummer;Organisationsnummer;Bisyssla;Anmäld;Beslut;Beslutsdatum\n"
        "E10001;556000-0001;Styrelseuppdrag;2025-01-13;ej godkänd;2025-02-03\n"
        "E10002;5560000002;Konsultuppdrag;2025-02-01;ej prövad;\n",
    )
    assert result.ok, (result.file_errors, result.errors)
    rows = pq.read_table(out).to_pylist()
    assert [
        (r["employee_id"], r["orgnr"], r["declared_date"], r["decision"], r["decided_date"])
        for r in rows
    ] == [
        ("E10001", "5560000001", date(2025, 1, 13), "ej godkänd", date(2025, 2, 3)),
        ("E10002", "5560000002", date(2025, 2, 1), "ej prövad", None),
    ]


def test_benefit_applications_with_swedish_headers_and_a_bad_date(tmp_path):
    body = (
        "Ansökan;Hushåll;Sökande;Medsökande;Månad;Inkommen;Sökt belopp;Beslut;Beslutsdatum;Bankgiro;Adress;"
        "Postnummer\n"
        "ANS-1;H-1;19850101-1234;;2025-05;2025-04-28;9 412,00;ej beslutad;;123-4566;Storgatan 4;572 31\n"
    )
    result, out = _import(tmp_path, "benefit_applications", body)
    assert result.ok, (result.file_errors, result.errors)
    [row] = pq.read_table(out).to_pylist()
    assert (row["application_id"], row["applicant"], row["period"], row["applied_amount"]) == (
        "ANS-1",
        "198501011234",
        "2025-05",
        Decimal("9412.00"),
    )
    assert row["received_date"] == date(2025, 4, 28)
    assert row["bank_account"] == "BG:1234566"
    bad, _ = _import(tmp_path, "benefit_applications", body.replace("2025-04-28", "28 april"))
    assert not bad.ok
    assert [(e.row, e.column) for e in bad.errors] == [(2, "Inkommen")]
