"""How fast a run's hits are stored: N synthetic hits published, then the same run again (updates),
then a run where half the evidence is gone (closing). Prints seconds per step, wall clock and this
process's CPU time (SQLite runs in the process, so that is the database's work too; on a shared
machine the wall clock depends on the load).

    TILLIT_DATA_DIR=/tmp/bench-hits python3 tools/bench_hits.py --hits 100000

Uses its own embedded installation (SQLite in TILLIT_DATA_DIR, or TILLIT_DATABASE_URL), creates a
municipality 'Bench' if there is none, and deletes its hits afterwards.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def synthetic_result(n: int, *, keep_every: int = 1):
    from tillit.analytics.runner import ControlResult, Hit, RunResult

    hits = []
    for i in range(0, n, keep_every):
        keys = [f"invoices:{i}", f"invoices:{i}#2"]
        hits.append(Hit(
            control_id="INV-DUP-EXACT", version=1, fingerprint=hashlib.sha256(f"INV-DUP-EXACT|{i}".encode()).hexdigest(),
            subject_type="supplier", subject_id=f"L{i % 5000}", amount_at_risk=Decimal("1234.50"), severity="hög",
            score=Decimal("3703.50"), score_explanation="", score_params={},
            explanation_template="%(count)s invoices from %(supplier_name)s", explanation_params={
                "count": 2, "supplier_name": f"Leverantör {i % 5000} AB", "amount": Decimal("1234.50")},
            evidence=[{"dataset": "invoices", "key": k, "source": "/data/x.parquet",
                       "values": {"invoice_number": f"F-{i}", "amount": Decimal("1234.50")}} for k in keys],
            evidence_keys=keys, board="Tekniska nämnden"))
    control = ControlResult(control_id="INV-DUP-EXACT", version=1, engine="duckdb", sql="SELECT 1", params={},
                            rows_examined=n * 2, hits=hits)
    return RunResult(engine="duckdb", started_at=datetime.now(UTC), duration=0.0, controls=[control])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hits", type=int, default=100_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tillit.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from tillit.accounts.models import Municipality
    from tillit.accounts.services import municipality_create
    from tillit.controls.models import Hit, HitEvent, Run
    from tillit.controls.services import publish_hits

    municipality = Municipality.objects.filter(code="9999").first() or municipality_create(
        code="9999", name="Bench", boards=["Tekniska nämnden"])
    Hit.objects.filter(municipality=municipality).delete()
    from tillit.analytics.registry import all_controls

    all_controls()  # the control library loads once per process; not charged to the first step
    for label, keep in (("new", 1), ("same again (updates)", 1), ("half the evidence gone (closes)", 2)):
        result = synthetic_result(args.hits, keep_every=keep)
        run = Run.objects.create(municipality=municipality, control_ids=["INV-DUP-EXACT"], trigger="bench")
        started, cpu = time.perf_counter(), time.process_time()
        new, updated, closed = publish_hits(run, result, {}, {"invoices": [1]})
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"{label}: {len(result.controls[0].hits)} hits -> {new} new, {updated} updated, {closed} closed "
              f"in {seconds:.1f} s ({cpu:.1f} s CPU)")
    print(f"hits stored: {Hit.objects.filter(municipality=municipality).count()}, "
          f"events: {HitEvent.objects.filter(municipality=municipality).count()}")
    HitEvent.objects.filter(municipality=municipality).delete()
    Hit.objects.filter(municipality=municipality).delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
