"""Hits are written in bulk (controls/publish.py) with the queue's rules: new, updated, closed when the
evidence is gone, reopened when it comes back, never raised again once handled (issue 17)."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal

from tillit.analytics.runner import ControlResult, RunResult
from tillit.analytics.runner import Hit as FoundHit
from tillit.controls.models import Hit, HitEvent, Run
from tillit.controls.services import hit_dismiss, publish_hits


def _result(numbers: list[int]) -> RunResult:
    hits = [
        FoundHit(
            control_id="INV-DUP-EXACT",
            version=1,
            fingerprint=hashlib.sha256(f"x{i}".encode()).hexdigest(),
            subject_type="supplier",
            subject_id=f"L{i}",
            amount_at_risk=Decimal("1234.50") + i,
            severity="hög",
            score=Decimal("10.25"),
            score_explanation="",
            score_params={},
            explanation_template="%(count)s invoices from %(supplier_name)s",
            explanation_params={"count": 2, "supplier_name": f"Leverantör {i} AB"},
            evidence=[
                {
                    "dataset": "invoices",
                    "key": f"{i}",
                    "source": "/snap/a.parquet",
                    "values": {"invoice_date": date(2025, 1, 3), "amount": Decimal("1234.50")},
                }
            ],
            evidence_keys=[f"invoices:{i}", f"invoices:{i}#2"],
            board="Tekniska nämnden",
        )
        for i in numbers
    ]
    control = ControlResult(
        control_id="INV-DUP-EXACT",
        version=1,
        engine="duckdb",
        sql="SELECT 1",
        params={"x": 1},
        hits=hits,
    )
    return RunResult(
        engine="duckdb", started_at=datetime.now(UTC), duration=0.0, controls=[control]
    )


def _publish(municipality, numbers):
    run = Run.objects.create(municipality=municipality, control_ids=["INV-DUP-EXACT"])
    return run, publish_hits(
        run, _result(numbers), {}, {"invoices": [7]}, snapshot_of_path={"/snap/a.parquet": 7}
    )


def _events(action: str) -> int:
    return HitEvent.objects.filter(action=action).count()


def test_bulk_publish_follows_the_queue_rules(kommun_a, personas):
    run1, counts = _publish(kommun_a, list(range(2500)))
    assert counts == (2500, 0, 0) and _events("raised") == 2500
    hit = Hit.objects.get(subject_id="L7")
    # stored as the ORM stores it: typed values, evidence naming its snapshot, not the file
    assert (hit.amount_at_risk, hit.score, hit.severity, hit.status) == (
        Decimal("1241.50"),
        Decimal("10.25"),
        "hög",
        "new",
    )
    assert hit.evidence == [
        {
            "dataset": "invoices",
            "key": "7",
            "snapshot": 7,
            "values": {"invoice_date": "2025-01-03", "amount": "1234.50"},
        }
    ]
    assert hit.evidence_keys == ["invoices:7", "invoices:7#2"] and hit.risk_areas
    assert (hit.first_run_id, hit.last_run_id, hit.municipality_id) == (
        run1.pk,
        run1.pk,
        kommun_a.pk,
    )
    assert hit.created_at is not None and hit.board == "Tekniska nämnden" and hit.params == {"x": 1}
    hit_dismiss(hit=hit, user=personas["coordinator"], reason="explained", note="Förklarad.")

    # the same evidence again: updated, the dismissed one left alone
    run2, counts = _publish(kommun_a, list(range(2500)))
    assert counts == (0, 2499, 0)
    assert Hit.objects.get(subject_id="L8").last_run_id == run2.pk
    assert Hit.objects.get(subject_id="L7").status == "dismissed"

    # half the evidence gone: those open hits close, with an event each (the dismissed L7 stays dismissed)
    _run3, counts = _publish(kommun_a, list(range(0, 2500, 2)))
    assert counts == (0, 1250, 1249) and _events("closed") == 1249
    assert Hit.objects.get(subject_id="L9").status == "closed"

    # it comes back: reopened, not duplicated
    _run4, counts = _publish(kommun_a, list(range(2500)))
    assert counts == (1249, 1250, 0) and _events("reopened") == 1249
    assert Hit.objects.count() == 2500
    assert (
        Hit.objects.get(subject_id="L9").status == "new"
        and Hit.objects.get(subject_id="L9").closed_at is None
    )
