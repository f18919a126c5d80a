"""Injected cases and decoys for the PROV-* (providers' key persons) controls (analytics/controls/prov.py).

The providers, their LOV contracts, key persons, checks (provider_checks) and payments are made with
generate/_second.py, outside the background's random stream."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from tillit.analytics.generate._second import contract, key_person, pay, second, supplier
from tillit.analytics.generate._world import wd
from tillit.analytics.generate.scenarios import scenario

if TYPE_CHECKING:
    from tillit.analytics.generate._purchasing import Supplier
    from tillit.analytics.generate._welfare import Welfare


def _provider(wf: Welfare, name: str) -> Supplier:
    s = supplier(wf, name, "Omsorg", "Socialnämnden", checked=date(2022, 11, 14))
    contract(wf, s, date(2023, 1, 1), 4_800_000_00, procurement="LOV", category="Hemtjänst")
    return s


def _check(wf: Welfare, s: Supplier, pnr: str, day: date, result: str = "utan anmärkning") -> None:
    second(wf.w).checks.append((s.orgnr, pnr, "belastningsregister", day, result))


@scenario("welfare.build_permits", 100)
def prov_keyperson_unchecked(wf: Welfare) -> None:
    t = wf.t
    # PROV-KEYPERSON-UNCHECKED: a LOV provider's managing director was never checked
    s = _provider(wf, "Solgläntans Omsorg AB")
    _check(wf, s, key_person(wf, s, "styrelseledamot", date(2022, 6, 1)), date(2025, 1, 15))
    key_person(wf, s, "VD", date(2024, 9, 1))
    a = pay(wf, s, wd(4, 11), 118_452_30, "prov1")
    b = pay(wf, s, wd(6, 12), 127_318_70, "prov2")
    t.case(
        "PROV-KEYPERSON-UNCHECKED",
        [f"suppliers:{s.sid}", a, b],
        "provider",
        s.orgnr,
        245_771_00,
        "A LOV provider paid twice in 2025; its managing director has never been checked against the "
        "criminal records register.",
    )
    # the same with a remark in the other key person's check: severity hög
    s = _provider(wf, "Ljusglimten Assistans AB")
    _check(wf, s, key_person(wf, s, "VD", date(2022, 6, 1)), date(2025, 2, 3), "anmärkning")
    _check(wf, s, key_person(wf, s, "verklig huvudman", date(2022, 6, 1)), date(2023, 11, 20))
    c = pay(wf, s, wd(5, 8), 86_215_40, "prov3")
    t.case(
        "PROV-KEYPERSON-UNCHECKED",
        [f"suppliers:{s.sid}", c],
        "provider",
        s.orgnr,
        86_215_40,
        "The beneficial owner was last checked in November 2023; the managing director's check found a remark.",
    )
    # decoy: the only key person was checked 365 days (exactly 12 months) before the payment
    s = _provider(wf, "Tallkrogens Hemtjänst AB")
    day = wd(5, 9)
    d = pay(wf, s, day, 64_813_90, "prov4")
    _check(wf, s, key_person(wf, s, "VD", date(2022, 6, 1)), day - timedelta(days=365))
    t.decoy(
        ["PROV-KEYPERSON-UNCHECKED"],
        [f"suppliers:{s.sid}", d],
        "The managing director was checked exactly 12 months before the payment: not a hit.",
    )
