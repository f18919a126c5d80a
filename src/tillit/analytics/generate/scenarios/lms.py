"""Injected cases and decoys for the LMS-* (labour-market programmes) controls (analytics/controls/lms.py).

The attendance (programme_attendance) is made with generate/_second.py's random stream, never the
background's: a small background of ordinary attendance (never more than 10 hours a day, never after a
death or emigration) and the cases beside it. The participants are people of the synthetic municipality,
so that death and emigration come from its population register."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from tillit.analytics.generate._base import next_working_day
from tillit.analytics.generate._second import Ore, second
from tillit.analytics.generate.scenarios import scenario

if TYPE_CHECKING:
    from tillit.analytics.generate._welfare import Person, Welfare

PROGRAMMES = ("Arbetsträning", "Praktik", "Språkträning", "Jobbsökaraktivitet")


def _attend(wf: Welfare, p: Person, programme: str, provider: str, day: date, hours: float) -> str:
    rows = second(wf.w).rows.setdefault("programme_attendance", [])
    aid = f"NV-{len(rows) + 1:06d}"
    rows.append((aid, p.pnr, programme, provider, day, Ore(round(hours * 100))))
    return f"programme_attendance:{aid}"


def _days(start: date, n: int) -> list[date]:
    """n working days from start (on or after it)."""
    out: list[date] = []
    d = next_working_day(start)
    while len(out) < n:
        out.append(d)
        d = next_working_day(d + timedelta(days=1))
    return out


@scenario("welfare.build_permits", 210)
def lms_attendance_impossible(wf: Welfare) -> None:
    t = wf.t
    s2 = second(wf.w)
    rng = s2.rng
    providers = [s2.ids.orgnr() for _ in range(3)]
    adults = [p for hh in wf.households for p in hh.adults]
    living = [p for p in adults if p.status == "folkbokförd"]
    dead = [p for p in adults if p.status == "avliden" and p.status_date]
    gone = [p for p in adults if p.status == "utvandrad" and p.status_date]
    chosen = rng.sample(living, 14)
    # background: a month of ordinary attendance, some days at two programmes, at most 10 hours a day
    for p in chosen[:10]:
        programme, provider = rng.choice(PROGRAMMES), rng.choice(providers)
        for day in _days(date(2025, rng.randint(2, 11), rng.randint(1, 20)), rng.randint(6, 15)):
            hours = rng.choice((3, 4, 5.5, 6, 7.5, 8))
            _attend(wf, p, programme, provider, day, hours)
            if hours <= 6 and rng.random() < 0.3:
                _attend(wf, p, "Språkträning", providers[0], day, rng.choice((2, 3.5, 4)))
    # LMS-ATTENDANCE-IMPOSSIBLE: work training 8 hours and a language course 4 hours the same day
    p = chosen[10]
    days = _days(date(2025, 9, 1), 10)
    a = [_attend(wf, p, "Arbetsträning", providers[1], day, 8) for day in days][3]
    b = _attend(wf, p, "Språkträning", providers[2], days[3], 4)
    t.case(
        "LMS-ATTENDANCE-IMPOSSIBLE",
        [a, b],
        "person",
        p.pnr,
        0,
        "12 hours in one day: 8 hours of work training and 4 hours at a language course with another provider.",
    )
    # attendance reported for three days after the participant died (hög)
    d = rng.choice(dead)
    assert d.status_date is not None
    before = _days(d.status_date - timedelta(days=14), 6)
    for day in before:
        if day <= d.status_date:
            _attend(wf, d, "Praktik", providers[2], day, 6)
    after = [
        _attend(wf, d, "Praktik", providers[2], day, 6)
        for day in _days(d.status_date + timedelta(days=1), 3)
    ]
    t.case(
        "LMS-ATTENDANCE-IMPOSSIBLE",
        after,
        "person",
        d.pnr,
        0,
        f"Six hours of work practice on three days after the participant died on {d.status_date}.",
    )
    # attendance after emigration
    e = rng.choice(gone)
    assert e.status_date is not None
    after = [
        _attend(wf, e, "Jobbsökaraktivitet", providers[0], day, 4)
        for day in _days(e.status_date + timedelta(days=7), 2)
    ]
    t.case(
        "LMS-ATTENDANCE-IMPOSSIBLE",
        after,
        "person",
        e.pnr,
        0,
        f"Job-seeking activity on two days after the participant emigrated on {e.status_date}.",
    )
    # decoys: attendance on the day of death and not after it; exactly 10 hours in one day
    d2 = rng.choice([x for x in dead if x is not d])
    assert d2.status_date is not None
    on_death = _attend(wf, d2, "Arbetsträning", providers[1], d2.status_date, 5)
    p2 = chosen[11]
    day = next_working_day(date(2025, 10, 6))
    ten = [
        _attend(wf, p2, "Arbetsträning", providers[1], day, 6),
        _attend(wf, p2, "Språkträning", providers[2], day, 4),
    ]
    t.decoy(
        ["LMS-ATTENDANCE-IMPOSSIBLE"],
        [on_death, *ten],
        "Attendance on the day of death (not after it), and exactly 10 hours in one day: not hits.",
    )
