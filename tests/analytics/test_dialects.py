"""The hand mappings of engines/dialects.py: each fails without its entry."""

from __future__ import annotations

import random

import duckdb
import pytest

from tillit.analytics.engines.dialects import transpile


def test_length_of_a_list_becomes_size_on_spark_and_of_a_string_stays_length():
    sql = transpile(
        "SELECT len(list_filter([1, 2], lambda x: x > 1)) AS n, length(name) AS m FROM t", "spark"
    )
    assert "SIZE(FILTER(" in sql and "LENGTH(name)" in sql


def test_jaro_winkler_becomes_a_spark_sql_expression_without_python_functions():
    sql = transpile("SELECT jaro_winkler_similarity(a, b) AS s FROM t", "spark")
    assert "jaro_winkler" not in sql.lower() and "tillit_" not in sql.lower()
    assert "AGGREGATE(" in sql and "STRUCT(a AS a, b AS b)" in sql  # each argument bound once
    assert (
        transpile("SELECT jaro_winkler_similarity(a, b) AS s FROM t", "duckdb").count(
            "jaro_winkler"
        )
        == 1
    )


def _pairs() -> list[tuple[str | None, str | None]]:
    """Names as the controls compare them, edge cases, and random strings over small alphabets
    (many repeated characters: matching windows, transpositions and prefixes are exercised)."""
    rng = random.Random(7)
    pairs: list[tuple[str | None, str | None]] = [
        ("elservice sjobergs", "elservice sjoberg"),
        ("hagalund fiskevardsforening", "fiskevardsforening lindhagas"),
        ("martha", "marhta"),
        ("dixon", "dicksonx"),
        ("abc", "xyz"),
        ("", "a"),
        ("a", ""),
        ("", ""),
        ("ab", "ba"),
        ("a", "a"),
        ("crate", "trace"),
        ("bygg montage", "bygg montage"),
        (None, "a"),
        ("a", None),
    ]
    for _ in range(400):
        alphabet = rng.choice(["ab", "abc", "abcdef", "abcdefghijklmnopqrstuvwxyz "])
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        b = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        if rng.random() < 0.3:
            b = a[: rng.randint(0, len(a))] + "".join(
                rng.choice(alphabet) for _ in range(rng.randint(0, 3))
            )
        pairs.append((a, b))
    return pairs


@pytest.mark.spark
def test_the_spark_expression_computes_the_figures_of_duckdb_and_rapidfuzz(spark_session):
    """Spark runs the SQL expression (no Python on the executors); it gives rapidfuzz's
    Jaro-Winkler exactly (what the engine computed before, with a Python function) and DuckDB's
    within the last bits of a double, on non-empty text."""
    from rapidfuzz.distance import JaroWinkler

    from tillit.analytics.engines.spark import SparkEngine

    pairs = _pairs()
    engine = SparkEngine(session=spark_session)
    try:
        frame = spark_session.createDataFrame(
            [(i, a, b) for i, (a, b) in enumerate(pairs)], "i INT, a STRING, b STRING"
        )
        frame.createOrReplaceTempView("jw_pairs")
        table = engine.execute(
            transpile("SELECT i, jaro_winkler_similarity(a, b) AS s FROM jw_pairs", "spark")
        )
    finally:
        engine.close()
    got = dict(zip(table.column("i").to_pylist(), table.column("s").to_pylist(), strict=True))
    con = duckdb.connect()
    for i, (a, b) in enumerate(pairs):
        if a is None or b is None:
            assert got[i] is None
            continue
        assert got[i] == JaroWinkler.similarity(a, b), (a, b)
        if a and b:
            [(duck,)] = con.execute("SELECT jaro_winkler_similarity(?, ?)", [a, b]).fetchall()
            assert got[i] == pytest.approx(duck, abs=1e-12), (a, b)
