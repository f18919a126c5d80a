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

# same_amount: invoices with a second invoice of the same amount from the same supplier record, or
# from a record that shares its valid organisation number (needs SUPPLIER_KEY before it). Cheap
# groups on the raw columns, so that names and numbers are normalised only for these candidates.
SAME_AMOUNT = """shared_key AS (
    -- supplier records that share a valid organisation number with another record
    SELECT supplier_id FROM supplier_key
    WHERE supplier_key IN (SELECT supplier_key FROM supplier_key GROUP BY supplier_key HAVING count(*) >= 2)
),
same_amount AS (
    -- a duplicate needs a second invoice of the same amount from the same supplier record, or from
    -- a record that shares its organisation number
    SELECT i.invoice_id FROM invoices AS i
    JOIN (SELECT supplier_id, amount FROM invoices WHERE amount > 0
          GROUP BY supplier_id, amount HAVING count(*) >= 2) AS g
      ON g.supplier_id = i.supplier_id AND g.amount = i.amount
    UNION
    SELECT i.invoice_id FROM invoices AS i JOIN shared_key AS k ON k.supplier_id = i.supplier_id
    WHERE i.amount > 0
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
{SAME_AMOUNT},
inv AS (
    SELECT i.invoice_id, i.supplier_id, i.invoice_number, i.invoice_date, i.amount, i.board,
           coalesce(s.name, i.supplier_id) AS supplier_name,
           coalesce(s.supplier_key, 'supplier:' || i.supplier_id) AS supplier_key,
           {NUMBER_NORM.format(col="i.invoice_number")} AS number_norm
    FROM same_amount AS c
    JOIN invoices AS i ON i.invoice_id = c.invoice_id
    LEFT JOIN supplier_key AS s ON s.supplier_id = i.supplier_id
),
credit_notes AS (
    SELECT i.invoice_id, i.amount, i.invoice_date,
           coalesce(s.supplier_key, 'supplier:' || i.supplier_id) AS supplier_key
    FROM invoices AS i
    LEFT JOIN supplier_key AS s ON s.supplier_id = i.supplier_id
    WHERE i.amount < 0
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
    JOIN credit_notes AS c ON c.supplier_key = d.supplier_key AND c.amount = -d.amount AND c.invoice_date >= d.first_date
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


# -- INV-DUP-FUZZY ---------------------------------------------------------------------------------

# Two invoice numbers (in their fuzzy normal form) differ by one swap of two adjacent characters:
# same length, exactly two differing positions, and those two are neighbours holding each
# other's character.
_DIFFERING = "list_filter(range(1, length(a.number_fuzzy) + 1), lambda i: substr(a.number_fuzzy, i, 1) <> substr(b.number_fuzzy, i, 1))"
_SWAPPED = ("list_filter(range(1, length(a.number_fuzzy)), lambda i: substr(a.number_fuzzy, i, 1) <> substr(b.number_fuzzy, i, 1) "
            "AND substr(a.number_fuzzy, i, 1) = substr(b.number_fuzzy, i + 1, 1) "
            "AND substr(a.number_fuzzy, i + 1, 1) = substr(b.number_fuzzy, i, 1))")

register(Control(
    id="INV-DUP-FUZZY",
    version=1,
    title=_("Duplicate invoices, similar"),
    rationale=_("Two invoices with the same amount from the same supplier, or from two supplier records that "
                "share an organisation number, a bank account or a name, whose invoice numbers are the same once "
                "look-alike characters are read alike, differ by two swapped characters or by a short added "
                "prefix or suffix; or two invoices from the same supplier with the same amount and date."),
    why=_("A duplicate claim rarely comes back character for character: the number is retyped from paper "
          "(O for 0, B for 8), two digits are swapped, a suffix such as -1 or A is added, or the same invoice "
          "is sent under a second supplier record. Exact comparison misses all of these. Example: Österlens "
          "Elteknik AB's invoice B10457 for 17 950,40 kr in April is entered again as 810457 in May, and both "
          "are paid. Recurring invoices such as rent with consecutive numbers on different dates, and a "
          "duplicate cancelled by a credit note from the supplier, are not hits."),
    legal_ground=LEGAL_GROUND,
    risk_areas=("Fakturahantering", "Inköp", "Uppläggning av leverantörer"),
    severity="hög",
    subject_type="supplier",
    inputs={"invoices": ("invoice_id", "supplier_id", "invoice_number", "invoice_date", "amount")},
    optional_inputs=("suppliers", "supplier_accounts"),
    params={"window_days": Param(90, min=1, max=730,
                                 description=_("Largest number of days between the two invoice dates."))},
    evidence={"invoices": INVOICE_EVIDENCE},
    sql=f"""
WITH {SUPPLIER_KEY},
links AS (
    -- the facts beside the identity (valid orgnr or the record itself) that tie supplier records
    -- together: every bank account registered for it, and its normalised name
    SELECT k.supplier_id, k.supplier_key, 'account:' || a.bank_account AS link
    FROM supplier_accounts AS a JOIN supplier_key AS k ON k.supplier_id = a.supplier_id
    WHERE a.bank_account IS NOT NULL
    UNION
    SELECT supplier_id, supplier_key, 'name:' || {NAME_NORM.format(col="name")} AS link FROM supplier_key
    WHERE {NAME_NORM.format(col="name")} <> ''
),
cross_links AS (
    -- only links that two or more supplier identities share can pair invoices across identities
    SELECT l.supplier_id, l.link
    FROM links AS l
    JOIN (SELECT link FROM links GROUP BY link HAVING count(DISTINCT supplier_key) >= 2) AS shared
      ON shared.link = l.link
),
{SAME_AMOUNT},
inv_links AS (
    -- the same identity and amount ...
    SELECT i.invoice_id, coalesce(k.supplier_key, 'supplier:' || i.supplier_id) AS link, i.amount, i.invoice_date
    FROM same_amount AS c
    JOIN invoices AS i ON i.invoice_id = c.invoice_id
    LEFT JOIN supplier_key AS k ON k.supplier_id = i.supplier_id
    UNION ALL
    -- ... or a shared account or name
    SELECT i.invoice_id, x.link, i.amount, i.invoice_date
    FROM invoices AS i JOIN cross_links AS x ON x.supplier_id = i.supplier_id
    WHERE i.amount > 0
),
pairs AS (
    SELECT DISTINCT x.invoice_id AS a_id, y.invoice_id AS b_id
    FROM inv_links AS x
    JOIN inv_links AS y ON y.link = x.link AND y.amount = x.amount AND y.invoice_id > x.invoice_id
    WHERE abs(date_diff('day', x.invoice_date, y.invoice_date)) <= $window_days
),
inv AS (
    SELECT i.invoice_id, i.supplier_id, i.invoice_number, i.invoice_date, i.amount, i.board,
           coalesce(k.name, i.supplier_id) AS supplier_name,
           coalesce(k.supplier_key, 'supplier:' || i.supplier_id) AS supplier_key,
           {NUMBER_FUZZY.format(col="i.invoice_number")} AS number_fuzzy
    FROM invoices AS i
    LEFT JOIN supplier_key AS k ON k.supplier_id = i.supplier_id
    WHERE i.invoice_id IN (SELECT a_id FROM pairs UNION SELECT b_id FROM pairs)
),
credits AS (
    -- the newest credit note per supplier identity and amount it cancels
    SELECT coalesce(k.supplier_key, 'supplier:' || i.supplier_id) AS supplier_key, -i.amount AS amount,
           max(i.invoice_date) AS last_credit_date
    FROM invoices AS i
    LEFT JOIN supplier_key AS k ON k.supplier_id = i.supplier_id
    WHERE i.amount < 0
    GROUP BY coalesce(k.supplier_key, 'supplier:' || i.supplier_id), -i.amount
),
matched AS (
    SELECT a.supplier_id AS a_supplier, b.supplier_id AS b_supplier, a.invoice_id AS a_id, b.invoice_id AS b_id,
           a.invoice_number AS number_a, b.invoice_number AS number_b,
           a.invoice_date AS date_a, b.invoice_date AS date_b, a.amount, a.board,
           a.supplier_key AS key_a, b.supplier_key AS key_b,
           CASE WHEN a.supplier_name = b.supplier_name THEN a.supplier_name
                ELSE a.supplier_name || ' / ' || b.supplier_name END AS supplier_name,
           CASE WHEN a.number_fuzzy <> '' AND a.number_fuzzy = b.number_fuzzy THEN 'same_number'
                WHEN length(a.number_fuzzy) = length(b.number_fuzzy)
                     AND len({_DIFFERING}) = 2 AND len({_SWAPPED}) = 1 THEN 'transposed'
                WHEN least(length(a.number_fuzzy), length(b.number_fuzzy)) >= 4
                     AND abs(length(a.number_fuzzy) - length(b.number_fuzzy)) BETWEEN 1 AND 3
                     AND (starts_with(a.number_fuzzy, b.number_fuzzy) OR ends_with(a.number_fuzzy, b.number_fuzzy)
                          OR starts_with(b.number_fuzzy, a.number_fuzzy) OR ends_with(b.number_fuzzy, a.number_fuzzy))
                     THEN 'extended'
                WHEN a.supplier_key = b.supplier_key AND a.invoice_date = b.invoice_date THEN 'same_day'
           END AS explanation_key,
           -- recurring invoices (rent, licences): consecutive numbers on different dates
           coalesce(a.invoice_date <> b.invoice_date
                    AND abs(try_cast(a.number_fuzzy AS BIGINT) - try_cast(b.number_fuzzy AS BIGINT)) = 1,
                    false) AS recurring
    FROM pairs AS p
    JOIN inv AS a ON a.invoice_id = p.a_id
    JOIN inv AS b ON b.invoice_id = p.b_id
)
SELECT 'supplier' AS subject_type,
       least(m.a_supplier, m.b_supplier) AS subject_id,
       m.amount AS amount_at_risk,
       list_sort(['invoices:' || m.a_id, 'invoices:' || m.b_id]) AS evidence_keys,
       m.explanation_key,
       m.supplier_name,
       m.number_a,
       m.number_b,
       m.date_a,
       m.date_b,
       m.amount,
       m.board
FROM matched AS m
LEFT JOIN credits AS ca ON ca.supplier_key = m.key_a AND ca.amount = m.amount
LEFT JOIN credits AS cb ON cb.supplier_key = m.key_b AND cb.amount = m.amount
WHERE m.explanation_key IS NOT NULL
  AND NOT m.recurring
  -- a credit note of the same amount from either supplier, dated on or after the earlier invoice
  AND coalesce(ca.last_credit_date >= least(m.date_a, m.date_b), false) = false
  AND coalesce(cb.last_credit_date >= least(m.date_a, m.date_b), false) = false
""",
    explanation={
        "same_number": _("Invoices %(number_a)s (%(date_a)s) and %(number_b)s (%(date_b)s) from %(supplier_name)s "
                         "have the same amount, %(amount)s, and the same number once look-alike characters, "
                         "punctuation and leading zeros are disregarded."),
        "transposed": _("Invoices %(number_a)s (%(date_a)s) and %(number_b)s (%(date_b)s) from %(supplier_name)s "
                        "have the same amount, %(amount)s, and numbers that differ only by two swapped "
                        "neighbouring characters."),
        "extended": _("Invoices %(number_a)s (%(date_a)s) and %(number_b)s (%(date_b)s) from %(supplier_name)s "
                      "have the same amount, %(amount)s, and one number is the other with a short prefix or "
                      "suffix added."),
        "same_day": _("Invoices %(number_a)s and %(number_b)s from %(supplier_name)s have the same amount, "
                      "%(amount)s, and the same invoice date, %(date_a)s."),
    },
))


# -- PAY-DUP ---------------------------------------------------------------------------------------

register(Control(
    id="PAY-DUP",
    version=1,
    title=_("Duplicate payments"),
    rationale=_("The same invoice paid more than once, or two payments of the same amount to the same bank "
                "account within a few days that are not explained by two different invoices."),
    why=_("A payment file run twice, a manual payment made beside the ordinary run, or an invoice released "
          "again after a reminder all pay the same claim twice, and the money rarely comes back unless "
          "someone asks for it. Example: Dalby Städ AB's invoice 117342 for 36 218,90 kr is paid on "
          "14 April and again on 21 April. Two different invoices of the same amount paid to the same "
          "account, and a payment that was reversed, are not hits."),
    legal_ground=LEGAL_GROUND,
    risk_areas=("Fakturahantering", "Inköp"),
    severity="hög",
    subject_type="supplier",
    inputs={"payments": ("payment_id", "payment_date", "amount", "bank_account")},
    optional_inputs=("invoices",),
    params={"window_days": Param(14, min=0, max=365,
                                 description=_("Largest number of days between two payments to the same account."))},
    evidence={"payments": PAYMENT_EVIDENCE, "invoices": INVOICE_EVIDENCE},
    sql="""
WITH reversals AS (
    -- a negative payment to the same account cancels one payment of the opposite amount made on or before it
    SELECT bank_account, -amount AS amount, payment_date AS reversal_date, payment_id AS reversal_id
    FROM payments WHERE amount < 0
),
multi AS (
    -- invoices with two or more payments, and (account, amount) pairs paid two or more times: only
    -- their payments can be duplicates, so only they are examined further
    SELECT invoice_id FROM payments
    WHERE amount > 0 AND invoice_id IS NOT NULL AND invoice_id <> ''
    GROUP BY invoice_id HAVING count(*) >= 2
),
shared AS (
    SELECT bank_account, amount FROM payments WHERE amount > 0
    GROUP BY bank_account, amount HAVING count(*) >= 2
),
candidates AS (
    SELECT p.payment_id FROM payments AS p JOIN multi AS m ON m.invoice_id = p.invoice_id WHERE p.amount > 0
    UNION
    SELECT p.payment_id FROM payments AS p JOIN shared AS s ON s.bank_account = p.bank_account AND s.amount = p.amount
),
pay AS (
    SELECT p.payment_id, p.payment_date, p.amount, p.bank_account, p.invoice_id, p.payee_id, p.payee_name
    FROM payments AS p
    JOIN candidates AS c ON c.payment_id = p.payment_id
    WHERE p.amount > 0
      AND NOT EXISTS (SELECT 1 FROM reversals AS r
                      WHERE r.bank_account = p.bank_account AND r.amount = p.amount
                        AND r.reversal_date >= p.payment_date)
),
by_invoice AS (
    -- one invoice paid more than once: more paid than it was for (instalments that add up are fine)
    SELECT p.invoice_id, count(*) AS n, sum(p.amount) AS paid, min(p.payment_date) AS first_date,
           max(p.payment_date) AS last_date, min(p.payee_id) AS payee_id, min(p.payee_name) AS payee_name,
           min(p.amount) AS min_amount, max(p.amount) AS max_amount,
           list_sort(list(p.payment_id)) AS payment_ids
    FROM pay AS p
    WHERE p.invoice_id IS NOT NULL AND p.invoice_id <> ''
    GROUP BY p.invoice_id
    HAVING count(*) >= 2
),
same_invoice AS (
    SELECT 'supplier' AS subject_type,
           coalesce(i.supplier_id, b.payee_id, b.invoice_id) AS subject_id,
           CASE WHEN i.amount IS NULL THEN b.paid - b.max_amount ELSE b.paid - i.amount END AS amount_at_risk,
           list_sort(list_concat(['invoices:' || b.invoice_id],
                                 list_transform(b.payment_ids, lambda x: 'payments:' || x))) AS evidence_keys,
           'same_invoice' AS explanation_key,
           coalesce(i.invoice_number, b.invoice_id) AS invoice_number,
           b.n AS count,
           b.paid,
           coalesce(i.amount, b.max_amount) AS amount,
           b.first_date,
           b.last_date,
           coalesce(b.payee_name, i.supplier_id, '') AS payee_name,
           i.board
    FROM by_invoice AS b
    LEFT JOIN invoices AS i ON i.invoice_id = b.invoice_id
    WHERE (i.amount IS NULL AND b.min_amount = b.max_amount) OR b.paid > i.amount
),
same_account AS (
    -- two payments to one account, same amount, within the window, not for two different invoices
    -- (two payments for the same invoice are the rule above)
    SELECT 'supplier' AS subject_type,
           coalesce(x.payee_id, y.payee_id, x.bank_account) AS subject_id,
           x.amount AS amount_at_risk,
           list_sort(['payments:' || x.payment_id, 'payments:' || y.payment_id]) AS evidence_keys,
           'same_account' AS explanation_key,
           coalesce(x.invoice_id, y.invoice_id, '') AS invoice_number,
           2 AS count,
           x.amount + y.amount AS paid,
           x.amount,
           least(x.payment_date, y.payment_date) AS first_date,
           greatest(x.payment_date, y.payment_date) AS last_date,
           coalesce(x.payee_name, y.payee_name, '') AS payee_name,
           CAST(NULL AS VARCHAR) AS board
    FROM pay AS x
    JOIN pay AS y ON y.bank_account = x.bank_account AND y.amount = x.amount AND y.payment_id > x.payment_id
    WHERE abs(date_diff('day', x.payment_date, y.payment_date)) <= $window_days
      AND (nullif(x.invoice_id, '') IS NULL OR nullif(y.invoice_id, '') IS NULL)
)
SELECT subject_type, subject_id, amount_at_risk, evidence_keys, explanation_key, invoice_number, count, paid,
       amount, first_date, last_date, payee_name, board
FROM (SELECT * FROM same_invoice UNION ALL SELECT * FROM same_account) AS hits
""",
    explanation={
        "same_invoice": _("Invoice %(invoice_number)s (%(amount)s) was paid %(count)s times between %(first_date)s "
                          "and %(last_date)s, %(paid)s in all, to %(payee_name)s."),
        "same_account": _("Two payments of %(amount)s each went to the same account of %(payee_name)s on "
                          "%(first_date)s and %(last_date)s; at most one of them is for an invoice."),
    },
))


# -- PAY-REMINDER ----------------------------------------------------------------------------------

register(Control(
    id="PAY-REMINDER",
    version=1,
    title=_("Duplicate payment through a reminder"),
    rationale=_("An invoice that was paid, and then paid again within 60 days as a reminder from the same "
                "supplier: the same invoice number or OCR reference, with an amount higher by a reminder fee."),
    why=_("A reminder that crosses the payment in the post looks like a new invoice: a new date, sometimes a "
          "new number, and the fee added. If it is attested and paid, the claim is paid twice. Example: "
          "Broby Data AB's invoice 56021 for 14 380,00 kr is paid in March; the reminder for 14 440,00 kr "
          "with the same OCR reference is paid in April."),
    legal_ground=LEGAL_GROUND,
    risk_areas=("Fakturahantering", "Inköp"),
    severity="hög",
    subject_type="supplier",
    inputs={"invoices": ("invoice_id", "supplier_id", "invoice_number", "amount"),
            "payments": ("payment_id", "payment_date", "amount", "invoice_id")},
    optional_inputs=("suppliers",),
    params={
        "min_fee": Param(Decimal("50"), min=Decimal(0), description=_("Smallest reminder fee, in kronor.")),
        "max_fee": Param(Decimal("250"), min=Decimal(0), description=_("Largest reminder fee, in kronor.")),
        "window_days": Param(60, min=1, max=365,
                             description=_("Largest number of days between the two payments.")),
    },
    evidence={"invoices": INVOICE_EVIDENCE, "payments": PAYMENT_EVIDENCE},
    sql=f"""
WITH {SUPPLIER_KEY},
keys AS (
    SELECT i.invoice_id,
           coalesce(s.supplier_key, 'supplier:' || i.supplier_id) AS supplier_key,
           {NUMBER_NORM.format(col="i.invoice_number")} AS number_norm,
           nullif(regexp_replace(coalesce(i.ocr_reference, ''), '[^0-9A-Za-z]', '', 'g'), '') AS ocr
    FROM invoices AS i
    LEFT JOIN supplier_key AS s ON s.supplier_id = i.supplier_id
    WHERE i.amount > 0
),
same_number AS (
    -- a reminder shares its number or OCR reference with the invoice it reminds of: only invoices
    -- that share one with another invoice of the same supplier are examined further. hash() only
    -- narrows the candidates (a collision adds one, never removes one); the pairs below compare
    -- the values themselves.
    SELECT hash(supplier_key, number_norm) AS h FROM keys WHERE number_norm <> ''
    GROUP BY hash(supplier_key, number_norm) HAVING count(*) >= 2
),
same_ocr AS (
    SELECT hash(supplier_key, ocr) AS h FROM keys WHERE ocr IS NOT NULL
    GROUP BY hash(supplier_key, ocr) HAVING count(*) >= 2
),
candidates AS (
    SELECT k.invoice_id FROM keys AS k JOIN same_number AS n ON n.h = hash(k.supplier_key, k.number_norm)
    WHERE k.number_norm <> ''
    UNION
    SELECT k.invoice_id FROM keys AS k JOIN same_ocr AS o ON o.h = hash(k.supplier_key, k.ocr)
    WHERE k.ocr IS NOT NULL
),
paid AS (
    SELECT k.invoice_id, i.supplier_id, i.invoice_number, i.amount, i.board,
           coalesce(s.name, i.supplier_id) AS supplier_name, k.supplier_key, k.number_norm, k.ocr,
           p.payment_id, p.payment_date
    FROM candidates AS c
    JOIN keys AS k ON k.invoice_id = c.invoice_id
    JOIN invoices AS i ON i.invoice_id = c.invoice_id
    LEFT JOIN supplier_key AS s ON s.supplier_id = i.supplier_id
    JOIN payments AS p ON p.invoice_id = c.invoice_id AND p.amount > 0
),
pairs AS (
    -- two equality joins (same number, same OCR reference) instead of comparing every pair of a
    -- supplier's invoices
    SELECT a.payment_id AS a_payment, b.payment_id AS b_payment, 'same_number' AS explanation_key
    FROM paid AS a JOIN paid AS b
         ON b.supplier_key = a.supplier_key AND b.number_norm = a.number_norm AND b.invoice_id <> a.invoice_id
    WHERE a.number_norm <> '' AND b.amount - a.amount BETWEEN $min_fee AND $max_fee
    UNION ALL
    SELECT a.payment_id, b.payment_id, 'same_ocr'
    FROM paid AS a JOIN paid AS b
         ON b.supplier_key = a.supplier_key AND b.ocr = a.ocr AND b.invoice_id <> a.invoice_id
    WHERE NOT (a.number_norm <> '' AND a.number_norm = b.number_norm)
      AND b.amount - a.amount BETWEEN $min_fee AND $max_fee
)
SELECT 'supplier' AS subject_type,
       b.supplier_id AS subject_id,
       b.amount AS amount_at_risk,
       list_sort(['invoices:' || a.invoice_id, 'invoices:' || b.invoice_id,
                  'payments:' || a.payment_id, 'payments:' || b.payment_id]) AS evidence_keys,
       p.explanation_key,
       b.supplier_name,
       a.invoice_number AS number_a,
       b.invoice_number AS number_b,
       a.amount AS amount_a,
       b.amount AS amount_b,
       b.amount - a.amount AS fee,
       a.payment_date AS paid_a,
       b.payment_date AS paid_b,
       coalesce(a.ocr, '') AS ocr,
       b.board
FROM pairs AS p
JOIN paid AS a ON a.payment_id = p.a_payment
JOIN paid AS b ON b.payment_id = p.b_payment
WHERE date_diff('day', a.payment_date, b.payment_date) BETWEEN 0 AND $window_days
""",
    explanation={
        "same_number": _("%(supplier_name)s's invoice %(number_a)s for %(amount_a)s was paid on %(paid_a)s, and "
                         "on %(paid_b)s invoice %(number_b)s with the same number for %(amount_b)s, %(fee)s more, "
                         "was paid again."),
        "same_ocr": _("%(supplier_name)s's invoice %(number_a)s for %(amount_a)s was paid on %(paid_a)s, and on "
                      "%(paid_b)s invoice %(number_b)s with the same OCR reference %(ocr)s for %(amount_b)s, "
                      "%(fee)s more, was paid again."),
    },
))
