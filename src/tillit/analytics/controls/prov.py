"""PROV-*: providers of welfare services (LOV, hemtjänst, personlig assistans, HVB, familjehem,
stödboende, skyddat boende) and the yearly check of their key persons (Nacka, seed 003, 7.1).

A provider is an organisation number named by a contract whose procurement is LOV or whose category
is one of the services above (compared case-insensitively after trimming, as whole values). Key
persons are its company_roles styrelseledamot, VD, verklig huvudman and ägare valid on the payment
date. "Within 12 months up to a payment" is on or after the payment date minus 12 calendar months
(the month's last day where the day does not exist) and on or before the payment date.
"""

from __future__ import annotations

from tillit.analytics.controls._common import PAYMENT_EVIDENCE, SUPPLIER_EVIDENCE
from tillit.analytics.controls._sql import PAID
from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.registry import Control, Param, register

PROVIDER_CATEGORIES = (
    "hemtjänst",
    "personlig assistans",
    "hvb",
    "familjehem",
    "stödboende",
    "skyddat boende",
)
KEY_ROLES = ("styrelseledamot", "vd", "verklig huvudman", "ägare")


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


register(
    Control(
        id="PROV-KEYPERSON-UNCHECKED",
        version=1,
        title=_("Provider's key persons not checked"),
        rationale=_(
            "A provider of welfare services paid while one of its key persons (board member, managing "
            "director, beneficial owner, owner) had no check against the criminal records register within "
            "the 12 months up to the payment."
        ),
        why=_(
            "Providers of care for children, elderly and disabled persons must be run by suitable people, and the "
            "municipality's routine asks for an extract from the criminal records register of every key person "
            "once a year. A provider paid while a key person was never checked, or was checked too long ago, "
            "may be run by someone the municipality would have refused. Example: Solgläntans Omsorg AB is paid "
            "246 000 kr in 2025 while its new managing director has never been checked."
        ),
        legal_ground=_(
            "Act on System of Choice in the Public Sector (2008:962) ch. 7 sec. 1 (exclusion of "
            "suppliers); Social Services Act (2001:453) ch. 3 sec. 3 (quality of services); the "
            "municipality's routine for yearly checks of providers' key persons."
        ),
        risk_areas=(
            "Externa utförare (ÄO, OF, IFO, se ovan verksamheter)",
            "Vårdval (LOV)",
            "Hemtjänst (ÄO)",
            "Personlig assistans",
            "Hem för vård och boende (HVB)",
            "Familjehemsplaceringar (IFO)",
        ),
        severity="medel",
        case_type="supplier",
        subject_type="provider",
        inputs={
            "payments": ("payment_id", "payment_date", "amount"),
            "suppliers": ("supplier_id", "orgnr"),
            "contracts": ("contract_id", "supplier_orgnr"),
            "company_roles": ("orgnr", "personnummer", "role"),
            "provider_checks": ("orgnr", "personnummer", "check_type", "checked_date", "result"),
        },
        optional_inputs=("invoices",),
        params={
            "months": Param(
                12,
                min=1,
                max=60,
                description=_("A key person's check counts for this many months up to a payment."),
            )
        },
        evidence={"suppliers": SUPPLIER_EVIDENCE, "payments": PAYMENT_EVIDENCE},
        sql=f"""
WITH {PAID},
providers AS (
    -- LOV contracts, or contracts for one of the welfare services, as whole values
    SELECT DISTINCT supplier_orgnr AS orgnr FROM contracts
    WHERE upper(trim(coalesce(procurement, ''))) = 'LOV'
       OR lower(trim(coalesce(category, ''))) IN {_in(PROVIDER_CATEGORIES)}
),
provider_paid AS (
    SELECT DISTINCT p.payment_id, p.payment_date, p.amount, s.orgnr,
           CAST(p.payment_date - INTERVAL '1' MONTH * $months AS DATE) AS window_start
    FROM paid AS p
    JOIN suppliers AS s ON s.supplier_id = p.supplier_id
    JOIN providers AS v ON v.orgnr = s.orgnr
),
criminal_checks AS (
    SELECT orgnr, personnummer, checked_date, lower(trim(result)) AS result FROM provider_checks
    WHERE lower(trim(check_type)) = 'belastningsregister'
),
unchecked AS (
    -- a key person valid on the payment date without a check within the window up to it
    SELECT pp.orgnr, pp.payment_id, pp.payment_date, pp.amount, pp.window_start,
           CAST(year(pp.payment_date) AS VARCHAR) AS year, coalesce(r.name, r.personnummer) AS person
    FROM provider_paid AS pp
    JOIN company_roles AS r ON r.orgnr = pp.orgnr AND lower(trim(r.role)) IN {_in(KEY_ROLES)}
     AND pp.payment_date BETWEEN coalesce(r.valid_from, DATE '0001-01-01') AND coalesce(r.valid_to, DATE '9999-12-31')
    WHERE NOT EXISTS (SELECT 1 FROM criminal_checks AS c
                      WHERE c.orgnr = pp.orgnr AND c.personnummer = r.personnummer
                        AND c.checked_date <= pp.payment_date AND c.checked_date >= pp.window_start)
),
by_year AS (
    SELECT orgnr, year, sum(amount) AS paid, count(*) AS payments,
           list_sort(list('payments:' || payment_id)) AS payment_keys
    FROM (SELECT DISTINCT orgnr, year, payment_id, amount FROM unchecked) AS d
    GROUP BY orgnr, year
),
persons AS (
    SELECT orgnr, year, array_to_string(list_sort(list(person)), ', ') AS persons
    FROM (SELECT DISTINCT orgnr, year, person FROM unchecked) AS d
    GROUP BY orgnr, year
),
remarks AS (
    -- a check of a key person with a remark, counting for one of the payments of the hit
    SELECT DISTINCT u.orgnr, u.year
    FROM (SELECT DISTINCT orgnr, year, payment_date, window_start FROM unchecked) AS u
    JOIN criminal_checks AS c ON c.orgnr = u.orgnr AND c.result = 'anmärkning'
     AND c.checked_date <= u.payment_date AND c.checked_date >= u.window_start
),
records AS (
    SELECT orgnr, list_sort(list('suppliers:' || supplier_id)) AS supplier_keys, min(name) AS name
    FROM suppliers GROUP BY orgnr
)
SELECT 'provider' AS subject_type,
       y.orgnr AS subject_id,
       y.paid AS amount_at_risk,
       list_concat(s.supplier_keys, y.payment_keys) AS evidence_keys,
       CASE WHEN m.orgnr IS NULL THEN 'medel' ELSE 'hög' END AS severity,
       CASE WHEN m.orgnr IS NULL THEN 'unchecked' ELSE 'remark' END AS explanation_key,
       coalesce(s.name, y.orgnr) AS provider_name,
       y.year,
       y.paid,
       y.payments,
       p.persons,
       $months AS months
FROM by_year AS y
JOIN persons AS p ON p.orgnr = y.orgnr AND p.year = y.year
JOIN records AS s ON s.orgnr = y.orgnr
LEFT JOIN remarks AS m ON m.orgnr = y.orgnr AND m.year = y.year
""",
        explanation={
            "unchecked": _(
                "%(provider_name)s was paid %(paid)s in %(year)s (number of payments: %(payments)s) while key persons "
                "had no check against the criminal records register within %(months)s months before the "
                "payment: %(persons)s."
            ),
            "remark": _(
                "%(provider_name)s was paid %(paid)s in %(year)s (number of payments: %(payments)s) while key persons had "
                "no check against the criminal records register within %(months)s months before the payment: "
                "%(persons)s. A check of another key person in the same period found a remark."
            ),
        },
    )
)
