"""The hand mappings of engines/dialects.py: each fails without its entry."""

from __future__ import annotations

import duckdb
import pytest

from tillit.analytics.engines.dialects import transpile


def test_length_of_a_list_becomes_size_on_spark_and_of_a_string_stays_length():
    sql = transpile("SELECT len(list_filter([1, 2], lambda x: x > 1)) AS n, length(name) AS m FROM t", "spark")
    assert "SIZE(FILTER(" in sql and "LENGTH(name)" in sql


def test_jaro_winkler_becomes_the_registered_function_on_spark():
    sql = transpile("SELECT jaro_winkler_similarity(a, b) AS s FROM t", "spark")
    assert "tillit_jaro_winkler(a, b)" in sql.lower()
    assert transpile("SELECT jaro_winkler_similarity(a, b) AS s FROM t", "duckdb").count("jaro_winkler") == 1


PAIRS = [("elservice sjobergs", "elservice sjoberg"), ("hagalund fiskevardsforening", "fiskevardsforening lindhagas"),
         ("martha", "marhta"), ("abc", "xyz"), ("", "a"), ("bygg montage", "bygg montage")]


def test_the_spark_function_computes_duckdb_figures_on_ascii_text():
    from tillit.analytics.engines.spark import jaro_winkler

    for a, b in PAIRS:
        expected = duckdb.sql(f"SELECT jaro_winkler_similarity('{a}', '{b}')").fetchall()[0][0]
        assert jaro_winkler(a, b) == pytest.approx(expected, abs=1e-12), (a, b)
    assert jaro_winkler(None, "a") is None


@pytest.mark.spark
def test_the_function_is_registered_in_a_spark_engine(spark_session):
    from tillit.analytics.engines.spark import SparkEngine

    engine = SparkEngine(session=spark_session)
    try:
        table = engine.execute(transpile("SELECT jaro_winkler_similarity('martha', 'marhta') AS s", "spark"))
        assert table.column("s").to_pylist() == [pytest.approx(0.9611111, abs=1e-6)]
    finally:
        engine.close()
