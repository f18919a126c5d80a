"""`tillit controls list`: every control documented in docs/controls/, with whether its data is present."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs" / "controls"


def test_every_control_of_the_spec_is_listed_with_its_data(kommun_a, capsys, tmp_path):
    from tests.controls.conftest import cli
    from tillit.datasets.services import import_file

    spec_ids = {p.stem for p in DOCS.glob("*.md") if re.fullmatch(r"[A-Z]+(?:-[A-Z0-9]+)+", p.stem)}
    assert len(spec_ids) >= 40
    (tmp_path / "f.csv").write_text(
        "invoice_id;supplier_id;invoice_number;invoice_date;amount\nF1;1;7;2025-01-02;100,00\n",
        encoding="utf-8",
    )
    import_file(user=None, municipality=kommun_a, dataset="invoices", path=tmp_path / "f.csv")
    assert cli(["--municipality", "0180", "controls", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    listed = {line.split("\t")[0]: line.split("\t") for line in lines[1:]}
    assert spec_ids <= set(listed)
    assert listed["INV-DUP-EXACT"][-1] == "ja"  # invoices are present
    assert listed["PAY-DUP"][-1].startswith("saknas: payments")
