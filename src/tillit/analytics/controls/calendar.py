"""Swedish public holidays and weekends as SQL fragments (no control module registers here).

The holidays come from the `holidays` library (country SE) for the years below, written into the
SQL as a literal list so that the rule stays one SELECT that DuckDB and Spark both run; the
library lists every Sunday as a holiday, and Sundays are weekends anyway, so they are left out of
the list. Weekends are found by counting days from a known Monday, which both engines compute
alike (their day-of-week functions number the days differently).
"""

from __future__ import annotations

from datetime import date

import holidays

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
