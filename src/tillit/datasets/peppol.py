"""Import of e-invoices (Peppol BIS Billing 3, UBL 2.1): a folder or zip of XML files into the data
sets invoices and invoice_lines (shared/spec/data.md), through the ordinary importer.

The files are read by analytics/peppol.py. Each seller's organisation number is matched to the
supplier register's current records; where several records share it, the one the ledger used last
(the latest invoice_date among the current invoices; the lowest supplier_id where none has an
invoice); where none exists the file is set aside and asks for the supplier, rather than inventing
a record. The invoices and their lines are then written as two CSV files in the canonical columns
and imported as two snapshots, added beside every current snapshot (an e-invoice batch never
replaces a period of the ledger's invoices). A file that cannot be read is set aside with its reason
and the others are imported; if no file can be imported, nothing is. If the lines are refused after
the invoices were imported, the invoices' snapshot is retired again, so that nothing changes.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext, gettext_noop

from tillit.analytics import peppol
from tillit.datasets.models import ImportAttempt


@dataclass
class PeppolImport:
    invoices: ImportAttempt | None  # None when the ledger already held every e-invoice
    lines: ImportAttempt
    set_aside: list[peppol.SetAside] = field(default_factory=list)
    files: int = 0
    in_ledger: int = 0  # e-invoices the ledger already held: only their lines were imported


class PeppolRefused(Exception):
    """Nothing was imported: an English template and its values, and the files set aside."""

    def __init__(self, message: str, params: dict[str, Any], set_aside: list[peppol.SetAside]):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params
        self.set_aside = set_aside


def supplier_ids(municipality) -> dict[str, str]:
    """Organisation number -> the supplier record the ledger used last, from the current snapshots."""
    return _lookups(municipality)[0]


def _lookups(municipality) -> tuple[dict[str, str], dict[peppol.LedgerKey, str]]:
    """(organisation number -> the supplier record the ledger used last; (organisation number,
    normalised invoice number, amount) -> the current invoice's invoice_id), from the current
    snapshots."""
    import duckdb

    from tillit.datasets.services import current_sources

    sources = current_sources(municipality=municipality)
    if "suppliers" not in sources:
        return {}, {}

    def files(name: str) -> str:
        # the snapshot paths as a literal list (a view cannot take prepared parameters)
        quoted = ", ".join("'" + str(p).replace("'", "''") + "'" for p in sources[name][0].paths)
        return f"read_parquet([{quoted}], union_by_name=true)"

    con = duckdb.connect()
    try:
        con.execute(f"CREATE VIEW suppliers AS SELECT supplier_id, orgnr FROM {files('suppliers')}")
        if "invoices" in sources:
            con.execute(
                "CREATE VIEW invoices AS SELECT invoice_id, supplier_id, invoice_number, invoice_date, "
                f"amount FROM {files('invoices')}"
            )
        else:
            con.execute(
                "CREATE VIEW invoices AS SELECT NULL::VARCHAR AS invoice_id, NULL::VARCHAR AS supplier_id, "
                "NULL::VARCHAR AS invoice_number, NULL::DATE AS invoice_date, NULL::DECIMAL(18,2) AS amount"
            )
        rows = con.execute(
            """
            SELECT orgnr, supplier_id FROM (
                SELECT s.orgnr, s.supplier_id,
                       row_number() OVER (PARTITION BY s.orgnr
                                          ORDER BY l.last_date DESC NULLS LAST, s.supplier_id) AS rank
                FROM (SELECT DISTINCT supplier_id, orgnr FROM suppliers
                      WHERE orgnr IS NOT NULL AND orgnr <> '') AS s
                LEFT JOIN (SELECT supplier_id, max(invoice_date) AS last_date FROM invoices
                           GROUP BY supplier_id) AS l ON l.supplier_id = s.supplier_id
            ) WHERE rank = 1
            """
        ).fetchall()
        # the ledger's invoices by seller, number and amount (the newest snapshot's row per id)
        ledger = con.execute(
            """
            SELECT DISTINCT s.orgnr, i.invoice_number, i.amount, i.invoice_id
            FROM (SELECT DISTINCT invoice_id, supplier_id, invoice_number, amount FROM invoices) AS i
            JOIN (SELECT DISTINCT supplier_id, orgnr FROM suppliers WHERE orgnr <> '') AS s
              ON s.supplier_id = i.supplier_id
            WHERE i.invoice_number IS NOT NULL AND i.amount IS NOT NULL
            ORDER BY i.invoice_id
            """
        ).fetchall()
    finally:
        con.close()
    found: dict[peppol.LedgerKey, str] = {}
    for orgnr, number, amount, invoice_id in ledger:
        found.setdefault(
            (str(orgnr), peppol.normalised_number(str(number)), amount), str(invoice_id)
        )
    return {str(orgnr): str(sid) for orgnr, sid in rows}, found


def _write(path: Path, dataset: str, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    """The rows as a CSV file in the canonical columns; an optional column no e-invoice filled is left
    out (the data set then has it empty, as a file without it would)."""
    from tillit.analytics import schema

    required = set(schema.get(dataset).required)
    columns = tuple(c for c in columns if c in required or any(r[c] for r in rows))
    rows = [{c: r[c] for c in columns} for r in rows]
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.DictWriter(fh, fieldnames=columns, delimiter=";", lineterminator="\r\n")
        out.writeheader()
        out.writerows(rows)


def import_peppol(*, user, municipality, path: Path, force: bool = False) -> PeppolImport:
    """Import a folder or zip of e-invoices. Raises PeppolRefused or ImportRefused (nothing imported)."""
    from tillit.datasets.services import ImportRefused, import_file, snapshot_retire

    path = Path(path)
    try:
        batch = peppol.read(path)
    except (peppol.PeppolError, OSError) as exc:
        message, params = (
            (exc.message, exc.params)
            if isinstance(exc, peppol.PeppolError)
            else (
                gettext_noop("%(file)s could not be read: %(error)s."),
                {"file": path.name, "error": str(exc)},
            )
        )
        raise PeppolRefused(message, params, []) from None
    suppliers, ledger = _lookups(municipality)
    inv_rows, line_rows, unmatched, in_ledger = peppol.rows(batch.invoices, suppliers, ledger)
    set_aside = batch.set_aside + unmatched
    files = len(batch.invoices) + len(batch.set_aside)
    if not line_rows:
        if files == 0:
            raise PeppolRefused(
                gettext_noop("%(file)s holds no XML files. Nothing was imported."),
                {"file": path.name},
                [],
            )
        raise PeppolRefused(
            gettext_noop(
                "None of the %(count)s e-invoices in %(file)s could be imported. Nothing was imported."
            ),
            {"count": files, "file": path.name},
            sorted(set_aside, key=lambda s: s.file),
        )
    with tempfile.TemporaryDirectory(prefix="tillit-peppol-") as tmp:
        inv_csv, lines_csv = Path(tmp) / "invoices.csv", Path(tmp) / "invoice_lines.csv"
        _write(inv_csv, "invoices", peppol.INVOICE_COLUMNS, inv_rows)
        _write(lines_csv, "invoice_lines", peppol.LINE_COLUMNS, line_rows)
        source = f"{path.name} (Peppol BIS 3)"
        invoices = None
        if inv_rows:
            invoices = import_file(
                user=user,
                municipality=municipality,
                dataset="invoices",
                path=inv_csv,
                source_name=source,
                force=force,
                replace=False,
                keep_others=True,
            )
        try:
            lines = import_file(
                user=user,
                municipality=municipality,
                dataset="invoice_lines",
                path=lines_csv,
                source_name=source,
                force=force,
                replace=False,
                keep_others=True,
            )
        except ImportRefused:
            snapshot = invoices.snapshot if invoices is not None else None
            if snapshot is not None:
                snapshot_retire(
                    user=user,
                    snapshot=snapshot,
                    reason=gettext(
                        "The e-invoices' lines were refused, so their invoices were not kept."
                    ),
                )
            raise
    set_aside.sort(key=lambda s: s.file)
    first = invoices if invoices is not None else lines
    notes = list(first.notes or [])
    if in_ledger:
        notes.append(
            {
                "message": gettext_noop(
                    "%(count)s e-invoices were already among the invoices (the same supplier, invoice "
                    "number and amount): only their lines were imported, under the invoice's own id."
                ),
                "params": {"count": in_ledger},
            }
        )
    if set_aside:
        for item in set_aside:
            # the reason in the installation's language, written when the file was set aside
            notes.append(
                {
                    "message": gettext_noop("The file %(file)s was set aside: %(reason)s"),
                    "params": {"file": item.file, "reason": _reason_text(item, gettext)},
                }
            )
    if notes != list(first.notes or []):
        first.notes = notes
        first.save(update_fields=["notes"])
    return PeppolImport(
        invoices=invoices, lines=lines, set_aside=set_aside, files=files, in_ledger=in_ledger
    )


def _plain(params: dict[str, Any]) -> dict[str, str]:
    return {k: str(v)[:200] for k, v in params.items()}


def _reason_text(item: peppol.SetAside, translate: Callable[[str], str]) -> str:
    template = translate(item.message)
    return template % _plain(item.params) if item.params else template


def reason(item: peppol.SetAside, translate: Callable[[str], str]) -> str:
    """A set-aside file's reason in the user's language, naming the file."""
    return translate("The file %(file)s was set aside: %(reason)s") % {
        "file": item.file,
        "reason": _reason_text(item, translate),
    }
