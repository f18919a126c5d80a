"""APP-*: applications for economic assistance, examined before the decision (seed 002: "få in rätt
underlag för beslut").

An application is read as if it were a payment for its period, against benefit_payments, the other
applications, population and employees, with the first family's rules unchanged: the address, death
and employment conditions are the BEN rules' own SQL (controls/_sql.py), and one account or one person
for two households in a month is found among every payment and application of that month. An
application is examined whatever its decision; one whose decided_date is before its received_date
is a data error and is not compared. One hit per application, naming every rule it would raise,
with the severity of the most severe of them.
"""

from __future__ import annotations

from tillit.analytics.controls._sql import (
    ben_address_differs_sql,
    ben_after_death_sql,
    ben_employed_sql,
)
from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.registry import Control, register

APPLICATION_EVIDENCE = (
    "household_id",
    "period",
    "received_date",
    "applied_amount",
    "decision",
    "decided_date",
    "bank_account",
    "address",
    "postal_code",
    "apartment",
    "household_size",
)

register(
    Control(
        id="APP-BEFORE-PAYMENT",
        version=1,
        title=_("Application to examine before the decision"),
        rationale=_(
            "An application for economic assistance that, read as a payment for its month, would raise "
            "BEN-SHARED-ACCOUNT, BEN-ADDRESS, BEN-DECEASED, BEN-DOUBLE-HOUSEHOLD or BEN-EMPLOYED."
        ),
        why=_(
            "The checks after payment find money that has already left; the same checks on the application find "
            "the missing basis while the decision can still be made right, and no money needs to be recovered. "
            "Example: the application of household H-00031 for May 2025 names an account to which household "
            "H-00032 is paid for the same month, and the co-applicant emigrated in March."
        ),
        legal_ground=_(
            "Social Services Act (2001:453) ch. 4 sec. 1 and ch. 11 sec. 1–2 (investigation before the "
            "decision); Act (2007:612) on benefit crime."
        ),
        risk_areas=("Ekonomiskt bistånd (försörjningsstöd)", "Folkbokföring"),
        severity="medel",
        case_type="benefit",
        subject_type="household",
        inputs={
            "benefit_applications": (
                "application_id",
                "household_id",
                "applicant",
                "period",
                "received_date",
            ),
        },
        optional_inputs=("benefit_payments", "population", "employees"),
        evidence={"benefit_applications": APPLICATION_EVIDENCE},
        # an application decided before it was received is a data error: counted, not compared
        not_comparable_sql="""
SELECT count(*) FROM benefit_applications WHERE decided_date < received_date
""",
        sql=f"""
WITH apps AS (
    SELECT application_id, household_id, applicant, co_applicant, period, received_date, bank_account, address,
           postal_code, coalesce(applied_amount, CAST(0 AS DECIMAL(18,2))) AS applied_amount
    FROM benefit_applications
    WHERE decided_date IS NULL OR decided_date >= received_date
),
claims AS (
    -- every month claimed: the payments and the applications
    SELECT 'benefit_payments:' || payment_id AS claim_key, household_id, period, bank_account, applicant,
           co_applicant
    FROM benefit_payments
    WHERE amount > 0
    UNION ALL
    SELECT 'benefit_applications:' || application_id, household_id, period, bank_account, applicant, co_applicant
    FROM apps
),
claim_persons AS (
    SELECT claim_key, household_id, period, applicant AS personnummer FROM claims
    UNION ALL
    SELECT claim_key, household_id, period, co_applicant FROM claims WHERE co_applicant IS NOT NULL
),
app_persons AS (
    SELECT application_id, household_id, period, applicant AS personnummer, 'applicant' AS role FROM apps
    UNION ALL
    SELECT application_id, household_id, period, co_applicant, 'co_applicant' FROM apps
    WHERE co_applicant IS NOT NULL
),
shared AS (
    -- BEN-SHARED-ACCOUNT: the account is another household's for the same month
    SELECT a.application_id, min(c.household_id) AS other_household, list(DISTINCT c.claim_key) AS keys
    FROM apps AS a
    JOIN claims AS c ON c.bank_account = a.bank_account AND c.period = a.period AND c.household_id <> a.household_id
    WHERE a.bank_account IS NOT NULL
    GROUP BY a.application_id
),
doubled AS (
    -- BEN-DOUBLE-HOUSEHOLD: a person of the application is in another household for the same month
    SELECT a.application_id, min(c.household_id) AS other_household, list(DISTINCT c.claim_key) AS keys
    FROM app_persons AS a
    JOIN claim_persons AS c ON c.personnummer = a.personnummer AND c.period = a.period
     AND c.household_id <> a.household_id
    GROUP BY a.application_id
),
deceased AS (
    -- BEN-DECEASED
    SELECT b.application_id, min(lower(p.status)) AS status, min(p.status_date) AS status_date,
           min(b.role) AS role, list(DISTINCT 'population:' || p.personnummer) AS keys
    FROM app_persons AS b
    JOIN population AS p ON p.personnummer = b.personnummer
    WHERE {ben_after_death_sql("b", "p")}
    GROUP BY b.application_id
),
moved AS (
    -- BEN-ADDRESS
    SELECT b.application_id, min(b.address) AS address, min(p.address) AS registered_address,
           list('population:' || p.personnummer) AS keys
    FROM apps AS b
    JOIN population AS p ON p.personnummer = b.applicant
    WHERE {ben_address_differs_sql("b", "p")}
    GROUP BY b.application_id
),
employed AS (
    -- BEN-EMPLOYED
    SELECT b.application_id, coalesce(min(e.role), '') AS employee_role,
           list(DISTINCT 'employees:' || e.employee_id) AS keys
    FROM apps AS b
    JOIN employees AS e ON e.personnummer = b.applicant
    WHERE {ben_employed_sql("b", "e")}
    GROUP BY b.application_id
),
rules AS (
    SELECT application_id, 1 AS rank, 'BEN-DECEASED' AS rule, 'hög' AS severity, keys FROM deceased
    UNION ALL
    SELECT application_id, 2, 'BEN-SHARED-ACCOUNT', 'hög', keys FROM shared
    UNION ALL
    SELECT application_id, 3, 'BEN-DOUBLE-HOUSEHOLD', 'hög', keys FROM doubled
    UNION ALL
    SELECT application_id, 4, 'BEN-ADDRESS', 'medel', keys FROM moved
    UNION ALL
    SELECT application_id, 5, 'BEN-EMPLOYED', 'medel', keys FROM employed
),
per_application AS (
    SELECT application_id, min(rank) AS top, array_to_string(list_sort(list(rule)), ', ') AS rules,
           list_sort(list_distinct(flatten(list(keys)))) AS keys
    FROM rules
    GROUP BY application_id
)
SELECT 'household' AS subject_type,
       a.household_id AS subject_id,
       a.applied_amount AS amount_at_risk,
       list_concat(['benefit_applications:' || a.application_id], r.keys) AS evidence_keys,
       CASE WHEN r.top <= 3 THEN 'hög' ELSE 'medel' END AS severity,
       CASE r.top WHEN 1 THEN d.status || '_' || d.role WHEN 2 THEN 'shared_account'
                  WHEN 3 THEN 'double_household' WHEN 4 THEN 'address' ELSE 'employed' END AS explanation_key,
       a.application_id, a.household_id, a.period, a.received_date, a.applied_amount, r.rules,
       d.status_date,
       coalesce(a.bank_account, '') AS bank_account,
       coalesce(s.other_household, h.other_household) AS other_household,
       coalesce(ad.address, '') AS address,
       coalesce(ad.registered_address, '') AS registered_address,
       em.employee_role
FROM per_application AS r
JOIN apps AS a ON a.application_id = r.application_id
LEFT JOIN deceased AS d ON d.application_id = r.application_id
LEFT JOIN shared AS s ON s.application_id = r.application_id
LEFT JOIN doubled AS h ON h.application_id = r.application_id
LEFT JOIN moved AS ad ON ad.application_id = r.application_id
LEFT JOIN employed AS em ON em.application_id = r.application_id
""",
        explanation={
            "avliden_applicant": _(
                "Application %(application_id)s for %(period)s (received %(received_date)s, %(applied_amount)s) "
                "would raise %(rules)s if paid: the applicant died on %(status_date)s."
            ),
            "avliden_co_applicant": _(
                "Application %(application_id)s for %(period)s (received %(received_date)s, %(applied_amount)s) "
                "would raise %(rules)s if paid: the co-applicant died on %(status_date)s."
            ),
            "utvandrad_applicant": _(
                "Application %(application_id)s for %(period)s (received %(received_date)s, %(applied_amount)s) "
                "would raise %(rules)s if paid: the applicant emigrated on %(status_date)s."
            ),
            "utvandrad_co_applicant": _(
                "Application %(application_id)s for %(period)s (received %(received_date)s, %(applied_amount)s) "
                "would raise %(rules)s if paid: the co-applicant emigrated on %(status_date)s."
            ),
            "shared_account": _(
                "Application %(application_id)s for %(period)s (received %(received_date)s, %(applied_amount)s) "
                "would raise %(rules)s if paid: the account %(bank_account)s is also named for household "
                "%(other_household)s for the same month."
            ),
            "double_household": _(
                "Application %(application_id)s for %(period)s (received %(received_date)s, %(applied_amount)s) "
                "would raise %(rules)s if paid: a person of the household is also in household "
                "%(other_household)s for the same month."
            ),
            "address": _(
                "Application %(application_id)s for %(period)s (received %(received_date)s, %(applied_amount)s) "
                "would raise %(rules)s if paid: it names the address %(address)s, while the applicant is "
                "registered at %(registered_address)s."
            ),
            "employed": _(
                "Application %(application_id)s for %(period)s (received %(received_date)s, %(applied_amount)s) "
                "would raise %(rules)s if paid: the applicant is employed by the municipality (%(employee_role)s) "
                "in that month."
            ),
        },
    )
)
