"""Injected cases and decoys for the INV-* (supplier invoices) controls (analytics/controls/inv.py).

One function per scenario, run in its stage at its order (scenarios/__init__.py)."""

from __future__ import annotations

import dataclasses
import random
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from tillit.analytics import peppol
from tillit.analytics.generate._base import MUNICIPALITY_NAME, Ids, next_working_day, with_luhn
from tillit.analytics.generate._purchasing import TRADES, Supplier
from tillit.analytics.generate._purchasing_cases import _is_wd, _next_wd
from tillit.analytics.generate._second import LateInvoice, decoy_supplier, second
from tillit.analytics.generate._world import units_of, wd
from tillit.analytics.generate.scenarios import scenario

if TYPE_CHECKING:
    from tillit.analytics.generate._purchasing_cases import Injector
    from tillit.analytics.generate._welfare import Welfare


@scenario("injector.duplicates", 10)
def inv_dup_exact(inj: Injector) -> None:
    t = inj.t
    # INV-DUP-EXACT (and therefore INV-DUP-FUZZY): the same invoice registered twice
    s = inj.sup("Bergström Bygg & Montage AB", "Bygg")
    a = inj.inv(s, wd(2, 11), "45812", 48_312_50)
    b = inj.inv(s, wd(3, 4), "45812", 48_312_50)
    for c in ("INV-DUP-EXACT", "INV-DUP-FUZZY"):
        t.case(
            c,
            [a[0], b[0]],
            "supplier",
            s.sid,
            48_312_50,
            "Same invoice number and amount registered twice, three weeks apart; both paid.",
        )
    s = inj.sup("Nordens Kontorsmaterial AB", "Kontorsmaterial", board="Kommunstyrelsen")
    a = inj.inv(s, wd(5, 6), "0078215", 12_845_60)
    b = inj.inv(s, wd(6, 10), "78215", 12_845_60)
    for c in ("INV-DUP-EXACT", "INV-DUP-FUZZY"):
        t.case(
            c,
            [a[0], b[0]],
            "supplier",
            s.sid,
            12_845_60,
            "Invoice numbers 0078215 and 78215 are equal once leading zeros are stripped.",
        )


@scenario("injector.duplicates", 20)
def inv_dup_exact_2(inj: Injector) -> None:
    t = inj.t
    # the same company registered twice: same valid orgnr, two supplier ids
    s1 = inj.sup("Lindholms Transport AB", "Transport", board="Barn- och utbildningsnämnden")
    s2 = inj.sup(
        "Lindholm Transport Aktiebolag",
        "Transport",
        board="Barn- och utbildningsnämnden",
        orgnr=s1.orgnr,
        created=date(2024, 2, 20),
    )
    s2.created_by = inj.rng.choice(inj.w.registrars).eid
    a = inj.inv(s1, wd(4, 14), "2025-1187", 23_416_80)
    b = inj.inv(s2, wd(5, 19), "2025-1187", 23_416_80)
    for c in ("INV-DUP-EXACT", "INV-DUP-FUZZY"):
        t.case(
            c,
            [a[0], b[0]],
            "supplier",
            s1.sid,
            23_416_80,
            "Same invoice on two supplier records that share one organisationsnummer.",
        )
    t.case(
        "SUP-DUPLICATE",
        [f"suppliers:{s1.sid}", f"suppliers:{s2.sid}"],
        "supplier",
        s1.sid,
        23_416_80,
        "Two active supplier records with the same organisationsnummer.",
    )
    t.case(
        "INV-SAME-NO-OTHER-SUPPLIER",
        [a[0], b[0]],
        "supplier",
        s2.sid,
        23_416_80,
        "Same number and amount on two supplier records (here the same company twice).",
    )


@scenario("injector.duplicates", 30)
def inv_dup_fuzzy(inj: Injector) -> None:
    t = inj.t
    # INV-DUP-FUZZY only
    fz = [
        (
            "Österlens Elteknik AB",
            "El",
            "B10457",
            "810457",
            17_950_40,
            (4, 7),
            (5, 20),
            "OCR look-alike: B10457 and 810457 (B read as 8).",
        ),
        (
            "Moheda Måleri AB",
            "Måleri",
            "66138",
            "61638",
            9_312_25,
            (6, 3),
            (6, 24),
            "Adjacent transposition: 66138 and 61638.",
        ),
        (
            "Sandby Markentreprenad AB",
            "Mark",
            "30571",
            "30571-1",
            54_128_00,
            (9, 9),
            (10, 14),
            "Suffix added: 30571 and 30571-1.",
        ),
    ]
    for name, trade, n1, n2, ore, d1, d2, note in fz:
        s = inj.sup(name, trade)
        a = inj.inv(s, wd(*d1), n1, ore)
        b = inj.inv(s, wd(*d2), n2, ore)
        t.case("INV-DUP-FUZZY", [a[0], b[0]], "supplier", s.sid, ore, note)
    s = inj.sup("Granby Verktyg AB", "Verktyg")
    a = inj.inv(s, wd(8, 19), "71204", 6_480_75)
    b = inj.inv(s, wd(8, 19), "71388", 6_480_75)
    t.case(
        "INV-DUP-FUZZY",
        [a[0], b[0]],
        "supplier",
        s.sid,
        6_480_75,
        "Same supplier, same amount, same invoice date, different numbers.",
    )


@scenario("injector.duplicates", 40)
def inv_dup_fuzzy_2(inj: Injector) -> None:
    t = inj.t
    # two records with the same normalised name, one without orgnr, at the same postal code
    s1 = inj.sup("Sjöbergs Elservice AB", "El", board="Vård- och omsorgsnämnden")
    s2 = inj.sup(
        "SJÖBERGS ELSERVICE",
        "El",
        board="Vård- och omsorgsnämnden",
        orgnr="",
        postal=(s1.postal_code, s1.city),
        address=s1.address,
        status=False,
        created=date(2024, 9, 2),
    )
    a = inj.inv(s1, wd(3, 25), "9921", 31_775_00)
    b = inj.inv(s2, wd(4, 29), "9921A", 31_775_00)
    t.case(
        "INV-DUP-FUZZY",
        [a[0], b[0]],
        "supplier",
        s1.sid,
        31_775_00,
        "Same normalised supplier name on two records; numbers 9921 and 9921A.",
    )
    t.case(
        "SUP-DUPLICATE",
        [f"suppliers:{s1.sid}", f"suppliers:{s2.sid}"],
        "supplier",
        s1.sid,
        31_775_00,
        "Same normalised name at the same postal code; one record lacks orgnr.",
    )
    t.case(
        "SUP-ORGNR",
        [f"suppliers:{s2.sid}", b[1]],
        "supplier",
        s2.sid,
        31_775_00,
        "Supplier record without organisationsnummer was paid.",
    )


@scenario("injector.duplicates", 50)
def inv_dup_fuzzy_3(inj: Injector) -> None:
    t = inj.t
    # decoys: recurring rent and licence invoices with consecutive numbers
    for name, trade, first, ore, board in (
        (
            "Fastighets AB Kvarnen",
            "Fastighetsservice",
            4520,
            38_412_50,
            "Kultur- och fritidsnämnden",
        ),
        ("Kommunsystem Nord AB", "Data", 20031, 12_118_75, "Kommunstyrelsen"),
    ):
        s = inj.sup(name, trade, board=board)
        inj.p.add_contract(s, date(2022, 1, 1), procurement="upphandling")
        keys = []
        for i in range(12):
            keys.append(inj.inv(s, wd(i + 1, 1), str(first + i), ore)[0])
        # other invoices with a separate series, so the supplier is not one-customer-only
        for i in range(12):
            inj.inv(
                s,
                wd(i + 1, 17),
                f"S{81000 + 37 * i + inj.rng.randint(1, 20)}",
                s.next_amount(),
            )
        t.decoy(
            ["INV-DUP-FUZZY", "INV-DUP-EXACT", "PAY-DUP"],
            keys,
            "Monthly recurring invoice (same amount, consecutive numbers, different dates).",
        )


@scenario("injector.duplicates", 60)
def inv_dup_exact_3(inj: Injector) -> None:
    t = inj.t
    # decoy: a duplicate cancelled by a credit note from the same supplier
    s = inj.sup("Skånes Mattor och Golv AB", "Bygg", board="Barn- och utbildningsnämnden")
    a = inj.inv(s, wd(3, 12), "88120", 27_455_00)
    b = inj.inv(s, wd(3, 19), "88120", 27_455_00, pays=[])
    c = inj.inv(
        s,
        wd(3, 26),
        "K88120",
        -27_455_00,
        pays=[],
        description="Kreditering av dubblettfaktura 88120",
    )
    t.decoy(
        ["INV-DUP-EXACT", "INV-DUP-FUZZY"],
        [a[0], b[0], c[0]],
        "Duplicate invoice cancelled by a credit note (negative amount) from the same supplier; "
        "only one of them was paid.",
    )


@scenario("injector.limits", 10)
def inv_split(inj: Injector) -> None:
    t = inj.t
    # INV-SPLIT (and INV-NO-CONTRACT): invoices just under the limit, together above it
    for name, trade, board, dates, amounts in (
        (
            "Hedby Markarbeten AB",
            "Mark",
            "Tekniska nämnden",
            [(5, 5), (5, 12), (5, 19), (5, 28)],
            [198_450_20, 214_300_75, 187_920_40, 176_015_60],
        ),
        (
            "Kulla Möbler AB",
            "Möbler",
            "Barn- och utbildningsnämnden",
            [(9, 1), (9, 10), (9, 19)],
            [245_610_30, 262_118_90, 231_774_15],
        ),
    ):
        s = inj.sup(name, trade, board=board)
        keys = [
            inj.inv(s, wd(*d), str(3100 + 17 * i + i * i), ore)[0]
            for i, (d, ore) in enumerate(zip(dates, amounts, strict=True))
        ]
        total = sum(amounts)
        t.case(
            "INV-SPLIT",
            keys,
            "supplier",
            s.sid,
            total,
            "Invoices without contract within 30 days, each under 700 000 kr, together above it.",
        )
        t.case(
            "INV-NO-CONTRACT",
            keys,
            "supplier",
            s.sid,
            total,
            "Spend without contract in 2025 above the direct-procurement limit.",
        )
    s = inj.sup("Forsby Läromedel AB", "Läromedel", board="Kultur- och fritidsnämnden")
    amounts = [38_412_20, 41_225_70, 36_980_45]
    keys = [
        inj.inv(s, wd(10, 6 + 8 * i), str(7710 + 13 * i), ore)[0] for i, ore in enumerate(amounts)
    ]
    t.case(
        "INV-SPLIT",
        keys,
        "supplier",
        s.sid,
        sum(amounts),
        "Second tier only (routine limit 100 000 kr, severity medel): three invoices in 17 days.",
    )


@scenario("injector.limits", 20)
def inv_no_contract(inj: Injector) -> None:
    t = inj.t
    # INV-NO-CONTRACT without a split: one invoice a month, more than 30 days apart
    for name, trade, board, n, base in (
        ("Ekeby Konsult AB", "Konsult", "Miljö- och byggnadsnämnden", 11, 68_000_00),
        ("Alby Omsorg AB", "Omsorg", "Vård- och omsorgsnämnden", 10, 78_000_00),
    ):
        s = inj.sup(name, trade, board=board)
        d = wd(1, 2)
        keys, total = [], 0
        for i in range(n):
            ore = base + inj.rng.randint(-3_000_00, 3_000_00) + 37
            keys.append(inj.inv(s, d, str(220 + 9 * i), ore)[0])
            total += ore
            d = _next_wd(d + timedelta(days=31))
        t.case(
            "INV-NO-CONTRACT",
            keys,
            "supplier",
            s.sid,
            total,
            "Monthly invoices without contract, together above 700 000 kr in 2025.",
        )


@scenario("injector.limits", 30)
def inv_no_check(inj: Injector) -> None:
    t = inj.t
    # INV-NO-CHECK: contract signed before the counterparty was checked
    s = inj.sup("Glimåkra Bygg AB", "Bygg", board="Tekniska nämnden", status=False)
    cid = inj.p.add_contract(
        s, date(2025, 2, 1), value=1_450_000_00, checked=None, procurement="upphandling"
    )
    inj.w.status_rows.append(inj.p.status_row(s, date(2025, 4, 10)))
    for m in (2, 3, 5):
        inj.inv(s, wd(m, 20), str(610 + m * 3), s.next_amount() + 50_000_00)
    t.case(
        "INV-NO-CHECK",
        [f"contracts:{cid}", f"suppliers:{s.sid}"],
        "supplier",
        s.sid,
        1_450_000_00,
        "Contract from 2025-02-01; the first check of the supplier is 2025-04-10.",
    )
    s = inj.sup("Söderslätt Konsult AB", "Konsult", board="Socialnämnden", status=False)
    a = inj.inv(s, wd(3, 18), "1044", 148_500_30)
    inj.w.status_rows.append(inj.p.status_row(s, date(2025, 6, 2)))
    t.case(
        "INV-NO-CHECK",
        [a[0], f"suppliers:{s.sid}"],
        "supplier",
        s.sid,
        148_500_30,
        "Direct procurement above 100 000 kr with no prior check of the supplier.",
    )
    s = inj.sup("Nordkap IT AB", "Data", board="Kommunstyrelsen", status=False)
    cid = inj.p.add_contract(
        s, date(2025, 6, 1), value=380_000_00, checked=None, procurement="direktupphandling"
    )
    inj.inv(s, wd(6, 16), "2025-0101", 41_312_00)
    t.case(
        "INV-NO-CHECK",
        [f"contracts:{cid}", f"suppliers:{s.sid}"],
        "supplier",
        s.sid,
        380_000_00,
        "Direct procurement of 380 000 kr; the supplier was never checked.",
    )


@scenario("injector.patterns", 10)
def inv_seq(inj: Injector) -> None:
    t, rng = inj.t, inj.rng
    # INV-SEQ: the municipality looks like the supplier's only customer
    for name, numbers in (
        ("Bergsjö Fastighetsservice AB", list(range(1001, 1011))),
        ("Lunds Trädgårdstjänst AB", [2041, 2042, 2043, 2044, 2046, 2047, 2048, 2049]),
    ):
        s = inj.sup(
            name,
            "Fastighetsservice" if "Fast" in name else "Trädgård",
            board="Tekniska nämnden",
        )
        d = wd(1, 20)
        keys = []
        for n in numbers:
            keys.append(inj.inv(s, d, str(n), 15_000_00 + rng.randint(0, 14_000_00) + 11)[0])
            d = _next_wd(d + timedelta(days=31))
        t.case(
            "INV-SEQ",
            keys,
            "supplier",
            s.sid,
            0,
            f"{len(numbers)} invoices with (nearly) consecutive numbers.",
        )


@scenario("injector.patterns", 20)
def inv_round(inj: Injector) -> None:
    t, rng = inj.t, inj.rng
    # INV-ROUND: many round amounts, and amounts just under the limit
    s = inj.sup("Vargby Måleri AB", "Måleri", board="Kultur- och fritidsnämnden")
    keys = []
    for i in range(12):
        ore = (
            rng.choice((3, 4, 5, 6, 8)) * 1000_00
            if i % 2 == 0 or i == 5
            else rng.randint(1_100_00, 7_900_00) + 13
        )
        keys.append(inj.inv(s, wd(i + 1, 13), str(9150 + 7 * i), ore)[0])
    t.case("INV-ROUND", keys, "supplier", s.sid, 0, "7 of 12 invoices are whole thousands.")
    s = inj.sup("Högby Entreprenad AB", "Bygg", board="Tekniska nämnden")
    k = inj.inv(s, wd(6, 17), "20250617", 689_450_20)
    t.case(
        "INV-ROUND",
        [k[0]],
        "supplier",
        s.sid,
        689_450_20,
        "Amount just below the direct-procurement limit (90–100 % of 700 000 kr).",
    )
    s = inj.sup("Skogsby Bygg AB", "Bygg", board="Barn- och utbildningsnämnden")
    k = inj.inv(s, wd(10, 21), "4471", 652_300_80)
    t.case(
        "INV-ROUND",
        [k[0]],
        "supplier",
        s.sid,
        652_300_80,
        "Amount just below the direct-procurement limit (90–100 % of 700 000 kr).",
    )


@scenario("injector.patterns", 30)
def inv_holiday(inj: Injector) -> None:
    t = inj.t
    # INV-HOLIDAY
    s = inj.sup("Falkby Livsmedel AB", "Livsmedel", board="Vård- och omsorgsnämnden")
    for d, why in (
        (date(2025, 12, 25), "juldagen"),
        (date(2025, 6, 6), "nationaldagen"),
        (date(2025, 3, 15), "a Saturday"),
    ):
        k = inj.inv(s, d, str(60000 + d.toordinal() % 997), 4_000_00 + d.toordinal() % 9000 + 17)
        t.case("INV-HOLIDAY", [k[0]], "supplier", s.sid, 0, f"Invoice dated {d} ({why}).")


@scenario("injector.patterns", 40)
def inv_benford(inj: Injector) -> None:
    t, rng = inj.t, inj.rng
    # INV-BENFORD: two suppliers whose amounts crowd a few leading digits
    for name, lo, hi in (
        ("Sydkust Konsultgrupp AB", 40_000_00, 49_999_99),
        ("Torpa Bemanning AB", 7_000_00, 7_999_99),
    ):
        s = inj.sup(name, "Bemanning" if "Beman" in name else "Konsult", board="Socialnämnden")
        inj.p.add_contract(s, date(2024, 1, 1), procurement="ramavtal")
        days = [d for d in (date(2025, 1, 1) + timedelta(days=i) for i in range(365)) if _is_wd(d)]
        keys = []
        for i in range(320):
            ore = rng.randint(lo, hi)
            if ore % 100 == 0:
                ore += 7
            keys.append(inj.inv(s, days[(i * 7) % len(days)], s.number(rng.randint(2, 30)), ore)[0])
        t.case(
            "INV-BENFORD",
            [f"suppliers:{s.sid}"],
            "supplier",
            s.sid,
            0,
            f"320 invoices all between {lo // 100} and {hi // 100} kr: first-two-digit "
            "distribution far from Benford.",
        )


@scenario("injector.payments", 40)
def inv_same_no_other_supplier(inj: Injector) -> None:
    # INV-SAME-NO-OTHER-SUPPLIER
    for n1, n2, ore, d1, d2, na, nb in (
        ("204417", "204417", 31_250_40, (4, 8), (4, 23), "Rosendal", "Vargby"),
        ("FA-88314", "FA88314", 7_915_00, (10, 7), (10, 21), "Falkby", "Hammar"),
    ):
        sa = inj.sup(f"{na} Konsult AB", "Konsult", board="Socialnämnden")
        sb = inj.sup(
            f"{nb} Konsultgrupp AB", "Konsult", board="Socialnämnden", created=date(2023, 5, 2)
        )
        a = inj.inv(sa, wd(*d1), n1, ore)
        b = inj.inv(sb, wd(*d2), n2, ore)
        inj.t.case(
            "INV-SAME-NO-OTHER-SUPPLIER",
            [a[0], b[0]],
            "supplier",
            sb.sid,
            ore,
            f"Invoice number {n1} with the same amount from two unrelated suppliers.",
        )


# --- INV-PRICE-OVER-CONTRACT ---------------------------------------------------------------------
# A cleaning contractor under a framework agreement with a price list (contract_prices) sends the
# technical board one invoice a month with lines (invoice_lines, and as Peppol BIS Billing 3 XML
# in peppol/). Everything here draws from its own random stream and numbers its own suppliers and
# contracts, so that neither the background nor another second-family scenario changes; the
# invoices are written after every other invoice (_second.write_invoices).

_PRICE_BOARD = "Tekniska nämnden"
_BUYER_ORGNR = "2120009994"  # the synthetic municipality's organisation number (Luhn-valid)
# article, description, unit, contract price in öre
_PRICE_LIST = (
    ("STÄD-H", "Lokalvård enligt städprogram, per timme", "HUR", 420_00),
    ("STÄD-FÖNSTER", "Fönsterputs, per fönster", "EA", 96_40),
    ("STÄD-STORST", "Storstädning av avdelning", "EA", 6_812_50),
)


def _price_invoice(
    wf: Welfare,
    rng: random.Random,
    s: Supplier,
    cid: str,
    month: int,
    lines: list[tuple[str, int, int]],
    ref: str,
) -> tuple[str, str]:
    """One invoice dated in `month` with lines (article, quantity in hundredths, unit price in öre),
    in the ledger's files and as a Peppol BIS Billing 3 e-invoice in peppol/."""
    s2 = second(wf.w)
    texts = {a: (t, u) for a, t, u, _p in _PRICE_LIST}
    net = 0
    xml_lines = []
    for no, (article, qty, price) in enumerate(lines, 1):
        amount = (qty * price + 50) // 100  # rounded half up, as BIS 3 rounds a line's amount
        net += amount
        text, unit = texts.get(article, ("Förbrukningsmaterial", "EA"))
        s2.lines.append((ref, no, article, text, qty, unit, price, amount))
        xml_lines.append(
            peppol.Line(
                no,
                article,
                text,
                Decimal(qty) / 100,
                unit,
                Decimal(price) / 100,
                Decimal(amount) / 100,
            )
        )
    day = wd(month, rng.randint(3, 20))
    s.counter += rng.randint(37, 211)
    vat = (net * 25 + 50) // 100
    x = LateInvoice(
        ref=ref,
        sup=s,
        d=day,
        number=f"GL{s.counter}",
        ore=net + vat,
        vat_ore=vat,
        contract_id=cid,
        unit=rng.choice(units_of(_PRICE_BOARD)),
        attested=rng.choice(wf.w.attesters[_PRICE_BOARD]).eid,
        registered=rng.choice(wf.w.registrars).eid,
        paid=next_working_day(day + timedelta(days=30)),
        pay_ref=f"{ref}-pay",
    )
    s2.invoices.append(x)
    folder = wf.w.out_dir / "peppol"
    folder.mkdir(exist_ok=True)
    (folder / f"{s.orgnr}-{x.number}.xml").write_bytes(
        peppol.invoice_xml(
            number=x.number,
            issue_date=day,
            due_date=day + timedelta(days=30),
            seller=peppol.Party(s.name, s.orgnr, s.address, s.city, s.postal_code),
            buyer=peppol.Party(
                MUNICIPALITY_NAME, _BUYER_ORGNR, "Stadshusgatan 1", "Exempelstad", "12345"
            ),
            buyer_reference=x.attested,
            contract_id=cid,
            order_id="",
            bankgiro=s.account.removeprefix("BG:"),
            payment_id=with_luhn(f"{s.sid}{x.number[-5:]}"),
            vat_percent=25,
            lines=xml_lines,
        )
    )
    return ("invoices", ref)


@scenario("welfare.build_permits", 150)
def inv_price_over_contract(wf: Welfare) -> None:
    t = wf.t
    w = wf.w
    rng = random.Random("tillit-inv-price-over-contract")
    ids = Ids(rng)
    ids.used = w.ids.used
    pc, city = rng.choice(w.local_postal)
    s = Supplier(
        sid="995011",
        name="Glansfulla Lokalvård AB",
        orgnr=ids.orgnr(),
        address=f"Industrigatan {rng.randint(2, 30)}",
        postal_code=pc,
        city=city,
        created=date(2015, 9, 1),
        created_by=w.registrars[0].eid,
        account=ids.bankgiro(),
        board=_PRICE_BOARD,
        trade=next(i for i, tr in enumerate(TRADES) if tr[0] == "Städ"),
        kind="special",
        registered=date(2009, 4, 1),
        counter=40_000 + rng.randrange(5000),
        status=False,
    )
    wf.p.suppliers.append(s)
    w.status_rows.append(wf.p.status_row(s, date(2023, 11, 20)))
    cid = "AVT-2024-9501"
    wf.p.contracts.append(
        [
            cid,
            s.orgnr,
            "2024-01-01",
            "2027-12-31",
            "4200000.00",
            "ramavtal",
            "Lokalvård",
            _PRICE_BOARD,
            "2023-11-20",
        ]
    )
    s2 = second(w)
    for article, _text, unit, price in _PRICE_LIST:
        s2.prices.append((cid, article, price, unit, date(2024, 1, 1), None))
    hours, windows = _PRICE_LIST[0][3], _PRICE_LIST[1][3]
    # the months billed at the contract's prices (some with material that has no contract price)
    for month in (1, 2, 3, 4, 6, 7, 8, 10, 12):
        lines = [("STÄD-H", rng.randint(160, 240) * 50, hours)]
        if rng.random() < 0.5:
            lines.append(("STÄD-FÖNSTER", rng.randint(20, 80) * 100, windows))
        if rng.random() < 0.3:
            lines.append(("MTRL", 100, rng.randint(400_00, 2_400_00) + 37))
        _price_invoice(wf, rng, s, cid, month, lines, f"price-m{month}")
    # INV-PRICE-OVER-CONTRACT: 463,90 kr an hour against 420,00 (10,5 % over: hög) for 124 hours
    a = _price_invoice(
        wf, rng, s, cid, 5, [("STÄD-H", 124_00, 463_90), ("STÄD-FÖNSTER", 40_00, windows)], "price1"
    )
    t.case(
        "INV-PRICE-OVER-CONTRACT",
        [a, f"contracts:{cid}"],
        "invoice",
        "price1",
        5_443_60,
        "The hourly price of the contract's cleaning raised from 420,00 to 463,90 kr for 124 hours.",
    )
    # the same with a big cleaning at 7 245,00 kr against 6 812,50 (6,3 % over: medel)
    b = _price_invoice(
        wf, rng, s, cid, 9, [("STÄD-H", 181_50, hours), ("STÄD-STORST", 3_00, 7_245_00)], "price2"
    )
    t.case(
        "INV-PRICE-OVER-CONTRACT",
        [b, f"contracts:{cid}"],
        "invoice",
        "price2",
        1_297_50,
        "Three big cleanings billed at 7 245,00 kr each against the contract's 6 812,50 kr.",
    )
    # decoy: 428,40 kr an hour, exactly 2 % above the contract price of 420,00
    d = _price_invoice(wf, rng, s, cid, 11, [("STÄD-H", 131_50, 428_40)], "price3")
    t.decoy(
        ["INV-PRICE-OVER-CONTRACT"],
        [d],
        "An hourly price exactly 2 % above the contract price, the tolerance: not a hit.",
    )


# --- decoys for the INV-* controls that had none (issue 11) --------------------------------------
# Each scenario below runs in the last stage, after every existing scenario of it, from its own
# random stream, with its own supplier records (ids 9952xx) and invoices written after every other
# invoice (_second.write_invoices): no existing file, id or hit changes. Each supplier was checked
# (supplier_status) long before it invoiced, so INV-NO-CHECK has nothing to say about it unless a
# decoy is about the check.


def _decoy_supplier(
    wf: Welfare,
    rng: random.Random,
    sid: str,
    name: str,
    trade: str,
    board: str,
    *,
    checked: date | None = date(2023, 10, 2),
) -> Supplier:
    """A supplier record outside the background's random stream, checked on `checked`."""
    return decoy_supplier(
        wf,
        rng,
        sid,
        name,
        trade,
        board,
        checked=checked,
        created=date(2014, 5, 12),
        street="Verkstadsgatan",
        registered=date(2008, 3, 1),
    )


def _decoy_contract(
    wf: Welfare, s: Supplier, cid: str, valid_from: date, value_ore: int, checked: date
) -> str:
    wf.p.contracts.append(
        [
            cid,
            s.orgnr,
            valid_from.isoformat(),
            date(valid_from.year + 4, valid_from.month, 1).isoformat(),
            f"{value_ore // 100}.00",
            "upphandling",
            TRADES[s.trade][1],
            s.board,
            checked.isoformat(),
        ]
    )
    return cid


def _late_invoice(
    wf: Welfare,
    rng: random.Random,
    s: Supplier,
    ref: str,
    day: date,
    number: str,
    ore: int,
    *,
    contract_id: str = "",
    paid: date | None = None,
    board: str | None = None,
) -> tuple[str, str]:
    """One invoice (VAT included at the trade's rate), paid on `paid` (default 30 days on), written
    after every other invoice; `board` bills another board than the supplier's own."""
    board = board or s.board
    rate = TRADES[s.trade][3]
    sup = s if board == s.board else dataclasses.replace(s, board=board)
    second(wf.w).invoices.append(
        LateInvoice(
            ref=ref,
            sup=sup,
            d=day,
            number=number,
            ore=ore,
            vat_ore=ore * rate // (100 + rate),
            contract_id=contract_id,
            unit=rng.choice(units_of(board)),
            attested=rng.choice(wf.w.attesters[board]).eid,
            registered=rng.choice(wf.w.registrars).eid,
            paid=paid or next_working_day(day + timedelta(days=30)),
            pay_ref=f"{ref}-pay",
        )
    )
    return ("invoices", ref)


@scenario("welfare.build_permits", 2301)
def inv_holiday_decoy(wf: Welfare) -> None:
    rng = random.Random("tillit-decoy-inv-holiday")
    s = _decoy_supplier(
        wf, rng, "995201", "Julita Bageri AB", "Livsmedel", "Vård- och omsorgsnämnden"
    )
    # decoy: dated on Christmas Eve, Midsummer Eve and Whit Monday, none of them a public holiday
    # (the eves are days off in practice and in the generator's own calendar; Whit Monday stopped
    # being one in 2005): a rule reading a bank or office calendar would flag all three
    keys = [
        _late_invoice(wf, rng, s, f"dec-hol-{i}", d, str(n), ore)
        for i, (d, n, ore) in enumerate(
            (
                (date(2025, 6, 9), 30418, 3_412_60),
                (date(2025, 6, 20), 30577, 5_118_35),
                (date(2025, 12, 24), 31260, 2_874_90),
            )
        )
    ]
    wf.t.decoy(
        ["INV-HOLIDAY"],
        keys,
        "Invoices dated on Whit Monday, Midsummer Eve and Christmas Eve: working days by law, "
        "not public holidays: not a hit.",
    )


@scenario("welfare.build_permits", 2302)
def inv_no_contract_decoy(wf: Welfare) -> None:
    rng = random.Random("tillit-decoy-inv-no-contract")
    # decoy: exactly 700 000,00 kr without a contract in 2025, the limit itself (the rule asks for
    # more than the limit); the invoices are two months apart, so INV-SPLIT has no window
    s = _decoy_supplier(wf, rng, "995211", "Tygelsjö Markteknik AB", "Mark", "Tekniska nämnden")
    amounts = (171_250_40, 183_912_75, 166_480_10, 178_356_75)
    assert sum(amounts) == 700_000_00
    keys = [
        _late_invoice(wf, rng, s, f"dec-noc-{i}", wd(m, 10), f"{5120 + 37 * i}", ore)
        for i, (m, ore) in enumerate(zip((2, 4, 6, 9), amounts, strict=True))
    ]
    wf.t.decoy(
        ["INV-NO-CONTRACT"],
        keys,
        "Spend without contract of exactly 700 000 kr in the year, the limit: not a hit.",
    )
    # decoy: 912 000 kr in invoices that name no contract, from a supplier that has a contract
    # (by organisation number) valid on every invoice date; a rule reading only the invoice's
    # contract_id would flag it
    s = _decoy_supplier(wf, rng, "995213", "Skurups Ventilation AB", "VVS", "Tekniska nämnden")
    _decoy_contract(wf, s, "AVT-2024-9521", date(2024, 1, 1), 3_600_000_00, date(2023, 10, 2))
    covered = (181_204_35, 176_930_60, 189_415_20, 178_622_85, 185_827_00)
    keys = [
        _late_invoice(wf, rng, s, f"dec-noc-c{i}", wd(m, 14), f"{22104 + 41 * i}", ore)
        for i, (m, ore) in enumerate(zip((1, 3, 5, 8, 10), covered, strict=True))
    ]
    wf.t.decoy(
        ["INV-NO-CONTRACT"],
        keys,
        "Invoices without a contract number from a supplier whose contract (by organisation "
        "number) is valid on every invoice date: not a hit.",
    )


@scenario("welfare.build_permits", 2303)
def inv_no_check_decoy(wf: Welfare) -> None:
    rng = random.Random("tillit-decoy-inv-no-check")
    # decoy: the contract starts on the day the supplier was checked ("on or before" the start);
    # a rule asking for a check strictly before the start would flag it
    checked = date(2025, 3, 3)
    s = _decoy_supplier(
        wf, rng, "995221", "Vombs Entreprenad AB", "Bygg", "Tekniska nämnden", checked=checked
    )
    cid = _decoy_contract(wf, s, "AVT-2025-9522", checked, 960_000_00, checked)
    for i, m in enumerate((4, 6, 9)):
        _late_invoice(
            wf,
            rng,
            s,
            f"dec-chk-{i}",
            wd(m, 8),
            f"{880 + 13 * i}",
            84_310_45 + 9_117 * i,
            contract_id=cid,
        )
    wf.t.decoy(
        ["INV-NO-CHECK"],
        [f"contracts:{cid}", f"suppliers:{s.sid}"],
        "Contract starting on the day the supplier was checked: not a hit.",
    )
    # decoy: a direct purchase above the routine limit invoiced on the day of the check
    checked = date(2025, 5, 12)
    s = _decoy_supplier(
        wf, rng, "995223", "Klågerups Elinstallation AB", "El", "Kommunstyrelsen", checked=checked
    )
    k = _late_invoice(wf, rng, s, "dec-chk-d", checked, "25117", 128_450_30)
    wf.t.decoy(
        ["INV-NO-CHECK"],
        [k, f"suppliers:{s.sid}"],
        "Direct purchase above 100 000 kr invoiced on the day the supplier was checked: not a hit.",
    )


@scenario("welfare.build_permits", 2304)
def inv_split_decoy(wf: Welfare) -> None:
    rng = random.Random("tillit-decoy-inv-split")
    # decoy: two invoices without contract under the routine limit, together above it, 31 days
    # apart: one day outside the 30-day window (a calendar-month window would join them)
    s = _decoy_supplier(
        wf, rng, "995231", "Bjärreds Snickeri AB", "Bygg", "Barn- och utbildningsnämnden"
    )
    keys = [
        _late_invoice(wf, rng, s, "dec-split-0", date(2025, 3, 10), "7341", 58_412_30),
        _late_invoice(wf, rng, s, "dec-split-1", date(2025, 4, 10), "7398", 61_275_80),
    ]
    wf.t.decoy(
        ["INV-SPLIT"],
        keys,
        "Two invoices under the routine limit, together above it, 31 days apart: outside the "
        "30-day window: not a hit.",
    )
    # decoy: the same supplier invoicing two boards ten days apart, each under the routine limit
    # and together above it: the rule adds up per supplier and board
    s = _decoy_supplier(
        wf, rng, "995233", "Löddeköpinge Tryckeri AB", "Tryck", "Kultur- och fritidsnämnden"
    )
    keys = [
        _late_invoice(wf, rng, s, "dec-split-2", date(2025, 9, 8), "11873", 47_310_60),
        _late_invoice(
            wf,
            rng,
            s,
            "dec-split-3",
            date(2025, 9, 18),
            "11902",
            56_880_25,
            board="Kommunstyrelsen",
        ),
    ]
    wf.t.decoy(
        ["INV-SPLIT"],
        keys,
        "Two invoices to two different boards within ten days, each under the routine limit: "
        "split purchases are added up per board: not a hit.",
    )


@scenario("welfare.build_permits", 2305)
def inv_seq_decoy(wf: Welfare) -> None:
    rng = random.Random("tillit-decoy-inv-seq")
    # decoy: ten monthly invoices of which 7 of the 9 steps are +1 (share 0.78, the rule needs
    # 0.8 of the steps); counted per invoice, 8 of 10 "in sequence" would reach 80 %
    s = _decoy_supplier(wf, rng, "995241", "Genarps Fönsterputs AB", "Städ", "Tekniska nämnden")
    numbers = (501, 502, 503, 504, 507, 508, 509, 510, 514, 515)
    d = wd(1, 22)
    keys = []
    for i, n in enumerate(numbers):
        keys.append(
            _late_invoice(
                wf, rng, s, f"dec-seq-{i}", d, str(n), rng.randint(14_000_00, 28_000_00) + 37
            )
        )
        d = next_working_day(d + timedelta(days=31))
    wf.t.decoy(
        ["INV-SEQ"],
        keys,
        "Ten invoices, 7 of the 9 steps between them +1: below the 80 % share: not a hit.",
    )


@scenario("welfare.build_permits", 2306)
def inv_same_no_other_supplier_decoy(wf: Welfare) -> None:
    rng = random.Random("tillit-decoy-inv-same-no-other-supplier")
    # decoy: two unrelated suppliers whose invoices 04417 and 4417 have the same amount; the
    # number is four characters once the leading zero goes, too short to identify a claim (a rule
    # measuring the number as written would flag it)
    a = _decoy_supplier(wf, rng, "995251", "Veberöds Golv AB", "Bygg", "Socialnämnden")
    b = _decoy_supplier(wf, rng, "995253", "Lomma Kakel och Klinker AB", "Bygg", "Socialnämnden")
    keys = [
        _late_invoice(wf, rng, a, "dec-same-0", date(2025, 5, 7), "04417", 6_250_40),
        _late_invoice(wf, rng, b, "dec-same-1", date(2025, 8, 19), "4417", 6_250_40),
    ]
    wf.t.decoy(
        ["INV-SAME-NO-OTHER-SUPPLIER"],
        keys,
        "The same amount and invoice numbers 04417 and 4417 from two suppliers: four characters "
        "once normalised, below the five the rule needs: not a hit.",
    )


@scenario("welfare.build_permits", 2307)
def inv_round_decoy(wf: Welfare) -> None:
    rng = random.Random("tillit-decoy-inv-round")
    # decoy: a quarterly fee of 94 500 kr under a contract, 94.5 % of the routine limit, billed
    # four times: a standard amount (three or more invoices), not chosen to stay under the limit
    s = _decoy_supplier(wf, rng, "995261", "Kävlinge Larmcentral AB", "Data", "Kommunstyrelsen")
    cid = _decoy_contract(
        wf, s, "AVT-2024-9526", date(2024, 10, 1), 1_512_000_00, date(2024, 8, 19)
    )
    keys = [
        _late_invoice(
            wf,
            rng,
            s,
            f"dec-round-{i}",
            wd(m, 15),
            f"{8841 + 283 * i}",
            94_500_00,
            contract_id=cid,
        )
        for i, m in enumerate((1, 4, 7, 10))
    ]
    wf.t.decoy(
        ["INV-ROUND"],
        keys,
        "A quarterly fee of 94 500 kr billed four times (a standard amount) just below the "
        "routine limit: not a hit.",
    )
    # decoy: nine invoices, all whole thousands, one fewer than the test's ten
    s = _decoy_supplier(wf, rng, "995263", "Dalsjöfors Måleri AB", "Måleri", "Tekniska nämnden")
    d = wd(1, 27)
    keys = []
    for i, thousands in enumerate((3, 4, 5, 6, 7, 8, 9, 11, 12)):
        keys.append(
            _late_invoice(wf, rng, s, f"dec-round-t{i}", d, f"{640 + 11 * i}", thousands * 1000_00)
        )
        d = next_working_day(d + timedelta(days=33))
    wf.t.decoy(
        ["INV-ROUND"],
        keys,
        "Nine invoices in whole thousands: below the ten invoices the share needs: not a hit.",
    )


@scenario("welfare.build_permits", 2308)
def inv_benford_decoy(wf: Welfare) -> None:
    rng = random.Random("tillit-decoy-inv-benford")
    # decoy: 299 invoices all between 30 000 and 39 999 kr (digit pairs 30-39 only), one fewer than
    # the 300 the test needs; its board is Socialnämnden, whose own test the injected suppliers
    # already make nonconforming (test_synthetic.ANNOUNCED)
    s = _decoy_supplier(wf, rng, "995271", "Lomma Vikariepool AB", "Bemanning", "Socialnämnden")
    cid = _decoy_contract(
        wf, s, "AVT-2024-9527", date(2024, 1, 1), 12_000_000_00, date(2023, 10, 2)
    )
    days = [d for d in (date(2025, 1, 1) + timedelta(days=i) for i in range(365)) if _is_wd(d)]
    number = 61_000
    for i, ore in enumerate(rng.sample(range(30_000_00, 40_000_00), 299)):
        number += rng.randint(2, 30)
        if ore % 100 == 0:
            ore += 7
        _late_invoice(
            wf,
            rng,
            s,
            f"dec-benf-{i}",
            days[(i * 7) % len(days)],
            str(number),
            ore,
            contract_id=cid,
        )
    wf.t.decoy(
        ["INV-BENFORD"],
        [f"suppliers:{s.sid}"],
        "299 invoices crowded between 30 000 and 39 999 kr: one fewer than the test needs: "
        "not a hit.",
    )
