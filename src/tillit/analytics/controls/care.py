"""CARE-*: home care and personal assistance (hemtjänst, personlig assistans, LOV providers). One
staff member in two places, impossible working days, visits after a client's death, more time
billed than granted.

Visit times are stored in UTC; days and months are Swedish local time (local_time()). Billed time
is billed_minutes where given, else the visit's length.
"""

from __future__ import annotations

from decimal import Decimal

from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.registry import Control, Param, register

CARE_AREAS = (
    "Hemtjänst (ÄO)",
    "Vårdval (LOV)",
    "Personlig assistans",
    "Externa utförare (ÄO, OF, IFO, se ovan verksamheter)",
)
CARE_LAW = _(
    "Act (2008:962) on freedom of choice systems and the provider's contract; Social Services Act "
    "(2001:453) ch. 4 sec. 1; Local Government Act (2017:725) ch. 10 sec. 8 (following up providers)."
)
VISIT_EVIDENCE = ("provider_orgnr", "staff_id", "start", "end", "billed_minutes", "service")
MINUTES = "coalesce(billed_minutes, CAST(date_diff('minute', start, \"end\") AS BIGINT))"
POPULATION_EVIDENCE = ("status", "status_date")
DECISION_EVIDENCE = (
    "provider_orgnr",
    "valid_from",
    "valid_to",
    "granted_minutes_per_month",
    "service",
)


register(
    Control(
        id="CARE-OVERLAP",
        version=1,
        title=_("The same staff member in two places"),
        rationale=_(
            "One staff member has visits at two different clients that overlap in time by more than a few "
            "minutes."
        ),
        why=_(
            "A person cannot help two clients in two homes at once; overlapping visits under one staff id mean "
            "that at least one visit was not made as billed, or that staff ids are shared. Example: staff member "
            "HT1-9001 is billed at one client 09:00–10:00 and at another 09:30–10:15 on 11 March 2025. Visits back "
            "to back, one ending when the next starts, are not hits."
        ),
        legal_ground=CARE_LAW,
        risk_areas=CARE_AREAS,
        severity="hög",
        case_type="home_care",
        subject_type="staff",
        inputs={"care_visits": ("visit_id", "client", "staff_id", "start", "end")},
        params={
            "min_overlap_minutes": Param(
                5,
                min=0,
                max=240,
                description=_("Overlap in minutes that is allowed without a hit."),
            )
        },
        evidence={"care_visits": VISIT_EVIDENCE},
        sql="""
WITH v AS (
    SELECT visit_id, client, staff_id, start, "end", provider_orgnr, CAST(start AS DATE) AS day
    FROM care_visits
    WHERE staff_id IS NOT NULL AND start IS NOT NULL AND "end" > start
),
pairs AS (
    -- the same day, or a visit that runs past midnight into the next
    SELECT a.visit_id AS a_id, b.visit_id AS b_id
    FROM v AS a JOIN v AS b ON b.staff_id = a.staff_id AND b.day = a.day AND b.visit_id > a.visit_id
    WHERE b.client <> a.client AND b.start < a."end" AND a.start < b."end"
    UNION
    SELECT a.visit_id, b.visit_id
    FROM v AS a JOIN v AS b ON b.staff_id = a.staff_id AND b.day = a.day + 1
    WHERE b.client <> a.client AND b.start < a."end" AND a.start < b."end"
)
SELECT 'staff' AS subject_type,
       a.staff_id AS subject_id,
       CAST(0 AS DECIMAL(18,2)) AS amount_at_risk,
       list_sort(['care_visits:' || a.visit_id, 'care_visits:' || b.visit_id]) AS evidence_keys,
       a.staff_id,
       local_time(greatest(a.start, b.start)) AS overlap_from,
       CAST(date_diff('minute', greatest(a.start, b.start), least(a."end", b."end")) AS BIGINT) AS overlap_minutes
FROM pairs AS p
JOIN v AS a ON a.visit_id = p.a_id
JOIN v AS b ON b.visit_id = p.b_id
WHERE date_diff('minute', greatest(a.start, b.start), least(a."end", b."end")) > $min_overlap_minutes
""",
        explanation=_(
            "Staff member %(staff_id)s was billed at two clients at the same time for %(overlap_minutes)s "
            "minutes from %(overlap_from)s."
        ),
    )
)


register(
    Control(
        id="CARE-LONG-DAY",
        version=1,
        title=_("Unreasonably long working days"),
        rationale=_("One staff member's billed time in one day is above the limit."),
        why=_(
            "Time billed under one staff id beyond what one person can work in a day means that visits were "
            "invented or that several people work under one id, which hides who actually did the work. Example: "
            "staff member HT1-9801 is billed for 21 visits of 50 minutes, 17.5 hours, on 14 June 2025."
        ),
        legal_ground=CARE_LAW,
        risk_areas=CARE_AREAS,
        severity="medel",
        case_type="home_care",
        subject_type="staff",
        inputs={"care_visits": ("visit_id", "staff_id", "start")},
        params={
            "max_hours": Param(
                Decimal("16"),
                min=Decimal("1"),
                max=Decimal("24"),
                description=_("Most hours billed by one staff member in one day."),
            )
        },
        evidence={"care_visits": VISIT_EVIDENCE},
        sql=f"""
WITH v AS (
    SELECT visit_id, staff_id, CAST(local_time(start) AS DATE) AS day, {MINUTES} AS minutes
    FROM care_visits
    WHERE staff_id IS NOT NULL AND start IS NOT NULL
)
SELECT 'staff' AS subject_type,
       staff_id AS subject_id,
       CAST(0 AS DECIMAL(18,2)) AS amount_at_risk,
       list_sort(list('care_visits:' || visit_id)) AS evidence_keys,
       staff_id,
       day,
       CAST(round(sum(minutes) / 60.0, 1) AS DOUBLE) AS hours,
       CAST(count(*) AS BIGINT) AS visits
FROM v
GROUP BY staff_id, day
HAVING sum(minutes) > $max_hours * 60
""",
        explanation=_(
            "Staff member %(staff_id)s was billed for %(hours)s hours in %(visits)s visits on %(day)s."
        ),
    )
)


register(
    Control(
        id="CARE-DECEASED",
        version=1,
        title=_("Care billed after death"),
        rationale=_(
            "Visits billed for a client on days after the client's registered date of death."
        ),
        why=_(
            "A visit after the client has died cannot have been made; billing for it is at best a missed "
            "cancellation and at worst invented time. Example: four morning visits are billed for the four days "
            "after a client died on 3 April 2025. Visits on the day of death are not hits."
        ),
        legal_ground=CARE_LAW,
        risk_areas=CARE_AREAS,
        severity="hög",
        case_type="home_care",
        subject_type="person",
        inputs={
            "care_visits": ("visit_id", "client", "start"),
            "population": ("personnummer", "status", "status_date"),
        },
        evidence={"care_visits": VISIT_EVIDENCE, "population": POPULATION_EVIDENCE},
        sql=f"""
WITH after AS (
    SELECT v.visit_id, v.client, v.provider_orgnr, CAST(local_time(v.start) AS DATE) AS day, p.status_date,
           {MINUTES.replace("billed_minutes", "v.billed_minutes").replace("start, ", "v.start, ").replace('"end"', 'v."end"')}
               AS minutes
    FROM care_visits AS v
    JOIN population AS p ON p.personnummer = v.client
    WHERE lower(p.status) = 'avliden' AND p.status_date IS NOT NULL
      AND CAST(local_time(v.start) AS DATE) > p.status_date
)
SELECT 'person' AS subject_type,
       client AS subject_id,
       CAST(0 AS DECIMAL(18,2)) AS amount_at_risk,
       list_concat(list_sort(list('care_visits:' || visit_id)), ['population:' || client]) AS evidence_keys,
       status_date,
       CAST(count(*) AS BIGINT) AS visits,
       CAST(sum(minutes) AS BIGINT) AS minutes,
       min(day) AS first_day,
       max(day) AS last_day
FROM after
GROUP BY client, status_date
""",
        explanation=_(
            "%(visits)s visits (%(minutes)s minutes) were billed from %(first_day)s to %(last_day)s for a client "
            "who died on %(status_date)s."
        ),
    )
)


register(
    Control(
        id="CARE-OVER-GRANTED",
        version=1,
        title=_("More time than granted"),
        rationale=_(
            "Minutes billed for a client in a month above the minutes granted by the decision by more than the "
            "tolerance."
        ),
        why=_(
            "The decision grants the time the client needs; a provider paid per billed minute earns more the more it "
            "bills, so time above the decision is either unauthorised or not given. Example: a client granted 1 240 "
            "minutes a month is billed 1 560 minutes in September 2025."
        ),
        legal_ground=CARE_LAW,
        risk_areas=CARE_AREAS,
        severity="medel",
        case_type="home_care",
        subject_type="person",
        inputs={
            "care_visits": ("visit_id", "client", "start"),
            "care_decisions": ("decision_id", "client", "valid_from", "granted_minutes_per_month"),
        },
        params={
            "tolerance": Param(
                Decimal("0.10"),
                min=Decimal("0"),
                max=Decimal("5"),
                description=_("Share above the granted minutes that is tolerated."),
            )
        },
        evidence={"care_visits": VISIT_EVIDENCE, "care_decisions": DECISION_EVIDENCE},
        sql=f"""
WITH billed AS (
    SELECT client, provider_orgnr, date_trunc('month', CAST(local_time(start) AS DATE)) AS month,
           sum({MINUTES}) AS minutes, list_sort(list('care_visits:' || visit_id)) AS visit_keys
    FROM care_visits
    WHERE start IS NOT NULL
    GROUP BY client, provider_orgnr, date_trunc('month', CAST(local_time(start) AS DATE))
),
granted AS (
    -- the decisions valid in the month for the client and provider, added up
    SELECT b.client, b.provider_orgnr, b.month, sum(d.granted_minutes_per_month) AS granted,
           list_sort(list('care_decisions:' || d.decision_id)) AS decision_keys
    FROM billed AS b
    JOIN care_decisions AS d
      ON d.client = b.client AND (d.provider_orgnr IS NULL OR d.provider_orgnr = b.provider_orgnr)
     AND d.valid_from <= last_day(b.month) AND (d.valid_to IS NULL OR d.valid_to >= b.month)
    GROUP BY b.client, b.provider_orgnr, b.month
)
SELECT 'person' AS subject_type,
       b.client AS subject_id,
       CAST(0 AS DECIMAL(18,2)) AS amount_at_risk,
       list_concat(g.decision_keys, b.visit_keys) AS evidence_keys,
       strftime(b.month, '%Y-%m') AS month,
       CAST(b.minutes AS BIGINT) AS billed,
       CAST(g.granted AS BIGINT) AS granted
FROM billed AS b
JOIN granted AS g ON g.client = b.client AND g.provider_orgnr = b.provider_orgnr AND g.month = b.month
WHERE b.minutes > g.granted * (1 + $tolerance)
""",
        explanation=_(
            "%(billed)s minutes were billed in %(month)s for a client granted %(granted)s minutes a month."
        ),
    )
)
