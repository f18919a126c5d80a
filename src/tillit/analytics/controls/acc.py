"""ACC-*: bank accounts. Accounts changed or deviating before payments, bankgiro/plusgiro mix-ups,
accounts shared between suppliers or with employees.

Accounts are compared in the importer's typed normal form (BG:digits, PG:digits, BANK:…,
IBAN:…), so a bankgiro and a plusgiro with the same digits differ only in the prefix.
"""

from __future__ import annotations

from tillit.analytics.controls._common import (
    EMPLOYEE_EVIDENCE,
    LEGAL_GROUND,
    PAYMENT_EVIDENCE,
    SUPPLIER_EVIDENCE,
)
from tillit.analytics.controls._sql import PAID
from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.registry import Control, Param, register

ACCOUNT_RISK_AREAS = ("Fakturahantering", "Uppläggning av leverantörer")


register(
    Control(
        id="ACC-CHANGE",
        version=1,
        title=_("Bank account changed before a payment"),
        rationale=_(
            "A payment to a supplier within a few days after the supplier's bank account was changed, or a "
            "payment to an account that was not registered for the supplier on the payment date."
        ),
        why=_(
            "Invoice fraud by impersonation works by asking the municipality to pay a known supplier to a new "
            'account: a letter or e-mail with "new payment details", followed quickly by a large invoice. A real '
            "change is checked with the supplier by telephone before the first payment. Example: Västkust Städ AB's "
            "bankgiro is changed on 1 April 2025 and 64 480,25 kr is paid to the new account on 22 April. A "
            "supplier's first registered account is not a change."
        ),
        legal_ground=LEGAL_GROUND,
        risk_areas=ACCOUNT_RISK_AREAS,
        severity="hög",
        case_type="supplier",
        subject_type="supplier",
        inputs={
            "payments": ("payment_id", "payment_date", "amount", "bank_account"),
            "supplier_accounts": ("supplier_id", "bank_account", "valid_from"),
        },
        optional_inputs=("invoices", "suppliers"),
        params={
            "window_days": Param(
                30,
                min=1,
                max=365,
                description=_(
                    "Number of days after an account change in which payments are flagged."
                ),
            )
        },
        evidence={"payments": PAYMENT_EVIDENCE, "suppliers": SUPPLIER_EVIDENCE},
        sql=f"""
WITH {PAID},
accounts AS (
    SELECT supplier_id, bank_account, valid_from, valid_to,
           row_number() OVER (PARTITION BY supplier_id ORDER BY valid_from, bank_account) AS nth
    FROM supplier_accounts
),
flagged AS (
    SELECT p.supplier_id, p.payment_id, p.payment_date, p.amount, p.bank_account,
           -- 1: the account was not registered for the supplier on the payment date
           CASE WHEN NOT EXISTS (SELECT 1 FROM accounts AS a
                                 WHERE a.supplier_id = p.supplier_id AND a.bank_account = p.bank_account
                                   AND a.valid_from <= p.payment_date
                                   AND (a.valid_to IS NULL OR a.valid_to >= p.payment_date)) THEN 1
           -- 2: paid within the window after a change (a second or later account)
                WHEN EXISTS (SELECT 1 FROM accounts AS c
                             WHERE c.supplier_id = p.supplier_id AND c.nth > 1
                               AND date_diff('day', c.valid_from, p.payment_date) BETWEEN 0 AND $window_days) THEN 2
           END AS reason
    FROM paid AS p
    WHERE p.supplier_id IN (SELECT supplier_id FROM accounts)
),
changed AS (
    SELECT supplier_id, max(valid_from) AS changed_on FROM accounts WHERE nth > 1 GROUP BY supplier_id
)
SELECT 'supplier' AS subject_type,
       f.supplier_id AS subject_id,
       sum(f.amount) AS amount_at_risk,
       list_concat(['suppliers:' || f.supplier_id], list_sort(list('payments:' || f.payment_id))) AS evidence_keys,
       CASE WHEN min(f.reason) = 1 THEN 'unregistered' ELSE 'changed' END AS explanation_key,
       coalesce(s.name, f.supplier_id) AS supplier_name,
       count(*) AS payments,
       sum(f.amount) AS paid,
       min(f.payment_date) AS first_payment,
       min(CASE WHEN f.reason = 1 THEN f.bank_account END) AS unregistered_account,
       max(c.changed_on) AS changed_on
FROM flagged AS f
LEFT JOIN suppliers AS s ON s.supplier_id = f.supplier_id
LEFT JOIN changed AS c ON c.supplier_id = f.supplier_id
WHERE f.reason IS NOT NULL
GROUP BY f.supplier_id, s.name
""",
        explanation={
            "unregistered": _(
                "%(supplier_name)s was paid %(paid)s from %(first_payment)s (number of payments: "
                "%(payments)s), to the account %(unregistered_account)s, which was not registered for "
                "the supplier on the payment date."
            ),
            "changed": _(
                "%(supplier_name)s's bank account was changed on %(changed_on)s and the supplier was paid "
                "%(paid)s from %(first_payment)s (number of payments: %(payments)s), shortly after the "
                "change."
            ),
        },
    )
)


register(
    Control(
        id="ACC-DEVIATING",
        version=1,
        title=_("Deviating account"),
        rationale=_(
            "A payment to another account than the one the supplier's last five payments went to."
        ),
        why=_(
            "A supplier is normally paid to the same account year after year; the first payment to a different "
            "one deserves a look at who changed it and why. Example: Syd Omsorg AB's last six payments went to "
            "bankgiro 5050-1055, and on 16 September 2025 118 760,00 kr is paid to another bankgiro. Suppliers "
            "with fewer than five earlier payments are not examined."
        ),
        legal_ground=LEGAL_GROUND,
        risk_areas=ACCOUNT_RISK_AREAS,
        severity="medel",
        case_type="supplier",
        subject_type="supplier",
        inputs={"payments": ("payment_id", "payment_date", "amount", "bank_account")},
        optional_inputs=("invoices", "suppliers"),
        params={
            "payments": Param(
                5,
                min=2,
                max=50,
                description=_("Number of earlier payments that must all have gone to one account."),
            )
        },
        evidence={"payments": PAYMENT_EVIDENCE, "suppliers": SUPPLIER_EVIDENCE},
        sql=f"""
WITH {PAID},
history AS (
    -- each payment beside the accounts of the supplier's $payments payments before it
    SELECT supplier_id, payment_id, payment_date, amount, bank_account,
           count(*) OVER (PARTITION BY supplier_id ORDER BY payment_date, payment_id
                          ROWS BETWEEN $payments PRECEDING AND 1 PRECEDING) AS earlier,
           min(bank_account) OVER (PARTITION BY supplier_id ORDER BY payment_date, payment_id
                                   ROWS BETWEEN $payments PRECEDING AND 1 PRECEDING) AS account_min,
           max(bank_account) OVER (PARTITION BY supplier_id ORDER BY payment_date, payment_id
                                   ROWS BETWEEN $payments PRECEDING AND 1 PRECEDING) AS account_max
    FROM paid
    WHERE supplier_id IS NOT NULL
)
SELECT 'supplier' AS subject_type,
       c.supplier_id AS subject_id,
       c.amount AS amount_at_risk,
       ['payments:' || c.payment_id, 'suppliers:' || c.supplier_id] AS evidence_keys,
       coalesce(s.name, c.supplier_id) AS supplier_name,
       c.amount,
       c.payment_date,
       c.bank_account,
       c.account_min AS usual_account,
       c.earlier
FROM history AS c
LEFT JOIN suppliers AS s ON s.supplier_id = c.supplier_id
WHERE c.earlier = $payments AND c.account_min = c.account_max AND c.bank_account <> c.account_min
""",
        explanation=_(
            "%(supplier_name)s was paid %(amount)s on %(payment_date)s to %(bank_account)s; its last "
            "%(earlier)s payments all went to %(usual_account)s."
        ),
    )
)


register(
    Control(
        id="ACC-GIRO-MIX",
        version=1,
        title=_("Bankgiro instead of plusgiro"),
        rationale=_(
            "A payment to a bankgiro whose digits are those of a plusgiro registered for the supplier, or to "
            "a plusgiro with the digits of the supplier's bankgiro."
        ),
        why=_(
            "Bankgiro and plusgiro numbers look alike, and a payment entered with the wrong type reaches whoever "
            "holds that number in the other system. One municipality lost 3.7 million kronor this way. Example: "
            "Åsa Buss AB is registered with plusgiro 4711-8, and 87 312,40 kr is paid to bankgiro 4711-8."
        ),
        legal_ground=LEGAL_GROUND,
        risk_areas=ACCOUNT_RISK_AREAS,
        severity="hög",
        case_type="supplier",
        subject_type="supplier",
        inputs={
            "payments": ("payment_id", "payment_date", "amount", "bank_account"),
            "supplier_accounts": ("supplier_id", "bank_account"),
        },
        optional_inputs=("invoices", "suppliers"),
        evidence={"payments": PAYMENT_EVIDENCE, "suppliers": SUPPLIER_EVIDENCE},
        sql=f"""
WITH {PAID},
registered AS (
    SELECT DISTINCT supplier_id, bank_account, substr(bank_account, 1, 3) AS kind, substr(bank_account, 4) AS digits
    FROM supplier_accounts
    WHERE substr(bank_account, 1, 3) IN ('BG:', 'PG:')
)
SELECT 'supplier' AS subject_type,
       p.supplier_id AS subject_id,
       p.amount AS amount_at_risk,
       ['payments:' || p.payment_id, 'suppliers:' || p.supplier_id] AS evidence_keys,
       CASE WHEN r.kind = 'PG:' THEN 'bankgiro_for_plusgiro' ELSE 'plusgiro_for_bankgiro' END AS explanation_key,
       coalesce(s.name, p.supplier_id) AS supplier_name,
       p.amount,
       p.payment_date,
       p.bank_account,
       r.bank_account AS registered_account
FROM paid AS p
JOIN registered AS r
     ON r.supplier_id = p.supplier_id AND r.digits = substr(p.bank_account, 4)
    AND r.kind <> substr(p.bank_account, 1, 3) AND substr(p.bank_account, 1, 3) IN ('BG:', 'PG:')
LEFT JOIN suppliers AS s ON s.supplier_id = p.supplier_id
WHERE NOT EXISTS (SELECT 1 FROM supplier_accounts AS a
                  WHERE a.supplier_id = p.supplier_id AND a.bank_account = p.bank_account)
""",
        explanation={
            "bankgiro_for_plusgiro": _(
                "%(supplier_name)s was paid %(amount)s on %(payment_date)s to bankgiro "
                "%(bank_account)s, which has the digits of its registered plusgiro "
                "%(registered_account)s."
            ),
            "plusgiro_for_bankgiro": _(
                "%(supplier_name)s was paid %(amount)s on %(payment_date)s to plusgiro "
                "%(bank_account)s, which has the digits of its registered bankgiro "
                "%(registered_account)s."
            ),
        },
    )
)


register(
    Control(
        id="ACC-SHARED",
        version=1,
        title=_("Shared bank account"),
        rationale=_(
            "One bank account registered for several suppliers, or for a supplier and an employee, at "
            "overlapping times."
        ),
        why=_(
            "Two companies rarely share an account, and a supplier paid to an employee's salary account is paying "
            "the employee. Both are ways to route municipal money to one person through several names. Example: "
            "Holmby Konsult HB is registered with the same bank account as an administrator's salary account, and "
            "is paid 46 250,00 kr."
        ),
        legal_ground=LEGAL_GROUND,
        risk_areas=ACCOUNT_RISK_AREAS,
        severity="hög",
        case_type="supplier",
        subject_type="supplier",
        inputs={"supplier_accounts": ("supplier_id", "bank_account", "valid_from")},
        optional_inputs=("employees", "payments", "suppliers"),
        evidence={
            "payments": PAYMENT_EVIDENCE,
            "suppliers": SUPPLIER_EVIDENCE,
            "employees": EMPLOYEE_EVIDENCE,
        },
        sql="""
WITH sa AS (
    SELECT supplier_id, bank_account, valid_from, coalesce(valid_to, DATE '9999-12-31') AS valid_to
    FROM supplier_accounts
),
holders AS (
    -- a second supplier with the account at an overlapping time
    SELECT a.bank_account, 'suppliers:' || a.supplier_id AS holder_a, 'suppliers:' || b.supplier_id AS holder_b,
           greatest(a.valid_from, b.valid_from) AS shared_from, a.supplier_id, 0 AS employee
    FROM sa AS a
    JOIN sa AS b ON b.bank_account = a.bank_account AND b.supplier_id > a.supplier_id
                AND a.valid_from <= b.valid_to AND b.valid_from <= a.valid_to
    UNION ALL
    -- an employee paid to the same account while employed
    SELECT a.bank_account, 'suppliers:' || a.supplier_id, 'employees:' || e.employee_id,
           greatest(a.valid_from, coalesce(e.employed_from, DATE '0001-01-01')), a.supplier_id, 1
    FROM sa AS a
    JOIN employees AS e ON e.bank_account = a.bank_account
    WHERE a.valid_from <= coalesce(e.employed_to, DATE '9999-12-31')
      AND coalesce(e.employed_from, DATE '0001-01-01') <= a.valid_to
),
shared AS (
    SELECT bank_account, min(supplier_id) AS supplier_id, min(shared_from) AS shared_from,
           max(employee) AS with_employee,
           list_distinct(list_concat(list(holder_a), list(holder_b))) AS holders
    FROM holders
    GROUP BY bank_account
),
paid AS (
    SELECT s.bank_account, list_sort(list('payments:' || p.payment_id)) AS payment_keys,
           sum(p.amount) AS paid, count(*) AS payments
    FROM shared AS s JOIN payments AS p ON p.bank_account = s.bank_account AND p.payment_date >= s.shared_from
    WHERE p.amount > 0
    GROUP BY s.bank_account
)
SELECT 'supplier' AS subject_type,
       s.supplier_id AS subject_id,
       coalesce(p.paid, CAST(0 AS DECIMAL(18,2))) AS amount_at_risk,
       list_sort(list_concat(s.holders, coalesce(p.payment_keys, []))) AS evidence_keys,
       CASE WHEN s.with_employee = 1 THEN 'employee' ELSE 'suppliers' END AS explanation_key,
       s.bank_account,
       array_length(s.holders) AS holders,
       s.shared_from,
       coalesce(p.paid, CAST(0 AS DECIMAL(18,2))) AS paid,
       coalesce(p.payments, 0) AS payments
FROM shared AS s
LEFT JOIN paid AS p ON p.bank_account = s.bank_account
""",
        explanation={
            "suppliers": _(
                "The bank account %(bank_account)s is registered for %(holders)s suppliers at the same time "
                "(from %(shared_from)s); %(paid)s has been paid to it since then (number of payments: "
                "%(payments)s)."
            ),
            "employee": _(
                "The bank account %(bank_account)s is registered both for a supplier and as an employee's "
                "account (from %(shared_from)s); %(paid)s has been paid to it since then (number of "
                "payments: %(payments)s)."
            ),
        },
    )
)
