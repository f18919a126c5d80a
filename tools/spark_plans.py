"""Operators in Spark's physical plans of the invoice controls, whole and split (docs/benchmarks.md).

    python3 tools/spark_plans.py --scale 5 [--whole] [CONTROL ...]

Loads the synthetic municipality of `tillit bench controls --scale N` (generated there first) into
a local Spark session and, per control, counts the operators of the physical plans Spark makes
before it runs them (`queryExecution().executedPlan()`, adaptive execution's initial plan): split
(what the engine runs: each CTE read more than once computed once as a cached view, the plans of
all its statements summed; this runs the control) and, with --whole, the query as one statement
(every CTE reference inlined; planned, not run). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Mapping
from typing import Any

OPERATORS = {
    "broadcast hash joins": r"BroadcastHashJoin",
    "sort-merge joins": r"SortMergeJoin",
    "broadcast nested loop joins": r"BroadcastNestedLoopJoin",
    "shuffle exchanges": r"Exchange (?:hashpartitioning|rangepartitioning|SinglePartition|RoundRobin)",
    "window operators": r"\bWindow\b",
    "hash aggregates": r"\b(?:HashAggregate|ObjectHashAggregate|SortAggregate)\b",
    "Python UDFs": r"BatchEvalPython|ArrowEvalPython",
}


def _own_lines(plan: str) -> list[str]:
    """The plan's lines without the plans of cached relations it reads (an InMemoryRelation
    prints the plan that filled it beneath itself: computed before, not by this statement)."""
    lines, inside = [], None
    for line in plan.splitlines():
        indent = len(line) - len(line.lstrip(" :|+-"))
        if inside is not None and indent > inside:
            continue
        inside = indent if "InMemoryRelation" in line else None
        lines.append(line)
    return lines


def count(plans: list[str]) -> dict[str, int]:
    return {
        name: sum(len(re.findall(pattern, line)) for plan in plans for line in _own_lines(plan))
        for name, pattern in OPERATORS.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("controls", nargs="*", default=None)
    parser.add_argument("--scale", type=float, default=5)
    parser.add_argument("--whole", action="store_true", help="also plan each query whole")
    args = parser.parse_args(argv)
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s")
    logging.getLogger("tillit.analytics.engines.spark").setLevel(logging.DEBUG)

    from pyspark.sql import DataFrame

    from tillit.analytics.engines.spark import SparkEngine, local_session
    from tillit.analytics.registry import get
    from tillit.bench import INVOICE_CONTROLS, prepared

    plans: list[str] = []

    class Recording(SparkEngine):
        def _frame(self, sql: str, params: Mapping[str, Any]) -> DataFrame:
            df = super()._frame(sql, params)
            plans.append(df._jdf.queryExecution().executedPlan().toString())
            return df

    data = prepared(args.scale)
    controls = [get(c) for c in (args.controls or INVOICE_CONTROLS)]
    session = local_session()
    session.sparkContext.setLogLevel("ERROR")
    engine = Recording(session=session)
    rows = []
    try:
        for name in sorted({d for c in controls for d in c.datasets}):
            engine.register(name, data["sources"].get(name))
            engine.scalar(f"SELECT count(*) FROM {name}")  # noqa: S608
        for control in controls:
            values = control.resolve_params(None)
            sql = engine.transpile(control.sql)
            if args.whole:
                used = {k: v for k, v in values.items() if f":{k}" in sql}
                df = session.sql(sql, args=used or None)
                rows.append(
                    (
                        control.id,
                        "whole",
                        count([df._jdf.queryExecution().executedPlan().toString()]),
                        None,
                        None,
                    )
                )
            plans.clear()
            started = time.perf_counter()
            result = engine.run(control, values)
            seconds = time.perf_counter() - started
            rows.append(
                (
                    control.id,
                    f"split ({len(plans)} statements)",
                    count(plans),
                    result.table.num_rows,
                    seconds,
                )
            )
            print(f"{control.id}: {seconds:.1f} s, {result.table.num_rows} hits", file=sys.stderr)
    finally:
        engine.close()
    print("| control | plan | " + " | ".join(OPERATORS) + " |")
    print("| --- | --- | " + " | ".join("---:" for _ in OPERATORS) + " |")
    for cid, kind, counts, _hits, _s in rows:
        print(f"| {cid} | {kind} | " + " | ".join(str(counts[n]) for n in OPERATORS) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
