"""Real data for the controls app: a small synthetic municipality, imported and run on DuckDB.

The generated folder is made once per session (the generator is deterministic); each test
imports the two data sets INV-DUP-EXACT reads (about a second) into its own database.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CONTROL = "INV-DUP-EXACT"
INVOICE_ENCODING = "cp1252"  # the generator writes what a Swedish finance system exports


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> Path:
    from tillit.analytics.generate import generate

    folder = tmp_path_factory.mktemp("kommun")
    generate(folder, scale=0.1, seed=1)
    return folder


def import_dataset(user, municipality, dataset: str, path: Path):
    from tillit.datasets.services import import_file

    return import_file(user=user, municipality=municipality, dataset=dataset, path=path)


def load(user, municipality, folder: Path) -> None:
    for dataset in ("suppliers", "invoices"):
        import_dataset(user, municipality, dataset, folder / f"{dataset}.csv")


def run(municipality, user=None, *, dry_run: bool = False):
    from tillit.controls.services import run_create, run_execute

    return run_execute(
        run=run_create(municipality=municipality, user=user, control_ids=[CONTROL], dry_run=dry_run)
    )


def with_credit_note(
    folder: Path, out: Path, hit, number: int = 1, source: Path | None = None
) -> Path:
    """A newer invoices file: the same rows plus a credit note that cancels one of the hit's invoices."""
    values = {e["key"]: e["values"] for e in hit.evidence}
    first_key = hit.evidence_keys[0].split(":", 1)[1]
    first = values[first_key]
    amount = f"-{first['amount']}".replace(".", ",")
    text = (source or folder / "invoices.csv").read_text(encoding=INVOICE_ENCODING)
    header = text.splitlines()[0].split(";")
    row = dict.fromkeys(header, "")
    row.update(
        invoice_id=f"KR-TEST-{number:04d}",
        supplier_id=str(first["supplier_id"]),
        invoice_number=f"KREDIT-{number}",
        invoice_date="2025-12-30",
        amount=amount,
        board=str(first.get("board") or ""),
    )
    line = ";".join(row[c] for c in header)
    out.write_text(
        text.rstrip("\r\n") + "\r\n" + line + "\r\n", encoding=INVOICE_ENCODING, newline=""
    )
    return out


def cli(argv: list[str]) -> int:
    """`tillit ARGV` in this process, without main()'s django.setup() (which would reconfigure logging)."""
    from tillit.cli import CommandError, build_parser

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CommandError as exc:
        import sys

        print(f"tillit: {exc}", file=sys.stderr)
        return 1


@pytest.fixture
def loaded(personas, kommun_a, generated):
    """Kommun A with suppliers and invoices imported and one run of INV-DUP-EXACT published."""
    load(personas["coordinator"], kommun_a, generated)
    first = run(kommun_a, personas["coordinator"])
    assert first.status == "done", first.error
    return first
