"""Injected cases and decoys for the SUP-* (supplier records) controls (analytics/controls/sup.py).

One function per scenario, run in its stage at its order (scenarios/__init__.py)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from tillit.analytics.generate._world import wd
from tillit.analytics.generate.scenarios import scenario

if TYPE_CHECKING:
    from tillit.analytics.generate._purchasing_cases import Injector


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
