"""E-invoices in Peppol BIS Billing 3 (UBL 2.1 Invoice and CreditNote XML) as rows of the canonical
data sets invoices and invoice_lines (shared/spec/data.md, "invoice_lines").

Swedish public bodies receive their supplier invoices as Peppol BIS Billing 3 (Svefaktura before
it). `read` takes a folder or a zip of such files and gives, per well-formed file, one invoice with
its lines; a file that cannot be read as one (not XML, XML with a DTD or entities, not a UBL
Invoice or CreditNote, a required element missing, a date or amount that is not one) is set aside
with a Swedish reason naming the file, and the others are read. `rows` turns the invoices into rows
of the two data sets once the seller's organisation number has been matched to a supplier record.
`invoice_xml` writes such a file (the generator's e-invoices, generate/_second.py).

The elements read (BIS 3 business terms in brackets):

- invoice number cbc:ID (BT-1), cbc:IssueDate (BT-2), cbc:DueDate (BT-9; else the payment terms'
  cac:PaymentMeans/cbc:PaymentDueDate), cbc:DocumentCurrencyCode (BT-5; only SEK is taken)
- seller's organisation number cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/
  cbc:CompanyID (BT-30)
- contract cac:ContractDocumentReference/cbc:ID (BT-12), order cac:OrderReference/cbc:ID (BT-13)
- payee account cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID (BT-84) with the branch id
  SE:BANKGIRO or SE:PLUSGIRO (the Swedish usage), an IBAN otherwise; payment id (OCR) cbc:PaymentID
  (BT-83)
- amounts cac:LegalMonetaryTotal/cbc:PayableAmount (BT-115; incl. VAT), VAT cac:TaxTotal/
  cbc:TaxAmount (BT-110)
- lines cac:InvoiceLine or cac:CreditNoteLine: cbc:ID (BT-126), cbc:InvoicedQuantity or
  cbc:CreditedQuantity with @unitCode (BT-129, BT-130), cbc:LineExtensionAmount (BT-131),
  cac:Item/cbc:Name (BT-153), cac:Item/cac:SellersItemIdentification/cbc:ID (BT-155),
  cac:Price/cbc:PriceAmount (BT-146) per cac:Price/cbc:BaseQuantity (BT-149, default 1)

A credit note is stored as a negative invoice: its amount, VAT, quantities and line amounts negated.

The XML is untrusted: it is parsed with defusedxml (no DTDs, entities or external references), each
file may be at most MAX_FILE_BYTES and a zip at most MAX_ZIP_BYTES unpacked.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, SubElement, register_namespace, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from tillit.analytics import schema
from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.identifiers import normalise_orgnr

UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
NS = {"cac": CAC, "cbc": CBC}

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ZIP_BYTES = 2 * 1024 * 1024 * 1024
CENT = Decimal("0.01")

# the canonical columns of the two data sets, in their order (shared/spec/data.md)
INVOICE_COLUMNS = tuple(c.name for c in schema.get("invoices").columns)
LINE_COLUMNS = tuple(c.name for c in schema.get("invoice_lines").columns)


class PeppolError(Exception):
    """A file that is not a readable BIS 3 invoice: an English template and its values."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


@dataclass
class Line:
    line_no: int
    article: str
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    line_amount: Decimal


@dataclass
class EInvoice:
    """One e-invoice as read, before its seller is matched to a supplier record."""

    file: str
    orgnr: str
    seller_name: str
    number: str
    issue_date: date
    due_date: date | None
    amount: Decimal
    vat_amount: Decimal | None
    bank_account: str
    payment_id: str
    contract_id: str
    order_id: str
    note: str
    credit_note: bool
    lines: list[Line] = field(default_factory=list)

    @property
    def invoice_id(self) -> str:
        """`EI-<orgnr>-<invoice number>` (data.md), the number as the supplier wrote it."""
        return f"EI-{self.orgnr}-{self.number}"


@dataclass
class SetAside:
    """A file that was not imported, and why (an English template with its values)."""

    file: str
    message: str
    params: dict[str, Any]


@dataclass
class Batch:
    invoices: list[EInvoice] = field(default_factory=list)
    set_aside: list[SetAside] = field(default_factory=list)


# --- reading ---------------------------------------------------------------------------------------


def _files(path: Path) -> Iterator[tuple[str, bytes | None]]:
    """(name, content) of every .xml file in a folder (recursively) or a zip, by name; content None
    for a file larger than MAX_FILE_BYTES."""
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            if p.is_file() and p.suffix.lower() == ".xml":
                name = p.relative_to(path).as_posix()
                yield name, None if p.stat().st_size > MAX_FILE_BYTES else p.read_bytes()
        return
    with zipfile.ZipFile(path) as zf:
        infos = sorted(
            (i for i in zf.infolist() if not i.is_dir() and i.filename.lower().endswith(".xml")),
            key=lambda i: i.filename,
        )
        if sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
            raise PeppolError(
                _("The zip file %(file)s unpacks to more than %(limit)s bytes."),
                file=path.name,
                limit=MAX_ZIP_BYTES,
            )
        for info in infos:
            if info.file_size > MAX_FILE_BYTES:
                yield info.filename, None
                continue
            data = zf.read(info)
            yield info.filename, None if len(data) > MAX_FILE_BYTES else data


def read(path: Path) -> Batch:
    """Every e-invoice in a folder or zip (raises PeppolError when the path is neither)."""
    path = Path(path)
    if not path.is_dir() and not zipfile.is_zipfile(path):
        raise PeppolError(
            _("%(file)s is neither a folder nor a zip file of e-invoices."), file=path.name
        )
    batch = Batch()
    seen: dict[str, str] = {}
    for name, data in _files(path):
        try:
            if data is None:
                raise PeppolError(
                    _("The file is larger than %(limit)s bytes."), limit=MAX_FILE_BYTES
                )
            invoice = parse(name, data)
            if invoice.invoice_id in seen:
                raise PeppolError(
                    _("The same invoice number %(number)s from %(orgnr)s is also in %(other)s."),
                    number=invoice.number,
                    orgnr=invoice.orgnr,
                    other=seen[invoice.invoice_id],
                )
            seen[invoice.invoice_id] = name
            batch.invoices.append(invoice)
        except PeppolError as exc:
            batch.set_aside.append(SetAside(name, exc.message, exc.params))
    return batch


def _text(node: Element, path: str) -> str:
    found = node.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


def _required(node: Element, path: str, message: str) -> str:
    """The element's text; `message` (with %(element)s) says what is missing."""
    value = _text(node, path)
    if not value:
        raise PeppolError(message, element=path)
    return value


def _date(value: str, element: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PeppolError(
            _("%(element)s is not a date written YYYY-MM-DD: %(value)s."),
            element=element,
            value=value,
        ) from None


def _decimal(value: str, element: str) -> Decimal:
    try:
        d = Decimal(value)
    except InvalidOperation:
        d = Decimal("NaN")
    if not d.is_finite():
        raise PeppolError(
            _("%(element)s is not a number: %(value)s."), element=element, value=value
        )
    return d


def _account(means: Element | None) -> str:
    """The payee account in its typed form (data.md): BG:, PG:, IBAN:, else as written."""
    if means is None:
        return ""
    account = _text(means, "cac:PayeeFinancialAccount/cbc:ID")
    if not account:
        return ""
    branch = _text(means, "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID")
    branch = branch.upper().replace(" ", "")
    if branch in ("SE:BANKGIRO", "BANKGIRO"):
        return f"BG:{account}"
    if branch in ("SE:PLUSGIRO", "PLUSGIRO"):
        return f"PG:{account}"
    compact = re.sub(r"\s", "", account).upper()
    if re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", compact):
        return f"IBAN:{compact}"
    return account


def parse(name: str, data: bytes) -> EInvoice:
    """One BIS 3 Invoice or CreditNote (raises PeppolError naming what is wrong)."""
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise PeppolError(
            _("The file holds a DTD, entities or external references, which e-invoices never do.")
        ) from None
    except (ParseError, ValueError) as exc:
        raise PeppolError(
            _("The file is not well-formed XML: %(error)s."), error=str(exc)
        ) from None
    if root.tag == f"{{{UBL_INVOICE}}}Invoice":
        credit, line_tag, qty_tag = False, "cac:InvoiceLine", "cbc:InvoicedQuantity"
    elif root.tag == f"{{{UBL_CREDIT_NOTE}}}CreditNote":
        credit, line_tag, qty_tag = True, "cac:CreditNoteLine", "cbc:CreditedQuantity"
    else:
        raise PeppolError(
            _(
                "The file is not a UBL 2.1 Invoice or CreditNote (Peppol BIS Billing 3): its root is %(root)s."
            ),
            root=root.tag,
        )
    currency = _text(root, "cbc:DocumentCurrencyCode")
    if currency and currency.upper() != "SEK":
        raise PeppolError(
            _("The invoice is in %(currency)s; the data sets hold amounts in SEK."),
            currency=currency,
        )
    number = _required(root, "cbc:ID", _("The invoice number (%(element)s) is missing."))
    issue = _date(
        _required(root, "cbc:IssueDate", _("The invoice date (%(element)s) is missing.")),
        "cbc:IssueDate",
    )
    due_text = _text(root, "cbc:DueDate") or _text(root, "cac:PaymentMeans/cbc:PaymentDueDate")
    due = _date(due_text, "cbc:DueDate") if due_text else None
    party = "cac:AccountingSupplierParty/cac:Party"
    company = _required(
        root,
        f"{party}/cac:PartyLegalEntity/cbc:CompanyID",
        _("The seller's organisation number (%(element)s) is missing."),
    )
    orgnr = normalise_orgnr(company)
    if not orgnr.value:
        raise PeppolError(
            _("The seller's organisation number is not an organisation number: %(value)s."),
            value=company,
        )
    payable = _required(
        root,
        "cac:LegalMonetaryTotal/cbc:PayableAmount",
        _("The amount to pay (%(element)s) is missing."),
    )
    amount = _decimal(payable, "cbc:PayableAmount")
    vat_text = _text(root, "cac:TaxTotal/cbc:TaxAmount")
    vat = _decimal(vat_text, "cbc:TaxAmount") if vat_text else None
    means = root.find("cac:PaymentMeans", NS)
    sign = Decimal(-1) if credit else Decimal(1)
    invoice = EInvoice(
        file=name,
        orgnr=orgnr.value,
        seller_name=_text(root, f"{party}/cac:PartyLegalEntity/cbc:RegistrationName"),
        number=number,
        issue_date=issue,
        due_date=due,
        amount=(sign * abs(amount)).quantize(CENT),
        vat_amount=None if vat is None else (sign * abs(vat)).quantize(CENT),
        bank_account=_account(means),
        payment_id=_text(means, "cbc:PaymentID") if means is not None else "",
        contract_id=_text(root, "cac:ContractDocumentReference/cbc:ID"),
        order_id=_text(root, "cac:OrderReference/cbc:ID"),
        note=_text(root, "cbc:Note"),
        credit_note=credit,
    )
    elements = root.findall(line_tag, NS)
    if not elements:
        raise PeppolError(_("The invoice has no lines (%(element)s)."), element=line_tag)
    for position, el in enumerate(elements, 1):
        line_id = _text(el, "cbc:ID")
        qty_el = el.find(qty_tag, NS)
        if qty_el is None or not (qty_el.text or "").strip():
            raise PeppolError(
                _("Line %(line)s has no quantity (%(element)s)."),
                line=line_id or position,
                element=qty_tag,
            )
        quantity = _decimal((qty_el.text or "").strip(), qty_tag)
        line_amount = _decimal(
            _required(
                el, "cbc:LineExtensionAmount", _("A line's amount (%(element)s) is missing.")
            ),
            "cbc:LineExtensionAmount",
        )
        price = _decimal(
            _required(
                el, "cac:Price/cbc:PriceAmount", _("A line's price (%(element)s) is missing.")
            ),
            "cbc:PriceAmount",
        )
        base_text = _text(el, "cac:Price/cbc:BaseQuantity")
        base = _decimal(base_text, "cbc:BaseQuantity") if base_text else Decimal(1)
        if base <= 0:
            raise PeppolError(
                _("Line %(line)s has a base quantity that is not above 0: %(value)s."),
                line=line_id or position,
                value=base_text,
            )
        line_no = int(line_id) if line_id.isdigit() else position
        if credit:
            quantity, line_amount = -abs(quantity), -abs(line_amount)
        invoice.lines.append(
            Line(
                line_no=line_no,
                article=_text(el, "cac:Item/cac:SellersItemIdentification/cbc:ID"),
                description=_text(el, "cac:Item/cbc:Name"),
                quantity=quantity,
                unit=(qty_el.get("unitCode") or "").strip(),
                unit_price=(price / base).quantize(CENT),
                line_amount=line_amount.quantize(CENT),
            )
        )
    if len({line.line_no for line in invoice.lines}) != len(invoice.lines):
        raise PeppolError(_("Two lines of the invoice have the same line number."))
    return invoice


def normalised_number(number: str) -> str:
    """The normalised invoice number of controls.md: upper-case, letters and digits, no leading zeros."""
    return re.sub(r"[^0-9A-Z]", "", number.upper()).lstrip("0")


LedgerKey = tuple[str, str, Decimal]  # organisation number, normalised invoice number, amount


def rows(
    invoices: list[EInvoice],
    supplier_ids: Mapping[str, str],
    ledger: Mapping[LedgerKey, str] | None = None,
) -> tuple[list[dict[str, str]], list[dict[str, str]], list[SetAside], int]:
    """Rows of invoices and invoice_lines (as text, in the canonical columns) for the invoices whose
    seller has a supplier record (`supplier_ids`: organisation number -> supplier_id); the others
    are set aside, so that a supplier record is never invented. An e-invoice the ledger already
    holds (`ledger`: the same organisation number, normalised number and amount -> its invoice_id)
    is one invoice, never a duplicate: only its lines are given, under the ledger's invoice_id.
    The last value is the number of such e-invoices."""
    inv_rows: list[dict[str, str]] = []
    line_rows: list[dict[str, str]] = []
    set_aside: list[SetAside] = []
    in_ledger = 0
    for x in invoices:
        sid = supplier_ids.get(x.orgnr)
        if sid is None:
            set_aside.append(
                SetAside(
                    x.file,
                    _(
                        "No supplier in the supplier register has the organisation number %(orgnr)s "
                        "(%(name)s). Import the supplier register, or add the supplier, and import the file again."
                    ),
                    {"orgnr": x.orgnr, "name": x.seller_name or "-"},
                )
            )
            continue
        invoice_id = (ledger or {}).get((x.orgnr, normalised_number(x.number), x.amount))
        if invoice_id is not None:
            in_ledger += 1
        else:
            invoice_id = x.invoice_id
            inv_rows.append(_invoice_row(x, sid))
        for line in x.lines:
            line_rows.append(
                {
                    "invoice_id": invoice_id,
                    "line_no": str(line.line_no),
                    "article": line.article,
                    "description": line.description,
                    "quantity": str(line.quantity),
                    "unit": line.unit,
                    "unit_price": str(line.unit_price),
                    "line_amount": str(line.line_amount),
                }
            )
    return inv_rows, line_rows, set_aside, in_ledger


def _invoice_row(x: EInvoice, sid: str) -> dict[str, str]:
    return {
        "invoice_id": x.invoice_id,
        "supplier_id": sid,
        "invoice_number": x.number,
        "invoice_date": x.issue_date.isoformat(),
        "amount": str(x.amount),
        "vat_amount": "" if x.vat_amount is None else str(x.vat_amount),
        "due_date": x.due_date.isoformat() if x.due_date else "",
        "received_date": "",
        "bank_account": x.bank_account,
        "ocr_reference": x.payment_id,
        "board": "",
        "unit": "",
        "account": "",
        "description": x.note or (x.lines[0].description if x.lines else ""),
        "attested_by": "",
        "registered_by": "",
        "contract_id": x.contract_id,
        "order_id": x.order_id,
    }


# --- writing (the generator's e-invoices) ----------------------------------------------------------


@dataclass
class Party:
    name: str
    orgnr: str  # 10 digits
    street: str
    city: str
    postal_code: str


def _money(parent: Element, tag: str, value: Decimal) -> None:
    SubElement(parent, tag, currencyID="SEK").text = f"{value.quantize(CENT)}"


def _party(parent: Element, tag: str, p: Party, *, seller: bool) -> None:
    party = SubElement(SubElement(parent, f"{{{CAC}}}{tag}"), f"{{{CAC}}}Party")
    digits = re.sub(r"\D", "", p.orgnr)[-10:]
    # the Peppol participant id: ICD 0007 is the Swedish organisation number
    SubElement(party, f"{{{CBC}}}EndpointID", schemeID="0007").text = digits
    SubElement(SubElement(party, f"{{{CAC}}}PartyName"), f"{{{CBC}}}Name").text = p.name
    address = SubElement(party, f"{{{CAC}}}PostalAddress")
    SubElement(address, f"{{{CBC}}}StreetName").text = p.street
    SubElement(address, f"{{{CBC}}}CityName").text = p.city
    SubElement(address, f"{{{CBC}}}PostalZone").text = p.postal_code
    SubElement(SubElement(address, f"{{{CAC}}}Country"), f"{{{CBC}}}IdentificationCode").text = "SE"
    if seller:
        tax = SubElement(party, f"{{{CAC}}}PartyTaxScheme")
        SubElement(tax, f"{{{CBC}}}CompanyID").text = f"SE{digits}01"
        SubElement(SubElement(tax, f"{{{CAC}}}TaxScheme"), f"{{{CBC}}}ID").text = "VAT"
        # the Swedish rule SE-R-005: a Swedish seller states its F-tax approval
        tax = SubElement(party, f"{{{CAC}}}PartyTaxScheme")
        SubElement(tax, f"{{{CBC}}}CompanyID").text = "Godkänd för F-skatt"
        SubElement(SubElement(tax, f"{{{CAC}}}TaxScheme"), f"{{{CBC}}}ID").text = "TAX"
    legal = SubElement(party, f"{{{CAC}}}PartyLegalEntity")
    SubElement(legal, f"{{{CBC}}}RegistrationName").text = p.name
    # SE-R-003/SE-R-004: a Swedish legal entity's id is its 10 digits, with scheme 0007
    SubElement(legal, f"{{{CBC}}}CompanyID", schemeID="0007").text = digits


def invoice_xml(
    *,
    number: str,
    issue_date: date,
    due_date: date,
    seller: Party,
    buyer: Party,
    buyer_reference: str,
    contract_id: str,
    order_id: str,
    bankgiro: str,
    payment_id: str,
    vat_percent: int,
    lines: list[Line],
) -> bytes:
    """A Peppol BIS Billing 3 invoice (UBL 2.1) with the elements and order of the specification's
    syntax binding; one VAT category (S, or E at 0 %) for every line, amounts in SEK."""
    root = Element(f"{{{UBL_INVOICE}}}Invoice")
    SubElement(root, f"{{{CBC}}}CustomizationID").text = CUSTOMIZATION_ID
    SubElement(root, f"{{{CBC}}}ProfileID").text = PROFILE_ID
    SubElement(root, f"{{{CBC}}}ID").text = number
    SubElement(root, f"{{{CBC}}}IssueDate").text = issue_date.isoformat()
    SubElement(root, f"{{{CBC}}}DueDate").text = due_date.isoformat()
    SubElement(root, f"{{{CBC}}}InvoiceTypeCode").text = "380"
    SubElement(root, f"{{{CBC}}}DocumentCurrencyCode").text = "SEK"
    SubElement(root, f"{{{CBC}}}BuyerReference").text = buyer_reference
    if order_id:
        SubElement(SubElement(root, f"{{{CAC}}}OrderReference"), f"{{{CBC}}}ID").text = order_id
    if contract_id:
        ref = SubElement(root, f"{{{CAC}}}ContractDocumentReference")
        SubElement(ref, f"{{{CBC}}}ID").text = contract_id
    _party(root, "AccountingSupplierParty", seller, seller=True)
    _party(root, "AccountingCustomerParty", buyer, seller=False)
    means = SubElement(root, f"{{{CAC}}}PaymentMeans")
    SubElement(means, f"{{{CBC}}}PaymentMeansCode", name="Credit transfer").text = "30"
    SubElement(means, f"{{{CBC}}}PaymentID").text = payment_id
    account = SubElement(means, f"{{{CAC}}}PayeeFinancialAccount")
    # SE-R-007: a bankgiro number is its 7 or 8 digits
    SubElement(account, f"{{{CBC}}}ID").text = re.sub(r"\D", "", bankgiro)
    branch = SubElement(account, f"{{{CAC}}}FinancialInstitutionBranch")
    SubElement(branch, f"{{{CBC}}}ID").text = "SE:BANKGIRO"
    SubElement(SubElement(root, f"{{{CAC}}}PaymentTerms"), f"{{{CBC}}}Note").text = "30 dagar netto"
    net = sum((line.line_amount for line in lines), Decimal(0))
    vat = (net * vat_percent / 100).quantize(CENT, ROUND_HALF_UP)
    category = "S" if vat_percent else "E"
    tax_total = SubElement(root, f"{{{CAC}}}TaxTotal")
    _money(tax_total, f"{{{CBC}}}TaxAmount", vat)
    sub = SubElement(tax_total, f"{{{CAC}}}TaxSubtotal")
    _money(sub, f"{{{CBC}}}TaxableAmount", net)
    _money(sub, f"{{{CBC}}}TaxAmount", vat)
    cat = SubElement(sub, f"{{{CAC}}}TaxCategory")
    SubElement(cat, f"{{{CBC}}}ID").text = category
    SubElement(cat, f"{{{CBC}}}Percent").text = str(vat_percent)
    if category == "E":
        SubElement(cat, f"{{{CBC}}}TaxExemptionReason").text = "Momsfri omsorgstjänst"
    SubElement(SubElement(cat, f"{{{CAC}}}TaxScheme"), f"{{{CBC}}}ID").text = "VAT"
    totals = SubElement(root, f"{{{CAC}}}LegalMonetaryTotal")
    _money(totals, f"{{{CBC}}}LineExtensionAmount", net)
    _money(totals, f"{{{CBC}}}TaxExclusiveAmount", net)
    _money(totals, f"{{{CBC}}}TaxInclusiveAmount", net + vat)
    _money(totals, f"{{{CBC}}}PayableAmount", net + vat)
    for line in lines:
        el = SubElement(root, f"{{{CAC}}}InvoiceLine")
        SubElement(el, f"{{{CBC}}}ID").text = str(line.line_no)
        SubElement(el, f"{{{CBC}}}InvoicedQuantity", unitCode=line.unit).text = str(line.quantity)
        _money(el, f"{{{CBC}}}LineExtensionAmount", line.line_amount)
        item = SubElement(el, f"{{{CAC}}}Item")
        SubElement(item, f"{{{CBC}}}Name").text = line.description
        if line.article:
            sellers = SubElement(item, f"{{{CAC}}}SellersItemIdentification")
            SubElement(sellers, f"{{{CBC}}}ID").text = line.article
        item_cat = SubElement(item, f"{{{CAC}}}ClassifiedTaxCategory")
        SubElement(item_cat, f"{{{CBC}}}ID").text = category
        SubElement(item_cat, f"{{{CBC}}}Percent").text = str(vat_percent)
        SubElement(SubElement(item_cat, f"{{{CAC}}}TaxScheme"), f"{{{CBC}}}ID").text = "VAT"
        price = SubElement(el, f"{{{CAC}}}Price")
        _money(price, f"{{{CBC}}}PriceAmount", line.unit_price)
    # the document's namespace as the default one, as the specification's examples write it
    text = tostring(root, encoding="unicode")
    text = text.replace("<ubl:Invoice ", "<Invoice ", 1).replace("xmlns:ubl=", "xmlns=", 1)
    text = text.replace("</ubl:Invoice>", "</Invoice>")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + text.encode()


# the prefixes a reader of the XML expects
register_namespace("ubl", UBL_INVOICE)
register_namespace("cac", CAC)
register_namespace("cbc", CBC)
