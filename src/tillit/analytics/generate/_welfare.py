"""Population, economic assistance, grants, home care, parking permits and the ledger."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from tillit.analytics.generate._base import (
    YEAR_END,
    YEAR_START,
    Writer,
    at,
    birth_date,
    dt,
    is_working_day,
    iso,
    month_end,
    person_name,
    with_luhn,
)
from tillit.analytics.generate._purchasing import Purchasing
from tillit.analytics.generate._world import BOARDS, World, wd
from tillit.analytics.generate.scenarios import run_scenarios


@dataclass
class Person:
    pnr: str
    name: str
    address: str
    postal_code: str
    apartment: str
    registered_from: date
    status: str = "folkbokförd"
    status_date: date | None = None


@dataclass
class Household:
    address: str
    postal_code: str
    city: str
    apartment: str
    adults: list[Person]
    children: list[Person]


@dataclass
class BenefitHousehold:
    hid: str
    applicant: Person
    co: Person | None
    size: int
    account: str
    address: str
    postal_code: str
    apartment: str
    months: list[int]
    base: int  # öre per month
    # month → account override, extra refs to record
    account_by_month: dict[int, str] = field(default_factory=dict)
    refs: dict[int, str] = field(default_factory=dict)
    paid_late: dict[int, date] = field(default_factory=dict)


ASSOC_KINDS = (
    "IF",
    "FF",
    "BK",
    "Scoutkår",
    "Hembygdsförening",
    "PRO",
    "Schackklubb",
    "Ridklubb",
    "Musikförening",
    "Körsällskap",
    "Båtklubb",
    "Pensionärsförening",
    "Brukshundklubb",
    "Fiskevårdsförening",
    "Teaterförening",
    "Friidrottsklubb",
    "Simsällskap",
    "Tennisklubb",
)
PLACES = (
    "Norrby Söderby Kvarnby Björkå Ekeby Sjöbo Dalby Lundby Strandby Ljungby Hedby Näsby "
    "Viken Holmby Sandby Stenby Ängby Broby Forsby Kulla Torpa Högby Granby Lindby Alby "
    "Rosendal Falkby Vargby Hammar Köpinge Borrby Löderup Glemminge Skillinge Sövestad "
    "Bjäresjö Hedeskoga Stora Köpinge Kabusa Nybrostrand"
).split()


class Welfare:
    n_inv: int  # invoices added by the BEN-COMPANY scenarios (scenarios/ben.py), counted from 1

    def __init__(self, w: World, p: Purchasing) -> None:
        self.w = w
        self.p = p
        self.rng = w.rng
        self.t = w.truth
        self.persons: list[Person] = []
        self.households: list[Household] = []
        self.benefit: list[BenefitHousehold] = []
        self.partner_benefits: list[tuple[Person, int, int]] = []
        self.associations: list[dict[str, Any]] = []
        self.grants: list[list[str]] = []
        self.permits: list[list[str]] = []
        self.clients: list[dict[str, Any]] = []
        self.decisions: list[list[str]] = []
        self.care_injected: list[tuple[str, str, str, datetime, datetime, str]] = []
        self.next_apartment = 1000
        self.assoc_names: set[str] = set()

    # --- population -------------------------------------------------------------

    def person(self, kind: str, hh: Household) -> Person:
        pnr = self.w.people.take(kind)
        born = birth_date(pnr)
        since = max(born, date(self.rng.randint(1990, 2024), self.rng.randint(1, 12), 1))
        p = Person(pnr, person_name(self.rng), hh.address, hh.postal_code, hh.apartment, since)
        self.persons.append(p)
        return p

    def household(self, adults: int, children: int, kind: str = "adult") -> Household:
        addr, pc, city = self.w.local_address()
        self.next_apartment += 1
        # about half live in flats with a lägenhetsnummer, the rest in houses
        apt = (
            f"1{self.rng.randint(0, 3)}{self.next_apartment % 100:02d}"
            if self.rng.random() < 0.6
            else ""
        )
        hh = Household(addr, pc, city, apt, [], [])
        hh.adults = [self.person(kind, hh) for _ in range(adults)]
        hh.children = [self.person("child", hh) for _ in range(children)]
        self.households.append(hh)
        return hh

    def build(self) -> None:
        rng, w = self.rng, self.w
        n_hh = max(20, round(1200 * w.pscale))
        for _ in range(n_hh):
            a = rng.choice((1, 1, 2, 2, 2))
            c = rng.choice((0, 0, 0, 1, 2, 3)) if a else 0
            self.household(a, c)
        # some people who left during the year (never in benefits, care or permits)
        for hh in self.households[: max(3, n_hh // 50)]:
            p = hh.adults[0]
            p.status = "utvandrad"
            p.status_date = date(2025, rng.randint(1, 12), rng.randint(1, 28))
        self.movers = set(id(hh) for hh in self.households[: max(3, n_hh // 50)])
        self.build_benefits()
        self.build_grants()
        self.build_care()
        self.build_permits()

    # --- benefits ---------------------------------------------------------------------

    def _bhh(self, hh: Household, months: list[int]) -> BenefitHousehold:
        self.hid = getattr(self, "hid", 0) + 1
        size = len(hh.adults) + len(hh.children)
        base = (4_200_00 + 2_600_00 * (size - 1)) + self.rng.randint(0, 5_000_00)
        b = BenefitHousehold(
            f"H-{self.hid:05d}",
            hh.adults[0],
            hh.adults[1] if len(hh.adults) > 1 else None,
            size,
            self.w.ids.bank(),
            hh.address,
            hh.postal_code,
            hh.apartment,
            months,
            base // 100 * 100,
        )
        self.benefit.append(b)
        return b

    def build_benefits(self) -> None:
        rng, w = self.rng, self.w
        pool = [hh for hh in self.households if id(hh) not in self.movers]
        n = min(len(pool) * 6 // 10, round(700 * w.pscale))
        for hh in pool[-n:]:
            start = rng.randint(1, 12) if rng.random() < 0.5 else 1
            length = rng.randint(6, 12)
            self._bhh(hh, list(range(start, min(12, start + length - 1) + 1)))
        run_scenarios(self, "welfare.build_benefits")

    # --- grants ----------------------------------------------------------------------------

    def association(
        self,
        name: str | None = None,
        board: str = "Kultur- och fritidsnämnden",
        orgnr: str | None = None,
        account: str | None = None,
        roles: int = 2,
        status: str = "aktiv",
    ) -> dict[str, Any]:
        rng, w = self.rng, self.w
        names = self.assoc_names
        tries = 0
        while name is None:
            tries += 1
            place = (
                rng.choice(PLACES) if tries < 30 else f"{rng.choice(PLACES)}-{rng.choice(PLACES)}"
            )
            cand = f"{place} {rng.choice(ASSOC_KINDS)}"
            if cand not in names and "Kvarnby" not in cand:
                name = cand
        names.add(name)
        a: dict[str, Any] = {
            "name": name,
            "orgnr": w.ids.orgnr("association") if orgnr is None else orgnr,
            "account": account or (w.ids.bankgiro() if rng.random() < 0.7 else w.ids.plusgiro()),
            "board": board,
            "people": [],
        }
        for i in range(roles):
            pnr = w.people.take("adult")
            nm = person_name(rng)
            a["people"].append(pnr)
            self.p.roles.append(
                [a["orgnr"], pnr, "styrelseledamot" if i else "firmatecknare", "2022-03-01", "", nm]
            )
        if a["orgnr"]:
            registered = date(rng.randint(1950, 2015), rng.randint(1, 12), 1)
            w.status_rows.append(
                [
                    a["orgnr"],
                    "2024-11-18",
                    "false",
                    "false",
                    "false",
                    "0.00",
                    status,
                    iso(registered),
                    iso(registered),
                ]
            )
        self.associations.append(a)
        return a

    def grant(
        self,
        a: dict[str, Any],
        board: str,
        purpose: str,
        ore: int,
        start: date,
        end: date,
        ref: str | None = None,
        name: str | None = None,
        orgnr: str | None = None,
    ) -> None:
        rng = self.rng
        gid = f"BID-2025-{len(self.grants) + 1:04d}"
        decided = start - timedelta(days=rng.randint(20, 60))
        decided = (
            decided if is_working_day(decided) else wd(decided.month, decided.day, decided.year)
        )
        paid = wd(start.month, min(start.day + rng.randint(3, 20), 28), start.year)
        # members follow the grant: 425–800 kr a member (one draw, as before), so that no
        # background grant is three times the board's median per member (GRANT-ACTIVITY)
        per_member = 400_00 + rng.randint(25, 400) * 100
        self.grants.append(
            [
                gid,
                board,
                a["orgnr"] if orgnr is None else orgnr,
                name or a["name"],
                f"{ore // 100}.{ore % 100:02d}",
                iso(start),
                iso(end),
                purpose,
                iso(decided),
                iso(paid),
                a["account"],
                str(max(1, round(ore / per_member))),
                str(rng.randint(10, 300)),
            ]
        )
        if ref:
            self.t.refs[ref] = gid

    def build_grants(self) -> None:
        rng, w = self.rng, self.w
        n = round(110 * w.pscale) + 5
        for _ in range(n):
            board = "Socialnämnden" if rng.random() < 0.15 else "Kultur- och fritidsnämnden"
            a = self.association(board=board)
            for purpose, start, end in rng.sample(
                [
                    ("Aktivitetsstöd", date(2025, 1, 1), date(2025, 6, 30)),
                    ("Aktivitetsstöd", date(2025, 7, 1), date(2025, 12, 31)),
                    ("Verksamhetsbidrag", date(2025, 1, 1), date(2025, 12, 31)),
                    ("Lokalbidrag", date(2025, 1, 1), date(2025, 12, 31)),
                ],
                rng.randint(1, 3),
            ):
                self.grant(
                    a,
                    board,
                    purpose,
                    rng.randint(40, 3000) * 100_00 + rng.randint(1, 99_00),
                    start,
                    end,
                )
        run_scenarios(self, "welfare.build_grants")

    # --- home care ------------------------------------------------------------------------

    def build_care(self) -> None:
        rng, w = self.rng, self.w
        self.providers = [(w.ids.orgnr(), f"HT{i}") for i in range(1, 6)]
        n = max(8, round(200 * w.pscale))
        for i in range(n):
            kind = "elderly" if w.people.available("elderly") > 5 else "adult"
            hh = self.household(1, 0, kind=kind)
            p = hh.adults[0]
            prov = self.providers[i % len(self.providers)]
            # a weekly plan: (weekday, minute of day, duration)
            plan = []
            for _ in range(rng.choice((1, 2, 3, 4, 5, 7, 10, 14))):
                plan.append(
                    (
                        rng.randrange(7),
                        rng.choice((450, 480, 540, 600, 690, 720, 840, 1020, 1140)),
                        rng.choice((15, 20, 30, 30, 45, 60)),
                    )
                )
            by_day: list[int] = [0] * 7
            for wdx, _, dur in plan:
                by_day[wdx] += dur
            granted = -(-max(by_day) * 31 // 10) * 10 + 30  # enough for any month
            death = None
            if i % 13 == 5 or i in (1, 3):
                death = date(2025, rng.randint(2, 11), rng.randint(1, 28))
                p.status, p.status_date = "avliden", death
            c: dict[str, Any] = {
                "p": p,
                "prov": prov,
                "plan": plan,
                "granted": granted,
                "death": death,
                "decision": f"BES-{i + 1:05d}",
                "service": "hemtjänst" if kind == "elderly" else "personlig assistans",
            }
            self.clients.append(c)
            self.decisions.append(
                [
                    c["decision"],
                    p.pnr,
                    prov[0],
                    "2024-01-01",
                    iso(death),
                    str(granted),
                    c["service"],
                ]
            )

    # --- permits ---------------------------------------------------------------------------

    def build_permits(self) -> None:
        rng, w = self.rng, self.w
        holders = [p for p in self.persons if p.status == "folkbokförd" and p.pnr[:4] < "2006"]
        rng.shuffle(holders)
        n = round(150 * w.pscale)
        for p in holders[:n]:
            start = date(rng.randint(2022, 2025), rng.randint(1, 12), 1)
            self.permits.append(
                [
                    f"PT-{len(self.permits) + 1:05d}",
                    p.pnr,
                    iso(start),
                    iso(date(start.year + 3, start.month, 1) - timedelta(days=1)),
                ]
            )
        run_scenarios(self, "welfare.build_permits")

    # --- writing -------------------------------------------------------------------------

    def write(self, progress: Callable[[int, int, str], None] | None) -> None:
        self.write_population()
        self.write_benefits()
        self.write_grants()
        self.write_care(progress)
        self.write_permits()
        self.write_ledger(progress)

    def write_population(self) -> None:
        wr = Writer(self.w.out_dir, "population")
        for p in self.persons:
            wr.row(
                (
                    p.pnr,
                    p.name,
                    p.address,
                    p.postal_code,
                    p.apartment,
                    iso(p.registered_from),
                    p.status,
                    iso(p.status_date),
                    iso(birth_date(p.pnr)),
                )
            )
        wr.close()

    def write_benefits(self) -> None:
        wr = Writer(self.w.out_dir, "benefit_payments")
        n = 0
        for b in self.benefit:
            for m in b.months:
                n += 1
                pid = f"EB{250_000 + n}"
                paid = b.paid_late.get(m) or wd(m, 3 + (n % 8))
                wr.row(
                    (
                        pid,
                        b.hid,
                        b.applicant.pnr,
                        b.co.pnr if b.co else "",
                        f"2025-{m:02d}",
                        wr.money(b.base + (m % 3) * 125_00),
                        iso(paid),
                        b.account_by_month.get(m, b.account),
                        b.address,
                        b.postal_code,
                        b.apartment,
                        str(b.size),
                    )
                )
                if m in b.refs:
                    self.t.refs[b.refs[m]] = pid
        wr.close()

    def write_grants(self) -> None:
        wr = Writer(self.w.out_dir, "grants")
        for r in self.grants:
            wr.row(r)
        wr.close()

    def write_permits(self) -> None:
        wr = Writer(self.w.out_dir, "parking_permits")
        for r in self.permits:
            wr.row(r)
        wr.close()

    def write_care(self, progress: Callable[[int, int, str], None] | None) -> None:
        rng, t = self.rng, self.t
        wr = Writer(self.w.out_dir, "care_visits")
        dec = Writer(self.w.out_dir, "care_decisions")
        billed: dict[tuple[str, int], int] = {}
        vid = 0

        def visit(
            prov: tuple[str, str],
            client: str,
            staff: str,
            start: datetime,
            end: datetime,
            service: str,
        ) -> str:
            nonlocal vid
            vid += 1
            v = f"V{vid:08d}"
            minutes = int((end - start).total_seconds() // 60)
            wr.row((v, prov[0], client, staff, dt(start), dt(end), str(minutes), service))
            key = (client, start.month)
            billed[key] = billed.get(key, 0) + minutes
            return v

        by_prov: dict[str, list[dict[str, Any]]] = {}
        for c in self.clients:
            by_prov.setdefault(c["prov"][1], []).append(c)
        death_day_visits: list[str] = []
        d = YEAR_START
        while d <= YEAR_END:
            for code, clients in by_prov.items():
                reqs = []
                for c in clients:
                    if c["death"] and d > c["death"]:
                        continue
                    for wdx, minute, dur in c["plan"]:
                        if wdx == d.weekday():
                            reqs.append((minute, dur, c))
                reqs.sort(key=lambda r: (r[0], r[2]["decision"]))
                # staff as a heap of (free from minute, staff id): nobody is ever in two places
                heap: list[tuple[int, str]] = []
                for minute, dur, c in reqs:
                    if heap and heap[0][0] <= minute + 20:
                        free, sid = heapq.heappop(heap)
                    else:
                        # a new staff member for the day; ids repeat from day to day
                        free, sid = 0, f"{code}-{len(heap) + 1:03d}"
                    start_min = max(minute, free)
                    start = at(d.year, d.month, d.day, start_min // 60, start_min % 60)
                    end = start + timedelta(minutes=dur)
                    v = visit(c["prov"], c["p"].pnr, sid, start, end, c["service"])
                    if c["death"] == d:
                        death_day_visits.append(v)
                    heapq.heappush(heap, (start_min + dur + rng.choice((0, 5, 10, 15)), sid))
            d += timedelta(days=1)
        if death_day_visits:
            t.decoy(
                ["CARE-DECEASED"],
                [f"care_visits:{v}" for v in death_day_visits[:3]],
                "Visits on the day of the client's death are not hits.",
            )
        # --- injected cases ---
        alive = [c for c in self.clients if not c["death"]]
        prov = self.providers[0]

        def slack(c: dict[str, Any], month: int) -> int:
            return c["granted"] - billed.get((c["p"].pnr, month), 0)

        # CARE-OVERLAP: one staff id at two clients at once
        for k, (day, hour) in enumerate(((date(2025, 3, 11), 9), (date(2025, 10, 22), 14))):
            c1, c2 = sorted(alive, key=lambda c: -slack(c, day.month))[2 * k : 2 * k + 2]
            staff = f"{c1['prov'][1]}-9{k}01"
            s1 = at(day.year, day.month, day.day, hour, 0)
            v1 = visit(
                c1["prov"], c1["p"].pnr, staff, s1, s1 + timedelta(minutes=60), c1["service"]
            )
            s2 = s1 + timedelta(minutes=30)
            v2 = visit(
                c2["prov"], c2["p"].pnr, staff, s2, s2 + timedelta(minutes=45), c2["service"]
            )
            t.case(
                "CARE-OVERLAP",
                [f"care_visits:{v1}", f"care_visits:{v2}"],
                "staff",
                staff,
                0,
                "Staff member billed at two clients during the same 30 minutes.",
            )
        # CARE-LONG-DAY: 17.5 billed hours in one day, back to back, never overlapping
        for k, day in enumerate((date(2025, 6, 14), date(2025, 11, 5))):
            staff = f"{prov[1]}-98{k}1"
            pool = sorted(alive, key=lambda c: -slack(c, day.month))[:21]
            # 17.5 hours whatever the number of clients (small scales have fewer than 21)
            each = -(-21 * 50 // len(pool))
            s = at(day.year, day.month, day.day, 5, 0)
            keys = []
            for c in pool:
                e = s + timedelta(minutes=each)
                keys.append(
                    f"care_visits:{visit(c['prov'], c['p'].pnr, staff, s, e, c['service'])}"
                )
                s = e
            t.case(
                "CARE-LONG-DAY",
                keys,
                "staff",
                staff,
                0,
                f"{len(pool) * each / 60:.1f} billed hours on {day}.",
            )
            if k == 0:
                t.decoy(
                    ["CARE-OVERLAP"],
                    keys[:2],
                    "Back-to-back visits: one ends when the next starts.",
                )
        # a plain back-to-back pair by one staff member
        c1, c2 = sorted(alive, key=lambda c: -slack(c, 2))[:2]
        staff = f"{prov[1]}-9701"
        s = at(2025, 2, 18, 10, 0)
        v1 = visit(c1["prov"], c1["p"].pnr, staff, s, s + timedelta(minutes=30), c1["service"])
        v2 = visit(
            c2["prov"],
            c2["p"].pnr,
            staff,
            s + timedelta(minutes=30),
            s + timedelta(minutes=60),
            c2["service"],
        )
        t.decoy(
            ["CARE-OVERLAP"],
            [f"care_visits:{v1}", f"care_visits:{v2}"],
            "Back-to-back visits 10:00–10:30 and 10:30–11:00 at two clients.",
        )
        # CARE-DECEASED: visits billed for days after the death
        dead = [c for c in self.clients if c["death"] and c["death"].month < 12][:2]
        for k, c in enumerate(dead):
            keys = []
            for i in range(1, 5):
                day = c["death"] + timedelta(days=i)
                s = at(day.year, day.month, day.day, 8, 0)
                staff = f"{c['prov'][1]}-96{k}1"
                v = visit(c["prov"], c["p"].pnr, staff, s, s + timedelta(minutes=30), c["service"])
                keys.append(f"care_visits:{v}")
            t.case(
                "CARE-DECEASED",
                keys + [f"population:{c['p'].pnr}"],
                "person",
                c["p"].pnr,
                0,
                f"Four visits billed after the client's death on {c['death']}.",
            )
        # CARE-OVER-GRANTED: a month billed well above the decision
        for k, month in enumerate((9, 4)):
            c = sorted(alive, key=lambda c: c["granted"])[k]
            extra = slack(c, month) + c["granted"] // 5 + 60
            keys = [f"care_decisions:{c['decision']}"]
            day = date(2025, month, 2)
            staff = f"{c['prov'][1]}-95{k}1"
            while extra > 0:
                s = at(day.year, day.month, day.day, 6, 0)
                dur = min(extra, 120)
                v = visit(
                    c["prov"],
                    c["p"].pnr,
                    staff,
                    s,
                    s + timedelta(minutes=max(dur, 15)),
                    c["service"],
                )
                keys.append(f"care_visits:{v}")
                extra -= max(dur, 15)
                day += timedelta(days=1)
            t.case(
                "CARE-OVER-GRANTED",
                keys,
                "person",
                c["p"].pnr,
                0,
                f"Billed {billed[(c['p'].pnr, month)]} minutes in 2025-{month:02d}; "
                f"granted {c['granted']}.",
            )
        # decoys, with no random draw (the ledger's draws come after): in months no case above uses
        taken = {c["p"].pnr for c in sorted(alive, key=lambda c: c["granted"])[:2]}

        # CARE-OVER-GRANTED: July billed at exactly the granted minutes plus the 10 % tolerance (a rule
        # flagging anything above the granted minutes would flag it)
        def to_tolerance(c: dict[str, Any]) -> int:
            # granted minutes are a multiple of ten, so 110 % of them is a whole number
            return c["granted"] // 10 * 11 - billed.get((c["p"].pnr, 7), 0)

        candidates = [c for c in alive if c["p"].pnr not in taken]
        if candidates:  # a very small world may have none left
            c = min(candidates, key=lambda c: (to_tolerance(c), c["decision"]))
            taken.add(c["p"].pnr)
            extra = to_tolerance(c)
            parts = min(31, -(-extra // 120))  # at most one visit a day
            keys = [f"care_decisions:{c['decision']}"]
            for i in range(parts):
                s = at(2025, 7, 1 + i, 6, 0)
                dur = extra // parts + (1 if i < extra % parts else 0)
                staff = f"{c['prov'][1]}-9401"
                v = visit(c["prov"], c["p"].pnr, staff, s, s + timedelta(minutes=dur), c["service"])
                keys.append(f"care_visits:{v}")
            assert billed[(c["p"].pnr, 7)] * 10 == c["granted"] * 11
            t.decoy(
                ["CARE-OVER-GRANTED"],
                keys,
                f"Billed {billed[(c['p'].pnr, 7)]} minutes in 2025-07, granted {c['granted']}: "
                "exactly the 10 % tolerance, not a hit.",
            )
        # CARE-LONG-DAY: one staff member billed exactly 16 hours on 12 August, back to back from
        # 06:00 to 22:00 at clients with time left in their grant (a rule counting 16 hours would flag it)
        left = 16 * 60
        plan = []
        for c in sorted(alive, key=lambda c: (-slack(c, 8), c["decision"])):
            dur = min(left, 240, slack(c, 8))
            if dur >= min(15, left):
                plan.append((c, dur))
                left -= dur
            if not left:
                break
        if not left:  # a very small world may lack the clients for it
            staff = f"{prov[1]}-9402"
            s = at(2025, 8, 12, 6, 0)
            keys = []
            for c, dur in plan:
                e = s + timedelta(minutes=dur)
                v = visit(c["prov"], c["p"].pnr, staff, s, e, c["service"])
                keys.append(f"care_visits:{v}")
                s = e
            t.decoy(
                ["CARE-LONG-DAY"],
                keys,
                "Sixteen billed hours in one day, 06:00–22:00, the limit itself: not a hit.",
            )
        for r in self.decisions:
            dec.row(r)
        dec.close()
        wr.close()
        if progress:
            progress(vid, vid, "care_visits")

    # --- ledger -------------------------------------------------------------------------------

    def write_ledger(self, progress: Callable[[int, int, str], None] | None) -> None:
        rng, w, t = self.rng, self.w, self.t
        wr = Writer(w.out_dir, "ledger")
        m = wr.money
        n_total = round(20000 * w.scale)
        days = []
        d = YEAR_START
        while d <= YEAR_END:
            if is_working_day(d):
                days.append(d)
            d += timedelta(days=1)
        per_day = n_total / len(days)
        carry = 0.0
        n = 0
        clerks = [e.eid for e in w.registrars]
        boards = list(BOARDS)
        for d in days:
            carry += per_day
            k = int(carry)
            carry -= k
            for _ in range(k):
                n += 1
                series = "LR" if rng.random() < 0.7 else "M"
                vid = f"{series}{250_000_000 + n}"
                board = rng.choice(boards)
                prefix, konton = BOARDS[board]
                ore = int(10 ** rng.uniform(2, 6) * 100)
                if series == "M" and ore % 100_000 == 0:
                    ore += 1
                ts = dt(
                    at(
                        d.year,
                        d.month,
                        d.day,
                        rng.randint(7, 16),
                        rng.randint(0, 59),
                        rng.randint(0, 59),
                    )
                )
                by = "SYSTEM" if series == "LR" else rng.choice(clerks)
                ds = d.isoformat()
                unit = f"{prefix}{rng.randint(1, 4)}0"
                text = "Leverantörsfaktura" if series == "LR" else "Omföring"
                wr.row((vid, ds, rng.choice(konton), m(ore), series, text, by, ts, unit, ""))
                wr.row(
                    (
                        vid,
                        ds,
                        "2440" if series == "LR" else "1930",
                        m(-ore),
                        series,
                        text,
                        by,
                        ts,
                        "",
                        "",
                    )
                )
            if progress:
                progress(n, n_total, "ledger")
        for k, (when, konto, ore, why) in enumerate(
            (
                (at(2025, 7, 12, 14, 22, 5), "6420", 50_000_00, "on a Saturday"),
                (at(2025, 12, 25, 10, 5, 41), "4010", 25_000_00, "on juldagen"),
                (at(2025, 9, 17, 23, 41, 12), "5410", 120_000_00, "at 23:41"),
            )
        ):
            vid = f"M{259_990_001 + k}"
            by = rng.choice(clerks)
            wr.row(
                (
                    vid,
                    when.date().isoformat(),
                    konto,
                    m(ore),
                    "M",
                    "Manuell justering",
                    by,
                    dt(when),
                    "1110",
                    "",
                )
            )
            wr.row(
                (
                    vid,
                    when.date().isoformat(),
                    "1930",
                    m(-ore),
                    "M",
                    "Manuell justering",
                    by,
                    dt(when),
                    "",
                    "",
                )
            )
            t.case(
                "LEDGER-MANUAL-ODD",
                [f"ledger:{vid}"],
                "voucher",
                vid,
                ore,
                f"Manual voucher of {ore // 100} kr on an expense account registered {why}.",
            )
        # decoys, with no random draw (so nothing generated after them changes): each is one step
        # inside the rule's boundary, where a sloppier rule would flag it
        clerk = clerks[0]
        for k, (when, konto, ore, by, why) in enumerate(
            (
                # 21:59 on a Wednesday: night starts at 22 (a rule on ">= 21" or on UTC would flag it)
                (at(2025, 10, 8, 21, 59, 0), "6420", 40_000_00, clerk, "at 21:59 on a working day"),
                # a Saturday, a round amount on an expense account, but registered automatically
                (at(2025, 8, 16, 3, 12, 0), "5410", 60_000_00, "SYSTEM", "by SYSTEM (automatic)"),
                # a Saturday and a manual voucher on an expense account, but not a round amount
                (
                    at(2025, 8, 23, 11, 30, 0),
                    "6420",
                    50_000_50,
                    clerk,
                    "of 50 000,50 kr (not round)",
                ),
            )
        ):
            vid = f"M{259_990_101 + k}"
            for account, amount, unit in ((konto, ore, "1110"), ("1930", -ore, "")):
                wr.row(
                    (
                        vid,
                        when.date().isoformat(),
                        account,
                        m(amount),
                        "M",
                        "Manuell justering",
                        by,
                        dt(when),
                        unit,
                        "",
                    )
                )
            t.decoy(
                ["LEDGER-MANUAL-ODD"],
                [f"ledger:{vid}"],
                f"Voucher on an expense account registered {why}: not a hit.",
            )
        wr.close()

    # --- partner municipality -------------------------------------------------------------------

    def write_partner(self, d: Path) -> None:
        wr = Writer(d, "benefit_payments")
        for i, (p, m, ore) in enumerate(self.partner_benefits):
            wr.row(
                (
                    f"XB{i + 1:05d}",
                    f"XH-{i + 1:04d}",
                    p.pnr,
                    "",
                    f"2025-{m:02d}",
                    wr.money(ore + 310_00),
                    iso(wd(m, 6)),
                    self.w.ids.bank(),
                    "Storgatan 4",
                    "231 42",
                    "1101",
                    "1",
                )
            )
        wr.close()


__all__ = ["Welfare", "month_end", "with_luhn"]
