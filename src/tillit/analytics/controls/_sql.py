"""SQL fragments that more than one control module splices into its query: the one place they live.

Each fragment is written out in every query that uses it, so that the SQL an auditor reads (and
the SQL a hit stores) is whole. A fragment used by one module only stays in that module.

The normal forms are written in SQL so that every engine runs the same logic without Python
functions on Spark's executors (the golden tests in tests/analytics/controls pin them):

- invoice number (NUMBER_NORM): upper-case, A–Z and 0–9 only, leading zeros stripped
- fuzzy invoice number (NUMBER_FUZZY): the same after mapping O→0, I→1, L→1, S→5, B→8, Z→2
- name (NAME_NORM): lower-case, punctuation to spaces, legal-form words dropped, words sorted
- address (ADDRESS_NORM) and postal code (POSTAL_NORM): case- and punctuation-insensitive

Swedish public holidays come from the `holidays` library (country SE) for the years below,
written into the SQL as a literal list so that the rule stays one SELECT that DuckDB and Spark
both run; the library lists every Sunday as a holiday, and Sundays are weekends anyway, so they
are left out of the list. Weekends are found by counting days from a known Monday, which both
engines compute alike (their day-of-week functions number the days differently).

This module registers no control (the registry skips modules whose name starts with "_").
"""

from __future__ import annotations

from datetime import date

import holidays

NUMBER_NORM = "ltrim(regexp_replace(upper({col}), '[^0-9A-Z]', '', 'g'), '0')"
NUMBER_FUZZY = (
    "ltrim(translate(regexp_replace(upper({col}), '[^0-9A-Z]', '', 'g'), 'OILSBZ', '011582'), '0')"
)
LEGAL_FORM_WORDS = (
    "ab",
    "aktiebolag",
    "hb",
    "kb",
    "ek",
    "för",
    "ekonomisk",
    "handelsbolag",
    "kommanditbolag",
    "förening",
    "föreningen",
    "ideell",
)
NAME_NORM = (
    "array_to_string(list_sort(list_filter(string_split(regexp_replace(lower({col}), "
    "'[^0-9a-zàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿ]', ' ', 'g'), ' '), "
    "lambda w: w <> '' AND w NOT IN (" + ", ".join(f"'{w}'" for w in LEGAL_FORM_WORDS) + "))), ' ')"
)
ADDRESS_NORM = "trim(regexp_replace(lower(coalesce({col}, '')), '[^0-9a-zåäöéü]+', ' ', 'g'))"
POSTAL_NORM = "regexp_replace(coalesce({col}, ''), '[^0-9]', '', 'g')"

# supplier_key: one value per supplier identity (a valid orgnr, else the supplier record)
SUPPLIER_KEY = """supplier_key AS (
    SELECT supplier_id, name,
           CASE WHEN orgnr_valid AND orgnr IS NOT NULL THEN 'orgnr:' || orgnr
                ELSE 'supplier:' || supplier_id END AS supplier_key
    FROM suppliers
)"""

# invoice_key: every invoice with its supplier identity (needs SUPPLIER_KEY before it), its normalised
# invoice number and OCR reference. PAY-REMINDER, INV-DUP-EXACT, INV-DUP-FUZZY and
# INV-SAME-NO-OTHER-SUPPLIER read it; written alike in each, an engine computes it once per run
# (engines/base.py, shared_keys).
INVOICE_KEY = f"""invoice_key AS (
    SELECT i.invoice_id, i.supplier_id, i.invoice_date, i.amount,
           coalesce(k.supplier_key, 'supplier:' || i.supplier_id) AS supplier_key,
           {NUMBER_NORM.format(col="i.invoice_number")} AS number_norm,
           nullif(regexp_replace(coalesce(i.ocr_reference, ''), '[^0-9A-Za-z]', '', 'g'), '') AS ocr
    FROM invoices AS i
    LEFT JOIN supplier_key AS k ON k.supplier_id = i.supplier_id
)"""

# amount_count: how many invoices each supplier record has of each (positive) amount. The duplicate
# controls (SAME_AMOUNT) and the standard amounts of INV-ROUND and INV-BENFORD (inv.py) read it;
# an engine computes it once per run. Each of those fragments begins with it.
AMOUNT_COUNT = """amount_count AS (
    SELECT supplier_id, amount, count(*) AS times FROM invoices
    WHERE amount > 0
    GROUP BY supplier_id, amount
)"""

# same_amount: invoices with a second invoice of the same amount from the same supplier record, or
# from a record that shares its valid organisation number (needs SUPPLIER_KEY before it). Cheap
# groups on the raw columns, so that names and numbers are normalised only for these candidates.
SAME_AMOUNT = f"""{AMOUNT_COUNT},
shared_key AS (
    -- supplier records that share a valid organisation number with another record
    SELECT supplier_id FROM supplier_key
    WHERE supplier_key IN (SELECT supplier_key FROM supplier_key GROUP BY supplier_key HAVING count(*) >= 2)
),
same_amount AS (
    -- a duplicate needs a second invoice of the same amount from the same supplier record, or from
    -- a record that shares its organisation number
    SELECT i.invoice_id FROM invoices AS i
    JOIN amount_count AS g ON g.supplier_id = i.supplier_id AND g.amount = i.amount AND g.times >= 2
    UNION
    SELECT i.invoice_id FROM invoices AS i JOIN shared_key AS k ON k.supplier_id = i.supplier_id
    WHERE i.amount > 0
)"""

# paid: payments tied to a supplier, through the invoice, else the payee
PAID = """paid AS (
    SELECT p.payment_id, p.payment_date, p.amount, p.bank_account, p.invoice_id,
           coalesce(i.supplier_id, p.payee_id) AS supplier_id, i.vat_amount
    FROM payments AS p
    LEFT JOIN invoices AS i ON i.invoice_id = p.invoice_id
    WHERE p.amount > 0
)"""

HOLIDAY_YEARS = range(2000, 2041)


def _holiday_dates() -> list[date]:
    calendar = holidays.country_holidays("SE", years=HOLIDAY_YEARS)
    return sorted(d for d in calendar if d.weekday() != 6)


HOLIDAY_DATES = _holiday_dates()
HOLIDAYS_SQL = "[" + ", ".join(f"DATE '{d.isoformat()}'" for d in HOLIDAY_DATES) + "]"

# 0 = Monday … 5 = Saturday, 6 = Sunday (2000-01-03 was a Monday)
WEEKDAY_SQL = "((date_diff('day', DATE '2000-01-03', {col}) % 7) + 7) % 7"


def is_holiday_sql(col: str) -> str:
    return f"list_contains({HOLIDAYS_SQL}, {col})"


def is_weekend_sql(col: str) -> str:
    return f"{WEEKDAY_SQL.format(col=col)} IN (5, 6)"


# Economic assistance read for a month (`period`, YYYY-MM): the first family's BEN rules on their
# payments (ben.py) and APP-BEFORE-PAYMENT on applications read as payments of their period (app.py).
# Each takes the aliases of the benefit row `b` (period, address, postal_code) and of the register row.
MONTH_START = "CAST({col} || '-01' AS DATE)"


def ben_address_differs_sql(b: str, p: str) -> str:
    """BEN-ADDRESS: the row's address (and postal code, where both have one) is not the applicant's
    registered address, registered by the end of the month."""
    return (
        f"{ADDRESS_NORM.format(col=f'{b}.address')} <> '' AND {ADDRESS_NORM.format(col=f'{p}.address')} <> ''\n"
        f"      AND ({p}.registered_from IS NULL OR {p}.registered_from <= "
        f"last_day({MONTH_START.format(col=f'{b}.period')}))\n"
        f"      AND ({ADDRESS_NORM.format(col=f'{b}.address')} <> {ADDRESS_NORM.format(col=f'{p}.address')}\n"
        f"           OR ({POSTAL_NORM.format(col=f'{b}.postal_code')} <> '' AND "
        f"{POSTAL_NORM.format(col=f'{p}.postal_code')} <> ''\n"
        f"               AND {POSTAL_NORM.format(col=f'{b}.postal_code')} <> "
        f"{POSTAL_NORM.format(col=f'{p}.postal_code')}))"
    )


def ben_after_death_sql(b: str, p: str) -> str:
    """BEN-DECEASED: the register row is avliden or utvandrad, and the month is strictly after the month
    of the event (the month of death itself is not a hit)."""
    return (
        f"lower({p}.status) IN ('avliden', 'utvandrad') AND {p}.status_date IS NOT NULL\n"
        "      -- strictly after the month of the event: the month of death itself is not a hit\n"
        f"      AND {MONTH_START.format(col=f'{b}.period')} > last_day({p}.status_date)"
    )


def ben_employed_sql(b: str, e: str) -> str:
    """BEN-EMPLOYED: employed on any day of the month."""
    return (
        f"coalesce({e}.employed_from, DATE '0001-01-01') <= last_day({MONTH_START.format(col=f'{b}.period')})\n"
        f"      AND coalesce({e}.employed_to, DATE '9999-12-31') >= {MONTH_START.format(col=f'{b}.period')}"
    )
