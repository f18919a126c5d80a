"""DuckDB SQL -> other engines: sqlglot's transpiler plus the ONE table of hand mappings.

Controls are written in DuckDB's dialect. sqlglot translates nearly all of it; what it gets
wrong or cannot translate is fixed here and nowhere else, one entry per construct, each with
the reason. Add an entry only with a golden test that fails without it.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import sqlglot
from sqlglot import exp

Rewrite = Callable[[exp.Expression], exp.Expression]


def _string_length_only(node: exp.Expression) -> exp.Expression:
    # DuckDB's len()/length() takes a string or a list; sqlglot writes Spark's LENGTH, which
    # takes only strings. On a list (a lambda filter, a literal list, list()) Spark needs SIZE.
    arg = node.this
    if isinstance(
        arg,
        exp.ArrayFilter
        | exp.Array
        | exp.ArrayAgg
        | exp.Transform
        | exp.ArrayDistinct
        | exp.ArraySort
        | exp.ArrayConcat
        | exp.Split,
    ):
        return exp.ArraySize(this=arg)
    return node


# DuckDB's jaro_winkler_similarity(a, b) as ONE Spark SQL expression (higher-order functions, no
# Python on the executors, no jar): the Jaro similarity of the two strings, with the Winkler boost
# for a common prefix of up to 4 characters (weight 0.1) when the Jaro similarity exceeds 0.7,
# computed as DuckDB and rapidfuzz compute it. Characters of `a` are matched in order, each to
# the first unused equal character of `b` within the window max(len)/2 - 1; the transpositions
# are half the matched characters that differ in order. Each argument is evaluated once
# (bound through a one-element array). Controls fold names to ASCII first, so that DuckDB, which
# counts bytes, and Spark, which counts characters, see the same strings.
JARO_WINKLER_SPARK = """transform(array(named_struct('a', {a}, 'b', {b})), p ->
  CASE WHEN p.a IS NULL OR p.b IS NULL THEN CAST(NULL AS DOUBLE)
       WHEN length(p.a) = 0 AND length(p.b) = 0 THEN CAST(1.0 AS DOUBLE)
       WHEN length(p.a) = 0 OR length(p.b) = 0 THEN CAST(0.0 AS DOUBLE)
       ELSE transform(array(aggregate(
         sequence(0, length(p.a) - 1),
         named_struct('used', array_repeat(false, length(p.b)), 'm1', CAST(array() AS ARRAY<STRING>)),
         (acc, i) -> transform(array(aggregate(
             filter(sequence(greatest(0, i - greatest(0, CAST(greatest(length(p.a), length(p.b)) DIV 2 - 1 AS INT))),
                             greatest(0, least(length(p.b) - 1,
                                               i + greatest(0, CAST(greatest(length(p.a), length(p.b)) DIV 2 - 1 AS INT))))),
                    k -> k <= length(p.b) - 1
                         AND k >= i - greatest(0, CAST(greatest(length(p.a), length(p.b)) DIV 2 - 1 AS INT))
                         AND k <= i + greatest(0, CAST(greatest(length(p.a), length(p.b)) DIV 2 - 1 AS INT))
                         AND NOT acc.used[k] AND substr(p.b, k + 1, 1) = substr(p.a, i + 1, 1)),
             -1, (first, k) -> CASE WHEN first < 0 THEN k ELSE first END)),
           j -> CASE WHEN j < 0 THEN acc
                     ELSE named_struct('used', transform(acc.used, (u, k) -> u OR k = j),
                                       'm1', concat(acc.m1, array(substr(p.a, i + 1, 1)))) END)[0])),
         r -> transform(array(named_struct(
                'm', size(r.m1),
                'm2', transform(filter(sequence(0, length(p.b) - 1), k -> r.used[k]), k -> substr(p.b, k + 1, 1)))),
              q -> CASE WHEN q.m = 0 THEN CAST(0.0 AS DOUBLE)
                        ELSE transform(array(
                          (CAST(q.m AS DOUBLE) / length(p.a) + CAST(q.m AS DOUBLE) / length(p.b)
                           + CAST(q.m - size(filter(sequence(0, q.m - 1), k -> r.m1[k] <> q.m2[k])) DIV 2 AS DOUBLE)
                             / q.m) / CAST(3.0 AS DOUBLE)),
                          jaro -> CASE WHEN jaro > 0.7
                                       THEN jaro + CAST(size(filter(sequence(1, least(4, length(p.a), length(p.b))),
                                                                    k -> substr(p.a, 1, k) = substr(p.b, 1, k)))
                                                        AS DOUBLE) * CAST(0.1 AS DOUBLE) * (CAST(1.0 AS DOUBLE) - jaro)
                                       ELSE jaro END)[0] END)[0])[0]
  END)[0]"""


def _jaro_winkler_sql(node: exp.Expression) -> exp.Expression:
    text = JARO_WINKLER_SPARK.format(
        a=node.this.sql(dialect="spark"), b=node.expression.sql(dialect="spark")
    )
    return cast(exp.Expression, sqlglot.parse_one(text, read="spark"))


def _local_time(node: exp.Expression) -> exp.Expression:
    # local_time(ts): Swedish wall-clock time of a timestamp stored in UTC. DuckDB has it as a
    # macro (engines/duckdb.py) returning a TIMESTAMP without time zone; Spark has from_utc_timestamp,
    # cast to TIMESTAMP_NTZ so that the wall-clock time leaves Spark unlabelled as in DuckDB (a plain
    # TIMESTAMP would be read back as a UTC instant and moved to Swedish time a second time).
    if (
        isinstance(node, exp.Anonymous)
        and str(node.this).lower() == "local_time"
        and len(node.expressions) == 1
    ):
        shifted = exp.Anonymous(
            this="from_utc_timestamp",
            expressions=[node.expressions[0], exp.Literal.string("Europe/Stockholm")],
        )
        return exp.Cast(this=shifted, to=exp.DataType.build("TIMESTAMP_NTZ", dialect="spark"))
    return node


# (target dialect, sqlglot expression type) -> rewrite applied before sqlglot writes the SQL
HAND_MAPPINGS: dict[tuple[str, type[exp.Expression]], Rewrite] = {
    ("spark", exp.Length): _string_length_only,
    ("spark", exp.JarowinklerSimilarity): _jaro_winkler_sql,
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


# -- a query's shared CTEs as separate statements (Spark) ---------------------------------------


@dataclass(frozen=True)
class Step:
    """One statement of a split query: `view` is None for the final SELECT."""

    view: str | None
    sql: str
    params: frozenset[str]


def _with_key(tree: exp.Expr) -> str:
    return "with_" if "with_" in tree.arg_types else "with"


def split_shared_ctes(sql: str, dialect: str, prefix: str) -> list[Step]:
    """The query as statements that compute each CTE read more than once a single time.

    Spark's optimizer inlines every reference to a deterministic CTE: a CTE read by two others,
    each read by two more, is planned and run once per path (INV-DUP-FUZZY's chain became 643
    broadcasts and 977 windows). DuckDB computes such a CTE once. Here each top-level CTE that
    the rest of the query references two or more times becomes a step of its own, to be stored
    as the view `<prefix><name>` (the engine computes it once); the CTEs read once stay inline, in the
    statement of the one step or final SELECT that reads them (so each runs once too). The last
    step is the final SELECT (view None). A query without such a CTE, a recursive WITH or a
    nested CTE that shadows a top-level name comes back whole as one step.
    """
    whole = [Step(None, sql, _placeholders_in(sqlglot.parse_one(sql, read=dialect)))]
    tree = sqlglot.parse_one(sql, read=dialect)
    key = _with_key(tree)
    with_ = tree.args.get(key)
    if not isinstance(with_, exp.With) or with_.args.get("recursive"):
        return whole
    ctes = {cte.alias_or_name: cte for cte in with_.expressions}
    if len(ctes) != len(with_.expressions):
        return whole
    for nested in tree.find_all(exp.CTE):
        if nested.parent is not with_ and nested.alias_or_name in ctes:
            return whole

    def refs(node: exp.Expr) -> list[str]:
        return [
            t.name
            for t in node.find_all(exp.Table)
            if not t.args.get("db") and not t.args.get("catalog") and t.name in ctes
        ]

    body = tree.copy()
    body.set(key, None)
    reads = {name: refs(cte.this) for name, cte in ctes.items()}
    count = dict.fromkeys(ctes, 0)
    for names in [*reads.values(), refs(body)]:
        for name in names:
            count[name] += 1
    shared = [name for name in ctes if count[name] >= 2]
    if not shared:
        return whole
    views = {name: f"{prefix}{name}" for name in shared}

    def rename(node: exp.Expr) -> exp.Expr:
        if (
            isinstance(node, exp.Table)
            and node.name in views
            and not node.args.get("db")
            and not node.args.get("catalog")
        ):
            renamed = exp.Table(this=exp.to_identifier(views[node.name]))
            # the view keeps the CTE's name as its alias, so `name.column` still resolves
            renamed.set(
                "alias", node.args.get("alias") or exp.TableAlias(this=exp.to_identifier(node.name))
            )
            return renamed
        return node

    def statement(query: exp.Expr) -> exp.Expr:
        # the CTEs read once that this statement needs (transitively), in their original order
        needed: set[str] = set()
        todo = [n for n in refs(query) if n not in views]
        while todo:
            name = todo.pop()
            if name not in needed:
                needed.add(name)
                todo += [n for n in reads[name] if n not in views]
        query = query.copy().transform(rename)
        inline = [ctes[n].copy().transform(rename) for n in ctes if n in needed]
        if inline:
            own = query.args.get(_with_key(query))
            inner = list(own.expressions) if isinstance(own, exp.With) else []
            query.set(_with_key(query), exp.With(expressions=inline + inner))
        return query

    steps = []
    for name in shared:
        query = statement(ctes[name].this)
        steps.append(Step(views[name], query.sql(dialect=dialect), _placeholders_in(query)))
    final = statement(body)
    steps.append(Step(None, final.sql(dialect=dialect), _placeholders_in(final)))
    return steps


def _placeholders_in(tree: exp.Expr) -> frozenset[str]:
    return frozenset(p.name for p in tree.find_all(exp.Placeholder, exp.Parameter) if p.name)


# -- CTEs that several controls compute alike, computed once per engine session -----------------

SHARED_PREFIX = "_tillit_shared_"

# functions whose value differs from one evaluation to the next: a CTE calling one is never shared
_VOLATILE = (exp.Rand, exp.CurrentDate, exp.CurrentTimestamp, exp.CurrentTime)
_VOLATILE_NAMES = frozenset({"random", "uuid", "gen_random_uuid", "now", "nextval", "setseed"})


@dataclass(frozen=True)
class SharedCte:
    """A CTE that reads only data sets (and other such CTEs) and no parameter.

    `key` is its body as sqlglot writes it without comments, with its references to other such
    CTEs replaced by their tables: two queries whose CTEs have the same key compute the same
    relation. `table` is the name it is stored under; `sql` computes it (DuckDB dialect), reading
    the tables of the CTEs it depends on; `datasets` are the data sets it reads, directly or
    through them; `needs` the tables of those CTEs."""

    name: str
    key: str
    table: str
    sql: str
    datasets: frozenset[str]
    needs: tuple[str, ...]


@dataclass(frozen=True)
class SharedPlan:
    """A query that reads stored CTEs: `sql` (DuckDB dialect) and the CTEs it needs, in order."""

    sql: str
    ctes: tuple[SharedCte, ...]


def _top_level_ctes(tree: exp.Expr) -> tuple[exp.With, dict[str, exp.CTE]] | None:
    with_ = tree.args.get(_with_key(tree))
    if not isinstance(with_, exp.With) or with_.args.get("recursive"):
        return None
    ctes = {cte.alias_or_name: cte for cte in with_.expressions}
    if len(ctes) != len(with_.expressions):
        return None
    for nested in tree.find_all(exp.CTE):
        if nested.parent is not with_ and nested.alias_or_name in ctes:
            return None
    return with_, ctes


def _plain_table(node: exp.Expr) -> bool:
    return (
        isinstance(node, exp.Table)
        and not node.args.get("db")
        and not node.args.get("catalog")
        and isinstance(node.this, exp.Identifier)
    )


def _retarget(tables: dict[str, str]) -> Rewrite:
    def rename(node: exp.Expression) -> exp.Expression:
        if _plain_table(node) and node.name in tables:
            renamed = exp.Table(this=exp.to_identifier(tables[node.name]))
            # the stored table keeps the CTE's name as its alias, so `name.column` still resolves
            renamed.set(
                "alias", node.args.get("alias") or exp.TableAlias(this=exp.to_identifier(node.name))
            )
            return renamed
        return node

    return rename


def _volatile(node: exp.Expr) -> bool:
    for fn in node.find_all(exp.Func):
        if isinstance(fn, _VOLATILE):
            return True
        if isinstance(fn, exp.Anonymous) and str(fn.this).lower() in _VOLATILE_NAMES:
            return True
    return False


@functools.lru_cache(maxsize=2048)
def shareable_ctes(sql: str, datasets: frozenset[str]) -> tuple[SharedCte, ...]:
    """The top-level CTEs of a DuckDB-dialect query that could be stored and read by another query.

    A CTE qualifies when its body has no parameter, no CTE of its own, no function whose value
    changes between calls, no column list on its name and no data set's name, and reads only data
    sets in `datasets` and earlier CTEs that qualify. A recursive WITH or a nested CTE that shadows a top-level name gives
    none."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    found = _top_level_ctes(tree)
    if found is None:
        return ()
    _with, ctes = found
    out: dict[str, SharedCte] = {}
    earlier: set[str] = set()  # a CTE's name hides a data set of that name from the CTEs after it
    for name, cte in ctes.items():
        body = cte.this
        alias = cte.args.get("alias")
        plain = not (isinstance(alias, exp.TableAlias) and alias.columns)
        tables = [t for t in body.find_all(exp.Table)]
        ok = (
            plain
            and name not in datasets
            and not _placeholders_in(body)
            and not any(True for _ in body.find_all(exp.CTE))
            and not _volatile(body)
            and all(
                _plain_table(t) and (t.name in out if t.name in earlier else t.name in datasets)
                for t in tables
            )
        )
        earlier.add(name)
        if not ok:
            continue
        needs = sorted({t.name for t in tables if t.name in out})
        reads = frozenset(
            {t.name for t in tables if t.name not in out}.union(*(out[n].datasets for n in needs))
        )
        stored = body.copy().transform(_retarget({n: out[n].table for n in needs}))
        key = stored.sql(dialect="duckdb", comments=False)
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
        out[name] = SharedCte(
            name=name,
            key=key,
            table=f"{SHARED_PREFIX}{digest}",
            sql=stored.sql(dialect="duckdb"),
            datasets=reads,
            needs=tuple(out[n].table for n in needs),
        )
    return tuple(out.values())


@functools.lru_cache(maxsize=2048)
def plan_shared(sql: str, datasets: frozenset[str], keys: frozenset[str]) -> SharedPlan | None:
    """The query reading stored tables for its CTEs whose key is in `keys` (shareable_ctes).

    None when no such CTE is read. The plan lists the CTEs to store, each after those it reads;
    the query itself is the same SELECT with those CTEs left out of its WITH list and their
    references pointed at the tables (under the CTE's name as alias)."""
    shareable = {c.name: c for c in shareable_ctes(sql, datasets)}
    candidates = {name for name, c in shareable.items() if c.key in keys}
    if not candidates:
        return None
    tree = sqlglot.parse_one(sql, read="duckdb")
    found = _top_level_ctes(tree)
    assert found is not None  # shareable_ctes found CTEs
    _with, ctes = found
    # the shared CTEs that the rest of the query reads
    rest = tree.copy()
    rest_with = rest.args.get(_with_key(rest))
    assert isinstance(rest_with, exp.With)
    rest_with.set("expressions", [c.copy() for n, c in ctes.items() if n not in candidates])
    read = {t.name for t in rest.find_all(exp.Table) if _plain_table(t) and t.name in candidates}
    if not read:
        return None
    by_table = {c.table: c for c in shareable.values()}
    order: list[SharedCte] = []

    def need(cte: SharedCte) -> None:
        for table in cte.needs:
            need(by_table[table])
        if cte not in order:
            order.append(cte)

    for name in ctes:
        if name in read:
            need(shareable[name])
    # what is stored (the shared CTEs and those they read) leaves the WITH list; the references
    # to it read the tables
    stored = {c.name: c.table for c in order}
    kept = [c.copy() for n, c in ctes.items() if n not in stored and n not in candidates]
    rest = tree.copy()
    rest.set(_with_key(rest), exp.With(expressions=kept) if kept else None)
    rest = rest.transform(_retarget(stored))
    return SharedPlan(sql=rest.sql(dialect="duckdb"), ctes=tuple(order))
