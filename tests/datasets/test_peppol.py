"""E-invoices (Peppol BIS Billing 3, UBL 2.1) into invoices and invoice_lines: `tillit import-peppol`
on the generator's e-invoices finds the inflated lines with INV-PRICE-OVER-CONTRACT; malformed files
are set aside with a Swedish reason naming the file, and nothing already imported changes.

The files are the generator's (analytics/peppol.py's invoice_xml, built from the BIS 3 syntax
binding; no official sample package is published on PyPI) and hand-made broken ones."""

from __future__ import annotations

import csv
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.conf import settings

from tillit.analytics import peppol
from tillit.analytics.runner import run_controls
from tillit.cli import main
from tillit.datasets.models import Snapshot
from tillit.datasets.services import current_sources, import_file


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from tillit.analytics.generate import generate

    folder = tmp_path_factory.mktemp("generated")
    generate(folder, scale=0.05, seed=3)
    return folder


def _registers(kommun_a, folder: Path) -> None:
    # the supplier register, the contracts and their prices, as the municipality has them
    for name in ("suppliers", "contracts", "contract_prices"):
        import_file(user=None, municipality=kommun_a, dataset=name, path=folder / f"{name}.csv")


def _state(municipality) -> tuple:
    """Everything an import could change: snapshot rows and the Parquet files on disk."""
    files = sorted(p.name for p in Path(settings.SNAPSHOT_DIR).rglob("*.parquet"))
    return list(
        Snapshot.objects.filter(municipality=municipality)
        .order_by("pk")
        .values_list("pk", "rows", "replaced_by", "retired_at")
    ), files


def _rows(snapshot: Snapshot) -> list[dict]:
    return pq.read_table(Path(settings.SNAPSHOT_DIR) / snapshot.parquet_path).to_pylist()


def test_generated_e_invoices_import_and_the_inflated_lines_are_found(kommun_a, generated, capsys):
    folder = generated
    files = sorted((folder / "peppol").glob("*.xml"))
    assert len(files) >= 10
    _registers(kommun_a, folder)
    assert main(["import-peppol", str(folder / "peppol")]) == 0
    out = capsys.readouterr().out
    assert f"{len(files)} e-fakturor med " in out and "lästes in från" in out

    invoices = Snapshot.objects.get(dataset="invoices")
    lines = Snapshot.objects.get(dataset="invoice_lines")
    inv_rows, line_rows = _rows(invoices), _rows(lines)
    assert len(inv_rows) == len(files)
    # the same invoices as the ledger's file: supplier record, number, date, amounts, account, contract
    with (folder / "invoices.csv").open(encoding="cp1252", newline="") as fh:
        ledger = {r["invoice_number"]: r for r in csv.DictReader(fh, delimiter=";")}
    supplier_orgnr = {}
    with (folder / "suppliers.csv").open(encoding="cp1252", newline="") as fh:
        for r in csv.DictReader(fh, delimiter=";"):
            supplier_orgnr[r["supplier_id"]] = r["orgnr"].replace("-", "")
    for row in inv_rows:
        source = ledger[row["invoice_number"]]
        assert (
            row["invoice_id"]
            == f"EI-{supplier_orgnr[source['supplier_id']]}-{row['invoice_number']}"
        )
        assert (row["supplier_id"], row["invoice_date"].isoformat()) == (
            source["supplier_id"],
            source["invoice_date"],
        )
        assert row["amount"] == Decimal(source["amount"].replace(",", "."))
        assert row["vat_amount"] == Decimal(source["vat_amount"].replace(",", "."))
        assert (row["contract_id"], row["ocr_reference"]) == (
            source["contract_id"],
            source["ocr_reference"],
        )
        assert row["bank_account"].startswith("BG:") and row["bank_account_valid"]
    with (folder / "invoice_lines.csv").open(encoding="utf-8", newline="") as fh:
        csv_lines = list(csv.DictReader(fh))
    assert len(line_rows) == len(csv_lines)
    assert {(r["article"], r["unit"], r["unit_price"]) for r in line_rows} == {
        (r["article"], r["unit"], Decimal(r["unit_price"])) for r in csv_lines
    }

    # INV-PRICE-OVER-CONTRACT on what was imported finds the generator's inflated invoices
    sources = {
        name: source for name, (source, _ids) in current_sources(municipality=kommun_a).items()
    }
    result = run_controls(sources, ["INV-PRICE-OVER-CONTRACT"])
    assert [(c.not_applicable, c.error) for c in result.controls] == [(None, None)]
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    by_id = {}
    with (folder / "invoices.csv").open(encoding="cp1252", newline="") as fh:
        for r in csv.DictReader(fh, delimiter=";"):
            by_id[r["invoice_id"]] = r
    expected = {}
    for case in truth["cases"]:
        if case["control_id"] == "INV-PRICE-OVER-CONTRACT":
            source = by_id[case["subject_id"]]
            key = f"EI-{supplier_orgnr[source['supplier_id']]}-{source['invoice_number']}"
            expected[key] = Decimal(case["amount_at_risk"])
    assert len(expected) >= 2
    assert {h.subject_id: h.amount_at_risk for h in result.hits} == expected


def test_e_invoices_the_ledger_already_holds_add_only_their_lines(kommun_a, generated, capsys):
    folder = generated
    files = sorted((folder / "peppol").glob("*.xml"))
    _registers(kommun_a, folder)
    import_file(user=None, municipality=kommun_a, dataset="invoices", path=folder / "invoices.csv")
    ledger_rows = Snapshot.objects.get(dataset="invoices").rows
    assert main(["import-peppol", str(folder / "peppol")]) == 0
    out = capsys.readouterr().out
    assert f"{len(files)} e-fakturor fanns redan bland leverantörsfakturorna" in out
    # one invoice, never a duplicate: no e-invoice row beside the ledger's, the lines under its ids
    assert list(Snapshot.objects.filter(dataset="invoices").values_list("rows", flat=True)) == [
        ledger_rows
    ]
    lines = _rows(Snapshot.objects.get(dataset="invoice_lines"))
    assert lines and all(r["invoice_id"].startswith("F") for r in lines)
    sources = {
        name: source for name, (source, _ids) in current_sources(municipality=kommun_a).items()
    }
    result = run_controls(sources, ["INV-PRICE-OVER-CONTRACT"])
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    expected = {
        c["subject_id"]: Decimal(c["amount_at_risk"])
        for c in truth["cases"]
        if c["control_id"] == "INV-PRICE-OVER-CONTRACT"
    }
    assert {h.subject_id: h.amount_at_risk for h in result.hits} == expected
    decoys = [d for d in truth["decoys"] if d["control_id"] == "INV-PRICE-OVER-CONTRACT"]
    assert decoys and not {k for d in decoys for k in d["evidence_keys"]} & {
        k for h in result.hits for k in h.evidence_keys
    }


def _xml(number: str, orgnr: str, article: str = "STÄD-H") -> bytes:
    from datetime import date

    return peppol.invoice_xml(
        number=number,
        issue_date=date(2025, 5, 6),
        due_date=date(2025, 6, 5),
        seller=peppol.Party("Glans AB", orgnr, "Gatan 1", "Ort", "12345"),
        buyer=peppol.Party("Kommun A", "2120009994", "Stadshuset", "Ort", "12345"),
        buyer_reference="E1",
        contract_id="K1",
        order_id="IO-7",
        bankgiro="5050-1055",
        payment_id="4711",
        vat_percent=25,
        lines=[
            peppol.Line(
                1, article, "Städ", Decimal("10"), "HUR", Decimal("450.00"), Decimal("4500.00")
            )
        ],
    )


SUPPLIERS = "supplier_id;name;orgnr\nL1;Glans AB;556677-8899\nL2;Glans Aktiebolag;5566778899\n"


def test_malformed_files_in_a_zip_are_set_aside_with_a_swedish_reason_and_nothing_else_changes(
    kommun_a, tmp_path, capsys
):
    (tmp_path / "suppliers.csv").write_text(SUPPLIERS, encoding="utf-8")
    import_file(
        user=None, municipality=kommun_a, dataset="suppliers", path=tmp_path / "suppliers.csv"
    )
    (tmp_path / "invoices.csv").write_text(
        "invoice_id;supplier_id;invoice_number;invoice_date;amount\n1;L2;A-1;2025-05-06;100,00\n",
        encoding="utf-8",
    )
    import_file(
        user=None, municipality=kommun_a, dataset="invoices", path=tmp_path / "invoices.csv"
    )
    before = _state(kommun_a)
    good = _xml("F-100", "5566778899")
    credit = (
        good.replace(b"<Invoice ", b"<CreditNote ", 1)
        .replace(b"</Invoice>", b"</CreditNote>")
        .replace(peppol.UBL_INVOICE.encode(), peppol.UBL_CREDIT_NOTE.encode())
        .replace(b"InvoiceLine>", b"CreditNoteLine>")
        .replace(b"InvoicedQuantity", b"CreditedQuantity")
        .replace(b"<cbc:ID>F-100</cbc:ID>", b"<cbc:ID>K-100</cbc:ID>")
        .replace(
            b"<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>",
            b"<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>",
        )
    )
    archive = tmp_path / "e-fakturor.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("ok/faktura-100.xml", good)
        zf.writestr("ok/kredit-100.xml", credit)
        zf.writestr("trasig.xml", good[:300])
        zf.writestr(
            "entiteter.xml",
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Invoice>&a;</Invoice>',
        )
        zf.writestr(
            "order.xml", b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>'
        )
        zf.writestr(
            "utan-orgnr.xml", good.replace(b'schemeID="0007">5566778899<', b'schemeID="0007"><')
        )
        zf.writestr("okand-leverantor.xml", _xml("F-200", "5560000001"))
        zf.writestr("dubblett.xml", good)
        zf.writestr("readme.txt", b"not an invoice")
    assert main(["import-peppol", str(archive)]) == 0
    out = capsys.readouterr().out
    assert "6 filer lades åt sidan och lästes inte in:" in out
    for name, reason in [
        ("trasig.xml", "är inte välformad XML"),
        ("entiteter.xml", "DTD"),
        ("order.xml", "är inte en UBL 2.1 Invoice eller CreditNote"),
        ("utan-orgnr.xml", "Säljarens organisationsnummer"),
        ("okand-leverantor.xml", "5560000001"),
        # files are read by name: the second of two files with one invoice is set aside
        (
            "ok/faktura-100.xml",
            "Samma fakturanummer F-100 från 5566778899 finns också i dubblett.xml",
        ),
    ]:
        found = [x for x in out.splitlines() if f"Filen {name} " in x]
        assert len(found) == 1 and reason in found[0], out
    # the earlier snapshots are as they were; two snapshots were added beside them
    after = _state(kommun_a)
    assert after[0][: len(before[0])] == before[0] and set(before[1]) <= set(after[1])
    invoices = Snapshot.objects.filter(dataset="invoices").latest("pk")
    rows = sorted(_rows(invoices), key=lambda r: r["invoice_number"])
    # the record the ledger used last for the organisation number (L2 holds the only invoice)
    assert [(r["invoice_id"], r["supplier_id"], r["amount"], r["order_id"]) for r in rows] == [
        ("EI-5566778899-F-100", "L2", Decimal("5625.00"), "IO-7"),
        ("EI-5566778899-K-100", "L2", Decimal("-5625.00"), "IO-7"),
    ]
    lines = sorted(
        _rows(Snapshot.objects.get(dataset="invoice_lines")), key=lambda r: r["invoice_id"]
    )
    assert [(r["invoice_id"], r["quantity"], r["unit_price"], r["line_amount"]) for r in lines] == [
        ("EI-5566778899-F-100", Decimal("10.00"), Decimal("450.00"), Decimal("4500.00")),
        ("EI-5566778899-K-100", Decimal("-10.00"), Decimal("450.00"), Decimal("-4500.00")),
    ]
    # the same zip again is refused as already imported, and nothing changes
    state = _state(kommun_a)
    assert main(["import-peppol", str(archive)]) == 1
    assert "lästes redan in som ögonblicksbild" in capsys.readouterr().err
    assert _state(kommun_a) == state


def test_a_folder_with_no_readable_e_invoice_imports_nothing(kommun_a, tmp_path, capsys):
    (tmp_path / "xml").mkdir()
    (tmp_path / "xml" / "a.xml").write_bytes(b"<Invoice")
    before = _state(kommun_a)
    assert main(["import-peppol", str(tmp_path / "xml")]) == 1
    captured = capsys.readouterr()
    assert "Ingen av de 1 e-fakturorna" in captured.err and "Filen a.xml " in captured.err
    assert _state(kommun_a) == before


def test_the_web_upload_takes_a_zip_of_e_invoices_as_supplier_invoices(
    personas, kommun_a, login, client, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    (tmp_path / "suppliers.csv").write_text(SUPPLIERS, encoding="utf-8")
    import_file(
        user=None, municipality=kommun_a, dataset="suppliers", path=tmp_path / "suppliers.csv"
    )
    archive = tmp_path / "e.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("f-1.xml", _xml("F-1", "5566778899"))
        zf.writestr("trasig.xml", b"<Invoice")
    login(client, personas["controller"])
    response = client.post(
        "/data/ladda-upp/",
        {"dataset": "invoices", "file": SimpleUploadedFile("e.zip", archive.read_bytes())},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Filen trasig.xml lades åt sidan: Filen är inte välformad XML" in page
    assert Snapshot.objects.get(dataset="invoice_lines").rows == 1
    # a zip with nothing to import: the reasons beside the form, and nothing imported
    with zipfile.ZipFile(tmp_path / "tom.zip", "w") as zf:
        zf.writestr("trasig.xml", b"<Invoice")
    before = _state(kommun_a)
    response = client.post(
        "/data/ladda-upp/",
        {
            "dataset": "invoices",
            "file": SimpleUploadedFile("tom.zip", (tmp_path / "tom.zip").read_bytes()),
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert (
        "Ingen av de 1 e-fakturorna i tom.zip" in text and "Filen trasig.xml lades åt sidan" in text
    )
    assert _state(kommun_a) == before


def test_a_line_export_and_a_price_list_with_swedish_headers_import_through_the_aliases(
    kommun_a, tmp_path
):
    lines = tmp_path / "fakturarader.csv"
    lines.write_bytes(
        "Löpnr;Rad;Artikelnr;Benämning;Antal;Enhet;À-pris;Belopp exkl moms\n"
        "F1;1;STÄD-H;Städ, per timme;124,00;HUR;463,90;57 523,60\n".encode("cp1252")
    )
    prices = tmp_path / "avtalspriser.csv"
    prices.write_text(
        "Avtal;Artikel;Avtalat pris;Enhetskod;Giltig från;Giltig till\nK1;STÄD-H;420,00;HUR;2025-01-01;\n",
        encoding="utf-8",
    )
    a = import_file(user=None, municipality=kommun_a, dataset="invoice_lines", path=lines)
    b = import_file(user=None, municipality=kommun_a, dataset="contract_prices", path=prices)
    [line] = _rows(a.snapshot)
    assert (line["invoice_id"], line["line_no"], line["article"], line["quantity"]) == (
        "F1",
        1,
        "STÄD-H",
        Decimal("124.00"),
    )
    assert (line["description"], line["unit"], line["unit_price"], line["line_amount"]) == (
        "Städ, per timme",
        "HUR",
        Decimal("463.90"),
        Decimal("57523.60"),
    )
    [price] = _rows(b.snapshot)
    assert (price["contract_id"], price["unit_price"], price["valid_to"]) == (
        "K1",
        Decimal("420.00"),
        None,
    )


# The top-level elements of a UBL 2.1 Invoice in the order of the schema's sequence (the ones
# BIS 3 uses), and rules of the BIS 3 specification checked on the generator's files (no official
# Schematron run: see docs/cli.md).
UBL_INVOICE_ORDER = [
    "CustomizationID",
    "ProfileID",
    "ID",
    "IssueDate",
    "DueDate",
    "InvoiceTypeCode",
    "Note",
    "TaxPointDate",
    "DocumentCurrencyCode",
    "TaxCurrencyCode",
    "AccountingCost",
    "BuyerReference",
    "InvoicePeriod",
    "OrderReference",
    "BillingReference",
    "DespatchDocumentReference",
    "ReceiptDocumentReference",
    "OriginatorDocumentReference",
    "ContractDocumentReference",
    "AdditionalDocumentReference",
    "ProjectReference",
    "AccountingSupplierParty",
    "AccountingCustomerParty",
    "PayeeParty",
    "TaxRepresentativeParty",
    "Delivery",
    "PaymentMeans",
    "PaymentTerms",
    "AllowanceCharge",
    "TaxTotal",
    "LegalMonetaryTotal",
    "InvoiceLine",
]


def test_the_generators_e_invoices_keep_the_bis_3_rules_checked_here(generated):
    from defusedxml.ElementTree import fromstring
    from stdnum import luhn

    ns = peppol.NS
    files = sorted((generated / "peppol").glob("*.xml"))
    assert files
    for path in files:
        root = fromstring(path.read_bytes())
        assert root.tag == f"{{{peppol.UBL_INVOICE}}}Invoice"
        names = [child.tag.rsplit("}", 1)[1] for child in root]
        positions = [UBL_INVOICE_ORDER.index(n) for n in names]
        assert positions == sorted(positions), (path.name, names)
        assert root.findtext("cbc:CustomizationID", namespaces=ns) == peppol.CUSTOMIZATION_ID
        assert root.findtext("cbc:ProfileID", namespaces=ns) == peppol.PROFILE_ID
        assert root.findtext("cbc:InvoiceTypeCode", namespaces=ns) == "380"

        def amount(path_: str, node=root) -> Decimal:
            return Decimal(node.findtext(path_, namespaces=ns))

        lines = root.findall("cac:InvoiceLine", ns)
        # PEPPOL-EN16931-R120: a line's net amount is quantity × price (2 decimals)
        for line in lines:
            qty, price = (
                amount("cbc:InvoicedQuantity", line),
                amount("cac:Price/cbc:PriceAmount", line),
            )
            assert amount("cbc:LineExtensionAmount", line) == (qty * price).quantize(
                Decimal("0.01")
            )
            assert line.find("cbc:InvoicedQuantity", ns).get("unitCode") in ("HUR", "EA")
        # BR-CO-10, BR-CO-13, BR-CO-15 and BR-CO-14: the document's sums
        net = sum(amount("cbc:LineExtensionAmount", line) for line in lines)
        assert amount("cac:LegalMonetaryTotal/cbc:LineExtensionAmount") == net
        assert amount("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount") == net
        vat = amount("cac:TaxTotal/cbc:TaxAmount")
        assert amount("cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount") == vat
        assert amount("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount") == net + vat
        assert amount("cac:LegalMonetaryTotal/cbc:PayableAmount") == net + vat
        # every amount in SEK, the document's currency
        assert {e.get("currencyID") for e in root.iter() if e.get("currencyID")} == {"SEK"}
        seller = root.find("cac:AccountingSupplierParty/cac:Party", ns)
        legal = seller.find("cac:PartyLegalEntity/cbc:CompanyID", ns)
        # SE-R-003/SE-R-004: the VAT number SE + 10 digits + 01, the legal id 10 digits (Luhn)
        assert legal.get("schemeID") == "0007" and legal.text.isdigit() and len(legal.text) == 10
        assert luhn.is_valid(legal.text)
        vat_ids = [e.text for e in seller.findall("cac:PartyTaxScheme/cbc:CompanyID", ns)]
        assert f"SE{legal.text}01" in vat_ids and "Godkänd för F-skatt" in vat_ids
        # SE-R-007: a bankgiro number of 7 or 8 digits with the branch SE:BANKGIRO
        account = root.find("cac:PaymentMeans/cac:PayeeFinancialAccount", ns)
        assert (
            account.findtext("cac:FinancialInstitutionBranch/cbc:ID", namespaces=ns)
            == "SE:BANKGIRO"
        )
        number = account.findtext("cbc:ID", namespaces=ns)
        assert number.isdigit() and len(number) in (7, 8)


def test_an_xlsx_of_supplier_invoices_is_a_spreadsheet_not_a_zip_of_e_invoices(
    personas, kommun_a, login, client, tmp_path
):
    """An XLSX workbook is a zip as well; it goes to the preview of an ordinary import."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    from tillit.datasets.models import ImportAttempt

    book = Workbook()
    book.active.append(["invoice_id", "supplier_id", "invoice_number", "invoice_date", "amount"])
    book.active.append(["V1", "10001", "F-1", "2025-01-03", 100])
    book.save(tmp_path / "fakturor.xlsx")
    before = _state(kommun_a)
    login(client, personas["controller"])
    response = client.post(
        "/data/ladda-upp/",
        {
            "dataset": "invoices",
            "file": SimpleUploadedFile("fakturor.xlsx", (tmp_path / "fakturor.xlsx").read_bytes()),
        },
    )
    attempt = ImportAttempt.objects.get(source_name="fakturor.xlsx")
    assert response.status_code == 302 and response["Location"] == f"/data/inlasning/{attempt.pk}/"
    assert _state(kommun_a) == before  # nothing imported before the preview is confirmed
