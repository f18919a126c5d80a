"""Engines for the analytics tests (after Splink's tests/decorator.py and ibis' backend conftest).

`@engines()` runs a test once per engine with an `engine` fixture: DuckDB always, Spark under
the `spark` mark (one SparkSession per test session). An engine that cannot run a test is
declared with the error it raises, `@engines(broken={"spark": (SomeError, "why")})`: the test
then asserts that error, so a gap that closes (or changes) fails loudly instead of hiding.

`write_source(tmp_path, dataset, newest_rows, older_rows, …)` writes Parquet files the way the
importer does (amounts decimal128(18,2), dates date32) and returns their DatasetSource.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tillit.analytics import schema
from tillit.analytics.engines.base import DatasetSource, Engine

# the importer's types (schema.ARROW_TYPES); crafted timestamps are written in UTC
ARROW_TYPES = {**schema.ARROW_TYPES, "datetime": pa.timestamp("us", tz="UTC")}
ENGINES = ["duckdb", pytest.param("spark", marks=pytest.mark.spark)]


@pytest.fixture(scope="session")
def spark_session():
    from tillit.analytics.engines.spark import local_session

    session = local_session(cores=2, shuffle_partitions=2)
    session.sparkContext.setLogLevel("ERROR")
    # Test data is tiny: compiling generated code and re-planning adaptively cost more than they
    # save (a run of the invoice controls on the synthetic municipality: 19 s -> 9 s). Production
    # sessions keep Spark's defaults.
    for key, value in {
        "spark.sql.codegen.wholeStage": "false",
        "spark.sql.codegen.factoryMode": "NO_CODEGEN",
        "spark.sql.adaptive.enabled": "false",
    }.items():
        session.conf.set(key, value)
    yield session
    session.stop()


@pytest.fixture
def engine(request) -> Engine:
    name = getattr(request, "param", "duckdb")
    if name == "spark":
        from tillit.analytics.engines.spark import SparkEngine

        eng: Engine = SparkEngine(session=request.getfixturevalue("spark_session"))
    else:
        from tillit.analytics.engines.duckdb import DuckDBEngine

        eng = DuckDBEngine()
    yield eng
    eng.close()


def engines(broken: dict[str, tuple[type[BaseException], str]] | None = None) -> Callable:
    """Run the test on every engine; `broken` maps an engine to (the error it raises, why)."""
    broken = broken or {}

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            eng = kwargs["engine"]
            if eng.name in broken:
                error, _why = broken[eng.name]
                with pytest.raises(error):
                    fn(*args, **kwargs)
                return None
            return fn(*args, **kwargs)

        return pytest.mark.parametrize("engine", ENGINES, indirect=True)(wrapper)

    return decorate


def arrow_table(dataset: str, rows: list[dict[str, Any]]) -> pa.Table:
    spec = schema.get(dataset)
    names: list[str] = []
    for row in rows:
        names += [n for n in row if n not in names]
    fields = []
    for name in names:
        if name.endswith("_valid"):
            fields.append(pa.field(name, pa.bool_()))
        else:
            try:
                fields.append(pa.field(name, ARROW_TYPES[spec.column(name).type]))
            except KeyError:
                fields.append(pa.field(name, pa.string()))  # an unknown extra column, kept as text
    arrow_schema = pa.schema(fields)
    return pa.Table.from_pylist([{n: r.get(n) for n in names} for r in rows], schema=arrow_schema)


def write_source(
    tmp_path: Path,
    dataset: str,
    *snapshots: list[dict[str, Any]],
    unavailable: frozenset[str] = frozenset(),
) -> DatasetSource:
    """Snapshots newest first, like DatasetSource.paths."""
    paths = []
    for i, rows in enumerate(snapshots):
        path = tmp_path / f"{dataset}.{i}.parquet"
        pq.write_table(arrow_table(dataset, rows), path)
        paths.append(str(path))
    return DatasetSource(paths=paths, key=schema.get(dataset).key, unavailable=unavailable)


# -- the synthetic municipality, generated and imported once per test session and seed ------------

SYNTHETIC_SCALE = (
    0.1  # every injected case and decoy is present at this scale; generate + import ≈ 2 s
)


class Synthetic:
    """`tillit generate` output imported like any file: sources for run_controls, and the truth."""

    def __init__(self, folder: Path, seed: int):
        import json

        from tillit.analytics.generate import generate
        from tillit.analytics.generate.load import import_generated

        generate(folder / "files", scale=SYNTHETIC_SCALE, seed=seed)
        self.seed = seed
        self.truth = json.loads((folder / "files" / "truth.json").read_text(encoding="utf-8"))
        self.partner_files = folder / "files" / "partner"
        self.sources: dict[str, DatasetSource] = import_generated(
            folder / "files", folder / "parquet"
        )
        self._cross_municipality(folder)

    def _cross_municipality(self, folder: Path) -> None:
        """The pseudonymised exports of this municipality and of the generator's partner, as the
        matching party would import them (x_benefit_payments, x_invoices)."""
        from tillit.analytics.ingest import ingest
        from tillit.analytics.pseudonyms import export

        key = b"test key held by both municipalities, never the matching party"
        partner: dict[str, DatasetSource] = {}
        out = folder / "partner-parquet"
        out.mkdir()
        for name in ("suppliers", "invoices", "benefit_payments"):
            path = self.partner_files / f"{name}.csv"
            if path.exists():
                result = ingest(name, path, out / f"{name}.parquet")
                assert result.ok, (name, result.file_errors, result.errors[:3])
                partner[name] = DatasetSource(
                    paths=[str(out / f"{name}.parquet")], key=schema.get(name).key
                )
        ours = export(self.sources, "1111", key, folder / "x-ours")
        theirs = export(partner, "2222", key, folder / "x-partner")
        for name in ("x_benefit_payments", "x_invoices"):
            paths = [str(p[name]) for p in (ours, theirs) if name in p]
            self.sources[name] = DatasetSource(paths=paths, key=None)

    def cases(self, control_id: str) -> list[dict[str, Any]]:
        return [c for c in self.truth["cases"] if c["control_id"] == control_id]

    def decoys(self, control_id: str) -> list[dict[str, Any]]:
        return [
            d for d in self.truth["decoys"] if control_id in d.get("control_ids", [d["control_id"]])
        ]


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory) -> Callable[[int], Synthetic]:
    """synthetic(seed) -> the imported synthetic municipality for that seed (cached per session)."""
    made: dict[int, Synthetic] = {}

    def get(seed: int = 1) -> Synthetic:
        if seed not in made:
            made[seed] = Synthetic(tmp_path_factory.mktemp(f"synthetic-{seed}"), seed)
        return made[seed]

    return get


def match_truth(
    synth: Synthetic, control_id: str, hits: list
) -> tuple[list[str], list[str], list[list[str]]]:
    """(injected cases not found, decoys flagged, hits that match no injected case); see match_evidence."""
    from tillit.analytics.generate._base import match_evidence

    return match_evidence(synth.cases(control_id), synth.decoys(control_id), hits)


@pytest.fixture(scope="session")
def synthetic_run(synthetic) -> Callable[[int, Engine], Any]:
    """synthetic_run(seed, engine) -> the RunResult of every registered control on that seed,
    run once per engine kind and seed in a test session (Spark's start-up dominates per-control runs)."""
    from tillit.analytics.runner import run_controls

    made: dict[tuple[int, str], Any] = {}

    def get(seed: int, engine: Engine) -> Any:
        if (seed, engine.name) not in made:
            made[(seed, engine.name)] = run_controls(synthetic(seed).sources, None, engine=engine)
        return made[(seed, engine.name)]

    return get


def run_control(
    tmp_path: Path,
    engine: Engine,
    control_id: str,
    params: dict | None = None,
    **datasets: list[dict[str, Any]],
) -> list:
    """Write each data set's rows, run one control, assert it ran, return its hits by evidence."""
    from tillit.analytics.runner import run_controls

    sources = {name: write_source(tmp_path, name, rows) for name, rows in datasets.items()}
    result = run_controls(
        sources, [control_id], engine=engine, params={control_id: params} if params else None
    )
    assert [(c.not_applicable, c.error) for c in result.controls] == [(None, None)]
    return sorted(result.hits, key=lambda h: h.evidence_keys)
