"""SUP-*: supplier records. Duplicate supplier records, missing or invalid organisation numbers,
payments to suppliers with defects, new suppliers paid much.

Payments are tied to a supplier through their invoice (invoices.supplier_id) or, for a payment
without invoice, through payments.payee_id (PAID in _sql.py). A supplier's status at a date
follows controls.md: register status (konkurs, likvidation, avregistrerad) from the newest
supplier_status row whose status_date, or where empty checked_date, is on or before the date;
F-tax, VAT registration and tax debt from the newest row checked on or before it.

Name similarity (SUP-DUPLICATE) is Jaro-Winkler on the ASCII-folded normalised name: DuckDB's
jaro_winkler_similarity counts bytes, so folding å/ä/ö first makes it count characters, and
Spark computes the same figure with a SQL expression (engines/dialects.py).
"""

from __future__ import annotations

from decimal import Decimal

from tillit.analytics.controls._common import PAYMENT_EVIDENCE, SUPPLIER_EVIDENCE
from tillit.analytics.controls._sql import NAME_NORM, PAID
from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.registry import Control, Param, register

NAME_FOLD = (
    "translate(" + NAME_NORM + ", 'àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿ', "
    "'aaaaaaaceeeeiiiidnoooooouuuuyty')"
)


register(
    Control(
        id="SUP-DUPLICATE",
        version=2,
        title=_("Duplicate supplier records"),
        rationale=_(
            "Two or more supplier records with the same valid organisation number or the same bank account, "
            "or two with nearly the same name at the same postal code; one hit per organisation number or "
            "account, listing every record."
        ),
        why=_(
            "A second record for one supplier lets the same invoice be paid twice without any duplicate check "
            "noticing, and a record that copies a real supplier's name but has another account is a classic "
            'route for false invoices. Example: Sjöbergs Elservice AB (556677-8899) and "SJÖBERGS ELSERVICE" '
            "without organisation number, both at postal code 271 39. Two companies with the same name in "
            "different towns are not hits. A coordinator who finds that the records of one organisation "
            "number are one legal entity with many units (a region's committees, a hotel chain, the "
            "city's own districts) marks it once on the hit; the group is not raised again until a record "
            "with another bank account joins it."
        ),
        legal_ground=_(
            "Local Government Act (2017:725) ch. 6 sec. 6; the municipality's routine for setting up "
            "suppliers."
        ),
        risk_areas=("Uppläggning av leverantörer", "Fakturahantering"),
        severity="medel",
        case_type="supplier",
        subject_type="supplier",
        inputs={"suppliers": ("supplier_id", "name")},
        optional_inputs=("supplier_accounts",),
        params={
            "min_similarity": Param(
                Decimal("0.93"),
                min=Decimal("0.80"),
                max=Decimal("1"),
                description=_("Lowest Jaro-Winkler similarity of the normalised names."),
            )
        },
        evidence={"suppliers": SUPPLIER_EVIDENCE},
        sql=f"""
WITH sup AS (
    SELECT supplier_id, name, orgnr, coalesce(orgnr_valid, false) AS orgnr_valid,
           {NAME_FOLD.format(col="name")} AS name_key,
           regexp_replace(coalesce(postal_code, ''), '[^0-9]', '', 'g') AS postal
    FROM suppliers
),
acc AS (
    SELECT DISTINCT supplier_id, bank_account FROM supplier_accounts WHERE bank_account IS NOT NULL
),
by_orgnr AS (
    -- one group per valid organisation number that two or more records share: every record in it
    SELECT orgnr AS shared, list_sort(list(supplier_id)) AS ids, list_sort(list(name)) AS names
    FROM sup
    WHERE orgnr_valid AND orgnr IS NOT NULL
    GROUP BY orgnr
    HAVING count(*) >= 2
),
by_account AS (
    -- one group per bank account that two or more records share, unless they all have one valid
    -- organisation number (then they are that number's group)
    SELECT a.bank_account AS shared, list_sort(list(DISTINCT a.supplier_id)) AS ids,
           list_sort(list(s.name)) AS names
    FROM acc AS a
    JOIN sup AS s ON s.supplier_id = a.supplier_id
    GROUP BY a.bank_account
    HAVING count(DISTINCT a.supplier_id) >= 2
       AND NOT (min(CASE WHEN s.orgnr_valid THEN 1 ELSE 0 END) = 1 AND count(DISTINCT s.orgnr) = 1)
),
shared_account AS (
    SELECT DISTINCT x.supplier_id AS a_id, y.supplier_id AS b_id
    FROM acc AS x JOIN acc AS y ON y.bank_account = x.bank_account AND y.supplier_id > x.supplier_id
),
by_name AS (
    -- two records with nearly the same name at one postal code that no number or account ties together
    SELECT a.postal AS shared, [a.supplier_id, b.supplier_id] AS ids, list_sort([a.name, b.name]) AS names
    FROM sup AS a
    JOIN sup AS b ON b.postal = a.postal AND b.supplier_id > a.supplier_id
    LEFT JOIN shared_account AS x ON x.a_id = a.supplier_id AND x.b_id = b.supplier_id
    WHERE a.postal <> '' AND a.name_key <> '' AND b.name_key <> ''
      AND jaro_winkler_similarity(a.name_key, b.name_key) >= $min_similarity
      AND NOT (a.orgnr_valid AND b.orgnr_valid AND a.orgnr = b.orgnr)
      AND x.a_id IS NULL
),
groups AS (
    SELECT 'orgnr' AS kind, shared, ids, names FROM by_orgnr
    UNION ALL SELECT 'account', shared, ids, names FROM by_account
    UNION ALL SELECT 'name', shared, ids, names FROM by_name
),
group_accounts AS (
    -- the bank accounts of each group's records: a coordinator's "one legal entity, many units" holds
    -- until a record with another account joins
    SELECT g.kind, g.shared, list_sort(list(DISTINCT a.bank_account)) AS accounts
    FROM groups AS g
    JOIN sup AS s ON list_contains(g.ids, s.supplier_id)
    JOIN acc AS a ON a.supplier_id = s.supplier_id
    GROUP BY g.kind, g.shared
)
SELECT 'supplier' AS subject_type,
       g.ids[1] AS subject_id,
       CAST(0 AS DECIMAL(18,2)) AS amount_at_risk,
       list_transform(g.ids, lambda x: 'suppliers:' || x) AS evidence_keys,
       CASE WHEN array_length(g.ids) = 2 THEN g.kind ELSE g.kind || '_group' END AS explanation_key,
       a.name AS name_a,
       b.name AS name_b,
       array_length(g.ids) AS count,
       array_to_string(g.names, ', ') AS names,
       CASE WHEN g.kind = 'orgnr' THEN g.shared ELSE '' END AS orgnr,
       CASE WHEN g.kind = 'account' THEN g.shared ELSE '' END AS bank_account,
       CASE WHEN g.kind = 'name' THEN g.shared ELSE '' END AS postal_code,
       coalesce(ga.accounts, []) AS bank_accounts,
       coalesce(array_length(ga.accounts), 0) AS accounts
FROM groups AS g
JOIN sup AS a ON a.supplier_id = g.ids[1]
JOIN sup AS b ON b.supplier_id = g.ids[2]
LEFT JOIN group_accounts AS ga ON ga.kind = g.kind AND ga.shared = g.shared
""",
        explanation={
            "orgnr": _(
                "The supplier records %(name_a)s and %(name_b)s have the same organisation number, %(orgnr)s."
            ),
            "account": _(
                "The supplier records %(name_a)s and %(name_b)s have the same bank account, %(bank_account)s."
            ),
            "name": _(
                "The supplier records %(name_a)s and %(name_b)s have nearly the same name and the same postal "
                "code, %(postal_code)s."
            ),
            "orgnr_group": _(
                "%(count)s supplier records have the same organisation number, %(orgnr)s: %(names)s; they "
                "are paid to %(accounts)s different bank accounts."
            ),
            "account_group": _(
                "%(count)s supplier records have the same bank account, %(bank_account)s: %(names)s."
            ),
        },
    )
)


register(
    Control(
        id="SUP-ORGNR",
        version=1,
        title=_("Invalid organisation number"),
        rationale=_(
            "A Swedish supplier whose organisation number fails the checksum or is missing, and who was paid."
        ),
        why=_(
            "Every Swedish company has an organisation number with a check digit, and the municipality's checks of "
            "F-tax, VAT and debts start from it. A paid supplier without a valid number has never been checked, "
            "and a number that fails its checksum is a typing error or an invented company. Example: Klippan "
            "Verktyg AB is registered with 556123-4568, which fails the checksum, and is paid 22 840,35 kr. "
            "Suppliers registered in another country are not hits."
        ),
        legal_ground=_(
            "Local Government Act (2017:725) ch. 6 sec. 6; Tax Procedures Act (2011:1244) on F-tax "
            "checks of payees."
        ),
        risk_areas=("Uppläggning av leverantörer", "Fakturahantering"),
        severity="medel",
        case_type="supplier",
        subject_type="supplier",
        inputs={"suppliers": ("supplier_id", "name"), "payments": ("payment_id", "amount")},
        optional_inputs=("invoices",),
        evidence={"suppliers": SUPPLIER_EVIDENCE, "payments": PAYMENT_EVIDENCE},
        sql=f"""
WITH {PAID},
bad AS (
    SELECT supplier_id, name, orgnr,
           CASE WHEN orgnr IS NULL OR trim(orgnr) = '' THEN 'missing' ELSE 'invalid' END AS explanation_key
    FROM suppliers
    WHERE (orgnr IS NULL OR trim(orgnr) = '' OR NOT coalesce(orgnr_valid, false))
      AND upper(trim(coalesce(country, ''))) IN ('', 'SE', 'SWE', 'SVERIGE', 'SWEDEN')
)
SELECT 'supplier' AS subject_type,
       b.supplier_id AS subject_id,
       sum(p.amount) AS amount_at_risk,
       list_concat(['suppliers:' || b.supplier_id], list_sort(list('payments:' || p.payment_id))) AS evidence_keys,
       b.explanation_key,
       b.name,
       coalesce(b.orgnr, '') AS orgnr,
       count(*) AS payments,
       sum(p.amount) AS paid
FROM bad AS b
JOIN paid AS p ON p.supplier_id = b.supplier_id
GROUP BY b.supplier_id, b.name, b.orgnr, b.explanation_key
""",
        explanation={
            "missing": _(
                "%(name)s has no organisation number but was paid %(paid)s (number of payments: %(payments)s)."
            ),
            "invalid": _(
                "%(name)s's organisation number %(orgnr)s fails the checksum; the supplier was paid "
                "%(paid)s (number of payments: %(payments)s)."
            ),
        },
    )
)


register(
    Control(
        id="SUP-STATUS",
        version=1,
        title=_("Payment to a supplier with defects"),
        rationale=_(
            "A payment to a supplier that on the payment date lacked F-tax, had tax debts, was in bankruptcy "
            "or liquidation or deregistered, or charged VAT without being registered for VAT."
        ),
        why=_(
            "The municipality must check that the companies it pays are approved for F-tax and are not bankrupt or "
            "deregistered; a supplier that has lost its F-tax or runs up tax debts while still invoicing is a "
            "common sign of a company used for economic crime. Example: Löderup Fastighetsservice AB was declared "
            "bankrupt on 14 May 2025 and was paid 56 340,90 kr on 28 May. The status that applies is the one known "
            "on the payment date, not a later one."
        ),
        legal_ground=_(
            "Tax Procedures Act (2011:1244) ch. 10 sec. 11 (tax deduction for payees without F-tax); Local "
            "Government Act (2017:725) ch. 6 sec. 6."
        ),
        risk_areas=("Uppläggning av leverantörer", "Fakturahantering", "Inköp"),
        severity="hög",
        case_type="supplier",
        subject_type="supplier",
        inputs={
            "suppliers": ("supplier_id", "orgnr"),
            "payments": ("payment_id", "payment_date", "amount"),
            "supplier_status": ("orgnr", "checked_date"),
        },
        optional_inputs=("invoices",),
        params={
            "tax_debt_limit": Param(
                Decimal("0"),
                min=Decimal("0"),
                description=_("Tax debt above this amount, in kronor, is a defect."),
            )
        },
        evidence={"payments": PAYMENT_EVIDENCE, "suppliers": SUPPLIER_EVIDENCE},
        sql=f"""
WITH {PAID},
pay AS (
    SELECT p.payment_id, p.payment_date, p.amount, p.vat_amount, s.supplier_id, s.name, s.orgnr
    FROM paid AS p
    JOIN suppliers AS s ON s.supplier_id = p.supplier_id
    WHERE s.orgnr_valid
),
check_periods AS (
    -- each check holds from its date until the next check of the same organisation number
    SELECT orgnr, f_tax, vat_registered, tax_debt, checked_date,
           lead(checked_date) OVER (PARTITION BY orgnr ORDER BY checked_date) AS next_check
    FROM supplier_status
),
checks AS (
    -- the newest check on or before the payment date
    SELECT p.payment_id, c.f_tax, c.vat_registered, c.tax_debt, c.checked_date
    FROM pay AS p JOIN check_periods AS c ON c.orgnr = p.orgnr
    WHERE c.checked_date <= p.payment_date AND (c.next_check IS NULL OR p.payment_date < c.next_check)
),
register_periods AS (
    -- each register status holds from its date (status_date, else checked_date) until the next;
    -- of two on one date, the one checked last
    SELECT orgnr, lower(trim(status)) AS status, coalesce(status_date, checked_date) AS status_on,
           lead(coalesce(status_date, checked_date)) OVER (PARTITION BY orgnr
                                                           ORDER BY coalesce(status_date, checked_date), checked_date)
               AS next_on
    FROM supplier_status
),
register AS (
    -- the newest register status dated on or before the payment date
    SELECT p.payment_id, r.status, r.status_on
    FROM pay AS p JOIN register_periods AS r ON r.orgnr = p.orgnr
    WHERE r.status_on <= p.payment_date AND (r.next_on IS NULL OR p.payment_date < r.next_on)
),
flagged AS (
    SELECT p.*, c.checked_date, c.tax_debt, r.status, r.status_on,
           CASE WHEN r.status IN ('konkurs', 'likvidation', 'avregistrerad') THEN 1
                WHEN c.f_tax = false THEN 2
                WHEN c.tax_debt > $tax_debt_limit THEN 3
                WHEN c.vat_registered = false AND p.vat_amount > 0 THEN 4
           END AS defect
    FROM pay AS p
    LEFT JOIN checks AS c ON c.payment_id = p.payment_id
    LEFT JOIN register AS r ON r.payment_id = p.payment_id
)
SELECT 'supplier' AS subject_type,
       supplier_id AS subject_id,
       sum(amount) AS amount_at_risk,
       list_concat(['suppliers:' || supplier_id], list_sort(list('payments:' || payment_id))) AS evidence_keys,
       CASE min(defect) WHEN 1 THEN 'register' WHEN 2 THEN 'f_tax' WHEN 3 THEN 'tax_debt' ELSE 'vat' END
           AS explanation_key,
       name,
       orgnr,
       count(*) AS payments,
       sum(amount) AS paid,
       min(payment_date) AS first_payment,
       coalesce(min(CASE WHEN defect = 1 THEN status END), '') AS status,
       min(CASE WHEN defect = 1 THEN status_on END) AS status_on,
       max(checked_date) AS checked_date,
       max(CASE WHEN defect = 3 THEN tax_debt END) AS tax_debt
FROM flagged
WHERE defect IS NOT NULL
GROUP BY supplier_id, name, orgnr
""",
        explanation={
            "register": _(
                "%(name)s (%(orgnr)s) was paid %(paid)s from %(first_payment)s (number of payments: "
                "%(payments)s) after its register status became %(status)s on %(status_on)s."
            ),
            "f_tax": _(
                "%(name)s (%(orgnr)s) was paid %(paid)s from %(first_payment)s (number of payments: "
                "%(payments)s) while it was not approved for F-tax (checked %(checked_date)s)."
            ),
            "tax_debt": _(
                "%(name)s (%(orgnr)s) was paid %(paid)s from %(first_payment)s (number of payments: "
                "%(payments)s) while it had tax debts of %(tax_debt)s (checked %(checked_date)s)."
            ),
            "vat": _(
                "%(name)s (%(orgnr)s) charged VAT on invoices paid with %(paid)s from %(first_payment)s although "
                "it was not registered for VAT (checked %(checked_date)s)."
            ),
        },
    )
)


register(
    Control(
        id="SUP-NEW-LARGE",
        version=1,
        title=_("New supplier, large payment"),
        rationale=_(
            "A supplier that was set up in the register, or a company that was registered, shortly before "
            "a large payment to it."
        ),
        why=_(
            "Companies formed for fraud are used quickly: a newly formed or newly registered supplier that receives "
            "a large sum within weeks has had little time to deliver anything and none to build a history that "
            "can be checked. Example: Tomelilla Entreprenad AB is set up as a supplier on 2 April 2025 and paid "
            "485 220,40 kr on 22 May."
        ),
        legal_ground=_(
            "Local Government Act (2017:725) ch. 6 sec. 6; the municipality's routine for setting up "
            "suppliers."
        ),
        risk_areas=("Uppläggning av leverantörer", "Inköp"),
        severity="medel",
        case_type="supplier",
        subject_type="supplier",
        inputs={
            "suppliers": ("supplier_id", "created_date"),
            "payments": ("payment_id", "payment_date", "amount"),
        },
        optional_inputs=("invoices", "supplier_status"),
        params={
            "window_days": Param(
                90,
                min=1,
                max=730,
                description=_("Largest number of days from set-up or registration to the payment."),
            ),
            "min_amount": Param(
                Decimal("200000"),
                min=Decimal("0"),
                description=_("Smallest payment, in kronor, counted as large."),
            ),
        },
        evidence={"suppliers": SUPPLIER_EVIDENCE, "payments": PAYMENT_EVIDENCE},
        sql=f"""
WITH {PAID},
registered AS (
    SELECT orgnr, min(registered_date) AS registered_date
    FROM supplier_status WHERE registered_date IS NOT NULL
    GROUP BY orgnr
),
sup AS (
    SELECT s.supplier_id, s.name, s.created_date, r.registered_date
    FROM suppliers AS s
    LEFT JOIN registered AS r ON r.orgnr = s.orgnr AND s.orgnr_valid
),
large AS (
    SELECT s.supplier_id, s.name, s.created_date, s.registered_date, p.payment_id, p.payment_date, p.amount,
           coalesce(date_diff('day', s.created_date, p.payment_date) BETWEEN 0 AND $window_days, false)
               AS soon_after_created
    FROM sup AS s JOIN paid AS p ON p.supplier_id = s.supplier_id
    WHERE p.amount >= $min_amount
      AND (date_diff('day', s.created_date, p.payment_date) BETWEEN 0 AND $window_days
           OR date_diff('day', s.registered_date, p.payment_date) BETWEEN 0 AND $window_days)
)
SELECT 'supplier' AS subject_type,
       supplier_id AS subject_id,
       sum(amount) AS amount_at_risk,
       list_concat(['suppliers:' || supplier_id], list_sort(list('payments:' || payment_id))) AS evidence_keys,
       CASE WHEN bool_or(soon_after_created) THEN 'created' ELSE 'registered' END AS explanation_key,
       name,
       created_date,
       registered_date,
       min(payment_date) AS first_payment,
       count(*) AS payments,
       sum(amount) AS paid
FROM large
GROUP BY supplier_id, name, created_date, registered_date
""",
        explanation={
            "created": _(
                "%(name)s was set up as a supplier on %(created_date)s and was paid %(paid)s from "
                "%(first_payment)s (number of large payments: %(payments)s)."
            ),
            "registered": _(
                "%(name)s was registered as a company on %(registered_date)s and was paid %(paid)s from "
                "%(first_payment)s (number of large payments: %(payments)s)."
            ),
        },
    )
)
