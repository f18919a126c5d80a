"""X-*: cross-municipality controls on pseudonymised exports (pseudonyms.py). The matching party
joins keyed-hash pseudonyms and never sees a personnummer or an organisation number.

Evidence keys name each municipality's own rows (benefit_payments:<payment_id>,
invoices:<invoice_id>), and the explanation says which municipality holds which, so that each
municipality can look up its own rows and only those.
"""

from __future__ import annotations

from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.registry import Control, register

register(
    Control(
        id="X-BEN-TWO-MUNICIPALITIES",
        version=1,
        title=_("Economic assistance from two municipalities"),
        rationale=_(
            "The same person paid economic assistance by two municipalities for the same month, matched on "
            "keyed-hash pseudonyms so that the matching party never sees a personnummer."
        ),
        why=_(
            "Economic assistance is paid by the municipality where the person lives, for one month at a time; a "
            "person paid by two municipalities for the same month is either registered in the wrong place or "
            "applying in both. No municipality can see this in its own data. Example: a person is paid 8 940 kr by "
            "Exempelkommun and 9 250 kr by a neighbouring municipality, both for March 2025."
        ),
        legal_ground=_(
            "Social Services Act (2001:453) ch. 4 sec. 1 and ch. 2 sec. 1 (the municipality of residence is "
            "responsible); Act (2008:206) on the obligation to notify incorrect payments."
        ),
        risk_areas=("Ekonomiskt bistånd (försörjningsstöd)", "Folkbokföring"),
        severity="hög",
        case_type="other",
        subject_type="person",
        inputs={
            "x_benefit_payments": ("municipality", "payment_ref", "person", "period", "amount")
        },
        sql="""
WITH paid AS (
    SELECT municipality, person, period, sum(amount) AS amount, list_sort(list(payment_ref)) AS refs
    FROM x_benefit_payments
    WHERE amount > 0
    GROUP BY municipality, person, period
)
SELECT 'person' AS subject_type,
       a.person AS subject_id,
       least(a.amount, b.amount) AS amount_at_risk,
       list_sort(list_concat(list_transform(a.refs, lambda r: 'benefit_payments:' || r),
                             list_transform(b.refs, lambda r: 'benefit_payments:' || r))) AS evidence_keys,
       a.municipality AS municipality_a,
       a.amount AS amount_a,
       b.municipality AS municipality_b,
       b.amount AS amount_b,
       a.period
FROM paid AS a
JOIN paid AS b ON b.person = a.person AND b.period = a.period AND b.municipality > a.municipality
""",
        explanation=_(
            "One person was paid economic assistance for %(period)s by municipality %(municipality_a)s "
            "(%(amount_a)s) and by municipality %(municipality_b)s (%(amount_b)s)."
        ),
    )
)


register(
    Control(
        id="X-SUP-SAME-INVOICE",
        version=1,
        title=_("The same invoice to several municipalities"),
        rationale=_(
            "The same supplier, invoice number and amount invoiced to two municipalities, matched on "
            "keyed-hash pseudonyms of the organisation number and the invoice number."
        ),
        why=_(
            "An invoice is one claim on one customer; the same number and amount sent to two municipalities means "
            "that at least one of them pays for something it did not buy. A supplier that does this counts on "
            "municipalities not comparing their ledgers. Example: Örnsköld Konsult AB's invoice 2025-7731 for "
            "88 400 kr is paid by Exempelkommun in May and by a neighbouring municipality five days later."
        ),
        legal_ground=_(
            "Local Government Act (2017:725) ch. 6 sec. 6; Act (2008:206) on the obligation to notify "
            "incorrect payments."
        ),
        risk_areas=("Fakturahantering", "Inköp"),
        severity="hög",
        case_type="other",
        subject_type="supplier",
        inputs={
            "x_invoices": ("municipality", "invoice_ref", "supplier", "invoice_number", "amount")
        },
        sql="""
WITH repeated AS (
    -- only a supplier, number and amount that occur twice or more can be in two municipalities;
    -- hash() only narrows the candidates (a collision adds one, never removes one)
    SELECT hash(supplier, invoice_number, amount) AS h FROM x_invoices WHERE amount > 0
    GROUP BY hash(supplier, invoice_number, amount) HAVING count(*) >= 2
),
inv AS (
    SELECT x.municipality, x.supplier, x.invoice_number, x.amount, min(x.invoice_date) AS invoice_date,
           list_sort(list(x.invoice_ref)) AS refs
    FROM x_invoices AS x
    JOIN repeated AS r ON r.h = hash(x.supplier, x.invoice_number, x.amount)
    WHERE x.amount > 0
    GROUP BY x.municipality, x.supplier, x.invoice_number, x.amount
)
SELECT 'supplier' AS subject_type,
       a.supplier AS subject_id,
       a.amount AS amount_at_risk,
       list_sort(list_concat(list_transform(a.refs, lambda r: 'invoices:' || r),
                             list_transform(b.refs, lambda r: 'invoices:' || r))) AS evidence_keys,
       a.municipality AS municipality_a,
       a.invoice_date AS date_a,
       b.municipality AS municipality_b,
       b.invoice_date AS date_b,
       a.amount
FROM inv AS a
JOIN inv AS b ON b.supplier = a.supplier AND b.invoice_number = a.invoice_number AND b.amount = a.amount
             AND b.municipality > a.municipality
""",
        explanation=_(
            "The same supplier sent the same invoice number for %(amount)s to municipality %(municipality_a)s "
            "(%(date_a)s) and to municipality %(municipality_b)s (%(date_b)s)."
        ),
    )
)
