"""Splink on fake_1000, as the reference for `tillit bench entities` (docs/benchmarks.md).

Splink is not a dependency of Tillit; run this with a Python that has it:

    python3 -m venv /tmp/splink && /tmp/splink/bin/pip install "splink>=4,<5" pandas
    /tmp/splink/bin/python tools/splink_fake_1000.py

The model follows Splink's own deduplication tutorial for this data set: name, date-of-birth,
town and e-mail comparisons, trained without labels (random sampling for u, EM for m), pairs
above match probability 0.9 clustered at 0.95. Prints one line of JSON.
"""

from __future__ import annotations

import itertools
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import pandas as pd
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "splink-datasets" / "fake_1000.csv"


def pairs(assignment: dict[str, str]) -> set[tuple[str, str]]:
    groups = defaultdict(list)
    for key, group in assignment.items():
        groups[group].append(key)
    return {p for keys in groups.values() for p in itertools.combinations(sorted(keys), 2)}


def main() -> int:
    df = pd.read_csv(DATA, dtype=str)
    truth = dict(zip(df["unique_id"], df["cluster"], strict=True))
    data = df.drop(columns=["cluster"])
    started = time.perf_counter()
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[cl.NameComparison("first_name"), cl.NameComparison("surname"),
                     cl.DateOfBirthComparison("dob", input_is_string=True), cl.ExactMatch("city"),
                     cl.EmailComparison("email")],
        blocking_rules_to_generate_predictions=[block_on("first_name", "dob"), block_on("surname"),
                                                block_on("email"), block_on("dob")],
    )
    linker = Linker(data, settings, db_api=DuckDBAPI())
    linker.training.estimate_probability_two_random_records_match([block_on("first_name", "surname")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("email"))
    predictions = linker.inference.predict(threshold_match_probability=0.9)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.95).as_pandas_dataframe()
    seconds = time.perf_counter() - started
    found = dict(zip(clusters["unique_id"].astype(str), clusters["cluster_id"].astype(str), strict=True))
    got, true = pairs(found), pairs(truth)
    hits = len(got & true)
    precision, recall = hits / len(got), hits / len(true)
    print(json.dumps({"tool": "splink", "records_per_second": round(len(df) / seconds),
                      "precision": round(precision, 3), "recall": round(recall, 3),
                      "f1": round(2 * precision * recall / (precision + recall), 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
