"""Injected cases and decoys for the supplier, invoice and payment controls."""

from __future__ import annotations

from datetime import date, timedelta

from tillit.analytics.generate._base import bankgiro_from_digits, giro_digits, iso
from tillit.analytics.generate._purchasing import (
    TRADES,
    Inv,
    Pay,
    Purchasing,
    Supplier,
    pay_date,
)
from tillit.analytics.generate._world import Employee, World, wd


def _trade(word: str) -> int:
    return next(i for i, t in enumerate(TRADES) if t[0] == word)


class Injector:
    def __init__(self, p: Purchasing) -> None:
        self.p = p
        self.w: World = p.w
        self.rng = p.rng
        self.t = p.w.truth
        self.n = 0

    def sup(self, name: str, trade: str, board: str = "Tekniska nämnden", **kw) -> Supplier:
        created = kw.pop("created", None) or date(
            self.rng.randint(2010, 2021), self.rng.randint(1, 12), self.rng.randint(1, 28)
        )
        s = self.p.new_supplier(
            name=name, kind="special", trade=_trade(trade), board=board, created=created, **kw
        )
        # special suppliers' ordinary invoices stay small, away from every limit
        s.lo, s.decades = 3, 1
        return s

    def inv(self, s: Supplier, d: date, number: str, ore: int, **kw) -> tuple[str, str]:
        """Add an invoice paid normally; returns the (invoices, payments) refs."""
        self.n += 1
        ref = f"i{self.n}"
        pays = kw.pop("pays", None)
        pref = f"p{self.n}"
        if pays is None:
            pays = [Pay(pay_date(d), ore, ref=pref)]
        elif pays:
            pref = pays[0].ref or pref
        self.p.injected.append(Inv(s, d, number, ore, ref=ref, pays=pays, **kw))
        return ("invoices", ref), ("payments", pref)  # type: ignore[return-value]

    def history(self, s: Supplier, months: range, day: int = 8) -> list[tuple[str, str]]:
        """Ordinary earlier invoices, so that account controls have a history to compare."""
        out = []
        for mth in months:
            out.append(
                # the account registered at the time, not whatever the supplier has at the end
                self.inv(s, wd(mth, day), s.number(self.rng.randint(7, 40)), s.next_amount(),
                         account=s.account)
            )
        return out

    def emp(self, board: str) -> Employee:
        return self.rng.choice(self.w.attesters[board])

    # -------------------------------------------------------------------------------

    def run(self) -> None:
        self.duplicates()
        self.payments()
        self.limits()
        self.suppliers()
        self.accounts()
        self.people()
        self.patterns()

    def duplicates(self) -> None:
        t = self.t
        # INV-DUP-EXACT (and therefore INV-DUP-FUZZY): the same invoice registered twice
        s = self.sup("Bergström Bygg & Montage AB", "Bygg")
        a = self.inv(s, wd(2, 11), "45812", 48_312_50)
        b = self.inv(s, wd(3, 4), "45812", 48_312_50)
        for c in ("INV-DUP-EXACT", "INV-DUP-FUZZY"):
            t.case(
                c,
                [a[0], b[0]],
                "supplier",
                s.sid,
                48_312_50,
                "Same invoice number and amount registered twice, three weeks apart; both paid.",
            )
        s = self.sup("Nordens Kontorsmaterial AB", "Kontorsmaterial", board="Kommunstyrelsen")
        a = self.inv(s, wd(5, 6), "0078215", 12_845_60)
        b = self.inv(s, wd(6, 10), "78215", 12_845_60)
        for c in ("INV-DUP-EXACT", "INV-DUP-FUZZY"):
            t.case(
                c,
                [a[0], b[0]],
                "supplier",
                s.sid,
                12_845_60,
                "Invoice numbers 0078215 and 78215 are equal once leading zeros are stripped.",
            )
        # the same company registered twice: same valid orgnr, two supplier ids
        s1 = self.sup("Lindholms Transport AB", "Transport", board="Barn- och utbildningsnämnden")
        s2 = self.sup(
            "Lindholm Transport Aktiebolag",
            "Transport",
            board="Barn- och utbildningsnämnden",
            orgnr=s1.orgnr,
            created=date(2024, 2, 20),
        )
        s2.created_by = self.rng.choice(self.w.registrars).eid
        a = self.inv(s1, wd(4, 14), "2025-1187", 23_416_80)
        b = self.inv(s2, wd(5, 19), "2025-1187", 23_416_80)
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
        self.dup_orgnr_pair = (s1, s2)

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
            s = self.sup(name, trade)
            a = self.inv(s, wd(*d1), n1, ore)
            b = self.inv(s, wd(*d2), n2, ore)
            t.case("INV-DUP-FUZZY", [a[0], b[0]], "supplier", s.sid, ore, note)
        s = self.sup("Granby Verktyg AB", "Verktyg")
        a = self.inv(s, wd(8, 19), "71204", 6_480_75)
        b = self.inv(s, wd(8, 19), "71388", 6_480_75)
        t.case(
            "INV-DUP-FUZZY",
            [a[0], b[0]],
            "supplier",
            s.sid,
            6_480_75,
            "Same supplier, same amount, same invoice date, different numbers.",
        )
        # two records with the same normalised name, one without orgnr, at the same postal code
        s1 = self.sup("Sjöbergs Elservice AB", "El", board="Vård- och omsorgsnämnden")
        s2 = self.sup(
            "SJÖBERGS ELSERVICE",
            "El",
            board="Vård- och omsorgsnämnden",
            orgnr="",
            postal=(s1.postal_code, s1.city),
            address=s1.address,
            status=False,
            created=date(2024, 9, 2),
        )
        a = self.inv(s1, wd(3, 25), "9921", 31_775_00)
        b = self.inv(s2, wd(4, 29), "9921A", 31_775_00)
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
            s = self.sup(name, trade, board=board)
            self.p.add_contract(s, date(2022, 1, 1), procurement="upphandling")
            keys = []
            for i in range(12):
                keys.append(self.inv(s, wd(i + 1, 1), str(first + i), ore)[0])
            # other invoices with a separate series, so the supplier is not one-customer-only
            for i in range(12):
                self.inv(
                    s,
                    wd(i + 1, 17),
                    f"S{81000 + 37 * i + self.rng.randint(1, 20)}",
                    s.next_amount(),
                )
            t.decoy(
                ["INV-DUP-FUZZY", "INV-DUP-EXACT", "PAY-DUP"],
                keys,
                "Monthly recurring invoice (same amount, consecutive numbers, different dates).",
            )
        # decoy: a duplicate cancelled by a credit note from the same supplier
        s = self.sup("Skånes Mattor och Golv AB", "Bygg", board="Barn- och utbildningsnämnden")
        a = self.inv(s, wd(3, 12), "88120", 27_455_00)
        b = self.inv(s, wd(3, 19), "88120", 27_455_00, pays=[])
        c = self.inv(
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
        # decoy: same name, different companies in different towns
        s1 = self.sup("Sundqvist Måleri AB", "Måleri", postal=("271 39", "Ystad"))
        s2 = self.sup("Sundqvist Måleri AB", "Måleri", postal=("903 25", "Umeå"))
        t.decoy(
            ["SUP-DUPLICATE"],
            [f"suppliers:{s1.sid}", f"suppliers:{s2.sid}"],
            "Two different companies with the same name, different orgnr, accounts and postal codes.",
        )
        # decoy: two invoices, same amount, paid to the same account within 14 days
        s = self.sup("Hörby Livsmedel AB", "Livsmedel", board="Vård- och omsorgsnämnden")
        a = self.inv(s, wd(5, 6), "30418", 8_245_30)
        b = self.inv(s, wd(5, 13), "30977", 8_245_30)
        t.decoy(
            ["PAY-DUP", "INV-DUP-FUZZY"],
            [a[0], b[0], a[1], b[1]],
            "Two different invoices with the same amount paid a week apart to the same account.",
        )

    def payments(self) -> None:
        t = self.t
        # PAY-DUP: one invoice paid twice
        s = self.sup("Dalby Städ AB", "Städ", board="Barn- och utbildningsnämnden")
        d = wd(3, 14)
        p1, p2 = pay_date(d), pay_date(d) + timedelta(days=7)
        a = self.inv(
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
        s = self.sup("Ljungby Bemanning AB", "Bemanning", board="Vård- och omsorgsnämnden")
        d = wd(9, 2)
        a = self.inv(
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
        # a manual payment without invoice, same account and amount, six days after
        s = self.sup("Tallbo Transport AB", "Transport", board="Tekniska nämnden")
        d = wd(6, 9)
        a = self.inv(s, d, "40012", 19_874_40)
        self.p.manual_pays.append(
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
        # PAY-REMINDER
        s = self.sup("Broby Data AB", "Data", board="Kommunstyrelsen")
        d = wd(2, 3)
        a = self.inv(s, d, "56021", 14_380_00, ocr="5602100018")
        b = self.inv(
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
        s = self.sup("Strandby Tryck AB", "Tryck", board="Kultur- och fritidsnämnden")
        d = wd(10, 1)
        a = self.inv(s, d, "T-33871", 9_620_50, ocr="338710097")
        b = self.inv(s, wd(11, 10), "PAM-7731", 9_800_50, ocr="338710097", description="Påminnelse")
        t.case(
            "PAY-REMINDER",
            [a[0], b[0], a[1], b[1]],
            "supplier",
            s.sid,
            9_800_50,
            "Reminder under a new number but the same OCR reference (+180 kr) paid again.",
        )
        # INV-SAME-NO-OTHER-SUPPLIER
        for n1, n2, ore, d1, d2, na, nb in (
            ("204417", "204417", 31_250_40, (4, 8), (4, 23), "Rosendal", "Vargby"),
            ("FA-88314", "FA88314", 7_915_00, (10, 7), (10, 21), "Falkby", "Hammar"),
        ):
            sa = self.sup(f"{na} Konsult AB", "Konsult", board="Socialnämnden")
            sb = self.sup(
                f"{nb} Konsultgrupp AB", "Konsult", board="Socialnämnden", created=date(2023, 5, 2)
            )
            a = self.inv(sa, wd(*d1), n1, ore)
            b = self.inv(sb, wd(*d2), n2, ore)
            self.t.case(
                "INV-SAME-NO-OTHER-SUPPLIER",
                [a[0], b[0]],
                "supplier",
                sb.sid,
                ore,
                f"Invoice number {n1} with the same amount from two unrelated suppliers.",
            )

    def limits(self) -> None:
        t = self.t
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
            s = self.sup(name, trade, board=board)
            keys = [
                self.inv(s, wd(*d), str(3100 + 17 * i + i * i), ore)[0]
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
        s = self.sup("Forsby Läromedel AB", "Läromedel", board="Kultur- och fritidsnämnden")
        amounts = [38_412_20, 41_225_70, 36_980_45]
        keys = [
            self.inv(s, wd(10, 6 + 8 * i), str(7710 + 13 * i), ore)[0]
            for i, ore in enumerate(amounts)
        ]
        t.case(
            "INV-SPLIT",
            keys,
            "supplier",
            s.sid,
            sum(amounts),
            "Second tier only (routine limit 100 000 kr, severity medel): three invoices in 17 days.",
        )
        # INV-NO-CONTRACT without a split: one invoice a month, more than 30 days apart
        for name, trade, board, n, base in (
            ("Ekeby Konsult AB", "Konsult", "Miljö- och byggnadsnämnden", 11, 68_000_00),
            ("Alby Omsorg AB", "Omsorg", "Vård- och omsorgsnämnden", 10, 78_000_00),
        ):
            s = self.sup(name, trade, board=board)
            d = wd(1, 2)
            keys, total = [], 0
            for i in range(n):
                ore = base + self.rng.randint(-3_000_00, 3_000_00) + 37
                keys.append(self.inv(s, d, str(220 + 9 * i), ore)[0])
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
        # INV-NO-CHECK: contract signed before the counterparty was checked
        s = self.sup("Glimåkra Bygg AB", "Bygg", board="Tekniska nämnden", status=False)
        cid = self.p.add_contract(
            s, date(2025, 2, 1), value=1_450_000_00, checked=None, procurement="upphandling"
        )
        self.w.status_rows.append(self.p.status_row(s, date(2025, 4, 10)))
        for m in (2, 3, 5):
            self.inv(s, wd(m, 20), str(610 + m * 3), s.next_amount() + 50_000_00)
        t.case(
            "INV-NO-CHECK",
            [f"contracts:{cid}", f"suppliers:{s.sid}"],
            "supplier",
            s.sid,
            1_450_000_00,
            "Contract from 2025-02-01; the first check of the supplier is 2025-04-10.",
        )
        s = self.sup("Söderslätt Konsult AB", "Konsult", board="Socialnämnden", status=False)
        a = self.inv(s, wd(3, 18), "1044", 148_500_30)
        self.w.status_rows.append(self.p.status_row(s, date(2025, 6, 2)))
        t.case(
            "INV-NO-CHECK",
            [a[0], f"suppliers:{s.sid}"],
            "supplier",
            s.sid,
            148_500_30,
            "Direct procurement above 100 000 kr with no prior check of the supplier.",
        )
        s = self.sup("Nordkap IT AB", "Data", board="Kommunstyrelsen", status=False)
        cid = self.p.add_contract(
            s, date(2025, 6, 1), value=380_000_00, checked=None, procurement="direktupphandling"
        )
        self.inv(s, wd(6, 16), "2025-0101", 41_312_00)
        t.case(
            "INV-NO-CHECK",
            [f"contracts:{cid}", f"suppliers:{s.sid}"],
            "supplier",
            s.sid,
            380_000_00,
            "Direct procurement of 380 000 kr; the supplier was never checked.",
        )

    def suppliers(self) -> None:
        t, w = self.t, self.w
        # SUP-STATUS
        s = self.sup("Löderup Fastighetsservice AB", "Fastighetsservice", board="Tekniska nämnden")
        w.status_rows.append(
            self.p.status_row(s, date(2025, 5, 20), status="konkurs", status_date=date(2025, 5, 14))
        )
        a = self.inv(s, wd(4, 28), "8812", 56_340_90)
        t.case(
            "SUP-STATUS",
            [a[1], f"suppliers:{s.sid}"],
            "supplier",
            s.sid,
            56_340_90,
            "Paid after the supplier was declared bankrupt (konkurs 2025-05-14).",
        )
        s = self.sup("Köpinge Bemanning AB", "Bemanning", board="Socialnämnden")
        w.status_rows.append(self.p.status_row(s, date(2025, 3, 3), f_tax=False))
        a = self.inv(s, wd(2, 18), "A-2291", 42_118_40)
        t.case(
            "SUP-STATUS",
            [a[1], f"suppliers:{s.sid}"],
            "supplier",
            s.sid,
            42_118_40,
            "Paid after the supplier lost its F-tax (check 2025-03-03).",
        )
        s = self.sup("Borrby Transport AB", "Transport", board="Barn- och utbildningsnämnden")
        w.status_rows.append(self.p.status_row(s, date(2025, 8, 4), debt=86_400_00))
        a = self.inv(s, wd(8, 6), "99104", 27_905_10)
        t.case(
            "SUP-STATUS",
            [a[1], f"suppliers:{s.sid}"],
            "supplier",
            s.sid,
            27_905_10,
            "Paid while the supplier had 86 400 kr tax debt.",
        )
        s = self.sup("Hammenhög Städ AB", "Städ", board="Kommunstyrelsen", status=False)
        w.status_rows.append(self.p.status_row(s, date(2024, 12, 9), vat=False))
        a = self.inv(s, wd(2, 10), "1207", 15_625_00, vat_ore=3_125_00)
        t.case(
            "SUP-STATUS",
            [a[1], f"suppliers:{s.sid}"],
            "supplier",
            s.sid,
            15_625_00,
            "Supplier not VAT-registered charged 3 125 kr VAT.",
        )
        # SUP-ORGNR: a failing checksum
        good = w.ids.orgnr()
        bad = good[:-1] + str((int(good[-1]) + 3) % 10)
        s = self.sup("Klippan Verktyg AB", "Verktyg", orgnr=bad)
        a = self.inv(s, wd(7, 8), "66012", 22_840_35)
        t.case(
            "SUP-ORGNR",
            [f"suppliers:{s.sid}", a[1]],
            "supplier",
            s.sid,
            22_840_35,
            f"Organisationsnummer {bad} fails the checksum.",
        )
        # SUP-NEW-LARGE
        s = self.sup("Tomelilla Entreprenad AB", "Bygg", created=date(2025, 4, 2), status=False)
        w.status_rows.append(self.p.status_row(s, date(2025, 4, 1)))
        a = self.inv(s, wd(4, 22), "1001", 485_220_40)
        t.case(
            "SUP-NEW-LARGE",
            [f"suppliers:{s.sid}", a[1]],
            "supplier",
            s.sid,
            485_220_40,
            "Supplier created 2025-04-02 and paid 485 220 kr within 50 days.",
        )
        s = self.sup(
            "Stensö Konsult AB",
            "Konsult",
            board="Kommunstyrelsen",
            created=date(2025, 8, 11),
            status=False,
        )
        s.registered = date(2025, 6, 30)
        w.status_rows.append(self.p.status_row(s, date(2025, 8, 8)))
        a = self.inv(s, wd(8, 18), "2025-001", 312_655_00)
        t.case(
            "SUP-NEW-LARGE",
            [f"suppliers:{s.sid}", a[1]],
            "supplier",
            s.sid,
            312_655_00,
            "Company founded 2025-06-30, registered as supplier 2025-08-11, paid 312 655 kr.",
        )

    def accounts(self) -> None:
        t, w = self.t, self.w
        # ACC-CHANGE + ACC-DEVIATING: a new account shortly before a payment
        s = self.sup("Västkust Städ AB", "Städ", board="Vård- och omsorgsnämnden")
        self.history(s, range(1, 4), 6)
        self.history(s, range(1, 4), 20)
        old, new = s.account, w.ids.bankgiro()
        changer = self.rng.choice(w.registrars).eid
        s.account_history = [
            (old, s.created, date(2025, 3, 31), s.created_by),
            (new, date(2025, 4, 1), None, changer),
        ]
        s.account = new
        a = self.inv(
            s,
            wd(4, 3),
            "77120",
            64_480_25,
            account=new,
            pays=[Pay(wd(4, 22), 64_480_25, ref="ac1")],
        )
        for c in ("ACC-CHANGE", "ACC-DEVIATING"):
            t.case(
                c,
                [("payments", "ac1"), f"suppliers:{s.sid}"],
                "supplier",
                s.sid,
                64_480_25,
                "Account changed 2025-04-01; paid to the new account 21 days later.",
            )
        self.history(s, range(6, 9), 10)  # later ordinary payments to the new account
        # a payment to an account the supplier never registered (ACC-CHANGE second rule)
        s = self.sup("Syd Omsorg AB", "Omsorg", board="Socialnämnden")
        self.history(s, range(2, 8), 5)
        foreign = w.ids.bankgiro()
        a = self.inv(
            s,
            wd(8, 25),
            "5031",
            118_760_00,
            account=foreign,
            pays=[Pay(wd(9, 16), 118_760_00, ref="ac2")],
            description="Nya betalningsuppgifter",
        )
        for c in ("ACC-CHANGE", "ACC-DEVIATING"):
            t.case(
                c,
                [("payments", "ac2"), f"suppliers:{s.sid}"],
                "supplier",
                s.sid,
                118_760_00,
                f"Paid to {foreign}, which is not among the supplier's registered accounts.",
            )
        # ACC-GIRO-MIX: a bankgiro with the digits of the supplier's plusgiro, and the reverse
        pg = w.ids.plusgiro()
        s = self.sup("Åsa Buss AB", "Buss", board="Barn- och utbildningsnämnden", account=pg)
        self.history(s, range(1, 7), 12)
        bg = w.ids.claim(bankgiro_from_digits(giro_digits(pg)))
        a = self.inv(
            s,
            wd(7, 14),
            "24406",
            87_312_40,
            account=bg,
            pays=[Pay(wd(8, 12), 87_312_40, ref="gm1")],
        )
        for c in ("ACC-GIRO-MIX", "ACC-CHANGE", "ACC-DEVIATING"):
            t.case(
                c,
                [("payments", "gm1"), f"suppliers:{s.sid}"],
                "supplier",
                s.sid,
                87_312_40,
                f"Paid to {bg}; the supplier's registered account is {pg} (same digits).",
            )
        bgs = w.ids.bankgiro()
        s = self.sup("Vikens VVS AB", "VVS", board="Tekniska nämnden", account=bgs)
        self.history(s, range(3, 9), 14)
        digits = giro_digits(bgs)
        pgx = w.ids.claim(f"PG:{digits[:-1]}-{digits[-1]}")
        a = self.inv(
            s,
            wd(10, 7),
            "99871",
            143_950_00,
            account=pgx,
            pays=[Pay(wd(11, 4), 143_950_00, ref="gm2")],
        )
        for c in ("ACC-GIRO-MIX", "ACC-CHANGE", "ACC-DEVIATING"):
            t.case(
                c,
                [("payments", "gm2"), f"suppliers:{s.sid}"],
                "supplier",
                s.sid,
                143_950_00,
                f"Paid to plusgiro {pgx}; the supplier's registered account is bankgiro {bgs}.",
            )
        # ACC-SHARED: two suppliers with one bankgiro (also SUP-DUPLICATE by account)
        shared = w.ids.bankgiro()
        s1 = self.sup("Hedlunds Trädgård AB", "Trädgård", board="Tekniska nämnden", account=shared)
        s2 = self.sup(
            "Grönt & Skött i Syd AB",
            "Trädgård",
            board="Tekniska nämnden",
            account=shared,
            created=date(2023, 3, 1),
        )
        self.inv(s1, wd(5, 14), "1450", 21_612_30)
        self.inv(s2, wd(6, 11), "G-220", 18_334_90)
        for c in ("ACC-SHARED", "SUP-DUPLICATE"):
            t.case(
                c,
                [f"suppliers:{s1.sid}", f"suppliers:{s2.sid}"],
                "supplier",
                s2.sid,
                18_334_90,
                f"Two suppliers registered with the same account {shared}.",
            )
        # ACC-SHARED + EMP-SUPPLIER: a supplier paid to an employee's salary account
        e = self.rng.choice(
            [x for x in w.employees if not x.politician and x.role == "handläggare"]
        )
        s = self.sup(
            "Holmby Konsult HB",
            "Konsult",
            board=e.unit if e.unit != "Kommunstyrelsen" else "Socialnämnden",
            account=e.account,
            created=date(2022, 10, 3),
        )
        a = self.inv(s, wd(9, 23), "2025-14", 46_250_00)
        for c in ("ACC-SHARED", "EMP-SUPPLIER"):
            t.case(
                c,
                [f"suppliers:{s.sid}", f"employees:{e.eid}", a[1]],
                "supplier",
                s.sid,
                46_250_00,
                f"Supplier's account {e.account} is employee {e.eid}'s salary account.",
            )

    def people(self) -> None:
        t, w = self.t, self.w
        # EMP-SUPPLIER + EMP-ATTEST: an attester owns the supplier and attests its invoices
        board = "Tekniska nämnden"
        e = self.emp(board)
        s = self.sup("Näsby Bygg & Fastighet AB", "Bygg", board=board)
        self.p.roles.append([s.orgnr, e.pnr, "ägare", "2019-05-01", "", e.name])
        self.p.roles.append([s.orgnr, e.pnr, "styrelseledamot", "2019-05-01", "", e.name])
        ks = [
            self.inv(s, wd(m, 15), str(501 + 11 * m), s.next_amount() + 5_000_00, attested=e.eid)
            for m in (3, 6, 9)
        ]
        total = 0  # filled from amounts below
        total = sum(x.ore for x in self.p.injected if x.sup is s)
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
        # a politician as beneficial owner of a paid supplier
        pol = self.rng.choice(
            [x for x in w.employees if x.politician and x.unit == "Socialnämnden"]
        )
        s = self.sup("Hammar Omsorgspartner AB", "Omsorg", board="Socialnämnden")
        self.p.roles.append([s.orgnr, pol.pnr, "verklig huvudman", "2021-01-01", "", pol.name])
        ks = [self.inv(s, wd(m, 9), f"HO-{300 + m}", 61_400_00 + m * 1_234_56) for m in (2, 5)]
        t.case(
            "EMP-SUPPLIER",
            [f"employees:{pol.eid}", f"suppliers:{s.sid}", *[k[1] for k in ks]],
            "employee",
            pol.eid,
            2 * 61_400_00 + 7 * 1_234_56,
            "Politician on Socialnämnden is beneficial owner of a supplier the board pays.",
        )
        # supplier registered at an employee's home address
        e = self.rng.choice([x for x in w.employees if x.role == "enhetschef"] or w.employees)
        s = self.sup(
            "Ängby Konsulttjänst AB",
            "Konsult",
            board="Barn- och utbildningsnämnden",
            address=e.address,
            postal=(e.postal_code, "Ystad"),
        )
        k = self.inv(s, wd(11, 4), "0017", 38_900_00)
        t.case(
            "EMP-SUPPLIER",
            [f"employees:{e.eid}", f"suppliers:{s.sid}", k[1]],
            "employee",
            e.eid,
            38_900_00,
            "Supplier's address is the employee's home address.",
        )
        # EMP-ATTEST: attested and registered by the same person
        for board, m, place in (
            ("Kultur- och fritidsnämnden", 4, "Glimåkra"),
            ("Socialnämnden", 10, "Lindby"),
        ):
            e = self.emp(board)
            s = self.sup(f"{place} Evenemang AB", "Konsult", board=board)
            k = self.inv(
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
        # X-SUP-SAME-INVOICE: the same invoice also sent to the partner municipality
        for name, number, ore, d in (
            ("Örnsköld Konsult AB", "2025-7731", 88_400_00, (5, 12)),
            ("Tallbo Data AB", "51120", 23_990_00, (9, 8)),
        ):
            s = self.sup(name, "Konsult" if "Konsult" in name else "Data", board="Kommunstyrelsen")
            k = self.inv(s, wd(*d), number, ore)
            self.p.partner_invoices.append(Inv(s, wd(*d) + timedelta(days=5), number, ore))
            t.case(
                "X-SUP-SAME-INVOICE",
                [k[0]],
                "supplier",
                s.orgnr,
                ore,
                "The same orgnr, invoice number and amount also invoiced to the partner "
                "municipality (partner/invoices.csv).",
            )

    def patterns(self) -> None:
        t, rng = self.t, self.rng
        # INV-SEQ: the municipality looks like the supplier's only customer
        for name, numbers in (
            ("Bergsjö Fastighetsservice AB", list(range(1001, 1011))),
            ("Lunds Trädgårdstjänst AB", [2041, 2042, 2043, 2044, 2046, 2047, 2048, 2049]),
        ):
            s = self.sup(
                name,
                "Fastighetsservice" if "Fast" in name else "Trädgård",
                board="Tekniska nämnden",
            )
            d = wd(1, 20)
            keys = []
            for n in numbers:
                keys.append(self.inv(s, d, str(n), 15_000_00 + rng.randint(0, 14_000_00) + 11)[0])
                d = _next_wd(d + timedelta(days=31))
            t.case(
                "INV-SEQ",
                keys,
                "supplier",
                s.sid,
                0,
                f"{len(numbers)} invoices with (nearly) consecutive numbers.",
            )
        # INV-ROUND: many round amounts, and amounts just under the limit
        s = self.sup("Vargby Måleri AB", "Måleri", board="Kultur- och fritidsnämnden")
        keys = []
        for i in range(12):
            ore = (
                rng.choice((3, 4, 5, 6, 8)) * 1000_00
                if i % 2 == 0 or i == 5
                else rng.randint(1_100_00, 7_900_00) + 13
            )
            keys.append(self.inv(s, wd(i + 1, 13), str(9150 + 7 * i), ore)[0])
        t.case("INV-ROUND", keys, "supplier", s.sid, 0, "7 of 12 invoices are whole thousands.")
        s = self.sup("Högby Entreprenad AB", "Bygg", board="Tekniska nämnden")
        k = self.inv(s, wd(6, 17), "20250617", 689_450_20)
        t.case(
            "INV-ROUND",
            [k[0]],
            "supplier",
            s.sid,
            689_450_20,
            "Amount just below the direct-procurement limit (90–100 % of 700 000 kr).",
        )
        s = self.sup("Skogsby Bygg AB", "Bygg", board="Barn- och utbildningsnämnden")
        k = self.inv(s, wd(10, 21), "4471", 652_300_80)
        t.case(
            "INV-ROUND",
            [k[0]],
            "supplier",
            s.sid,
            652_300_80,
            "Amount just below the direct-procurement limit (90–100 % of 700 000 kr).",
        )
        # INV-HOLIDAY
        s = self.sup("Falkby Livsmedel AB", "Livsmedel", board="Vård- och omsorgsnämnden")
        for d, why in (
            (date(2025, 12, 25), "juldagen"),
            (date(2025, 6, 6), "nationaldagen"),
            (date(2025, 3, 15), "a Saturday"),
        ):
            k = self.inv(
                s, d, str(60000 + d.toordinal() % 997), 4_000_00 + d.toordinal() % 9000 + 17
            )
            t.case("INV-HOLIDAY", [k[0]], "supplier", s.sid, 0, f"Invoice dated {d} ({why}).")
        # INV-BENFORD: two suppliers whose amounts crowd a few leading digits
        for name, lo, hi in (
            ("Sydkust Konsultgrupp AB", 40_000_00, 49_999_99),
            ("Torpa Bemanning AB", 7_000_00, 7_999_99),
        ):
            s = self.sup(name, "Bemanning" if "Beman" in name else "Konsult", board="Socialnämnden")
            self.p.add_contract(s, date(2024, 1, 1), procurement="ramavtal")
            days = [
                d for d in (date(2025, 1, 1) + timedelta(days=i) for i in range(365)) if _is_wd(d)
            ]
            keys = []
            for i in range(320):
                ore = rng.randint(lo, hi)
                if ore % 100 == 0:
                    ore += 7
                keys.append(
                    self.inv(s, days[(i * 7) % len(days)], s.number(rng.randint(2, 30)), ore)[0]
                )
            t.case(
                "INV-BENFORD",
                [f"suppliers:{s.sid}"],
                "supplier",
                s.sid,
                0,
                f"320 invoices all between {lo // 100} and {hi // 100} kr: first-two-digit "
                "distribution far from Benford.",
            )


def _is_wd(d: date) -> bool:
    from tillit.analytics.generate._base import is_working_day

    return is_working_day(d)


def _next_wd(d: date) -> date:
    from tillit.analytics.generate._base import next_working_day

    return next_working_day(d)


__all__ = ["Injector", "iso"]
