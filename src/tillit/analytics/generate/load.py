"""The generated municipality imported: the one generate -> import loop of the demo's pages, the
docs' example hits, the benchmarks and the tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from tillit.analytics import schema
from tillit.analytics.engines.base import DatasetSource
from tillit.analytics.ingest import ingest


class ImportFailed(ValueError):
    """A generated file did not import: a fault of the generator or the importer, not of a user."""


def import_generated(
    files: Path,
    parquet: Path,
    *,
    policy: Literal["reject", "quarantine"] = "reject",
    progress: Callable[[str], None] | None = None,
) -> dict[str, DatasetSource]:
    """Import every data set the generator wrote to `files` as `parquet/<name>.parquet`, in the
    order of schema.DATASETS; the engines' sources, keyed and with the columns the import found
    unavailable."""
    parquet.mkdir(parents=True, exist_ok=True)
    sources: dict[str, DatasetSource] = {}
    for name in schema.DATASETS:
        path = files / f"{name}.csv"
        if not path.exists():
            continue
        if progress:
            progress(name)
        out = parquet / f"{name}.parquet"
        result = ingest(name, path, out, policy=policy)
        if not result.ok:
            raise ImportFailed(f"{name} did not import: {result.file_errors} {result.errors[:3]}")
        sources[name] = DatasetSource(
            paths=[str(out)], key=schema.get(name).key, unavailable=frozenset(result.unavailable)
        )
    return sources
