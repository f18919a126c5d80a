"""PAY-*: supplier payments. The same invoice paid twice, reminders paid as well as the invoice.

Supplier identity (PAY-REMINDER): the same supplier_id, or supplier records with the same VALID
orgnr. Reversed payments (a negative payment to the same account of the opposite amount, on or
after the payment) cancel a payment.
"""

from __future__ import annotations

from decimal import Decimal

from tillit.analytics.controls._common import INVOICE_EVIDENCE, LEGAL_GROUND, PAYMENT_EVIDENCE
from tillit.analytics.controls._sql import INVOICE_KEY, SUPPLIER_KEY
from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.registry import Control, Param, register

# a duplicate worth a coordinator's time: groups whose amount at risk is below it are not raised (issue 17)
MATERIALITY = Param(
    Decimal("500"),
    min=Decimal("0"),
    description=_("Smallest amount at risk of a group raised as a hit, in kronor."),
)

register(
    Control(
        id="PAY-DUP",
        version=3,
        title=_("Duplicate payments"),
        rationale=_(
            "The same invoice paid more than once, or payments of the same amount to the same bank account "
            "within a few days that are not explained by different invoices and break the account's own "
            "pattern; one hit per invoice or per account, amount and window, listing every payment."
        ),
        why=_(
            "A payment file run twice, a manual payment made beside the ordinary run, or an invoice released "
            "again after a reminder all pay the same claim twice, and the money rarely comes back unless "
            "someone asks for it. Example: Dalby Städ AB's invoice 117342 for 36 218,90 kr is paid on "
            "14 April and again on 21 April. Two different invoices of the same amount paid to the same "
            "account, and a payment that was reversed, are not hits. Neither is the account's normal "
            "pattern: an amount paid in three or more calendar months is a series (rent, an allowance), "
            "and a repeat is a duplicate only when it comes sooner than half the series' mean interval; "
            "the same amount twice on one day is a duplicate only for an account that does not receive "
            "one amount twice a day on other days (many identical items in one payment run)."
        ),
        legal_ground=LEGAL_GROUND,
        risk_areas=("Fakturahantering", "Inköp"),
        severity="hög",
        case_type="supplier",
        subject_type="supplier",
        inputs={"payments": ("payment_id", "payment_date", "amount", "bank_account")},
        optional_inputs=("invoices",),
        params={
            "window_days": Param(
                14,
                min=0,
                max=365,
                description=_("Largest number of days between two payments to the same account."),
            ),
            "min_amount": MATERIALITY,
        },
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
    SELECT p.payment_id, p.payment_date, p.amount, p.bank_account, nullif(p.invoice_id, '') AS invoice_id,
           p.payee_id, p.payee_name
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
    WHERE p.invoice_id IS NOT NULL
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
           CAST(1 AS BIGINT) AS invoices,
           b.paid,
           coalesce(i.amount, b.max_amount) AS amount,
           b.first_date,
           b.last_date,
           coalesce(b.payee_name, i.supplier_id, '') AS payee_name,
           i.board,
           -- graded evidence (analytics/evidence.py): one invoice paid twice, weaker on one day
           ['paid_twice', CASE WHEN b.first_date = b.last_date THEN 'same_day' END] AS evidence_reasons
    FROM by_invoice AS b
    LEFT JOIN invoices AS i ON i.invoice_id = b.invoice_id
    WHERE (i.amount IS NULL AND b.min_amount = b.max_amount) OR b.paid > i.amount
),
series AS (
    -- the account's normal pattern for each amount: paid in three or more calendar months it is a
    -- series (rent, an allowance, a subscription) whose rhythm is its mean interval between dates
    SELECT bank_account, amount, count(DISTINCT payment_date) AS dates,
           count(DISTINCT year(payment_date) * 12 + month(payment_date)) AS months,
           date_diff('day', min(payment_date), max(payment_date)) AS span
    FROM pay
    GROUP BY bank_account, amount
),
busy AS (
    -- days on which the account received one amount twice or more: for an account that does so on
    -- other days too, the same amount twice on one day is its payment run's rhythm (many identical items)
    SELECT bank_account, count(DISTINCT payment_date) AS days
    FROM (SELECT bank_account, payment_date, amount FROM pay
          GROUP BY bank_account, payment_date, amount HAVING count(*) >= 2) AS d
    GROUP BY bank_account
),
seq AS (
    -- each payment beside the one before it to the same account of the same amount; a window of
    -- payments no more than window_days apart, one after the other, is one group
    SELECT x.*, sum(CASE WHEN x.gap IS NULL OR x.gap > $window_days THEN 1 ELSE 0 END)
                    OVER (PARTITION BY x.bank_account, x.amount ORDER BY x.payment_date, x.payment_id
                          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS grp
    FROM (SELECT p.*,
                 lag(p.payment_id) OVER (PARTITION BY p.bank_account, p.amount
                                         ORDER BY p.payment_date, p.payment_id) AS prev_id,
                 lag(p.invoice_id) OVER (PARTITION BY p.bank_account, p.amount
                                         ORDER BY p.payment_date, p.payment_id) AS prev_invoice,
                 date_diff('day', lag(p.payment_date) OVER (PARTITION BY p.bank_account, p.amount
                                                            ORDER BY p.payment_date, p.payment_id),
                           p.payment_date) AS gap
          FROM pay AS p) AS x
),
repeats AS (
    -- a payment repeated within the window, not two payments for invoices (two for the same invoice
    -- are the rule above), breaking the account's pattern
    SELECT s.bank_account, s.amount, s.grp, s.payment_id, s.prev_id
    FROM seq AS s
    JOIN series AS r ON r.bank_account = s.bank_account AND r.amount = s.amount
    LEFT JOIN busy AS b ON b.bank_account = s.bank_account
    WHERE s.gap <= $window_days
      AND (s.invoice_id IS NULL OR s.prev_invoice IS NULL)
      AND CASE WHEN s.gap = 0 THEN coalesce(b.days, 0) <= 1
               ELSE r.months < 3 OR 2 * s.gap * (r.dates - 1) < r.span END
),
members AS (
    SELECT DISTINCT bank_account, amount, grp, payment_id
    FROM (SELECT bank_account, amount, grp, payment_id FROM repeats
          UNION ALL SELECT bank_account, amount, grp, prev_id FROM repeats) AS m
),
account_groups AS (
    -- one group per account, amount and window: every payment in it, at risk all that no invoice explains
    -- (all but one when none is for an invoice)
    SELECT m.bank_account, m.amount, count(*) AS n,
           count(DISTINCT p.invoice_id) AS invoices,
           sum(CASE WHEN p.invoice_id IS NULL THEN 1 ELSE 0 END) AS unlinked,
           min(p.payment_date) AS first_date, max(p.payment_date) AS last_date,
           min(p.payee_id) AS payee_id, min(p.payee_name) AS payee_name,
           min(p.invoice_id) AS invoice_id,
           list_sort(list(m.payment_id)) AS payment_ids,
           max(CASE WHEN r.months >= 3 THEN 1 ELSE 0 END) AS in_series
    FROM members AS m
    JOIN pay AS p ON p.payment_id = m.payment_id
    JOIN series AS r ON r.bank_account = m.bank_account AND r.amount = m.amount
    GROUP BY m.bank_account, m.amount, m.grp
),
same_account AS (
    SELECT 'supplier' AS subject_type,
           coalesce(g.payee_id, g.bank_account) AS subject_id,
           g.amount * (g.unlinked - CASE WHEN g.invoices = 0 THEN 1 ELSE 0 END) AS amount_at_risk,
           list_transform(g.payment_ids, lambda x: 'payments:' || x) AS evidence_keys,
           CASE WHEN g.n = 2 THEN 'same_account' ELSE 'same_account_group' END AS explanation_key,
           coalesce(g.invoice_id, '') AS invoice_number,
           g.n AS count,
           g.invoices,
           g.amount * g.n AS paid,
           g.amount,
           g.first_date,
           g.last_date,
           coalesce(g.payee_name, '') AS payee_name,
           CAST(NULL AS VARCHAR) AS board,
           -- graded evidence: a payment repeated on another date, or on one day; weaker inside a series
           [CASE WHEN g.first_date <> g.last_date THEN 'different_dates' ELSE 'same_day' END,
            CASE WHEN g.in_series = 1 THEN 'series' END] AS evidence_reasons
    FROM account_groups AS g
)
SELECT subject_type, subject_id, amount_at_risk, evidence_keys, explanation_key, invoice_number, count, invoices,
       paid, amount, first_date, last_date, payee_name, board, evidence_reasons
FROM (SELECT * FROM same_invoice UNION ALL SELECT * FROM same_account) AS hits
WHERE amount_at_risk >= $min_amount AND amount_at_risk > 0
""",
        explanation={
            "same_invoice": _(
                "Invoice %(invoice_number)s (%(amount)s) was paid %(count)s times between %(first_date)s "
                "and %(last_date)s, %(paid)s in all, to %(payee_name)s."
            ),
            "same_account": _(
                "Two payments of %(amount)s each went to the same account of %(payee_name)s on "
                "%(first_date)s and %(last_date)s; at most one of them is for an invoice."
            ),
            "same_account_group": _(
                "%(count)s payments of %(amount)s each went to the same account of %(payee_name)s between "
                "%(first_date)s and %(last_date)s, %(paid)s in all; invoices they are for: %(invoices)s."
            ),
        },
    )
)


register(
    Control(
        id="PAY-REMINDER",
        version=3,
        title=_("Duplicate payment through a reminder"),
        rationale=_(
            "An invoice that was paid, and then paid again within 60 days as a reminder from the same "
            "supplier: the same invoice number or OCR reference, with an amount higher by a reminder fee; "
            "one hit per supplier and number or reference, listing the invoice and every reminder paid."
        ),
        why=_(
            "A reminder that crosses the payment in the post looks like a new invoice: a new date, sometimes a "
            "new number, and the fee added. If it is attested and paid, the claim is paid twice. Example: "
            "Broby Data AB's invoice 56021 for 14 380,00 kr is paid in March; the reminder for 14 440,00 kr "
            "with the same OCR reference is paid in April."
        ),
        legal_ground=LEGAL_GROUND,
        risk_areas=("Fakturahantering", "Inköp"),
        severity="hög",
        case_type="supplier",
        subject_type="supplier",
        inputs={
            "invoices": ("invoice_id", "supplier_id", "invoice_number", "amount"),
            "payments": ("payment_id", "payment_date", "amount", "invoice_id"),
        },
        optional_inputs=("suppliers",),
        params={
            "min_fee": Param(
                Decimal("50"), min=Decimal(0), description=_("Smallest reminder fee, in kronor.")
            ),
            "max_fee": Param(
                Decimal("250"), min=Decimal(0), description=_("Largest reminder fee, in kronor.")
            ),
            "window_days": Param(
                60,
                min=1,
                max=365,
                description=_("Largest number of days between the two payments."),
            ),
        },
        evidence={"invoices": INVOICE_EVIDENCE, "payments": PAYMENT_EVIDENCE},
        sql=f"""
WITH {SUPPLIER_KEY},
{INVOICE_KEY},
keys AS (
    SELECT invoice_id, supplier_key, number_norm, ocr FROM invoice_key WHERE amount > 0
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
),
found AS (
    SELECT p.explanation_key, a.supplier_key,
           CASE p.explanation_key WHEN 'same_number' THEN 'number:' || a.number_norm ELSE 'ocr:' || a.ocr END
               AS reference,
           a.invoice_id AS a_invoice, b.invoice_id AS b_invoice, a.payment_id AS a_payment,
           b.payment_id AS b_payment, b.supplier_id, b.supplier_name, a.invoice_number AS number_a,
           b.invoice_number AS number_b, a.amount AS amount_a, b.amount AS amount_b, a.payment_date AS paid_a,
           b.payment_date AS paid_b, a.ocr, b.board
    FROM pairs AS p
    JOIN paid AS a ON a.payment_id = p.a_payment
    JOIN paid AS b ON b.payment_id = p.b_payment
    WHERE date_diff('day', a.payment_date, b.payment_date) BETWEEN 0 AND $window_days
),
ranked AS (
    -- the pair the sentence describes: the first invoice and its first reminder paid
    SELECT f.*, row_number() OVER (PARTITION BY f.supplier_key, f.reference
                                   ORDER BY f.paid_a, f.paid_b, f.a_payment, f.b_payment) AS rank
    FROM found AS f
),
at_risk AS (
    -- each reminder paid counted once in its group: what was paid again
    SELECT supplier_key, reference, sum(amount_b) AS amount
    FROM (SELECT DISTINCT supplier_key, reference, b_payment, amount_b FROM found) AS d
    GROUP BY supplier_key, reference
),
grp AS (
    -- one hit per supplier and number (or OCR reference): the invoice and every reminder paid after it
    SELECT supplier_key, reference, list_sort(list(DISTINCT k)) AS keys
    FROM (SELECT supplier_key, reference, 'invoices:' || a_invoice AS k FROM found
          UNION ALL SELECT supplier_key, reference, 'invoices:' || b_invoice FROM found
          UNION ALL SELECT supplier_key, reference, 'payments:' || a_payment FROM found
          UNION ALL SELECT supplier_key, reference, 'payments:' || b_payment FROM found) AS x
    GROUP BY supplier_key, reference
)
SELECT 'supplier' AS subject_type,
       r.supplier_id AS subject_id,
       t.amount AS amount_at_risk,
       g.keys AS evidence_keys,
       r.explanation_key,
       r.supplier_name,
       r.number_a,
       r.number_b,
       r.amount_a,
       r.amount_b,
       r.amount_b - r.amount_a AS fee,
       r.paid_a,
       r.paid_b,
       coalesce(r.ocr, '') AS ocr,
       r.board,
       ['reminder'] AS evidence_reasons
FROM ranked AS r
JOIN grp AS g ON g.supplier_key = r.supplier_key AND g.reference = r.reference
JOIN at_risk AS t ON t.supplier_key = r.supplier_key AND t.reference = r.reference
WHERE r.rank = 1
""",
        explanation={
            "same_number": _(
                "%(supplier_name)s's invoice %(number_a)s for %(amount_a)s was paid on %(paid_a)s, and "
                "on %(paid_b)s invoice %(number_b)s with the same number for %(amount_b)s, %(fee)s more, "
                "was paid again."
            ),
            "same_ocr": _(
                "%(supplier_name)s's invoice %(number_a)s for %(amount_a)s was paid on %(paid_a)s, and on "
                "%(paid_b)s invoice %(number_b)s with the same OCR reference %(ocr)s for %(amount_b)s, "
                "%(fee)s more, was paid again."
            ),
        },
    )
)
