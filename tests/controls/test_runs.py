"""Runs on real (synthetic) data: what a run records, and how re-runs treat the hits already there."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.controls.conftest import (
    CONTROL,
    INVOICE_ENCODING,
    import_dataset,
    load,
    run,
    with_credit_note,
)


def test_a_run_records_what_it_read_and_found(loaded, personas):
    from tillit.controls.models import Hit, HitEvent

    assert loaded.started_by == personas["coordinator"]
    assert loaded.control_ids == [CONTROL]
    assert loaded.finished_at is not None
    assert set(loaded.snapshots) == {"invoices", "suppliers"}
    assert all(isinstance(i, int) for ids in loaded.snapshots.values() for i in ids)
    (entry,) = loaded.report
    assert entry["control_id"] == CONTROL
    assert entry["version"] >= 1
    assert isinstance(entry["params"], dict)
    assert entry["sql"].lstrip().upper().startswith("WITH")
    assert entry["rows_examined"] > 6000
    assert entry["hits"] == loaded.hits_new == Hit.objects.count() >= 2
    assert entry["not_applicable"] is None
    assert entry["duration"] >= 0
    assert entry["over_firing"] is False
    hit = Hit.objects.first()
    assert hit.first_run == hit.last_run == loaded
    assert hit.snapshot_ids == loaded.snapshots
    assert hit.risk_areas and hit.severity == "hög" and hit.board
    assert HitEvent.objects.filter(action="raised").count() == loaded.hits_new


def test_two_runs_on_the_same_data_never_duplicate_hits(loaded, kommun_a):
    from tillit.controls.models import Hit

    before = {h.fingerprint: h.pk for h in Hit.objects.all()}
    second = run(kommun_a)
    assert (second.hits_new, second.hits_updated, second.hits_closed) == (0, len(before), 0)
    assert {h.fingerprint: h.pk for h in Hit.objects.all()} == before
    assert set(Hit.objects.values_list("last_run", flat=True)) == {second.pk}
    assert set(Hit.objects.values_list("first_run", flat=True)) == {loaded.pk}


def test_a_credit_note_in_a_newer_snapshot_closes_the_hit(
    loaded, generated, kommun_a, personas, tmp_path
):
    from tillit.controls.models import Hit

    hit = Hit.objects.order_by("-score").first()
    others = set(Hit.objects.exclude(pk=hit.pk).values_list("pk", flat=True))
    import_dataset(
        personas["coordinator"],
        kommun_a,
        "invoices",
        with_credit_note(generated, tmp_path / "invoices.csv", hit),
    )
    second = run(kommun_a)
    assert second.hits_closed == 1 and second.hits_new == 0
    hit.refresh_from_db()
    assert hit.status == Hit.Status.CLOSED and hit.closed_at is not None
    assert hit.last_run == second
    assert hit.events.filter(action="closed", run=second).exists()
    assert set(Hit.objects.filter(status="new").values_list("pk", flat=True)) == others
    assert second.snapshots["invoices"] != loaded.snapshots["invoices"]


def test_a_dismissed_hit_is_not_raised_again_unless_its_evidence_changes(
    loaded, generated, kommun_a, personas, tmp_path
):
    from tillit.controls.models import Hit
    from tillit.controls.services import hit_dismiss

    hit = Hit.objects.order_by("-score").first()
    hit_dismiss(
        hit=hit, user=personas["investigator"], reason="explained", note="a resent copy, paid once"
    )
    again = run(kommun_a)
    assert again.hits_new == 0
    hit.refresh_from_db()
    assert hit.status == Hit.Status.DISMISSED
    assert Hit.objects.filter(subject_id=hit.subject_id, status="new").count() == 0

    # a third copy of the same invoice arrives: new evidence, so a new hit (the dismissed one stays)
    import_dataset(
        personas["coordinator"],
        kommun_a,
        "invoices",
        _with_third_copy(generated, tmp_path / "invoices.csv", hit),
    )
    changed = run(kommun_a)
    assert changed.hits_new == 1
    new = Hit.objects.get(status="new", subject_id=hit.subject_id, control_id=CONTROL)
    assert new.fingerprint != hit.fingerprint
    assert len(new.evidence_keys) == len(hit.evidence_keys) + 1
    hit.refresh_from_db()
    assert hit.status == Hit.Status.DISMISSED


def test_a_back_test_publishes_nothing_and_compares_with_the_queue(loaded, kommun_a, personas):
    from tillit.controls.models import Hit
    from tillit.controls.services import hit_dismiss

    count = Hit.objects.count()
    hit_dismiss(
        hit=Hit.objects.first(),
        user=personas["investigator"],
        reason="corrected",
        note="Rättad med kreditfaktura.",
    )
    backtest = run(kommun_a, dry_run=True)
    assert backtest.dry_run and backtest.status == "done"
    assert Hit.objects.count() == count
    assert not Hit.objects.filter(last_run=backtest).exists()
    (entry,) = backtest.report
    assert entry["backtest"] == {
        "would_raise": count,
        "already_in_queue": count,
        "new": 0,
        "would_close": 0,
    }


def test_a_back_test_counts_only_open_hits_as_closing(
    loaded, generated, kommun_a, personas, tmp_path
):
    from tillit.controls.models import Hit
    from tillit.controls.services import hit_dismiss

    credited, dismissed = Hit.objects.order_by("-score")[:2]
    hit_dismiss(
        hit=dismissed, user=personas["investigator"], reason="immaterial", note="Ringa belopp."
    )
    out = with_credit_note(generated, tmp_path / "a.csv", credited)
    out = with_credit_note(out.parent, tmp_path / "invoices.csv", dismissed, number=2, source=out)
    import_dataset(personas["coordinator"], kommun_a, "invoices", out)
    (entry,) = run(kommun_a, dry_run=True).report
    # the dismissed hit's evidence is gone too, but a real run closes only open hits
    assert entry["backtest"] == {
        "would_raise": loaded.hits_new - 2,
        "already_in_queue": loaded.hits_new - 2,
        "new": 0,
        "would_close": 1,
    }
    real = run(kommun_a)
    assert real.hits_closed == 1 and real.hits_new == 0


def test_a_control_without_its_data_is_not_applicable_and_leaves_hits_alone(
    loaded, kommun_a, personas
):
    from tillit.controls.models import Hit
    from tillit.datasets.models import Snapshot
    from tillit.datasets.services import snapshot_retire

    for snapshot in Snapshot.objects.filter(municipality=kommun_a, dataset="invoices"):
        snapshot_retire(user=personas["admin"], snapshot=snapshot, reason="test")
    empty = run(kommun_a)
    (entry,) = empty.report
    assert entry["not_applicable"]
    assert entry["hits"] == 0
    assert empty.hits_closed == 0
    assert Hit.objects.filter(status="new").count() == loaded.hits_new


def test_a_snoozed_subject_is_not_raised_until_the_snooze_expires(
    loaded, generated, kommun_a, personas, tmp_path
):
    from tillit.controls.models import Hit, Snooze
    from tillit.controls.services import hit_snooze

    hit = Hit.objects.order_by("-score").first()
    hit_snooze(
        hit=hit,
        user=personas["investigator"],
        until=timezone.localdate() + timedelta(days=30),
        reason="the supplier is being audited",
    )
    import_dataset(
        personas["coordinator"],
        kommun_a,
        "invoices",
        _with_third_copy(generated, tmp_path / "invoices.csv", hit),
    )
    assert run(kommun_a).hits_new == 0
    assert hit.events.filter(action="snoozed", user=personas["investigator"]).exists()
    Snooze.objects.update(until=timezone.localdate() - timedelta(days=1))
    assert run(kommun_a).hits_new == 1


@pytest.mark.parametrize("state", ["shadow", "pending"])
def test_hits_of_a_control_in_shadow_run_are_for_coordinators_only(
    state, personas, kommun_a, generated
):
    from tillit.controls.models import ControlConfig, Hit
    from tillit.controls.selectors import hit_list

    ControlConfig.objects.create(municipality=kommun_a, control_id=CONTROL, state=state)
    load(personas["coordinator"], kommun_a, generated)
    first = run(kommun_a)
    assert first.hits_new and Hit.objects.filter(shadow=False).count() == 0
    assert hit_list(user=personas["coordinator"]).count() == first.hits_new
    assert hit_list(user=personas["investigator"]).count() == 0
    assert hit_list(user=personas["controller"]).count() == 0


def test_a_draft_control_run_by_name_publishes_nothing(personas, kommun_a, generated):
    from tillit.controls.models import ControlConfig, Hit
    from tillit.controls.services import runnable_controls

    ControlConfig.objects.create(municipality=kommun_a, control_id=CONTROL, state="draft")
    assert CONTROL not in runnable_controls(kommun_a)
    load(personas["coordinator"], kommun_a, generated)
    result = run(kommun_a)
    assert result.status == "done"
    assert Hit.objects.count() == 0
    assert result.report[0]["backtest"]["would_raise"] >= 2


def test_tillit_controls_run_from_the_command_line(personas, kommun_a, generated, capsys):
    from django.utils import translation

    from tests.controls.conftest import cli as main
    from tillit.controls.models import Hit, Run

    load(personas["coordinator"], kommun_a, generated)
    with translation.override("en"):
        assert main(["--municipality", "0180", "controls", "run", "--control", CONTROL]) == 0
        out = capsys.readouterr().out
        first = Hit.objects.count()
        assert f"{first} new hits, 0 updated, 0 closed." in out
        assert CONTROL in out and "rows" in out
        assert main(["--municipality", "0180", "controls", "run", "--control", CONTROL]) == 0
        assert f"0 new hits, {first} updated, 0 closed." in capsys.readouterr().out
        assert (
            main(["--municipality", "0180", "controls", "run", "--control", CONTROL, "--dry-run"])
            == 0
        )
        assert "back-test: 0 new, 0 would close" in capsys.readouterr().out
        assert main(["--municipality", "0180", "controls", "run", "--control", "NOPE-X"]) == 1
    assert Hit.objects.count() == first
    assert set(Run.objects.values_list("trigger", flat=True)) == {"cli"}


# --- helpers --------------------------------------------------------------------------------------


def _with_third_copy(folder, out, hit):
    """A newer invoices file in which the hit's invoice arrives a third time."""
    values = {e["key"]: e["values"] for e in hit.evidence}
    first_key = hit.evidence_keys[0].split(":", 1)[1]
    text = (folder / "invoices.csv").read_text(encoding=INVOICE_ENCODING)
    lines = text.splitlines()
    original = next(line for line in lines if line.startswith(first_key + ";"))
    copy = "DUP-TEST-0003" + original[len(first_key) :]
    assert values[first_key]["invoice_number"] in copy
    out.write_text(
        text.rstrip("\r\n") + "\r\n" + copy + "\r\n", encoding=INVOICE_ENCODING, newline=""
    )
    return out
