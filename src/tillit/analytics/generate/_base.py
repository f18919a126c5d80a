"""Shared pieces of the generator: file formats, writers, identifiers, truth.

Amounts are carried as integer öre so that formatting is exact and cheap;
dates are formatted once per day and reused.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import holidays
from stdnum import luhn

from tillit.analytics import refdata
from tillit.analytics.schema import DATASETS

YEAR = 2025
YEAR_START = date(YEAR, 1, 1)
YEAR_END = date(YEAR, 12, 31)
# The municipality the synthetic data pretends to be: a real code and its real
# postal codes, so that address checks see plausible data, but a made-up name.
MUNICIPALITY_CODE = "1286"
MUNICIPALITY_NAME = "Exempelkommun"


@dataclass(frozen=True)
class FileFormat:
    encoding: str
    delimiter: str
    decimal: str


# Swedish systems differ: the ledger, payment and benefit systems export
# Windows-1252 with semicolons and decimal comma; registers and time systems
# export UTF-8 with commas.
_LEGACY = FileFormat("cp1252", ";", ",")
_MODERN = FileFormat("utf-8", ",", ".")
FILE_FORMATS: dict[str, FileFormat] = {name: _MODERN for name in DATASETS} | {
    "suppliers": _LEGACY,
    "supplier_accounts": _LEGACY,
    "invoices": _LEGACY,
    "payments": _LEGACY,
    "benefit_payments": _LEGACY,
    "ledger": _LEGACY,
}


def money(ore: int, decimal: str = ".") -> str:
    """Öre as a decimal string with two decimals ('-12.05')."""
    sign = "-" if ore < 0 else ""
    ore = abs(ore)
    return f"{sign}{ore // 100}{decimal}{ore % 100:02d}"


def iso(d: date | None) -> str:
    return "" if d is None else d.isoformat()


# Files carry local Swedish wall-clock time without an offset, as the source systems do.
TZ = ZoneInfo("Europe/Stockholm")


def at(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=TZ)


def dt(d: datetime) -> str:
    return d.strftime("%Y-%m-%d %H:%M:%S")


def yes(b: bool) -> str:
    return "true" if b else "false"


class Writer:
    """One data set's CSV file, written row by row in the set's format."""

    def __init__(self, out_dir: Path, dataset: str) -> None:
        self.dataset = dataset
        self.fmt = FILE_FORMATS[dataset]
        self.columns = DATASETS[dataset].column_names
        self._fh: IO[str] = open(  # noqa: SIM115 - closed in close()
            out_dir / f"{dataset}.csv", "w", encoding=self.fmt.encoding, newline=""
        )
        self._csv = csv.writer(self._fh, delimiter=self.fmt.delimiter, lineterminator="\r\n")
        self._csv.writerow(self.columns)
        self.rows = 0

    def money(self, ore: int) -> str:
        return money(ore, self.fmt.decimal)

    def row(self, values: Iterable[Any]) -> None:
        self._csv.writerow(values)
        self.rows += 1

    def close(self) -> None:
        self._fh.close()


# --- calendar -------------------------------------------------------------

_YEARS = range(YEAR - 16, YEAR + 2)
_SE_HOLIDAYS = set(holidays.country_holidays("SE", years=_YEARS))
# The eves are working days by law but offices are closed, and `holidays` keeps
# them in the bank category only: treat them as days off so that no background
# row lands on one and a control that counts them finds nothing to flag.
_EVES = ("Midsummer Eve", "Christmas Eve", "New Year's Eve")
_SE_HOLIDAYS |= {
    d
    for d, name in holidays.country_holidays("SE", years=_YEARS, categories=("bank",)).items()
    if any(part in _EVES for part in name.split("; "))
}


def is_working_day(d: date) -> bool:
    return d.weekday() < 5 and d not in _SE_HOLIDAYS


@lru_cache(maxsize=4096)
def next_working_day(d: date) -> date:
    while not is_working_day(d):
        d += timedelta(days=1)
    return d


def working_days(start: date, end: date) -> list[date]:
    out = []
    d = start
    while d <= end:
        if is_working_day(d):
            out.append(d)
        d += timedelta(days=1)
    return out


def month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


# --- identifiers ------------------------------------------------------------


def with_luhn(digits: str) -> str:
    return digits + luhn.calc_check_digit(digits)


def swedbank_account(rng: random.Random) -> str:
    """A Swedbank type 1 account (clearing 7xxx): mod 11 over clearing[1:] + 7 digits."""
    clearing = f"7{rng.randrange(0, 1000):03d}"
    while True:
        body = f"{rng.randrange(0, 1_000_000):06d}"
        digits = clearing[1:] + body
        # the check digit makes the weighted sum (weights 1..10 from the right) divisible by 11
        total = sum(int(c) * w for c, w in zip(reversed(digits), range(2, 11), strict=True))
        check = (-total) % 11
        if check < 10:
            return f"BANK:{clearing}-{body}{check}"


class Ids:
    """Unique organisation numbers and giro numbers, never issued twice."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def _unique(self, make: Callable[[], str]) -> str:
        while True:
            v = make()
            if v not in self.used:
                self.used.add(v)
                return v

    def orgnr(self, kind: str = "company") -> str:
        """NNNNNN-NNNN with a valid Luhn digit; companies 556/559, associations 802."""
        rng = self.rng
        prefix = "802" if kind == "association" else rng.choice(("556", "559"))
        return self._unique(
            lambda: _fmt_orgnr(with_luhn(prefix + f"{rng.randrange(0, 1_000_000):06d}"))
        )

    def bankgiro(self) -> str:
        return self._unique(lambda: _fmt_bg(with_luhn(f"{self.rng.randrange(100_0000, 999_9999)}")))

    def plusgiro(self) -> str:
        return self._unique(lambda: _fmt_pg(with_luhn(f"{self.rng.randrange(100_0000, 999_9999)}")))

    def bank(self) -> str:
        return self._unique(lambda: swedbank_account(self.rng))

    def claim(self, value: str) -> str:
        self.used.add(value)
        return value


def _fmt_orgnr(d10: str) -> str:
    return f"{d10[:6]}-{d10[6:]}"


def _fmt_bg(digits: str) -> str:
    return f"BG:{digits[:-4]}-{digits[-4:]}"


def _fmt_pg(digits: str) -> str:
    return f"PG:{digits[:-1]}-{digits[-1]}"


def giro_digits(account: str) -> str:
    return "".join(c for c in account.split(":", 1)[1] if c.isdigit())


def bankgiro_from_digits(digits: str) -> str:
    return _fmt_bg(digits)


# --- people ---------------------------------------------------------------------


def load_pins() -> list[str]:
    """Skatteverket's test personnummer, shipped inside the package (analytics/refdata)."""
    return list(refdata.test_personnummer())


class People:
    """Hands out test personnummer from Skatteverket's list, each only once.

    Only births 1920–2023 are used (the list's older numbers would be people
    over 110). Adults are born 1930–2005, children 2008–2023, elderly 1920–1945.
    """

    def __init__(self, rng: random.Random, pins: list[str]) -> None:
        self.rng = rng
        pools: dict[str, list[str]] = {"elderly": [], "adult": [], "young": [], "child": []}
        for p in pins:
            y = int(p[:4])
            if 1920 <= y <= 1945:
                pools["elderly"].append(p)
            elif 1946 <= y <= 1985:
                pools["adult"].append(p)
            elif 1986 <= y <= 2005:
                pools["young"].append(p)
            elif 2008 <= y <= 2023:
                pools["child"].append(p)
        for v in pools.values():
            rng.shuffle(v)
        self.pools = pools

    def take(self, kind: str = "adult") -> str:
        # adults are drawn from both working-age pools so that ages spread
        if kind == "adult":
            kind = "adult" if self.rng.random() < 0.5 and self.pools["adult"] else "young"
            if not self.pools[kind]:
                kind = "adult" if kind == "young" else "young"
        return self.pools[kind].pop()

    def available(self, kind: str) -> int:
        if kind == "adult":
            return len(self.pools["adult"]) + len(self.pools["young"])
        return len(self.pools[kind])


def birth_date(pnr: str) -> date:
    return date(int(pnr[:4]), int(pnr[4:6]), int(pnr[6:8]))


FIRST_NAMES = (
    "Anna Eva Maria Karin Sara Lena Emma Kerstin Ingrid Marie Malin Jenny Hanna Linnea Elin "
    "Johanna Sofia Ida Amanda Julia Lars Anders Johan Per Erik Karl Peter Jan Thomas Daniel "
    "Fredrik Hans Mikael Magnus Stefan Mattias Jonas Oskar Ali Noah Liam Hugo Amir Leila Yusuf "
    "Mohammed Fatima Aisha Nils Björn Åsa Örjan Göran Ulla Birgitta Märta Sven Ove"
).split()
LAST_NAMES = (
    "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson "
    "Pettersson Jonsson Jansson Hansson Bengtsson Jönsson Lindberg Jakobsson Magnusson Olofsson "
    "Lindström Lindqvist Lindgren Berg Axelsson Bergström Lundberg Lind Lundgren Lundqvist "
    "Mattsson Berglund Fredriksson Sandberg Henriksson Forsberg Sjöberg Ali Mohammed Ahmed "
    "Holm Engström Håkansson Åberg Öberg Ström Nyström Hassan Yilmaz Nordin Sundberg Ek"
).split()
STREETS = (
    "Storgatan Kyrkogatan Skolgatan Ringvägen Parkvägen Björkvägen Tallvägen Ekvägen Lindvägen "
    "Stationsgatan Hamngatan Östergatan Västergatan Norregatan Söderväg Ängsvägen Ängavägen "
    "Rönnvägen Syrénvägen Klostergatan Tegelgatan Sjömansgatan Fridhemsgatan Lasarettsgatan"
).split()
# suppliers live on other streets than residents so that a shared address is deliberate
BUSINESS_STREETS = (
    "Industrigatan Verkstadsgatan Hantverkargatan Företagsvägen Logistikvägen Lagergatan "
    "Smedjegatan Fabriksgatan Terminalvägen Montörgatan Bruksgatan Handelsvägen"
).split()


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


# --- truth ------------------------------------------------------------------------


@dataclass
class Truth:
    """What was injected, with references resolved to keys once rows are written.

    Evidence may name rows whose keys are only known when they are written
    (invoice and payment serials); those are given as ``("ref", name)`` and
    resolved through ``refs`` at the end.
    """

    cases: list[dict[str, Any]] = field(default_factory=list)
    decoys: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)
    _counter: dict[str, int] = field(default_factory=dict)

    def case(
        self,
        control_id: str,
        evidence: list[Any],
        subject_type: str,
        subject_id: str,
        amount_ore: int,
        note: str,
    ) -> None:
        n = self._counter.get(control_id, 0) + 1
        self._counter[control_id] = n
        self.cases.append(
            {
                "control_id": control_id,
                "case_id": f"{control_id}-{n:02d}",
                "evidence_keys": evidence,
                "subject_type": subject_type,
                "subject_id": subject_id,
                "amount_at_risk": money(amount_ore),
                "note": note,
            }
        )

    def decoy(self, control_ids: list[str], evidence: list[Any], note: str) -> None:
        self.decoys.append(
            {
                "decoy_id": f"DECOY-{len(self.decoys) + 1:02d}",
                "control_ids": control_ids,
                "control_id": control_ids[0],
                "evidence_keys": evidence,
                "note": note,
            }
        )

    def resolve(self) -> None:
        def fix(keys: list[Any]) -> list[str]:
            out = []
            for k in keys:
                if isinstance(k, tuple):
                    dataset, ref = k
                    out.append(f"{dataset}:{self.refs[ref]}")
                else:
                    out.append(k)
            return out

        for item in (*self.cases, *self.decoys):
            item["evidence_keys"] = fix(item["evidence_keys"])


def chunks(it: Iterable[Any], n: int) -> Iterator[list[Any]]:
    buf: list[Any] = []
    for x in it:
        buf.append(x)
        if len(buf) >= n:
            yield buf
            buf = []
    if buf:
        yield buf


def match_evidence(
    cases: Iterable[dict[str, Any]], decoys: Iterable[dict[str, Any]], hits: Iterable[Any]
) -> tuple[list[str], list[str], list[list[str]]]:
    """(injected cases not found, decoys flagged, hits that match no injected case).

    A case is found by a hit whose evidence holds every evidence key of the case; a decoy is
    flagged by a hit that shares an evidence key with it."""
    cases, hits = list(cases), list(hits)
    missed = [
        c["case_id"]
        for c in cases
        if not any(set(c["evidence_keys"]) <= set(h.evidence_keys) for h in hits)
    ]
    flagged = [
        d["decoy_id"]
        for d in decoys
        if any(set(d["evidence_keys"]) & set(h.evidence_keys) for h in hits)
    ]
    other = [
        h.evidence_keys
        for h in hits
        if not any(set(c["evidence_keys"]) <= set(h.evidence_keys) for c in cases)
    ]
    return missed, flagged, other
