"""Injected cases and decoys for the BEN-* (economic assistance) controls (analytics/controls/ben.py).

One function per scenario, run in its stage at its order (scenarios/__init__.py). The decoys of
`ben_near_misses` come last (stage welfare.build_permits) and draw from generate/_second.py's random
stream, never the background's: their households, people and payments are added after every other
one, so no earlier file, id or hit changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from tillit.analytics.generate._base import STREETS, person_name
from tillit.analytics.generate._purchasing import Inv
from tillit.analytics.generate._second import second
from tillit.analytics.generate._welfare import BenefitHousehold, Household, Person
from tillit.analytics.generate._world import Employee, wd
from tillit.analytics.generate.scenarios import scenario

if TYPE_CHECKING:
    from tillit.analytics.generate._welfare import Welfare


@scenario("welfare.build_benefits", 10)
def ben_shared_account(wf: Welfare) -> None:
    t = wf.t
    # BEN-SHARED-ACCOUNT: a second household paid to another household's account
    for k, months in ((0, [3, 4, 5]), (1, [8, 9])):
        a = wf._bhh(wf.household(1, 1), list(range(1, 13)))
        b = wf._bhh(wf.household(2, 0), months)
        for m in months:
            b.account_by_month[m] = a.account
            a.refs[m] = f"bsa{k}a{m}"
            b.refs[m] = f"bsa{k}b{m}"
        ev = [("benefit_payments", f"bsa{k}{x}{m}") for m in months for x in "ab"]
        t.case(
            "BEN-SHARED-ACCOUNT",
            ev,
            "household",
            b.hid,
            b.base * len(months),
            f"Households {a.hid} and {b.hid} paid to the same account {a.account}.",
        )


@scenario("welfare.build_benefits", 20)
def ben_crowded(wf: Welfare) -> None:
    t = wf.t
    # BEN-CROWDED: seven adults registered in one flat, one household paid there
    hh = wf.household(7, 0, kind="adult")
    hh.apartment = hh.apartment or "1201"
    for p in hh.adults:
        p.apartment = hh.apartment
    b = wf._bhh(hh, [4, 5, 6])
    b.co = None
    b.size = 1
    for m in b.months:
        b.refs[m] = f"bcr1m{m}"
    t.case(
        "BEN-CROWDED",
        [("benefit_payments", f"bcr1m{m}") for m in b.months]
        + [f"population:{p.pnr}" for p in hh.adults],
        "household",
        b.hid,
        b.base * 3,
        "Seven adults registered in the flat of a paid one-person household.",
    )


@scenario("welfare.build_benefits", 30)
def ben_crowded_2(wf: Welfare) -> None:
    t = wf.t
    # two households paid for the same months whose applicants share one flat
    hh = wf.household(2, 0)
    hh.apartment = hh.apartment or "1102"
    for p in hh.adults:
        p.apartment = hh.apartment
    b1 = wf._bhh(hh, [9, 10, 11])
    b1.co = None
    b1.size = 1
    hh2 = Household(hh.address, hh.postal_code, hh.city, hh.apartment, [hh.adults[1]], [])
    b2 = wf._bhh(hh2, [9, 10, 11])
    for m in b1.months:
        b1.refs[m] = f"bcr2a{m}"
        b2.refs[m] = f"bcr2b{m}"
    t.case(
        "BEN-CROWDED",
        [("benefit_payments", f"bcr2{x}{m}") for m in (9, 10, 11) for x in "ab"],
        "household",
        b2.hid,
        (b1.base + b2.base) * 3,
        f"Households {b1.hid} and {b2.hid} are paid for the same flat in the same months.",
    )


@scenario("welfare.build_benefits", 40)
def ben_address(wf: Welfare) -> None:
    rng, w, t = wf.rng, wf.w, wf.t
    # BEN-ADDRESS: the benefit names an address where the applicant is not registered
    for k in range(2):
        hh = wf.household(1, rng.randint(0, 2))
        b = wf._bhh(hh, [2, 3, 4, 5] if k == 0 else [7, 8, 9])
        b.address, b.postal_code, _ = w.local_address()
        b.apartment = "1302" if k == 0 else ""
        for m in b.months:
            b.refs[m] = f"bad{k}m{m}"
        t.case(
            "BEN-ADDRESS",
            [("benefit_payments", f"bad{k}m{m}") for m in b.months]
            + [f"population:{b.applicant.pnr}"],
            "household",
            b.hid,
            b.base * len(b.months),
            f"Benefit paid to {b.address}; the applicant is registered at {hh.address}.",
        )


@scenario("welfare.build_benefits", 50)
def ben_deceased(wf: Welfare) -> None:
    t = wf.t
    # BEN-DECEASED: paid for months after the applicant's death / co-applicant's emigration
    hh = wf.household(1, 0)
    b = wf._bhh(hh, [1, 2, 3, 4, 5, 6])
    b.applicant.status, b.applicant.status_date = "avliden", date(2025, 4, 17)
    for m in (5, 6):
        b.refs[m] = f"bde1m{m}"
    b.refs[4] = "bde1m4"
    t.case(
        "BEN-DECEASED",
        [
            ("benefit_payments", "bde1m5"),
            ("benefit_payments", "bde1m6"),
            f"population:{b.applicant.pnr}",
        ],
        "household",
        b.hid,
        b.base * 2,
        "Paid for May and June; the applicant died 2025-04-17 (April itself is not a hit).",
    )
    t.decoy(
        ["BEN-DECEASED"],
        [("benefit_payments", "bde1m4")],
        "Payment for the month of death (April) is not a hit.",
    )
    hh = wf.household(2, 1)
    b = wf._bhh(hh, list(range(5, 11)))
    assert b.co is not None
    b.co.status, b.co.status_date = "utvandrad", date(2025, 7, 31)
    for m in (8, 9, 10):
        b.refs[m] = f"bde2m{m}"
    t.case(
        "BEN-DECEASED",
        [("benefit_payments", f"bde2m{m}") for m in (8, 9, 10)] + [f"population:{b.co.pnr}"],
        "household",
        b.hid,
        b.base * 3,
        "Paid for August–October with a co-applicant who emigrated 2025-07-31.",
    )


@scenario("welfare.build_benefits", 60)
def ben_deceased_2(wf: Welfare) -> None:
    t = wf.t
    # decoy: paid after the death, for a month before it
    hh = wf.household(1, 0)
    b = wf._bhh(hh, [3, 4, 5])
    b.applicant.status, b.applicant.status_date = "avliden", date(2025, 6, 3)
    b.paid_late[5] = date(2025, 6, 12)
    b.refs[5] = "bdecoy5"
    t.decoy(
        ["BEN-DECEASED"],
        [("benefit_payments", "bdecoy5"), f"population:{b.applicant.pnr}"],
        "Paid 2025-06-12, after the death on 2025-06-03, but for May: not a hit.",
    )


@scenario("welfare.build_benefits", 70)
def ben_double_household(wf: Welfare) -> None:
    t = wf.t
    # BEN-DOUBLE-HOUSEHOLD: one person in two households in the same months
    for k, months in ((0, [2, 3, 4]), (1, [10, 11])):
        hh = wf.household(2, 1)
        b1 = wf._bhh(hh, list(range(1, 13)))
        other = wf.household(1, 1)
        b2 = wf._bhh(other, months)
        assert b1.co is not None
        b2.co = b1.co
        b2.size = 3
        for m in months:
            b1.refs[m] = f"bdh{k}a{m}"
            b2.refs[m] = f"bdh{k}b{m}"
        t.case(
            "BEN-DOUBLE-HOUSEHOLD",
            [("benefit_payments", f"bdh{k}{x}{m}") for m in months for x in "ab"],
            "person",
            b1.co.pnr,
            b2.base * len(months),
            f"Co-applicant of {b1.hid} and of {b2.hid} in the same months.",
        )
        # the shared person is registered in b1's home, so that home has adults from two
        # households paid in the same months: BEN-CROWDED's second rule
        t.case(
            "BEN-CROWDED",
            [("benefit_payments", f"bdh{k}{x}{m}") for m in months for x in "ab"]
            + [f"population:{b1.co.pnr}"],
            "household",
            b1.hid,
            b2.base * len(months),
            f"An adult registered in {b1.hid}'s home is co-applicant of {b2.hid} too.",
        )


@scenario("welfare.build_benefits", 80)
def ben_employed(wf: Welfare) -> None:
    w, t = wf.w, wf.t
    # BEN-EMPLOYED: the applicant works for the municipality
    for k, months in ((0, [3, 4, 5, 6]), (1, [9, 10])):
        e = wf.rng.choice(
            [
                x
                for x in w.employees
                if not x.politician
                and x.employed_to is None
                and x.role in ("undersköterska", "handläggare", "lärare")
            ]
        )
        hh = Household(e.address, e.postal_code, "Ystad", "", [], [])
        p = Person(e.pnr, e.name, e.address, e.postal_code, "", date(2015, 1, 1))
        wf.persons.append(p)
        hh.adults = [p]
        wf.households.append(hh)
        b = wf._bhh(hh, months)
        for m in months:
            b.refs[m] = f"bem{k}m{m}"
        t.case(
            "BEN-EMPLOYED",
            [("benefit_payments", f"bem{k}m{m}") for m in months] + [f"employees:{e.eid}"],
            "household",
            b.hid,
            b.base * len(months),
            f"Applicant is employee {e.eid} in the paid months.",
        )


@scenario("welfare.build_benefits", 90)
def ben_company(wf: Welfare) -> None:
    t = wf.t
    # BEN-COMPANY: the applicant sits on the board of a company the municipality paid
    for k in range(2):
        hh = wf.household(1, 1)
        b = wf._bhh(hh, [4, 5, 6, 7])
        s = wf.p.new_supplier(kind="special", board="Socialnämnden", created=date(2020, 5, 4))
        s.lo, s.decades = 3, 1
        wf.p.roles.append(
            [
                s.orgnr,
                b.applicant.pnr,
                "styrelseledamot" if k else "ägare",
                "2020-05-01",
                "",
                b.applicant.name,
            ]
        )
        wf.w.status_rows.append(wf.p.status_row(s, date(2024, 12, 5)))
        s.status = False
        for m in (5, 8):
            wf.n_inv = getattr(wf, "n_inv", 0) + 1
            wf.p.injected.append(
                Inv(s, wd(m, 12), f"{700 + 31 * m + k}", s.next_amount(), ref=f"bco{k}i{m}")
            )
        for m in b.months:
            b.refs[m] = f"bco{k}m{m}"
        t.case(
            "BEN-COMPANY",
            [("benefit_payments", f"bco{k}m{m}") for m in b.months]
            + [f"suppliers:{s.sid}", ("invoices", f"bco{k}i5")],
            "household",
            b.hid,
            b.base * 4,
            f"Applicant has a role in supplier {s.sid}, paid in 2025.",
        )


# --- near misses (decoys), outside the background's random stream --------------------------------


def _address(wf: Welfare) -> tuple[str, str]:
    """A fresh residential address in the municipality (street numbers above the background's 1–120)."""
    s2 = second(wf.w)
    while True:
        a = f"{s2.rng.choice(STREETS)} {s2.rng.randint(121, 180)}"
        pc, _city = s2.rng.choice(wf.w.local_postal)
        if (a, pc) not in wf.w.used_addresses:
            wf.w.used_addresses.add((a, pc))  # type: ignore[arg-type]
            return a, pc


def _adult(
    wf: Welfare,
    where: tuple[str, str] | None = None,
    apartment: str = "",
    since: date = date(2019, 4, 1),
) -> Person:
    """A new adult in the population register, registered at `where` (a fresh address) since `since`.

    The personnummer comes off the end of the test list's adult pools without a draw: nothing takes
    a number after this stage."""
    pools = wf.w.people.pools
    pnr = pools["adult" if pools["adult"] else "young"].pop()
    address, postal_code = where or _address(wf)
    p = Person(pnr, person_name(second(wf.w).rng), address, postal_code, apartment, since)
    wf.persons.append(p)
    return p


def _paid(
    wf: Welfare,
    applicant: Person,
    months: list[int],
    ref: str,
    *,
    co: Person | None = None,
    account: str | None = None,
) -> BenefitHousehold:
    """A household paid for `months` at the applicant's registered address, each payment named by
    ref + month; written after every other benefit payment."""
    s2 = second(wf.w)
    wf.hid = getattr(wf, "hid", 0) + 1
    size = 2 if co else 1
    base = (4_200_00 + 2_600_00 * (size - 1) + s2.rng.randint(0, 5_000_00)) // 100 * 100
    b = BenefitHousehold(
        f"H-{wf.hid:05d}",
        applicant,
        co,
        size,
        account or s2.ids.bank(),
        applicant.address,
        applicant.postal_code,
        applicant.apartment,
        months,
        base,
    )
    for m in months:
        b.refs[m] = f"{ref}m{m}"
    wf.benefit.append(b)
    return b


def _keys(*households: BenefitHousehold) -> list[tuple[str, str]]:
    return [("benefit_payments", b.refs[m]) for b in households for m in b.months]


@scenario("welfare.build_permits", 2510)
def ben_near_misses(wf: Welfare) -> None:
    t, w = wf.t, wf.w
    s2 = second(w)

    # BEN-SHARED-ACCOUNT decoy: one account for household A in January–April and for household B
    # from May, never two households in one month (a rule that ignored the period would flag it)
    a = _paid(wf, _adult(wf), [1, 2, 3, 4], "bnsa")
    b = _paid(wf, _adult(wf), [5, 6, 7, 8], "bnsb", account=a.account)
    t.decoy(
        ["BEN-SHARED-ACCOUNT"],
        _keys(a, b),
        f"Account {a.account} paid for {a.hid} in January–April and for {b.hid} from May: "
        "never two households in the same month, not a hit.",
    )

    # BEN-CROWDED decoy: exactly six adults registered in one flat, at the limit (more than six is a
    # hit), one household paid there (a rule counting six or more would flag it)
    where, apartment = _address(wf), f"1{s2.rng.randint(0, 3)}{s2.rng.randint(1, 99):02d}"
    six = [_adult(wf, where, apartment) for _ in range(6)]
    c = _paid(wf, six[0], [2, 3, 4, 5, 6, 7], "bncr")
    t.decoy(
        ["BEN-CROWDED"],
        _keys(c) + [f"population:{p.pnr}" for p in six],
        "Six adults registered in the flat of a paid household, the limit itself: not a hit.",
    )

    # BEN-ADDRESS decoys: the benefit's address written in capitals with a comma and the postal code
    # without its space (an exact string comparison would flag it; the rule compares normalised
    # addresses and the postal code's digits) ...
    p = _adult(wf)
    d = _paid(wf, p, [3, 4, 5, 6], "bnad")
    d.address, d.postal_code = f"{p.address.upper()},", p.postal_code.replace(" ", "")
    t.decoy(
        ["BEN-ADDRESS"],
        _keys(d),
        f"Benefit address {d.address} {d.postal_code} is the registered {p.address}, "
        f"{p.postal_code} written otherwise: not a hit.",
    )
    # ... and the old address for the months before the applicant was registered at the new one
    # (registered there from 1 June; population holds the current address only)
    p = _adult(wf, since=date(2025, 6, 1))
    before = _paid(wf, p, [3, 4, 5], "bnmv")
    before.address, before.postal_code = _address(wf)
    after = replace(
        before,
        address=p.address,
        postal_code=p.postal_code,
        months=[6, 7, 8],
        refs={m: f"bnmvm{m}" for m in (6, 7, 8)},
    )
    wf.benefit.append(after)  # the same household, paid at its new address from June
    t.decoy(
        ["BEN-ADDRESS"],
        _keys(before),
        f"Paid for March–May to {before.address}, where the applicant lived before being registered at "
        f"{p.address} on 2025-06-01: not a hit.",
    )

    # BEN-DOUBLE-HOUSEHOLD decoy: co-applicant of household A until April, applicant of her own
    # household B from May, when she moved (a rule that ignored the month would flag her)
    leaving = _adult(wf, since=date(2025, 5, 1))
    f = _paid(wf, _adult(wf), [1, 2, 3, 4], "bndha", co=leaving)
    g = _paid(wf, leaving, [5, 6, 7, 8, 9], "bndhb")
    t.decoy(
        ["BEN-DOUBLE-HOUSEHOLD"],
        _keys(f, g),
        f"Co-applicant of {f.hid} until April, applicant of {g.hid} from May: "
        "never in two households in the same month, not a hit.",
    )

    # BEN-EMPLOYED decoy: a care assistant whose employment ended on 31 March, paid from April (a
    # rule that looked for any employment, not one in the paid month, would flag it)
    p = _adult(wf)
    eid = f"E{max(int(x.eid[1:]) for x in w.employees) + 1}"
    w.employees.append(
        Employee(
            eid,
            p.pnr,
            p.name,
            p.address,
            p.postal_code,
            s2.ids.bank(),
            "Vård- och omsorgsnämnden",
            "undersköterska",
            date(2019, 8, 1),
            date(2025, 3, 31),
        )
    )
    h = _paid(wf, p, [4, 5, 6, 7], "bnem")
    t.decoy(
        ["BEN-EMPLOYED"],
        _keys(h) + [f"employees:{eid}"],
        f"Employee {eid} until 2025-03-31, paid from April: not a hit.",
    )

    # BEN-COMPANY decoy: a board member of a supplier the municipality pays every month, who left
    # the board on 28 February, paid from March (a rule that ignored the role's dates would flag it).
    # The supplier is the largest background contractor that is no care provider (PROV-*).
    providers = {
        r[1]
        for r in wf.p.contracts
        if r[5].strip().upper() == "LOV"
        or r[6].strip().lower()
        in ("hemtjänst", "personlig assistans", "hvb", "familjehem", "stödboende", "skyddat boende")
    }
    s = max(
        (x for x in wf.p.suppliers if x.kind == "contract" and x.orgnr not in providers),
        key=lambda x: (x.weight, x.sid),
    )
    p = _adult(wf)
    wf.p.roles.append([s.orgnr, p.pnr, "styrelseledamot", "2019-05-01", "2025-02-28", p.name])
    k = _paid(wf, p, [3, 4, 5, 6], "bnco")
    t.decoy(
        ["BEN-COMPANY"],
        _keys(k),
        f"Board member of supplier {s.sid} until 2025-02-28, paid from March: not a hit.",
    )
