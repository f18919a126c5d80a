"""DuckDB, the default engine: in-process, reads the Parquet snapshots directly."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import pyarrow as pa

from tillit.analytics.engines.base import SOURCE_COLUMN, DatasetSource, Engine, canonical_columns


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class DuckDBEngine(Engine):
    name = "duckdb"
    dialect = "duckdb"

    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection | None = None,
        *,
        threads: int | None = None,
        share_ctes: bool = True,
    ) -> None:
        super().__init__(share_ctes=share_ctes)
        self._own = connection is None
        self.con = connection or duckdb.connect(":memory:")
        self._spill: str | None = None
        if self._own:
            self._limit_memory(os.environ.get("TILLIT_DUCKDB_MEMORY", "").strip())
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        # timestamps are compared in UTC on every machine, as Spark's session does (spark.py);
        # local_time(ts) gives the Swedish wall-clock time where a control needs the hour or the day
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute(
            "CREATE OR REPLACE MACRO local_time(ts) AS "
            "timezone('Europe/Stockholm', CAST(ts AS TIMESTAMPTZ))"
        )

    def _limit_memory(self, limit: str) -> None:
        """TILLIT_DUCKDB_MEMORY (e.g. 4GB): DuckDB's memory limit, beyond which it writes the data
        sets and intermediate results to a temporary folder of its own (removed on close) instead
        of growing; unset, DuckDB's default (80 % of the machine's memory)."""
        if not limit:
            return
        try:
            self.con.execute(f"SET memory_limit = {_literal(limit)}")
        except duckdb.Error as exc:
            raise ValueError(
                f"TILLIT_DUCKDB_MEMORY={limit!r} is not a memory size DuckDB understands "
                "(for example 4GB or 512MB)"
            ) from exc
        self._spill = tempfile.mkdtemp(prefix="tillit-duckdb-")
        self.con.execute(f"SET temp_directory = {_literal(self._spill)}")

    def _register(self, name: str, source: DatasetSource | None) -> None:
        columns = canonical_columns(name)
        if source is None:
            nulls = ", ".join(f"CAST(NULL AS {t}) AS {_ident(c)}" for c, t in columns)
            self.con.execute(
                f"CREATE OR REPLACE TEMP TABLE {_ident(name)} AS SELECT {nulls}, "  # noqa: S608
                f"CAST(NULL AS INTEGER) AS {SOURCE_COLUMN} WHERE false"
            )
            return
        # every file tagged with its position (0 = newest); UNION BY NAME because a later
        # snapshot may carry columns an earlier one lacks
        parts = [
            f"SELECT *, {i} AS {SOURCE_COLUMN} FROM read_parquet({_literal(str(p))}, file_row_number = true)"
            for i, p in enumerate(source.paths)
        ]
        union = "\nUNION ALL BY NAME\n".join(parts)
        present = {row[0] for row in self.con.execute(f"DESCRIBE {union}").fetchall()}  # noqa: S608
        canonical = {c for c, _t in columns}
        select = [
            f"CAST({_ident(c)} AS {t}) AS {_ident(c)}"
            if c in present
            else f"CAST(NULL AS {t}) AS {_ident(c)}"
            for c, t in columns
        ]
        # unknown extra columns are kept, as the importer keeps them
        select += [
            _ident(c) for c in sorted(present - canonical - {"file_row_number", SOURCE_COLUMN})
        ]
        select.append(SOURCE_COLUMN)
        sql = f"CREATE OR REPLACE TEMP TABLE {_ident(name)} AS\nWITH src AS (\n{union}\n)\nSELECT {', '.join(select)}\nFROM src"  # noqa: S608
        if source.key:
            key = _ident(source.key)
            # the newest snapshot's row wins; rows without a key are all kept
            sql += (
                f"\nQUALIFY {key} IS NULL OR row_number() OVER (PARTITION BY {key} "
                f"ORDER BY {SOURCE_COLUMN}, file_row_number) = 1"
            )
        self.con.execute(sql)

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> pa.Table:
        return self.con.sql(sql, params=dict(params) if params else None).to_arrow_table()

    def lookup(self, name: str, key: str, keys: Sequence[str]) -> pa.Table:
        sql = (
            f"SELECT * FROM {_ident(name)} WHERE CAST({_ident(key)} AS VARCHAR) IN "  # noqa: S608
            f"(SELECT unnest($keys)) ORDER BY {_ident(key)}, {SOURCE_COLUMN}"
        )
        return self.execute(sql, {"keys": list(keys)})

    def _store(self, table: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {_ident(table)} AS\n{sql}")

    def _discard(self, table: str) -> None:
        self.con.execute(f"DROP TABLE IF EXISTS {_ident(table)}")

    def close(self) -> None:
        super().close()
        if self._own:
            self.con.close()
            if self._spill:
                shutil.rmtree(self._spill, ignore_errors=True)
        else:
            for name in self.sources:
                self.con.execute(f"DROP TABLE IF EXISTS {_ident(name)}")
        self.sources.clear()
