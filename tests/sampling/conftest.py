"""A small invoice register for sampling: attested and unattested invoices, credit notes, two boards."""

from __future__ import annotations

from decimal import Decimal

import pytest

BOARDS = ("Socialnämnden", "Kulturnämnden")


def invoice_rows() -> list[dict]:
    """120 invoices of 2026 with amounts from a few hundred kronor to 180 000 kr (deterministic)."""
    rows = []
    for i in range(1, 121):
        amount = Decimal((i * 7919) % 45000 + 250) + Decimal(i % 100) / 100
        if i % 17 == 0:
            amount = Decimal(150000 + i * 250)  # large invoices, above any interval used here
        rows.append(
            {
                "invoice_id": f"F{i:04d}",
                "supplier_id": f"L{i % 23:03d}",
                "invoice_number": str(5000 + i),
                "invoice_date": f"2026-{(i % 12) + 1:02d}-{(i % 27) + 1:02d}",
                "amount": amount,
                "board": BOARDS[i % 2],
                "attested_by": "" if i % 11 == 0 else f"attestant{i % 3}",
            }
        )
    # credit notes and negative amounts are outside the population
    rows.append(
        {
            "invoice_id": "K0001",
            "supplier_id": "L001",
            "invoice_number": "9001",
            "invoice_date": "2026-03-01",
            "amount": Decimal("-12000.00"),
            "board": BOARDS[0],
            "attested_by": "attestant1",
        }
    )
    return rows


def population_of(rows, board=None, period=None) -> list[dict]:
    out = [r for r in rows if r["amount"] > 0 and r["attested_by"]]
    if board:
        out = [r for r in out if r["board"] == board]
    if period:
        out = [r for r in out if period[0] <= r["invoice_date"] <= period[1]]
    return out


def write_csv(path, rows) -> None:
    lines = ["invoice_id;supplier_id;invoice_number;invoice_date;amount;board;attested_by"]
    for r in rows:
        amount = f"{r['amount']:.2f}".replace(".", ",")
        lines.append(
            f"{r['invoice_id']};{r['supplier_id']};{r['invoice_number']};{r['invoice_date']};{amount};"
            f"{r['board']};{r['attested_by']}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def invoices(kommun_a, tmp_path):
    from tillit.datasets.services import import_file

    rows = invoice_rows()
    write_csv(tmp_path / "fakturor.csv", rows)
    attempt = import_file(
        user=None, municipality=kommun_a, dataset="invoices", path=tmp_path / "fakturor.csv"
    )
    assert attempt.snapshot is not None, attempt.status
    return rows
