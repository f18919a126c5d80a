"""EMP-*: employees. Employees tied to suppliers, conflicts of interest in attestation.

Addresses are compared case- and punctuation-insensitively together with the postal code
(ADDRESS_NORM and POSTAL_NORM in _sql.py).
"""

from __future__ import annotations

from tillit.analytics.controls._common import (
    EMPLOYEE_EVIDENCE,
    INVOICE_EVIDENCE,
    PAYMENT_EVIDENCE,
    SUPPLIER_EVIDENCE,
)
from tillit.analytics.controls._sql import ADDRESS_NORM, PAID, POSTAL_NORM
from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.registry import Control, register

register(
    Control(
        id="EMP-SUPPLIER",
        version=1,
        title=_("Employee with a tie to a supplier"),
        rationale=_(
            "An employee or elected representative who holds a role in a supplier (owner, board member, "
            "signatory, beneficial owner) while the supplier was paid, or who shares a home address or a bank "
            "account with a supplier."
        ),
        why=_(
            "Staff and politicians may own companies, but the municipality must know when it pays them, because "
            "the person can influence orders, attestation and control. Undeclared ties are the core of unlawful "
            "influence. Example: a politician on the social welfare board is the beneficial owner of Hammar "
            "Omsorgspartner AB, which the board pays 125 043,92 kr."
        ),
        legal_ground=_(
            "Local Government Act (2017:725) ch. 6 sec. 28–32 (conflicts of interest); Public Employment "
            "Act (1994:260) sec. 7 (secondary occupations)."
        ),
        risk_areas=("Bisysslor", "Inköp", "Upphandling"),
        severity="hög",
        case_type="supplier",
        subject_type="employee",
        inputs={"employees": ("employee_id", "personnummer"), "suppliers": ("supplier_id", "name")},
        optional_inputs=("company_roles", "payments", "invoices", "supplier_accounts"),
        evidence={
            "employees": EMPLOYEE_EVIDENCE,
            "suppliers": SUPPLIER_EVIDENCE,
            "payments": PAYMENT_EVIDENCE,
        },
        sql=f"""
WITH {PAID},
ties AS (
    -- a role in the supplier, valid on the payment date, while employed
    SELECT e.employee_id, s.supplier_id, 1 AS tie, p.payment_id, p.amount, r.role
    FROM company_roles AS r
    JOIN employees AS e ON e.personnummer = r.personnummer
    JOIN suppliers AS s ON s.orgnr = r.orgnr AND s.orgnr_valid
    JOIN paid AS p ON p.supplier_id = s.supplier_id
    WHERE p.payment_date BETWEEN coalesce(r.valid_from, DATE '0001-01-01') AND coalesce(r.valid_to, DATE '9999-12-31')
      AND p.payment_date BETWEEN coalesce(e.employed_from, DATE '0001-01-01')
                             AND coalesce(e.employed_to, DATE '9999-12-31')
    UNION ALL
    -- the supplier is registered with the employee's bank account
    SELECT e.employee_id, a.supplier_id, 2, p.payment_id, p.amount, CAST(NULL AS VARCHAR)
    FROM employees AS e
    JOIN supplier_accounts AS a ON a.bank_account = e.bank_account
    LEFT JOIN paid AS p ON p.supplier_id = a.supplier_id
    UNION ALL
    -- the supplier's address is the employee's home address
    SELECT e.employee_id, s.supplier_id, 3, p.payment_id, p.amount, CAST(NULL AS VARCHAR)
    FROM employees AS e
    JOIN suppliers AS s
         ON {ADDRESS_NORM.format(col="s.address")} = {ADDRESS_NORM.format(col="e.address")}
        AND {POSTAL_NORM.format(col="s.postal_code")} = {POSTAL_NORM.format(col="e.postal_code")}
    LEFT JOIN paid AS p ON p.supplier_id = s.supplier_id
    WHERE {ADDRESS_NORM.format(col="e.address")} <> '' AND {POSTAL_NORM.format(col="e.postal_code")} <> ''
),
amounts AS (
    SELECT employee_id, supplier_id, sum(amount) AS paid
    FROM (SELECT DISTINCT employee_id, supplier_id, payment_id, amount FROM ties WHERE payment_id IS NOT NULL)
    GROUP BY employee_id, supplier_id
),
pairs AS (
    SELECT employee_id, supplier_id, min(tie) AS tie, min(role) AS role,
           list_sort(list_distinct(list_filter(list('payments:' || payment_id), lambda x: x IS NOT NULL)))
               AS payment_keys
    FROM ties
    GROUP BY employee_id, supplier_id
)
SELECT 'employee' AS subject_type,
       t.employee_id AS subject_id,
       coalesce(a.paid, CAST(0 AS DECIMAL(18,2))) AS amount_at_risk,
       list_concat(['employees:' || t.employee_id, 'suppliers:' || t.supplier_id], t.payment_keys) AS evidence_keys,
       CASE t.tie WHEN 1 THEN 'role' WHEN 2 THEN 'account' ELSE 'address' END AS explanation_key,
       coalesce(e.name, t.employee_id) AS employee,
       coalesce(s.name, t.supplier_id) AS supplier_name,
       coalesce(t.role, '') AS role,
       coalesce(e.unit, '') AS unit,
       coalesce(a.paid, CAST(0 AS DECIMAL(18,2))) AS paid
FROM pairs AS t
JOIN employees AS e ON e.employee_id = t.employee_id
LEFT JOIN suppliers AS s ON s.supplier_id = t.supplier_id
LEFT JOIN amounts AS a ON a.employee_id = t.employee_id AND a.supplier_id = t.supplier_id
""",
        explanation={
            "role": _(
                "%(employee)s (%(unit)s) is %(role)s of %(supplier_name)s, which was paid %(paid)s while both "
                "the role and the employment were valid."
            ),
            "account": _(
                "%(supplier_name)s is registered with the bank account of %(employee)s (%(unit)s) and was "
                "paid %(paid)s."
            ),
            "address": _(
                "%(supplier_name)s is registered at the home address of %(employee)s (%(unit)s) and was "
                "paid %(paid)s."
            ),
        },
    )
)


register(
    Control(
        id="EMP-ATTEST",
        version=1,
        title=_("Conflict of interest in attestation"),
        rationale=_(
            "An invoice attested or registered by an employee who holds a role in the supplier, or attested "
            "by the same person who registered it."
        ),
        why=_(
            "Attestation is the check that the municipality got what it pays for, so it must be made by someone "
            "independent of the supplier and of the person who entered the invoice. Example: an engineer at the "
            "technical board owns Näsby Bygg & Fastighet AB and attests three of its invoices himself."
        ),
        legal_ground=_(
            "Local Government Act (2017:725) ch. 6 sec. 28–32 and ch. 6 sec. 6; the municipality's "
            "attestation rules."
        ),
        risk_areas=("Fakturahantering", "Bisysslor"),
        severity="hög",
        case_type="supplier",
        subject_type="employee",
        inputs={"invoices": ("invoice_id", "supplier_id", "amount", "attested_by")},
        optional_inputs=("employees", "company_roles", "suppliers"),
        evidence={"invoices": INVOICE_EVIDENCE, "employees": EMPLOYEE_EVIDENCE},
        sql="""
WITH roles AS (
    -- employees with a role in a supplier (matched on the supplier's valid organisation number)
    SELECT e.employee_id, s.supplier_id, r.role,
           coalesce(r.valid_from, DATE '0001-01-01') AS valid_from, coalesce(r.valid_to, DATE '9999-12-31') AS valid_to
    FROM employees AS e
    JOIN company_roles AS r ON r.personnummer = e.personnummer
    JOIN suppliers AS s ON s.orgnr = r.orgnr AND s.orgnr_valid
),
handled AS (
    -- who attested and who registered each invoice: two equality joins, not one join on either
    SELECT r.employee_id, i.supplier_id, i.invoice_id, i.amount, r.role, 1 AS attested
    FROM invoices AS i JOIN roles AS r ON r.employee_id = i.attested_by AND r.supplier_id = i.supplier_id
    WHERE i.invoice_date BETWEEN r.valid_from AND r.valid_to
    UNION ALL
    SELECT r.employee_id, i.supplier_id, i.invoice_id, i.amount, r.role, 0 AS attested
    FROM invoices AS i JOIN roles AS r ON r.employee_id = i.registered_by AND r.supplier_id = i.supplier_id
    WHERE i.invoice_date BETWEEN r.valid_from AND r.valid_to
),
owned AS (
    -- invoices attested or registered by an employee with a role in the supplier on the invoice date
    SELECT employee_id, supplier_id, invoice_id, amount, min(role) AS role, max(attested) AS attested
    FROM handled
    GROUP BY employee_id, supplier_id, invoice_id, amount
),
role_hits AS (
    SELECT 'employee' AS subject_type, o.employee_id AS subject_id, sum(o.amount) AS amount_at_risk,
           list_concat(['employees:' || o.employee_id], list_sort(list('invoices:' || o.invoice_id))) AS evidence_keys,
           'role' AS explanation_key, count(*) AS invoices, min(o.role) AS role,
           coalesce(min(s.name), o.supplier_id) AS supplier_name
    FROM owned AS o LEFT JOIN suppliers AS s ON s.supplier_id = o.supplier_id
    GROUP BY o.employee_id, o.supplier_id
),
self_hits AS (
    SELECT 'employee' AS subject_type, i.attested_by AS subject_id, i.amount AS amount_at_risk,
           ['invoices:' || i.invoice_id] AS evidence_keys, 'self' AS explanation_key, 1 AS invoices,
           '' AS role, coalesce(s.name, i.supplier_id) AS supplier_name
    FROM invoices AS i LEFT JOIN suppliers AS s ON s.supplier_id = i.supplier_id
    WHERE i.attested_by IS NOT NULL AND i.attested_by <> '' AND i.attested_by = i.registered_by
      AND i.amount > 0
)
SELECT h.subject_type, h.subject_id, h.amount_at_risk, h.evidence_keys, h.explanation_key,
       coalesce(e.name, h.subject_id) AS employee, h.invoices, h.role, h.supplier_name
FROM (SELECT * FROM role_hits UNION ALL SELECT * FROM self_hits) AS h
LEFT JOIN employees AS e ON e.employee_id = h.subject_id
""",
        explanation={
            "role": _(
                "%(employee)s, %(role)s of %(supplier_name)s, attested or registered %(invoices)s of its "
                "invoices (the amount at risk is their total)."
            ),
            "self": _(
                "%(employee)s both registered and attested the invoice from %(supplier_name)s."
            ),
        },
    )
)


register(
    Control(
        id="EMP-UNDECLARED-ROLE",
        version=1,
        title=_("Undeclared side job with payment"),
        rationale=_(
            "An employee or elected representative holds a role in an organisation on the day the municipality "
            "pays it or decides a grant to it, without an approved side job declared for that organisation by "
            "that day."
        ),
        why=_(
            "A side job that may damage confidence in the employer must be declared and approved; a role in an "
            "organisation the municipality pays is exactly that kind, and an undeclared one hides a conflict of "
            "interest from the people who order, attest and decide. A side job that was declared and refused, but "
            "kept, is worse. Example: a care unit manager sits on the board of Omsorgspartner Syd AB, which is "
            "paid 212 400 kr in 2025, and never declared the role."
        ),
        legal_ground=_(
            "Public Employment Act (1994:260) sec. 7–7 d (side jobs that may damage confidence, the duty to "
            "inform about them); Local Government Act (2017:725) ch. 6 sec. 28–32 (conflicts of interest)."
        ),
        risk_areas=("Bisysslor", "Inköp", "Föreningsbidrag/IOP-avtal"),
        severity="medel",
        case_type="unlawful_influence",
        subject_type="employee",
        inputs={
            "employees": ("employee_id", "personnummer"),
            "company_roles": ("orgnr", "personnummer", "role"),
            "side_jobs": ("employee_id", "orgnr", "declared_date", "decision"),
        },
        optional_inputs=("payments", "invoices", "suppliers", "grants"),
        evidence={
            "employees": EMPLOYEE_EVIDENCE,
            "suppliers": SUPPLIER_EVIDENCE,
            "payments": PAYMENT_EVIDENCE,
            "grants": (
                "board",
                "recipient_orgnr",
                "recipient_name",
                "amount",
                "decided_date",
                "paid_date",
            ),
        },
        sql=f"""
WITH {PAID},
org_paid AS (
    -- what an organisation was paid (payments through its supplier records) or granted (on the decision day)
    SELECT 'payments:' || p.payment_id AS event_key, p.payment_date AS day, p.amount, s.orgnr,
           s.name AS org_name
    FROM paid AS p
    JOIN suppliers AS s ON s.supplier_id = p.supplier_id
    WHERE s.orgnr IS NOT NULL
    UNION ALL
    SELECT 'grants:' || grant_id, decided_date, amount, recipient_orgnr, recipient_name
    FROM grants
    WHERE amount > 0 AND decided_date IS NOT NULL AND recipient_orgnr IS NOT NULL
),
events AS (
    -- a role valid on the day, held by someone employed or elected on the day
    SELECT e.employee_id, o.orgnr, o.org_name, o.event_key, o.day, o.amount, trim(r.role) AS role
    FROM org_paid AS o
    JOIN company_roles AS r ON r.orgnr = o.orgnr
     AND o.day BETWEEN coalesce(r.valid_from, DATE '0001-01-01') AND coalesce(r.valid_to, DATE '9999-12-31')
    JOIN employees AS e ON e.personnummer = r.personnummer
     AND o.day BETWEEN coalesce(e.employed_from, DATE '0001-01-01') AND coalesce(e.employed_to, DATE '9999-12-31')
),
jobs AS (
    SELECT employee_id, orgnr, lower(trim(decision)) AS decision, declared_date, decided_date FROM side_jobs
),
undeclared AS (
    -- no approved side job declared on or before the day
    SELECT ev.* FROM events AS ev
    WHERE NOT EXISTS (SELECT 1 FROM jobs AS j
                      WHERE j.employee_id = ev.employee_id AND j.orgnr = ev.orgnr AND j.decision = 'godkänd'
                        AND j.declared_date <= ev.day)
),
refused AS (
    -- paid after the side job was refused
    SELECT u.employee_id, u.orgnr, max(j.decided_date) AS refused_date
    FROM undeclared AS u
    JOIN jobs AS j ON j.employee_id = u.employee_id AND j.orgnr = u.orgnr AND j.decision = 'ej godkänd'
     AND j.decided_date < u.day
    GROUP BY u.employee_id, u.orgnr
),
paid_events AS (
    SELECT employee_id, orgnr, sum(amount) AS paid, CAST(count(*) AS BIGINT) AS events, min(day) AS first_date,
           max(day) AS last_date
    FROM (SELECT DISTINCT employee_id, orgnr, event_key, day, amount FROM undeclared) AS d
    GROUP BY employee_id, orgnr
),
details AS (
    SELECT employee_id, orgnr, min(org_name) AS org_name,
           array_to_string(list_sort(list_distinct(list(role))), ', ') AS roles
    FROM undeclared
    GROUP BY employee_id, orgnr
),
keys AS (
    SELECT DISTINCT employee_id, orgnr, event_key AS k FROM undeclared
    UNION
    SELECT DISTINCT u.employee_id, u.orgnr, 'suppliers:' || s.supplier_id
    FROM (SELECT DISTINCT employee_id, orgnr FROM undeclared) AS u
    JOIN suppliers AS s ON s.orgnr = u.orgnr
),
evidence AS (
    SELECT employee_id, orgnr, list_sort(list(k)) AS keys FROM keys GROUP BY employee_id, orgnr
)
SELECT 'employee' AS subject_type,
       p.employee_id AS subject_id,
       p.paid AS amount_at_risk,
       list_concat(['employees:' || p.employee_id], k.keys) AS evidence_keys,
       CASE WHEN r.refused_date IS NULL THEN 'medel' ELSE 'hög' END AS severity,
       CASE WHEN r.refused_date IS NULL THEN 'undeclared' ELSE 'refused' END
         || CASE WHEN p.events = 1 THEN '_once' ELSE '' END AS explanation_key,
       coalesce(e.name, p.employee_id) AS employee,
       coalesce(e.unit, '') AS unit,
       d.roles,
       coalesce(d.org_name, p.orgnr) AS organisation,
       p.orgnr,
       p.paid,
       p.events,
       p.first_date,
       p.last_date,
       r.refused_date
FROM paid_events AS p
JOIN details AS d ON d.employee_id = p.employee_id AND d.orgnr = p.orgnr
JOIN evidence AS k ON k.employee_id = p.employee_id AND k.orgnr = p.orgnr
JOIN employees AS e ON e.employee_id = p.employee_id
LEFT JOIN refused AS r ON r.employee_id = p.employee_id AND r.orgnr = p.orgnr
""",
        explanation={
            "undeclared": _(
                "%(employee)s (%(unit)s) is %(roles)s of %(organisation)s (%(orgnr)s), which was paid or granted "
                "%(paid)s between %(first_date)s and %(last_date)s (number of payments and grants: %(events)s) "
                "without an approved side job declared for it."
            ),
            "undeclared_once": _(
                "%(employee)s (%(unit)s) is %(roles)s of %(organisation)s (%(orgnr)s), which was paid or granted "
                "%(paid)s on %(first_date)s without an approved side job declared for it."
            ),
            "refused_once": _(
                "%(employee)s (%(unit)s) is %(roles)s of %(organisation)s (%(orgnr)s), a side job that was refused "
                "on %(refused_date)s; the organisation was paid or granted %(paid)s on %(first_date)s without an "
                "approved side job declared."
            ),
            "refused": _(
                "%(employee)s (%(unit)s) is %(roles)s of %(organisation)s (%(orgnr)s), a side job that was refused "
                "on %(refused_date)s; the organisation was paid or granted %(paid)s between %(first_date)s and "
                "%(last_date)s (number of payments and grants: %(events)s) without an approved side job declared."
            ),
        },
    )
)
