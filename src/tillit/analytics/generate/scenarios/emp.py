"""Injected cases and decoys for the EMP-* (employees) controls (analytics/controls/emp.py).

One function per scenario, run in its stage at its order (scenarios/__init__.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tillit.analytics.generate._world import wd
from tillit.analytics.generate.scenarios import scenario

if TYPE_CHECKING:
    from tillit.analytics.generate._purchasing_cases import Injector


@scenario("injector.people", 10)
def emp_supplier(inj: Injector) -> None:
    t = inj.t
    # EMP-SUPPLIER + EMP-ATTEST: an attester owns the supplier and attests its invoices
    board = "Tekniska nämnden"
    e = inj.emp(board)
    s = inj.sup("Näsby Bygg & Fastighet AB", "Bygg", board=board)
    inj.p.roles.append([s.orgnr, e.pnr, "ägare", "2019-05-01", "", e.name])
    inj.p.roles.append([s.orgnr, e.pnr, "styrelseledamot", "2019-05-01", "", e.name])
    ks = [
        inj.inv(s, wd(m, 15), str(501 + 11 * m), s.next_amount() + 5_000_00, attested=e.eid)
        for m in (3, 6, 9)
    ]
    total = 0  # filled from amounts below
    total = sum(x.ore for x in inj.p.injected if x.sup is s)
    t.case(
        "EMP-SUPPLIER",
        [f"employees:{e.eid}", f"suppliers:{s.sid}", *[k[1] for k in ks]],
        "employee",
        e.eid,
        total,
        "Employee owns and sits on the board of a paid supplier.",
    )
    t.case(
        "EMP-ATTEST",
        [f"employees:{e.eid}", *[k[0] for k in ks]],
        "employee",
        e.eid,
        total,
        "Invoices attested by an employee who owns the supplier.",
    )


@scenario("injector.people", 20)
def emp_supplier_2(inj: Injector) -> None:
    t, w = inj.t, inj.w
    # a politician as beneficial owner of a paid supplier
    pol = inj.rng.choice([x for x in w.employees if x.politician and x.unit == "Socialnämnden"])
    s = inj.sup("Hammar Omsorgspartner AB", "Omsorg", board="Socialnämnden")
    inj.p.roles.append([s.orgnr, pol.pnr, "verklig huvudman", "2021-01-01", "", pol.name])
    ks = [inj.inv(s, wd(m, 9), f"HO-{300 + m}", 61_400_00 + m * 1_234_56) for m in (2, 5)]
    t.case(
        "EMP-SUPPLIER",
        [f"employees:{pol.eid}", f"suppliers:{s.sid}", *[k[1] for k in ks]],
        "employee",
        pol.eid,
        2 * 61_400_00 + 7 * 1_234_56,
        "Politician on Socialnämnden is beneficial owner of a supplier the board pays.",
    )


@scenario("injector.people", 30)
def emp_supplier_3(inj: Injector) -> None:
    t, w = inj.t, inj.w
    # supplier registered at an employee's home address
    e = inj.rng.choice([x for x in w.employees if x.role == "enhetschef"] or w.employees)
    s = inj.sup(
        "Ängby Konsulttjänst AB",
        "Konsult",
        board="Barn- och utbildningsnämnden",
        address=e.address,
        postal=(e.postal_code, "Ystad"),
    )
    k = inj.inv(s, wd(11, 4), "0017", 38_900_00)
    t.case(
        "EMP-SUPPLIER",
        [f"employees:{e.eid}", f"suppliers:{s.sid}", k[1]],
        "employee",
        e.eid,
        38_900_00,
        "Supplier's address is the employee's home address.",
    )


@scenario("injector.people", 40)
def emp_attest(inj: Injector) -> None:
    t = inj.t
    # EMP-ATTEST: attested and registered by the same person
    for board, m, place in (
        ("Kultur- och fritidsnämnden", 4, "Glimåkra"),
        ("Socialnämnden", 10, "Lindby"),
    ):
        e = inj.emp(board)
        s = inj.sup(f"{place} Evenemang AB", "Konsult", board=board)
        k = inj.inv(
            s, wd(m, 22), f"E{4100 + m}", 24_500_00 + m * 311, attested=e.eid, registered=e.eid
        )
        t.case(
            "EMP-ATTEST",
            [k[0]],
            "employee",
            e.eid,
            24_500_00 + m * 311,
            "Invoice registered and attested by the same person.",
        )
