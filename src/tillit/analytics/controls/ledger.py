"""LEDGER-*: the general ledger. Odd manual vouchers (holidays and weekends from _sql.py)."""

from __future__ import annotations

from decimal import Decimal

from tillit.analytics.controls._sql import is_holiday_sql, is_weekend_sql
from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.registry import Control, Param, register

register(
    Control(
        id="LEDGER-MANUAL-ODD",
        version=1,
        title=_("Odd manual vouchers"),
        rationale=_(
            "Manual vouchers with round amounts on expense accounts, registered on a weekend, a public holiday "
            "or at night."
        ),
        why=_(
            "Manual vouchers bypass the invoice flow and its attestation, and people who want to hide a booking "
            "make it when nobody else is at work; a round amount on an expense account is a typical invented cost. "
            "Example: a manual voucher of 50 000 kr on account 6420 registered on Saturday 12 July 2025 at 14:22. "
            "Vouchers registered by the systems (the invoice flow) are not manual."
        ),
        legal_ground=_(
            "Municipal Accounting Act (2018:597) ch. 5 (vouchers); Local Government Act (2017:725) ch. 6 "
            "sec. 6."
        ),
        risk_areas=("Fakturahantering",),
        severity="medel",
        case_type="supplier",
        subject_type="voucher",
        inputs={"ledger": ("voucher_id", "account", "amount", "registered_at")},
        params={
            "night_from": Param(
                22, min=0, max=23, description=_("Hour from which a registration counts as night.")
            ),
            "night_until": Param(
                6, min=0, max=23, description=_("Hour until which a registration counts as night.")
            ),
            "round_to": Param(
                Decimal("1000"),
                min=Decimal("1"),
                description=_("An amount that is a multiple of this, in kronor, is round."),
            ),
            "system_users": Param(
                "SYSTEM",
                description=_(
                    "User names, separated by commas, that register vouchers "
                    "automatically (not manual)."
                ),
            ),
        },
        evidence={
            "ledger": (
                "voucher_date",
                "account",
                "amount",
                "series",
                "text",
                "registered_by",
                "registered_at",
            )
        },
        sql=f"""
WITH v AS (
    SELECT voucher_id, account, amount, registered_by, local_time(registered_at) AS at_local,
           CAST(local_time(registered_at) AS DATE) AS day
    FROM ledger
    WHERE registered_at IS NOT NULL
      AND coalesce(trim(registered_by), '') <> ''
      AND NOT list_contains(string_split(upper($system_users), ','), upper(trim(registered_by)))
),
odd AS (
    SELECT voucher_id, registered_by, at_local, day,
           CASE WHEN {is_holiday_sql("day")} THEN 'holiday'
                WHEN {is_weekend_sql("day")} THEN 'weekend'
                ELSE 'night' END AS explanation_key,
           sum(CASE WHEN amount > 0 AND substr(account, 1, 1) IN ('4', '5', '6', '7') AND amount % $round_to = 0
                    THEN amount ELSE 0 END) AS expense,
           min(CASE WHEN amount > 0 AND substr(account, 1, 1) IN ('4', '5', '6', '7') AND amount % $round_to = 0
                    THEN account END) AS account
    FROM v
    WHERE {is_holiday_sql("day")} OR {is_weekend_sql("day")}
       OR hour(at_local) >= $night_from OR hour(at_local) < $night_until
    GROUP BY voucher_id, registered_by, at_local, day
)
SELECT 'voucher' AS subject_type,
       voucher_id AS subject_id,
       expense AS amount_at_risk,
       ['ledger:' || voucher_id] AS evidence_keys,
       explanation_key,
       voucher_id,
       expense AS amount,
       account,
       registered_by,
       at_local AS registered_at
FROM odd
WHERE expense > 0
""",
        explanation={
            "holiday": _(
                "Manual voucher %(voucher_id)s of %(amount)s on expense account %(account)s was registered by "
                "%(registered_by)s on a public holiday, %(registered_at)s."
            ),
            "weekend": _(
                "Manual voucher %(voucher_id)s of %(amount)s on expense account %(account)s was registered by "
                "%(registered_by)s on a weekend, %(registered_at)s."
            ),
            "night": _(
                "Manual voucher %(voucher_id)s of %(amount)s on expense account %(account)s was registered by "
                "%(registered_by)s at night, %(registered_at)s."
            ),
        },
    )
)
