"""Readable names of the canonical columns (English source strings; the web app shows them in Swedish).

The data-set schema names columns for code (`supplier_id`); people read `Leverantörsnummer`.
Evidence tables, the import preview and the data-set pages show these labels, with the code
name beside them where a user needs it to map a file.
"""

from __future__ import annotations

from tillit.analytics.i18n import gettext_noop as _

COLUMN_LABELS: dict[str, str] = {
    "supplier_id": _("Supplier number"), "name": _("Name"), "orgnr": _("Organisation number"),
    "address": _("Address"), "postal_code": _("Postal code"), "city": _("City"), "country": _("Country"),
    "created_date": _("Created on"), "created_by": _("Created by"), "bank_account": _("Bank account"),
    "valid_from": _("Valid from"), "valid_to": _("Valid to"), "changed_by": _("Changed by"),
    "invoice_id": _("Invoice id"), "invoice_number": _("Invoice number"), "invoice_date": _("Invoice date"),
    "amount": _("Amount"), "vat_amount": _("VAT amount"), "due_date": _("Due date"),
    "received_date": _("Received on"), "ocr_reference": _("OCR reference"), "board": _("Board"),
    "unit": _("Unit"), "account": _("Account"), "description": _("Description"), "attested_by": _("Attested by"),
    "registered_by": _("Registered by"), "contract_id": _("Contract id"), "order_id": _("Order id"),
    "payment_id": _("Payment id"), "payment_date": _("Payment date"), "payee_id": _("Payee id"),
    "payee_name": _("Payee"), "source": _("Source"), "supplier_orgnr": _("Supplier's organisation number"),
    "value": _("Value"), "procurement": _("Procurement"), "category": _("Category"),
    "checked_date": _("Checked on"), "f_tax": _("F-tax"), "vat_registered": _("Registered for VAT"),
    "employer_registered": _("Registered as employer"), "tax_debt": _("Tax debt"), "status": _("Status"),
    "status_date": _("Status date"), "registered_date": _("Registered on"), "personnummer": _("Personnummer"),
    "role": _("Role"), "employee_id": _("Employee id"), "employed_from": _("Employed from"),
    "employed_to": _("Employed to"), "politician": _("Elected official"), "grant_id": _("Grant id"),
    "recipient_orgnr": _("Recipient's organisation number"), "recipient_name": _("Recipient"),
    "period_from": _("Period from"), "period_to": _("Period to"), "purpose": _("Purpose"),
    "decided_date": _("Decided on"), "paid_date": _("Paid on"), "reported_members": _("Reported members"),
    "reported_activities": _("Reported activities"), "household_id": _("Household id"),
    "applicant": _("Applicant"), "co_applicant": _("Co-applicant"), "period": _("Period"),
    "apartment": _("Apartment"), "household_size": _("Household size"), "registered_from": _("Registered from"),
    "birth_date": _("Date of birth"), "visit_id": _("Visit id"), "provider_orgnr": _("Provider's organisation number"),
    "client": _("Care recipient"), "staff_id": _("Staff id"), "start": _("Start"), "end": _("End"),
    "billed_minutes": _("Billed minutes"), "service": _("Service"), "decision_id": _("Decision id"),
    "granted_minutes_per_month": _("Granted minutes per month"), "permit_id": _("Permit id"),
    "holder": _("Holder"), "voucher_id": _("Voucher id"), "voucher_date": _("Voucher date"), "series": _("Series"),
    "text": _("Text"), "registered_at": _("Registered at"), "project": _("Project"),
    "municipality": _("Municipality"), "payment_ref": _("Payment reference"), "person": _("Person"),
    "invoice_ref": _("Invoice reference"), "supplier": _("Supplier"),
}


def column_label(name: str) -> str:
    """The English source label of a canonical column; the column's own name when it has none."""
    return COLUMN_LABELS.get(name, name)
