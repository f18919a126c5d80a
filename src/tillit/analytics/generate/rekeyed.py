"""Realistic duplicates injected into a real accounts-payable file, and the duplicate family's
recall and hit rate on it (issue 17's measure of a queue a coordinator can finish).

    measure(Path("corporate.payment.csv.gz"), Path("/tmp/work"))

The file is Nigrini's `corporate.payment` (VendorNum, Date, InvNum, Amount; one row per invoice,
no internal id: the row number is the key). Each injected duplicate copies a real invoice with its
supplier and amount, entered again later with its number re-keyed the way people and scanners do
it: a leading zero, a separator, an OCR look-alike, a suffix, or unchanged and resubmitted a month
later. Nothing here reads a fixed path: the caller names the file.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

DUPLICATE_FAMILY = (
    "INV-DUP-EXACT",
    "INV-DUP-FUZZY",
    "INV-SAME-NO-OTHER-SUPPLIER",
    "PAY-DUP",
    "PAY-REMINDER",
)
KINDS = ("leading_zero", "separator", "ocr", "suffix", "resubmitted")
_OCR = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z"}


@dataclass
class Injected:
    kind: str
    original_row: int  # row number in the written file (the header is row 1)
    duplicate_row: int
    number: str
    rekeyed: str


@dataclass
class Measure:
    invoices: int
    injected: list[Injected]
    hits: dict[str, int]
    missed: list[Injected] = field(default_factory=list)
    # graded evidence (analytics/evidence.py): family hits per grade, and the best grade of the hits
    # that found each injected duplicate
    grades: dict[str, int] = field(default_factory=dict)
    found_grades: dict[str, int] = field(default_factory=dict)

    @property
    def family_hits(self) -> int:
        return sum(self.hits.values())

    @property
    def per_thousand(self) -> float:
        return 1000 * self.family_hits / self.invoices

    @property
    def listed_per_thousand(self) -> float:
        """Hits the queue lists when the weak groups are one summary line."""
        return 1000 * (self.family_hits - self.grades.get("weak", 0)) / self.invoices


def _rekey(kind: str, number: str, rng: random.Random) -> str | None:
    if kind == "leading_zero":
        return "0" + number
    if kind == "separator":
        if len(number) < 4:
            return None
        cut = rng.randint(2, len(number) - 2)
        return number[:cut] + rng.choice(["-", "/", " ", "."]) + number[cut:]
    if kind == "ocr":
        places = [i for i, ch in enumerate(number) if ch in _OCR and i > 0]
        if not places:
            return None
        i = rng.choice(places)
        return number[:i] + _OCR[number[i]] + number[i + 1 :]
    if kind == "suffix":
        return number + rng.choice(["A", "-1", "B", "-2"])
    return number  # resubmitted unchanged


def _flags(body: list[list[str]]) -> list[str | None]:
    """The importer's verdict on each invoice number (ingest.invoice_number_flags)."""
    import pyarrow as pa

    from tillit.analytics.ingest import invoice_number_flags

    numbers = pa.array([r[2] for r in body], pa.string())
    dates = pa.array([date.fromisoformat(r[1]) for r in body], pa.date32())
    return invoice_number_flags(numbers, dates).to_pylist()


def inject(
    source: Path, target: Path, *, n: int = 50, seed: int = 17
) -> tuple[int, list[Injected]]:
    """Copy `source` (CSV, gzip or not) to `target` with `n` duplicates appended; (invoices, injected)."""
    opener = gzip.open if source.suffix == ".gz" else open
    with opener(source, "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    rng = random.Random(seed)
    # a credit note of the opposite amount from the supplier cancels a duplicate by the controls'
    # documented rule, so invoices with one are not copied
    credited = {(r[0], r[3].lstrip("-")) for r in body if r[3].startswith("-")}
    # real invoices worth paying twice (at least the controls' materiality limit, 500), with a number
    # that has digits and is neither Excel's nor a date
    flags = _flags(body)
    candidates = [
        i
        for i, r in enumerate(body)
        if float(r[3]) >= 500
        and flags[i] is None
        and len(r[2]) >= 4
        and (r[0], r[3]) not in credited
    ]
    injected: list[Injected] = []
    extra: list[list[str]] = []
    for index in rng.sample(candidates, len(candidates)):
        if len(injected) >= n:
            break
        kind = KINDS[len(injected) % len(KINDS)]
        vendor, day, number, amount = body[index][:4]
        rekeyed = _rekey(kind, number, rng)
        if rekeyed is None:
            continue
        later = date.fromisoformat(day) + timedelta(
            days=rng.randint(28, 35) if kind == "resubmitted" else rng.randint(5, 40)
        )
        extra.append([vendor, later.isoformat(), rekeyed, amount])
        injected.append(Injected(kind, index + 2, len(body) + len(extra) + 1, number, rekeyed))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(body)
    writer.writerows(extra)
    target.write_text(out.getvalue(), encoding="utf-8")
    return len(body) + len(extra), injected


def measure(
    source: Path, workdir: Path, *, n: int = 50, seed: int = 17, engine: str = "duckdb"
) -> Measure:
    """Inject, import (the row number as key, dates decided from the column), run the duplicate family."""
    from tillit.analytics.engines.base import DatasetSource
    from tillit.analytics.ingest import ROW_NUMBER, Mapping, ingest
    from tillit.analytics.runner import run_controls

    workdir.mkdir(parents=True, exist_ok=True)
    csv_path, parquet = workdir / "ap.csv", workdir / "invoices.parquet"
    invoices, injected = inject(source, csv_path, n=n, seed=seed)
    result = ingest(
        "invoices",
        csv_path,
        parquet,
        mapping=Mapping(columns={"invoice_id": ROW_NUMBER}),
        policy="quarantine",
    )
    if not result.ok:
        raise RuntimeError(f"import failed: {result.file_errors[:1]} {result.errors[:3]}")
    run = run_controls(
        {"invoices": DatasetSource(paths=[str(parquet)], key="invoice_id")},
        control_ids=list(DUPLICATE_FAMILY),
        engine=engine,
    )
    hits = {c.control_id: len(c.hits) for c in run.controls if not c.not_applicable}
    keys = [set(h.evidence_keys) for c in run.controls for h in c.hits]
    missed = [
        i
        for i in injected
        if not any({f"invoices:{i.original_row}", f"invoices:{i.duplicate_row}"} <= k for k in keys)
    ]
    from tillit.analytics.evidence import RANK

    found = run.hits
    grades = dict(Counter(h.evidence_grade or "ungraded" for h in found))
    best = Counter(
        max(
            (
                h.evidence_grade
                for h in found
                if {f"invoices:{i.original_row}", f"invoices:{i.duplicate_row}"}
                <= set(h.evidence_keys)
            ),
            key=lambda g: RANK.get(g, 0),
        )
        or "ungraded"
        for i in injected
        if i not in missed
    )
    return Measure(
        invoices=invoices,
        injected=injected,
        hits=hits,
        missed=missed,
        grades=grades,
        found_grades=dict(best),
    )
