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


# -- split_shared_ctes: a CTE read twice is one statement of its own -------------------------------

SHARED = """
WITH base AS (SELECT id, amount FROM invoices WHERE amount > :min_amount),
     once AS (SELECT id FROM base WHERE id > 1),
     twice AS (SELECT b.id, b.amount FROM base AS b JOIN once AS o ON o.id = b.id)
SELECT x.id, y.amount FROM twice AS x JOIN twice AS y ON y.id = x.id
UNION ALL SELECT id, amount FROM base
"""


def test_a_cte_read_twice_becomes_a_view_and_one_read_once_stays_inline():
    from tillit.analytics.engines.dialects import split_shared_ctes

    steps = split_shared_ctes(SHARED, "spark", "_v_")
    assert [s.view for s in steps] == ["_v_base", "_v_twice", None]
    assert steps[0].params == {"min_amount"} and steps[1].params == steps[2].params == set()
    # `once` is read only by `twice`: it is inlined there and nowhere else
    assert "once AS" in steps[1].sql and "once" not in steps[2].sql
    # the view keeps the CTE's name as alias, so qualified columns still resolve
    assert "_v_base AS base" in steps[1].sql or "_v_base AS b" in steps[1].sql
    assert "FROM _v_base AS base" in steps[2].sql and "_v_twice AS x" in steps[2].sql


def test_a_query_without_a_shared_cte_is_left_whole():
    from tillit.analytics.engines.dialects import split_shared_ctes

    for sql in (
        "SELECT 1 AS x",
        "WITH a AS (SELECT 1 AS x) SELECT x FROM a",
        # a nested CTE that shadows a top-level name: not split
        "WITH a AS (SELECT 1 AS x) SELECT * FROM a JOIN (WITH a AS (SELECT 2 AS x) SELECT x FROM a) AS b ON true",
    ):
        [step] = split_shared_ctes(sql, "spark", "_v_")
        assert step.view is None and step.sql == sql


def test_every_control_splits_into_statements_that_read_only_their_own_names():
    """Each step's SQL parses, names only the data sets, its own inline CTEs and earlier views."""
    import sqlglot
    from sqlglot import exp

    from tillit.analytics.engines.dialects import split_shared_ctes
    from tillit.analytics.registry import all_controls

    for control in all_controls():
        steps = split_shared_ctes(transpile(control.sql, "spark"), "spark", "_v_")
        made: set[str] = set()
        for step in steps:
            tree = sqlglot.parse_one(step.sql, read="spark")
            inline = {c.alias_or_name for c in tree.find_all(exp.CTE)}
            for table in tree.find_all(exp.Table):
                assert (
                    table.name in control.datasets or table.name in inline or table.name in made
                ), (control.id, table.name)
            if step.view:
                made.add(step.view)
        assert steps[-1].view is None


@pytest.mark.spark
def test_spark_computes_a_shared_cte_once_and_drops_it_after(spark_session):
    """The same rows as DuckDB, with the shared CTEs computed first as views; none is left after."""
    from tillit.analytics.engines.spark import SparkEngine

    rows = [(i, float(i * 10)) for i in range(1, 6)]
    spark_session.createDataFrame(rows, "id INT, amount DOUBLE").createOrReplaceTempView("invoices")
    engine = SparkEngine(session=spark_session)
    try:
        before = {r.viewName for r in spark_session.sql("SHOW VIEWS").collect()}
        table = engine.execute(transpile(SHARED, "spark"), {"min_amount": 15.0})
        after = {r.viewName for r in spark_session.sql("SHOW VIEWS").collect()}
        whole = SparkEngine(session=spark_session, materialise_ctes=False).execute(
            transpile(SHARED, "spark"), {"min_amount": 15.0}
        )
    finally:
        engine.close()
        spark_session.catalog.dropTempView("invoices")
    assert after == before
    con = duckdb.connect()
    con.execute("CREATE TABLE invoices (id INTEGER, amount DOUBLE)")
    con.executemany("INSERT INTO invoices VALUES (?, ?)", rows)
    expected = sorted(con.execute(SHARED.replace(":min_amount", "15.0")).fetchall())
    assert sorted(zip(*table.to_pydict().values(), strict=True)) == expected
    assert sorted(zip(*whole.to_pydict().values(), strict=True)) == expected
    assert len(expected) == 8
