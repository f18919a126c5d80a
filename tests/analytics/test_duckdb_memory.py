"""TILLIT_DUCKDB_MEMORY bounds DuckDB's memory; beyond it DuckDB spills to a folder of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from tillit.analytics.engines.base import DatasetSource
from tillit.analytics.engines.duckdb import DuckDBEngine


def test_the_limit_is_set_and_its_spill_folder_removed_on_close(monkeypatch):
    monkeypatch.setenv("TILLIT_DUCKDB_MEMORY", "300MB")
    engine = DuckDBEngine()
    limit = engine.scalar("SELECT current_setting('memory_limit')")
    spill = Path(engine.scalar("SELECT current_setting('temp_directory')"))
    assert limit.replace(" ", "").upper() in {"286.1MIB", "300.0MB", "286.0MIB"}, limit
    assert spill.is_dir() and spill.name.startswith("tillit-duckdb-")
    engine.close()
    assert not spill.exists()


def test_a_query_larger_than_the_limit_spills_instead_of_failing(monkeypatch, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    monkeypatch.setenv("TILLIT_DUCKDB_MEMORY", "64MB")
    n = 3_000_000
    pq.write_table(
        pa.table(
            {
                "invoice_id": pa.array([f"F{i}" for i in range(n)]),
                "supplier_id": pa.array([f"S{i % 1000}" for i in range(n)]),
                "amount": pa.array([i % 977 + 0.5 for i in range(n)]),
            }
        ),
        tmp_path / "invoices.parquet",
    )
    engine = DuckDBEngine(threads=1)
    try:
        engine.register("invoices", DatasetSource(paths=[str(tmp_path / "invoices.parquet")]))
        # a hash group with three million distinct keys: more than 64 MB in memory
        groups = engine.scalar(
            "SELECT count(*) FROM (SELECT invoice_id, sum(amount) FROM invoices GROUP BY invoice_id)"
        )
        assert groups == n
    finally:
        engine.close()


def test_a_limit_duckdb_does_not_understand_is_refused_with_the_variable_named(monkeypatch):
    monkeypatch.setenv("TILLIT_DUCKDB_MEMORY", "lots")
    with pytest.raises(ValueError, match="TILLIT_DUCKDB_MEMORY='lots'"):
        DuckDBEngine()


def test_unset_leaves_duckdbs_default(monkeypatch):
    monkeypatch.delenv("TILLIT_DUCKDB_MEMORY", raising=False)
    engine = DuckDBEngine()
    try:
        assert engine._spill is None
    finally:
        engine.close()
