"""One small class between the controls and an SQL engine (after Splink's DatabaseAPI).

An engine registers the canonical data sets from Parquet snapshots, executes SQL and returns
pyarrow tables. `run()` is the one way a control's SQL is executed: it checks the parameters,
transpiles the DuckDB source to the engine's dialect, binds the parameters, times and logs.
"""

from __future__ import annotations

import functools
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, final

import pyarrow as pa
import sqlglot
from sqlglot import exp

from tillit.analytics import schema
from tillit.analytics.engines.dialects import (
    SharedCte,
    SharedPlan,
    plan_shared,
    shareable_ctes,
    transpile,
)
from tillit.analytics.registry import Control, all_controls

logger = logging.getLogger(__name__)

# the registered table keeps which file each row came from (0 = the newest), so evidence can
# name its snapshot
SOURCE_COLUMN = "_tillit_source"


@dataclass(frozen=True)
class DatasetSource:
    """A data set's current content: the union of these Parquet files, newest snapshot first.

    Where the key appears in several files, the newest file's row wins. `unavailable` lists the
    columns an import profile declared the source system cannot deliver.
    """

    paths: Sequence[str]
    key: str | None = None
    unavailable: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class QueryResult:
    table: pa.Table
    sql: str  # what ran, in the engine's dialect
    params: dict[str, Any]
    duration: float


def canonical_columns(name: str) -> list[tuple[str, str]]:
    """(column, DuckDB type) of a data set's stored columns (schema.stored_columns)."""
    return [(c, schema.SQL_TYPES[t]) for c, t in schema.stored_columns(name)]


class Engine(ABC):
    name: ClassVar[str]
    dialect: ClassVar[str]  # sqlglot's name for the engine's SQL dialect

    def __init__(self, *, share_ctes: bool = True) -> None:
        self.sources: dict[str, DatasetSource | None] = {}
        # CTEs that several controls compute alike are stored once per session (shared_ctes);
        # False computes every CTE within its own query, as written
        self.share_ctes = share_ctes
        self._shared: dict[str, SharedCte] = {}  # stored table -> the CTE it holds
        self._keys: frozenset[str] | None = None  # share_among; None: the whole registry's
        # share_among: key -> the last control of the run that reads it
        self._last_reader: dict[str, str] = {}
        self.shared_stored: list[str] = []  # every table stored, in order (for tests and logs)
        # every table stored -> the CTE's name (kept after the table is dropped)
        self.shared_names: dict[str, str] = {}

    def register(self, name: str, source: DatasetSource | None) -> None:
        """Make data set `name` queryable; None registers it empty (an optional input that is absent)."""
        schema.get(name)  # KeyError on a name that is not a canonical data set
        if source is not None and not source.paths:
            source = None
        # a stored CTE computed from the data set's former content is stale
        self._drop_shared([t for t, c in self._shared.items() if name in c.datasets])
        self._register(name, source)
        self.sources[name] = source

    @abstractmethod
    def _register(self, name: str, source: DatasetSource | None) -> None: ...

    @abstractmethod
    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> pa.Table:
        """Run SQL already in this engine's dialect, with named parameters."""

    @abstractmethod
    def lookup(self, name: str, key: str, keys: Sequence[str]) -> pa.Table:
        """The rows of data set `name` whose `key` column is one of `keys`."""

    def _store(self, table: str, sql: str) -> None:
        """Compute `sql` (this engine's dialect) once and keep it as the temporary table `table`."""
        raise NotImplementedError

    def _discard(self, table: str) -> None:
        """Drop a table _store kept."""
        raise NotImplementedError

    def _drop_shared(self, tables: Sequence[str]) -> None:
        for table in tables:
            self._discard(table)
            del self._shared[table]

    def close(self) -> None:
        """Drop the stored CTEs; engines that hold more release it too (and call this)."""
        self._drop_shared(list(self._shared))

    def transpile(self, sql: str) -> str:
        return transpile(sql, self.dialect)

    def scalar(self, sql: str, params: Mapping[str, Any] | None = None) -> Any:
        """The first value of a DuckDB-dialect query (counts and checks)."""
        table = self.execute(self.transpile(sql), params)
        return table.column(0)[0].as_py() if table.num_rows else None

    @final
    def query(
        self, sql: str, params: Mapping[str, Any] | None = None, *, label: str = ""
    ) -> QueryResult:
        """Transpile a DuckDB-dialect SELECT, bind the parameters it uses, time and log it."""
        text = self.transpile(sql)
        used = _used_params(sql, params or {})
        started = time.perf_counter()
        plan = self._shared_plan(sql)
        if plan is None:
            table = self.execute(text, used)
        else:
            # the time of storing a shared CTE is charged to the first query that needs it; the
            # SQL returned is the whole query as written, the stored tables are how it ran
            self._store_shared(plan.ctes, label)
            table = self.execute(self.transpile(plan.sql), used)
        duration = time.perf_counter() - started
        logger.info(
            "%s on %s: %d rows in %.3f s",
            label or "query",
            self.name,
            table.num_rows,
            duration,
            extra={"engine": self.name, "label": label, "rows": table.num_rows},
        )
        logger.debug(
            "%s SQL",
            label or "query",
            extra={"engine": self.name, "label": label, "sql": text, "params": used},
        )
        return QueryResult(table=table, sql=text, params=used, duration=duration)

    def share_among(self, controls: Iterable[Control]) -> None:
        """Store only the CTEs that two or more statements of these controls compute alike: a run
        that knows its controls before the first runs (runner.run_controls) stores nothing that no
        second control reads. Without it, what the registered controls share is stored."""
        self._keys, self._last_reader = _count_shared(controls)

    def release_after(self, control_id: str) -> None:
        """Drop the stored CTEs that no control after `control_id` in the run (share_among) reads:
        a run of the whole library keeps each shared table only as long as it is needed, so the
        memory it takes does not add up over the run. Called after all of a control's statements."""
        done = [
            t for t, cte in self._shared.items() if self._last_reader.get(cte.key) == control_id
        ]
        self._drop_shared(done)

    def _shared_plan(self, sql: str) -> SharedPlan | None:
        if not self.share_ctes:
            return None
        registered = frozenset(self.sources)
        keys = shared_keys() if self._keys is None else self._keys
        return plan_shared(sql, registered, keys)

    def _store_shared(self, ctes: Sequence[SharedCte], label: str) -> None:
        for cte in ctes:
            if cte.table in self._shared:
                continue
            started = time.perf_counter()
            self._store(cte.table, self.transpile(cte.sql))
            self._shared[cte.table] = cte
            self.shared_stored.append(cte.table)
            self.shared_names[cte.table] = cte.name
            logger.info(
                "%s on %s: stored the shared CTE %s as %s in %.3f s",
                label or "query",
                self.name,
                cte.name,
                cte.table,
                time.perf_counter() - started,
                extra={"engine": self.name, "label": label, "table": cte.table},
            )

    @final
    def run(self, control: Control, params: Mapping[str, Any] | None = None) -> QueryResult:
        """Run one control: validate its parameters against their bounds, then query."""
        values = control.resolve_params(params)
        missing = [d for d in control.datasets if d not in self.sources]
        if missing:
            raise KeyError(f"{control.id}: data sets not registered: {', '.join(missing)}")
        result = self.query(control.sql, values, label=control.id)
        return QueryResult(
            table=result.table, sql=result.sql, params=values, duration=result.duration
        )

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@functools.lru_cache(maxsize=2048)
def _placeholders(sql: str) -> frozenset[str]:
    """The $names a statement uses (parsed once per process and statement)."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    return frozenset(n.name for n in tree.find_all(exp.Placeholder, exp.Parameter))


def _used_params(sql: str, params: Mapping[str, Any]) -> dict[str, Any]:
    # engines refuse values for placeholders a statement does not have
    names = _placeholders(sql)
    return {k: v for k, v in params.items() if k in names}


_SHARED_KEYS: tuple[int, frozenset[str]] = (-1, frozenset())


def shared_keys(controls: Iterable[Control] | None = None) -> frozenset[str]:
    """The keys of the CTEs that two or more statements of the controls compute alike.

    Every statement of a control counts (its SELECT, examined_sql, not_comparable_sql and
    not-applicable checks). Without `controls`, the registered ones, computed again when their
    number changes (a municipality's own control registered later). The first call parses every
    control (about 2 s): once per process, like the registry's own parse."""
    global _SHARED_KEYS
    if controls is None:
        registered = all_controls()
        if _SHARED_KEYS[0] != len(registered):
            _SHARED_KEYS = (len(registered), _count_shared(registered)[0])
        return _SHARED_KEYS[1]
    return _count_shared(controls)[0]


def _statements(control: Control) -> list[str]:
    """Every statement of a control: its SELECT, examined_sql, not_comparable_sql and checks."""
    statements = [control.sql, control.examined_sql, control.not_comparable_sql]
    statements += [check.sql for check in control.not_applicable_checks]
    return [sql for sql in statements if sql]


def _count_shared(controls: Iterable[Control]) -> tuple[frozenset[str], dict[str, str]]:
    """The keys two or more statements compute alike, and for each the last control reading it."""
    datasets = frozenset(schema.DATASETS)
    seen: dict[str, int] = {}
    last: dict[str, str] = {}
    for control in controls:
        for sql in _statements(control):
            for cte in shareable_ctes(sql, datasets):
                seen[cte.key] = seen.get(cte.key, 0) + 1
                last[cte.key] = control.id
    shared = frozenset(k for k, n in seen.items() if n >= 2)
    return shared, {k: c for k, c in last.items() if k in shared}


def make_engine(name: str = "duckdb", **options: Any) -> Engine:
    """`duckdb` (the default) or `spark`; Spark is imported only here, when asked for."""
    if name == "duckdb":
        from tillit.analytics.engines.duckdb import DuckDBEngine

        return DuckDBEngine(**options)
    if name == "spark":
        from tillit.analytics.engines.spark import SparkEngine

        return SparkEngine(**options)
    raise ValueError(f"unknown engine {name!r}; use duckdb or spark")
