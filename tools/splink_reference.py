"""Splink beside Tillit's resolver, for `tillit bench entities` (docs/benchmarks.md).

Splink is not a dependency of Tillit; run this with a Python that has it (the bench does so when
TILLIT_SPLINK_PYTHON names one):

    python3 -m venv /tmp/splink && /tmp/splink/bin/pip install "splink>=4" pandas pyarrow
    /tmp/splink/bin/python tools/splink_reference.py RECORDS.parquet

RECORDS holds the columns key, cluster (the labels, used only to score), first_name, surname,
birth_date, city and optionally email. The model is Splink's unsupervised one on the same fields
Tillit compares: name, date-of-birth, town (and e-mail where present) comparisons, u by random
sampling, m by expectation maximisation on two blocking rules, pairs above match probability 0.9
clustered at 0.95. Prints one line of JSON.
"""

from __future__ import annotations

import itertools
import json
import sys
import time
from collections import defaultdict

import pandas as pd
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on

try:  # Splink 5
    from splink.internals.duckdb.database_api import DuckDBAPI
except ImportError:  # Splink 4
    from splink import DuckDBAPI


def pairs(assignment: dict[str, str]) -> set[tuple[str, str]]:
    groups = defaultdict(list)
    for key, group in assignment.items():
        groups[group].append(key)
    return {p for keys in groups.values() for p in itertools.combinations(sorted(keys), 2)}


def main(path: str) -> int:
    df = pd.read_parquet(path).astype(str).replace({"": None, "None": None, "nan": None})
    truth = dict(zip(df["key"], df["cluster"], strict=True))
    data = df.drop(columns=["cluster"]).rename(columns={"key": "unique_id"})
    has_email = "email" in data and data["email"].notna().any()
    comparisons = [cl.NameComparison("first_name"), cl.NameComparison("surname"),
                   cl.DateOfBirthComparison("birth_date", input_is_string=True), cl.ExactMatch("city")]
    blocking = [block_on("first_name", "birth_date"), block_on("surname", "birth_date"), block_on("birth_date"),
                block_on("first_name", "surname")]
    if has_email:
        comparisons.append(cl.EmailComparison("email"))
        blocking.append(block_on("email"))
    started, cpu_started = time.perf_counter(), time.process_time()
    settings = SettingsCreator(link_type="dedupe_only", comparisons=comparisons,
                               blocking_rules_to_generate_predictions=blocking)
    db_api = DuckDBAPI()
    if hasattr(db_api, "register"):  # Splink 5: tables are registered with the database first
        linker = Linker(db_api.register(data), settings)
    else:
        linker = Linker(data, settings, db_api=db_api)
    linker.training.estimate_probability_two_random_records_match([block_on("first_name", "surname")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname"))
    predictions = linker.inference.predict(threshold_match_probability=0.9)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.95).as_pandas_dataframe()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started  # every thread of the process, DuckDB's included
    found = dict(zip(clusters["unique_id"].astype(str), clusters["cluster_id"].astype(str), strict=True))
    got, true = pairs(found), pairs(truth)
    hits = len(got & true)
    precision, recall = hits / len(got) if got else 1.0, hits / len(true)
    print(json.dumps({"tool": "splink", "records": len(df), "records_per_second": round(len(df) / seconds),
                      "records_per_cpu_second": round(len(df) / cpu),
                      "precision": round(precision, 3), "recall": round(recall, 3),
                      "f1": round(2 * precision * recall / (precision + recall), 3) if hits else 0.0}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
