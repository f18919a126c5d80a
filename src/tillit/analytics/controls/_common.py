"""What more than one control module declares alike: the legal ground of internal control and the
evidence columns shown for invoices, payments, suppliers and employees. Registers no control."""

from __future__ import annotations

from tillit.analytics.i18n import gettext_noop as _

LEGAL_GROUND = _(
    "Local Government Act (2017:725) ch. 6 sec. 6: every board must ensure that its internal "
    "control is sufficient and that its funds are managed securely."
)
INVOICE_EVIDENCE = (
    "supplier_id",
    "invoice_number",
    "invoice_date",
    "amount",
    "ocr_reference",
    "bank_account",
    "board",
    "registered_by",
    "attested_by",
)
PAYMENT_EVIDENCE = (
    "payment_date",
    "amount",
    "bank_account",
    "invoice_id",
    "payee_id",
    "payee_name",
    "source",
)
SUPPLIER_EVIDENCE = (
    "name",
    "orgnr",
    "address",
    "postal_code",
    "city",
    "country",
    "created_date",
    "created_by",
)
EMPLOYEE_EVIDENCE = ("name", "unit", "role", "employed_from", "employed_to", "politician")
