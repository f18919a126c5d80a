"""Injected cases and decoys for the BAB-* (housing adaptation grants) controls (analytics/controls/bab.py).

The grants are made with generate/_second.py, outside the background's random stream; the applicants are
adults of the synthetic municipality's households, at their registered addresses."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from tillit.analytics.generate._second import second
from tillit.analytics.generate.scenarios import scenario

if TYPE_CHECKING:
    from tillit.analytics.generate._welfare import Household, Welfare


def _grant(
    wf: Welfare, hh: Household, adult: int, work: str, contractor: str, ore: int, decided: date
) -> str:
    s2 = second(wf.w)
    gid = f"BAB-{2000 + len(s2.adaptations)}"
    s2.adaptations.append(
        (
            gid,
            hh.adults[adult].pnr,
            hh.address,
            hh.postal_code,
            hh.apartment,
            work,
            contractor,
            ore,
            decided,
            decided + timedelta(days=45),
        )
    )
    return f"housing_adaptations:{gid}"


@scenario("welfare.build_permits", 120)
def bab_repeat(wf: Welfare) -> None:
    t = wf.t
    s2 = second(wf.w)
    couples = [
        hh
        for hh in wf.households
        if len(hh.adults) == 2 and all(a.status == "folkbokförd" for a in hh.adults)
    ]
    first, other, third = s2.rng.sample(couples, 3)
    builder, plumber = s2.ids.orgnr(), s2.ids.orgnr()
    # BAB-REPEAT: the thresholds of one apartment removed for one resident and again 19 months later
    a = _grant(wf, first, 0, "trösklar", builder, 18_400_00, date(2024, 2, 12))
    b = _grant(wf, first, 1, "trösklar", s2.ids.orgnr(), 21_350_00, date(2025, 9, 15))
    t.case(
        "BAB-REPEAT",
        [a, b],
        "address",
        f"{first.address}, {first.postal_code}",
        21_350_00,
        "The same thresholds removed again for the other resident 19 months after the first grant.",
    )
    # the same contractor paid twice for the same bathroom within eight months
    c = _grant(wf, other, 0, "badrum", plumber, 96_800_00, date(2024, 11, 4))
    d = _grant(wf, other, 0, "badrum", plumber, 88_450_00, date(2025, 7, 1))
    t.case(
        "BAB-REPEAT",
        [c, d],
        "address",
        f"{other.address}, {other.postal_code}",
        88_450_00,
        "The same contractor paid for the same bathroom twice within eight months.",
    )
    # decoy: the same address adapted for a new resident after 25 months
    e = _grant(wf, third, 0, "dörrautomatik", builder, 41_200_00, date(2023, 3, 1))
    f = _grant(wf, third, 1, "dörrautomatik", builder, 43_900_00, date(2025, 4, 7))
    t.decoy(
        ["BAB-REPEAT"],
        [e, f],
        "The same door automation for a new resident 25 months later: not a hit.",
    )


@scenario("welfare.build_permits", 130)
def bab_not_registered(wf: Welfare) -> None:
    t = wf.t
    s2 = second(wf.w)
    settled = [
        hh
        for hh in wf.households
        if hh.adults
        and all(
            a.status == "folkbokförd" and a.registered_from <= date(2024, 1, 1) for a in hh.adults
        )
    ]
    home, elsewhere = s2.rng.sample(settled, 2)
    builder = s2.ids.orgnr()
    # BAB-NOT-REGISTERED: a ramp at an address where the applicant is not registered
    gid = f"BAB-{2000 + len(s2.adaptations)}"
    s2.adaptations.append(
        (
            gid,
            home.adults[0].pnr,
            elsewhere.address,
            elsewhere.postal_code,
            "",
            "ramp",
            builder,
            34_600_00,
            date(2025, 3, 3),
            date(2025, 4, 14),
        )
    )
    t.case(
        "BAB-NOT-REGISTERED",
        [f"housing_adaptations:{gid}"],
        "person",
        home.adults[0].pnr,
        34_600_00,
        "A ramp granted for an address where the applicant has never been registered.",
    )
    # paid after the applicant emigrated
    movers = [
        hh
        for hh in wf.households
        if hh.adults
        and hh.adults[0].status == "utvandrad"
        and hh.adults[0].status_date
        and hh.adults[0].status_date.month >= 3
        and hh.adults[0].registered_from <= date(2024, 1, 1)
    ]
    if len(movers) < 2:
        # a very small municipality (scale 0.01) may have no two such emigrants: the case above alone
        return
    gone, stays = movers[0], movers[1]
    gone_on, stays_gone_on = gone.adults[0].status_date, stays.adults[0].status_date
    assert gone_on and stays_gone_on  # movers are chosen with a status date
    decided = gone_on - timedelta(days=40)
    gid = f"BAB-{2000 + len(s2.adaptations)}"
    s2.adaptations.append(
        (
            gid,
            gone.adults[0].pnr,
            gone.address,
            gone.postal_code,
            gone.apartment,
            "trösklar",
            builder,
            12_750_00,
            decided,
            gone_on + timedelta(days=3),
        )
    )
    t.case(
        "BAB-NOT-REGISTERED",
        [f"housing_adaptations:{gid}"],
        "person",
        gone.adults[0].pnr,
        12_750_00,
        "Paid three days after the applicant emigrated.",
    )
    # decoy: paid on the day the applicant emigrated (only a day strictly before the payment counts)
    gid = f"BAB-{2000 + len(s2.adaptations)}"
    s2.adaptations.append(
        (
            gid,
            stays.adults[0].pnr,
            stays.address,
            stays.postal_code,
            stays.apartment,
            "spisvakt",
            builder,
            6_900_00,
            stays_gone_on - timedelta(days=30),
            stays_gone_on,
        )
    )
    t.decoy(
        ["BAB-NOT-REGISTERED"],
        [f"housing_adaptations:{gid}"],
        "Paid on the day the applicant emigrated: not a hit.",
    )
