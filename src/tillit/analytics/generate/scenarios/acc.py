"""Injected cases and decoys for the ACC-* (bank accounts) controls (analytics/controls/acc.py).

One function per scenario, run in its stage at its order (scenarios/__init__.py)."""

from __future__ import annotations

import random
from datetime import date
from typing import TYPE_CHECKING

from tillit.analytics.generate._base import Ids, bankgiro_from_digits, giro_digits
from tillit.analytics.generate._purchasing import Pay
from tillit.analytics.generate._second import decoy_invoice, decoy_supplier
from tillit.analytics.generate._world import wd
from tillit.analytics.generate.scenarios import scenario

if TYPE_CHECKING:
    from tillit.analytics.generate._purchasing_cases import Injector
    from tillit.analytics.generate._welfare import Welfare


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


# --- decoys -----------------------------------------------------------------------------------
# Made last in welfare.build_permits, each from its own random stream with supplier ids 9954xx,
# their invoices and payments written after every other one (_second.py), so that no file, id or
# example hit made before changes. An invoice may be paid to the account the supplier had
# registered on its date (decoy_invoice's account).


@scenario("welfare.build_permits", 2610)
def acc_change_decoy(wf: Welfare) -> None:
    rng = random.Random("tillit-decoy-acc-change")
    # decoy: the bankgiro changed on 1 April 2025 and the first payment to the new one on 2 May,
    # 31 days later, one day outside ACC-CHANGE's 30-day window; four payments to the old account
    # before it (the last on the day the old one ended), one fewer than ACC-DEVIATING's five. A rule
    # that flags every payment after a change, or counts day 31 into the window, or compares with
    # fewer earlier payments would flag it.
    s = decoy_supplier(
        wf,
        rng,
        "995401",
        "Ravlunda Tryckeri AB",
        "Tryck",
        "Kultur- och fritidsnämnden",
        checked=date(2024, 12, 4),
    )
    old, new = s.account, _ids(wf, rng).bankgiro()
    s.account_history = [
        (old, s.created, date(2025, 3, 31), s.created_by),
        (new, date(2025, 4, 1), None, s.created_by),
    ]
    s.account = new
    keys = [
        decoy_invoice(wf, rng, s, f"dec-acc-{n}", d, ore, paid=paid, account=acct)
        for n, (d, paid, ore, acct) in enumerate(
            (
                (wd(1, 8), None, 12_416_80, old),
                (wd(2, 10), None, 9_873_25, old),
                (wd(2, 24), None, 14_102_60, old),
                (wd(3, 3), date(2025, 3, 31), 11_348_90, old),
                (wd(4, 2), date(2025, 5, 2), 13_527_15, new),
                (wd(5, 12), None, 10_964_40, new),
            )
        )
    ]
    wf.t.decoy(
        ["ACC-CHANGE", "ACC-DEVIATING"],
        [f"suppliers:{s.sid}", *keys],
        "Account changed 2025-04-01, first paid to it 31 days later, after only four payments to "
        "the old account: not a hit.",
    )


@scenario("welfare.build_permits", 2611)
def acc_deviating_decoy(wf: Welfare) -> None:
    rng = random.Random("tillit-decoy-acc-deviating")
    # decoy: a supplier with a bankgiro and a bank account, both registered since it was set up,
    # paid to each in turn: its last five payments never all went to one account, so no payment
    # deviates. A rule comparing with the last payment, or with the account most often paid, would flag.
    s = decoy_supplier(
        wf,
        rng,
        "995402",
        "Vitaby Kontorsvaror AB",
        "Kontorsmaterial",
        "Kommunstyrelsen",
        checked=date(2024, 12, 4),
    )
    bank = _ids(wf, rng).bank()
    s.account_history = [
        (s.account, s.created, None, s.created_by),
        (bank, s.created, None, s.created_by),
    ]
    keys = [
        decoy_invoice(
            wf,
            rng,
            s,
            f"dec-acd-{m}",
            wd(m, 17),
            4_211_35 + m * 317_19,
            account=s.account if m % 2 else bank,
        )
        for m in range(1, 10)
    ]
    wf.t.decoy(
        ["ACC-DEVIATING"],
        [f"suppliers:{s.sid}", *keys],
        "Paid in turn to its two registered accounts: the last five payments never all went to one "
        "account, so none deviates: not a hit.",
    )


@scenario("welfare.build_permits", 2612)
def acc_giro_mix_decoy(wf: Welfare) -> None:
    rng = random.Random("tillit-decoy-acc-giro-mix")
    # decoy: a supplier registered with a plusgiro and with a bankgiro of the same digits, paid to
    # the bankgiro. The account paid is registered; a rule that compares only the digits, not
    # whether the paid account itself is registered, would flag it.
    s = decoy_supplier(
        wf,
        rng,
        "995403",
        "Brösarp Skolskjuts AB",
        "Buss",
        "Barn- och utbildningsnämnden",
        checked=date(2024, 12, 4),
    )
    ids = _ids(wf, rng)
    pg = ids.plusgiro()
    bg = ids.claim(bankgiro_from_digits(giro_digits(pg)))
    s.account = bg
    s.account_history = [(pg, s.created, None, s.created_by), (bg, s.created, None, s.created_by)]
    keys = [
        decoy_invoice(wf, rng, s, f"dec-agm-{m}", wd(m, 20), 21_604_70 + m * 1_113_30)
        for m in (2, 5, 8)
    ]
    wf.t.decoy(
        ["ACC-GIRO-MIX"],
        [f"suppliers:{s.sid}", *keys],
        f"Paid to bankgiro {bg}, registered beside plusgiro {pg} with the same digits: not a hit.",
    )


@scenario("welfare.build_permits", 2613)
def acc_shared_decoy(wf: Welfare) -> None:
    rng = random.Random("tillit-decoy-acc-shared")
    # decoy: a bankgiro given up by one supplier on 31 December 2022 and registered for another
    # from 1 January 2023, the day after: never held by both at once. A rule that ignores the
    # accounts' periods would flag it; SUP-DUPLICATE, which compares records, not periods, does.
    first = decoy_supplier(
        wf,
        rng,
        "995404",
        "Kivik Trädgårdsskötsel AB",
        "Trädgård",
        "Tekniska nämnden",
        checked=date(2024, 12, 4),
    )
    later = decoy_supplier(
        wf,
        rng,
        "995405",
        "Glemminge Grönyta AB",
        "Trädgård",
        "Tekniska nämnden",
        checked=date(2024, 12, 4),
        created=date(2022, 12, 12),
    )
    shared, own = first.account, later.account
    first.account_history = [
        (shared, first.created, date(2022, 12, 31), first.created_by),
        (own, date(2023, 1, 1), None, first.created_by),
    ]
    first.account = own
    # set up in December, its account taking effect in January
    later.account = shared
    later.account_history = [(shared, date(2023, 1, 1), None, later.created_by)]
    keys = [
        decoy_invoice(wf, rng, first, "dec-ash-1", wd(4, 9), 17_482_55),
        decoy_invoice(wf, rng, later, "dec-ash-2", wd(5, 7), 16_093_80),
    ]
    wf.t.decoy(
        ["ACC-SHARED"],
        [f"suppliers:{first.sid}", f"suppliers:{later.sid}", *keys],
        f"Bankgiro {shared} left one supplier on 2022-12-31 and came to another on 2023-01-01: "
        "never shared at the same time: not a hit.",
    )
    wf.t.case(
        "SUP-DUPLICATE",
        [f"suppliers:{first.sid}", f"suppliers:{later.sid}"],
        "supplier",
        first.sid,
        0,
        f"Two supplier records with the same bankgiro {shared} (one after the other; ACC-SHARED's "
        "decoy).",
    )


def _ids(wf: Welfare, rng: random.Random) -> Ids:
    ids = Ids(rng)
    ids.used = wf.w.ids.used  # never issue a number the world has issued
    return ids
