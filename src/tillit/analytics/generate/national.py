"""Many municipalities' pseudonymised exports at once: the national case for the X-* controls.

The matching party only ever sees the exports (pseudonyms.py), so this generator writes them
directly, one Parquet file per municipality and data set, the way the municipalities would hand
them in: ``x_benefit_payments/<kommunkod>.parquet`` and ``x_invoices/<kommunkod>.parquet``.
Identifiers are hashed with the real ``pseudonym()`` and the key given, from personnummer and
organisation numbers made up for the purpose.

The background is clean by construction: a person is paid by one municipality at a time, and a
supplier's invoice numbers come from one sequence across all its customers. Injected, and listed
in the returned truth:

- X-BEN-TWO-MUNICIPALITIES: a person paid by a second municipality for one to three months that the
  first also paid;
- X-SUP-SAME-INVOICE: an invoice sent again, same number and amount, to another municipality a few
  days later.

Decoys that must not be flagged: a person who moves (the old municipality pays up to the month
before, the new one from that month), and subscription suppliers that invoice many municipalities
the same amount under different invoice numbers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from tillit.analytics.generate._base import match_evidence
from tillit.analytics.pseudonyms import (
    MIN_KEY_BYTES,
    X_BENEFITS_SCHEMA,
    X_INVOICES_SCHEMA,
    pseudonym,
)

YEAR = 2025
PERIODS = [f"{YEAR}-{m:02d}" for m in range(1, 13)]


@dataclass
class NationalExports:
    folder: Path
    municipalities: list[str]
    files: dict[str, list[Path]] = field(default_factory=dict)
    cases: list[dict[str, Any]] = field(default_factory=list)
    decoys: list[dict[str, Any]] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)


def municipality_codes(n: int) -> list[str]:
    """n distinct four-digit codes shaped like kommunkoder (county 01–25, then a number)."""
    return [f"{1 + i // 90:02d}{10 + i % 90:02d}" for i in range(n)]


class _Hasher:
    """pseudonym() with a cache: the same identifier recurs many times in a year of data."""

    def __init__(self, key: bytes):
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"the key is {len(key)} bytes; at least {MIN_KEY_BYTES} are needed")
        self.key = key
        self.cache: dict[str, str] = {}

    def __call__(self, value: str) -> str:
        hashed = self.cache.get(value)
        if hashed is None:
            hashed = self.cache[value] = pseudonym(value, self.key)
        return hashed


def generate_national(
    out_dir: Path, *, municipalities: int = 290, scale: float = 1.0, seed: int = 1, key: bytes
) -> NationalExports:
    """Write the exports of `municipalities` municipalities; scale 1 is about 20 000 invoices and
    300 households with economic assistance per municipality."""
    if municipalities < 2:
        raise ValueError("cross-municipality matching needs at least two municipalities")
    rng = random.Random(seed)
    hasher = _Hasher(key)
    out = NationalExports(Path(out_dir), municipality_codes(municipalities))
    codes = out.municipalities
    benefits: dict[str, list[dict[str, Any]]] = {c: [] for c in codes}
    invoices: dict[str, list[dict[str, Any]]] = {c: [] for c in codes}
    serial = {"payment": 0, "invoice": 0}

    def pay(code: str, person: str, period: str, amount: Decimal, role: str = "applicant") -> str:
        serial["payment"] += 1
        ref = f"{code}-U{serial['payment']:08d}"
        benefits[code].append(
            {
                "municipality": code,
                "payment_ref": ref,
                "person": hasher(person),
                "role": role,
                "period": period,
                "amount": amount,
            }
        )
        return f"benefit_payments:{ref}"

    def bill(code: str, orgnr: str, number: str, day: date, amount: Decimal) -> str:
        serial["invoice"] += 1
        ref = f"{code}-F{serial['invoice']:09d}"
        invoices[code].append(
            {
                "municipality": code,
                "invoice_ref": ref,
                "supplier": hasher(orgnr),
                "invoice_number": hasher(number),
                "invoice_date": day,
                "amount": amount,
            }
        )
        return f"invoices:{ref}"

    def money(low: int, high: int) -> Decimal:
        return Decimal(rng.randint(low * 100, high * 100)) / 100

    # -- economic assistance: each person in one municipality for a run of months
    person_no = 0

    def new_person() -> str:
        nonlocal person_no
        person_no += 1
        return f"19{person_no:010d}"  # made up, only ever hashed

    households = max(3, round(300 * scale))
    for code in codes:
        for _ in range(households):
            person, start = new_person(), rng.randrange(12)
            amount = money(2500, 14000)
            for month in range(start, min(12, start + rng.randint(1, 12))):
                pay(code, person, PERIODS[month], amount)
    # -- invoices: national suppliers, each with one number sequence for all customers
    suppliers = [
        f"55{n:08d}" for n in range(1, max(20, round(60 * scale * municipalities**0.5)) + 1)
    ]
    sequence = dict.fromkeys(suppliers, 0)
    invoices_per = max(10, round(20000 * scale))
    start_day = date(YEAR, 1, 1)
    for code in codes:
        for _ in range(invoices_per):
            orgnr = suppliers[rng.randrange(len(suppliers))]
            sequence[orgnr] += 1
            bill(
                code,
                orgnr,
                f"{YEAR}{sequence[orgnr]:06d}",
                start_day + timedelta(days=rng.randrange(330)),
                money(200, 250000),
            )

    n_cases = max(2, round(municipalities * 0.5))
    # -- injected: paid by two municipalities for the same months
    for n in range(n_cases):
        first, second = rng.sample(codes, 2)
        person, start = new_person(), rng.randrange(9)
        keys_first = {
            PERIODS[m]: pay(first, person, PERIODS[m], money(3000, 12000))
            for m in range(start, start + 4)
        }
        overlap = range(start + 1, start + 1 + rng.randint(1, 3))
        for month in overlap:
            out.cases.append(
                {
                    "control_id": "X-BEN-TWO-MUNICIPALITIES",
                    "case_id": f"XB-{n + 1:04d}",
                    "evidence_keys": [
                        keys_first[PERIODS[month]],
                        pay(second, person, PERIODS[month], money(3000, 12000)),
                    ],
                }
            )
    # -- decoy: moved between municipalities without an overlapping month
    for n in range(n_cases):
        old, new = rng.sample(codes, 2)
        person, moved = new_person(), rng.randrange(2, 11)
        keys = [pay(old, person, PERIODS[m], money(3000, 12000)) for m in range(moved - 2, moved)]
        keys += [pay(new, person, PERIODS[m], money(3000, 12000)) for m in range(moved, moved + 2)]
        out.decoys.append(
            {
                "control_id": "X-BEN-TWO-MUNICIPALITIES",
                "decoy_id": f"XB-D{n + 1:04d}",
                "evidence_keys": keys,
            }
        )
    # -- injected: the same invoice to a second municipality
    for n in range(n_cases):
        first, second = rng.sample(codes, 2)
        orgnr = suppliers[rng.randrange(len(suppliers))]
        sequence[orgnr] += 1
        number, day, amount = (
            f"{YEAR}{sequence[orgnr]:06d}",
            start_day + timedelta(days=rng.randrange(320)),
            money(5000, 150000),
        )
        out.cases.append(
            {
                "control_id": "X-SUP-SAME-INVOICE",
                "case_id": f"XS-{n + 1:04d}",
                "evidence_keys": [
                    bill(first, orgnr, number, day, amount),
                    bill(second, orgnr, number, day + timedelta(days=rng.randint(0, 10)), amount),
                ],
            }
        )
    # -- decoy: a subscription at one price to many municipalities, each invoice its own number
    for n in range(max(1, n_cases // 4)):
        orgnr, amount = f"56{n + 1:08d}", money(1000, 5000)
        keys = []
        for code in rng.sample(codes, min(len(codes), 5)):
            sequence.setdefault(orgnr, 0)
            sequence[orgnr] += 1
            keys.append(bill(code, orgnr, f"{YEAR}{sequence[orgnr]:06d}", date(YEAR, 3, 1), amount))
        out.decoys.append(
            {
                "control_id": "X-SUP-SAME-INVOICE",
                "decoy_id": f"XS-D{n + 1:04d}",
                "evidence_keys": keys,
            }
        )

    for name, per_code, schema in (
        ("x_benefit_payments", benefits, X_BENEFITS_SCHEMA),
        ("x_invoices", invoices, X_INVOICES_SCHEMA),
    ):
        folder = out.folder / name
        folder.mkdir(parents=True, exist_ok=True)
        out.files[name] = []
        out.rows[name] = 0
        for code in codes:
            path = folder / f"{code}.parquet"
            pq.write_table(pa.Table.from_pylist(per_code[code], schema=schema), path)
            out.files[name].append(path)
            out.rows[name] += len(per_code[code])
    return out


def match(
    exports: NationalExports, control_id: str, hits: list
) -> tuple[list[str], list[str], list[list[str]]]:
    """(injected cases not found, decoys flagged, hits that match no injected case) for one control;
    one injected month (or invoice) is one case."""
    return match_evidence(
        [c for c in exports.cases if c["control_id"] == control_id],
        [d for d in exports.decoys if d["control_id"] == control_id],
        hits,
    )
