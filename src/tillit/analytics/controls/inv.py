"""INV-*: supplier invoices. Duplicate invoices (exact and fuzzy), the same invoice number from
two suppliers, split purchases, spend without contract, contracts with unchecked counterparties,
consecutive invoice numbers, round amounts and amounts just below a limit, Benford's law, invoices
dated on holidays and weekends.

Supplier identity (INV-DUP-EXACT and the same-day rule of INV-DUP-FUZZY): the same supplier_id,
or supplier records with the same VALID orgnr. Credit notes (negative amounts) from the same
supplier cancel an invoice of the opposite amount dated on or before them; a credit note may be
counted against every group it could cancel, which errs towards fewer hits.

The direct-procurement limit (direktupphandlingsgränsen, 700 000 kr here) and the
municipality's own lower routine limit (Malmö: 100 000 kr) are parameters; a routine limit of
0 switches its tier off. Holidays and weekends come from controls/_sql.py.
"""

from __future__ import annotations

from decimal import Decimal

from tillit.analytics.controls._common import INVOICE_EVIDENCE, LEGAL_GROUND, SUPPLIER_EVIDENCE
from tillit.analytics.controls._sql import (
    AMOUNT_COUNT,
    INVOICE_KEY,
    NAME_NORM,
    NUMBER_FUZZY,
    NUMBER_NORM,
    SAME_AMOUNT,
    SUPPLIER_KEY,
    is_holiday_sql,
    is_weekend_sql,
)
from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.registry import Control, Param, register

# Two invoice numbers (in their fuzzy normal form) differ by one swap of two adjacent characters:
# same length, exactly two differing positions, and those two are neighbours holding each
# other's character.
_DIFFERING = "list_filter(range(1, length(a.number_fuzzy) + 1), lambda i: substr(a.number_fuzzy, i, 1) <> substr(b.number_fuzzy, i, 1))"
_SWAPPED = (
    "list_filter(range(1, length(a.number_fuzzy)), lambda i: substr(a.number_fuzzy, i, 1) <> substr(b.number_fuzzy, i, 1) "
    "AND substr(a.number_fuzzy, i, 1) = substr(b.number_fuzzy, i + 1, 1) "
    "AND substr(a.number_fuzzy, i + 1, 1) = substr(b.number_fuzzy, i, 1))"
)
LIMIT = Param(
    Decimal("700000"), min=Decimal("0"), description=_("The direct-procurement limit, in kronor.")
)
PROCUREMENT_LAW = _(
    "Public Procurement Act (2016:1145) ch. 19 sec. 7 (direct procurement limit) and "
    "ch. 19 sec. 8 (the value of purchases of the same kind is added up)."
)
ROUTINE_LIMIT = Param(
    Decimal("100000"),
    min=Decimal("0"),
    description=_("The municipality's own routine limit, in kronor (0: not used)."),
)
# a duplicate worth a coordinator's time: groups whose amount at risk is below it are not raised (issue 17)
MATERIALITY = Param(
    Decimal("500"),
    min=Decimal("0"),
    description=_("Smallest amount at risk of a group raised as a hit, in kronor."),
)
# a supplier's standard amounts (issue 17): the same amount on this many invoices is its price list
STANDARD_TIMES = Param(
    3,
    min=0,
    max=1000,
    description=_(
        "Invoices of one amount from one supplier that make it a standard amount (a price list), "
        "left out of the test (0: not used)."
    ),
)
# the standard amounts themselves, for a control's SQL (a CTE named `standard`)
STANDARD_AMOUNTS = f"""{AMOUNT_COUNT},
standard AS (
    -- a supplier's standard amounts: one amount on $standard_times or more invoices is its price list
    -- or a fixed fee, neither chosen to stay under a limit nor a sample of freely arising amounts
    SELECT supplier_id, amount FROM amount_count
    WHERE supplier_id IS NOT NULL AND $standard_times > 0 AND times >= $standard_times
)"""
CONTRACT_EVIDENCE = (
    "supplier_orgnr",
    "valid_from",
    "valid_to",
    "value",
    "procurement",
    "category",
    "board",
    "checked_date",
)


register(
    Control(
        id="INV-DUP-EXACT",
        version=3,
        title=_("Duplicate invoices, exact"),
        rationale=_(
            "Two or more invoices from the same supplier with the same invoice number and the same amount."
        ),
        why=_(
            "A supplier's invoice number identifies one claim, so the same number and amount twice means the "
            "claim was entered twice: a resent paper copy, an invoice arriving both as e-invoice and PDF, or a "
            "deliberate second claim. Example: Bygg & Montage AB (556677-8899) sends invoice 2024-0117 for "
            "48 750 kr in March and again, as 20240117, in April; both are attested and 48 750 kr is paid twice. "
            "A credit note from the supplier that cancels one of them removes the hit."
        ),
        legal_ground=LEGAL_GROUND,
        risk_areas=("Fakturahantering", "Inköp"),
        severity="hög",
        case_type="supplier",
        subject_type="supplier",
        inputs={
            "invoices": ("invoice_id", "supplier_id", "invoice_number", "invoice_date", "amount")
        },
        optional_inputs=("suppliers",),
        params={"min_amount": MATERIALITY},
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
    -- a number Excel mangled, written as a date or without a digit identifies no claim (import flag)
    WHERE i.invoice_number_flag IS NULL
),
{INVOICE_KEY},
credit_notes AS (
    SELECT invoice_id, amount, invoice_date, supplier_key FROM invoice_key WHERE amount < 0
),
dup AS (
    -- identical lines on one date are the lines of one document (a line-level export), not a second
    -- claim: a duplicate is the same number and amount on another date
    SELECT supplier_key, number_norm, amount,
           count(*) AS n,
           count(DISTINCT invoice_date) AS documents,
           min(invoice_date) AS first_date,
           min(supplier_id) AS subject_id,
           min(invoice_number) AS invoice_number,
           min(board) AS board,
           array_to_string(list_sort(list_distinct(list(supplier_name))), ' / ') AS supplier_name,
           list_sort(list(invoice_id)) AS invoice_ids
    FROM inv
    WHERE amount > 0 AND number_norm <> ''
    GROUP BY supplier_key, number_norm, amount
    HAVING count(DISTINCT invoice_date) >= 2
),
credited AS (
    -- credit notes from the same supplier of the opposite amount, dated on or after the first invoice
    SELECT d.supplier_key, d.number_norm, d.amount, list_sort(list(c.invoice_id)) AS credit_note_ids
    FROM dup AS d
    JOIN credit_notes AS c ON c.supplier_key = d.supplier_key AND c.amount = -d.amount AND c.invoice_date >= d.first_date
    GROUP BY d.supplier_key, d.number_norm, d.amount
),
amount_use AS (
    -- how often the supplier bills the amount: three or more other invoices of it make it a price-list
    -- amount, which weakens the evidence (analytics/evidence.py)
    SELECT supplier_key, amount, count(*) AS times FROM inv WHERE amount > 0 GROUP BY supplier_key, amount
)
SELECT 'supplier' AS subject_type,
       d.subject_id,
       d.amount * (d.documents - coalesce(array_length(c.credit_note_ids), 0) - 1) AS amount_at_risk,
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
       d.board,
       -- graded evidence: the same claim on different dates, weaker for a price-list amount
       ['different_dates', CASE WHEN u.times - d.n >= 3 THEN 'standard_amount' END] AS evidence_reasons
FROM dup AS d
LEFT JOIN credited AS c ON c.supplier_key = d.supplier_key AND c.number_norm = d.number_norm AND c.amount = d.amount
LEFT JOIN amount_use AS u ON u.supplier_key = d.supplier_key AND u.amount = d.amount
WHERE d.documents - coalesce(array_length(c.credit_note_ids), 0) >= 2
  AND d.amount * (d.documents - coalesce(array_length(c.credit_note_ids), 0) - 1) >= $min_amount
""",
        explanation={
            "duplicate": _(
                "%(count)s invoices from %(supplier_name)s have the same invoice number %(invoice_number)s "
                "and the same amount, %(amount)s each: %(invoice_ids)s."
            ),
            "partly_credited": _(
                "%(count)s invoices from %(supplier_name)s have the same invoice number "
                "%(invoice_number)s and the same amount, %(amount)s each: %(invoice_ids)s. The credit "
                "notes %(credit_note_ids)s cancel only %(credit_notes)s of them."
            ),
        },
    )
)


register(
    Control(
        id="INV-DUP-FUZZY",
        version=3,
        title=_("Duplicate invoices, similar"),
        rationale=_(
            "Two invoices with the same amount from the same supplier, or from two supplier records that "
            "share an organisation number, a bank account or a name, whose invoice numbers are the same once "
            "look-alike characters are read alike, differ by two swapped characters or by a short added "
            "prefix or suffix; or two invoices from the same supplier with the same amount and date."
        ),
        why=_(
            "A duplicate claim rarely comes back character for character: the number is retyped from paper "
            "(O for 0, B for 8), two digits are swapped, a suffix such as -1 or A is added, or the same invoice "
            "is sent under a second supplier record. Exact comparison misses all of these. Example: Österlens "
            "Elteknik AB's invoice B10457 for 17 950,40 kr in April is entered again as 810457 in May, and both "
            "are paid. Recurring invoices such as rent with consecutive numbers on different dates, and a "
            "duplicate cancelled by a credit note from the supplier, are not hits."
        ),
        legal_ground=LEGAL_GROUND,
        risk_areas=("Fakturahantering", "Inköp", "Uppläggning av leverantörer"),
        severity="hög",
        case_type="supplier",
        subject_type="supplier",
        inputs={
            "invoices": ("invoice_id", "supplier_id", "invoice_number", "invoice_date", "amount")
        },
        optional_inputs=("suppliers", "supplier_accounts"),
        params={
            "window_days": Param(
                90,
                min=1,
                max=730,
                description=_("Largest number of days between the two invoice dates."),
            ),
            "min_amount": MATERIALITY,
        },
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
           -- a number Excel mangled, written as a date or without a digit is not compared (import flag)
           CASE WHEN i.invoice_number_flag IS NULL THEN {NUMBER_FUZZY.format(col="i.invoice_number")} END
               AS number_fuzzy
    FROM invoices AS i
    LEFT JOIN supplier_key AS k ON k.supplier_id = i.supplier_id
    WHERE i.invoice_id IN (SELECT a_id FROM pairs UNION SELECT b_id FROM pairs)
),
{INVOICE_KEY},
amount_use AS (
    -- how often each supplier identity bills each amount: an amount billed three or more times is
    -- its price list, and the same such amount on one day is the supplier's normal pattern
    SELECT supplier_key, amount, count(*) AS times
    FROM invoice_key
    WHERE amount > 0
    GROUP BY supplier_key, amount
),
busy_days AS (
    -- days on which a supplier identity billed one amount twice or more: for a supplier that does so
    -- on other days too, two invoices of one amount on one day are its normal rhythm (many identical
    -- items in one run), not a second claim
    SELECT supplier_key, count(DISTINCT invoice_date) AS days
    FROM (SELECT supplier_key, invoice_date, amount
          FROM invoice_key
          WHERE amount > 0
          GROUP BY supplier_key, invoice_date, amount
          HAVING count(*) >= 2) AS d
    GROUP BY supplier_key
),
credits AS (
    -- the newest credit note per supplier identity and amount it cancels
    SELECT supplier_key, -amount AS amount, max(invoice_date) AS last_credit_date
    FROM invoice_key
    WHERE amount < 0
    GROUP BY supplier_key, -amount
),
matched AS (
    SELECT a.supplier_id AS a_supplier, b.supplier_id AS b_supplier, a.invoice_id AS a_id, b.invoice_id AS b_id,
           a.invoice_number AS number_a, b.invoice_number AS number_b,
           a.invoice_date AS date_a, b.invoice_date AS date_b, a.amount, a.board,
           a.supplier_key AS key_a, b.supplier_key AS key_b, u.times AS amount_times,
           CASE WHEN a.supplier_name = b.supplier_name THEN a.supplier_name
                ELSE a.supplier_name || ' / ' || b.supplier_name END AS supplier_name,
           -- the same number on the same date: lines of one document (a line-level export), no claim twice
           CASE WHEN a.invoice_number = b.invoice_number AND a.invoice_date = b.invoice_date THEN NULL
                WHEN a.number_fuzzy <> '' AND a.number_fuzzy = b.number_fuzzy THEN 'same_number'
                WHEN length(a.number_fuzzy) = length(b.number_fuzzy)
                     AND len({_DIFFERING}) = 2 AND len({_SWAPPED}) = 1 THEN 'transposed'
                WHEN least(length(a.number_fuzzy), length(b.number_fuzzy)) >= 4
                     AND abs(length(a.number_fuzzy) - length(b.number_fuzzy)) BETWEEN 1 AND 3
                     AND (starts_with(a.number_fuzzy, b.number_fuzzy) OR ends_with(a.number_fuzzy, b.number_fuzzy)
                          OR starts_with(b.number_fuzzy, a.number_fuzzy) OR ends_with(b.number_fuzzy, a.number_fuzzy))
                     THEN 'extended'
                WHEN a.supplier_key = b.supplier_key AND a.invoice_date = b.invoice_date AND u.times = 2
                     AND bd.days = 1 THEN 'same_day'
           END AS explanation_key,
           -- recurring invoices (rent, licences) and many identical items of one payment run: consecutive
           -- numbers, on different dates or on one
           coalesce(abs(try_cast(a.number_fuzzy AS BIGINT) - try_cast(b.number_fuzzy AS BIGINT)) = 1,
                    false) AS recurring
    FROM pairs AS p
    JOIN inv AS a ON a.invoice_id = p.a_id
    JOIN inv AS b ON b.invoice_id = p.b_id
    LEFT JOIN amount_use AS u ON u.supplier_key = a.supplier_key AND u.amount = a.amount
    LEFT JOIN busy_days AS bd ON bd.supplier_key = a.supplier_key
),
kept AS (
    SELECT m.*, least(m.a_supplier, m.b_supplier) AS subject_id,
           -- the pair the sentence describes: the strongest evidence first
           row_number() OVER (PARTITION BY least(m.a_supplier, m.b_supplier), m.amount
                              ORDER BY CASE m.explanation_key WHEN 'same_number' THEN 1 WHEN 'transposed' THEN 2
                                                              WHEN 'extended' THEN 3 ELSE 4 END,
                                       m.a_id, m.b_id) AS rank
    FROM matched AS m
    LEFT JOIN credits AS ca ON ca.supplier_key = m.key_a AND ca.amount = m.amount
    LEFT JOIN credits AS cb ON cb.supplier_key = m.key_b AND cb.amount = m.amount
    WHERE m.explanation_key IS NOT NULL
      AND NOT m.recurring
      -- a credit note of the same amount from either supplier, dated on or after the earlier invoice
      AND coalesce(ca.last_credit_date >= least(m.date_a, m.date_b), false) = false
      AND coalesce(cb.last_credit_date >= least(m.date_a, m.date_b), false) = false
),
members AS (
    -- one hit per supplier and amount: every invoice of its matching pairs, never one hit per pair
    SELECT subject_id, amount, list_sort(list(DISTINCT invoice_id)) AS invoice_ids
    FROM (SELECT subject_id, amount, a_id AS invoice_id FROM kept
          UNION ALL SELECT subject_id, amount, b_id AS invoice_id FROM kept) AS x
    GROUP BY subject_id, amount
)
SELECT 'supplier' AS subject_type,
       k.subject_id,
       k.amount * (array_length(g.invoice_ids) - 1) AS amount_at_risk,
       list_transform(g.invoice_ids, lambda x: 'invoices:' || x) AS evidence_keys,
       k.explanation_key,
       k.supplier_name,
       k.number_a,
       k.number_b,
       k.date_a,
       k.date_b,
       k.amount,
       k.board,
       -- graded evidence (analytics/evidence.py) of the pair the sentence describes, and of the group
       [CASE WHEN k.explanation_key IN ('transposed', 'extended')
                  OR (k.explanation_key = 'same_number' AND k.number_a <> k.number_b) THEN 'rekeyed' END,
        CASE WHEN k.date_a <> k.date_b THEN 'different_dates' ELSE 'same_day' END,
        CASE WHEN k.amount_times - array_length(g.invoice_ids) >= 3 THEN 'standard_amount' END] AS evidence_reasons
FROM kept AS k
JOIN members AS g ON g.subject_id = k.subject_id AND g.amount = k.amount
WHERE k.rank = 1 AND k.amount * (array_length(g.invoice_ids) - 1) >= $min_amount
""",
        explanation={
            "same_number": _(
                "Invoices %(number_a)s (%(date_a)s) and %(number_b)s (%(date_b)s) from %(supplier_name)s "
                "have the same amount, %(amount)s, and the same number once look-alike characters, "
                "punctuation and leading zeros are disregarded."
            ),
            "transposed": _(
                "Invoices %(number_a)s (%(date_a)s) and %(number_b)s (%(date_b)s) from %(supplier_name)s "
                "have the same amount, %(amount)s, and numbers that differ only by two swapped "
                "neighbouring characters."
            ),
            "extended": _(
                "Invoices %(number_a)s (%(date_a)s) and %(number_b)s (%(date_b)s) from %(supplier_name)s "
                "have the same amount, %(amount)s, and one number is the other with a short prefix or "
                "suffix added."
            ),
            "same_day": _(
                "Invoices %(number_a)s and %(number_b)s from %(supplier_name)s have the same amount, "
                "%(amount)s, and the same invoice date, %(date_a)s."
            ),
        },
    )
)


register(
    Control(
        id="INV-SPLIT",
        version=1,
        title=_("Split purchases"),
        rationale=_(
            "Invoices from one supplier to one board without a contract, each below the direct-procurement "
            "limit, that together exceed it within a rolling window; the municipality's lower routine limit "
            "raises the same hit with medium severity."
        ),
        why=_(
            "Splitting a purchase into several orders keeps each below the limit where it must be procured, and "
            "the procurement act adds purchases of the same kind together for exactly this reason. Example: Hedby "
            "Markarbeten AB sends the technical board four invoices between 5 and 28 May 2025, each about "
            "200 000 kr and together 776 687 kr, without any contract."
        ),
        legal_ground=PROCUREMENT_LAW,
        risk_areas=("Inköp", "Upphandling"),
        severity="hög",
        case_type="supplier",
        subject_type="supplier",
        inputs={"invoices": ("invoice_id", "supplier_id", "invoice_date", "amount", "board")},
        optional_inputs=("suppliers",),
        params={
            "window_days": Param(
                30, min=1, max=365, description=_("Length of the rolling window, in days.")
            ),
            "limit": LIMIT,
            "routine_limit": ROUTINE_LIMIT,
        },
        evidence={"invoices": INVOICE_EVIDENCE},
        sql="""
WITH inv AS (
    SELECT invoice_id, supplier_id, board, invoice_date, amount
    FROM invoices
    WHERE amount > 0 AND amount < $limit AND (contract_id IS NULL OR trim(contract_id) = '')
),
windows AS (
    -- every invoice opens a window holding the same supplier's and board's invoices dated from it
    -- up to window_days later (a window frame over the day number); the routine tier counts only
    -- invoices below the routine limit
    SELECT invoice_id AS anchor, supplier_id, board, invoice_date,
           count(*) OVER (PARTITION BY supplier_id, board ORDER BY day RANGE BETWEEN CURRENT ROW AND $window_days FOLLOWING) AS n_all,
           sum(amount) OVER (PARTITION BY supplier_id, board ORDER BY day RANGE BETWEEN CURRENT ROW AND $window_days FOLLOWING) AS total_all,
           sum(CASE WHEN amount < $routine_limit THEN 1 ELSE 0 END) OVER (PARTITION BY supplier_id, board ORDER BY day RANGE BETWEEN CURRENT ROW AND $window_days FOLLOWING) AS n_small,
           sum(CASE WHEN amount < $routine_limit THEN amount ELSE 0 END) OVER (PARTITION BY supplier_id, board ORDER BY day RANGE BETWEEN CURRENT ROW AND $window_days FOLLOWING) AS total_small
    FROM (SELECT *, date_diff('day', DATE '2000-01-01', invoice_date) AS day FROM inv WHERE board IS NOT NULL) AS d
),
tiers AS (
    SELECT anchor, supplier_id, board, invoice_date, 1 AS tier, total_all AS total
    FROM windows WHERE n_all >= 2 AND total_all > $limit
    UNION ALL
    SELECT anchor, supplier_id, board, invoice_date, 2 AS tier, total_small AS total
    FROM windows WHERE $routine_limit > 0 AND n_small >= 2 AND total_small > $routine_limit
),
over AS (
    -- the windows of the highest tier reached by the supplier and board
    SELECT t.* FROM tiers AS t
    JOIN (SELECT supplier_id, board, min(tier) AS top FROM tiers GROUP BY supplier_id, board) AS b
      ON b.supplier_id = t.supplier_id AND b.board = t.board AND t.tier = b.top
),
largest AS (
    SELECT supplier_id, board, max(total) AS largest_window FROM over GROUP BY supplier_id, board
),
flagged AS (
    -- the invoices in those windows, each once
    SELECT DISTINCT o.supplier_id, o.board, CASE WHEN o.tier = 1 THEN 'limit' ELSE 'routine_limit' END AS tier,
           l.largest_window, i.invoice_id, i.invoice_date, i.amount
    FROM over AS o
    JOIN largest AS l ON l.supplier_id = o.supplier_id AND l.board = o.board
    JOIN inv AS i ON i.supplier_id = o.supplier_id AND i.board = o.board
                 AND i.invoice_date BETWEEN o.invoice_date AND o.invoice_date + $window_days
                 AND (o.tier = 1 OR i.amount < $routine_limit)
)
SELECT 'supplier' AS subject_type,
       f.supplier_id AS subject_id,
       sum(f.amount) AS amount_at_risk,
       list_sort(list('invoices:' || f.invoice_id)) AS evidence_keys,
       f.tier AS explanation_key,
       CASE WHEN f.tier = 'limit' THEN 'hög' ELSE 'medel' END AS severity,
       coalesce(s.name, f.supplier_id) AS supplier_name,
       f.board,
       count(*) AS invoices,
       sum(f.amount) AS total,
       f.largest_window,
       min(f.invoice_date) AS first_date,
       max(f.invoice_date) AS last_date,
       CASE WHEN f.tier = 'limit' THEN $limit ELSE $routine_limit END AS threshold
FROM flagged AS f
LEFT JOIN suppliers AS s ON s.supplier_id = f.supplier_id
GROUP BY f.supplier_id, s.name, f.board, f.tier, f.largest_window
""",
        explanation={
            "limit": _(
                "%(supplier_name)s invoiced %(board)s %(invoices)s times without a contract between "
                "%(first_date)s and %(last_date)s, each below %(threshold)s but %(largest_window)s within one "
                "window."
            ),
            "routine_limit": _(
                "%(supplier_name)s invoiced %(board)s %(invoices)s times without a contract between "
                "%(first_date)s and %(last_date)s, each below the routine limit %(threshold)s but "
                "%(largest_window)s within one window."
            ),
        },
    )
)


register(
    Control(
        id="INV-NO-CONTRACT",
        version=1,
        title=_("Purchases without a contract"),
        rationale=_(
            "A supplier whose invoices without a contract add up, within one calendar year, to more than the "
            "direct-procurement limit."
        ),
        why=_(
            "Above the limit a purchase must be procured; a supplier paid more than that in a year without any "
            "contract has been bought from unlawfully, whatever the reason, and the lack of a contract means that "
            "prices and deliveries were never agreed in writing. Example: Ekeby Konsult AB invoices the building "
            "board about 68 000 kr a month in 2025, 748 000 kr in the year, without a contract."
        ),
        legal_ground=PROCUREMENT_LAW,
        risk_areas=("Inköp", "Upphandling"),
        severity="medel",
        case_type="supplier",
        subject_type="supplier",
        inputs={"invoices": ("invoice_id", "supplier_id", "invoice_date", "amount")},
        optional_inputs=("suppliers", "contracts"),
        params={"limit": LIMIT},
        evidence={"invoices": INVOICE_EVIDENCE},
        sql=f"""
WITH {SUPPLIER_KEY},
inv AS (
    -- without contract: no contract_id, and no contract with the supplier's organisation number
    -- valid on the invoice date
    SELECT i.invoice_id, i.supplier_id, i.invoice_date, i.amount, CAST(year(i.invoice_date) AS VARCHAR) AS year,
           coalesce(k.supplier_key, 'supplier:' || i.supplier_id) AS supplier_key
    FROM invoices AS i
    LEFT JOIN supplier_key AS k ON k.supplier_id = i.supplier_id
    LEFT JOIN suppliers AS s ON s.supplier_id = i.supplier_id
    WHERE (i.contract_id IS NULL OR trim(i.contract_id) = '')
      AND NOT EXISTS (SELECT 1 FROM contracts AS c
                      WHERE s.orgnr_valid AND c.supplier_orgnr = s.orgnr AND c.valid_from <= i.invoice_date
                        AND (c.valid_to IS NULL OR c.valid_to >= i.invoice_date))
)
SELECT 'supplier' AS subject_type,
       min(i.supplier_id) AS subject_id,
       sum(i.amount) - $limit AS amount_at_risk,
       list_sort(list('invoices:' || i.invoice_id)) AS evidence_keys,
       coalesce(min(s.name), min(i.supplier_id)) AS supplier_name,
       i.year,
       sum(i.amount) AS total,
       count(*) AS invoices,
       $limit AS threshold
FROM inv AS i
LEFT JOIN suppliers AS s ON s.supplier_id = i.supplier_id
GROUP BY i.supplier_key, i.year
HAVING sum(i.amount) > $limit
""",
        explanation=_(
            "%(supplier_name)s was paid %(total)s in %(year)s for invoices without a contract (number of "
            "invoices: %(invoices)s), more than the direct-procurement limit %(threshold)s."
        ),
    )
)


register(
    Control(
        id="INV-NO-CHECK",
        version=1,
        title=_("Contract with an unchecked counterparty"),
        rationale=_(
            "A contract, or a direct purchase without contract, above the routine limit, where the supplier "
            "was not checked (F-tax, VAT, debts, register status) on or before the contract's start or the "
            "invoice date."
        ),
        why=_(
            "The check of a counterparty is worth something only before the municipality binds itself; a check "
            "made months after the contract was signed, or never, lets a company with tax debts or without F-tax "
            "win business. Example: Glimåkra Bygg AB's contract of 1 450 000 kr starts on 1 February 2025, and the "
            "first check of the company is dated 10 April."
        ),
        legal_ground=_(
            "Public Procurement Act (2016:1145) ch. 13 (exclusion of suppliers); the municipality's "
            "routine for checking suppliers."
        ),
        risk_areas=("Upphandling", "Inköp", "Uppläggning av leverantörer"),
        severity="medel",
        case_type="supplier",
        subject_type="supplier",
        inputs={"suppliers": ("supplier_id", "orgnr")},
        optional_inputs=("contracts", "invoices", "supplier_status"),
        params={
            "routine_limit": Param(
                Decimal("100000"),
                min=Decimal("0"),
                description=_(
                    "Contracts and direct purchases above this amount, in kronor, "
                    "must be preceded by a check."
                ),
            )
        },
        evidence={
            "contracts": CONTRACT_EVIDENCE,
            "invoices": INVOICE_EVIDENCE,
            "suppliers": SUPPLIER_EVIDENCE,
        },
        sql="""
WITH sup AS (
    SELECT orgnr, min(supplier_id) AS supplier_id, min(name) AS name
    FROM suppliers WHERE orgnr_valid GROUP BY orgnr
),
first_check AS (
    SELECT orgnr, min(checked_date) AS first_checked FROM supplier_status GROUP BY orgnr
),
by_contract AS (
    SELECT 'supplier' AS subject_type, s.supplier_id AS subject_id, c.value AS amount_at_risk,
           ['contracts:' || c.contract_id, 'suppliers:' || s.supplier_id] AS evidence_keys,
           CASE WHEN f.first_checked IS NULL THEN 'contract_never' ELSE 'contract_late' END AS explanation_key,
           s.name AS supplier_name, c.contract_id AS reference, c.valid_from AS start_date, c.value AS amount,
           f.first_checked
    FROM contracts AS c
    JOIN sup AS s ON s.orgnr = c.supplier_orgnr
    LEFT JOIN first_check AS f ON f.orgnr = c.supplier_orgnr
    WHERE c.value > $routine_limit AND (f.first_checked IS NULL OR f.first_checked > c.valid_from)
),
direct AS (
    -- direct purchases: invoices without contract above the routine limit
    SELECT i.supplier_id, i.invoice_id, i.invoice_date, i.amount, s.orgnr, s.name
    FROM invoices AS i
    JOIN suppliers AS s ON s.supplier_id = i.supplier_id
    WHERE i.amount > $routine_limit AND (i.contract_id IS NULL OR trim(i.contract_id) = '')
),
by_invoice AS (
    SELECT 'supplier' AS subject_type, d.supplier_id AS subject_id, sum(d.amount) AS amount_at_risk,
           list_concat(list_sort(list('invoices:' || d.invoice_id)), ['suppliers:' || d.supplier_id]) AS evidence_keys,
           CASE WHEN min(f.first_checked) IS NULL THEN 'direct_never' ELSE 'direct_late' END AS explanation_key,
           min(d.name) AS supplier_name, min(d.invoice_id) AS reference, min(d.invoice_date) AS start_date,
           sum(d.amount) AS amount, min(f.first_checked) AS first_checked
    FROM direct AS d
    LEFT JOIN first_check AS f ON f.orgnr = d.orgnr
    WHERE f.first_checked IS NULL OR f.first_checked > d.invoice_date
    GROUP BY d.supplier_id
)
SELECT subject_type, subject_id, amount_at_risk, evidence_keys, explanation_key, supplier_name, reference,
       start_date, amount, first_checked
FROM (SELECT * FROM by_contract UNION ALL SELECT * FROM by_invoice) AS hits
""",
        explanation={
            "contract_late": _(
                "Contract %(reference)s with %(supplier_name)s, worth %(amount)s, started on "
                "%(start_date)s; the supplier was first checked on %(first_checked)s."
            ),
            "contract_never": _(
                "Contract %(reference)s with %(supplier_name)s, worth %(amount)s, started on "
                "%(start_date)s; the supplier has never been checked."
            ),
            "direct_late": _(
                "%(supplier_name)s was bought from without a contract for %(amount)s from %(start_date)s; "
                "the supplier was first checked on %(first_checked)s."
            ),
            "direct_never": _(
                "%(supplier_name)s was bought from without a contract for %(amount)s from "
                "%(start_date)s; the supplier has never been checked."
            ),
        },
    )
)


register(
    Control(
        id="INV-SEQ",
        version=1,
        title=_("Consecutive invoice numbers"),
        rationale=_(
            "A supplier whose invoices to the municipality, in date order, carry consecutive numbers over a "
            "long run: the municipality looks like its only customer."
        ),
        why=_(
            "A company with many customers numbers its invoices in one series for all of them, so the "
            "municipality sees gaps. When every invoice is the previous one plus one, the company sells to no one "
            "else, which fits a company set up to invoice the municipality, or one owned by someone inside it. "
            "Example: Bergsjö Fastighetsservice AB's ten invoices in 2025 are numbered 1001 to 1010. A supplier "
            "with a monthly rent series beside its other invoices is not a hit."
        ),
        legal_ground=_(
            "Local Government Act (2017:725) ch. 6 sec. 6; a pattern for the analyst, not proof of "
            "anything on its own."
        ),
        risk_areas=("Fakturahantering", "Inköp"),
        severity="låg",
        case_type="supplier",
        subject_type="supplier",
        inputs={
            "invoices": ("invoice_id", "supplier_id", "invoice_number", "invoice_date", "amount")
        },
        optional_inputs=("suppliers",),
        params={
            "min_invoices": Param(
                6, min=3, max=1000, description=_("Fewest invoices examined per supplier.")
            ),
            "min_share": Param(
                Decimal("0.8"),
                min=Decimal("0"),
                max=Decimal("1"),
                description=_("Smallest share of invoices that follow the previous one by one."),
            ),
        },
        evidence={"invoices": INVOICE_EVIDENCE},
        sql=f"""
WITH inv AS (
    SELECT invoice_id, supplier_id, invoice_date,
           try_cast(nullif({NUMBER_NORM.format(col="invoice_number")}, '') AS BIGINT) AS number_value
    FROM invoices
    WHERE amount > 0
),
ordered AS (
    SELECT supplier_id, number_value,
           lag(number_value) OVER (PARTITION BY supplier_id ORDER BY invoice_date, number_value, invoice_id)
               AS previous_value
    FROM inv
),
per_supplier AS (
    SELECT supplier_id, count(*) AS invoices,
           sum(CASE WHEN number_value = previous_value + 1 THEN 1 ELSE 0 END) AS consecutive
    FROM ordered
    GROUP BY supplier_id
),
flagged AS (
    SELECT * FROM per_supplier
    WHERE invoices >= $min_invoices AND consecutive >= $min_share * (invoices - 1)
),
evidence AS (
    -- the invoice list and the first and last number only for the suppliers flagged
    SELECT i.supplier_id, list_sort(list('invoices:' || i.invoice_id)) AS evidence_keys,
           min(i.invoice_number) AS first_number, max(i.invoice_number) AS last_number
    FROM invoices AS i JOIN flagged AS f ON f.supplier_id = i.supplier_id
    WHERE i.amount > 0
    GROUP BY i.supplier_id
)
SELECT 'supplier' AS subject_type,
       p.supplier_id AS subject_id,
       CAST(0 AS DECIMAL(18,2)) AS amount_at_risk,
       e.evidence_keys,
       coalesce(s.name, p.supplier_id) AS supplier_name,
       p.invoices,
       CAST(p.consecutive + 1 AS BIGINT) AS in_sequence,
       e.first_number,
       e.last_number
FROM flagged AS p
JOIN evidence AS e ON e.supplier_id = p.supplier_id
LEFT JOIN suppliers AS s ON s.supplier_id = p.supplier_id
""",
        explanation=_(
            "%(in_sequence)s of %(supplier_name)s's %(invoices)s invoices follow each other by number "
            "(%(first_number)s to %(last_number)s): the municipality may be its only customer."
        ),
    )
)


register(
    Control(
        id="INV-ROUND",
        version=2,
        title=_("Round amounts and amounts just below a limit"),
        rationale=_(
            "A supplier with a large share of invoices in whole thousands of kronor, and invoices just below "
            "the direct-procurement limit or the routine limit (90–100 % of it) that are not one of the "
            "supplier's standard amounts."
        ),
        why=_(
            "Real prices, hours and VAT give amounts with odd kronor and öre; invented invoices are often round. An "
            "amount just below a limit is chosen to avoid the procurement or the extra check that the limit "
            "triggers. Example: Högby Entreprenad AB invoices 689 450,20 kr, 98 % of the 700 000 kr limit. "
            "An amount the supplier bills on three or more invoices is its standard amount (a price list, "
            "a monthly fee) and is not taken as chosen under a limit."
        ),
        legal_ground=PROCUREMENT_LAW,
        risk_areas=("Fakturahantering", "Inköp", "Upphandling"),
        severity="låg",
        case_type="supplier",
        subject_type="supplier",
        inputs={"invoices": ("invoice_id", "supplier_id", "amount")},
        optional_inputs=("suppliers",),
        params={
            "min_invoices": Param(
                10,
                min=1,
                max=10000,
                description=_("Fewest invoices per supplier for the share of round amounts."),
            ),
            "min_round_share": Param(
                Decimal("0.3"),
                min=Decimal("0"),
                max=Decimal("1"),
                description=_("Smallest share of whole thousands that raises a hit."),
            ),
            "limit": LIMIT,
            "routine_limit": ROUTINE_LIMIT,
            "standard_times": STANDARD_TIMES,
        },
        evidence={"invoices": INVOICE_EVIDENCE},
        sql=f"""
WITH inv AS (
    SELECT invoice_id, supplier_id, invoice_number, invoice_date, amount
    FROM invoices
    WHERE amount > 0
),
{STANDARD_AMOUNTS},
round_share AS (
    SELECT 'supplier' AS subject_type, i.supplier_id AS subject_id, CAST(0 AS DECIMAL(18,2)) AS amount_at_risk,
           list_sort(list('invoices:' || i.invoice_id)) AS evidence_keys, 'round_share' AS explanation_key,
           coalesce(min(s.name), i.supplier_id) AS supplier_name, count(*) AS invoices,
           CAST(sum(CASE WHEN i.amount % 1000 = 0 THEN 1 ELSE 0 END) AS BIGINT) AS round_invoices,
           CAST(NULL AS VARCHAR) AS invoice_number, CAST(NULL AS DECIMAL(18,2)) AS amount,
           CAST(NULL AS DECIMAL(18,2)) AS threshold
    FROM inv AS i LEFT JOIN suppliers AS s ON s.supplier_id = i.supplier_id
    GROUP BY i.supplier_id
    HAVING count(*) >= $min_invoices
       AND sum(CASE WHEN i.amount % 1000 = 0 THEN 1 ELSE 0 END) >= $min_round_share * count(*)
),
below_limit AS (
    SELECT 'supplier' AS subject_type, i.supplier_id AS subject_id, i.amount AS amount_at_risk,
           ['invoices:' || i.invoice_id] AS evidence_keys, 'below_limit' AS explanation_key,
           coalesce(s.name, i.supplier_id) AS supplier_name, CAST(1 AS BIGINT) AS invoices,
           CAST(0 AS BIGINT) AS round_invoices,
           i.invoice_number, i.amount,
           CASE WHEN i.amount >= 0.9 * $limit THEN $limit ELSE $routine_limit END AS threshold
    FROM inv AS i LEFT JOIN suppliers AS s ON s.supplier_id = i.supplier_id
    -- the supplier's standard amounts are left out of the band
    LEFT JOIN standard AS st ON st.supplier_id = i.supplier_id AND st.amount = i.amount
    WHERE st.supplier_id IS NULL
      AND ((i.amount >= 0.9 * $limit AND i.amount < $limit)
           OR ($routine_limit > 0 AND i.amount >= 0.9 * $routine_limit AND i.amount < $routine_limit))
)
SELECT subject_type, subject_id, amount_at_risk, evidence_keys, explanation_key, supplier_name, invoices,
       round_invoices, invoice_number, amount, threshold
FROM (SELECT * FROM round_share UNION ALL SELECT * FROM below_limit) AS hits
""",
        explanation={
            "round_share": _(
                "%(round_invoices)s of %(supplier_name)s's %(invoices)s invoices are in whole thousands of "
                "kronor."
            ),
            "below_limit": _(
                "Invoice %(invoice_number)s from %(supplier_name)s is for %(amount)s, just below the limit "
                "of %(threshold)s."
            ),
        },
    )
)


# Nigrini (2012), table 7.1: mean absolute deviation limits for the first-two-digits and first-digit tests.
# Nigrini's limits assume large data sets: 385 amounts that follow Benford's law exactly in
# distribution still show a MAD of about 0.004 from sampling alone, far above 0.0022. A group is
# therefore nonconforming only when its MAD also exceeds noise_factor times the MAD expected from
# sampling at its size (for 185 083 amounts that is 0.00018, so Nigrini's verdicts stand).
register(
    Control(
        id="INV-BENFORD",
        version=2,
        title=_("Deviation from Benford's law"),
        rationale=_(
            "The first two digits of a supplier's or a board's invoice amounts compared with Benford's law: "
            "the mean absolute deviation above Nigrini's limit for nonconformity. A diagnostic for the analyst, "
            "never a case on its own. Small groups deviate by chance, so the deviation must also clearly exceed what "
            "chance gives a group of that size. A supplier's standard amounts (one amount on three or more "
            "invoices: a price list, a fixed fee) are left out of its test."
        ),
        why=_(
            "In amounts that arise naturally, low first digits are more common than high ones in a known "
            "proportion (Benford's law). Invented amounts, amounts kept under a limit or split purchases crowd a "
            "few digit pairs and break the pattern. Example: Sydkust Konsultgrupp AB's 320 invoices all lie "
            "between 40 000 and 49 999 kr, so the digit pairs 40–49 hold everything."
        ),
        legal_ground=_(
            "Local Government Act (2017:725) ch. 6 sec. 6; Nigrini, Benford's Law (Wiley 2012), "
            "ch. 7 for the limits."
        ),
        risk_areas=("Fakturahantering",),
        severity="låg",
        case_type="supplier",
        subject_type="supplier",
        inputs={"invoices": ("invoice_id", "supplier_id", "amount")},
        optional_inputs=("suppliers",),
        params={
            "min_invoices": Param(
                300,
                min=50,
                max=1000000,
                description=_("Fewest invoices per supplier or board for the test."),
            ),
            "max_mad": Param(
                Decimal("0.0022"),
                min=Decimal("0"),
                max=Decimal("1"),
                description=_(
                    "Mean absolute deviation of the first-two-digits test above which the "
                    "amounts are nonconforming (Nigrini: 0.0022)."
                ),
            ),
            "max_mad_first": Param(
                Decimal("0.015"),
                min=Decimal("0"),
                max=Decimal("1"),
                description=_(
                    "Nonconformity limit of the first-digit test, shown beside it (Nigrini: 0.015)."
                ),
            ),
            "noise_factor": Param(
                Decimal("1.5"),
                min=Decimal("0"),
                max=Decimal("10"),
                description=_(
                    "How many times the deviation that chance alone gives a group of "
                    "this size the deviation must also exceed."
                ),
            ),
            "standard_times": STANDARD_TIMES,
        },
        evidence={"suppliers": SUPPLIER_EVIDENCE},
        sql=f"""
WITH {STANDARD_AMOUNTS},
digits AS (
    -- the first two significant digits, read from the exact decimal (0.05 -> 50, 1 234,50 -> 12)
    SELECT i.supplier_id, i.board, st.supplier_id IS NOT NULL AS standard,
           CAST(substr(rpad(ltrim(replace(CAST(i.amount AS VARCHAR), '.', ''), '0'), 2, '0'), 1, 2) AS INTEGER) AS d2
    FROM invoices AS i
    LEFT JOIN standard AS st ON st.supplier_id = i.supplier_id AND st.amount = i.amount
    WHERE i.amount > 0
),
groups AS (
    -- a supplier's standard amounts are its price list, not amounts that arise freely: left out of its
    -- test (a board's test keeps every amount)
    SELECT 'supplier' AS subject_type, supplier_id AS subject_id, d2 FROM digits
    WHERE supplier_id IS NOT NULL AND NOT standard
    UNION ALL
    SELECT 'board' AS subject_type, board AS subject_id, d2 FROM digits WHERE board IS NOT NULL AND board <> ''
),
sizes AS (
    SELECT subject_type, subject_id, count(*) AS n FROM groups GROUP BY subject_type, subject_id
    HAVING count(*) >= $min_invoices
),
two AS (
    SELECT g.subject_type, g.subject_id, g.d2, count(*) / max(s.n) AS observed, log10(1 + 1 / g.d2) AS expected
    FROM groups AS g JOIN sizes AS s ON s.subject_type = g.subject_type AND s.subject_id = g.subject_id
    GROUP BY g.subject_type, g.subject_id, g.d2
),
one AS (
    SELECT g.subject_type, g.subject_id, g.d2 // 10 AS d1, count(*) / max(s.n) AS observed,
           log10(1 + 1 / (g.d2 // 10)) AS expected
    FROM groups AS g JOIN sizes AS s ON s.subject_type = g.subject_type AND s.subject_id = g.subject_id
    GROUP BY g.subject_type, g.subject_id, g.d2 // 10
),
-- the mean absolute deviation over all 90 (9) digit groups: an unseen group deviates by its expected share
mad2 AS (
    SELECT subject_type, subject_id, (sum(abs(observed - expected) - expected) + 1) / 90 AS mad,
           max_by(d2, abs(observed - expected)) AS worst_digits
    FROM two GROUP BY subject_type, subject_id
),
noise AS (
    -- the MAD that sampling alone gives n amounts that do follow Benford's law:
    -- sum over the 90 groups of sqrt(2 p (1 - p) / (pi n)), divided by 90, where
    -- sum(sqrt(p (1 - p))) = 8.950196926823658
    SELECT subject_type, subject_id, n, 8.950196926823658 / 90 * sqrt(2 / (pi() * n)) AS expected_mad
    FROM sizes
),
mad1 AS (
    SELECT subject_type, subject_id, (sum(abs(observed - expected) - expected) + 1) / 9 AS mad
    FROM one GROUP BY subject_type, subject_id
)
SELECT m.subject_type,
       m.subject_id,
       CAST(0 AS DECIMAL(18,2)) AS amount_at_risk,
       CASE WHEN m.subject_type = 'supplier' THEN ['suppliers:' || m.subject_id]
            ELSE ['boards:' || m.subject_id] END AS evidence_keys,
       m.subject_type AS explanation_key,
       coalesce(sp.name, m.subject_id) AS name,
       s.n AS invoices,
       round(m.mad, 6) AS mad,
       round(f.mad, 6) AS mad_first,
       m.worst_digits,
       CASE WHEN f.mad > $max_mad_first THEN 'nonconforming' ELSE 'acceptable' END AS first_digit_verdict
FROM mad2 AS m
JOIN mad1 AS f ON f.subject_type = m.subject_type AND f.subject_id = m.subject_id
JOIN noise AS s ON s.subject_type = m.subject_type AND s.subject_id = m.subject_id
LEFT JOIN suppliers AS sp ON m.subject_type = 'supplier' AND sp.supplier_id = m.subject_id
WHERE m.mad > $max_mad AND m.mad > $noise_factor * s.expected_mad
""",
        explanation={
            "supplier": _(
                "The first two digits of %(name)s's %(invoices)s invoice amounts deviate from Benford's law: "
                "mean absolute deviation %(mad)s (nonconforming above 0.0022), most at %(worst_digits)s. The "
                "first-digit test gives %(mad_first)s."
            ),
            "board": _(
                "The first two digits of the %(invoices)s invoice amounts of %(name)s deviate from Benford's "
                "law: mean absolute deviation %(mad)s (nonconforming above 0.0022), most at %(worst_digits)s. "
                "The first-digit test gives %(mad_first)s."
            ),
        },
    )
)


register(
    Control(
        id="INV-SAME-NO-OTHER-SUPPLIER",
        version=3,
        title=_("Same invoice number, another supplier"),
        rationale=_(
            "The same invoice number, at least five characters long, and the same amount on invoices from "
            "two different supplier records."
        ),
        why=_(
            "Two suppliers do not number their invoices alike, so one number and one amount under two supplier "
            "records means that one claim was entered twice, that a fraudster copied a real invoice under a "
            "supplier record he controls, or that one company has two records. Example: invoice 204417 for "
            "31 250,40 kr from Rosendal Konsult AB in April, and invoice 204417 for the same amount from Vargby "
            "Konsultgrupp AB two weeks later. An invoice cancelled by a credit note from its supplier is not "
            "counted."
        ),
        legal_ground=LEGAL_GROUND,
        risk_areas=("Fakturahantering", "Uppläggning av leverantörer"),
        severity="hög",
        case_type="supplier",
        subject_type="supplier",
        inputs={
            "invoices": ("invoice_id", "supplier_id", "invoice_number", "invoice_date", "amount")
        },
        optional_inputs=("suppliers",),
        params={
            "min_length": Param(
                5, min=1, max=20, description=_("Shortest normalised invoice number compared.")
            ),
            "min_amount": MATERIALITY,
        },
        evidence={"invoices": INVOICE_EVIDENCE},
        sql=f"""
WITH {SUPPLIER_KEY},
{INVOICE_KEY},
credits AS (
    -- the newest credit note per supplier record and the amount it cancels
    SELECT supplier_id, -amount AS amount, max(invoice_date) AS last_credit_date
    FROM invoices WHERE amount < 0
    GROUP BY supplier_id, -amount
),
inv AS (
    SELECT i.invoice_id, i.supplier_id, i.invoice_number, i.invoice_date, i.amount, i.board, k.number_norm
    FROM invoices AS i
    JOIN invoice_key AS k ON k.invoice_id = i.invoice_id
    LEFT JOIN credits AS c ON c.supplier_id = i.supplier_id AND c.amount = i.amount
    WHERE i.amount > 0
      -- a number Excel mangled, written as a date or without a digit identifies no claim (import flag)
      AND i.invoice_number_flag IS NULL
      -- a credit note from the same supplier of the opposite amount, on or after the invoice, cancels it
      AND (c.last_credit_date IS NULL OR i.invoice_date IS NULL OR c.last_credit_date < i.invoice_date)
),
candidates AS (
    -- numbers and amounts under more than one supplier record: a cheap group over every invoice,
    -- so that the lists below are built for these few only
    SELECT number_norm, amount
    FROM inv
    WHERE length(number_norm) >= $min_length
    GROUP BY number_norm, amount
    HAVING min(supplier_id) <> max(supplier_id)
),
grp AS (
    -- one group per number and amount. Under exactly two supplier records it is one claim twice; a
    -- number and amount that three or more records share is a common reference (a fee, a card
    -- number), the normal pattern of those suppliers rather than a copied invoice
    SELECT i.number_norm, i.amount, count(*) AS n,
           min(i.supplier_id) AS supplier_a, max(i.supplier_id) AS supplier_b,
           list_sort(list(i.invoice_id)) AS invoice_ids
    FROM inv AS i
    SEMI JOIN candidates AS c ON c.number_norm = i.number_norm AND c.amount = i.amount
    GROUP BY i.number_norm, i.amount
    HAVING count(DISTINCT i.supplier_id) = 2
),
firsts AS (
    -- each record's first invoice in each group, for the sentence
    SELECT g.number_norm, g.amount, i.supplier_id, min(i.invoice_number) AS invoice_number,
           min(i.invoice_date) AS invoice_date, min(i.board) AS board
    FROM grp AS g JOIN inv AS i ON i.number_norm = g.number_norm AND i.amount = g.amount
    GROUP BY g.number_norm, g.amount, i.supplier_id
),
described AS (
    SELECT g.*, a.invoice_number AS number_a, b.invoice_number AS number_b, a.invoice_date AS date_a,
           b.invoice_date AS date_b, a.board,
           row_number() OVER (PARTITION BY g.supplier_a, g.supplier_b
                              ORDER BY g.amount DESC, g.number_norm) AS rank
    FROM grp AS g
    JOIN firsts AS a ON a.number_norm = g.number_norm AND a.amount = g.amount AND a.supplier_id = g.supplier_a
    JOIN firsts AS b ON b.number_norm = g.number_norm AND b.amount = g.amount AND b.supplier_id = g.supplier_b
),
pair AS (
    -- one hit per pair of supplier records: every invoice they share a number and amount on
    SELECT supplier_a, supplier_b, sum(amount * (n - 1)) AS amount_at_risk,
           list_sort(flatten(list(invoice_ids))) AS invoice_ids
    FROM grp
    GROUP BY supplier_a, supplier_b
)
SELECT 'supplier' AS subject_type,
       p.supplier_b AS subject_id,
       p.amount_at_risk,
       list_transform(p.invoice_ids, lambda x: 'invoices:' || x) AS evidence_keys,
       d.number_a,
       d.number_b,
       coalesce(sa.name, p.supplier_a) AS supplier_a,
       coalesce(sb.name, p.supplier_b) AS supplier_b,
       d.date_a,
       d.date_b,
       d.amount,
       d.board,
       -- graded evidence (analytics/evidence.py): one claim under two supplier records, weaker on one day
       ['two_records', CASE WHEN d.date_a = d.date_b THEN 'same_day' END] AS evidence_reasons
FROM pair AS p
JOIN described AS d ON d.supplier_a = p.supplier_a AND d.supplier_b = p.supplier_b AND d.rank = 1
LEFT JOIN suppliers AS sa ON sa.supplier_id = p.supplier_a
LEFT JOIN suppliers AS sb ON sb.supplier_id = p.supplier_b
WHERE p.amount_at_risk >= $min_amount
""",
        explanation=_(
            "Invoice %(number_a)s from %(supplier_a)s (%(date_a)s) and invoice %(number_b)s from "
            "%(supplier_b)s (%(date_b)s) have the same number and the same amount, %(amount)s."
        ),
    )
)


register(
    Control(
        id="INV-HOLIDAY",
        version=1,
        title=_("Invoices dated on holidays"),
        rationale=_("Invoices dated on a Swedish public holiday or a weekend."),
        why=_(
            "Businesses invoice on working days; an invoice dated on Christmas Day or a Saturday is often made up "
            "afterwards, or comes from a company that is not a real business. On its own it is weak, beside other "
            "hits on the same supplier it strengthens them. Example: Falkby Livsmedel AB's invoice dated 25 December "
            "2025."
        ),
        legal_ground=LEGAL_GROUND,
        risk_areas=("Fakturahantering",),
        severity="låg",
        case_type="supplier",
        subject_type="supplier",
        inputs={"invoices": ("invoice_id", "supplier_id", "invoice_date")},
        optional_inputs=("suppliers",),
        evidence={"invoices": INVOICE_EVIDENCE},
        sql=f"""
SELECT 'supplier' AS subject_type,
       i.supplier_id AS subject_id,
       CAST(0 AS DECIMAL(18,2)) AS amount_at_risk,
       ['invoices:' || i.invoice_id] AS evidence_keys,
       CASE WHEN {is_holiday_sql("i.invoice_date")} THEN 'holiday' ELSE 'weekend' END AS explanation_key,
       i.invoice_number,
       coalesce(s.name, i.supplier_id) AS supplier_name,
       i.invoice_date,
       i.amount
FROM invoices AS i
LEFT JOIN suppliers AS s ON s.supplier_id = i.supplier_id
WHERE {is_holiday_sql("i.invoice_date")} OR {is_weekend_sql("i.invoice_date")}
""",
        explanation={
            "holiday": _(
                "Invoice %(invoice_number)s from %(supplier_name)s for %(amount)s is dated on a public holiday, "
                "%(invoice_date)s."
            ),
            "weekend": _(
                "Invoice %(invoice_number)s from %(supplier_name)s for %(amount)s is dated on a weekend, "
                "%(invoice_date)s."
            ),
        },
    )
)


# INV-PRICE-OVER-CONTRACT (issue 18, Nacka seed 003: "saltade" fakturor): invoice lines compared
# with the prices of the invoice's own contract. A line is comparable when its quantity, unit price
# and line amount are positive (credit lines are not), its article (trimmed, case-insensitive) has a
# price row of the contract valid on the invoice date (overlapping rows: the latest valid_from; on
# a tie the higher price, which errs towards fewer hits), and its unit is the price row's (units
# compared trimmed and upper-cased; an empty unit on either side does not make them differ).
# An invoice cancelled by a credit note (the same supplier, the opposite amount, dated on or after
# it) is left out, as in the duplicate controls.
# the lines of invoices under a contract, each with its contract price and whether it is comparable
_PRICE_LINES = f"""{SUPPLIER_KEY},
inv AS (
    SELECT i.invoice_id, i.supplier_id, i.invoice_number, i.invoice_date, i.amount, i.board,
           trim(i.contract_id) AS contract_id,
           coalesce(k.name, i.supplier_id) AS supplier_name,
           coalesce(k.supplier_key, 'supplier:' || i.supplier_id) AS supplier_key
    FROM invoices AS i
    LEFT JOIN supplier_key AS k ON k.supplier_id = i.supplier_id
    WHERE trim(coalesce(i.contract_id, '')) <> '' AND i.amount > 0
),
cancelled AS (
    -- a credit note from the same supplier of the opposite amount, dated on or after the invoice
    SELECT DISTINCT v.invoice_id
    FROM inv AS v
    JOIN invoices AS c ON c.amount = -v.amount AND c.invoice_date >= v.invoice_date
    LEFT JOIN supplier_key AS k ON k.supplier_id = c.supplier_id
    WHERE coalesce(k.supplier_key, 'supplier:' || c.supplier_id) = v.supplier_key
),
lines AS (
    SELECT v.invoice_id, v.supplier_id, v.invoice_number, v.invoice_date, v.board, v.contract_id,
           v.supplier_name, l.line_no, l.quantity, l.unit_price, l.line_amount,
           upper(trim(coalesce(l.unit, ''))) AS unit,
           lower(trim(coalesce(l.article, ''))) AS article,
           trim(coalesce(l.article, '')) AS article_shown
    FROM inv AS v
    JOIN invoice_lines AS l ON l.invoice_id = v.invoice_id
    WHERE v.invoice_id NOT IN (SELECT invoice_id FROM cancelled)
      -- credit lines (negative quantity or amount) are not compared
      AND l.quantity > 0 AND l.unit_price > 0 AND l.line_amount > 0
),
priced AS (
    -- the price row of the invoice's own contract for the article, valid on the invoice date
    SELECT l.invoice_id, l.line_no, p.unit_price AS contract_price,
           upper(trim(coalesce(p.unit, ''))) AS contract_unit,
           row_number() OVER (PARTITION BY l.invoice_id, l.line_no
                              ORDER BY p.valid_from DESC, p.unit_price DESC) AS rank
    FROM lines AS l
    JOIN contract_prices AS p
      ON trim(p.contract_id) = l.contract_id AND lower(trim(p.article)) = l.article
     AND p.valid_from <= l.invoice_date AND coalesce(p.valid_to, DATE '9999-12-31') >= l.invoice_date
    WHERE l.article <> '' AND p.unit_price > 0
),
compared AS (
    SELECT l.*, p.contract_price,
           p.contract_price IS NOT NULL
             AND (l.unit = '' OR p.contract_unit = '' OR l.unit = p.contract_unit) AS comparable
    FROM lines AS l
    LEFT JOIN priced AS p ON p.invoice_id = l.invoice_id AND p.line_no = l.line_no AND p.rank = 1
)"""

register(
    Control(
        id="INV-PRICE-OVER-CONTRACT",
        version=1,
        title=_('Price above the contract price ("salted" invoice)'),
        rationale=_(
            "An invoice under a contract with lines priced above the contract's price for the same article "
            "on the invoice date, by more than the tolerance."
        ),
        why=_(
            "A framework agreement fixes the price of every article and service; a supplier that bills a "
            "little more per unit on many invoices takes money the municipality never agreed to pay, and the "
            "attester rarely has the price list at hand. Example: a cleaning contractor with an agreed price of "
            "420,00 kr an hour bills 465,00 kr an hour for 120 hours, 5 400,00 kr above the contract."
        ),
        legal_ground=_(
            "Public Procurement Act (2016:1145) ch. 17 sec. 9 (a contract may not be changed substantially "
            "without a new procurement); Local Government Act (2017:725) ch. 6 sec. 6 (internal control)."
        ),
        risk_areas=("Fakturahantering", "Inköp", "Upphandling"),
        severity="medel",
        case_type="supplier",
        subject_type="invoice",
        inputs={
            "invoices": ("invoice_id", "supplier_id", "invoice_date", "amount", "contract_id"),
            "invoice_lines": ("invoice_id", "line_no", "quantity", "unit_price", "line_amount"),
            "contract_prices": ("contract_id", "article", "unit_price", "valid_from"),
        },
        optional_inputs=("suppliers", "contracts"),
        params={
            "tolerance": Param(
                2,
                min=0,
                max=50,
                description=_(
                    "An invoice line's unit price may exceed the contract price by this many percent."
                ),
            )
        },
        evidence={
            "invoices": INVOICE_EVIDENCE + ("contract_id",),
            "contracts": ("supplier_orgnr", "valid_from", "valid_to", "procurement", "category"),
        },
        examined_sql="""
SELECT count(DISTINCT i.invoice_id) FROM invoices AS i
JOIN invoice_lines AS l ON l.invoice_id = i.invoice_id
WHERE trim(coalesce(i.contract_id, '')) <> ''
""",
        not_comparable_sql=f"""
WITH {_PRICE_LINES}
SELECT count(*) FROM compared WHERE NOT comparable
""",
        sql=f"""
WITH {_PRICE_LINES},
over AS (
    -- above the contract price plus the tolerance, compared without dividing
    SELECT * FROM compared
    WHERE comparable AND unit_price * 100 > contract_price * (100 + $tolerance)
),
uncompared AS (
    SELECT invoice_id, count(*) AS lines_not_comparable FROM compared WHERE NOT comparable
    GROUP BY invoice_id
)
SELECT 'invoice' AS subject_type,
       o.invoice_id AS subject_id,
       sum((o.unit_price - o.contract_price) * o.quantity) AS amount_at_risk,
       ['invoices:' || o.invoice_id, 'contracts:' || min(o.contract_id)] AS evidence_keys,
       CASE WHEN max(CASE WHEN o.unit_price * 100 > o.contract_price * 110 THEN 1 ELSE 0 END) = 1
            THEN 'hög' ELSE 'medel' END AS severity,
       min(o.board) AS board,
       min(o.supplier_name) AS supplier_name,
       min(o.invoice_number) AS invoice_number,
       min(o.invoice_date) AS invoice_date,
       min(o.contract_id) AS contract_id,
       count(*) AS lines_over,
       array_to_string(list_sort(list_distinct(list(o.article_shown))), ', ') AS articles,
       CAST(round(max((o.unit_price - o.contract_price) * 100 / o.contract_price), 1) AS DOUBLE) AS max_percent,
       sum((o.unit_price - o.contract_price) * o.quantity) AS above,
       CAST(coalesce(min(u.lines_not_comparable), 0) AS BIGINT) AS lines_not_comparable,
       $tolerance AS tolerance
FROM over AS o
LEFT JOIN uncompared AS u ON u.invoice_id = o.invoice_id
GROUP BY o.invoice_id
""",
        explanation=_(
            "Invoice %(invoice_number)s from %(supplier_name)s of %(invoice_date)s under contract "
            "%(contract_id)s has %(lines_over)s lines priced more than %(tolerance)s percent above the contract "
            "price (articles: %(articles)s; at most %(max_percent)s percent above); %(above)s above the agreed "
            "prices. Lines of the invoice that could not be compared (no contract price for the article, "
            "or another unit): %(lines_not_comparable)s."
        ),
    )
)
