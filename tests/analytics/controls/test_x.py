"""The cross-municipality controls over many municipalities' pseudonymised exports at once."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from tests.analytics.conftest import engines

from tillit.analytics.engines.base import DatasetSource
from tillit.analytics.generate.national import generate_national, match, municipality_codes
from tillit.analytics.runner import run_controls

KEY = b"key held by the participating municipalities only"
CONTROLS = ["X-BEN-TWO-MUNICIPALITIES", "X-SUP-SAME-INVOICE"]


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    return generate_national(
        tmp_path_factory.mktemp("national"), municipalities=12, scale=0.02, seed=7, key=KEY
    )


def test_codes_are_distinct_four_digit_codes():
    codes = municipality_codes(290)
    assert len(set(codes)) == 290
    assert all(len(c) == 4 and c.isdigit() for c in codes)


def test_each_municipality_hands_in_its_own_files_with_no_identifier_in_them(national):
    assert [p.stem for p in national.files["x_invoices"]] == national.municipalities
    for path in national.files["x_benefit_payments"]:
        table = pq.read_table(path)
        assert set(table.column("municipality").to_pylist()) == {path.stem}
        # only 64-hex pseudonyms: no personnummer reaches the matching party
        assert all(len(p) == 64 and int(p, 16) >= 0 for p in table.column("person").to_pylist())
    assert national.rows["x_invoices"] > 12 * 10
    assert len({c["case_id"] for c in national.cases}) >= 2 * 6


def _run(national, engine):
    sources = {
        name: DatasetSource(paths=[str(p) for p in paths], key=None)
        for name, paths in national.files.items()
    }
    return run_controls(sources, CONTROLS, engine=engine)


@engines()
def test_every_injected_case_is_found_and_nothing_else(national, engine):
    result = _run(national, engine)
    for control in result.controls:
        assert (control.not_applicable, control.error) == (None, None)
        missed, flagged, other = match(national, control.control_id, control.hits)
        assert (missed, flagged, other) == ([], [], []), control.control_id
        assert control.hits


@pytest.mark.spark
def test_duckdb_and_spark_raise_the_same_fingerprints(national, spark_session):
    from tillit.analytics.engines.spark import SparkEngine

    spark = SparkEngine(session=spark_session)
    try:
        by_engine = [
            sorted((h.fingerprint, h.amount_at_risk) for h in _run(national, eng).hits)
            for eng in ("duckdb", spark)
        ]
    finally:
        spark.close()
    assert by_engine[0] == by_engine[1]
    assert len(by_engine[0]) >= len(national.cases)


def test_a_short_key_is_refused(tmp_path):
    with pytest.raises(ValueError, match="32"):
        generate_national(tmp_path, municipalities=2, scale=0.01, key=b"short")
