"""Injected cases and decoys for the PLACE-* (placements) controls (analytics/controls/place.py).

Placements and their billed days are made with generate/_second.py, outside the background's random
stream; the placed children are children of the synthetic municipality's households."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from tillit.analytics.generate._second import second
from tillit.analytics.generate.scenarios import scenario

if TYPE_CHECKING:
    from tillit.analytics.generate._welfare import Welfare


def _placement(
    wf: Welfare, client: str, orgnr: str, kind: str, start: date, end: date | None, rate: int
) -> str:
    s2 = second(wf.w)
    pid = f"PL-{9001 + len(s2.placements)}"
    s2.placements.append((pid, client, orgnr, kind, start, end, rate))
    return pid


def _bill(wf: Welfare, pid: str, start: date, end: date, per_day: int | None = None) -> str:
    """Bill the placement's days start..end at its daily rate (or at per_day öre a day)."""
    s2 = second(wf.w)
    _pid, client, orgnr, _kind, _f, _t, rate = next(p for p in s2.placements if p[0] == pid)
    bid = f"PB-{70001 + len(s2.billing)}"
    s2.billing.append(
        (bid, pid, client, orgnr, start, end, (per_day or rate) * ((end - start).days + 1))
    )
    return f"placement_billing:{bid}"


@scenario("welfare.build_permits", 110)
def place_overlap(wf: Welfare) -> None:
    t = wf.t
    s2 = second(wf.w)
    children = sorted(
        p.pnr for p in wf.persons if p.pnr[:4] >= "2010" and p.status == "folkbokförd"
    )
    first, second_child, third = s2.rng.sample(children, 3)
    hvb, family, hvb2 = s2.ids.orgnr(), s2.ids.orgnr(), s2.ids.orgnr()
    # PLACE-OVERLAP: a move from an HVB home to a family home on 20 March; the HVB home bills all of March
    a = _placement(wf, first, hvb, "HVB", date(2024, 10, 1), None, 3_100_00)
    b = _placement(wf, first, family, "familjehem", date(2025, 3, 20), None, 1_000_00)
    k1 = _bill(wf, a, date(2025, 3, 1), date(2025, 3, 31))
    k2 = _bill(wf, b, date(2025, 3, 20), date(2025, 4, 30))
    t.case(
        "PLACE-OVERLAP",
        [k1, k2],
        "person",
        first,
        12_000_00,
        "Moved to a family home on 20 March; the HVB home billed the whole of March: 12 days billed twice.",
    )
    # one placement billing the second half of June twice
    c = _placement(wf, second_child, hvb2, "HVB", date(2025, 1, 1), None, 2_950_00)
    k3 = _bill(wf, c, date(2025, 6, 1), date(2025, 6, 30))
    k4 = _bill(wf, c, date(2025, 6, 16), date(2025, 6, 30))
    t.case(
        "PLACE-OVERLAP",
        [k3, k4],
        "person",
        second_child,
        44_250_00,
        "The same HVB home billed 16-30 June twice.",
    )
    # decoy: a move on 15 May, the old placement billed up to the day it ends, the new one from the day after
    d = _placement(wf, third, hvb, "HVB", date(2025, 1, 10), date(2025, 5, 15), 3_100_00)
    e = _placement(wf, third, family, "familjehem", date(2025, 5, 16), None, 1_000_00)
    k5 = _bill(wf, d, date(2025, 5, 1), date(2025, 5, 15))
    k6 = _bill(wf, e, date(2025, 5, 16), date(2025, 5, 31))
    t.decoy(
        ["PLACE-OVERLAP"],
        [k5, k6],
        "Billed up to the day the placement ended and from the next day: not a hit.",
    )


@scenario("welfare.build_permits", 111)
def place_rate(wf: Welfare) -> None:
    t = wf.t
    s2 = second(wf.w)
    children = sorted(
        p.pnr for p in wf.persons if p.pnr[:4] >= "2010" and p.status == "folkbokförd"
    )
    taken = {p[1] for p in s2.placements}
    child, other, third = s2.rng.sample([c for c in children if c not in taken], 3)
    home, support, family = s2.ids.orgnr(), s2.ids.orgnr(), s2.ids.orgnr()
    # PLACE-RATE: an HVB home agreed at 3 100 kr a day bills 3 250 kr a day for August
    a = _placement(wf, child, home, "HVB", date(2025, 2, 1), None, 3_100_00)
    _bill(wf, a, date(2025, 7, 1), date(2025, 7, 31))  # July at the rate
    k2 = _bill(wf, a, date(2025, 8, 1), date(2025, 8, 31), per_day=3_250_00)
    t.case(
        "PLACE-RATE",
        [f"placements:{a}", k2],
        "placement",
        a,
        4_650_00,
        "Billed 3 250 kr a day in August against an agreed daily rate of 3 100 kr.",
    )
    # a family home billing 1 100 kr a day for two months against an agreed 1 000 kr
    c = _placement(wf, third, family, "familjehem", date(2025, 4, 1), None, 1_000_00)
    k4 = _bill(wf, c, date(2025, 10, 1), date(2025, 10, 31), per_day=1_100_00)
    k5 = _bill(wf, c, date(2025, 11, 1), date(2025, 11, 30), per_day=1_100_00)
    t.case(
        "PLACE-RATE",
        [f"placements:{c}", k4, k5],
        "placement",
        c,
        6_100_00,
        "Billed 1 100 kr a day in October and November against an agreed daily rate of 1 000 kr.",
    )
    # decoy: billed exactly 2 % above the daily rate, the tolerance
    b = _placement(wf, other, support, "stödboende", date(2025, 3, 1), None, 1_250_00)
    k3 = _bill(wf, b, date(2025, 9, 1), date(2025, 9, 30), per_day=1_275_00)
    t.decoy(
        ["PLACE-RATE"],
        [f"placements:{b}", k3],
        "Billed exactly 2 % above the daily rate: not a hit.",
    )


@scenario("welfare.build_permits", 112)
def place_outside(wf: Welfare) -> None:
    t = wf.t
    s2 = second(wf.w)
    children = sorted(
        p.pnr for p in wf.persons if p.pnr[:4] >= "2010" and p.status == "folkbokförd"
    )
    taken = {p[1] for p in s2.placements}
    child, other = s2.rng.sample([c for c in children if c not in taken], 2)
    family, shelter = s2.ids.orgnr(), s2.ids.orgnr()
    # PLACE-OUTSIDE: the placement ended on 15 May; the family home billed all of May
    a = _placement(wf, child, family, "familjehem", date(2024, 9, 1), date(2025, 5, 15), 1_050_00)
    k1 = _bill(wf, a, date(2025, 5, 1), date(2025, 5, 31))
    t.case(
        "PLACE-OUTSIDE",
        [k1, f"placements:{a}"],
        "placement",
        a,
        16 * 1_050_00,
        "The placement ended on 15 May; the family home billed the whole of May.",
    )
    # sheltered housing billed for the whole month in which the client emigrated
    gone = next(
        p for hh in wf.households for p in hh.adults if p.status == "utvandrad" and p.status_date
    )
    gone_on = gone.status_date
    assert gone_on  # chosen with a status date
    start = gone_on.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    b = _placement(wf, gone.pnr, shelter, "skyddat boende", date(2024, 11, 1), None, 1_800_00)
    k2 = _bill(wf, b, start, end)
    t.case(
        "PLACE-OUTSIDE",
        [k2, f"placements:{b}"],
        "placement",
        b,
        (end - gone_on).days * 1_800_00,
        "Billed for the whole month in which the client emigrated.",
    )
    # decoy: a placement billed up to the day it ends
    c = _placement(wf, other, family, "familjehem", date(2025, 1, 1), date(2025, 8, 20), 1_050_00)
    k3 = _bill(wf, c, date(2025, 8, 1), date(2025, 8, 20))
    t.decoy(["PLACE-OUTSIDE"], [k3], "Billed up to the day the placement ends: not a hit.")
