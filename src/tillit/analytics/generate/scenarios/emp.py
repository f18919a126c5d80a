"""Injected cases and decoys for the EMP-* (employees) controls (analytics/controls/emp.py).

One function per scenario, run in its stage at its order (scenarios/__init__.py)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from tillit.analytics.generate._base import next_working_day
from tillit.analytics.generate._second import (
    LateInvoice,
    contract,
    decoy_invoice,
    decoy_supplier,
    second,
    supplier,
)
from tillit.analytics.generate._world import units_of, wd
from tillit.analytics.generate.scenarios import scenario

if TYPE_CHECKING:
    from tillit.analytics.generate._purchasing import Supplier
    from tillit.analytics.generate._purchasing_cases import Injector
    from tillit.analytics.generate._welfare import Welfare
    from tillit.analytics.generate._world import Employee


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


def _side_job(
    wf: Welfare, e: Employee, orgnr: str, declared: date, decision: str, decided: date | None
) -> None:
    second(wf.w).rows.setdefault("side_jobs", []).append(
        (e.eid, orgnr, "Styrelseuppdrag", declared, decision, decided)
    )


def _invoice(
    wf: Welfare, s: Supplier, cid: str, attester: Employee, day: date, net: int, ref: str
) -> tuple[str, str]:
    """An invoice of s paid 30 days later, numbered after every other invoice and payment (_second.py)."""
    s2 = second(wf.w)
    vat = (net * 25 + 50) // 100
    s2.invoices.append(
        LateInvoice(
            ref=ref,
            sup=s,
            d=day,
            number=str(s2.rng.randint(20_000, 89_999)),
            ore=net + vat,
            vat_ore=vat,
            contract_id=cid,
            unit=s2.rng.choice(units_of(s.board)),
            attested=attester.eid,
            registered=s2.rng.choice([r for r in wf.w.registrars if r.eid != attester.eid]).eid,
            paid=next_working_day(day + timedelta(days=30)),
            pay_ref=f"{ref}-pay",
        )
    )
    return ("payments", f"{ref}-pay")


def _staff(wf: Welfare, taken: set[str]) -> Employee:
    rng = second(wf.w).rng
    staff = [
        x
        for x in wf.w.employees
        if not x.politician
        and x.employed_to is None
        and x.employed_from < date(2024, 1, 1)
        and x.eid not in taken
        and x not in wf.w.registrars
        and wf.w.attesters.get(x.unit)
    ]
    e = rng.choice(staff)
    taken.add(e.eid)
    return e


@scenario("welfare.build_permits", 220)
def emp_undeclared_role(wf: Welfare) -> None:
    t, w = wf.t, wf.w
    s2 = second(wf.w)
    # staff of the cases injected before are left alone
    taken = {
        k.split(":", 1)[1]
        for c in t.cases
        for k in c["evidence_keys"]
        if isinstance(k, str) and k.startswith("employees:")
    }
    # the ties injected for EMP-SUPPLIER and GRANT-CONFLICT are roles nobody declared: EMP-UNDECLARED-ROLE
    # finds those whose role was valid on a payment or grant decision, except the one declared below
    held = {(r[0], r[1]) for r in wf.p.roles}
    conflict = [c for c in t.cases if c["control_id"] == "GRANT-CONFLICT"]
    for c in t.cases:
        if c["control_id"] != "EMP-SUPPLIER":
            continue
        eid = next(
            k for k in c["evidence_keys"] if isinstance(k, str) and k.startswith("employees:")
        )
        sid = next(
            k for k in c["evidence_keys"] if isinstance(k, str) and k.startswith("suppliers:")
        )
        sup = next(s for s in wf.p.suppliers if f"suppliers:{s.sid}" == sid)
        e = next(x for x in w.employees if f"employees:{x.eid}" == eid)
        if (sup.orgnr, e.pnr) in held:
            t.case(
                "EMP-UNDECLARED-ROLE",
                [eid, sid],
                "employee",
                e.eid,
                round(Decimal(c["amount_at_risk"]) * 100),
                "The role behind the EMP-SUPPLIER case was never declared as a side job.",
            )
    # GRANT-CONFLICT: the employee's role was declared and approved the day before the grant decision (a
    # decoy here); the politician's was not (a case)
    for c in conflict:
        eid = next(
            k for k in c["evidence_keys"] if isinstance(k, str) and k.startswith("employees:")
        )
        e = next(x for x in w.employees if f"employees:{x.eid}" == eid)
        grant = next(k for k in c["evidence_keys"] if not isinstance(k, str))
        gid = t.refs[grant[1]]
        row = next(g for g in wf.grants if g[0] == gid)
        if e.politician:
            t.case(
                "EMP-UNDECLARED-ROLE",
                [eid, grant],
                "employee",
                e.eid,
                round(Decimal(c["amount_at_risk"]) * 100),
                "The politician's board role in the granted association was never declared.",
            )
        else:
            decided = date.fromisoformat(row[8])
            _side_job(wf, e, row[2], decided - timedelta(days=1), "godkänd", decided)
            t.decoy(
                ["EMP-UNDECLARED-ROLE"],
                [eid, grant],
                "The board role was declared and approved the day before the grant decision: not a hit.",
            )
    # background: approved side jobs with organisations the municipality does not pay
    for _ in range(12):
        e = _staff(wf, taken)
        day = date(2024, s2.rng.randint(1, 12), s2.rng.randint(1, 28))
        _side_job(
            wf, e, s2.ids.orgnr(), day, "godkänd", day + timedelta(days=s2.rng.randint(5, 40))
        )
    # EMP-UNDECLARED-ROLE: a unit manager on the board of a consultancy the municipality pays
    e = _staff(wf, taken)
    s = supplier(wf, "Omsorgspartner Syd AB", "Konsult", e.unit, checked=date(2024, 5, 6))
    cid = contract(
        wf,
        s,
        date(2024, 10, 1),
        900_000_00,
        procurement="direktupphandling",
        category="Konsulttjänster",
    )
    wf.p.roles.append([s.orgnr, e.pnr, "styrelseledamot", "2023-05-01", "", e.name])
    att = s2.rng.choice(
        [x for x in w.attesters[s.board] if x.eid not in taken and x not in w.registrars]
        or [
            x
            for b in w.attesters.values()
            for x in b
            if x.eid not in taken and x not in w.registrars
        ]
    )
    taken.add(att.eid)  # the attester of these invoices holds no role in them
    a = _invoice(wf, s, cid, att, wd(2, 12), 83_688_00, "eur1")
    b = _invoice(wf, s, cid, att, wd(8, 11), 86_232_00, "eur2")
    t.case(
        "EMP-UNDECLARED-ROLE",
        [f"employees:{e.eid}", f"suppliers:{s.sid}", a, b],
        "employee",
        e.eid,
        212_400_00,
        "A board member of a paid consultancy who never declared the side job.",
    )
    t.case(
        "EMP-SUPPLIER",
        [f"employees:{e.eid}", f"suppliers:{s.sid}", a, b],
        "employee",
        e.eid,
        212_400_00,
        "Employee on the board of a paid supplier (EMP-UNDECLARED-ROLE's case).",
    )
    # a side job declared and refused, kept all the same, and the company paid after the refusal: hög
    e = _staff(wf, taken)
    s = supplier(wf, "Bergkvist Fastighetsservice AB", "Bygg", e.unit, checked=date(2024, 5, 6))
    cid = contract(
        wf,
        s,
        date(2024, 6, 1),
        1_400_000_00,
        procurement="direktupphandling",
        category="Fastighetsservice",
    )
    wf.p.roles.append([s.orgnr, e.pnr, "VD", "2022-01-01", "", e.name])
    _side_job(wf, e, s.orgnr, date(2025, 1, 13), "ej godkänd", date(2025, 2, 3))
    p3 = _invoice(wf, s, cid, att, wd(3, 24), 46_612_40, "eur3")
    t.case(
        "EMP-UNDECLARED-ROLE",
        [f"employees:{e.eid}", f"suppliers:{s.sid}", p3],
        "employee",
        e.eid,
        58_265_50,
        "A side job refused on 3 February 2025; the company was paid in April all the same.",
    )
    t.case(
        "EMP-SUPPLIER",
        [f"employees:{e.eid}", f"suppliers:{s.sid}", p3],
        "employee",
        e.eid,
        58_265_50,
        "Employee is managing director of a paid supplier (EMP-UNDECLARED-ROLE's case).",
    )
    # decoy: a side job declared and approved the day before the first payment
    e = _staff(wf, taken)
    s = supplier(wf, "Lindqvist Trädgårdstjänst AB", "Mark", e.unit, checked=date(2024, 5, 6))
    cid = contract(
        wf, s, date(2024, 6, 1), 600_000_00, procurement="direktupphandling", category="Markskötsel"
    )
    wf.p.roles.append([s.orgnr, e.pnr, "ägare", "2020-03-01", "", e.name])
    day = wd(4, 22)
    first = next_working_day(day + timedelta(days=30))
    _side_job(wf, e, s.orgnr, first - timedelta(days=1), "godkänd", first - timedelta(days=1))
    d1 = _invoice(wf, s, cid, att, day, 29_517_60, "eur4")
    d2 = _invoice(wf, s, cid, att, wd(7, 21), 33_041_20, "eur5")
    t.decoy(
        ["EMP-UNDECLARED-ROLE"],
        [d1, d2],
        "The side job was declared and approved the day before the first payment: not a hit.",
    )
    t.case(
        "EMP-SUPPLIER",
        [f"employees:{e.eid}", f"suppliers:{s.sid}", d1, d2],
        "employee",
        e.eid,
        78_198_50,
        "Employee owns a paid supplier (a declared side job, EMP-UNDECLARED-ROLE's decoy).",
    )


@scenario("welfare.build_permits", 2630)
def emp_supplier_decoy(wf: Welfare) -> None:
    t, w = wf.t, wf.w
    # its own random stream and supplier id (9954xx), its invoices written after every other one
    # (_second.py): nothing made before changes
    rng = random.Random("tillit-decoy-emp-supplier")
    # decoy: an attester who left the board of a supplier on 31 March 2025 attests its invoices
    # from 1 April, the day after, and they are paid from May: the role was not valid on any
    # invoice or payment date. A rule that ignores the roles' periods would flag it (EMP-SUPPLIER,
    # EMP-ATTEST; EMP-UNDECLARED-ROLE likewise finds no role on the payment days).
    taken = {
        k.split(":", 1)[1]
        for c in t.cases
        for k in c["evidence_keys"]
        if isinstance(k, str) and k.startswith("employees:")
    }
    applicants = {b.applicant.pnr for b in wf.benefit} | {b.co.pnr for b in wf.benefit if b.co}
    board = "Kultur- och fritidsnämnden"
    e = rng.choice(
        [
            x
            for x in w.attesters[board]
            if x.eid not in taken
            and x not in w.registrars
            and x.pnr not in applicants
            and x.employed_to is None
            and x.employed_from < date(2024, 1, 1)
        ]
    )
    s = decoy_supplier(
        wf, rng, "995421", "Haväng Ljud & Scen AB", "Konsult", board, checked=date(2024, 12, 4)
    )
    wf.p.roles.append([s.orgnr, e.pnr, "styrelseledamot", "2019-05-01", "2025-03-31", e.name])
    keys = []
    for n, (day, ore) in enumerate(((date(2025, 4, 1), 17_759_50), (date(2025, 6, 12), 21_226_50))):
        keys.append(("invoices", f"dec-esu-{n}"))
        keys.append(decoy_invoice(wf, rng, s, f"dec-esu-{n}", day, ore, attested=e.eid))
    t.decoy(
        ["EMP-SUPPLIER", "EMP-ATTEST"],
        [f"employees:{e.eid}", f"suppliers:{s.sid}", *keys],
        "The attester left the supplier's board on 2025-03-31 and attested its invoices from "
        "2025-04-01: not a hit.",
    )
