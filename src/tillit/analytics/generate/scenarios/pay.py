"""Injected cases and decoys for the PAY-* (supplier payments) controls (analytics/controls/pay.py).

One function per scenario, run in its stage at its order (scenarios/__init__.py)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TYPE_CHECKING

from tillit.analytics.generate._purchasing import Pay, pay_date
from tillit.analytics.generate._world import wd
from tillit.analytics.generate.scenarios import scenario
from tillit.analytics.generate.scenarios.inv import _decoy_supplier, _late_invoice

if TYPE_CHECKING:
    from tillit.analytics.generate._purchasing_cases import Injector
    from tillit.analytics.generate._welfare import Welfare


@scenario("injector.duplicates", 80)
def pay_dup(inj: Injector) -> None:
    t = inj.t
    # decoy: two invoices, same amount, paid to the same account within 14 days
    s = inj.sup("Hörby Livsmedel AB", "Livsmedel", board="Vård- och omsorgsnämnden")
    a = inj.inv(s, wd(5, 6), "30418", 8_245_30)
    b = inj.inv(s, wd(5, 13), "30977", 8_245_30)
    t.decoy(
        ["PAY-DUP", "INV-DUP-FUZZY"],
        [a[0], b[0], a[1], b[1]],
        "Two different invoices with the same amount paid a week apart to the same account.",
    )


@scenario("injector.payments", 10)
def pay_dup_2(inj: Injector) -> None:
    t = inj.t
    # PAY-DUP: one invoice paid twice
    s = inj.sup("Dalby Städ AB", "Städ", board="Barn- och utbildningsnämnden")
    d = wd(3, 14)
    p1, p2 = pay_date(d), pay_date(d) + timedelta(days=7)
    a = inj.inv(
        s,
        d,
        "117342",
        36_218_90,
        pays=[Pay(p1, 36_218_90, ref="pd1a"), Pay(p2, 36_218_90, ref="pd1b")],
    )
    t.case(
        "PAY-DUP",
        [a[0], ("payments", "pd1a"), ("payments", "pd1b")],
        "supplier",
        s.sid,
        36_218_90,
        "The same invoice_id paid twice, a week apart.",
    )
    s = inj.sup("Ljungby Bemanning AB", "Bemanning", board="Vård- och omsorgsnämnden")
    d = wd(9, 2)
    a = inj.inv(
        s,
        d,
        "5530-221",
        74_560_00,
        pays=[
            Pay(pay_date(d), 74_560_00, ref="pd2a"),
            Pay(pay_date(d) + timedelta(days=1), 74_560_00, ref="pd2b"),
        ],
    )
    t.case(
        "PAY-DUP",
        [a[0], ("payments", "pd2a"), ("payments", "pd2b")],
        "supplier",
        s.sid,
        74_560_00,
        "The same invoice_id paid twice on consecutive days.",
    )


@scenario("injector.payments", 20)
def pay_dup_3(inj: Injector) -> None:
    t = inj.t
    # a manual payment without invoice, same account and amount, six days after
    s = inj.sup("Tallbo Transport AB", "Transport", board="Tekniska nämnden")
    d = wd(6, 9)
    a = inj.inv(s, d, "40012", 19_874_40)
    inj.p.manual_pays.append(
        (s, Pay(pay_date(d) + timedelta(days=6), 19_874_40, ref="pd3", invoice=False))
    )
    t.case(
        "PAY-DUP",
        [a[1], ("payments", "pd3")],
        "supplier",
        s.sid,
        19_874_40,
        "Manual payment with no invoice, same account and amount six days after the invoice payment.",
    )


@scenario("injector.payments", 30)
def pay_reminder(inj: Injector) -> None:
    t = inj.t
    # PAY-REMINDER
    s = inj.sup("Broby Data AB", "Data", board="Kommunstyrelsen")
    d = wd(2, 3)
    a = inj.inv(s, d, "56021", 14_380_00, ocr="5602100018")
    b = inj.inv(
        s,
        wd(3, 17),
        "56021",
        14_440_00,
        ocr="5602100018",
        description="Påminnelse faktura 56021",
    )
    t.case(
        "PAY-REMINDER",
        [a[0], b[0], a[1], b[1]],
        "supplier",
        s.sid,
        14_440_00,
        "Invoice paid, then its reminder (+60 kr fee) paid again.",
    )
    s = inj.sup("Strandby Tryck AB", "Tryck", board="Kultur- och fritidsnämnden")
    d = wd(10, 1)
    a = inj.inv(s, d, "T-33871", 9_620_50, ocr="338710097")
    b = inj.inv(s, wd(11, 10), "PAM-7731", 9_800_50, ocr="338710097", description="Påminnelse")
    t.case(
        "PAY-REMINDER",
        [a[0], b[0], a[1], b[1]],
        "supplier",
        s.sid,
        9_800_50,
        "Reminder under a new number but the same OCR reference (+180 kr) paid again.",
    )


@scenario("welfare.build_permits", 2311)
def pay_reminder_decoy(wf: Welfare) -> None:
    # decoy: an invoice paid on 5 March and its reminder (+60 kr, the same number and so the same
    # OCR reference) paid on 5 May, 61 days later: one day outside the 60-day window. The supplier,
    # its invoices and payments come after every existing row (scenarios/inv.py, _second.py).
    rng = random.Random("tillit-decoy-pay-reminder")
    s = _decoy_supplier(
        wf, rng, "995281", "Kävlinge Kontorsservice AB", "Kontorsmaterial", "Kommunstyrelsen"
    )
    keys = [
        _late_invoice(
            wf, rng, s, "dec-rem-0", date(2025, 2, 3), "77415", 12_615_00, paid=date(2025, 3, 5)
        ),
        _late_invoice(
            wf, rng, s, "dec-rem-1", date(2025, 4, 7), "77415", 12_675_00, paid=date(2025, 5, 5)
        ),
    ]
    keys += [("payments", "dec-rem-0-pay"), ("payments", "dec-rem-1-pay")]
    wf.t.decoy(
        ["PAY-REMINDER"],
        keys,
        "An invoice and its reminder (+60 kr) paid 61 days apart, outside the 60-day window: "
        "not a hit.",
    )
