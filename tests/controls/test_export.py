"""`tillit hits export`: column for column as docs/cli.md lists them, CSV and JSON."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from django.utils import translation

SPEC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def _spec_columns() -> list[str]:
    text = SPEC.read_text(encoding="utf-8")
    section = text.split("## `tillit hits export` columns", 1)[1].split("\n## ", 1)[0]
    columns = []
    for match in re.finditer(r"^\| ([a-z_, ]+) \|", section, flags=re.M):
        if match.group(1).strip() != "column":
            columns += [c.strip() for c in match.group(1).split(",")]
    return columns


def _export(*args) -> int:
    from tests.controls.conftest import cli

    with translation.override("sv"):
        return cli(["--municipality", "0180", "hits", "export", *args])


def test_the_csv_export_has_the_spec_columns_in_order(loaded, personas, tmp_path):
    from tillit.controls.models import Hit
    from tillit.controls.services import hit_dismiss, hit_open_case

    first, second = Hit.objects.order_by("-score")[:2]
    hit_dismiss(hit=first, user=personas["investigator"], reason="explained", note="Förklarad.")
    hit_open_case(hit=second, user=personas["investigator"])
    out = tmp_path / "hits.csv"
    assert _export("--output", str(out)) == 0
    with out.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert (
            reader.fieldnames
            == _spec_columns()
            == [
                "run_id",
                "control_id",
                "fingerprint",
                "subject_type",
                "subject_id",
                "amount_at_risk",
                "severity",
                "score",
                "status",
                "explanation",
                "evidence_keys",
            ]
        )
        rows = list(reader)
    assert len(rows) == Hit.objects.count()
    by_fp = {r["fingerprint"]: r for r in rows}
    row = by_fp[first.fingerprint]
    assert row["run_id"] == str(loaded.pk) and row["control_id"] == "INV-DUP-EXACT"
    assert (row["subject_type"], row["subject_id"]) == ("supplier", first.subject_id)
    assert row["amount_at_risk"] == f"{first.amount_at_risk:.2f}" and row["severity"] == "hög"
    assert row["score"] == f"{first.score:.2f}"
    assert row["status"] == "avfärdad" and by_fp[second.fingerprint]["status"] == "ärende"
    assert {r["status"] for r in rows} <= {"ny", "avfärdad", "ärende"}
    assert row["evidence_keys"] == "|".join(first.evidence_keys)
    assert re.fullmatch(r"invoices:[^|]+(\|invoices:[^|]+)+", row["evidence_keys"])
    assert "kr" in row["explanation"] and "%(" not in row["explanation"]
    assert [r["fingerprint"] for r in rows] == [
        h.fingerprint for h in Hit.objects.order_by("-score", "id")
    ]


def test_the_json_export_has_the_same_fields_and_the_evidence(loaded, tmp_path):
    from tillit.controls.models import Hit

    out = tmp_path / "hits.json"
    assert _export("--format", "json", "--run", str(loaded.pk), "--output", str(out)) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data) == Hit.objects.count()
    for item in data:
        assert list(item) == [*_spec_columns(), "evidence"]
        assert isinstance(item["evidence_keys"], list) and item["evidence_keys"]
        hit = Hit.objects.get(fingerprint=item["fingerprint"])
        assert [f"{e['dataset']}:{e['key']}" for e in item["evidence"]] == item["evidence_keys"]
        assert all(e["values"]["invoice_number"] for e in item["evidence"])
        # each row names its snapshot, and no path on the server leaks into an export
        assert all(isinstance(e["snapshot"], int) and "source" not in e for e in item["evidence"])
        assert item["status"] == "ny" and item["amount_at_risk"] == f"{hit.amount_at_risk:.2f}"


def test_export_of_an_unknown_run_fails(loaded, capsys):
    assert _export("--run", "999999") == 1
    assert "999999" in capsys.readouterr().err
