"""DuckDB SQL -> other engines: sqlglot's transpiler plus the ONE table of hand mappings.

Controls are written in DuckDB's dialect. sqlglot translates nearly all of it; what it gets
wrong or cannot translate is fixed here and nowhere else, one entry per construct, each with
the reason. Add an entry only with a golden test that fails without it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import sqlglot
from sqlglot import exp

Rewrite = Callable[[exp.Expression], exp.Expression]


def _string_length_only(node: exp.Expression) -> exp.Expression:
    # DuckDB's len()/length() takes a string or a list; sqlglot writes Spark's LENGTH, which
    # takes only strings. On a list (a lambda filter, a literal list, list()) Spark needs SIZE.
    arg = node.this
    if isinstance(arg, exp.ArrayFilter | exp.Array | exp.ArrayAgg | exp.Transform | exp.ArrayDistinct
                  | exp.ArraySort | exp.ArrayConcat | exp.Split):
        return exp.ArraySize(this=arg)
    return node


def _jaro_winkler_udf(node: exp.Expression) -> exp.Expression:
    # Spark has no Jaro-Winkler; SparkEngine registers tillit_jaro_winkler (rapidfuzz, the same
    # definition as DuckDB's on ASCII text; controls fold names to ASCII before comparing).
    return exp.Anonymous(this="tillit_jaro_winkler", expressions=[node.this, node.expression])


def _local_time(node: exp.Expression) -> exp.Expression:
    # local_time(ts): Swedish wall-clock time of a timestamp stored in UTC. DuckDB has it as a
    # macro (engines/duckdb.py); Spark has from_utc_timestamp.
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "local_time" and len(node.expressions) == 1:
        return exp.Anonymous(this="from_utc_timestamp",
                             expressions=[node.expressions[0], exp.Literal.string("Europe/Stockholm")])
    return node


# (target dialect, sqlglot expression type) -> rewrite applied before sqlglot writes the SQL
HAND_MAPPINGS: dict[tuple[str, type[exp.Expression]], Rewrite] = {
    ("spark", exp.Length): _string_length_only,
    ("spark", exp.JarowinklerSimilarity): _jaro_winkler_udf,
    ("spark", exp.Anonymous): _local_time,
}


@functools.lru_cache(maxsize=2048)
def transpile(sql: str, dialect: str) -> str:
    """The control's DuckDB SQL in `dialect` (`duckdb` returns it as written); once per process."""
    if dialect == "duckdb":
        return sql.strip()
    tree = sqlglot.parse_one(sql, read="duckdb")
    rewrites = {kind: fn for (target, kind), fn in HAND_MAPPINGS.items() if target == dialect}
    if rewrites:
        def apply(node: exp.Expression) -> exp.Expression:
            fn = rewrites.get(type(node))
            return fn(node) if fn else node

        tree = tree.transform(apply)
    return tree.sql(dialect=dialect, pretty=True)
