"""Cross-municipality matching without sharing personnummer (X-BEN-TWO-MUNICIPALITIES,
X-SUP-SAME-INVOICE).

Each participating municipality exports, from its current data, keyed-hash pseudonyms of the
identifiers a match needs: HMAC-SHA-256 with a key that the participating municipalities agree
on and hold, and the matching party never gets. The same personnummer gives the same pseudonym in
every municipality that uses the same key, so the matching party can join the exports, but it
cannot reverse them or test a guessed personnummer without the key (a plain hash could be
reversed by hashing every possible personnummer). Identifiers are hashed in their normal form
(12-digit personnummer, 10-digit organisation number, normalised invoice number), so formatting
differences between municipalities do not matter.

The exports are two data sets of schema.py, x_benefit_payments and x_invoices, which the matching
party imports like any file and runs the X-* controls on (DuckDB, or Spark for many
municipalities). Amounts, periods and dates are kept: the controls need them and they identify
no one on their own. The exporting municipality's own row key (payment_id, invoice_id) is kept as
*_ref, so that each municipality can find its own rows behind a hit.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tillit.analytics.controls._sql import NUMBER_NORM as _NUMBER_NORM
from tillit.analytics.engines.base import DatasetSource

MIN_KEY_BYTES = 32


class PseudonymKeyError(ValueError):
    """The pseudonymisation key is missing or too short."""


def read_key(path: Path) -> bytes:
    """The shared key from a file: at least 32 bytes (raw, or hex / text of that length)."""
    key = Path(path).read_bytes().strip()
    if len(key) < MIN_KEY_BYTES:
        raise PseudonymKeyError(
            f"the key in {path} is {len(key)} bytes; at least {MIN_KEY_BYTES} are needed"
        )
    return key


def pseudonym(value: str, key: bytes) -> str:
    """HMAC-SHA-256 of the identifier's normal form, hex."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


X_BENEFITS_SCHEMA = pa.schema(
    [
        ("municipality", pa.string()),
        ("payment_ref", pa.string()),
        ("person", pa.string()),
        ("role", pa.string()),
        ("period", pa.string()),
        ("amount", pa.decimal128(18, 2)),
    ]
)
X_INVOICES_SCHEMA = pa.schema(
    [
        ("municipality", pa.string()),
        ("invoice_ref", pa.string()),
        ("supplier", pa.string()),
        ("invoice_number", pa.string()),
        ("invoice_date", pa.date32()),
        ("amount", pa.decimal128(18, 2)),
    ]
)


def export(
    sources: Mapping[str, DatasetSource], municipality: str, key: bytes, out_dir: Path
) -> dict[str, Path]:
    """Write x_benefit_payments.parquet and x_invoices.parquet for the data sets present.

    Returns the files written by data set. Rows without a valid identifier are left out: an
    invalid personnummer or organisation number cannot be matched reliably across municipalities.
    """
    from tillit.analytics.engines.duckdb import DuckDBEngine

    if len(key) < MIN_KEY_BYTES:
        raise PseudonymKeyError(f"the key is {len(key)} bytes; at least {MIN_KEY_BYTES} are needed")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    engine = DuckDBEngine()
    try:
        for name in ("benefit_payments", "invoices", "suppliers"):
            engine.register(name, sources.get(name))
        if "benefit_payments" in sources:
            rows = engine.execute("""
                SELECT payment_id, applicant AS person, 'applicant' AS role, period, amount
                FROM benefit_payments WHERE applicant_valid
                UNION ALL
                SELECT payment_id, co_applicant, 'co_applicant', period, amount
                FROM benefit_payments WHERE co_applicant IS NOT NULL AND co_applicant_valid
            """).to_pylist()
            table = pa.Table.from_pylist(
                [
                    {
                        "municipality": municipality,
                        "payment_ref": r["payment_id"],
                        "person": pseudonym(r["person"], key),
                        "role": r["role"],
                        "period": r["period"],
                        "amount": r["amount"],
                    }
                    for r in rows
                ],
                schema=X_BENEFITS_SCHEMA,
            )
            written["x_benefit_payments"] = out_dir / "x_benefit_payments.parquet"
            pq.write_table(table, written["x_benefit_payments"])
        if "invoices" in sources and "suppliers" in sources:
            rows = engine.execute(f"""
                SELECT i.invoice_id, s.orgnr, {_NUMBER_NORM.format(col="i.invoice_number")} AS number,
                       i.invoice_date, i.amount
                FROM invoices AS i JOIN suppliers AS s ON s.supplier_id = i.supplier_id
                WHERE s.orgnr_valid AND {_NUMBER_NORM.format(col="i.invoice_number")} <> ''
            """).to_pylist()
            table = pa.Table.from_pylist(
                [
                    {
                        "municipality": municipality,
                        "invoice_ref": r["invoice_id"],
                        "supplier": pseudonym(r["orgnr"], key),
                        "invoice_number": pseudonym(r["number"], key),
                        "invoice_date": r["invoice_date"],
                        "amount": r["amount"],
                    }
                    for r in rows
                ],
                schema=X_INVOICES_SCHEMA,
            )
            written["x_invoices"] = out_dir / "x_invoices.parquet"
            pq.write_table(table, written["x_invoices"])
    finally:
        engine.close()
    return written
