"""Injected cases and decoys for the X-* (cross-municipality) controls (analytics/controls/x.py).

One function per scenario, run in its stage at its order (scenarios/__init__.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from tillit.analytics.generate._purchasing import Inv
from tillit.analytics.generate._world import wd
from tillit.analytics.generate.scenarios import scenario

if TYPE_CHECKING:
    from tillit.analytics.generate._purchasing_cases import Injector
    from tillit.analytics.generate._welfare import Welfare


@scenario("injector.people", 50)
def x_sup_same_invoice(inj: Injector) -> None:
    t = inj.t
    # X-SUP-SAME-INVOICE: the same invoice also sent to the partner municipality
    for name, number, ore, d in (
        ("Örnsköld Konsult AB", "2025-7731", 88_400_00, (5, 12)),
        ("Tallbo Data AB", "51120", 23_990_00, (9, 8)),
    ):
        s = inj.sup(name, "Konsult" if "Konsult" in name else "Data", board="Kommunstyrelsen")
        k = inj.inv(s, wd(*d), number, ore)
        inj.p.partner_invoices.append(Inv(s, wd(*d) + timedelta(days=5), number, ore))
        t.case(
            "X-SUP-SAME-INVOICE",
            [k[0]],
            "supplier",
            s.orgnr,
            ore,
            "The same orgnr, invoice number and amount also invoiced to the partner "
            "municipality (partner/invoices.csv).",
        )


@scenario("welfare.build_benefits", 100)
def x_ben_two_municipalities(wf: Welfare) -> None:
    t = wf.t
    # X-BEN-TWO-MUNICIPALITIES: also paid by the partner municipality
    for k, m in ((0, 3), (1, 9)):
        hh = wf.household(1, 0)
        b = wf._bhh(hh, [m, m + 1])
        b.refs[m] = f"xben{k}"
        wf.partner_benefits.append((b.applicant, m, b.base))
        t.case(
            "X-BEN-TWO-MUNICIPALITIES",
            [("benefit_payments", f"xben{k}")],
            "person",
            b.applicant.pnr,
            b.base,
            "Also paid by the partner municipality for the same "
            "month (partner/benefit_payments.csv).",
        )
