"""`tillit pseudonyms export`: the current data of one municipality as keyed-hash exports."""

from __future__ import annotations

import pyarrow.parquet as pq

from tillit.accounts.models import AccessLogEntry
from tillit.cli import main
from tillit.datasets.services import import_file

BENEFITS = (
    b"payment_id;household_id;applicant;co_applicant;period;amount;paid_date\n"
    b"B1;H1;19811218-9876;;2025-03;8 940,00;2025-03-06\n"
)


def test_export_writes_pseudonyms_and_logs_the_export(kommun_a, tmp_path, capsys):
    source = tmp_path / "bistand.csv"
    source.write_bytes(BENEFITS)
    import_file(user=None, municipality=kommun_a, dataset="benefit_payments", path=source)
    key = tmp_path / "key"
    key.write_bytes(b"k" * 40)
    assert (
        main(
            [
                "--municipality",
                "0180",
                "pseudonyms",
                "export",
                "--key-file",
                str(key),
                "--output",
                str(tmp_path / "out"),
            ]
        )
        == 0
    )
    rows = pq.read_table(tmp_path / "out" / "x_benefit_payments.parquet").to_pylist()
    assert [(r["municipality"], r["payment_ref"], r["period"]) for r in rows] == [
        ("0180", "B1", "2025-03")
    ]
    assert "198112189876" not in repr(rows) and len(rows[0]["person"]) == 64
    entry = AccessLogEntry.objects.get(object_type="pseudonym_export")
    assert (entry.action, entry.municipality_id, entry.object_id) == (
        "export",
        kommun_a.pk,
        "x_benefit_payments",
    )
    assert "x_benefit_payments" in capsys.readouterr().out


def test_a_short_key_is_refused_in_swedish_and_nothing_is_written(kommun_a, tmp_path, capsys):
    key = tmp_path / "key"
    key.write_bytes(b"short")
    assert (
        main(
            [
                "--lang",
                "sv",
                "--municipality",
                "0180",
                "pseudonyms",
                "export",
                "--key-file",
                str(key),
                "--output",
                str(tmp_path / "out"),
            ]
        )
        == 1
    )
    assert "för kort" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    assert not AccessLogEntry.objects.filter(object_type="pseudonym_export").exists()
