"""Other controls: parking permits after death, odd manual ledger vouchers, invoices dated on
holidays and weekends (Swedish public holidays from the `holidays` library, controls/calendar.py)."""

from __future__ import annotations

from decimal import Decimal

from tillit.analytics.controls.calendar import is_holiday_sql, is_weekend_sql
from tillit.analytics.controls.invoices import INVOICE_EVIDENCE, LEGAL_GROUND
from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.registry import Control, Param, register

register(Control(
    id="PERMIT-DECEASED",
    version=1,
    title=_("Parking permit after death"),
    rationale=_("A disabled parking permit that stays valid after the holder's date of death."),
    why=_("A parking permit for disabled people is personal; after the holder's death it must be withdrawn, "
          "otherwise relatives or others keep using it, which is the most common misuse. Example: a permit "
          "valid until 31 May 2027 whose holder died on 11 February 2025. A permit that ends on the day of death is "
          "not a hit."),
    legal_ground=_("Road Traffic Ordinance (1998:1276) ch. 13 sec. 8–12 (parking permits for disabled people)."),
    risk_areas=("Parkeringstillstånd",),
    severity="medel",
    subject_type="person",
    inputs={"parking_permits": ("permit_id", "holder", "valid_to"),
            "population": ("personnummer", "status", "status_date")},
    evidence={"parking_permits": ("valid_from", "valid_to"), "population": ("status", "status_date")},
    sql="""
SELECT 'person' AS subject_type,
       p.holder AS subject_id,
       CAST(0 AS DECIMAL(18,2)) AS amount_at_risk,
       ['parking_permits:' || p.permit_id, 'population:' || p.holder] AS evidence_keys,
       p.permit_id,
       p.valid_to,
       d.status_date
FROM parking_permits AS p
JOIN population AS d ON d.personnummer = p.holder
WHERE lower(d.status) = 'avliden' AND d.status_date IS NOT NULL
  -- strictly after the death: a permit whose last day is the date of death is not a hit
  AND p.valid_to > d.status_date
""",
    explanation=_("Parking permit %(permit_id)s is valid until %(valid_to)s; its holder died on %(status_date)s."),
))


register(Control(
    id="LEDGER-MANUAL-ODD",
    version=1,
    title=_("Odd manual vouchers"),
    rationale=_("Manual vouchers with round amounts on expense accounts, registered on a weekend, a public holiday "
                "or at night."),
    why=_("Manual vouchers bypass the invoice flow and its attestation, and people who want to hide a booking "
          "make it when nobody else is at work; a round amount on an expense account is a typical invented cost. "
          "Example: a manual voucher of 50 000 kr on account 6420 registered on Saturday 12 July 2025 at 14:22. "
          "Vouchers registered by the systems (the invoice flow) are not manual."),
    legal_ground=_("Municipal Accounting Act (2018:597) ch. 5 (vouchers); Local Government Act (2017:725) ch. 6 "
                   "sec. 6."),
    risk_areas=("Fakturahantering",),
    severity="medel",
    subject_type="voucher",
    inputs={"ledger": ("voucher_id", "account", "amount", "registered_at")},
    params={
        "night_from": Param(22, min=0, max=23, description=_("Hour from which a registration counts as night.")),
        "night_until": Param(6, min=0, max=23, description=_("Hour until which a registration counts as night.")),
        "round_to": Param(Decimal("1000"), min=Decimal("1"),
                          description=_("An amount that is a multiple of this, in kronor, is round.")),
        "system_users": Param("SYSTEM", description=_("User names, separated by commas, that register vouchers "
                                                      "automatically (not manual).")),
    },
    evidence={"ledger": ("voucher_date", "account", "amount", "series", "text", "registered_by", "registered_at")},
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
        "holiday": _("Manual voucher %(voucher_id)s of %(amount)s on expense account %(account)s was registered by "
                     "%(registered_by)s on a public holiday, %(registered_at)s."),
        "weekend": _("Manual voucher %(voucher_id)s of %(amount)s on expense account %(account)s was registered by "
                     "%(registered_by)s on a weekend, %(registered_at)s."),
        "night": _("Manual voucher %(voucher_id)s of %(amount)s on expense account %(account)s was registered by "
                   "%(registered_by)s at night, %(registered_at)s."),
    },
))


register(Control(
    id="INV-HOLIDAY",
    version=1,
    title=_("Invoices dated on holidays"),
    rationale=_("Invoices dated on a Swedish public holiday or a weekend."),
    why=_("Businesses invoice on working days; an invoice dated on Christmas Day or a Saturday is often made up "
          "afterwards, or comes from a company that is not a real business. On its own it is weak, beside other "
          "hits on the same supplier it strengthens them. Example: Falkby Livsmedel AB's invoice dated 25 December "
          "2025."),
    legal_ground=LEGAL_GROUND,
    risk_areas=("Fakturahantering",),
    severity="låg",
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
        "holiday": _("Invoice %(invoice_number)s from %(supplier_name)s for %(amount)s is dated on a public holiday, "
                     "%(invoice_date)s."),
        "weekend": _("Invoice %(invoice_number)s from %(supplier_name)s for %(amount)s is dated on a weekend, "
                     "%(invoice_date)s."),
    },
))
