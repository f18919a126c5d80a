"""BAB-*: housing adaptation grants (bostadsanpassningsbidrag).

Addresses are compared as for BEN-CROWDED: case- and punctuation-insensitively, with the postal
code's digits (ADDRESS_NORM and POSTAL_NORM in _sql.py); the apartment is normalised like the address
and compared too. The window is measured on decided_date: "within N months" of an earlier grant is on
or before its decided_date plus N calendar months.
"""

from __future__ import annotations

from tillit.analytics.controls._sql import ADDRESS_NORM, POSTAL_NORM
from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.registry import Control, Param, register

HOUSING_LAW = _(
    "Housing Adaptation Grants Act (2018:222) sec. 1 and 5 (a grant for adaptations needed for the "
    "applicant's own permanent home); Local Government Act (2017:725) ch. 6 sec. 6 (internal control)."
)
ADAPTATION_EVIDENCE = (
    "applicant",
    "address",
    "postal_code",
    "apartment",
    "work_type",
    "contractor_orgnr",
    "amount",
    "decided_date",
    "paid_date",
)

register(
    Control(
        id="BAB-REPEAT",
        version=1,
        title=_("The same adaptation twice"),
        rationale=_(
            "Two housing adaptation grants for the same work at the same address and apartment within 24 months, "
            "whoever applied."
        ),
        why=_(
            "An adaptation, such as removed thresholds or a rebuilt bathroom, stays in the home; the same work paid "
            "again soon after at the same address means that the first was never done, was done badly, or that the "
            "contractor invoiced it twice. Example: the thresholds of Storgatan 12, apartment 1102, are removed for "
            "one resident in February 2024 and again for the next one 19 months later."
        ),
        legal_ground=HOUSING_LAW,
        risk_areas=("Bostadsanpassning",),
        severity="medel",
        case_type="benefit",
        subject_type="address",
        inputs={
            "housing_adaptations": (
                "grant_id",
                "address",
                "postal_code",
                "work_type",
                "amount",
                "decided_date",
            )
        },
        params={
            "months": Param(
                24,
                min=1,
                max=120,
                description=_("Two grants for the same work within this many months are a hit."),
            )
        },
        evidence={"housing_adaptations": ADAPTATION_EVIDENCE},
        sql=f"""
WITH g AS (
    SELECT grant_id, applicant, address, postal_code, apartment, contractor_orgnr, amount, decided_date,
           lower(trim(work_type)) AS work_type,
           {ADDRESS_NORM.format(col="address")} || '|' || {POSTAL_NORM.format(col="postal_code")} || '|'
             || {ADDRESS_NORM.format(col="apartment")} || '|' || lower(trim(work_type)) AS place_key
    FROM housing_adaptations
    WHERE amount > 0
),
pairs AS (
    -- an earlier grant and a later one for the same work at the same place within the window
    SELECT a.place_key, a.grant_id AS first_id, b.grant_id AS second_id,
           coalesce(a.contractor_orgnr = b.contractor_orgnr, false) AS same_contractor
    FROM g AS a
    JOIN g AS b ON b.place_key = a.place_key AND a.grant_id <> b.grant_id
     AND (b.decided_date > a.decided_date OR (b.decided_date = a.decided_date AND b.grant_id > a.grant_id))
     AND b.decided_date <= CAST(a.decided_date + INTERVAL '1' MONTH * $months AS DATE)
),
flagged AS (
    SELECT DISTINCT g.* FROM g
    JOIN (SELECT place_key, first_id AS grant_id FROM pairs UNION SELECT place_key, second_id FROM pairs) AS p
      ON p.grant_id = g.grant_id
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY place_key ORDER BY decided_date, grant_id) AS n FROM flagged
),
contractors AS (
    SELECT place_key, max(CASE WHEN same_contractor THEN 1 ELSE 0 END) AS same_contractor FROM pairs
    GROUP BY place_key
)
SELECT 'address' AS subject_type,
       r.place_key AS subject_id,
       sum(CASE WHEN r.n > 1 THEN r.amount ELSE 0 END) AS amount_at_risk,
       list_sort(list('housing_adaptations:' || r.grant_id)) AS evidence_keys,
       CASE WHEN c.same_contractor = 1 THEN 'same_contractor' ELSE 'repeat' END
         || CASE WHEN coalesce(trim(min(CASE WHEN r.n = 1 THEN r.apartment END)), '') = '' THEN '' ELSE '_apartment' END
         AS explanation_key,
       min(CASE WHEN r.n = 1 THEN r.address END) AS address,
       min(CASE WHEN r.n = 1 THEN r.apartment END) AS apartment,
       min(r.work_type) AS work_type,
       count(*) AS grants,
       min(r.decided_date) AS first_date,
       max(r.decided_date) AS last_date,
       sum(r.amount) AS total,
       sum(CASE WHEN r.n > 1 THEN r.amount ELSE 0 END) AS repeated,
       $months AS months
FROM ranked AS r
JOIN contractors AS c ON c.place_key = r.place_key
GROUP BY r.place_key, c.same_contractor
""",
        explanation={
            "repeat": _(
                "%(address)s was granted the same adaptation, %(work_type)s, %(grants)s times within %(months)s "
                "months between %(first_date)s and %(last_date)s (together %(total)s); %(repeated)s was granted "
                "after the first."
            ),
            "repeat_apartment": _(
                "%(address)s, apartment %(apartment)s, was granted the same adaptation, %(work_type)s, "
                "%(grants)s times within %(months)s months between %(first_date)s and %(last_date)s "
                "(together %(total)s); %(repeated)s was granted after the first."
            ),
            "same_contractor": _(
                "%(address)s was granted the same adaptation, %(work_type)s, %(grants)s times within "
                "%(months)s months between %(first_date)s and %(last_date)s (together %(total)s), the "
                "same contractor paid more than once; %(repeated)s was granted after the first."
            ),
            "same_contractor_apartment": _(
                "%(address)s, apartment %(apartment)s, was granted the same adaptation, "
                "%(work_type)s, %(grants)s times within %(months)s months between "
                "%(first_date)s and %(last_date)s (together %(total)s), the same contractor "
                "paid more than once; %(repeated)s was granted after the first."
            ),
        },
    )
)


register(
    Control(
        id="BAB-NOT-REGISTERED",
        version=1,
        title=_("Housing adaptation where the applicant does not live"),
        rationale=_(
            "The applicant was not registered at the adaptation's address on the decision date, or had died "
            "or emigrated before the grant was paid."
        ),
        why=_(
            "The grant is for the applicant's own permanent home; an adaptation of an address where the applicant "
            "is not registered may be for someone else's home or a home the applicant has left, and a grant paid "
            "after the applicant died or emigrated helps no one it was meant for. Example: a ramp is granted for "
            "Parkvägen 4 while the applicant has been registered at Ekvägen 9 since 2023."
        ),
        legal_ground=HOUSING_LAW,
        risk_areas=("Bostadsanpassning", "Folkbokföring"),
        severity="medel",
        case_type="benefit",
        subject_type="person",
        inputs={
            "housing_adaptations": (
                "grant_id",
                "applicant",
                "address",
                "postal_code",
                "amount",
                "decided_date",
            ),
            "population": ("personnummer", "status"),
        },
        evidence={"housing_adaptations": ADAPTATION_EVIDENCE},
        sql=f"""
WITH g AS (
    SELECT h.grant_id, h.applicant, h.address, h.postal_code, h.amount, h.decided_date, h.paid_date,
           p.address AS registered_address, p.status_date,
           lower(trim(p.status)) AS status,
           p.personnummer IS NOT NULL AND {ADDRESS_NORM.format(col="h.address")} = {ADDRESS_NORM.format(col="p.address")}
             AND {POSTAL_NORM.format(col="h.postal_code")} = {POSTAL_NORM.format(col="p.postal_code")}
             AND coalesce(p.registered_from, DATE '0001-01-01') <= h.decided_date
             AND (lower(trim(p.status)) = 'folkbokförd' OR p.status_date > h.decided_date) AS registered
    FROM housing_adaptations AS h
    LEFT JOIN population AS p ON p.personnummer = h.applicant
    WHERE h.amount > 0
),
flagged AS (
    SELECT *,
           CASE WHEN status IN ('avliden', 'utvandrad') AND status_date < paid_date THEN status
                WHEN NOT registered THEN 'elsewhere' END AS reason
    FROM g
)
SELECT 'person' AS subject_type,
       applicant AS subject_id,
       amount AS amount_at_risk,
       ['housing_adaptations:' || grant_id] AS evidence_keys,
       reason AS explanation_key,
       CASE WHEN reason = 'avliden' THEN 'hög' ELSE 'medel' END AS severity,
       grant_id, applicant, address, amount, decided_date, paid_date, status_date,
       coalesce(registered_address, '') AS registered_address
FROM flagged
WHERE reason IS NOT NULL
""",
        explanation={
            "elsewhere": _(
                "Grant %(grant_id)s of %(amount)s, decided on %(decided_date)s, adapts %(address)s, where the "
                "applicant %(applicant)s was not registered on that day (registered address: "
                "%(registered_address)s)."
            ),
            "avliden": _(
                "Grant %(grant_id)s of %(amount)s for %(address)s was paid on %(paid_date)s, after the applicant "
                "%(applicant)s died on %(status_date)s."
            ),
            "utvandrad": _(
                "Grant %(grant_id)s of %(amount)s for %(address)s was paid on %(paid_date)s, after the "
                "applicant %(applicant)s emigrated on %(status_date)s."
            ),
        },
    )
)
