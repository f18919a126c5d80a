"""Suppliers, their accounts, contracts, checks and roles; invoices and payments.

Invoices are streamed day by day so that memory does not grow with scale.
Background amounts follow Benford's law per supplier: the log-mantissa of each
supplier's amounts runs through a low-discrepancy (golden-ratio) sequence, so
even a supplier with a few hundred invoices conforms, where random draws would
not (sampling noise alone exceeds Nigrini's 0.0022 below ~5 000 invoices).
"""

from __future__ import annotations

import math
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from rapidfuzz.distance import JaroWinkler
from stdnum import luhn

from tillit.analytics.generate._base import (
    BUSINESS_STREETS,
    LAST_NAMES,
    YEAR_END,
    YEAR_START,
    Writer,
    bankgiro_from_digits,
    giro_digits,
    is_working_day,
    iso,
    next_working_day,
    person_name,
    with_luhn,
    yes,
)
from tillit.analytics.generate._world import BOARDS, Employee, World, plus, units_of, wd

PHI = (math.sqrt(5) - 1) / 2
DIRECT_PROCUREMENT_LIMIT = 700_000_00
ROUTINE_LIMIT = 100_000_00

# trade word, description, expense account, VAT rate (percent), log10 low, decades
TRADES: list[tuple[str, str, str, int, int, int]] = [
    ("Bygg", "Byggnadsarbeten", "5010", 25, 3, 3),
    ("Städ", "Lokalvård", "5460", 25, 3, 2),
    ("El", "Elinstallation", "5010", 25, 3, 2),
    ("VVS", "VVS-arbeten", "5010", 25, 3, 2),
    ("Måleri", "Målningsarbeten", "5010", 25, 3, 2),
    ("Transport", "Transporter", "6110", 25, 3, 2),
    ("Kontorsmaterial", "Kontorsmaterial", "4010", 25, 2, 2),
    ("Livsmedel", "Livsmedel", "4630", 12, 2, 3),
    ("Data", "IT-tjänster", "6420", 25, 3, 2),
    ("Konsult", "Konsulttjänster", "6420", 25, 3, 2),
    ("Mark", "Markarbeten", "5010", 25, 3, 3),
    ("Trädgård", "Grönyteskötsel", "5410", 25, 3, 2),
    ("Bemanning", "Inhyrd personal", "4610", 25, 3, 2),
    ("Omsorg", "Köpt omsorg", "4610", 0, 3, 3),
    ("Tryck", "Tryckeri och trycksaker", "6110", 25, 2, 2),
    ("Buss", "Skolskjuts", "6110", 6, 3, 2),
    ("Möbler", "Möbler och inventarier", "5410", 25, 3, 2),
    ("Läromedel", "Läromedel", "4010", 6, 2, 2),
    ("Fastighetsservice", "Fastighetsskötsel", "5460", 25, 3, 2),
    ("Verktyg", "Verktyg och material", "4010", 25, 2, 2),
]
PLACES = (
    "Norrby Söderby Kvarnby Björkå Ekeby Sjöbo Bergsjö Dalby Lundby Strandby Ljungby Hedby "
    "Moheda Näsby Viken Åsa Holmby Sandby Stenby Skogsby Ängby Broby Forsby Kulla Torpa Högby "
    "Tallbo Granby Lindby Alby Rosendal Falkby Örnsköld Vargby Hammar Österlen Västkust Söderslätt "
    "Nordkap Sydkust Stensö Klippan Glimåkra Hörby Tomelilla Löderup Köpinge Borrby Hammenhög"
).split()
SUFFIXES = ("tek", "service", "gruppen", "partner", "konsult", "teknik", "system", "center")
LEGAL_WORDS = {
    "ab",
    "aktiebolag",
    "hb",
    "kb",
    "ek",
    "för",
    "ekonomisk",
    "handelsbolag",
    "kommanditbolag",
    "förening",
    "föreningen",
    "ideell",
}
_PUNCT = re.compile(r"[^\w\s]")


def norm_name(name: str) -> str:
    words = _PUNCT.sub(" ", name.casefold()).split()
    return " ".join(sorted(w for w in words if w not in LEGAL_WORDS))


@dataclass
class Supplier:
    sid: str
    name: str
    orgnr: str
    address: str
    postal_code: str
    city: str
    created: date
    created_by: str
    account: str
    board: str
    trade: int
    contract_id: str = ""
    kind: str = "small"  # small | contract | special
    weight: float = 0.0
    registered: date = date(2005, 1, 1)
    # invoice numbering and amounts
    style: int = 0
    counter: int = 10000
    u0: float = 0.0
    k: int = 0
    # log10 of the smallest amount and the number of decades spanned
    lo: int = 2
    decades: int = 2
    status: bool = True  # give it a background supplier_status check
    country: str = "SE"
    account_history: list[tuple[str, date, date | None, str]] = field(default_factory=list)

    def number(self, rng_step: int) -> str:
        self.counter += rng_step
        if self.style == 1:
            return f"F{self.counter}"
        if self.style == 2:
            return f"2025-{self.counter}"
        return f"{self.counter}"

    def next_amount(self) -> int:
        self.k += 1
        v = (self.u0 + self.k * PHI) % 1.0
        ore = int(10 ** (self.lo + self.decades * v) * 100)
        # keep background amounts out of the "just below a limit" bands; multiplying
        # by ten keeps the first two digits (Benford conformity unchanged) and lands
        # above the supplier's own range, where no other amount can equal it
        while 63_000_000 <= ore < 70_000_000 or 9_000_000 <= ore < 10_000_000:
            ore *= 10
        return ore


@dataclass
class Pay:
    d: date
    ore: int
    account: str | None = None  # default: the invoice's account
    ref: str | None = None
    invoice: bool = True  # False: a manual payment with no invoice_id


@dataclass
class Inv:
    sup: Supplier
    d: date
    number: str
    ore: int
    ref: str | None = None
    contract_id: str | None = None
    account: str | None = None
    attested: str | None = None
    registered: str | None = None
    vat_ore: int | None = None
    pays: list[Pay] | None = None  # None: paid normally at due date
    description: str | None = None
    ocr: str | None = None
    board: str | None = None


def pay_date(d: date) -> date:
    return next_working_day(d + timedelta(days=30))


class Purchasing:
    def __init__(self, w: World) -> None:
        self.w = w
        self.rng = w.rng
        self.suppliers: list[Supplier] = []
        self.names: set[str] = set()
        self.by_postal: dict[str, list[str]] = {}
        self.contracts: list[list[str]] = []
        self.roles: list[list[str]] = []
        self.injected: list[Inv] = []
        self.manual_pays: list[tuple[Supplier, Pay]] = []
        self.next_sid = 10000
        self.next_contract = 0
        self.partner_invoices: list[Inv] = []

    # --- suppliers ------------------------------------------------------------

    def _name(self) -> str:
        rng = self.rng
        for attempt in range(40):
            trade = TRADES[rng.randrange(len(TRADES))][0]
            r = rng.random()
            if r < 0.4:
                base = f"{rng.choice(LAST_NAMES)}s {trade}"
            elif r < 0.8:
                base = f"{rng.choice(PLACES)} {trade}"
            else:
                base = f"{rng.choice(PLACES)}{rng.choice(SUFFIXES)}"
            if attempt > 20:
                base += f" {rng.choice(PLACES)}"
            name = f"{base} {rng.choice(('AB', 'AB', 'AB', 'Aktiebolag', 'HB'))}"
            if norm_name(name) not in self.names:
                return name
        raise RuntimeError("ran out of supplier names")

    def _register_name(self, name: str, postal_code: str, check: bool = True) -> bool:
        """Record a name; refuse one that is near-identical to another at the same postal code."""
        n = norm_name(name)
        if check:
            for other in self.by_postal.get(postal_code, ()):
                if JaroWinkler.similarity(n, other) >= 0.9:
                    return False
        self.names.add(n)
        self.by_postal.setdefault(postal_code, []).append(n)
        return True

    def new_supplier(
        self,
        *,
        name: str | None = None,
        kind: str = "small",
        orgnr: str | None = None,
        board: str | None = None,
        trade: int | None = None,
        created: date | None = None,
        account: str | None = None,
        postal: tuple[str, str] | None = None,
        address: str | None = None,
        check_name: bool = True,
        status: bool = True,
    ) -> Supplier:
        rng = self.rng
        w = self.w
        while True:
            nm = name or self._name()
            pc, city = postal or rng.choice(w.all_postal)
            if self._register_name(nm, pc, check=check_name and name is None):
                break
        self.next_sid += rng.randint(1, 7)
        tr = trade if trade is not None else rng.randrange(len(TRADES))
        for i, t in enumerate(TRADES):
            if t[0] in nm.split():
                tr = i if trade is None else tr
        created = created or date(rng.randint(2008, 2023), rng.randint(1, 12), rng.randint(1, 28))
        if account is None:
            r = rng.random()
            account = (
                w.ids.bankgiro() if r < 0.8 else w.ids.plusgiro() if r < 0.95 else w.ids.bank()
            )
        s = Supplier(
            sid=str(self.next_sid),
            name=nm,
            orgnr=orgnr if orgnr is not None else w.ids.orgnr(),
            address=address or f"{rng.choice(BUSINESS_STREETS)} {rng.randint(1, 60)}",
            postal_code=pc,
            city=city,
            created=created,
            created_by=rng.choice(w.registrars).eid,
            account=account,
            board=board or rng.choice(list(BOARDS)),
            trade=tr,
            kind=kind,
            registered=date(rng.randint(1975, created.year), rng.randint(1, 12), 1),
            style=rng.randrange(3),
            counter=rng.randint(1000, 900000),
            u0=rng.random(),
            lo=TRADES[tr][4],
            decades=TRADES[tr][5],
            status=status,
        )
        if s.registered > s.created:
            s.registered = date(s.created.year, 1, 1)
        self.suppliers.append(s)
        return s

    def make_background(self) -> None:
        w, rng = self.w, self.rng
        scale = w.scale
        n = max(60, round(1500 * (scale if scale <= 1 else math.sqrt(scale))))
        for i in range(n):
            contract = i < n * 0.12
            s = self.new_supplier(kind="contract" if contract else "small")
            if contract:
                s.weight = 1.0 / (i + 3) ** 0.8
                # at least 1 000 kr over three decades: even a supplier with 100 000
                # invoices a year never repeats an amount to the öre
                s.lo, s.decades = 3, 3
                self.add_contract(s, date(rng.randint(2021, 2024), rng.randint(1, 12), 1))
            else:
                # small suppliers: cheaper goods, capped spend (see _pick)
                s.lo, s.decades = rng.choice(((2, 2), (2, 2), (3, 1), (2, 3)))
                s.weight = rng.uniform(0.2, 1.0)
            if rng.random() < 0.15:
                # an old account replaced years ago: history, not a 2025 change
                old = w.ids.bankgiro()
                change = date(rng.randint(max(s.created.year, 2012), 2023), rng.randint(1, 12), 1)
                if change > s.created:
                    s.account_history.append(
                        (old, s.created, change - timedelta(days=1), s.created_by)
                    )
                    s.account_history.append(
                        (s.account, change, None, rng.choice(w.registrars).eid)
                    )
        contract_total = sum(s.weight for s in self.suppliers if s.kind == "contract")
        small_total = sum(s.weight for s in self.suppliers if s.kind == "small")
        for s in self.suppliers:
            if s.kind == "contract":
                s.weight *= 0.75 / contract_total
            elif s.kind == "small":
                s.weight *= 0.25 / small_total
        # each supplier numbers its invoices within its own block, so two suppliers'
        # numbers never coincide by chance (INV-SAME-NO-OTHER-SUPPLIER)
        start = 10_000
        n_total = 60000 * scale
        for s in self.suppliers:
            s.counter = start + rng.randrange(1000)
            start += 10_000 + int(100 * s.weight * n_total)
        # a few background company representatives (never employees or applicants)
        holders = [
            (w.people.take("adult"), person_name(rng)) for _ in range(round(300 * w.pscale) + 10)
        ]
        w.role_holders = holders
        for s in self.suppliers:
            if rng.random() < 0.5:
                for role in rng.sample(
                    ("styrelseledamot", "VD", "verklig huvudman", "firmatecknare"),
                    rng.randint(1, 2),
                ):
                    pnr, nm = rng.choice(holders)
                    self.roles.append([s.orgnr, pnr, role, iso(s.registered), "", nm])

    def add_contract(
        self,
        s: Supplier,
        valid_from: date,
        *,
        value: int | None = None,
        checked: date | None | bool = True,
        procurement: str | None = None,
    ) -> str:
        rng = self.rng
        self.next_contract += 1
        cid = f"AVT-{valid_from.year}-{self.next_contract:04d}"
        s.contract_id = cid
        if checked is True:
            checked = valid_from - timedelta(days=rng.randint(10, 60))
            self.w.status_rows.append(self.status_row(s, checked))
        value = value or rng.randint(5, 400) * 100_000_00
        self.contracts.append(
            [
                cid,
                s.orgnr,
                iso(valid_from),
                iso(date(valid_from.year + 4, valid_from.month, 1)),
                f"{value // 100}.00",
                procurement or rng.choice(("upphandling", "ramavtal")),
                TRADES[s.trade][1],
                s.board,
                iso(checked) if isinstance(checked, date) else "",
            ]
        )
        return cid

    def status_row(
        self,
        s: Supplier,
        checked: date,
        *,
        f_tax: bool = True,
        vat: bool = True,
        debt: int = 0,
        status: str = "aktiv",
        status_date: date | None = None,
    ) -> list[str]:
        return [
            s.orgnr,
            iso(checked),
            yes(f_tax),
            yes(vat),
            yes(TRADES[s.trade][0] != "Konsult"),
            f"{debt // 100}.00",
            status,
            iso(status_date or s.registered),
            iso(s.registered),
        ]

    # --- writing the registers ---------------------------------------------------

    def write_registers(self) -> None:
        w = self.w
        sup = Writer(w.out_dir, "suppliers")
        acc = Writer(w.out_dir, "supplier_accounts")
        for s in self.suppliers:
            sup.row(
                (
                    s.sid,
                    s.name,
                    s.orgnr,
                    s.address,
                    s.postal_code,
                    s.city,
                    s.country,
                    iso(s.created),
                    s.created_by,
                )
            )
            hist = s.account_history or [(s.account, s.created, None, s.created_by)]
            for a, f, t, by in hist:
                acc.row((s.sid, a, iso(f), iso(t), by))
            if s.status:
                # the yearly check every supplier gets in December
                w.status_rows.append(self.status_row(s, date(2024, 12, self.rng.randint(2, 13))))
        sup.close()
        acc.close()
        con = Writer(w.out_dir, "contracts")
        for r in self.contracts:
            con.row(r)
        con.close()
        st = Writer(w.out_dir, "supplier_status")
        for r in w.status_rows:
            st.row(r)
        st.close()
        cr = Writer(w.out_dir, "company_roles")
        for r in self.roles:
            cr.row(r)
        cr.close()

    # --- the invoice stream ------------------------------------------------------------

    def stream(self, progress: Callable[[int, int, str], None] | None) -> tuple[int, int]:
        w, rng = self.w, self.rng
        truth = w.truth
        inv = Writer(w.out_dir, "invoices")
        pay = Writer(w.out_dir, "payments")
        m = inv.money
        pm = pay.money
        n_total = round(60000 * w.scale)
        background = [s for s in self.suppliers if s.kind in ("small", "contract")]
        cum: list[float] = []
        acc = 0.0
        for s in background:
            acc += s.weight
            cum.append(acc)
        contract_suppliers = [s for s in background if s.kind == "contract"]
        days = [YEAR_START + timedelta(days=i) for i in range((YEAR_END - YEAR_START).days + 1)]
        wdays = [d for d in days if is_working_day(d)]
        per_day = n_total / len(wdays)
        injected: dict[date, list[Inv]] = {}
        for x in self.injected:
            injected.setdefault(x.d, []).append(x)
        window: dict[str, deque[tuple[int, int]]] = {}
        window_sum: dict[str, int] = {}
        year_sum: dict[str, int] = {}
        units = {b: units_of(b) for b in BOARDS}
        konton = {b: BOARDS[b][1] for b in BOARDS}
        registrars = [e.eid for e in w.registrars]
        attesters = {b: [e.eid for e in lst] for b, lst in w.attesters.items()}
        inv_no = 0
        pay_no = 0
        carry = 0.0
        done = 0
        received_offsets = [next_working_day(d + timedelta(days=1)) for d in days]
        day_index = {d: i for i, d in enumerate(days)}

        def emit(x: Inv, d: date, ds: str) -> None:
            nonlocal inv_no, pay_no
            inv_no += 1
            iid = f"F{25_000_000 + inv_no}"
            s = x.sup
            board = x.board or s.board
            account = x.account or s.account
            vat = (
                x.vat_ore
                if x.vat_ore is not None
                else x.ore * TRADES[s.trade][3] // (100 + TRADES[s.trade][3])
            )
            due = d + timedelta(days=30)
            inv.row(
                (
                    iid,
                    s.sid,
                    x.number,
                    ds,
                    m(x.ore),
                    m(vat),
                    due.isoformat(),
                    next_working_day(d + timedelta(days=2)).isoformat(),
                    account,
                    x.ocr if x.ocr is not None else with_luhn(f"{s.sid}{inv_no % 100000:05d}"),
                    board,
                    rng.choice(units[board]),
                    TRADES[s.trade][2],
                    x.description or TRADES[s.trade][1],
                    x.attested or rng.choice(attesters[board]),
                    x.registered or rng.choice(registrars),
                    s.contract_id if x.contract_id is None else x.contract_id,
                    "",
                )
            )
            if x.ref:
                truth.refs[x.ref] = iid
            pays = x.pays if x.pays is not None else [Pay(pay_date(d), x.ore)]
            for p in pays:
                pay_no += 1
                pid = f"P{25_000_000 + pay_no}"
                pay.row(
                    (
                        pid,
                        p.d.isoformat(),
                        pm(p.ore),
                        p.account or account,
                        iid if p.invoice else "",
                        s.sid,
                        s.name,
                        "leverantörsreskontra",
                    )
                )
                if p.ref:
                    truth.refs[p.ref] = pid

        for d in days:
            ds = d.isoformat()
            if d in injected:
                for x in injected[d]:
                    emit(x, d, ds)
            if not is_working_day(d):
                continue
            carry += per_day
            n = int(carry)
            carry -= n
            if n <= 0:
                continue
            o = d.toordinal()
            rec = received_offsets[day_index[d]].isoformat()
            due = (d + timedelta(days=30)).isoformat()
            pd = pay_date(d).isoformat()
            for s in rng.choices(background, cum_weights=cum, k=n):
                ore = s.next_amount()
                if s.kind == "small":
                    # keep small suppliers under the split and no-contract limits
                    dq = window.get(s.sid)
                    if dq is None:
                        dq = window[s.sid] = deque()
                        window_sum[s.sid] = 0
                    while dq and o - dq[0][0] > 30:
                        window_sum[s.sid] -= dq.popleft()[1]
                    if (
                        window_sum[s.sid] + ore > 90_000_00
                        or year_sum.get(s.sid, 0) + ore > 600_000_00
                    ):
                        s = rng.choice(contract_suppliers)
                        ore = s.next_amount()
                    else:
                        dq.append((o, ore))
                        window_sum[s.sid] += ore
                        year_sum[s.sid] = year_sum.get(s.sid, 0) + ore
                inv_no += 1
                pay_no += 1
                iid = f"F{25_000_000 + inv_no}"
                tr = TRADES[s.trade]
                board = s.board
                number = s.number(rng.randint(2, 60))
                inv.row(
                    (
                        iid,
                        s.sid,
                        number,
                        ds,
                        m(ore),
                        m(ore * tr[3] // (100 + tr[3])),
                        due,
                        rec,
                        s.account,
                        f"{s.sid}{s.counter}" if s.style else "",
                        board,
                        rng.choice(units[board]),
                        rng.choice(konton[board]) if s.kind == "small" else tr[2],
                        tr[1],
                        rng.choice(attesters[board]),
                        rng.choice(registrars),
                        s.contract_id,
                        "",
                    )
                )
                pay.row(
                    (
                        f"P{25_000_000 + pay_no}",
                        pd,
                        pm(ore),
                        s.account,
                        iid,
                        s.sid,
                        s.name,
                        "leverantörsreskontra",
                    )
                )
            done += n
            if progress:
                progress(done, n_total, "invoices")
        for s, p in self.manual_pays:
            pay_no += 1
            pid = f"P{25_000_000 + pay_no}"
            pay.row(
                (
                    pid,
                    p.d.isoformat(),
                    pm(p.ore),
                    p.account or s.account,
                    "",
                    s.sid,
                    s.name,
                    "leverantörsreskontra",
                )
            )
            if p.ref:
                truth.refs[p.ref] = pid
        from tillit.analytics.generate import _second

        # the second family's invoices with lines, after every other invoice and payment
        inv_no, pay_no = _second.write_invoices(w, inv, pay, inv_no, pay_no)
        inv.close()
        pay.close()
        return inv.rows, pay.rows


def attester_of(w: World, board: str) -> Employee:
    return w.rng.choice(w.attesters[board])


__all__ = [
    "Purchasing",
    "Supplier",
    "Inv",
    "Pay",
    "norm_name",
    "plus",
    "wd",
    "giro_digits",
    "bankgiro_from_digits",
    "luhn",
]
