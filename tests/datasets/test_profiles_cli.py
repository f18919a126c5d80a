"""`tillit profiles add|list|show`, `tillit controls set-param`, and what an import noticed (issue 17)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
from django.conf import settings

from tillit.cli import main
from tillit.controls.models import ControlConfig, ControlVersion
from tillit.datasets.models import ImportAttempt, MappingProfile, Snapshot


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


AP = "VendorNum,Date,InvNum,Amount\n2001,02/01/2010,0496J10,36.08\n2001,01/13/2010,SERVICE,77.8\n"


def test_a_profile_added_on_the_command_line_imports_a_month_first_file(kommun_a, tmp_path, capsys):
    assert (
        main(
            [
                "profiles",
                "add",
                "Nigrini",
                "invoices",
                "--column",
                "invoice_id=#row",
                "--column",
                "invoice_date=Date",
                "--date-format",
                "%m/%d/%Y",
            ]
        )
        == 0
    )
    profile = MappingProfile.objects.get(name="Nigrini")
    assert (profile.dataset, profile.columns, profile.date_format) == (
        "invoices",
        {"invoice_id": "#row", "invoice_date": "Date"},
        "%m/%d/%Y",
    )
    capsys.readouterr()
    assert main(["profiles", "list"]) == 0
    assert "Nigrini\tinvoices\t2\t%m/%d/%Y" in capsys.readouterr().out
    assert main(["profiles", "show", "Nigrini"]) == 0
    shown = capsys.readouterr().out
    assert "invoice_id = radnumret i filen" in shown and "invoice_date = Date" in shown

    path = _write(tmp_path, "ap.csv", AP)
    assert main(["import", "invoices", str(path), "--profile", "Nigrini"]) == 0
    out = capsys.readouterr().out
    snapshot = Snapshot.objects.get()
    rows = pq.read_table(Path(settings.SNAPSHOT_DIR) / snapshot.parquet_path).to_pylist()
    assert [
        (r["invoice_id"], r["invoice_date"].isoformat(), r["invoice_number_flag"]) for r in rows
    ] == [("2", "2010-02-01", None), ("3", "2010-01-13", "generic")]
    # the import report says what it noticed, in Swedish
    attempt = ImportAttempt.objects.get(snapshot=snapshot)
    assert any(n["params"].get("generic") == "1" for n in attempt.notes)
    assert "1 fakturanummer är inte leverantörens eget nummer" in out


def test_a_day_first_file_read_with_a_month_first_profile_changes_nothing(
    kommun_a, tmp_path, capsys
):
    assert (
        main(
            [
                "profiles",
                "add",
                "US",
                "invoices",
                "--column",
                "invoice_id=#row",
                "--date-format",
                "%m/%d/%Y",
            ]
        )
        == 0
    )
    path = _write(
        tmp_path,
        "ap.csv",
        "VendorNum,Date,InvNum,Amount\n2001,02/01/2010,A1,1\n2001,25/01/2010,A2,2\n",
    )
    assert main(["import", "invoices", str(path), "--profile", "US"]) == 1
    err = capsys.readouterr().err
    assert "25/01/2010" in err and "Ingenting importerades" in err
    assert not Snapshot.objects.exists()
    assert ImportAttempt.objects.get().status == ImportAttempt.Status.REJECTED


def test_profiles_add_refuses_what_cannot_work(kommun_a, capsys):
    assert main(["profiles", "add", "X", "invoices", "--unavailable", "invoice_id"]) == 1
    assert "invoice_id kan inte markeras som saknad" in capsys.readouterr().err
    assert main(["profiles", "add", "X", "invoices", "--column", "no_such=Kolumn"]) == 1
    assert main(["profiles", "add", "X", "invoices", "--column", "supplier_id=#row"]) == 1
    assert main(["profiles", "add", "X", "invoices", "--date-format", "%Y"]) == 1
    assert not MappingProfile.objects.exists()
    assert main(["profiles", "show", "X"]) == 1


def test_set_param_makes_a_new_version_in_draft(kommun_a, capsys):
    assert (
        main(
            [
                "controls",
                "set-param",
                "INV-DUP-FUZZY",
                "window_days",
                "60",
                "--note",
                "kortare fönster",
            ]
        )
        == 0
    )
    config = ControlConfig.objects.get(control_id="INV-DUP-FUZZY")
    assert (config.params, config.state, config.version) == ({"window_days": 60}, "draft", 2)
    version = ControlVersion.objects.get(control_id="INV-DUP-FUZZY", version=2)
    assert (version.params, version.note) == ({"window_days": 60}, "kortare fönster")
    assert "utkast" in capsys.readouterr().out
    # outside the bounds, an unknown parameter or control: refused, nothing changes
    assert main(["controls", "set-param", "INV-DUP-FUZZY", "window_days", "5000"]) == 1
    assert main(["controls", "set-param", "INV-DUP-FUZZY", "no_such", "1"]) == 1
    assert main(["controls", "set-param", "NO-SUCH", "x", "1"]) == 1
    assert ControlConfig.objects.get(control_id="INV-DUP-FUZZY").version == 2
