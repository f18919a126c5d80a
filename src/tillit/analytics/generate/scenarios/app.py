"""Injected cases and decoys for the APP-* (applications for economic assistance) controls
(analytics/controls/app.py).

The applications (benefit_applications) are made with generate/_second.py's random stream, never the
background's: a background of granted applications behind some clean households' payments (the same
account, address and people as the payment), and the cases beside it."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import TYPE_CHECKING

from tillit.analytics.generate._second import Ore, second
from tillit.analytics.generate.scenarios import scenario

if TYPE_CHECKING:
    from tillit.analytics.generate._welfare import Person, Welfare


def _apply(
    wf: Welfare,
    household: str,
    applicant: Person,
    co: Person | None,
    month: int,
    ore: int | None,
    account: str,
    *,
    size: int = 1,
    decision: str = "ej beslutad",
    decided: date | None = None,
    received: date | None = None,
) -> str:
    rows = second(wf.w).rows.setdefault("benefit_applications", [])
    aid = f"ANS-25-{len(rows) + 1:05d}"
    received = received or date(2025, month, 1) - timedelta(days=second(wf.w).rng.randint(3, 12))
    rows.append(
        (
            aid,
            household,
            applicant.pnr,
            co.pnr if co else "",
            f"2025-{month:02d}",
            received,
            None if ore is None else Ore(ore),
            decision,
            decided,
            account,
            applicant.address,
            applicant.postal_code,
            applicant.apartment,
            size,
        )
    )
    return f"benefit_applications:{aid}"


@scenario("welfare.build_permits", 230)
def app_before_payment(wf: Welfare) -> None:
    t, w = wf.t, wf.w
    rng = second(w).rng
    employed = {e.pnr for e in w.employees}
    accounts = Counter(b.account for b in wf.benefit)
    people = Counter(p.pnr for b in wf.benefit for p in (b.applicant, b.co) if p)
    for b in wf.benefit:
        for a in b.account_by_month.values():
            accounts[a] += 1

    def clean(b) -> bool:
        persons = [p for p in (b.applicant, b.co) if p]
        return (
            accounts[b.account] == 1
            and not b.account_by_month
            and all(
                p.status == "folkbokförd" and people[p.pnr] == 1 and p.pnr not in employed
                for p in persons
            )
            and (b.address, b.postal_code) == (b.applicant.address, b.applicant.postal_code)
        )

    households = [b for b in wf.benefit if clean(b)]
    # the household whose account the first case borrows (its own months stay without applications)
    x = rng.choice([b for b in households if 5 in b.months])
    households.remove(x)
    # background: the granted application behind one month's payment of some clean households
    for b in rng.sample(households, min(25, len(households) - 1)):
        m = rng.choice(b.months)
        received = date(2025, m, 1) - timedelta(days=rng.randint(8, 20))
        _apply(
            wf,
            b.hid,
            b.applicant,
            b.co,
            m,
            b.base,
            b.account,
            size=b.size,
            decision="beviljad",
            decided=received + timedelta(days=rng.randint(3, 7)),
            received=received,
        )
    in_benefit = {p.pnr for b in wf.benefit for p in (b.applicant, b.co) if p}
    free = [
        p
        for hh in wf.households
        for p in hh.adults
        if p.status == "folkbokförd" and p.pnr not in in_benefit and p.pnr not in employed
    ]
    # APP-BEFORE-PAYMENT: a new household applies for May with an account another household is paid to
    p = rng.choice(free)
    free.remove(p)
    k = _apply(wf, "H-90001", p, None, 5, 9_412_00, x.account)
    t.case(
        "APP-BEFORE-PAYMENT",
        [k],
        "household",
        "H-90001",
        9_412_00,
        f"The application names the account {x.account}, to which household {x.hid} is paid for May.",
    )
    # a couple applies for the month after one of them emigrated (the application is refused: still a hit)
    gone = rng.choice(
        [
            q
            for q in wf.persons
            if q.status == "utvandrad"
            and q.status_date
            and q.status_date.month <= 11
            and q.pnr not in in_benefit
        ]
    )
    stays = rng.choice(free)
    free.remove(stays)
    assert gone.status_date is not None
    month = gone.status_date.month + 1
    k = _apply(
        wf,
        "H-90002",
        stays,
        gone,
        month,
        11_850_00,
        second(w).ids.bankgiro(),
        size=2,
        decision="avslag",
        decided=date(2025, month, 1) + timedelta(days=4),
    )
    t.case(
        "APP-BEFORE-PAYMENT",
        [k],
        "household",
        "H-90002",
        11_850_00,
        f"The co-applicant emigrated on {gone.status_date}; the application is for the month after.",
    )
    # the decoy: the same couple's application for the month of the emigration itself
    d1 = _apply(
        wf,
        "H-90002",
        stays,
        gone,
        gone.status_date.month,
        11_850_00,
        second(w).ids.bankgiro(),
        size=2,
        decision="beviljad",
        decided=date(2025, gone.status_date.month, 1),
    )
    # a municipal employee applies for the months in which the employment runs
    e = rng.choice([x for x in w.employees if not x.politician and x.employed_to is None])
    person = next((q for q in wf.persons if q.pnr == e.pnr), None)
    if person is None:  # staff are not always in the population extract
        from tillit.analytics.generate._welfare import Person

        person = Person(e.pnr, e.name, e.address, e.postal_code, "", date(2015, 1, 1))
    k = _apply(wf, "H-90003", person, None, 9, 6_240_00, e.account)
    t.case(
        "APP-BEFORE-PAYMENT",
        [k, f"employees:{e.eid}"],
        "household",
        "H-90003",
        6_240_00,
        "The applicant is employed by the municipality in September.",
    )
    # decoy: an application with another household's account, decided before it was received (a data
    # error, not compared)
    q = rng.choice(free)
    d2 = _apply(
        wf,
        "H-90004",
        q,
        None,
        5,
        7_300_00,
        x.account,
        decision="avslag",
        decided=date(2025, 4, 2),
        received=date(2025, 4, 20),
    )
    t.decoy(
        ["APP-BEFORE-PAYMENT"],
        [d1, d2],
        "An application for the month of the emigration itself, and one decided before it was received: "
        "not hits.",
    )
