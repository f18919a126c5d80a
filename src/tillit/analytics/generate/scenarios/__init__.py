"""Injected cases and decoys, organised by control: scenarios/<prefix>.py beside controls/<prefix>.py.

A scenario is one small function that puts a known case (or a decoy the control must not flag)
into the synthetic municipality, next to the data it needs, and writes it to the truth
(`inj.t.case(...)`, `inj.t.decoy(...)`). `@scenario(stage, order)` registers it; the generator
runs each stage's scenarios by order at the point where the stage belongs:

- `injector.<step>` (duplicates, payments, limits, suppliers, accounts, people, patterns):
  suppliers, invoices and payments, made before the background (`Injector`, _purchasing_cases.py)
- `welfare.build_benefits`, `welfare.build_grants`, `welfare.build_permits`: households,
  associations and permits, made after the background (`Welfare`, _welfare.py)

The order fixes the sequence of random draws and so every generated file: a new scenario takes
an order above those of its stage, and the files and truth of the existing ones stay as they were.
Every module in this package is imported when a stage first runs, so a new module needs no list.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

Scenario = Callable[[Any], None]
SCENARIOS: dict[str, dict[int, Scenario]] = {}
_loaded = False


def scenario(stage: str, order: int) -> Callable[[Scenario], Scenario]:
    """Register the decorated function to run in `stage` at `order` (unique within the stage)."""

    def register(fn: Scenario) -> Scenario:
        taken = SCENARIOS.setdefault(stage, {})
        if order in taken and taken[order] is not fn:
            raise ValueError(
                f"scenario order {order} of {stage} is taken by {taken[order].__name__}"
            )
        taken[order] = fn
        return fn

    return register


def _load() -> None:
    # the modules register their scenarios on import; imported here, at generation time, because
    # they use the generator's classes, which import this package
    global _loaded
    if _loaded:
        return
    _loaded = True
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


def run_scenarios(generator: Any, stage: str) -> None:
    """Run the stage's scenarios in order on the generator object (Injector or Welfare)."""
    _load()
    for _order, fn in sorted(SCENARIOS.get(stage, {}).items()):
        fn(generator)
