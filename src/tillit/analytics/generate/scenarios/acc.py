"""Injected cases and decoys for the ACC-* (bank accounts) controls (analytics/controls/acc.py).

One function per scenario, run in its stage at its order (scenarios/__init__.py)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from tillit.analytics.generate._base import bankgiro_from_digits, giro_digits
from tillit.analytics.generate._purchasing import Pay
from tillit.analytics.generate._world import wd
from tillit.analytics.generate.scenarios import scenario

if TYPE_CHECKING:
    from tillit.analytics.generate._purchasing_cases import Injector


@scenario("injector.accounts", 10)
def acc_change(inj: Injector) -> None:
    t, w = inj.t, inj.w
    # ACC-CHANGE + ACC-DEVIATING: a new account shortly before a payment
    s = inj.sup("Västkust Städ AB", "Städ", board="Vård- och omsorgsnämnden")
    inj.history(s, range(1, 4), 6)
    inj.history(s, range(1, 4), 20)
    old, new = s.account, w.ids.bankgiro()
    changer = inj.rng.choice(w.registrars).eid
    s.account_history = [
        (old, s.created, date(2025, 3, 31), s.created_by),
        (new, date(2025, 4, 1), None, changer),
    ]
    s.account = new
    inj.inv(
        s,
        wd(4, 3),
        "77120",
        64_480_25,
        account=new,
        pays=[Pay(wd(4, 22), 64_480_25, ref="ac1")],
    )
    for c in ("ACC-CHANGE", "ACC-DEVIATING"):
        t.case(
            c,
            [("payments", "ac1"), f"suppliers:{s.sid}"],
            "supplier",
            s.sid,
            64_480_25,
            "Account changed 2025-04-01; paid to the new account 21 days later.",
        )
    inj.history(s, range(6, 9), 10)  # later ordinary payments to the new account


@scenario("injector.accounts", 20)
def acc_change_2(inj: Injector) -> None:
    t, w = inj.t, inj.w
    # a payment to an account the supplier never registered (ACC-CHANGE second rule)
    s = inj.sup("Syd Omsorg AB", "Omsorg", board="Socialnämnden")
    inj.history(s, range(2, 8), 5)
    foreign = w.ids.bankgiro()
    inj.inv(
        s,
        wd(8, 25),
        "5031",
        118_760_00,
        account=foreign,
        pays=[Pay(wd(9, 16), 118_760_00, ref="ac2")],
        description="Nya betalningsuppgifter",
    )
    for c in ("ACC-CHANGE", "ACC-DEVIATING"):
        t.case(
            c,
            [("payments", "ac2"), f"suppliers:{s.sid}"],
            "supplier",
            s.sid,
            118_760_00,
            f"Paid to {foreign}, which is not among the supplier's registered accounts.",
        )


@scenario("injector.accounts", 30)
def acc_giro_mix(inj: Injector) -> None:
    t, w = inj.t, inj.w
    # ACC-GIRO-MIX: a bankgiro with the digits of the supplier's plusgiro, and the reverse
    pg = w.ids.plusgiro()
    s = inj.sup("Åsa Buss AB", "Buss", board="Barn- och utbildningsnämnden", account=pg)
    inj.history(s, range(1, 7), 12)
    bg = w.ids.claim(bankgiro_from_digits(giro_digits(pg)))
    inj.inv(
        s,
        wd(7, 14),
        "24406",
        87_312_40,
        account=bg,
        pays=[Pay(wd(8, 12), 87_312_40, ref="gm1")],
    )
    for c in ("ACC-GIRO-MIX", "ACC-CHANGE", "ACC-DEVIATING"):
        t.case(
            c,
            [("payments", "gm1"), f"suppliers:{s.sid}"],
            "supplier",
            s.sid,
            87_312_40,
            f"Paid to {bg}; the supplier's registered account is {pg} (same digits).",
        )
    bgs = w.ids.bankgiro()
    s = inj.sup("Vikens VVS AB", "VVS", board="Tekniska nämnden", account=bgs)
    inj.history(s, range(3, 9), 14)
    digits = giro_digits(bgs)
    pgx = w.ids.claim(f"PG:{digits[:-1]}-{digits[-1]}")
    inj.inv(
        s,
        wd(10, 7),
        "99871",
        143_950_00,
        account=pgx,
        pays=[Pay(wd(11, 4), 143_950_00, ref="gm2")],
    )
    for c in ("ACC-GIRO-MIX", "ACC-CHANGE", "ACC-DEVIATING"):
        t.case(
            c,
            [("payments", "gm2"), f"suppliers:{s.sid}"],
            "supplier",
            s.sid,
            143_950_00,
            f"Paid to plusgiro {pgx}; the supplier's registered account is bankgiro {bgs}.",
        )


@scenario("injector.accounts", 40)
def acc_shared(inj: Injector) -> None:
    t, w = inj.t, inj.w
    # ACC-SHARED: two suppliers with one bankgiro (also SUP-DUPLICATE by account)
    shared = w.ids.bankgiro()
    s1 = inj.sup("Hedlunds Trädgård AB", "Trädgård", board="Tekniska nämnden", account=shared)
    s2 = inj.sup(
        "Grönt & Skött i Syd AB",
        "Trädgård",
        board="Tekniska nämnden",
        account=shared,
        created=date(2023, 3, 1),
    )
    inj.inv(s1, wd(5, 14), "1450", 21_612_30)
    inj.inv(s2, wd(6, 11), "G-220", 18_334_90)
    for c in ("ACC-SHARED", "SUP-DUPLICATE"):
        t.case(
            c,
            [f"suppliers:{s1.sid}", f"suppliers:{s2.sid}"],
            "supplier",
            s2.sid,
            18_334_90,
            f"Two suppliers registered with the same account {shared}.",
        )


@scenario("injector.accounts", 50)
def acc_shared_2(inj: Injector) -> None:
    t, w = inj.t, inj.w
    # ACC-SHARED + EMP-SUPPLIER: a supplier paid to an employee's salary account
    staff = [x for x in w.employees if not x.politician]
    # a very small municipality may have no handläggare: any member of staff then
    e = inj.rng.choice([x for x in staff if x.role == "handläggare"] or staff)
    s = inj.sup(
        "Holmby Konsult HB",
        "Konsult",
        board=e.unit if e.unit != "Kommunstyrelsen" else "Socialnämnden",
        account=e.account,
        created=date(2022, 10, 3),
    )
    a = inj.inv(s, wd(9, 23), "2025-14", 46_250_00)
    for c in ("ACC-SHARED", "EMP-SUPPLIER"):
        t.case(
            c,
            [f"suppliers:{s.sid}", f"employees:{e.eid}", a[1]],
            "supplier",
            s.sid,
            46_250_00,
            f"Supplier's account {e.account} is employee {e.eid}'s salary account.",
        )
