"""Run controls on the current data and return what the web app stores: results, hits, evidence.

    result = run_controls({"invoices": DatasetSource(paths=[...], key="invoice_id")},
                          control_ids=["INV-DUP-EXACT"], engine="duckdb")
    for c in result.controls:          # one ControlResult per control, in the order asked
        c.not_applicable               # None, or an English template filled from not_applicable_params
        for hit in c.hits: ...         # Hit, ordered by score (highest first)

The runner never writes anywhere; the controls app stores what it returns.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tillit.analytics import evidence, explain, schema
from tillit.analytics.engines.base import (
    SOURCE_COLUMN,
    DatasetSource,
    Engine,
    canonical_columns,
    make_engine,
)
from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.registry import OUTPUT_COLUMNS, SEVERITY_WEIGHTS, Control, ParamError
from tillit.analytics.registry import all_controls as _all_controls
from tillit.analytics.registry import get as _get

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
SCORE_EXPLANATION = _(
    "Amount at risk %(amount_at_risk)s × severity weight %(weight)s (%(severity)s)"
)


@dataclass(frozen=True)
class Hit:
    control_id: str
    version: int
    fingerprint: str
    subject_type: str
    subject_id: str
    amount_at_risk: Decimal
    severity: str
    score: Decimal
    score_explanation: str  # English template, filled from score_params
    score_params: dict[str, Any]
    explanation_template: str  # English template, filled from explanation_params
    explanation_params: dict[str, Any]
    evidence: list[
        dict[str, Any]
    ]  # {"dataset", "key", "source" (Parquet path), "values": {column: value}}
    evidence_keys: list[str]  # sorted 'dataset:key'
    board: str = ""
    # the duplicate family's graded evidence (analytics/evidence.py): strong, medium, weak or ""
    evidence_grade: str = ""
    evidence_reasons: list[str] = field(default_factory=list)


@dataclass
class ControlResult:
    control_id: str
    version: int
    engine: str
    sql: str  # what ran, in the engine's dialect ("" when nothing ran)
    params: dict[str, Any]
    rows_examined: int = 0
    subjects_examined: int = 0
    # what the control examined but could not compare (Control.not_comparable_sql), else None
    not_comparable: int | None = None
    hits: list[Hit] = field(default_factory=list)
    not_applicable: str | None = None  # English template
    not_applicable_params: dict[str, Any] = field(default_factory=dict)
    duration: float = 0.0
    over_firing: bool = False
    expected_share: float = 0.02
    error: str | None = (
        None  # the engine's message when the control failed (then also not_applicable)
    )

    @property
    def hit_share(self) -> float | None:
        return len(self.hits) / self.subjects_examined if self.subjects_examined else None

    @property
    def amount_at_risk(self) -> Decimal:
        return sum((h.amount_at_risk for h in self.hits), Decimal(0))


@dataclass
class RunResult:
    engine: str
    started_at: datetime
    duration: float
    controls: list[ControlResult]

    @property
    def hits(self) -> list[Hit]:
        return [h for c in self.controls for h in c.hits]


def fingerprint(
    control_id: str, subject_type: str, subject_id: str, evidence_keys: Iterable[str]
) -> str:
    """Stable across re-runs for the same evidence: no run id, no version, no amounts."""
    text = "\x1f".join([control_id, f"{subject_type}:{subject_id}", *sorted(set(evidence_keys))])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def run_controls(
    sources: Mapping[str, DatasetSource],
    control_ids: Sequence[str] | None = None,
    engine: str | Engine = "duckdb",
    params: Mapping[str, Mapping[str, Any]] | None = None,
    progress: Callable[..., None] | None = None,
) -> RunResult:
    """Run the controls asked for (default: all registered) on the data sets in `sources`.

    `params` maps control id -> {parameter: value}; missing ones take the defaults.
    `progress(done, total, control_id)` is called after each control.
    `engine` is "duckdb", "spark" or an Engine instance (which the caller then closes).
    A control that fails is reported as not applicable with the engine's error; the others run.
    """
    controls = [_get(c) for c in control_ids] if control_ids else _all_controls()
    started_at = datetime.now(UTC)
    t0 = time.perf_counter()
    own = not isinstance(engine, Engine)
    eng = make_engine(engine) if isinstance(engine, str) else engine
    try:
        needed = {d for c in controls for d in c.datasets}
        for name in sorted(needed):
            # an engine reused with other data must not answer from what it registered before
            if name not in eng.sources or eng.sources[name] != sources.get(name):
                eng.register(name, sources.get(name))
        # a CTE that two or more of these controls compute alike is computed once (engines/base.py)
        eng.share_among(controls)
        results = []
        profiles: dict[str, dict[str, int]] = {}  # per data set, computed once per run
        for i, control in enumerate(controls, start=1):
            results.append(
                _run_one(eng, control, sources, (params or {}).get(control.id), profiles)
            )
            eng.release_after(control.id)
            if progress:
                progress(i, len(controls), control.id)
    finally:
        if own:
            eng.close()
    return RunResult(
        engine=eng.name, started_at=started_at, duration=time.perf_counter() - t0, controls=results
    )


def _profile(eng: Engine, name: str) -> dict[str, int]:
    """Rows of a registered data set and the non-empty values per canonical column, in one query."""
    columns = [c for c, _t in canonical_columns(name)]
    counts = ", ".join(['count(*) AS "*"', *(f'count("{c}") AS "{c}"' for c in columns)])
    row = eng.execute(eng.transpile(f'SELECT {counts} FROM "{name}"')).to_pylist()[0]  # noqa: S608
    return {k: int(v) for k, v in row.items()}


def _not_applicable(
    eng: Engine,
    control: Control,
    sources: Mapping[str, DatasetSource],
    profiles: dict[str, dict[str, int]],
) -> tuple[str, dict] | None:
    for name in control.inputs:
        source = sources.get(name)
        if source is None or not source.paths:
            return _("The data set %(dataset)s is missing."), {"dataset": name}
    for name, columns in control.inputs.items():
        for column in columns:
            if column in sources[name].unavailable:
                return (
                    _(
                        "The column %(column)s of %(dataset)s is not delivered by the source system."
                    ),
                    {"dataset": name, "column": column},
                )
    for name, columns in control.inputs.items():
        profile = profiles[name]
        needed = control.min_rows.get(name, 1)
        if profile["*"] < needed:
            return (
                _(
                    "The data set %(dataset)s has %(rows)s rows; the control needs at least %(min_rows)s."
                ),
                {"dataset": name, "rows": profile["*"], "min_rows": needed},
            )
        for column in columns:
            if profile[column] == 0:
                return _("The column %(column)s of %(dataset)s is empty."), {
                    "dataset": name,
                    "column": column,
                }
    for check in control.not_applicable_checks:
        table = eng.query(
            check.sql, control.resolve_params(None), label=f"{control.id} check"
        ).table
        if table.num_rows:
            return check.reason, _plain(table.to_pylist()[0])
    return None


def _run_one(
    eng: Engine,
    control: Control,
    sources: Mapping[str, DatasetSource],
    overrides: Mapping[str, Any] | None,
    profiles: dict[str, dict[str, int]],
) -> ControlResult:
    t0 = time.perf_counter()
    result = ControlResult(
        control_id=control.id,
        version=control.version,
        engine=eng.name,
        sql="",
        params={},
        expected_share=control.expected_share,
    )
    try:
        result.params = control.resolve_params(overrides)
    except ParamError as exc:
        result.not_applicable, result.not_applicable_params = exc.template, exc.params
        result.error = str(exc)
        return result
    try:
        for name in control.datasets:
            if name not in profiles:
                profiles[name] = _profile(eng, name)
        reason = _not_applicable(eng, control, sources, profiles)
        if reason:
            result.not_applicable, result.not_applicable_params = reason
            result.duration = time.perf_counter() - t0
            return result
        result.rows_examined = sum(profiles[d]["*"] for d in control.datasets)
        if control.examined_sql:
            result.subjects_examined = int(
                eng.query(control.examined_sql, result.params).table.column(0)[0].as_py() or 0
            )
        else:
            result.subjects_examined = profiles[next(iter(control.inputs))]["*"]
        if control.not_comparable_sql:
            result.not_comparable = int(
                eng.query(control.not_comparable_sql, result.params).table.column(0)[0].as_py() or 0
            )
        ran = eng.run(control, result.params)
        result.sql = ran.sql
        result.hits = _hits(eng, control, ran.table.to_pylist())
    except Exception as exc:  # noqa: BLE001 - one failing control must not stop the others
        logger.exception("control %s failed on %s", control.id, eng.name)
        result.error = f"{type(exc).__name__}: {exc}"[:2000]
        result.not_applicable = _("The control failed on %(engine)s: %(error)s")
        result.not_applicable_params = {"engine": eng.name, "error": result.error}
        result.hits = []
    result.over_firing = (
        bool(result.subjects_examined)
        and len(result.hits) / result.subjects_examined > control.expected_share
    )
    result.duration = time.perf_counter() - t0
    return result


def _plain(row: Mapping[str, Any]) -> dict[str, Any]:
    """Explanation parameters as plain values: lists joined, Decimals kept for formatting."""
    out = {}
    for k, v in row.items():
        if isinstance(v, list):
            v = ", ".join("" if x is None else str(x) for x in v)
        out[k] = v
    return out


def _hits(eng: Engine, control: Control, rows: list[dict[str, Any]]) -> list[Hit]:
    evidence_values = _evidence(
        eng, control, {k for r in rows for k in (r.get("evidence_keys") or [])}
    )
    hits = []
    for row in rows:
        # a control may lower or raise the severity per hit (INV-SPLIT's second tier) with a
        # `severity` column holding hög / medel / låg
        severity = str(row.get("severity") or control.severity)
        if severity not in SEVERITY_WEIGHTS:
            severity = control.severity
        weight = SEVERITY_WEIGHTS[severity]
        keys = sorted({str(k) for k in (row.get("evidence_keys") or [])})
        amount = Decimal(str(row.get("amount_at_risk") or 0)).quantize(CENT, rounding=ROUND_HALF_UP)
        subject_type, subject_id = str(row["subject_type"]), str(row["subject_id"])
        extra = {
            k: v
            for k, v in row.items()
            if k not in OUTPUT_COLUMNS
            and k not in ("explanation_key", "severity", "evidence_reasons")
        }
        reasons = evidence.ordered(str(r) for r in (row.get("evidence_reasons") or []) if r)
        params = _plain(extra)
        params["amount_at_risk"] = amount
        score = (amount * weight).quantize(CENT)
        hits.append(
            Hit(
                control_id=control.id,
                version=control.version,
                fingerprint=fingerprint(control.id, subject_type, subject_id, keys),
                subject_type=subject_type,
                subject_id=subject_id,
                amount_at_risk=amount,
                severity=severity,
                score=score,
                score_explanation=SCORE_EXPLANATION,
                score_params={"amount_at_risk": amount, "weight": weight, "severity": severity},
                explanation_template=control.explanation_for(row.get("explanation_key")),
                explanation_params=params,
                evidence=[evidence_values.get(k) or _evidence_item(k) for k in keys],
                evidence_keys=keys,
                board=str(row.get("board") or ""),
                evidence_grade=evidence.grade(reasons),
                evidence_reasons=reasons,
            )
        )
    hits.sort(key=lambda h: (-h.score, h.fingerprint))
    return hits


def _evidence_item(
    key: str, source: str | None = None, values: dict[str, Any] | None = None
) -> dict[str, Any]:
    dataset, _sep, row_key = key.partition(":")
    return {"dataset": dataset, "key": row_key, "source": source, "values": values or {}}


def _evidence(eng: Engine, control: Control, keys: set[str]) -> dict[str, dict[str, Any]]:
    """The rows behind the evidence keys, one lookup per data set, with the columns that matter."""
    wanted: dict[str, list[str]] = {}
    for key in keys:
        dataset, sep, row_key = str(key).partition(":")
        if sep and dataset in eng.sources and schema.get(dataset).key:
            wanted.setdefault(dataset, []).append(row_key)
    out: dict[str, dict[str, Any]] = {}
    for dataset, row_keys in wanted.items():
        key_column = schema.get(dataset).key
        assert key_column is not None
        source = eng.sources.get(dataset)
        columns = control.evidence.get(dataset) or tuple(schema.get(dataset).column_names)
        for row in eng.lookup(dataset, key_column, sorted(row_keys)).to_pylist():
            key = f"{dataset}:{row[key_column]}"
            if key in out:
                continue  # one row per key: the newest snapshot's (lookup orders by source)
            position = row.get(SOURCE_COLUMN)
            path = source.paths[position] if source is not None and position is not None else None
            out[key] = _evidence_item(key, path, {c: row.get(c) for c in columns})
    return out


def render_explanation(hit: Hit, translate: Callable[[str], str] = lambda s: s) -> str:
    """The hit's sentence: the template translated, then filled with values formatted by type
    (explain.render, the one renderer the web app, exports, documents and docs use too)."""
    return explain.render(hit.explanation_template, hit.explanation_params, translate)
