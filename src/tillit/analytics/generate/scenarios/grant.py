"""Injected cases and decoys for the GRANT-* (association grants) controls (analytics/controls/grant.py).

One function per scenario, run in its stage at its order (scenarios/__init__.py)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from tillit.analytics.generate._base import iso, person_name
from tillit.analytics.generate._second import second
from tillit.analytics.generate.scenarios import scenario

if TYPE_CHECKING:
    from tillit.analytics.generate._welfare import Welfare


@scenario("welfare.build_grants", 10)
def grant_double(wf: Welfare) -> None:
    t = wf.t
    y0, y1 = date(2025, 1, 1), date(2025, 12, 31)
    # GRANT-DOUBLE: same orgnr from two boards
    a = wf.association(name="Föreningen Trygga Möten i Syd", board="Socialnämnden")
    wf.grant(a, "Socialnämnden", "Verksamhetsbidrag", 240_000_00, y0, y1, ref="gd1a")
    wf.grant(a, "Kultur- och fritidsnämnden", "Verksamhetsbidrag", 185_000_00, y0, y1, ref="gd1b")
    t.case(
        "GRANT-DOUBLE",
        [("grants", "gd1a"), ("grants", "gd1b")],
        "association",
        a["orgnr"],
        185_000_00,
        "The same association granted by two boards for 2025.",
    )


@scenario("welfare.build_grants", 20)
def grant_network(wf: Welfare) -> None:
    t = wf.t
    y0, y1 = date(2025, 1, 1), date(2025, 12, 31)
    # same bank account, different orgnr (also a GRANT-NETWORK shared account)
    a = wf.association(name="Ungdomens Hus Sövestad")
    b = wf.association(name="Sövestads Ungdomsforum", board="Socialnämnden", account=a["account"])
    wf.grant(a, "Kultur- och fritidsnämnden", "Lokalbidrag", 96_400_00, y0, y1, ref="gd2a")
    wf.grant(
        b,
        "Socialnämnden",
        "Verksamhetsbidrag",
        120_500_00,
        date(2025, 3, 1),
        date(2025, 12, 31),
        ref="gd2b",
    )
    t.case(
        "GRANT-DOUBLE",
        [("grants", "gd2a"), ("grants", "gd2b")],
        "association",
        b["orgnr"],
        120_500_00,
        f"Two boards pay overlapping grants to one account {a['account']}.",
    )
    t.case(
        "GRANT-NETWORK",
        [("grants", "gd2a"), ("grants", "gd2b")],
        "association",
        b["orgnr"],
        96_400_00 + 120_500_00,
        "Two associations share one bank account.",
    )


@scenario("welfare.build_grants", 30)
def grant_double_2(wf: Welfare) -> None:
    t = wf.t
    y0, y1 = date(2025, 1, 1), date(2025, 12, 31)
    # same normalised name where one grant lacks a valid orgnr
    a = wf.association(name="Kulturföreningen Bjäresjö Folkets Hus")
    wf.grant(a, "Kultur- och fritidsnämnden", "Verksamhetsbidrag", 75_300_00, y0, y1, ref="gd3a")
    wf.grant(
        a,
        "Kommunstyrelsen",
        "Projektbidrag",
        60_000_00,
        date(2025, 4, 1),
        date(2025, 9, 30),
        ref="gd3b",
        name="Bjäresjö Folkets Hus Kulturföreningen",
        orgnr="",
    )
    t.case(
        "GRANT-DOUBLE",
        [("grants", "gd3a"), ("grants", "gd3b")],
        "association",
        a["orgnr"],
        60_000_00,
        "Same normalised name; the Kommunstyrelsen grant has no orgnr.",
    )


@scenario("welfare.build_grants", 40)
def grant_double_3(wf: Welfare) -> None:
    t = wf.t
    y0, y1 = date(2025, 1, 1), date(2025, 12, 31)
    # decoy: Kvarnby IF and Kvarnby FF are two different associations
    a = wf.association(name="Kvarnby IF")
    b = wf.association(name="Kvarnby FF", board="Socialnämnden")
    wf.grant(a, "Kultur- och fritidsnämnden", "Verksamhetsbidrag", 88_000_00, y0, y1, ref="kv1")
    wf.grant(b, "Socialnämnden", "Verksamhetsbidrag", 64_500_00, y0, y1, ref="kv2")
    t.decoy(
        ["GRANT-DOUBLE"],
        [("grants", "kv1"), ("grants", "kv2")],
        "Kvarnby IF and Kvarnby FF: similar names, different valid orgnr and accounts.",
    )


@scenario("welfare.build_grants", 50)
def grant_conflict(wf: Welfare) -> None:
    rng, w, t = wf.rng, wf.w, wf.t
    y0, y1 = date(2025, 1, 1), date(2025, 12, 31)
    # GRANT-CONFLICT: a politician / an employee of the granting board sits on the recipient's board
    for k, pred in enumerate((lambda e: e.politician, lambda e: not e.politician)):
        e = rng.choice(
            [x for x in w.employees if x.unit == "Kultur- och fritidsnämnden" and pred(x)]
        )
        a = wf.association(roles=1)
        wf.p.roles.append([a["orgnr"], e.pnr, "styrelseledamot", "2021-03-01", "", e.name])
        wf.grant(
            a,
            "Kultur- och fritidsnämnden",
            "Verksamhetsbidrag",
            142_000_00 + k * 31_00,
            y0,
            y1,
            ref=f"gc{k}",
        )
        t.case(
            "GRANT-CONFLICT",
            [("grants", f"gc{k}"), f"employees:{e.eid}"],
            "association",
            a["orgnr"],
            142_000_00 + k * 31_00,
            f"{e.eid} ({e.role}, Kultur- och fritidsnämnden) is on the recipient's board.",
        )


@scenario("welfare.build_grants", 60)
def grant_network_2(wf: Welfare) -> None:
    rng, w, t = wf.rng, wf.w, wf.t
    y0 = date(2025, 1, 1)
    # GRANT-NETWORK: one person on the boards of three or four granted associations
    for k, count in enumerate((3, 4)):
        pnr = w.people.take("adult")
        nm = person_name(rng)
        refs, total = [], 0
        for i in range(count):
            a = wf.association(roles=1)
            wf.p.roles.append([a["orgnr"], pnr, "styrelseledamot", "2023-02-01", "", nm])
            ore = rng.randint(200, 900) * 100_00 + 4_50
            wf.grant(
                a,
                "Kultur- och fritidsnämnden",
                "Aktivitetsstöd",
                ore,
                y0,
                date(2025, 6, 30),
                ref=f"gn{k}{i}",
            )
            refs.append(("grants", f"gn{k}{i}"))
            total += ore
        t.case(
            "GRANT-NETWORK",
            refs,
            "person",
            pnr,
            total,
            f"One person is on the board of {count} granted associations.",
        )


@scenario("welfare.build_grants", 70)
def grant_status(wf: Welfare) -> None:
    w, t = wf.w, wf.t
    y1 = date(2025, 12, 31)
    # GRANT-STATUS
    for k, (status, sdate) in enumerate(
        (("avregistrerad", date(2024, 11, 4)), ("likvidation", date(2025, 1, 20)))
    ):
        a = wf.association(status=status)
        w.status_rows[-1][7] = iso(sdate)
        w.status_rows[-1][1] = iso(sdate + timedelta(days=10))
        ore = 55_000_00 + k * 17_250_00
        wf.grant(
            a,
            "Kultur- och fritidsnämnden",
            "Verksamhetsbidrag",
            ore,
            date(2025, 4, 1),
            y1,
            ref=f"gs{k}",
        )
        t.case(
            "GRANT-STATUS",
            [("grants", f"gs{k}")],
            "association",
            a["orgnr"],
            ore,
            f"Recipient was {status} since {sdate} when the grant was decided.",
        )


def _second_grant(
    wf: Welfare,
    name: str,
    board: str,
    ore: int,
    decided: date,
    paid: date | None,
    members: int | None,
    activities: int | None,
) -> tuple[str, str]:
    """A grant to a new association, outside the background's random stream (generate/_second.py):
    appended after every other grant, so that no existing grant id or draw changes."""
    s2 = second(wf.w)
    orgnr = s2.ids.orgnr("association")
    gid = f"BID-2025-{len(wf.grants) + 1:04d}"
    wf.grants.append(
        [
            gid,
            board,
            orgnr,
            name,
            f"{ore // 100}.{ore % 100:02d}",
            "2025-01-01",
            "2025-12-31",
            "Verksamhetsbidrag",
            iso(decided),
            iso(paid),
            s2.ids.bankgiro(),
            "" if members is None else str(members),
            "" if activities is None else str(activities),
        ]
    )
    return orgnr, f"grants:{gid}"


@scenario("welfare.build_permits", 200)
def grant_activity(wf: Welfare) -> None:
    t = wf.t
    kfn, sn = "Kultur- och fritidsnämnden", "Socialnämnden"
    # GRANT-ACTIVITY: 3 200 kr per member where the board's others get 425–800 kr (background)
    orgnr, key = _second_grant(
        wf,
        "Hembygdsföreningen Norra Ed",
        kfn,
        96_000_00,
        date(2024, 12, 2),
        date(2025, 1, 20),
        30,
        12,
    )
    t.case(
        "GRANT-ACTIVITY",
        [key],
        "association",
        orgnr,
        96_000_00,
        "3 200 kr per reported member, the board's others 425–800 kr per member.",
    )
    # paid for a year with no activities reported
    orgnr, key = _second_grant(
        wf, "Föreningen Gemenskap i Väst", sn, 64_500_00, date(2025, 2, 10), date(2025, 3, 3), 48, 0
    )
    t.case(
        "GRANT-ACTIVITY",
        [key],
        "association",
        orgnr,
        64_500_00,
        "Paid although the association reported no activities.",
    )
    # a foundation paid without any reported members
    orgnr, key = _second_grant(
        wf,
        "Stiftelsen Ungdomsgården Källan",
        sn,
        120_000_00,
        date(2025, 2, 10),
        date(2025, 3, 3),
        None,
        40,
    )
    t.case(
        "GRANT-ACTIVITY",
        [key],
        "association",
        orgnr,
        120_000_00,
        "A foundation paid without reported members (a grant all the same).",
    )
    # decoys: 1 000 kr per member, high but below three times any median of 425–800 kr; no activities
    # reported for a grant decided but not yet paid
    _, a = _second_grant(
        wf,
        "Östra Ryds Bygdegårdsförening",
        kfn,
        42_000_00,
        date(2024, 12, 2),
        date(2025, 1, 20),
        42,
        20,
    )
    _, b = _second_grant(
        wf, "Teaterföreningen Ridån", kfn, 18_000_00, date(2025, 5, 12), None, 25, 0
    )
    t.decoy(
        ["GRANT-ACTIVITY"],
        [a, b],
        "1 000 kr per member is below three times the board's median; a grant not yet paid is not a hit.",
    )


@scenario("welfare.build_permits", 2520)
def grant_near_misses(wf: Welfare) -> None:
    t, w = wf.t, wf.w
    s2 = second(w)
    kfn = "Kultur- och fritidsnämnden"
    decided, paid = date(2025, 2, 10), date(2025, 3, 3)

    def granted(name: str, ore: int) -> tuple[str, str]:
        # about 600 kr a reported member, inside the background's 425–800 kr (GRANT-ACTIVITY)
        return _second_grant(wf, name, kfn, ore, decided, paid, ore // 600_00, 24)

    # GRANT-CONFLICT decoy: a politician of another board (Tekniska nämnden) on the board of an
    # association Kultur- och fritidsnämnden grants, the role declared and approved as a side job (a
    # rule that looked for any employee or politician, not one of the granting board, would flag it)
    taken = {
        k.split(":", 1)[1]
        for c in t.cases
        for k in c["evidence_keys"]
        if isinstance(k, str) and k.startswith("employees:")
    }
    e = s2.rng.choice(
        [
            x
            for x in w.employees
            if x.politician and x.unit == "Tekniska nämnden" and x.eid not in taken
        ]
    )
    orgnr, key = granted("Föreningen Stadsodlarna i Ystad", 84_000_00)
    wf.p.roles.append([orgnr, e.pnr, "styrelseledamot", "2021-03-01", "", e.name])
    s2.rows.setdefault("side_jobs", []).append(
        (e.eid, orgnr, "Styrelseuppdrag", date(2021, 2, 15), "godkänd", date(2021, 2, 26))
    )
    t.decoy(
        ["GRANT-CONFLICT"],
        [key, f"employees:{e.eid}"],
        f"{e.eid} is a politician of Tekniska nämnden, not of the granting board: not a hit.",
    )

    # GRANT-NETWORK decoy: one person on the boards of two granted associations, one fewer than the
    # limit of three (a rule counting two would flag it)
    pools = w.people.pools
    pnr = pools["adult" if pools["adult"] else "young"].pop()
    name = person_name(s2.rng)
    keys = []
    for association, ore in (
        ("Kustens Seglarskola", 131_500_00),
        ("Österlens Kammarkör", 46_200_00),
    ):
        orgnr, key = granted(association, ore)
        wf.p.roles.append([orgnr, pnr, "styrelseledamot", "2022-09-01", "", name])
        keys.append(key)
    t.decoy(
        ["GRANT-NETWORK"],
        keys,
        "One person on the boards of two granted associations, below the limit of three: not a hit.",
    )

    # GRANT-STATUS decoy: deregistered on the day after the grant decision, active when it was made
    # (a rule that took the newest status, not the one at the decision date, would flag it)
    orgnr, key = granted("Föreningen Gamla Ystadsbor", 38_400_00)
    w.status_rows.append(
        [
            orgnr,
            "2024-11-18",
            "false",
            "false",
            "false",
            "0.00",
            "aktiv",
            "1987-03-01",
            "1987-03-01",
        ]
    )
    gone = decided + timedelta(days=1)
    w.status_rows.append(
        [
            orgnr,
            iso(gone + timedelta(days=10)),
            "false",
            "false",
            "false",
            "0.00",
            "avregistrerad",
            iso(gone),
            "1987-03-01",
        ]
    )
    t.decoy(
        ["GRANT-STATUS"],
        [key],
        f"Decided {decided}, deregistered {gone}: active at the decision, not a hit.",
    )
