"""generate(): one year of a synthetic municipality with known, injected cases."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tillit.analytics.generate._base import (
    MUNICIPALITY_CODE,
    MUNICIPALITY_NAME,
    YEAR,
    Writer,
    iso,
)
from tillit.analytics.generate._purchasing import Purchasing
from tillit.analytics.generate._purchasing_cases import Injector
from tillit.analytics.generate._world import make_employees, make_world, write_employees
from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.schema import MUNICIPAL_DATASETS as DATASETS

Progress = Callable[[int, int, str], None]

PARTNER_DIR = "partner"


class GenerateError(ValueError):
    """A user-facing failure: an English source message with its parameters kept apart."""

    def __init__(self, message: str, **params: object) -> None:
        self.message = message
        self.params = params
        super().__init__(message % params)


@dataclass
class GenerateResult:
    out_dir: Path
    rows: dict[str, int]  # data set → rows written (header excluded)
    cases: int
    decoys: int
    seconds: float
    files: list[Path] = field(default_factory=list)


def _count_rows(path: Path, encoding: str) -> int:
    with open(path, encoding=encoding, newline="") as fh:
        return sum(1 for _ in fh) - 1


def generate(
    out_dir: Path, scale: float = 1.0, seed: int = 1, progress: Progress | None = None
) -> GenerateResult:
    """Write DIR/<dataset>.csv for every canonical data set and DIR/truth.json.

    ``scale`` 1 gives about 60 000 invoices; person-based data sets stop growing
    at scale 6 because Skatteverket's list of test personnummer is finite.
    """
    if not scale > 0:
        raise GenerateError(_("The scale must be a positive number, not %(scale)s."), scale=scale)
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    w = make_world(out_dir, scale, seed)
    make_employees(w)

    purchasing = Purchasing(w)
    # injected suppliers first, so that background names keep clear of them
    Injector(purchasing).run()
    purchasing.make_background()

    from tillit.analytics.generate._welfare import Welfare

    welfare = Welfare(w, purchasing)
    welfare.build()

    purchasing.write_registers()
    write_employees(w)
    purchasing.stream(progress)
    from tillit.analytics.generate import _second

    _second.write(w)  # invoice lines, contract prices, provider checks (need the invoice ids)
    welfare.write(progress)
    _write_partner(w, purchasing, welfare)

    truth = w.truth
    truth.resolve()
    truth.notes.extend(_NOTES)
    rows = {}
    from tillit.analytics.generate._base import FILE_FORMATS

    for name in DATASETS:
        rows[name] = _count_rows(out_dir / f"{name}.csv", FILE_FORMATS[name].encoding)
    doc = {
        "municipality": {"code": MUNICIPALITY_CODE, "name": MUNICIPALITY_NAME},
        "year": YEAR,
        "scale": scale,
        "seed": seed,
        "files": {
            name: {
                "path": f"{name}.csv",
                "encoding": FILE_FORMATS[name].encoding,
                "delimiter": FILE_FORMATS[name].delimiter,
                "decimal": FILE_FORMATS[name].decimal,
                "rows": rows[name],
            }
            for name in DATASETS
        },
        "partner": {
            "path": PARTNER_DIR,
            "note": "a second municipality's extract for the cross-municipality controls (X-*)",
        },
        "cases": truth.cases,
        "decoys": truth.decoys,
        "notes": truth.notes,
    }
    with open(out_dir / "truth.json", "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=1)
    return GenerateResult(
        out_dir=out_dir,
        rows=rows,
        cases=len(truth.cases),
        decoys=len(truth.decoys),
        seconds=time.perf_counter() - started,
        files=[out_dir / f"{n}.csv" for n in DATASETS] + [out_dir / "truth.json"],
    )


def _write_partner(w, purchasing: Purchasing, welfare) -> None:  # noqa: ANN001
    """A second municipality's invoices and benefit payments sharing a few rows with ours."""
    d = w.out_dir / PARTNER_DIR
    d.mkdir(exist_ok=True)
    sup = Writer(d, "suppliers")
    inv = Writer(d, "invoices")
    seen = set()
    for i, x in enumerate(purchasing.partner_invoices):
        s = x.sup
        if s.sid not in seen:
            seen.add(s.sid)
            sup.row(
                (
                    f"9{s.sid}",
                    s.name,
                    s.orgnr,
                    s.address,
                    s.postal_code,
                    s.city,
                    "SE",
                    iso(s.created),
                    "",
                )
            )
        inv.row(
            (
                f"X{i + 1:06d}",
                f"9{s.sid}",
                x.number,
                iso(x.d),
                inv.money(x.ore),
                "",
                "",
                "",
                s.account,
                "",
                "Kommunstyrelsen",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            )
        )
    sup.close()
    inv.close()
    welfare.write_partner(d)


_NOTES = [
    "Background invoices, payments, vouchers and visits are dated on Swedish working days only; "
    "every weekend or holiday date is injected (INV-HOLIDAY, LEDGER-MANUAL-ODD).",
    "Background amounts per supplier follow Benford's law by construction (golden-ratio mantissas), "
    "so INV-BENFORD should flag only the injected suppliers; per board, the board holding them "
    "(Socialnämnden) may also be nonconforming at small scales, where they dominate its invoices.",
    "Invoice numbers are drawn per supplier from increasing series with gaps; two background "
    "invoices from the same supplier with the same amount are possible but rare at large scales "
    "(amounts have öre), so INV-DUP-FUZZY's same-date rule may find a handful of chance pairs "
    "above scale 10.",
    "Background suppliers without contract are held below 90 000 kr in any 30-day window and "
    "600 000 kr per year, so neither INV-SPLIT tier nor INV-NO-CONTRACT fires on them.",
    "Background amounts avoid [90 000, 100 000) and [630 000, 700 000) kr (INV-ROUND bands).",
    "The recurring-invoice decoys (rent, licence) carry 12 consecutive invoice numbers among 24 "
    "invoices; an INV-SEQ implementation that looks at a single series rather than the supplier's "
    "share of consecutive numbers would flag them.",
    "Account changes in the background happened before 2024; ACC-CHANGE and ACC-DEVIATING should "
    "fire only on the injected cases. ACC-DEVIATING is listed for the first payment to the new "
    "account only.",
    "Person-based data sets (population, employees, benefits, care, permits, grants' "
    "representatives) stop growing at scale 6: Skatteverket's test list holds about 33 000 "
    "usable numbers.",
    "Suppliers grow with the square root of scale above 1 (a large city does not have 100 times "
    "the suppliers).",
    "Bank accounts are written in typed form with the usual grouping: BG:NNNN-NNNN, PG:NNNNNN-N, "
    "BANK:clearing-account; the importer's normal form drops the hyphen.",
    "Evidence keys use the data set's first column; rows of supplier_accounts, supplier_status "
    "and company_roles are referred to as suppliers:<supplier_id> or employees:<employee_id>, "
    "ledger rows as ledger:<voucher_id> (one voucher has several rows).",
    "Employees' unit holds the board (nämnd) the person works for or sits on.",
]
