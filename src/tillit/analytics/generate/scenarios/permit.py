"""Injected cases and decoys for the PERMIT-* (permits) controls (analytics/controls/permit.py).

One function per scenario, run in its stage at its order (scenarios/__init__.py)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from tillit.analytics.generate._base import iso
from tillit.analytics.generate.scenarios import scenario

if TYPE_CHECKING:
    from tillit.analytics.generate._welfare import Welfare


@scenario("welfare.build_permits", 10)
def permit_deceased(wf: Welfare) -> None:
    t = wf.t
    # background deaths: permits of dead care clients end on the day of death
    for i, c in enumerate(c for c in wf.clients if c["death"]):
        pid = f"PT-{len(wf.permits) + 1:05d}"
        wf.permits.append([pid, c["p"].pnr, "2023-05-01", iso(c["death"])])
        if i < 2:
            t.decoy(
                ["PERMIT-DECEASED"],
                [f"parking_permits:{pid}", f"population:{c['p'].pnr}"],
                f"Permit valid to the day of death ({c['death']}): not a hit.",
            )
    for died, until in (
        (date(2025, 2, 11), date(2027, 5, 31)),
        (date(2025, 7, 2), date(2026, 3, 31)),
        (date(2024, 12, 30), date(2025, 12, 31)),
    ):
        hh = wf.household(1, 0, kind="adult")
        p = hh.adults[0]
        p.status, p.status_date = "avliden", died
        pid = f"PT-{len(wf.permits) + 1:05d}"
        wf.permits.append(
            [
                pid,
                p.pnr,
                iso(until.replace(year=until.year - 3) + timedelta(days=1)),
                iso(until),
            ]
        )
        t.case(
            "PERMIT-DECEASED",
            [f"parking_permits:{pid}", f"population:{p.pnr}"],
            "person",
            p.pnr,
            0,
            f"Permit valid to {until}; the holder died {died}.",
        )
