"""Injected cases and decoys for the SUP-* (supplier records) controls (analytics/controls/sup.py).

One function per scenario, run in its stage at its order (scenarios/__init__.py)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TYPE_CHECKING

from tillit.analytics.generate._second import decoy_invoice, decoy_supplier
from tillit.analytics.generate._world import wd
from tillit.analytics.generate.scenarios import scenario

if TYPE_CHECKING:
    from tillit.analytics.generate._purchasing_cases import Injector
    from tillit.analytics.generate._welfare import Welfare


@scenario("injector.duplicates", 70)
def sup_duplicate(inj: Injector) -> None:
    t = inj.t
    # decoy: same name, different companies in different towns
    s1 = inj.sup("Sundqvist Måleri AB", "Måleri", postal=("271 39", "Ystad"))
    s2 = inj.sup("Sundqvist Måleri AB", "Måleri", postal=("903 25", "Umeå"))
    t.decoy(
        ["SUP-DUPLICATE"],
        [f"suppliers:{s1.sid}", f"suppliers:{s2.sid}"],
        "Two different companies with the same name, different orgnr, accounts and postal codes.",
    )


@scenario("injector.suppliers", 10)
def sup_status(inj: Injector) -> None:
    t, w = inj.t, inj.w
    # SUP-STATUS
    s = inj.sup("Löderup Fastighetsservice AB", "Fastighetsservice", board="Tekniska nämnden")
    w.status_rows.append(
        inj.p.status_row(s, date(2025, 5, 20), status="konkurs", status_date=date(2025, 5, 14))
    )
    a = inj.inv(s, wd(4, 28), "8812", 56_340_90)
    t.case(
        "SUP-STATUS",
        [a[1], f"suppliers:{s.sid}"],
        "supplier",
        s.sid,
        56_340_90,
        "Paid after the supplier was declared bankrupt (konkurs 2025-05-14).",
    )
    s = inj.sup("Köpinge Bemanning AB", "Bemanning", board="Socialnämnden")
    w.status_rows.append(inj.p.status_row(s, date(2025, 3, 3), f_tax=False))
    a = inj.inv(s, wd(2, 18), "A-2291", 42_118_40)
    t.case(
        "SUP-STATUS",
        [a[1], f"suppliers:{s.sid}"],
        "supplier",
        s.sid,
        42_118_40,
        "Paid after the supplier lost its F-tax (check 2025-03-03).",
    )
    s = inj.sup("Borrby Transport AB", "Transport", board="Barn- och utbildningsnämnden")
    w.status_rows.append(inj.p.status_row(s, date(2025, 8, 4), debt=86_400_00))
    a = inj.inv(s, wd(8, 6), "99104", 27_905_10)
    t.case(
        "SUP-STATUS",
        [a[1], f"suppliers:{s.sid}"],
        "supplier",
        s.sid,
        27_905_10,
        "Paid while the supplier had 86 400 kr tax debt.",
    )
    s = inj.sup("Hammenhög Städ AB", "Städ", board="Kommunstyrelsen", status=False)
    w.status_rows.append(inj.p.status_row(s, date(2024, 12, 9), vat=False))
    a = inj.inv(s, wd(2, 10), "1207", 15_625_00, vat_ore=3_125_00)
    t.case(
        "SUP-STATUS",
        [a[1], f"suppliers:{s.sid}"],
        "supplier",
        s.sid,
        15_625_00,
        "Supplier not VAT-registered charged 3 125 kr VAT.",
    )


@scenario("injector.suppliers", 20)
def sup_orgnr(inj: Injector) -> None:
    t, w = inj.t, inj.w
    # SUP-ORGNR: a failing checksum
    good = w.ids.orgnr()
    bad = good[:-1] + str((int(good[-1]) + 3) % 10)
    s = inj.sup("Klippan Verktyg AB", "Verktyg", orgnr=bad)
    a = inj.inv(s, wd(7, 8), "66012", 22_840_35)
    t.case(
        "SUP-ORGNR",
        [f"suppliers:{s.sid}", a[1]],
        "supplier",
        s.sid,
        22_840_35,
        f"Organisationsnummer {bad} fails the checksum.",
    )


@scenario("injector.suppliers", 30)
def sup_new_large(inj: Injector) -> None:
    t, w = inj.t, inj.w
    # SUP-NEW-LARGE
    s = inj.sup("Tomelilla Entreprenad AB", "Bygg", created=date(2025, 4, 2), status=False)
    w.status_rows.append(inj.p.status_row(s, date(2025, 4, 1)))
    a = inj.inv(s, wd(4, 22), "1001", 485_220_40)
    t.case(
        "SUP-NEW-LARGE",
        [f"suppliers:{s.sid}", a[1]],
        "supplier",
        s.sid,
        485_220_40,
        "Supplier created 2025-04-02 and paid 485 220 kr within 50 days.",
    )
    s = inj.sup(
        "Stensö Konsult AB",
        "Konsult",
        board="Kommunstyrelsen",
        created=date(2025, 8, 11),
        status=False,
    )
    s.registered = date(2025, 6, 30)
    w.status_rows.append(inj.p.status_row(s, date(2025, 8, 8)))
    a = inj.inv(s, wd(8, 18), "2025-001", 312_655_00)
    t.case(
        "SUP-NEW-LARGE",
        [f"suppliers:{s.sid}", a[1]],
        "supplier",
        s.sid,
        312_655_00,
        "Company founded 2025-06-30, registered as supplier 2025-08-11, paid 312 655 kr.",
    )


# --- decoys -----------------------------------------------------------------------------------
# Made last in welfare.build_permits, each from its own random stream with supplier ids 9954xx,
# their invoices written after every other invoice (_second.py), so that no file, id or example hit
# made before changes.


@scenario("welfare.build_permits", 2620)
def sup_status_decoy(wf: Welfare) -> None:
    t, w = wf.t, wf.w
    rng = random.Random("tillit-decoy-sup-status")
    # decoy: declared bankrupt the day after its last payment (known from a check a few days later).
    # The status that applies is the one on the payment date; a rule that takes the newest status,
    # or the status of the newest check whatever its date, would flag the payments.
    s = decoy_supplier(
        wf,
        rng,
        "995411",
        "Gärsnäs Snickeri AB",
        "Bygg",
        "Tekniska nämnden",
        checked=date(2024, 12, 4),
    )
    last = date(2025, 6, 16)
    a = decoy_invoice(wf, rng, s, "dec-sst-1", wd(4, 14), 23_718_75)
    b = decoy_invoice(wf, rng, s, "dec-sst-2", wd(5, 15), 31_406_25, paid=last)
    w.status_rows.append(
        wf.p.status_row(
            s, last + timedelta(days=4), status="konkurs", status_date=last + timedelta(days=1)
        )
    )
    t.decoy(
        ["SUP-STATUS"],
        [f"suppliers:{s.sid}", a, b],
        f"Declared bankrupt on {last + timedelta(days=1)}, the day after its last payment: not a hit.",
    )
    # decoy: a supplier not registered for VAT whose invoice charges no VAT. A rule that flags every
    # payment to a supplier without VAT registration, not only VAT charged by one, would flag it.
    s = decoy_supplier(
        wf,
        rng,
        "995412",
        "Onslunda Konstsmide HB",
        "Verktyg",
        "Kultur- och fritidsnämnden",
        checked=None,
    )
    w.status_rows.append(wf.p.status_row(s, date(2024, 12, 4), vat=False))
    c = decoy_invoice(wf, rng, s, "dec-sst-3", wd(6, 11), 18_654_35, vat_ore=0)
    t.decoy(
        ["SUP-STATUS"],
        [f"suppliers:{s.sid}", c],
        "Not registered for VAT and charged no VAT: not a hit.",
    )


@scenario("welfare.build_permits", 2621)
def sup_orgnr_decoy(wf: Welfare) -> None:
    rng = random.Random("tillit-decoy-sup-orgnr")
    # decoy: a Norwegian company, registered with its country, whose nine-digit organisation number
    # (mod 11, valid in Norway) is no Swedish one. The checksum applies to Swedish suppliers only; a
    # rule that checks every supplier's number would flag it. Not checked: Swedish checks start from
    # a Swedish number.
    s = decoy_supplier(
        wf, rng, "995413", "Fjordkraft Konsulent AS", "Konsult", "Kommunstyrelsen", checked=None
    )
    s.orgnr, s.country = "987654325", "NO"
    a = decoy_invoice(wf, rng, s, "dec-sor-1", wd(9, 16), 42_187_50)
    wf.t.decoy(
        ["SUP-ORGNR"],
        [f"suppliers:{s.sid}", a],
        "A Norwegian supplier (country NO) with a Norwegian organisation number: not a hit.",
    )


@scenario("welfare.build_permits", 2622)
def sup_new_large_decoy(wf: Welfare) -> None:
    rng = random.Random("tillit-decoy-sup-new-large")
    # decoy: set up as a supplier on 3 February 2025 and paid 248 316,70 kr on 5 May, 91 days later,
    # one day outside the 90-day window (the company registered in 2011, checked before set-up).
    # A rule that counts day 91 into the window, or counts in months, would flag it.
    created = date(2025, 2, 3)
    s = decoy_supplier(
        wf,
        rng,
        "995414",
        "Kåseberga Markentreprenad AB",
        "Mark",
        "Tekniska nämnden",
        checked=date(2025, 1, 28),
        created=created,
    )
    paid = created + timedelta(days=91)
    a = decoy_invoice(wf, rng, s, "dec-snl-1", wd(4, 3), 248_316_70, paid=paid)
    wf.t.decoy(
        ["SUP-NEW-LARGE"],
        [f"suppliers:{s.sid}", a],
        f"Set up {created}, paid 248 316,70 kr on {paid}, 91 days later: not a hit.",
    )
