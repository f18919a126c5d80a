"""BEN-*: economic assistance (ekonomiskt bistånd) and the population register. One account for
several households, crowded addresses, benefit address not the registered one, payments after
death or emigration, one person in two households, assistance while employed, assistance to a
company owner whose company the municipality paid.

A benefit payment is for its `period` (YYYY-MM); day boundaries follow controls.md: a payment
for the month in which the death or emigration occurred is not a hit, the next month is, and a
payment made after a death for a month before it is not a hit. "Adult" is 18 or older on the first
day of the month examined; the birth date comes from the population register, or from the first
eight digits of the personnummer (a samordningsnummer's day minus 60). No control reads any other
digit of the personnummer.

Addresses are compared case- and punctuation-insensitively, with the postal code's digits and,
for crowding, the apartment number (lägenhetsnummer).
"""

from __future__ import annotations

from tillit.analytics.controls._sql import (
    ADDRESS_NORM,
    MONTH_START,
    POSTAL_NORM,
    ben_address_differs_sql,
    ben_after_death_sql,
    ben_employed_sql,
)
from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.registry import Control, Param, register

BENEFIT_AREAS = ("Ekonomiskt bistånd (försörjningsstöd)", "Folkbokföring")
BENEFIT_EVIDENCE = (
    "household_id",
    "period",
    "amount",
    "paid_date",
    "bank_account",
    "address",
    "postal_code",
    "apartment",
    "household_size",
)
BENEFIT_LAW = _(
    "Social Services Act (2001:453) ch. 4 sec. 1 and ch. 9 sec. 1–2 (recovery); Act (2007:612) on "
    "benefit crime."
)
BIRTH_DATE = (
    "coalesce({p}.birth_date, make_date(CAST(substr({p}.personnummer, 1, 4) AS INTEGER), "
    "CAST(substr({p}.personnummer, 5, 2) AS INTEGER), "
    "CAST(substr({p}.personnummer, 7, 2) AS INTEGER) % 60))"
)
POPULATION_EVIDENCE = (
    "name",
    "address",
    "postal_code",
    "apartment",
    "registered_from",
    "status",
    "status_date",
)
EMPLOYEE_EVIDENCE = ("name", "unit", "role", "employed_from", "employed_to")


register(
    Control(
        id="BEN-SHARED-ACCOUNT",
        version=1,
        title=_("Several households, one account"),
        rationale=_(
            "One bank account receives economic assistance for two or more households for the same month."
        ),
        why=_(
            "Each household's assistance goes to an account the household controls; when one account receives "
            "the assistance of two households, one of them is not a household of its own, or someone collects "
            "the money of others. Example: households H-00012 and H-00013 are both paid to the same account for "
            "March, April and May 2025."
        ),
        legal_ground=BENEFIT_LAW,
        risk_areas=BENEFIT_AREAS,
        severity="hög",
        case_type="benefit",
        subject_type="household",
        inputs={
            "benefit_payments": ("payment_id", "household_id", "period", "amount", "bank_account")
        },
        evidence={"benefit_payments": BENEFIT_EVIDENCE},
        sql="""
WITH paid AS (
    SELECT payment_id, household_id, period, amount, bank_account
    FROM benefit_payments
    WHERE amount > 0 AND bank_account IS NOT NULL
),
shared AS (
    SELECT bank_account, period FROM paid GROUP BY bank_account, period HAVING count(DISTINCT household_id) >= 2
),
per_household AS (
    SELECT p.bank_account, p.period, p.household_id, sum(p.amount) AS amount
    FROM paid AS p JOIN shared AS s ON s.bank_account = p.bank_account AND s.period = p.period
    GROUP BY p.bank_account, p.period, p.household_id
),
per_month AS (
    -- per month, everything but the largest household's payment went to someone else's account
    SELECT bank_account, sum(amount) - max(amount) AS amount FROM per_household GROUP BY bank_account, period
),
at_risk AS (
    SELECT bank_account, sum(amount) AS amount FROM per_month GROUP BY bank_account
)
SELECT 'household' AS subject_type,
       min(p.household_id) AS subject_id,
       min(r.amount) AS amount_at_risk,
       list_sort(list('benefit_payments:' || p.payment_id)) AS evidence_keys,
       p.bank_account,
       CAST(count(DISTINCT p.household_id) AS BIGINT) AS households,
       min(p.period) AS first_period,
       max(p.period) AS last_period
FROM paid AS p
JOIN shared AS s ON s.bank_account = p.bank_account AND s.period = p.period
JOIN at_risk AS r ON r.bank_account = p.bank_account
GROUP BY p.bank_account
""",
        explanation=_(
            "The account %(bank_account)s received economic assistance for %(households)s households in the "
            "same months (%(first_period)s to %(last_period)s)."
        ),
    )
)


register(
    Control(
        id="BEN-CROWDED",
        version=1,
        title=_("Many adults in one flat"),
        rationale=_(
            "For a paid month, more adults than the limit are registered at the paid household's address and "
            "flat, or adults registered there are applicants or co-applicants of two or more households paid "
            "for that month."
        ),
        why=_(
            "Addresses are rented out for registration only: many adults registered in one flat, or several "
            "households claiming assistance from the same flat as separate households, point to false registration "
            "or to a false separation. Example: seven adults are registered in flat 1201 at Storgatan 4, where a "
            "one-person household is paid assistance for April to June 2025."
        ),
        legal_ground=_(
            "Population Registration Act (1991:481) sec. 6–7; Social Services Act (2001:453) ch. 4 sec. 1; "
            "Act (2007:612) on benefit crime."
        ),
        risk_areas=BENEFIT_AREAS,
        severity="medel",
        case_type="benefit",
        subject_type="household",
        inputs={
            "benefit_payments": ("payment_id", "household_id", "applicant", "period", "amount"),
            "population": ("personnummer", "address", "postal_code"),
        },
        params={
            "max_adults": Param(
                6,
                min=2,
                max=50,
                description=_("Largest number of adults registered in one flat without a hit."),
            )
        },
        evidence={"benefit_payments": BENEFIT_EVIDENCE, "population": POPULATION_EVIDENCE},
        sql=f"""
WITH registered AS (
    SELECT personnummer,
           {ADDRESS_NORM.format(col="address")} || '|' || {POSTAL_NORM.format(col="postal_code")} || '|'
               || coalesce(trim(apartment), '') AS place,
           {BIRTH_DATE.format(p="population")} AS birth_date, registered_from, status, status_date, address
    FROM population
    WHERE {ADDRESS_NORM.format(col="address")} <> ''
),
paid AS (
    SELECT b.payment_id, b.household_id, b.applicant, b.co_applicant, b.period, b.amount,
           {MONTH_START.format(col="b.period")} AS month_start,
           coalesce(nullif({ADDRESS_NORM.format(col="b.address")} || '|' || {POSTAL_NORM.format(col="b.postal_code")}
                           || '|' || coalesce(trim(b.apartment), ''), '||'), r.place) AS place
    FROM benefit_payments AS b
    LEFT JOIN registered AS r ON r.personnummer = b.applicant
    WHERE b.amount > 0
),
residents AS (
    -- adults registered at the place in the month (not deceased or emigrated before it)
    SELECT DISTINCT p.place, p.period, r.personnummer, r.address
    FROM (SELECT DISTINCT place, period, month_start FROM paid) AS p
    JOIN registered AS r ON r.place = p.place
    WHERE r.birth_date <= make_date(year(p.month_start) - 18, month(p.month_start), 1)
      AND (r.registered_from IS NULL OR r.registered_from <= last_day(p.month_start))
      AND NOT (lower(coalesce(r.status, '')) IN ('avliden', 'utvandrad', 'avregistrerad')
               AND coalesce(r.status_date, DATE '0001-01-01') < p.month_start)
),
persons_paid AS (
    SELECT payment_id, household_id, period, applicant AS personnummer FROM paid
    UNION ALL
    SELECT payment_id, household_id, period, co_applicant FROM paid WHERE co_applicant IS NOT NULL
),
crowded AS (
    SELECT place, period, count(*) AS adults FROM residents GROUP BY place, period HAVING count(*) > $max_adults
),
shared AS (
    -- residents who are applicants or co-applicants of two or more households paid that month
    SELECT r.place, r.period, count(DISTINCT pp.household_id) AS households
    FROM residents AS r JOIN persons_paid AS pp ON pp.personnummer = r.personnummer AND pp.period = r.period
    GROUP BY r.place, r.period
    HAVING count(DISTINCT pp.household_id) >= 2
),
flagged AS (
    SELECT p.place, p.period, p.payment_id, p.household_id, p.amount, 1 AS crowded
    FROM paid AS p JOIN crowded AS c ON c.place = p.place AND c.period = p.period
    UNION
    SELECT s.place, s.period, pp.payment_id, pp.household_id, b.amount, 0
    FROM shared AS s
    JOIN residents AS r ON r.place = s.place AND r.period = s.period
    JOIN persons_paid AS pp ON pp.personnummer = r.personnummer AND pp.period = s.period
    JOIN paid AS b ON b.payment_id = pp.payment_id
),
people AS (
    SELECT f.place, list_sort(list(DISTINCT 'population:' || r.personnummer)) AS keys,
           CAST(max(c.adults) AS BIGINT) AS adults, min(r.address) AS address
    FROM (SELECT DISTINCT place, period FROM flagged) AS f
    JOIN residents AS r ON r.place = f.place AND r.period = f.period
    LEFT JOIN crowded AS c ON c.place = f.place AND c.period = f.period
    GROUP BY f.place
)
SELECT 'household' AS subject_type,
       min(f.household_id) AS subject_id,
       sum(f.amount) AS amount_at_risk,
       list_concat(list_sort(list(DISTINCT 'benefit_payments:' || f.payment_id)), min(pe.keys)) AS evidence_keys,
       CASE WHEN max(f.crowded) = 1 THEN 'crowded' ELSE 'households' END AS explanation_key,
       -- the address as written in the register, with the lägenhetsnummer as in a Swedish postal address
       min(pe.address) || CASE WHEN split_part(f.place, '|', 3) <> '' THEN ' lgh ' || split_part(f.place, '|', 3)
                               ELSE '' END AS address,
       coalesce(max(pe.adults), CAST(0 AS BIGINT)) AS adults,
       CAST(count(DISTINCT f.household_id) AS BIGINT) AS households,
       min(f.period) AS first_period,
       max(f.period) AS last_period
FROM flagged AS f
JOIN people AS pe ON pe.place = f.place
GROUP BY f.place
""",
        explanation={
            "crowded": _(
                "%(adults)s adults are registered at %(address)s, where economic assistance was paid for "
                "%(first_period)s to %(last_period)s."
            ),
            "households": _(
                "Adults registered at %(address)s are applicants in %(households)s households paid for the "
                "same months (%(first_period)s to %(last_period)s)."
            ),
        },
    )
)


register(
    Control(
        id="BEN-ADDRESS",
        version=1,
        title=_("Address differs from the population register"),
        rationale=_(
            "The address in the economic assistance differs from the applicant's registered address in the "
            "same month."
        ),
        why=_(
            "Assistance is the responsibility of the municipality where the person lives, and the rent the "
            "assistance pays is for that home; an address in the case file that is not the registered one means "
            "that the person lives elsewhere, possibly in another municipality, or that the rent paid is not "
            "the applicant's. Example: assistance for February to May 2025 names Storgatan 4, flat 1302, while the "
            "applicant is registered at Ringvägen 9."
        ),
        legal_ground=_(
            "Population Registration Act (1991:481) sec. 6; Social Services Act (2001:453) ch. 2 sec. 1; "
            "Act (2007:612) on benefit crime."
        ),
        risk_areas=BENEFIT_AREAS,
        severity="medel",
        case_type="benefit",
        subject_type="household",
        inputs={
            "benefit_payments": ("payment_id", "household_id", "applicant", "period", "address"),
            "population": ("personnummer", "address"),
        },
        evidence={"benefit_payments": BENEFIT_EVIDENCE, "population": POPULATION_EVIDENCE},
        sql=f"""
WITH differing AS (
    SELECT b.payment_id, b.household_id, b.applicant, b.period, b.amount, b.address AS benefit_address,
           p.address AS registered_address
    FROM benefit_payments AS b
    JOIN population AS p ON p.personnummer = b.applicant
    WHERE b.amount > 0 AND {ben_address_differs_sql("b", "p")}
)
SELECT 'household' AS subject_type,
       household_id AS subject_id,
       sum(amount) AS amount_at_risk,
       list_concat(list_sort(list('benefit_payments:' || payment_id)), ['population:' || min(applicant)])
           AS evidence_keys,
       min(benefit_address) AS benefit_address,
       min(registered_address) AS registered_address,
       min(period) AS first_period,
       max(period) AS last_period
FROM differing
GROUP BY household_id, applicant
""",
        explanation=_(
            "Economic assistance for %(first_period)s to %(last_period)s names the address %(benefit_address)s; "
            "the applicant is registered at %(registered_address)s."
        ),
    )
)


register(
    Control(
        id="BEN-DECEASED",
        version=1,
        title=_("Payment after death or emigration"),
        rationale=_(
            "Economic assistance paid for a month after the month in which the applicant or co-applicant was "
            "registered as deceased or emigrated."
        ),
        why=_(
            "Assistance is for the living household's needs month by month; a payment for a month after a death or "
            "an emigration reaches someone who has no right to it, often a relative who kept the account. Example: "
            "the applicant died on 17 April 2025 and assistance was paid for May and June; April itself is not a "
            "hit, nor is a payment made after the death for a month before it."
        ),
        legal_ground=BENEFIT_LAW,
        risk_areas=BENEFIT_AREAS,
        severity="hög",
        case_type="benefit",
        subject_type="household",
        inputs={
            "benefit_payments": ("payment_id", "household_id", "applicant", "period", "amount"),
            "population": ("personnummer", "status", "status_date"),
        },
        evidence={"benefit_payments": BENEFIT_EVIDENCE, "population": POPULATION_EVIDENCE},
        sql=f"""
WITH persons AS (
    SELECT payment_id, household_id, period, amount, applicant AS personnummer, 'applicant' AS role
    FROM benefit_payments WHERE amount > 0
    UNION ALL
    SELECT payment_id, household_id, period, amount, co_applicant, 'co_applicant'
    FROM benefit_payments WHERE amount > 0 AND co_applicant IS NOT NULL
),
after AS (
    SELECT b.payment_id, b.household_id, b.period, b.amount, b.role, p.personnummer,
           lower(p.status) AS status, p.status_date
    FROM persons AS b
    JOIN population AS p ON p.personnummer = b.personnummer
    WHERE {ben_after_death_sql("b", "p")}
)
SELECT 'household' AS subject_type,
       household_id AS subject_id,
       sum(amount) AS amount_at_risk,
       list_concat(list_sort(list('benefit_payments:' || payment_id)), ['population:' || personnummer])
           AS evidence_keys,
       status || '_' || min(role) AS explanation_key,
       status_date,
       min(period) AS first_period,
       max(period) AS last_period,
       CAST(count(*) AS BIGINT) AS months
FROM after
GROUP BY household_id, personnummer, status, status_date
""",
        explanation={
            "avliden_applicant": _(
                "The applicant died on %(status_date)s, and economic assistance was paid for "
                "%(first_period)s to %(last_period)s (number of payments: %(months)s)."
            ),
            "avliden_co_applicant": _(
                "The co-applicant died on %(status_date)s, and economic assistance was paid for "
                "%(first_period)s to %(last_period)s (number of payments: %(months)s)."
            ),
            "utvandrad_applicant": _(
                "The applicant emigrated on %(status_date)s, and economic assistance was paid for "
                "%(first_period)s to %(last_period)s (number of payments: %(months)s)."
            ),
            "utvandrad_co_applicant": _(
                "The co-applicant emigrated on %(status_date)s, and economic assistance was paid "
                "for %(first_period)s to %(last_period)s (number of payments: %(months)s)."
            ),
        },
    )
)


register(
    Control(
        id="BEN-DOUBLE-HOUSEHOLD",
        version=1,
        title=_("One person in two households"),
        rationale=_(
            "One personnummer is applicant or co-applicant in two households paid for the same month."
        ),
        why=_(
            "A person belongs to one household; being counted in two raises both households' norms and doubles the "
            "assistance paid for that person. Example: a person is co-applicant of household H-00031 and of "
            "household H-00032 for February to April 2025."
        ),
        legal_ground=BENEFIT_LAW,
        risk_areas=BENEFIT_AREAS,
        severity="hög",
        case_type="benefit",
        subject_type="person",
        inputs={
            "benefit_payments": ("payment_id", "household_id", "applicant", "period", "amount")
        },
        evidence={"benefit_payments": BENEFIT_EVIDENCE},
        sql="""
WITH persons AS (
    SELECT payment_id, household_id, period, amount, applicant AS personnummer
    FROM benefit_payments WHERE amount > 0
    UNION ALL
    SELECT payment_id, household_id, period, amount, co_applicant
    FROM benefit_payments WHERE amount > 0 AND co_applicant IS NOT NULL
),
double AS (
    SELECT personnummer, period FROM persons GROUP BY personnummer, period HAVING count(DISTINCT household_id) >= 2
),
flagged AS (
    SELECT p.* FROM persons AS p JOIN double AS d ON d.personnummer = p.personnummer AND d.period = p.period
)
SELECT 'person' AS subject_type,
       personnummer AS subject_id,
       sum(amount) - max(amount) AS amount_at_risk,
       list_sort(list(DISTINCT 'benefit_payments:' || payment_id)) AS evidence_keys,
       array_to_string(list_sort(list(DISTINCT household_id)), ', ') AS households,
       min(period) AS first_period,
       max(period) AS last_period
FROM flagged
GROUP BY personnummer
""",
        explanation=_(
            "One person is applicant or co-applicant in the households %(households)s, paid for the same "
            "months (%(first_period)s to %(last_period)s)."
        ),
    )
)


register(
    Control(
        id="BEN-EMPLOYED",
        version=1,
        title=_("Assistance and salary at the same time"),
        rationale=_(
            "The applicant is employed by the municipality in a month for which economic assistance was paid."
        ),
        why=_(
            "Income from work reduces or removes the right to assistance; the municipality knows its own employees' "
            "salaries, so a paid month in which the applicant also drew a municipal salary should match an income "
            "declared in the application. Example: an assistant nurse employed by the municipality since 2019 is "
            "paid assistance for March to June 2025."
        ),
        legal_ground=BENEFIT_LAW,
        risk_areas=("Ekonomiskt bistånd (försörjningsstöd)",),
        severity="medel",
        case_type="benefit",
        subject_type="household",
        inputs={
            "benefit_payments": ("payment_id", "household_id", "applicant", "period", "amount"),
            "employees": ("employee_id", "personnummer"),
        },
        evidence={"benefit_payments": BENEFIT_EVIDENCE, "employees": EMPLOYEE_EVIDENCE},
        sql=f"""
WITH employed AS (
    SELECT b.payment_id, b.household_id, b.period, b.amount, e.employee_id, e.role
    FROM benefit_payments AS b
    JOIN employees AS e ON e.personnummer = b.applicant
    WHERE b.amount > 0
      AND {ben_employed_sql("b", "e")}
)
SELECT 'household' AS subject_type,
       household_id AS subject_id,
       sum(amount) AS amount_at_risk,
       list_concat(list_sort(list('benefit_payments:' || payment_id)), ['employees:' || employee_id]) AS evidence_keys,
       coalesce(min(role), '') AS role,
       min(period) AS first_period,
       max(period) AS last_period
FROM employed
GROUP BY household_id, employee_id
""",
        explanation=_(
            "The applicant was employed by the municipality (%(role)s) in the months %(first_period)s to "
            "%(last_period)s, for which economic assistance was paid."
        ),
    )
)


register(
    Control(
        id="BEN-COMPANY",
        version=1,
        title=_("Assistance and a tie to a company"),
        rationale=_(
            "The applicant holds a role in a company that the municipality paid in the same year as the "
            "assistance."
        ),
        why=_(
            "A person who owns or runs a company that invoices the municipality has income or assets that the "
            "application must declare; a company on the supplier list and its owner on economic assistance in the "
            "same year is a combination to verify. Example: the owner of a company the social welfare board paid "
            "in May and August 2025 receives assistance for April to July 2025."
        ),
        legal_ground=BENEFIT_LAW,
        risk_areas=("Ekonomiskt bistånd (försörjningsstöd)", "Uppläggning av leverantörer"),
        severity="medel",
        case_type="benefit",
        subject_type="household",
        inputs={
            "benefit_payments": ("payment_id", "household_id", "applicant", "period", "amount"),
            "company_roles": ("orgnr", "personnummer", "role"),
            "suppliers": ("supplier_id", "orgnr"),
            "invoices": ("invoice_id", "supplier_id", "invoice_date", "amount"),
        },
        evidence={"benefit_payments": BENEFIT_EVIDENCE},
        sql=f"""
WITH ties AS (
    SELECT DISTINCT b.household_id, b.applicant, r.role, s.supplier_id, s.name AS company,
           substr(b.period, 1, 4) AS year
    FROM benefit_payments AS b
    JOIN company_roles AS r ON r.personnummer = b.applicant
    JOIN suppliers AS s ON s.orgnr = r.orgnr AND s.orgnr_valid
    WHERE b.amount > 0
      AND coalesce(r.valid_from, DATE '0001-01-01') <= last_day({MONTH_START.format(col="b.period")})
      AND coalesce(r.valid_to, DATE '9999-12-31') >= {MONTH_START.format(col="b.period")}
),
company_paid AS (
    SELECT t.household_id, t.supplier_id, t.year, list_sort(list('invoices:' || i.invoice_id)) AS invoice_keys,
           sum(i.amount) AS invoiced
    FROM (SELECT DISTINCT household_id, supplier_id, year FROM ties) AS t
    JOIN invoices AS i ON i.supplier_id = t.supplier_id AND CAST(year(i.invoice_date) AS VARCHAR) = t.year
    WHERE i.amount > 0
    GROUP BY t.household_id, t.supplier_id, t.year
),
assistance AS (
    SELECT b.household_id, substr(b.period, 1, 4) AS year, sum(b.amount) AS paid,
           list_sort(list('benefit_payments:' || b.payment_id)) AS payment_keys
    FROM benefit_payments AS b
    WHERE b.amount > 0
    GROUP BY b.household_id, substr(b.period, 1, 4)
)
SELECT 'household' AS subject_type,
       c.household_id AS subject_id,
       a.paid AS amount_at_risk,
       list_concat(a.payment_keys, ['suppliers:' || c.supplier_id], c.invoice_keys) AS evidence_keys,
       min(t.role) AS role,
       min(t.company) AS company,
       c.year,
       a.paid,
       c.invoiced
FROM company_paid AS c
JOIN assistance AS a ON a.household_id = c.household_id AND a.year = c.year
JOIN ties AS t ON t.household_id = c.household_id AND t.supplier_id = c.supplier_id AND t.year = c.year
GROUP BY c.household_id, c.supplier_id, c.year, a.paid, a.payment_keys, c.invoice_keys, c.invoiced
""",
        explanation=_(
            "The applicant is %(role)s of %(company)s, which invoiced the municipality %(invoiced)s in "
            "%(year)s, the year the household was paid %(paid)s in economic assistance."
        ),
    )
)
