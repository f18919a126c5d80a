"""The protected-attribute guard: what a control may read, checked from its SQL.

controls.md: no control uses or infers nationality, ethnicity, religion, gender, health beyond
what the benefit itself is, or any other protected attribute. The guard makes that checkable:

- ALLOWED lists, per data set, every column a control may read. It is written out by hand (not
  derived from schema.py), so a column added to a data set is not readable by controls until
  someone decides it may be; and it holds no protected attribute (PROTECTED_WORDS).
- columns_read(control) resolves every column reference in the control's SQL (the rule, the
  examined-rows query and the not-applicable checks) and its evidence columns to
  (data set, column), through CTEs and aliases, with sqlglot's qualifier.
- gender_digit_reads(control) finds any substring of a personnummer that reaches its
  second-to-last digit, which encodes legal gender; reading the birth date (digits 1–8) for
  "adult" is allowed.
"""

from __future__ import annotations

import functools
from typing import cast

from sqlglot import exp
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import build_scope

from tillit.analytics import schema
from tillit.analytics.registry import Control, parse_select, schema_for

# Words that name a protected attribute (Swedish and English), matched against column names.
PROTECTED_WORDS = (
    "gender",
    "sex",
    "kon",
    "kön",
    "nationality",
    "nationalitet",
    "citizenship",
    "medborgarskap",
    "ethnicity",
    "etnicitet",
    "ursprung",
    "origin",
    "religion",
    "tro",
    "language",
    "sprak",
    "språk",
    "diagnos",
    "diagnosis",
    "health",
    "halsa",
    "hälsa",
    "disability",
    "funktionsnedsattning",
    "sexual",
    "political",
    "politisk_asikt",
    "union",
    "fackforening",
    "birth_country",
    "fodelseland",
    "födelseland",
)


def _with_flags(dataset: str, columns: tuple[str, ...]) -> frozenset[str]:
    # a listed column's importer flags (`_valid`, `_flag`) say no more than the column itself
    stored = {c for c, _t in schema.stored_columns(dataset)}
    return frozenset(columns) | {
        f"{c}{suffix}"
        for c in columns
        for suffix in ("_valid", "_flag")
        if f"{c}{suffix}" in stored
    }


ALLOWED: dict[str, frozenset[str]] = {
    name: _with_flags(name, columns)
    for name, columns in {
        "suppliers": (
            "supplier_id",
            "name",
            "orgnr",
            "address",
            "postal_code",
            "city",
            "country",
            "created_date",
            "created_by",
        ),
        "supplier_accounts": (
            "supplier_id",
            "bank_account",
            "valid_from",
            "valid_to",
            "changed_by",
        ),
        "invoices": (
            "invoice_id",
            "supplier_id",
            "invoice_number",
            "invoice_date",
            "amount",
            "vat_amount",
            "due_date",
            "received_date",
            "bank_account",
            "ocr_reference",
            "board",
            "unit",
            "account",
            "description",
            "attested_by",
            "registered_by",
            "contract_id",
            "order_id",
        ),
        "payments": (
            "payment_id",
            "payment_date",
            "amount",
            "bank_account",
            "invoice_id",
            "payee_id",
            "payee_name",
            "source",
        ),
        "contracts": (
            "contract_id",
            "supplier_orgnr",
            "valid_from",
            "valid_to",
            "value",
            "procurement",
            "category",
            "board",
            "checked_date",
        ),
        "supplier_status": (
            "orgnr",
            "checked_date",
            "f_tax",
            "vat_registered",
            "employer_registered",
            "tax_debt",
            "status",
            "status_date",
            "registered_date",
        ),
        "company_roles": ("orgnr", "personnummer", "role", "valid_from", "valid_to", "name"),
        "employees": (
            "employee_id",
            "personnummer",
            "name",
            "address",
            "postal_code",
            "bank_account",
            "unit",
            "role",
            "employed_from",
            "employed_to",
            "politician",
        ),
        "grants": (
            "grant_id",
            "board",
            "recipient_orgnr",
            "recipient_name",
            "amount",
            "period_from",
            "period_to",
            "purpose",
            "decided_date",
            "paid_date",
            "bank_account",
            "reported_members",
            "reported_activities",
        ),
        "benefit_payments": (
            "payment_id",
            "household_id",
            "applicant",
            "co_applicant",
            "period",
            "amount",
            "paid_date",
            "bank_account",
            "address",
            "postal_code",
            "apartment",
            "household_size",
        ),
        "population": (
            "personnummer",
            "name",
            "address",
            "postal_code",
            "apartment",
            "registered_from",
            "status",
            "status_date",
            "birth_date",
        ),
        # the service is the benefit itself (hemtjänst, dubbelbemanning), not a diagnosis
        "care_visits": (
            "visit_id",
            "provider_orgnr",
            "client",
            "staff_id",
            "start",
            "end",
            "billed_minutes",
            "service",
        ),
        "care_decisions": (
            "decision_id",
            "client",
            "provider_orgnr",
            "valid_from",
            "valid_to",
            "granted_minutes_per_month",
            "service",
        ),
        "parking_permits": ("permit_id", "holder", "valid_from", "valid_to"),
        "ledger": (
            "voucher_id",
            "voucher_date",
            "account",
            "amount",
            "series",
            "text",
            "registered_by",
            "registered_at",
            "unit",
            "project",
        ),
        # the check's result is a yes/no on a remark in the criminal record, not the offence itself
        "provider_checks": ("orgnr", "personnummer", "check_type", "checked_date", "result"),
        "placements": (
            "placement_id",
            "client",
            "provider_orgnr",
            "kind",
            "valid_from",
            "valid_to",
            "daily_rate",
        ),
        "placement_billing": (
            "billing_id",
            "placement_id",
            "invoice_id",
            "client",
            "provider_orgnr",
            "days_from",
            "days_to",
            "amount",
        ),
        # the work type is the adaptation (trösklar, ramp), not the disability behind it
        "housing_adaptations": (
            "grant_id",
            "applicant",
            "address",
            "postal_code",
            "apartment",
            "work_type",
            "contractor_orgnr",
            "amount",
            "decided_date",
            "paid_date",
        ),
        "invoice_lines": (
            "invoice_id",
            "line_no",
            "article",
            "description",
            "quantity",
            "unit",
            "unit_price",
            "line_amount",
        ),
        "contract_prices": (
            "contract_id",
            "article",
            "unit_price",
            "unit",
            "valid_from",
            "valid_to",
        ),
        # the programme is the labour-market measure (arbetsträning, praktik), not a diagnosis
        "programme_attendance": (
            "attendance_id",
            "participant",
            "programme",
            "provider_orgnr",
            "date",
            "hours",
        ),
        # the description is the side job as declared (styrelseuppdrag), never the reasons of a decision
        "side_jobs": (
            "employee_id",
            "orgnr",
            "description",
            "declared_date",
            "decision",
            "decided_date",
        ),
        # as benefit_payments: no reasons for the application, no health or family circumstances
        "benefit_applications": (
            "application_id",
            "household_id",
            "applicant",
            "co_applicant",
            "period",
            "received_date",
            "applied_amount",
            "decision",
            "decided_date",
            "bank_account",
            "address",
            "postal_code",
            "apartment",
            "household_size",
        ),
        "x_benefit_payments": ("municipality", "payment_ref", "person", "role", "period", "amount"),
        "x_invoices": (
            "municipality",
            "invoice_ref",
            "supplier",
            "invoice_number",
            "invoice_date",
            "amount",
        ),
    }.items()
}


def protected_in(columns: set[str] | frozenset[str]) -> list[str]:
    """Column names that name a protected attribute (whole words of the snake_case name)."""
    found = []
    for column in columns:
        words = set(column.lower().split("_"))
        if words & set(PROTECTED_WORDS) or column.lower() in PROTECTED_WORDS:
            found.append(column)
    return sorted(found)


def _queries(control: Control) -> list[str]:
    return [
        control.sql,
        *([control.examined_sql] if control.examined_sql else []),
        *([control.not_comparable_sql] if control.not_comparable_sql else []),
        *(c.sql for c in control.not_applicable_checks),
    ]


def columns_read(control: Control, *, evidence: bool = True) -> set[tuple[str, str]]:
    """Every (data set, column) the control's queries read, and its evidence unless evidence=False."""
    return set(_columns_read(control, evidence))


@functools.lru_cache(maxsize=512)
def _columns_read(control: Control, evidence: bool) -> frozenset[tuple[str, str]]:
    # a control's queries are analysed once per process (a Control is immutable)
    read: set[tuple[str, str]] = {(d, c) for d, cols in control.inputs.items() for c in cols}
    if evidence:
        read |= {(d, c) for d, cols in control.evidence.items() for c in cols}
    datasets = set(control.datasets)
    for sql in _queries(control):
        tree = qualify(
            parse_select(sql, what=control.id),
            schema=cast(dict[str, object], schema_for(datasets)),
            dialect="duckdb",
            validate_qualify_columns=True,
            identify=False,
        )
        root = build_scope(tree)
        if root is None:
            continue
        for scope in root.traverse():
            for column in scope.columns:
                source = scope.sources.get(column.table)
                if isinstance(source, exp.Table) and source.name in schema.DATASETS:
                    read.add((source.name, column.name))
            # SELECT * from a data set reads every column of it
            for star in scope.expression.find_all(exp.Star):
                if star.parent is scope.expression or isinstance(star.parent, exp.Column):
                    for source in scope.sources.values():
                        if isinstance(source, exp.Table) and source.name in schema.DATASETS:
                            read |= {
                                (source.name, c) for c in schema_for([source.name])[source.name]
                            }
    return frozenset(read)


def _personnummer_columns() -> set[str]:
    return {
        c.name
        for s in schema.DATASETS.values()
        for c in s.columns
        if c.identifier == "personnummer"
    }


def gender_digit_reads(control: Control) -> list[str]:
    """SQL fragments that take a substring of a personnummer reaching its gender digit (11 of 12)."""
    personal = _personnummer_columns()
    found = []
    for sql in _queries(control):
        tree = parse_select(sql, what=control.id)
        for node in tree.find_all(exp.Substring, exp.Right):
            target = node.this
            names = {c.name for c in target.find_all(exp.Column)} if target else set()
            if not names & personal:
                continue
            if isinstance(node, exp.Right):
                found.append(node.sql("duckdb"))
                continue
            start, length = node.args.get("start"), node.args.get("length")
            if not (isinstance(start, exp.Literal) and isinstance(length, exp.Literal)):
                found.append(node.sql("duckdb"))
                continue
            if int(start.this) + int(length.this) - 1 >= 11:
                found.append(node.sql("duckdb"))
    return found
