"""Every registered control on the synthetic municipality (`tillit generate`) for two seeds.

The generator injects known cases and decoys into a clean background and writes the truth:
each control must find every case injected for it, flag no decoy and raise nothing else, on
DuckDB and on Spark, and the two engines must raise the same fingerprints.
"""

from __future__ import annotations

import pytest
from tests.analytics.conftest import engines, match_truth

from tillit.analytics.registry import all_controls

CONTROL_IDS = [c.id for c in all_controls()]

# Hits the generator's notes (generate/core.py) announce beside the injected cases. INV-BENFORD
# per board: the board holding the two injected suppliers (640 crowded amounts) is itself
# nonconforming, which is the right verdict, not noise.
ANNOUNCED = {"INV-BENFORD": [["boards:Socialnämnden"]]}


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("control_id", CONTROL_IDS)
@engines()
def test_every_case_found_no_decoy_nothing_else(synthetic, synthetic_run, seed, control_id, engine):
    synth = synthetic(seed)
    assert synth.cases(control_id), f"the generator injects no case for {control_id}"
    [result] = [c for c in synthetic_run(seed, engine).controls if c.control_id == control_id]
    assert (result.not_applicable, result.error) == (None, None)
    missed, flagged, other = match_truth(synth, control_id, result.hits)
    other = [keys for keys in other if keys not in ANNOUNCED.get(control_id, [])]
    assert (missed, flagged, other) == ([], [], [])


@pytest.mark.parametrize("seed", [4, 7])
@pytest.mark.parametrize("control_id", CONTROL_IDS)
def test_seeds_whose_small_world_once_lacked_material_for_a_scenario(
    synthetic, synthetic_run, seed, control_id, engine
):
    """Seeds 4 and 7 once stopped the generator at this scale (no handläggare for ACC-SHARED's
    salary-account case; too few emigrants for BAB-NOT-REGISTERED's second case); DuckDB only."""
    synth = synthetic(seed)
    assert synth.cases(control_id), f"the generator injects no case for {control_id}"
    [result] = [c for c in synthetic_run(seed, engine).controls if c.control_id == control_id]
    missed, flagged, other = match_truth(synth, control_id, result.hits)
    other = [keys for keys in other if keys not in ANNOUNCED.get(control_id, [])]
    assert (result.error, missed, flagged, other) == (None, [], [], [])


@pytest.mark.spark
@pytest.mark.parametrize("seed", [1, 2])
def test_duckdb_and_spark_raise_the_same_fingerprints(synthetic_run, spark_session, seed):
    from tillit.analytics.engines.duckdb import DuckDBEngine
    from tillit.analytics.engines.spark import SparkEngine

    duck, spark = DuckDBEngine(), SparkEngine(session=spark_session)
    try:
        by_engine = [
            {
                c.control_id: sorted((h.fingerprint, h.amount_at_risk) for h in c.hits)
                for c in synthetic_run(seed, eng).controls
            }
            for eng in (duck, spark)
        ]
    finally:
        duck.close()
        spark.close()
    assert by_engine[0] == by_engine[1]
    assert sum(len(v) for v in by_engine[0].values()) >= len(CONTROL_IDS)
