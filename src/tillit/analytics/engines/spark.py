"""Apache Spark, for data that outgrows one machine. Imported only when asked for.

Reads the same Parquet snapshots as DuckDB and runs the controls' SQL after sqlglot has
transpiled it (engines/dialects.py). Local mode unless a session is given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import reduce
from typing import Any

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F  # noqa: N812 - pyspark's own convention

from tillit.analytics import schema
from tillit.analytics.engines.base import SOURCE_COLUMN, DatasetSource, Engine

_ROW = "_tillit_row"


def local_session(*, cores: int = 2, shuffle_partitions: int = 4) -> SparkSession:
    """A local-mode session set up for the controls: UTC, no web UI, few shuffle partitions.

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
        .getOrCreate()
    )


class SparkEngine(Engine):
    name = "spark"
    dialect = "spark"

    def __init__(self, session: SparkSession | None = None, *, stop_session: bool = False) -> None:
        super().__init__()
        self.spark = session or local_session()
        self._stop = stop_session
        self._frames: dict[str, DataFrame] = {}

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
        return self.spark.sql(sql, args=dict(params) if params else None).toArrow()

    def lookup(self, name: str, key: str, keys: Sequence[str]) -> pa.Table:
        wanted = self.spark.createDataFrame([(k,) for k in keys], schema="_tillit_key string")
        df = self._frames[name]
        joined = df.join(wanted, F.col(key).cast("string") == F.col("_tillit_key"), "inner").drop(
            "_tillit_key"
        )
        return joined.orderBy(key, SOURCE_COLUMN).toArrow()

    def close(self) -> None:
        for name, df in self._frames.items():
            self.spark.catalog.dropTempView(name)
            df.unpersist()
        self._frames.clear()
        self.sources.clear()
        if self._stop:
            self.spark.stop()
