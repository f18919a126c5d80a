"""The control registry: every control, built-in or municipality-specific, is one `Control`.

How to write a control (one module per id prefix, e.g. controls/inv.py; docs/adding-a-control.md)::

    from tillit.analytics.i18n import gettext_noop as _
    from tillit.analytics.registry import Control, Param, register

    register(Control(
        id="INV-EXAMPLE",                      # stable: never renamed or reused
        version=1,                             # bump on any change of logic or defaults
        title=_("Example"),                    # English source; Swedish in django.po
        rationale=_("What the control looks for, in one or two sentences."),
        why=_("Why this is a red flag, with a worked example."),
        legal_ground=_("The law or rule that makes it the municipality's business, one line."),
        risk_areas=("Fakturahantering",),      # names from risk-areas.md
        severity="hög",                        # hög / medel / låg
        case_type="supplier",                  # the kind of case a hit opens (CASE_TYPES)
        inputs={"invoices": ("supplier_id", "amount")},   # data sets needed -> columns needed
        optional_inputs=("suppliers",),        # read when present, an empty table otherwise
        params={"min_amount": Param(Decimal("1000"), min=Decimal(0), description=_("…"))},
        sql=\"\"\"
            SELECT 'supplier' AS subject_type, supplier_id AS subject_id,
                   amount AS amount_at_risk, ['invoices:' || invoice_id] AS evidence_keys,
                   invoice_number
            FROM invoices WHERE amount >= $min_amount
        \"\"\",
        explanation=_("Invoice %(invoice_number)s is large."),
        evidence={"invoices": ("invoice_number", "invoice_date", "amount")},
    ))

The SQL is ONE SELECT in DuckDB's dialect. It is the source of truth an auditor reads, and the
engine transpiles it for Spark (engines/dialects.py holds what sqlglot cannot translate).
Parameters are `$name` placeholders that the engine binds; never format values into the string.

Output contract, one row per hit:

- `subject_type`, `subject_id`: what the hit is about (`supplier` + a supplier_id, `household` …)
- `amount_at_risk`: decimal SEK
- `evidence_keys`: a LIST of `'dataset:key'` strings (the key is the data set's key column of
  schema.py; rows of data sets without one are referred to through their subject, e.g.
  `suppliers:12466`)
- any further named values the explanation template uses (`%(name)s`); a column `board`, when
  present, is copied to the hit; a column `explanation_key` picks the template when
  `explanation` is a mapping of several; a column `severity` (hög / medel / låg), when present,
  sets that hit's severity instead of the control's.

At registration sqlglot parses the SQL and refuses anything but a SELECT, tables that are not
declared data sets (`inputs`/`optional_inputs`), columns that schema.py does not have (an
identifier column's `<column>_valid` flag included), undeclared placeholders, a missing output
column and explanation placeholders the query does not return.

The runner (runner.py) decides "not applicable" from `inputs` (a data set missing, a needed
column declared unavailable or empty, fewer rows than `min_rows`), from `not_applicable_checks`,
and flags over-firing when hits / subjects examined exceeds `expected_share`. Subjects examined
are counted by `examined_sql` (one SELECT returning one number) or are the rows of the first input.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Literal, cast

import sqlglot
from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError
from sqlglot.optimizer.qualify import qualify

from tillit.analytics import schema
from tillit.analytics.i18n import gettext_noop as _

Severity = Literal["hög", "medel", "låg"]
# The kind of case (cases.models.CaseType) a hit of the control opens: declared on the control, so
# the cases app never guesses it from the id.
CaseKind = Literal[
    "supplier", "benefit", "grant", "home_care", "building", "unlawful_influence", "other"
]
CASE_TYPES: tuple[str, ...] = (
    "supplier",
    "benefit",
    "grant",
    "home_care",
    "building",
    "unlawful_influence",
    "other",
)
SEVERITY_WEIGHTS: Mapping[str, int] = MappingProxyType({"hög": 3, "medel": 2, "låg": 1})
OUTPUT_COLUMNS = ("subject_type", "subject_id", "amount_at_risk", "evidence_keys")
_ID_RE = re.compile(r"^[A-Z]+(-[A-Z0-9]+)+$")
_TEMPLATE_RE = re.compile(r"%\((\w+)\)s")

SQL_TYPES = schema.SQL_TYPES


class ControlDefinitionError(ValueError):
    """A control that cannot be registered (a developer's error, so English only)."""


class ParamError(ValueError):
    """A parameter value a municipality chose that the control does not accept."""

    def __init__(self, template: str, params: dict[str, Any]) -> None:
        super().__init__(template % params)
        self.template = template
        self.params = params


@dataclass(frozen=True)
class Param:
    default: int | Decimal | str | bool
    min: int | Decimal | None = None
    max: int | Decimal | None = None
    description: str = ""


@dataclass(frozen=True)
class NotApplicableCheck:
    """The control is not applicable when `sql` (one SELECT) returns a row.

    `reason` is an English template filled from that row's columns.
    """

    sql: str
    reason: str


@dataclass(frozen=True)
class Control:
    id: str
    version: int
    title: str
    rationale: str
    why: str
    legal_ground: str
    risk_areas: tuple[str, ...]
    inputs: Mapping[str, tuple[str, ...]]
    sql: str
    explanation: str | Mapping[str, str]
    severity: Severity = "medel"
    case_type: CaseKind | Literal[""] = ""
    params: Mapping[str, Param] = field(default_factory=dict)
    optional_inputs: tuple[str, ...] = ()
    evidence: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    subject_type: str = ""
    min_rows: Mapping[str, int] = field(default_factory=dict)
    examined_sql: str | None = None
    # one SELECT returning one number: what the control examined but could not compare (lines
    # without a contract price …), shown in the run report as "not comparable"
    not_comparable_sql: str | None = None
    not_applicable_checks: tuple[NotApplicableCheck, ...] = ()
    expected_share: float = 0.02

    def __post_init__(self) -> None:
        # read-only views, so a registered control cannot be changed behind the registry's back
        for name in ("inputs", "params", "evidence", "min_rows"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        if isinstance(self.explanation, Mapping):
            object.__setattr__(self, "explanation", MappingProxyType(dict(self.explanation)))
        object.__setattr__(self, "risk_areas", tuple(self.risk_areas))
        object.__setattr__(self, "optional_inputs", tuple(self.optional_inputs))

    def __hash__(self) -> int:  # the mappings are not hashable; id and version identify a control
        return hash((self.id, self.version))

    @property
    def datasets(self) -> tuple[str, ...]:
        """Every data set the SQL may read: the needed ones first, then the optional ones."""
        return tuple(self.inputs) + tuple(d for d in self.optional_inputs if d not in self.inputs)

    @property
    def explanations(self) -> tuple[str, ...]:
        if isinstance(self.explanation, Mapping):
            return tuple(self.explanation.values())
        return (self.explanation,)

    def explanation_for(self, key: str | None) -> str:
        if isinstance(self.explanation, Mapping):
            return (
                self.explanation[key]
                if key is not None and key in self.explanation
                else next(iter(self.explanation.values()))
            )
        return self.explanation

    @property
    def weight(self) -> int:
        return SEVERITY_WEIGHTS[self.severity]

    def resolve_params(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Defaults overlaid with a municipality's choices, checked against the bounds."""
        values = {name: p.default for name, p in self.params.items()}
        for name, value in (overrides or {}).items():
            if name not in self.params:
                raise ParamError(
                    _("The control %(control)s has no parameter %(param)s."),
                    {"control": self.id, "param": name},
                )
            spec = self.params[name]
            value = _coerce(value, spec.default)
            if value is None:
                raise ParamError(
                    _("The parameter %(param)s of %(control)s must be a number like %(default)s."),
                    {"control": self.id, "param": name, "default": spec.default},
                )
            if (spec.min is not None and value < spec.min) or (
                spec.max is not None and value > spec.max
            ):
                raise ParamError(
                    _(
                        "The parameter %(param)s of %(control)s must be between %(min)s and %(max)s; it is %(value)s."
                    ),
                    {
                        "control": self.id,
                        "param": name,
                        "min": spec.min,
                        "max": spec.max,
                        "value": value,
                    },
                )
            values[name] = value
        return values


def _coerce(value: Any, default: Any) -> Any:
    """Parameters stored as JSON come back as str/float; give them the default's type."""
    try:
        if isinstance(default, bool):
            return value if isinstance(value, bool) else None
        if isinstance(default, int):
            if isinstance(value, bool):
                return None
            number = Decimal(str(value))
            return int(number) if number == number.to_integral_value() else None
        if isinstance(default, Decimal):
            return Decimal(str(value))
    except ArithmeticError:
        return None
    return value


def schema_for(datasets: Iterable[str]) -> dict[str, dict[str, str]]:
    """sqlglot's view of the data sets: their stored columns (schema.stored_columns) and SQL types."""
    return {name: {c: SQL_TYPES[t] for c, t in schema.stored_columns(name)} for name in datasets}


def parse_select(sql: str, *, what: str) -> exp.Query:
    try:
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except ParseError as exc:
        raise ControlDefinitionError(f"{what}: the SQL does not parse: {exc}") from exc
    if len(statements) != 1:
        raise ControlDefinitionError(
            f"{what}: the SQL must be exactly one statement, got {len(statements)}"
        )
    tree = statements[0]
    if not isinstance(tree, exp.Query):
        raise ControlDefinitionError(f"{what}: only a SELECT is allowed, got {tree.key.upper()}")
    forbidden = (
        exp.Insert,
        exp.Update,
        exp.Delete,
        exp.Create,
        exp.Drop,
        exp.Command,
        exp.Merge,
        exp.Alter,
        exp.Into,
        exp.Copy,
        exp.Pragma,
        exp.Set,
        exp.Use,
    )
    node = tree.find(*forbidden)
    if node is not None:
        raise ControlDefinitionError(f"{what}: only a SELECT is allowed, found {node.key.upper()}")
    return tree


def _check_query(
    sql: str, control: Control, *, what: str, outputs: Iterable[str] = ()
) -> exp.Query:
    tree = parse_select(sql, what=what)
    allowed = set(control.datasets)
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            # read_parquet('…'), read_csv(…): a control reads data sets, never files
            raise ControlDefinitionError(
                f"{what}: table functions are not allowed ({table.sql('duckdb')})"
            )
        if table.db or table.catalog:
            raise ControlDefinitionError(
                f"{what}: qualified table names are not allowed ({table.sql('duckdb')})"
            )
        name = table.name
        if name in ctes:
            continue
        if name not in schema.DATASETS:
            raise ControlDefinitionError(
                f"{what}: unknown table {name!r}; tables are the data sets of schema.py"
            )
        if name not in allowed:
            raise ControlDefinitionError(
                f"{what}: table {name!r} is not declared in inputs or optional_inputs"
            )
    for node in tree.find_all(exp.Placeholder, exp.Parameter):
        name = node.name
        if not name or name == "?":
            raise ControlDefinitionError(
                f"{what}: positional placeholders are not allowed; use $name"
            )
        if name not in control.params:
            raise ControlDefinitionError(f"{what}: placeholder ${name} is not a declared parameter")
    try:
        qualify(
            tree.copy(),
            schema=cast(dict[str, object], schema_for(allowed)),
            dialect="duckdb",
            validate_qualify_columns=True,
            identify=False,
        )
    except OptimizeError as exc:
        raise ControlDefinitionError(f"{what}: {exc}") from exc
    names = set(tree.named_selects)
    missing = [c for c in outputs if c not in names]
    if missing:
        raise ControlDefinitionError(f"{what}: the SELECT must return {', '.join(missing)}")
    return tree


def validate(control: Control) -> None:
    """Raise ControlDefinitionError unless the control keeps the contract in the module docstring."""
    if not _ID_RE.match(control.id):
        raise ControlDefinitionError(
            f"{control.id!r}: an id is upper-case words joined by '-', e.g. INV-DUP-EXACT"
        )
    if control.version < 1:
        raise ControlDefinitionError(f"{control.id}: version starts at 1")
    if control.severity not in SEVERITY_WEIGHTS:
        raise ControlDefinitionError(f"{control.id}: severity must be hög, medel or låg")
    if control.case_type not in CASE_TYPES:
        raise ControlDefinitionError(
            f"{control.id}: case_type must be one of {', '.join(CASE_TYPES)}"
        )
    if not 0 < control.expected_share <= 1:
        raise ControlDefinitionError(f"{control.id}: expected_share is a share between 0 and 1")
    if not control.inputs:
        raise ControlDefinitionError(f"{control.id}: a control needs at least one input data set")
    for name in control.datasets:
        if name not in schema.DATASETS:
            raise ControlDefinitionError(f"{control.id}: unknown data set {name!r}")
    known = schema_for(control.datasets)
    for name, columns in control.inputs.items():
        for column in columns:
            if column not in known[name]:
                raise ControlDefinitionError(f"{control.id}: {name} has no column {column!r}")
    for name, columns in control.evidence.items():
        if name not in schema.DATASETS:
            raise ControlDefinitionError(f"{control.id}: evidence names unknown data set {name!r}")
        allowed = schema_for([name])[name]
        for column in columns:
            if column not in allowed:
                raise ControlDefinitionError(
                    f"{control.id}: evidence column {name}.{column} does not exist"
                )
    for name, p in control.params.items():
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise ControlDefinitionError(f"{control.id}: parameter names are snake_case ({name!r})")
        if not isinstance(p.default, int | Decimal):
            continue  # a text or yes/no parameter has no bounds
        if (p.min is not None and p.default < p.min) or (p.max is not None and p.default > p.max):
            raise ControlDefinitionError(f"{control.id}: default of {name} is outside its bounds")
    tree = _check_query(control.sql, control, what=control.id, outputs=OUTPUT_COLUMNS)
    returned = set(tree.named_selects)
    for template in control.explanations:
        for placeholder in _TEMPLATE_RE.findall(template):
            if placeholder not in returned:
                raise ControlDefinitionError(
                    f"{control.id}: the explanation uses %({placeholder})s but the SELECT does not return it"
                )
    if isinstance(control.explanation, Mapping) and "explanation_key" not in returned:
        raise ControlDefinitionError(
            f"{control.id}: several explanations need an explanation_key column"
        )
    if control.examined_sql:
        _check_query(control.examined_sql, control, what=f"{control.id} examined_sql")
    if control.not_comparable_sql:
        _check_query(control.not_comparable_sql, control, what=f"{control.id} not_comparable_sql")
    for check in control.not_applicable_checks:
        _check_query(check.sql, control, what=f"{control.id} not_applicable_checks")


class Registry:
    def __init__(self) -> None:
        self._controls: dict[str, Control] = {}

    def register(self, control: Control) -> Control:
        validate(control)
        if control.id in self._controls and self._controls[control.id] != control:
            raise ControlDefinitionError(f"{control.id}: already registered; ids are never reused")
        self._controls[control.id] = control
        return control

    def get(self, control_id: str) -> Control:
        return self._controls[control_id]

    def all(self) -> list[Control]:
        return sorted(self._controls.values(), key=lambda c: c.id)

    def __contains__(self, control_id: object) -> bool:
        return control_id in self._controls


REGISTRY = Registry()
_loaded = False


def register(control: Control) -> Control:
    """Add a control to the built-in registry (validating it first)."""
    return REGISTRY.register(control)


def _load_builtins() -> None:
    # every module in tillit.analytics.controls registers its family on import, so a new
    # family is picked up without editing a list
    global _loaded
    if _loaded:
        return
    _loaded = True
    import tillit.analytics.controls as package

    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{package.__name__}.{info.name}")


def all_controls() -> list[Control]:
    _load_builtins()
    return REGISTRY.all()


def get(control_id: str) -> Control:
    """The control with this id; KeyError when there is none."""
    _load_builtins()
    return REGISTRY.get(control_id)
