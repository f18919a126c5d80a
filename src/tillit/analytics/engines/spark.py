"""Apache Spark, for data that outgrows one machine. Imported only when asked for.

Reads the same Parquet snapshots as DuckDB and runs the controls' SQL after sqlglot has
transpiled it (engines/dialects.py). Local mode unless a session is given.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Mapping, Sequence
from functools import reduce
from typing import Any

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F  # noqa: N812 - pyspark's own convention

from tillit.analytics import schema
from tillit.analytics.engines.base import SOURCE_COLUMN, DatasetSource, Engine
from tillit.analytics.engines.dialects import split_shared_ctes

logger = logging.getLogger(__name__)

_ROW = "_tillit_row"
_QUERIES = itertools.count(1)  # names the cached CTEs of one query apart from another's


def local_session(*, cores: int = 2, shuffle_partitions: int = 4) -> SparkSession:
    """A local-mode session set up for the controls: UTC, no web UI, few shuffle partitions.

    Few shuffle partitions (two per core): Spark's default of 200 spends more on scheduling tiny
    tasks than on the work in one process. Adaptive execution (Spark's default, set here so that
    it is not lost) re-plans a join as a broadcast once the real size of its smaller side is
    known, which the computed CTEs of execute() give.

    The JVM's memory is TILLIT_SPARK_MEMORY (default 4g): Spark's own default of 1 GB runs out of
    memory on a municipality's six million invoices. It takes effect when the first session of the
    process starts the JVM."""
    import os

    return (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("tillit")
        .config("spark.driver.memory", os.environ.get("TILLIT_SPARK_MEMORY", "4g"))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.default.parallelism", str(cores))
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.sql.adaptive.coalescePartitions.enabled", "true")
        .getOrCreate()
    )


def _release(df: DataFrame) -> None:
    """Free the blocks of a locally checkpointed frame now rather than when the JVM collects it."""
    try:
        df._jdf.queryExecution().analyzed().rdd().unpersist(False)
    except Exception:  # noqa: BLE001 - best effort; Spark's cleaner frees them later anyway
        logger.debug("could not release a checkpointed frame", exc_info=True)


class SparkEngine(Engine):
    name = "spark"
    dialect = "spark"

    def __init__(
        self,
        session: SparkSession | None = None,
        *,
        stop_session: bool = False,
        materialise_ctes: bool = True,
        share_ctes: bool = True,
    ) -> None:
        super().__init__(share_ctes=share_ctes)
        self.spark = session or local_session()
        self._stop = stop_session
        self._frames: dict[str, DataFrame] = {}
        self._stored: dict[str, DataFrame] = {}  # the shared CTEs of the session (Engine._store)
        # False runs each query whole, as Spark plans it (every CTE reference inlined): for
        # comparing plans (tools/spark_plans.py), not for use
        self.materialise_ctes = materialise_ctes

    def _register(self, name: str, source: DatasetSource | None) -> None:
        columns = [(c, schema.SPARK_TYPES[t]) for c, t in schema.stored_columns(name)]
        if source is None:
            ddl = ", ".join(f"`{c}` {t}" for c, t in columns) + f", `{SOURCE_COLUMN}` int"
            df = self.spark.createDataFrame([], schema=ddl)
        else:
            frames = [
                self.spark.read.parquet(str(p))
                .withColumn(SOURCE_COLUMN, F.lit(i))
                .withColumn(_ROW, F.monotonically_increasing_id())
                for i, p in enumerate(source.paths)
            ]
            # by name, because a later snapshot may carry columns an earlier one lacks
            df = reduce(lambda a, b: a.unionByName(b, allowMissingColumns=True), frames)
            present = set(df.columns)
            canonical = {c for c, _t in columns}
            select = [
                F.col(f"`{c}`").cast(t).alias(c) if c in present else F.lit(None).cast(t).alias(c)
                for c, t in columns
            ]
            select += [F.col(f"`{c}`") for c in sorted(present - canonical - {SOURCE_COLUMN, _ROW})]
            if source.key:
                # the newest snapshot's row wins; rows without a key are all kept
                order = Window.partitionBy(source.key).orderBy(SOURCE_COLUMN, _ROW)
                df = df.withColumn("_tillit_rank", F.row_number().over(order))
                df = df.where(F.col(source.key).isNull() | (F.col("_tillit_rank") == 1))
            df = df.select(*select, F.col(SOURCE_COLUMN)).cache()
        df.createOrReplaceTempView(name)
        self._frames[name] = df

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> pa.Table:
        """Run a query; a CTE it reads more than once is computed once, cached, and dropped after.

        Spark inlines every reference to a CTE and plans each copy anew (engines/dialects.py,
        split_shared_ctes), which multiplied INV-DUP-FUZZY's plan into hundreds of joins and ran
        the JVM out of memory; DuckDB computes such a CTE once, and so does this."""
        values = dict(params or {})
        if not self.materialise_ctes:
            return self._frame(sql, values).toArrow()
        steps = split_shared_ctes(sql, self.dialect, f"_tillit_cte_{next(_QUERIES)}_")
        made: list[tuple[str, DataFrame]] = []
        try:
            for step in steps[:-1]:
                assert step.view is not None
                started = time.perf_counter()
                df = self._frame(step.sql, {k: v for k, v in values.items() if k in step.params})
                # computed now, once, and cut from its lineage: the view is a leaf of the plans that
                # read it (a persisted frame is not: Spark matches the cached plan inconsistently
                # and re-plans the CTEs beneath it, which is what this avoids)
                df = df.localCheckpoint(eager=True)
                made.append((step.view, df))
                df.createOrReplaceTempView(step.view)
                logger.debug("computed %s in %.3f s", step.view, time.perf_counter() - started)
            final = steps[-1]
            return self._frame(
                final.sql, {k: v for k, v in values.items() if k in final.params}
            ).toArrow()
        finally:
            for view, df in reversed(made):
                self.spark.catalog.dropTempView(view)
                _release(df)

    def _frame(self, sql: str, params: Mapping[str, Any]) -> DataFrame:
        return self.spark.sql(sql, args=dict(params) if params else None)

    def lookup(self, name: str, key: str, keys: Sequence[str]) -> pa.Table:
        wanted = self.spark.createDataFrame([(k,) for k in keys], schema="_tillit_key string")
        df = self._frames[name]
        joined = df.join(wanted, F.col(key).cast("string") == F.col("_tillit_key"), "inner").drop(
            "_tillit_key"
        )
        return joined.orderBy(key, SOURCE_COLUMN).toArrow()

    def _store(self, table: str, sql: str) -> None:
        # computed once and cut from its lineage, as execute() does with a query's own shared CTEs
        df = self._frame(sql, {}).localCheckpoint(eager=True)
        df.createOrReplaceTempView(table)
        self._stored[table] = df

    def _discard(self, table: str) -> None:
        self.spark.catalog.dropTempView(table)
        df = self._stored.pop(table, None)
        if df is not None:
            _release(df)

    def close(self) -> None:
        super().close()
        for name, df in self._frames.items():
            self.spark.catalog.dropTempView(name)
            df.unpersist()
        self._frames.clear()
        self.sources.clear()
        if self._stop:
            self.spark.stop()
