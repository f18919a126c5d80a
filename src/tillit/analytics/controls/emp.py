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
