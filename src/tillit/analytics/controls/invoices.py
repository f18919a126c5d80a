"""Supplier invoices and payments: duplicate invoices, duplicate payments, reminders paid again.

The normal forms are written out in SQL so that every engine runs the same logic without
Python UDFs; tests/analytics/test_controls_invoices.py checks them against normalise.py:

- invoice number: upper-case, A–Z and 0–9 only, leading zeros stripped
- fuzzy invoice number: the same after mapping O→0, I→1, L→1, S→5, B→8, Z→2
- name: lower-case, punctuation to spaces, legal-form words dropped, words sorted

Supplier identity (INV-DUP-EXACT, PAY-REMINDER, and the same-day rule of INV-DUP-FUZZY): the
same supplier_id, or supplier records with the same VALID orgnr. Credit notes (negative
amounts) from the same supplier cancel an invoice of the opposite amount dated on or before
them; a credit note may be counted against every group it could cancel, which errs towards
fewer hits. Reversed payments (a negative payment to the same account of the opposite amount,
on or after the payment) cancel a payment in the same way.
"""

from __future__ import annotations

from decimal import Decimal

from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.registry import Control, Param, register

# -- shared SQL fragments, written out in each query so that the SQL an auditor reads is whole

NUMBER_NORM = "ltrim(regexp_replace(upper({col}), '[^0-9A-Z]', '', 'g'), '0')"
NUMBER_FUZZY = "ltrim(translate(regexp_replace(upper({col}), '[^0-9A-Z]', '', 'g'), 'OILSBZ', '011582'), '0')"
LEGAL_FORM_WORDS = ("ab", "aktiebolag", "hb", "kb", "ek", "för", "ekonomisk", "handelsbolag", "kommanditbolag",
                    "förening", "föreningen", "ideell")
NAME_NORM = (
    "array_to_string(list_sort(list_filter(string_split(regexp_replace(lower({col}), "
    "'[^0-9a-zàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿ]', ' ', 'g'), ' '), "
    "lambda w: w <> '' AND w NOT IN (" + ", ".join(f"'{w}'" for w in LEGAL_FORM_WORDS) + "))), ' ')"
)
# supplier_key: one value per supplier identity (a valid orgnr, else the supplier record)
SUPPLIER_KEY = """supplier_key AS (
    SELECT supplier_id, name,
           CASE WHEN orgnr_valid AND orgnr IS NOT NULL THEN 'orgnr:' || orgnr
                ELSE 'supplier:' || supplier_id END AS supplier_key
    FROM suppliers
)"""

LEGAL_GROUND = _("Local Government Act (2017:725) ch. 6 sec. 6: every board must ensure that its internal "
                 "control is sufficient and that its funds are managed securely.")
INVOICE_EVIDENCE = ("supplier_id", "invoice_number", "invoice_date", "amount", "ocr_reference", "bank_account",
                    "board", "registered_by", "attested_by")
PAYMENT_EVIDENCE = ("payment_date", "amount", "bank_account", "invoice_id", "payee_id", "payee_name", "source")


register(Control(
    id="INV-DUP-EXACT",
    version=1,
    title=_("Duplicate invoices, exact"),
    rationale=_("Two or more invoices from the same supplier with the same invoice number and the same amount."),
    why=_("A supplier's invoice number identifies one claim, so the same number and amount twice means the "
          "claim was entered twice: a resent paper copy, an invoice arriving both as e-invoice and PDF, or a "
          "deliberate second claim. Example: Bygg & Montage AB (556677-8899) sends invoice 2024-0117 for "
          "48 750 kr in March and again, as 20240117, in April; both are attested and 48 750 kr is paid twice. "
          "A credit note from the supplier that cancels one of them removes the hit."),
    legal_ground=LEGAL_GROUND,
    risk_areas=("Fakturahantering", "Inköp"),
    severity="hög",
    subject_type="supplier",
    inputs={"invoices": ("invoice_id", "supplier_id", "invoice_number", "invoice_date", "amount")},
    optional_inputs=("suppliers",),
    evidence={"invoices": INVOICE_EVIDENCE},
    sql=f"""
WITH {SUPPLIER_KEY},
inv AS (
    SELECT i.invoice_id, i.supplier_id, i.invoice_number, i.invoice_date, i.amount, i.board,
           coalesce(s.name, i.supplier_id) AS supplier_name,
           coalesce(s.supplier_key, 'supplier:' || i.supplier_id) AS supplier_key,
           {NUMBER_NORM.format(col="i.invoice_number")} AS number_norm
    FROM invoices AS i
    LEFT JOIN supplier_key AS s ON s.supplier_id = i.supplier_id
),
dup AS (
    SELECT supplier_key, number_norm, amount,
           count(*) AS n,
           min(invoice_date) AS first_date,
           min(supplier_id) AS subject_id,
           min(invoice_number) AS invoice_number,
           min(board) AS board,
           array_to_string(list_sort(list_distinct(list(supplier_name))), ' / ') AS supplier_name,
           list_sort(list(invoice_id)) AS invoice_ids
    FROM inv
    WHERE amount > 0 AND number_norm <> ''
    GROUP BY supplier_key, number_norm, amount
    HAVING count(*) >= 2
),
credited AS (
    -- credit notes from the same supplier of the opposite amount, dated on or after the first invoice
    SELECT d.supplier_key, d.number_norm, d.amount, list_sort(list(c.invoice_id)) AS credit_note_ids
    FROM dup AS d
    JOIN inv AS c ON c.supplier_key = d.supplier_key AND c.amount = -d.amount AND c.invoice_date >= d.first_date
    GROUP BY d.supplier_key, d.number_norm, d.amount
)
SELECT 'supplier' AS subject_type,
       d.subject_id,
       d.amount * (d.n - coalesce(array_length(c.credit_note_ids), 0) - 1) AS amount_at_risk,
       list_sort(list_concat(list_transform(d.invoice_ids, lambda x: 'invoices:' || x),
                             list_transform(coalesce(c.credit_note_ids, []), lambda x: 'invoices:' || x))) AS evidence_keys,
       CASE WHEN c.credit_note_ids IS NULL THEN 'duplicate' ELSE 'partly_credited' END AS explanation_key,
       d.n AS count,
       d.invoice_number,
       d.amount,
       d.supplier_name,
       array_to_string(d.invoice_ids, ', ') AS invoice_ids,
       coalesce(array_length(c.credit_note_ids), 0) AS credit_notes,
       array_to_string(c.credit_note_ids, ', ') AS credit_note_ids,
       d.board
FROM dup AS d
LEFT JOIN credited AS c ON c.supplier_key = d.supplier_key AND c.number_norm = d.number_norm AND c.amount = d.amount
WHERE d.n - coalesce(array_length(c.credit_note_ids), 0) >= 2
""",
    explanation={
        "duplicate": _("%(count)s invoices from %(supplier_name)s have the same invoice number %(invoice_number)s "
                       "and the same amount, %(amount)s each: %(invoice_ids)s."),
        "partly_credited": _("%(count)s invoices from %(supplier_name)s have the same invoice number "
                             "%(invoice_number)s and the same amount, %(amount)s each: %(invoice_ids)s. The credit "
                             "notes %(credit_note_ids)s cancel only %(credit_notes)s of them."),
    },
))
