"""The canonical data sets of docs/data.md (shared/spec/data.md), as code.

Names are a contract: importers, controls, the CLI and the tests use exactly
these data-set and column names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pyarrow as pa

from tillit.analytics.i18n import gettext_noop as _

ColumnType = Literal["str", "int", "decimal", "date", "datetime", "bool"]

# The one place a column type becomes a type of the importer's Parquet (Arrow), of the control SQL
# (DuckDB, and sqlglot's view of it) and of Spark. Timestamps are stored in UTC with Swedish local
# time known to the importer (ingest.TIMEZONE), so the Arrow type carries the zone.
ARROW_TYPES: dict[str, pa.DataType] = {
    "str": pa.string(),
    "int": pa.int64(),
    "decimal": pa.decimal128(18, 2),
    "date": pa.date32(),
    "datetime": pa.timestamp("us", tz="Europe/Stockholm"),
    "bool": pa.bool_(),
}
SQL_TYPES: dict[str, str] = {
    "str": "VARCHAR",
    "int": "BIGINT",
    "decimal": "DECIMAL(18,2)",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "bool": "BOOLEAN",
}
SPARK_TYPES: dict[str, str] = {
    "str": "string",
    "int": "bigint",
    "decimal": "decimal(18,2)",
    "date": "date",
    "datetime": "timestamp",
    "bool": "boolean",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType = "str"
    required: bool = False
    # kind of identifier held, so the importer can normalise and flag it
    identifier: Literal["personnummer", "orgnr", "bank_account", None] = None
    # the importer writes ``<name>_flag`` beside it: why the value is not what it claims to be
    # (for invoice numbers: 'excel', 'date', 'generic'), NULL when it is
    flagged: bool = False


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    title: str  # English source, translated in the UI
    columns: tuple[Column, ...]
    # the single-column primary key (first column in data.md), or None where
    # rows are referred to through the subject they belong to
    key: str | None
    # the date column that tells which period a row belongs to
    period_column: str | None = None
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _c(name: str, type: ColumnType = "str", req: bool = False, ident=None) -> Column:  # noqa: A002
    return Column(name=name, type=type, required=req, identifier=ident)


DATASETS: dict[str, DatasetSpec] = {}


def _add(spec: DatasetSpec) -> None:
    DATASETS[spec.name] = spec


_add(
    DatasetSpec(
        "suppliers",
        _("Supplier register"),
        (
            _c("supplier_id", req=True),
            _c("name", req=True),
            _c("orgnr", ident="orgnr"),
            _c("address"),
            _c("postal_code"),
            _c("city"),
            _c("country"),
            _c("created_date", "date"),
            _c("created_by"),
        ),
        key="supplier_id",
    )
)
_add(
    DatasetSpec(
        "supplier_accounts",
        _("Supplier bank accounts"),
        (
            _c("supplier_id", req=True),
            _c("bank_account", req=True, ident="bank_account"),
            _c("valid_from", "date", True),
            _c("valid_to", "date"),
            _c("changed_by"),
        ),
        key=None,
        period_column="valid_from",
    )
)
_add(
    DatasetSpec(
        "invoices",
        _("Supplier invoices"),
        (
            _c("invoice_id", req=True),
            _c("supplier_id", req=True),
            Column("invoice_number", required=True, flagged=True),
            _c("invoice_date", "date", True),
            _c("amount", "decimal", True),
            _c("vat_amount", "decimal"),
            _c("due_date", "date"),
            _c("received_date", "date"),
            _c("bank_account", ident="bank_account"),
            _c("ocr_reference"),
            _c("board"),
            _c("unit"),
            _c("account"),
            _c("description"),
            _c("attested_by"),
            _c("registered_by"),
            _c("contract_id"),
            _c("order_id"),
        ),
        key="invoice_id",
        period_column="invoice_date",
        # an AP export with one date and no payment date: that date is the invoice's (Nigrini's 'Date')
        aliases={
            "invoice_date": (
                "fakturadatum",
                "fakt datum",
                "invoice date",
                "dokumentdatum",
                "date",
                "datum",
            )
        },
    )
)
_add(
    DatasetSpec(
        "payments",
        _("Payments"),
        (
            _c("payment_id", req=True),
            _c("payment_date", "date", True),
            _c("amount", "decimal", True),
            _c("bank_account", req=True, ident="bank_account"),
            _c("invoice_id"),
            _c("payee_id"),
            _c("payee_name"),
            _c("source"),
        ),
        key="payment_id",
        period_column="payment_date",
    )
)
_add(
    DatasetSpec(
        "contracts",
        _("Contracts"),
        (
            _c("contract_id", req=True),
            _c("supplier_orgnr", req=True, ident="orgnr"),
            _c("valid_from", "date", True),
            _c("valid_to", "date"),
            _c("value", "decimal"),
            _c("procurement"),
            _c("category"),
            _c("board"),
            _c("checked_date", "date"),
        ),
        key="contract_id",
        period_column="valid_from",
    )
)
_add(
    DatasetSpec(
        "supplier_status",
        _("Supplier checks"),
        (
            _c("orgnr", req=True, ident="orgnr"),
            _c("checked_date", "date", True),
            _c("f_tax", "bool"),
            _c("vat_registered", "bool"),
            _c("employer_registered", "bool"),
            _c("tax_debt", "decimal"),
            _c("status"),
            _c("status_date", "date"),
            _c("registered_date", "date"),
        ),
        key=None,
        period_column="checked_date",
    )
)
_add(
    DatasetSpec(
        "company_roles",
        _("Company representatives and beneficial owners"),
        (
            _c("orgnr", req=True, ident="orgnr"),
            _c("personnummer", req=True, ident="personnummer"),
            _c("role", req=True),
            _c("valid_from", "date"),
            _c("valid_to", "date"),
            _c("name"),
        ),
        key=None,
    )
)
_add(
    DatasetSpec(
        "employees",
        _("Employees and elected representatives"),
        (
            _c("employee_id", req=True),
            _c("personnummer", req=True, ident="personnummer"),
            _c("name"),
            _c("address"),
            _c("postal_code"),
            _c("bank_account", ident="bank_account"),
            _c("unit"),
            _c("role"),
            _c("employed_from", "date"),
            _c("employed_to", "date"),
            _c("politician", "bool"),
        ),
        key="employee_id",
    )
)
_add(
    DatasetSpec(
        "grants",
        _("Grants"),
        (
            _c("grant_id", req=True),
            _c("board", req=True),
            _c("recipient_orgnr", req=True, ident="orgnr"),
            _c("recipient_name", req=True),
            _c("amount", "decimal", True),
            _c("period_from", "date", True),
            _c("period_to", "date", True),
            _c("purpose"),
            _c("decided_date", "date"),
            _c("paid_date", "date"),
            _c("bank_account", ident="bank_account"),
            _c("reported_members", "int"),
            _c("reported_activities", "int"),
        ),
        key="grant_id",
        period_column="period_from",
    )
)
_add(
    DatasetSpec(
        "benefit_payments",
        _("Economic assistance payments"),
        (
            _c("payment_id", req=True),
            _c("household_id", req=True),
            _c("applicant", req=True, ident="personnummer"),
            _c("co_applicant", ident="personnummer"),
            _c("period", req=True),
            _c("amount", "decimal", True),
            _c("paid_date", "date", True),
            _c("bank_account", ident="bank_account"),
            _c("address"),
            _c("postal_code"),
            _c("apartment"),
            _c("household_size", "int"),
        ),
        key="payment_id",
        period_column="paid_date",
    )
)
_add(
    DatasetSpec(
        "population",
        _("Population register extract"),
        (
            _c("personnummer", req=True, ident="personnummer"),
            _c("name"),
            _c("address"),
            _c("postal_code"),
            _c("apartment"),
            _c("registered_from", "date"),
            _c("status", req=True),
            _c("status_date", "date"),
            _c("birth_date", "date"),
        ),
        key="personnummer",
    )
)
_add(
    DatasetSpec(
        "care_visits",
        _("Home care visits"),
        (
            _c("visit_id", req=True),
            _c("provider_orgnr", req=True, ident="orgnr"),
            _c("client", req=True, ident="personnummer"),
            _c("staff_id", req=True),
            _c("start", "datetime", True),
            _c("end", "datetime", True),
            _c("billed_minutes", "int"),
            _c("service"),
        ),
        key="visit_id",
        period_column="start",
    )
)
_add(
    DatasetSpec(
        "care_decisions",
        _("Home care decisions"),
        (
            _c("decision_id", req=True),
            _c("client", req=True, ident="personnummer"),
            _c("provider_orgnr", req=True, ident="orgnr"),
            _c("valid_from", "date", True),
            _c("valid_to", "date"),
            _c("granted_minutes_per_month", "int", True),
            _c("service"),
        ),
        key="decision_id",
        period_column="valid_from",
    )
)
_add(
    DatasetSpec(
        "parking_permits",
        _("Parking permits for disabled persons"),
        (
            _c("permit_id", req=True),
            _c("holder", req=True, ident="personnummer"),
            _c("valid_from", "date", True),
            _c("valid_to", "date", True),
        ),
        key="permit_id",
        period_column="valid_from",
    )
)
_add(
    DatasetSpec(
        "ledger",
        _("General ledger"),
        (
            _c("voucher_id", req=True),
            _c("voucher_date", "date", True),
            _c("account", req=True),
            _c("amount", "decimal", True),
            _c("series"),
            _c("text"),
            _c("registered_by"),
            _c("registered_at", "datetime"),
            _c("unit"),
            _c("project"),
        ),
        key=None,
        period_column="voucher_date",
    )
)

# The second control family (issue 18): the checks of providers' key persons.
_add(
    DatasetSpec(
        "provider_checks",
        _("Checks of providers' key persons"),
        (
            _c("orgnr", req=True, ident="orgnr"),
            _c("personnummer", req=True, ident="personnummer"),
            _c("check_type", req=True),
            _c("checked_date", "date", True),
            _c("result", req=True),
        ),
        key=None,
        period_column="checked_date",
        aliases={
            "check_type": ("kontrolltyp", "typ av kontroll", "kontroll", "check"),
            "checked_date": ("kontrolldatum", "kontrollerad", "datum for kontroll", "check date"),
            "result": ("resultat", "utfall", "outcome"),
        },
    )
)
_add(
    DatasetSpec(
        "placements",
        _("Placements (HVB, family homes, supported housing, sheltered housing)"),
        (
            _c("placement_id", req=True),
            _c("client", req=True, ident="personnummer"),
            _c("provider_orgnr", req=True, ident="orgnr"),
            _c("kind", req=True),
            _c("valid_from", "date", True),
            _c("valid_to", "date"),
            _c("daily_rate", "decimal", True),
        ),
        key="placement_id",
        period_column="valid_from",
        aliases={
            "placement_id": ("placering", "placeringsnummer", "placerings id", "placering id"),
            "client": ("klient", "barn", "personnummer", "pnr"),
            "provider_orgnr": ("utforare", "utforarens orgnr", "anordnare", "leverantor orgnr"),
            "kind": ("placeringsform", "typ", "boendeform"),
            "daily_rate": ("dygnspris", "dygnskostnad", "pris per dygn", "dygnsersattning"),
        },
    )
)
_add(
    DatasetSpec(
        "placement_billing",
        _("Billed placement days"),
        (
            _c("billing_id", req=True),
            _c("placement_id", req=True),
            _c("invoice_id"),
            _c("client", req=True, ident="personnummer"),
            _c("provider_orgnr", req=True, ident="orgnr"),
            _c("days_from", "date", True),
            _c("days_to", "date", True),
            _c("amount", "decimal", True),
        ),
        key="billing_id",
        period_column="days_from",
        aliases={
            "billing_id": ("debitering", "debiteringsid", "fakturarad"),
            "placement_id": ("placering", "placeringsnummer", "placerings id", "placering id"),
            "client": ("klient", "barn", "personnummer", "pnr"),
            "provider_orgnr": ("utforare", "utforarens orgnr", "anordnare", "leverantor orgnr"),
            "days_from": ("fran och med", "fran datum", "from", "period fran"),
            "days_to": ("till och med", "till datum", "tom", "period till"),
            "amount": ("belopp", "fakturerat belopp", "summa"),
        },
    )
)
_add(
    DatasetSpec(
        "housing_adaptations",
        _("Housing adaptation grants"),
        (
            _c("grant_id", req=True),
            _c("applicant", req=True, ident="personnummer"),
            _c("address", req=True),
            _c("postal_code", req=True),
            _c("apartment"),
            _c("work_type", req=True),
            _c("contractor_orgnr", ident="orgnr"),
            _c("amount", "decimal", True),
            _c("decided_date", "date", True),
            _c("paid_date", "date"),
        ),
        key="grant_id",
        period_column="decided_date",
        aliases={
            "grant_id": ("arende", "arendenummer", "dnr", "diarienummer", "bidrag id"),
            "applicant": ("sokande", "sokandes personnummer", "personnummer", "pnr"),
            "apartment": ("lagenhet", "lagenhetsnummer", "lgh", "lgh nr"),
            "work_type": ("atgard", "atgardstyp", "typ av atgard", "anpassning"),
            "contractor_orgnr": ("entreprenor", "entreprenorens orgnr", "utforare orgnr"),
            "decided_date": ("beslutsdatum", "beslutad", "beslut datum"),
            "paid_date": ("utbetalningsdatum", "utbetald", "betaldatum"),
        },
    )
)

# LMS-ATTENDANCE-IMPOSSIBLE (issue 18): attendance in labour-market programmes, per participant and day.
_add(
    DatasetSpec(
        "programme_attendance",
        _("Attendance in labour-market programmes"),
        (
            _c("attendance_id", req=True),
            _c("participant", req=True, ident="personnummer"),
            _c("programme", req=True),
            _c("provider_orgnr", ident="orgnr"),
            _c("date", "date", True),
            _c("hours", "decimal", True),
        ),
        key="attendance_id",
        period_column="date",
        aliases={
            "attendance_id": ("narvaro id", "narvaroid", "narvaropost", "rad id"),
            "participant": ("deltagare", "deltagarens personnummer", "personnummer", "pnr"),
            "programme": ("insats", "program", "atgard", "aktivitet", "arbetsmarknadsinsats"),
            "provider_orgnr": ("anordnare", "anordnarens orgnr", "utforare", "utforare orgnr"),
            "date": ("datum", "narvarodatum", "dag"),
            "hours": ("timmar", "antal timmar", "narvarotimmar", "tid"),
        },
    )
)

# EMP-UNDECLARED-ROLE (issue 18): declared side jobs (bisysslor) and the employer's decision on them.
_add(
    DatasetSpec(
        "side_jobs",
        _("Declared side jobs"),
        (
            _c("employee_id", req=True),
            _c("orgnr", req=True, ident="orgnr"),
            _c("description"),
            _c("declared_date", "date", True),
            _c("decision", req=True),
            _c("decided_date", "date"),
        ),
        key=None,
        period_column="declared_date",
        aliases={
            "employee_id": ("anstallningsnummer", "anstnr", "anstalld", "personalnummer"),
            "orgnr": ("organisationsnummer", "org nr", "bisysslans orgnr", "foretag orgnr"),
            "description": ("beskrivning", "bisyssla", "uppdrag"),
            "declared_date": ("anmald", "anmalningsdatum", "datum for anmalan", "anmalan datum"),
            "decision": ("beslut", "bedomning", "stallningstagande"),
            "decided_date": ("beslutsdatum", "beslutad", "beslut datum"),
        },
    )
)

# APP-BEFORE-PAYMENT (issue 18): applications for economic assistance, before the decision.
_add(
    DatasetSpec(
        "benefit_applications",
        _("Applications for economic assistance"),
        (
            _c("application_id", req=True),
            _c("household_id", req=True),
            _c("applicant", req=True, ident="personnummer"),
            _c("co_applicant", ident="personnummer"),
            _c("period", req=True),
            _c("received_date", "date", True),
            _c("applied_amount", "decimal"),
            _c("decision"),
            _c("decided_date", "date"),
            _c("bank_account", ident="bank_account"),
            _c("address"),
            _c("postal_code"),
            _c("apartment"),
            _c("household_size", "int"),
        ),
        key="application_id",
        period_column="received_date",
        aliases={
            "application_id": (
                "ansokan",
                "ansokningsnummer",
                "ansokan id",
                "arende",
                "arendenummer",
            ),
            "household_id": ("hushall", "hushallsnummer", "hushall id"),
            "applicant": ("sokande", "sokandes personnummer", "personnummer", "pnr"),
            "co_applicant": ("medsokande", "medsokandes personnummer"),
            "period": ("manad", "avser manad", "period"),
            "received_date": ("inkommen", "inkom", "inkommet datum", "ansokningsdatum"),
            "applied_amount": ("sokt belopp", "belopp", "ansokt belopp"),
            "decision": ("beslut", "beslutstyp"),
            "decided_date": ("beslutsdatum", "beslutad", "beslut datum"),
            "household_size": ("antal i hushallet", "hushallsstorlek", "antal personer"),
        },
    )
)

# INV-PRICE-OVER-CONTRACT (issue 18): the lines of supplier invoices (a line export, or Peppol BIS
# Billing 3 e-invoices, analytics/readers/peppol.py) and the prices agreed in contracts.
_add(
    DatasetSpec(
        "invoice_lines",
        _("Invoice lines"),
        (
            _c("invoice_id", req=True),
            _c("line_no", "int", True),
            _c("article"),
            _c("description"),
            _c("quantity", "decimal", True),
            _c("unit"),
            _c("unit_price", "decimal", True),
            _c("line_amount", "decimal", True),
        ),
        key=None,
        aliases={
            "line_no": ("radnummer", "rad", "radnr", "rad nr", "line", "line number", "line id"),
            "article": (
                "artikel",
                "artikelnummer",
                "artikelnr",
                "art nr",
                "tjanst",
                "tjanstekod",
                "item",
                "item id",
                "sellers item id",
            ),
            "description": ("benamning", "radtext", "artikelbenamning", "item name"),
            "quantity": ("antal", "kvantitet", "mangd", "qty", "invoiced quantity"),
            "unit": ("enhetskod", "mattenhet", "sort", "unit code", "unit of measure"),
            "unit_price": (
                "a pris",
                "apris",
                "styckpris",
                "pris",
                "enhetspris",
                "price",
                "unit price",
            ),
            "line_amount": (
                "radbelopp",
                "belopp exkl moms",
                "netto",
                "line amount",
                "line extension amount",
            ),
        },
    )
)
_add(
    DatasetSpec(
        "contract_prices",
        _("Contract prices"),
        (
            _c("contract_id", req=True),
            _c("article", req=True),
            _c("unit_price", "decimal", True),
            _c("unit"),
            _c("valid_from", "date", True),
            _c("valid_to", "date"),
        ),
        key=None,
        period_column="valid_from",
        aliases={
            "article": (
                "artikel",
                "artikelnummer",
                "artikelnr",
                "art nr",
                "tjanst",
                "tjanstekod",
                "item",
                "item id",
            ),
            "unit_price": (
                "avtalat pris",
                "avtalspris",
                "a pris",
                "apris",
                "pris",
                "enhetspris",
                "price",
                "unit price",
            ),
            "unit": ("enhetskod", "mattenhet", "sort", "unit code", "unit of measure"),
            "valid_from": ("giltig fran", "fran och med", "from"),
            "valid_to": ("giltig till", "till och med", "tom"),
        },
    )
)

# Cross-municipality: the keyed-hash exports of `tillit pseudonyms export` (pseudonyms.py). A
# matching party imports several municipalities' exports and never sees a personnummer or an
# organisation number; *_ref is the exporting municipality's own row key, so that each
# municipality finds its own rows behind a hit.
_add(
    DatasetSpec(
        "x_benefit_payments",
        _("Economic assistance payments, pseudonymised (cross-municipality)"),
        (
            _c("municipality", req=True),
            _c("payment_ref", req=True),
            _c("person", req=True),
            _c("role"),
            _c("period", req=True),
            _c("amount", "decimal", True),
        ),
        key=None,
    )
)
_add(
    DatasetSpec(
        "x_invoices",
        _("Supplier invoices, pseudonymised (cross-municipality)"),
        (
            _c("municipality", req=True),
            _c("invoice_ref", req=True),
            _c("supplier", req=True),
            _c("invoice_number", req=True),
            _c("invoice_date", "date"),
            _c("amount", "decimal", True),
        ),
        key=None,
    )
)

# the data sets a municipality's own systems hold (the x_ exports are made from them)
MUNICIPAL_DATASETS: tuple[str, ...] = tuple(n for n in DATASETS if not n.startswith("x_"))


def stored_columns(name: str) -> list[tuple[str, ColumnType]]:
    """The columns a snapshot of the data set holds, with their types: each canonical column, an
    identifier column followed by its `<name>_valid` flag (bool, set by the importer's check) and a
    flagged column by its `<name>_flag` (str: why the value is not what it claims to be). The
    engines, the control registry and the column guard all read the data sets through this."""
    out: list[tuple[str, ColumnType]] = []
    for c in get(name).columns:
        out.append((c.name, c.type))
        if c.identifier:
            out.append((f"{c.name}_valid", "bool"))
        if c.flagged:
            out.append((f"{c.name}_flag", "str"))
    return out


def get(name: str) -> DatasetSpec:
    try:
        return DATASETS[name]
    except KeyError:
        raise KeyError(name) from None
