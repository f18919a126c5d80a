"""The generator's shared state: randomness, identifiers, people, boards, staff."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from tillit.analytics import refdata
from tillit.analytics.generate._base import (
    MUNICIPALITY_CODE,
    STREETS,
    Ids,
    People,
    Truth,
    load_pins,
    next_working_day,
    person_name,
)

# board → (cost-centre prefix, expense accounts it mostly books on)
BOARDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Kommunstyrelsen": ("11", ("4010", "6230", "6420", "7410")),
    "Barn- och utbildningsnämnden": ("31", ("4010", "4630", "6110", "5460")),
    "Socialnämnden": ("51", ("4610", "4630", "6420")),
    "Vård- och omsorgsnämnden": ("61", ("4610", "4010", "5460")),
    "Kultur- och fritidsnämnden": ("71", ("4010", "5410", "6110")),
    "Tekniska nämnden": ("81", ("5010", "5410", "4010", "5460")),
    "Miljö- och byggnadsnämnden": ("91", ("4010", "6420")),
}


def units_of(board: str) -> list[str]:
    prefix = BOARDS[board][0]
    return [f"{prefix}{i:02d}" for i in range(10, 50, 10)]


@dataclass
class Employee:
    eid: str
    pnr: str
    name: str
    address: str
    postal_code: str
    account: str
    unit: str  # the board (nämnd) the person works for or sits on
    role: str
    employed_from: date
    employed_to: date | None
    politician: bool = False


@dataclass
class World:
    rng: random.Random
    scale: float
    # person-based data sets stop growing here: the test list holds ~33 000 usable numbers
    pscale: float
    ids: Ids
    people: People
    truth: Truth
    out_dir: Path
    local_postal: list[tuple[str, str]]  # (postal code, locality) in the municipality
    all_postal: list[tuple[str, str]]
    employees: list[Employee] = field(default_factory=list)
    attesters: dict[str, list[Employee]] = field(default_factory=dict)
    registrars: list[Employee] = field(default_factory=list)
    # persons who hold roles in companies/associations; never employees or applicants
    role_holders: list[tuple[str, str]] = field(default_factory=list)
    # orgnr → (supplier_id, name) of companies paid in 2025 (for BEN-COMPANY)
    company_rows: list[list[str]] = field(default_factory=list)
    status_rows: list[list[str]] = field(default_factory=list)
    account_rows: list[list[str]] = field(default_factory=list)
    used_addresses: set[str] = field(default_factory=set)

    def local_address(self) -> tuple[str, str, str]:
        """A residential address in the municipality: (street address, postal code, city)."""
        rng = self.rng
        while True:
            a = f"{rng.choice(STREETS)} {rng.randint(1, 120)}"
            pc, city = rng.choice(self.local_postal)
            if (a, pc) not in self.used_addresses:
                self.used_addresses.add((a, pc))  # type: ignore[arg-type]
                return a, pc, city

    def emp(self, board: str) -> Employee:
        return self.rng.choice(self.attesters[board])


def load_postal() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    local, everywhere = [], []
    for r in refdata.postal_codes():
        pc = f"{r.postal_code[:3]} {r.postal_code[3:]}"
        everywhere.append((pc, r.locality))
        if r.municipality_code == MUNICIPALITY_CODE:
            local.append((pc, r.locality))
    return local, everywhere


def make_world(out_dir: Path, scale: float, seed: int) -> World:
    rng = random.Random(seed)
    local, everywhere = load_postal()
    return World(
        rng=rng,
        scale=scale,
        pscale=min(scale, 6.0),
        ids=Ids(rng),
        people=People(rng, load_pins()),
        truth=Truth(),
        out_dir=out_dir,
        local_postal=local,
        all_postal=everywhere,
    )


def make_employees(w: World) -> None:
    """Staff per board (attesters), the finance office (registrars), and politicians."""
    rng = w.rng
    n_staff = max(40, round(400 * w.pscale))
    eid = 10000

    def add(unit: str, role: str, politician: bool = False) -> Employee:
        nonlocal eid
        eid += 1
        pnr = w.people.take("adult")
        addr, pc, _ = w.local_address()
        start = date(rng.randint(1995, 2024), rng.randint(1, 12), 1)
        end = None
        if politician:
            start = date(2023, 1, 1)
        elif rng.random() < 0.05:
            end = date(2025, rng.randint(1, 11), 28)
        e = Employee(
            f"E{eid}",
            pnr,
            person_name(rng),
            addr,
            pc,
            w.ids.bank(),
            unit,
            role,
            start,
            end,
            politician,
        )
        w.employees.append(e)
        return e

    boards = list(BOARDS)
    for board in boards:
        w.attesters[board] = [add(board, "attestant") for _ in range(max(3, n_staff // 40))]
    w.registrars = [
        add("Kommunstyrelsen", "ekonomiassistent") for _ in range(max(3, n_staff // 40))
    ]
    for _ in range(n_staff - len(w.employees)):
        add(
            rng.choice(boards),
            rng.choice(
                (
                    "handläggare",
                    "undersköterska",
                    "lärare",
                    "förskollärare",
                    "enhetschef",
                    "socialsekreterare",
                )
            ),
        )
    for board in boards:
        for i in range(7):
            add(board, "ordförande" if i == 0 else "ledamot", politician=True)
    # attesters leave in background only after the year, so attestations stay valid
    for lst in w.attesters.values():
        for e in lst:
            e.employed_to = None
    for e in w.registrars:
        e.employed_to = None


def write_employees(w: World) -> None:
    from tillit.analytics.generate._base import Writer, iso, yes

    wr = Writer(w.out_dir, "employees")
    for e in w.employees:
        wr.row(
            (
                e.eid,
                e.pnr,
                e.name,
                e.address,
                e.postal_code,
                e.account,
                e.unit,
                e.role,
                iso(e.employed_from),
                iso(e.employed_to),
                yes(e.politician),
            )
        )
    wr.close()


def wd(month: int, day: int, year: int = 2025) -> date:
    """The first working day on or after the given date."""
    return next_working_day(date(year, month, day))


def plus(d: date, days: int) -> date:
    return d + timedelta(days=days)
