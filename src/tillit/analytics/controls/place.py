"""PLACE-*: placements in HVB, family homes, supported and sheltered housing, and the days billed
for them (placement_billing, days_from..days_to inclusive).

A client is compared as billed (placement_billing.client). A billing row's amount per day is its
amount ÷ its days; a common day of two rows is billed twice.
"""

from __future__ import annotations

from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.registry import Control, Param, register

PLACEMENT_LAW = _(
    "Social Services Act (2001:453) ch. 6 (placements of children and young persons) and ch. 2 "
    "sec. 5 (the municipality's responsibility for its agreements with providers); Local Government "
    "Act (2017:725) ch. 6 sec. 6 (internal control)."
)

PLACEMENT_EVIDENCE = ("client", "provider_orgnr", "kind", "valid_from", "valid_to", "daily_rate")
BILLING_EVIDENCE = (
    "placement_id",
    "invoice_id",
    "client",
    "provider_orgnr",
    "days_from",
    "days_to",
    "amount",
)

register(
    Control(
        id="PLACE-OVERLAP",
        version=1,
        title=_("The same child placed in two places"),
        rationale=_(
            "One client billed by two placements, or twice by one placement, for at least one common day."
        ),
        why=_(
            "A child lives in one place at a time: two placements billed for the same day mean that one of them "
            "was paid for a day it did not care for the child, often after a move that was never reported to the "
            "first provider or to the social services. Example: a boy moves from an HVB home to a family home on "
            "20 March 2025, and the HVB home bills the whole of March."
        ),
        legal_ground=PLACEMENT_LAW,
        risk_areas=(
            "Hem för vård och boende (HVB)",
            "Familjehemsplaceringar (IFO)",
            "Externa placeringar (ÄO, OF, IFO)",
            "Fakturahantering",
        ),
        severity="hög",
        case_type="supplier",
        subject_type="person",
        inputs={
            "placement_billing": (
                "billing_id",
                "placement_id",
                "client",
                "provider_orgnr",
                "days_from",
                "days_to",
                "amount",
            )
        },
        optional_inputs=("placements",),
        evidence={"placement_billing": BILLING_EVIDENCE, "placements": PLACEMENT_EVIDENCE},
        sql="""
WITH billed AS (
    SELECT billing_id, placement_id, client, provider_orgnr, days_from, days_to, amount,
           date_diff('day', days_from, days_to) + 1 AS days
    FROM placement_billing
    WHERE days_to >= days_from AND amount > 0
),
pairs AS (
    -- every two rows of the same client that share a day; the placements in a fixed order
    SELECT x.client,
           CASE WHEN x.placement_id <= y.placement_id THEN x.placement_id ELSE y.placement_id END AS placement_a,
           CASE WHEN x.placement_id <= y.placement_id THEN y.placement_id ELSE x.placement_id END AS placement_b,
           CASE WHEN x.placement_id <= y.placement_id THEN x.provider_orgnr ELSE y.provider_orgnr END AS provider_a,
           CASE WHEN x.placement_id <= y.placement_id THEN y.provider_orgnr ELSE x.provider_orgnr END AS provider_b,
           x.billing_id AS billing_x, y.billing_id AS billing_y,
           greatest(x.days_from, y.days_from) AS common_from, least(x.days_to, y.days_to) AS common_to,
           date_diff('day', greatest(x.days_from, y.days_from), least(x.days_to, y.days_to)) + 1 AS common_days,
           least(round(x.amount * (date_diff('day', greatest(x.days_from, y.days_from), least(x.days_to, y.days_to)) + 1) / x.days, 2),
                 round(y.amount * (date_diff('day', greatest(x.days_from, y.days_from), least(x.days_to, y.days_to)) + 1) / y.days, 2))
               AS twice_billed
    FROM billed AS x
    JOIN billed AS y ON y.client = x.client AND x.billing_id < y.billing_id
     AND x.days_from <= y.days_to AND y.days_from <= x.days_to
),
keys AS (
    SELECT client, placement_a, placement_b, 'placement_billing:' || billing_x AS k FROM pairs
    UNION
    SELECT client, placement_a, placement_b, 'placement_billing:' || billing_y FROM pairs
    UNION
    SELECT client, placement_a, placement_b, 'placements:' || placement_a FROM pairs
    UNION
    SELECT client, placement_a, placement_b, 'placements:' || placement_b FROM pairs
),
evidence AS (
    SELECT client, placement_a, placement_b, list_sort(list(k)) AS evidence_keys
    FROM keys GROUP BY client, placement_a, placement_b
)
SELECT 'person' AS subject_type,
       p.client AS subject_id,
       CAST(sum(p.twice_billed) AS DECIMAL(18,2)) AS amount_at_risk,
       e.evidence_keys,
       CASE WHEN p.placement_a = p.placement_b THEN 'same' ELSE 'two' END AS explanation_key,
       p.client,
       p.placement_a,
       p.placement_b,
       min(p.provider_a) AS provider_a,
       min(p.provider_b) AS provider_b,
       CAST(sum(p.common_days) AS BIGINT) AS days,
       min(p.common_from) AS first_day,
       max(p.common_to) AS last_day,
       CAST(sum(p.twice_billed) AS DECIMAL(18,2)) AS twice_billed
FROM pairs AS p
JOIN evidence AS e ON e.client = p.client AND e.placement_a = p.placement_a AND e.placement_b = p.placement_b
GROUP BY p.client, p.placement_a, p.placement_b, e.evidence_keys
""",
        explanation={
            "two": _(
                "%(client)s was billed by two placements for the same %(days)s days between %(first_day)s and "
                "%(last_day)s: %(placement_a)s (%(provider_a)s) and %(placement_b)s (%(provider_b)s); "
                "%(twice_billed)s was billed twice."
            ),
            "same": _(
                "%(client)s was billed twice under placement %(placement_a)s (%(provider_a)s) for the same "
                "%(days)s days between %(first_day)s and %(last_day)s; %(twice_billed)s was billed twice."
            ),
        },
    )
)


register(
    Control(
        id="PLACE-RATE",
        version=1,
        title=_("Daily price above the agreed"),
        rationale=_(
            "A placement billed more per day than its agreed daily rate, by more than the tolerance."
        ),
        why=_(
            "The daily rate is agreed in the placement decision or the framework agreement; a home that bills more "
            "per day has raised its price without a decision, or bills extra services nobody ordered. Example: an "
            "HVB home with an agreed daily rate of 3 100 kr bills 3 250 kr a day for the whole of August 2025."
        ),
        legal_ground=PLACEMENT_LAW,
        risk_areas=(
            "Hem för vård och boende (HVB)",
            "Familjehemsplaceringar (IFO)",
            "Externa placeringar (ÄO, OF, IFO)",
            "Fakturahantering",
        ),
        severity="medel",
        case_type="supplier",
        subject_type="placement",
        inputs={
            "placements": ("placement_id", "daily_rate"),
            "placement_billing": ("billing_id", "placement_id", "days_from", "days_to", "amount"),
        },
        params={
            "tolerance": Param(
                2,
                min=0,
                max=50,
                description=_("Billed per day may exceed the daily rate by this many percent."),
            )
        },
        evidence={"placement_billing": BILLING_EVIDENCE, "placements": PLACEMENT_EVIDENCE},
        sql="""
WITH billed AS (
    SELECT b.billing_id, b.placement_id, b.amount, p.daily_rate, p.provider_orgnr,
           date_diff('day', b.days_from, b.days_to) + 1 AS days
    FROM placement_billing AS b
    JOIN placements AS p ON p.placement_id = b.placement_id
    WHERE b.days_to >= b.days_from AND b.amount > 0 AND p.daily_rate > 0
),
over AS (
    -- billed per day above the rate plus the tolerance, compared without dividing
    SELECT * FROM billed WHERE amount * 100 > daily_rate * days * (100 + $tolerance)
)
SELECT 'placement' AS subject_type,
       o.placement_id AS subject_id,
       sum(o.amount - o.daily_rate * o.days) AS amount_at_risk,
       list_concat(['placements:' || o.placement_id], list_sort(list('placement_billing:' || o.billing_id)))
         AS evidence_keys,
       o.placement_id,
       min(o.provider_orgnr) AS provider_orgnr,
       min(o.daily_rate) AS daily_rate,
       sum(o.amount) AS billed,
       CAST(sum(o.days) AS BIGINT) AS days,
       count(*) AS bills,
       sum(o.amount - o.daily_rate * o.days) AS above,
       $tolerance AS tolerance
FROM over AS o
GROUP BY o.placement_id
""",
        explanation=_(
            "Placement %(placement_id)s (%(provider_orgnr)s, agreed daily rate %(daily_rate)s) was billed "
            "%(billed)s for %(days)s days (number of bills: %(bills)s), more than the daily rate plus "
            "%(tolerance)s percent; %(above)s above the agreed rate."
        ),
    )
)


register(
    Control(
        id="PLACE-OUTSIDE",
        version=1,
        title=_("Placement days outside the placement"),
        rationale=_(
            "Days billed outside the placement's period, or after the client's death or emigration."
        ),
        why=_(
            "A placement is paid for the days the decision covers and the client lives there; days billed before "
            "it started, after it ended, or after the client died or left the country were not care. Example: a "
            "family home whose placement ended on 15 May 2025 bills the whole of May."
        ),
        legal_ground=PLACEMENT_LAW,
        risk_areas=(
            "Hem för vård och boende (HVB)",
            "Familjehemsplaceringar (IFO)",
            "Externa placeringar (ÄO, OF, IFO)",
            "Folkbokföring",
        ),
        severity="hög",
        case_type="supplier",
        subject_type="placement",
        inputs={
            "placements": ("placement_id", "valid_from"),
            "placement_billing": ("billing_id", "placement_id", "days_from", "days_to", "amount"),
        },
        optional_inputs=("population",),
        evidence={"placement_billing": BILLING_EVIDENCE, "placements": PLACEMENT_EVIDENCE},
        sql="""
WITH gone AS (
    -- the day of death or emigration; days strictly after it are outside
    SELECT personnummer, status_date FROM population
    WHERE lower(trim(status)) IN ('avliden', 'utvandrad') AND status_date IS NOT NULL
),
billed AS (
    SELECT b.billing_id, b.placement_id, b.client, b.days_from, b.days_to, b.amount, p.valid_from, p.valid_to,
           g.status_date AS gone_date,
           date_diff('day', b.days_from, b.days_to) + 1 AS days,
           least(coalesce(p.valid_to, DATE '9999-12-31'), coalesce(g.status_date, DATE '9999-12-31')) AS last_day
    FROM placement_billing AS b
    JOIN placements AS p ON p.placement_id = b.placement_id
    LEFT JOIN gone AS g ON g.personnummer = b.client
    WHERE b.days_to >= b.days_from AND b.amount > 0
),
outside AS (
    SELECT *, days - greatest(0, date_diff('day', greatest(days_from, valid_from), least(days_to, last_day)) + 1)
                AS days_outside
    FROM billed
)
SELECT 'placement' AS subject_type,
       placement_id AS subject_id,
       CAST(round(amount * days_outside / days, 2) AS DECIMAL(18,2)) AS amount_at_risk,
       ['placement_billing:' || billing_id, 'placements:' || placement_id] AS evidence_keys,
       CASE WHEN gone_date IS NOT NULL AND gone_date < days_to
                 AND gone_date < coalesce(valid_to, DATE '9999-12-31') THEN 'gone'
            ELSE 'outside' END AS explanation_key,
       billing_id, placement_id, client, days_from, days_to, amount, valid_from, gone_date,
       CAST(days_outside AS BIGINT) AS days_outside,
       CAST(round(amount * days_outside / days, 2) AS DECIMAL(18,2)) AS amount_outside
FROM outside
WHERE days_outside > 0
""",
        explanation={
            "outside": _(
                "Bill %(billing_id)s of placement %(placement_id)s for %(client)s, %(amount)s for "
                "%(days_from)s to %(days_to)s, holds %(days_outside)s days outside the placement, which starts "
                "on %(valid_from)s: %(amount_outside)s."
            ),
            "gone": _(
                "Bill %(billing_id)s of placement %(placement_id)s for %(client)s, %(amount)s for %(days_from)s "
                "to %(days_to)s, holds %(days_outside)s days after the client died or emigrated on "
                "%(gone_date)s: %(amount_outside)s."
            ),
        },
    )
)
