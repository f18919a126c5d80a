"""The second family's rows (issue 18), made so that nothing the generator made before changes.

A scenario of the second family runs in the last stage (`welfare.build_permits`, after the
background) and draws from its own random stream (`Second.rng`), never the world's: its suppliers,
contracts, roles and checks are added beside the background, its payments are manual payments
written after every other payment, and its key persons are some of the background's role holders.
So a new control of the family changes no file, id or example hit of the existing controls.

`write` writes the data sets only the second family fills (provider_checks, placements,
placement_billing, housing_adaptations) after the invoice stream.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from tillit.analytics.generate._base import Ids, Writer, iso, next_working_day, with_luhn
from tillit.analytics.generate._purchasing import TRADES, Pay, Supplier
from tillit.analytics.generate._world import units_of
from tillit.analytics.schema import DATASETS


@dataclass
class LateInvoice:
    """A supplier invoice of the second family, paid on `paid`, written after the invoice stream."""

    ref: str
    sup: Supplier
    d: date
    number: str
    ore: int
    vat_ore: int
    contract_id: str
    unit: str
    attested: str
    registered: str
    paid: date
    pay_ref: str


@dataclass
class SecondFamily:
    rng: random.Random
    ids: Ids
    next_sid: int = 990_100
    next_contract: int = 9000
    next_person: int = 0
    checks: list[tuple[str, str, str, date, str]] = field(default_factory=list)
    # placement_id, client, provider_orgnr, kind, valid_from, valid_to, daily rate in öre
    placements: list[tuple[str, str, str, str, date, date | None, int]] = field(
        default_factory=list
    )
    # billing_id, placement_id, client, provider_orgnr, days_from, days_to, amount in öre
    billing: list[tuple[str, str, str, str, date, date, int]] = field(default_factory=list)
    # grant_id, applicant, address, postal_code, apartment, work_type, contractor_orgnr, amount öre, decided, paid
    adaptations: list[tuple[str, str, str, str, str, str, str, int, date, date | None]] = field(
        default_factory=list
    )
    # invoice ref, line_no, article, description, quantity (hundredths), unit, unit price öre, amount öre
    lines: list[tuple[str, int, str, str, int, str, int, int]] = field(default_factory=list)
    # contract_id, article, unit price öre, unit, valid_from, valid_to
    prices: list[tuple[str, str, int, str, date, date | None]] = field(default_factory=list)
    # rows of the person-level data sets only the second family fills (ROW_SETS), cell by cell:
    # a date is written in ISO form, Ore as money, None empty
    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    # supplier invoices with lines (INV-PRICE-OVER-CONTRACT), written after every other invoice
    invoices: list[LateInvoice] = field(default_factory=list)


class Ore(int):
    """Hundredths (an amount in öre, hours in hundredths), written with two decimals."""


# programme_attendance (LMS-ATTENDANCE-IMPOSSIBLE), side_jobs (EMP-UNDECLARED-ROLE) and
# benefit_applications (APP-BEFORE-PAYMENT), each written where the schema has it
ROW_SETS = ("programme_attendance", "side_jobs", "benefit_applications")


def second(w: Any) -> SecondFamily:
    """The world's second-family state (made on first use, with its own random stream)."""
    found = getattr(w, "second_family", None)
    if found is None:
        rng = random.Random("tillit-second-family")
        ids = Ids(rng)
        ids.used = w.ids.used  # never issue a number the world has issued
        found = SecondFamily(rng=rng, ids=ids)
        w.second_family = found
    return found


def supplier(wf: Any, name: str, trade: str, board: str, *, checked: date) -> Supplier:
    """A supplier outside the background's random stream, checked (supplier_status) on `checked`."""
    s2 = second(wf.w)
    s2.next_sid += 7
    tr = next(i for i, t in enumerate(TRADES) if t[0] == trade)
    pc, city = s2.rng.choice(wf.w.local_postal)
    s = Supplier(
        sid=str(s2.next_sid),
        name=name,
        orgnr=s2.ids.orgnr(),
        address=f"Vårdvägen {s2.rng.randint(1, 40)}",
        postal_code=pc,
        city=city,
        created=date(2016, 3, 1),
        created_by=wf.w.registrars[0].eid,
        account=s2.ids.bankgiro(),
        board=board,
        trade=tr,
        kind="special",
        registered=date(2012, 5, 1),
        status=False,
    )
    wf.p.suppliers.append(s)
    wf.w.status_rows.append(wf.p.status_row(s, checked))
    return s


def contract(
    wf: Any, s: Supplier, valid_from: date, value_ore: int, *, procurement: str, category: str
) -> str:
    s2 = second(wf.w)
    s2.next_contract += 1
    cid = f"AVT-{valid_from.year}-{s2.next_contract:04d}"
    wf.p.contracts.append(
        [
            cid,
            s.orgnr,
            iso(valid_from),
            iso(date(valid_from.year + 4, valid_from.month, 1)),
            f"{value_ore // 100}.00",
            procurement,
            category,
            s.board,
            "",
        ]
    )
    return cid


def key_person(wf: Any, s: Supplier, role: str, valid_from: date) -> str:
    """One of the background's role holders (never an employee or applicant) takes a role in s."""
    s2 = second(wf.w)
    s2.next_person += 1
    pnr, name = wf.w.role_holders[-s2.next_person]
    wf.p.roles.append([s.orgnr, pnr, role, iso(valid_from), "", name])
    return pnr


def pay(wf: Any, s: Supplier, day: date, ore: int, ref: str) -> tuple[str, str]:
    """A payment to s without an invoice, written after every other payment."""
    wf.p.manual_pays.append((s, Pay(day, ore, ref=ref, invoice=False)))
    return ("payments", ref)


def decoy_supplier(
    wf: Any,
    rng: random.Random,
    sid: str,
    name: str,
    trade: str,
    board: str,
    *,
    checked: date | None,
    created: date = date(2016, 3, 1),
    street: str = "Industrivägen",
    registered: date = date(2011, 9, 1),
) -> Supplier:
    """A supplier for a decoy, drawn from the decoy's own random stream `rng` (not `second().rng`,
    so that decoys added later change none drawn before them) with an id from the decoy's own
    block; checked (supplier_status) on `checked` unless None."""
    ids = Ids(rng)
    ids.used = wf.w.ids.used  # never issue a number the world has issued
    pc, city = rng.choice(wf.w.local_postal)
    s = Supplier(
        sid=sid,
        name=name,
        orgnr=ids.orgnr(),
        address=f"{street} {rng.randint(2, 40)}",
        postal_code=pc,
        city=city,
        created=created,
        created_by=wf.w.registrars[0].eid,
        account=ids.bankgiro(),
        board=board,
        trade=next(i for i, t in enumerate(TRADES) if t[0] == trade),
        kind="special",
        registered=registered,
        status=False,
    )
    wf.p.suppliers.append(s)
    if checked:
        wf.w.status_rows.append(wf.p.status_row(s, checked))
    return s


def decoy_invoice(
    wf: Any,
    rng: random.Random,
    s: Supplier,
    ref: str,
    day: date,
    ore: int,
    *,
    vat_ore: int | None = None,
    paid: date | None = None,
    account: str | None = None,
    attested: str | None = None,
) -> tuple[str, str]:
    """An invoice of s without contract (VAT at the trade's rate unless given), paid on `paid`
    (30 days on by default) to `account` (the supplier's account at the end by default), written
    after every other invoice; returns the payment's evidence key."""
    rate = TRADES[s.trade][3]
    attester = (
        attested or rng.choice([e for e in wf.w.attesters[s.board] if e not in wf.w.registrars]).eid
    )
    second(wf.w).invoices.append(
        LateInvoice(
            ref=ref,
            sup=s if account is None else replace(s, account=account),
            d=day,
            number=str(rng.randint(20_000, 89_999)),
            ore=ore,
            vat_ore=ore * rate // (100 + rate) if vat_ore is None else vat_ore,
            contract_id="",
            unit=rng.choice(units_of(s.board)),
            attested=attester,
            registered=rng.choice([r for r in wf.w.registrars if r.eid != attester]).eid,
            paid=paid or next_working_day(day + timedelta(days=30)),
            pay_ref=f"{ref}-pay",
        )
    )
    return ("payments", f"{ref}-pay")


def write_invoices(w: Any, inv: Writer, pay: Writer, inv_no: int, pay_no: int) -> tuple[int, int]:
    """The second family's invoices and their payments, numbered after every other one (called at
    the end of the invoice stream, so that no earlier id changes)."""
    for x in second(w).invoices:
        inv_no += 1
        pay_no += 1
        iid, pid = f"F{25_000_000 + inv_no}", f"P{25_000_000 + pay_no}"
        s = x.sup
        trade = TRADES[s.trade]
        inv.row(
            (
                iid,
                s.sid,
                x.number,
                iso(x.d),
                inv.money(x.ore),
                inv.money(x.vat_ore),
                iso(x.d + timedelta(days=30)),
                iso(next_working_day(x.d + timedelta(days=2))),
                s.account,
                with_luhn(f"{s.sid}{x.number[-5:]}"),
                s.board,
                x.unit,
                trade[2],
                trade[1],
                x.attested,
                x.registered,
                x.contract_id,
                "",
            )
        )
        pay.row(
            (
                pid,
                iso(x.paid),
                pay.money(x.ore),
                s.account,
                iid,
                s.sid,
                s.name,
                "leverantörsreskontra",
            )
        )
        w.truth.refs[x.ref] = iid
        w.truth.refs[x.pay_ref] = pid
        for case in w.truth.cases:  # a case whose subject is this invoice names it by its ref
            if case["subject_type"] == "invoice" and case["subject_id"] == x.ref:
                case["subject_id"] = iid
    return inv_no, pay_no


def write(w: Any) -> None:
    """Write provider_checks, placements, placement_billing and housing_adaptations (after the invoice stream)."""
    s = second(w)
    for name in ROW_SETS:
        if name in DATASETS:
            out = Writer(w.out_dir, name)
            for row in s.rows.get(name, []):
                out.row(
                    out.money(v)
                    if isinstance(v, Ore)
                    else iso(v)
                    if isinstance(v, date | None)
                    else v
                    for v in row
                )
            out.close()
    out = Writer(w.out_dir, "placements")
    for pid, client, orgnr, kind, valid_from, valid_to, rate in s.placements:
        out.row((pid, client, orgnr, kind, iso(valid_from), iso(valid_to), out.money(rate)))
    out.close()
    out = Writer(w.out_dir, "housing_adaptations")
    for (
        gid,
        pnr,
        address,
        postal,
        apartment,
        work,
        contractor,
        amount,
        decided,
        paid,
    ) in s.adaptations:
        out.row(
            (
                gid,
                pnr,
                address,
                postal,
                apartment,
                work,
                contractor,
                out.money(amount),
                iso(decided),
                iso(paid),
            )
        )
    out.close()
    out = Writer(w.out_dir, "placement_billing")
    for bid, pid, client, orgnr, days_from, days_to, amount in s.billing:
        out.row((bid, pid, "", client, orgnr, iso(days_from), iso(days_to), out.money(amount)))
    out.close()
    out = Writer(w.out_dir, "contract_prices")
    for cid, article, price, unit, valid_from, valid_to in s.prices:
        out.row((cid, article, out.money(price), unit, iso(valid_from), iso(valid_to)))
    out.close()
    out = Writer(w.out_dir, "invoice_lines")
    for ref, no, article, text, qty, unit, price, amount in s.lines:
        out.row(
            (
                w.truth.refs[ref],
                no,
                article,
                text,
                out.money(qty),
                unit,
                out.money(price),
                out.money(amount),
            )
        )
    out.close()
    checks = Writer(w.out_dir, "provider_checks")
    for orgnr, pnr, kind, checked, result in s.checks:
        checks.row((orgnr, pnr, kind, iso(checked), result))
    checks.close()
