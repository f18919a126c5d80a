"""Runs and hits: store what the analytics runner returns, and every action on a hit.

Two runs on the same data never duplicate hits: a hit is identified by its
municipality, control and fingerprint (control + subject + evidence keys). A
re-run updates an open hit, closes an open hit whose evidence has gone, and does
not raise again what was dismissed unless the evidence changed (a new fingerprint).
"""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from tillit.analytics import explain
from tillit.controls.models import ControlConfig, Hit, HitEvent, Run, Snooze

logger = logging.getLogger(__name__)


def control_configs(municipality) -> dict[str, ControlConfig]:
    return {c.control_id: c for c in ControlConfig.objects.filter(municipality=municipality)}


def runnable_controls(municipality, control_ids: list[str] | None = None) -> list[str]:
    """Active and shadow controls (or the ones asked for). Drafts and retired ones run only by name."""
    from tillit.analytics.registry import all_controls

    configs = control_configs(municipality)
    if control_ids:
        return list(control_ids)
    runnable = []
    for control in all_controls():
        config = configs.get(control.id)
        state = config.state if config else ControlConfig.State.ACTIVE
        if state in (
            ControlConfig.State.ACTIVE,
            ControlConfig.State.SHADOW,
            ControlConfig.State.PENDING,
        ):
            runnable.append(control.id)
    return runnable


@transaction.atomic
def run_create(
    *,
    municipality,
    user=None,
    control_ids: list[str] | None = None,
    engine: str = "duckdb",
    dry_run: bool = False,
    trigger: str = "manual",
) -> Run:
    ids = runnable_controls(municipality, control_ids)
    return Run.objects.create(
        municipality=municipality,
        started_by=user,
        control_ids=ids,
        engine=engine,
        dry_run=dry_run,
        trigger=trigger,
        controls_total=len(ids),
    )


def run_execute(*, run: Run) -> Run:
    """Run the controls on the current snapshots and publish the hits (unless a back-test)."""
    from tillit.analytics.runner import run_controls
    from tillit.datasets.services import current_sources

    Run.objects.filter(pk=run.pk).update(status=Run.Status.RUNNING)
    from tillit.accounts import jobs

    jobs.begin("run", run.pk)  # a heartbeat: a killed run is found and marked failed (security F3)
    sources_with_ids = current_sources(municipality=run.municipality)
    sources = {name: src for name, (src, _ids) in sources_with_ids.items()}
    snapshot_ids = {name: ids for name, (_src, ids) in sources_with_ids.items()}
    # evidence names the snapshot a row came from, never a file path on the server
    snapshot_of_path = {
        path: sid
        for src, ids in sources_with_ids.values()
        for path, sid in zip(src.paths, ids, strict=True)
    }
    configs = control_configs(run.municipality)
    params = {cid: c.params for cid, c in configs.items() if c.params}

    def progress(done: int, total: int, *_args) -> None:
        Run.objects.filter(pk=run.pk).update(controls_done=done, controls_total=total)

    try:
        result = run_controls(
            sources,
            control_ids=run.control_ids,
            engine=run.engine,
            params=params,
            progress=progress,
        )
    except Exception as exc:
        logger.exception("control run failed", extra={"run": run.pk})
        run.status = Run.Status.FAILED
        run.error = str(exc)[:2000]
        run.finished_at = timezone.now()
        run.save()
        return run

    run.snapshots = snapshot_ids
    run.report = [_report_entry(c, configs.get(c.control_id)) for c in result.controls]
    # Drafts and retired controls run only by name and only as a back-test: they never publish.
    unpublished = {
        c.control_id
        for c in result.controls
        if run.dry_run or _state(configs, c.control_id) in BACKTEST_ONLY
    }
    if len(unpublished) < len(result.controls):
        new, updated, closed = publish_hits(
            run, result, configs, snapshot_ids, skip=unpublished, snapshot_of_path=snapshot_of_path
        )
        run.hits_new, run.hits_updated, run.hits_closed = new, updated, closed
    _compare_with_current(run, result, only=unpublished)
    run.status = Run.Status.DONE
    run.controls_done = len(result.controls)
    run.finished_at = timezone.now()
    run.save()
    return run


BACKTEST_ONLY = (ControlConfig.State.DRAFT, ControlConfig.State.RETIRED)


@transaction.atomic
def publish_hits(
    run: Run, result, configs, snapshot_ids, *, skip=frozenset(), snapshot_of_path=None
) -> tuple[int, int, int]:
    """Store a run's hits, in bulk (controls/publish.py): (new, updated, closed)."""
    from tillit.controls.publish import publish
    from tillit.controls.units import drop_settled

    # SUP-DUPLICATE's groups a coordinator decided are one legal entity, many units (controls/units.py)
    drop_settled(run.municipality, result)

    return publish(
        run,
        result,
        configs,
        snapshot_ids,
        skip=skip,
        snapshot_of_path=snapshot_of_path,
        snoozed=_active_snoozes(run.municipality),
        jsonable=_jsonable,
        evidence_for_storage=_evidence_for_storage,
        explanation_json=explain.to_json,
    )


def _state(configs, control_id: str) -> str:
    config = configs.get(control_id)
    return config.state if config else ControlConfig.State.ACTIVE


def _report_entry(c, config=None) -> dict:
    return {
        "control_id": c.control_id,
        "version": c.version,
        "config_version": config.version if config else 1,
        "state": config.state if config else ControlConfig.State.ACTIVE,
        "engine": c.engine,
        "sql": c.sql,
        "params": _jsonable(c.params),
        "rows_examined": c.rows_examined,
        "subjects_examined": getattr(c, "subjects_examined", None),
        "not_comparable": getattr(c, "not_comparable", None),
        "hits": len(c.hits),
        "amount_at_risk": str(sum((h.amount_at_risk for h in c.hits), Decimal(0))),
        "not_applicable": c.not_applicable,
        "not_applicable_params": _jsonable(getattr(c, "not_applicable_params", None) or {}),
        "duration": round(c.duration, 3),
        "over_firing": c.over_firing,
    }


def _evidence_for_storage(evidence: list, snapshot_of_path: dict) -> list:
    stored = []
    for item in evidence:
        item = dict(item)
        source = item.pop("source", None)
        if source is not None:
            item["snapshot"] = snapshot_of_path.get(source)
        stored.append(_jsonable(item))
    return stored


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal | date):
        return str(value)
    return value


def _active_snoozes(municipality) -> set[tuple[str, str, str]]:
    today = timezone.localdate()
    return {
        (s.control_id, s.subject_type, s.subject_id)
        for s in Snooze.objects.filter(municipality=municipality, until__gte=today)
    }


def _compare_with_current(run: Run, result, only=None) -> None:
    """A back-test: what would be raised, compared with the hits there are now.

    `new` is what a real run would raise (neither open nor already handled); `would_close` counts
    the open hits whose evidence is gone, as a real run closes only those. A control that is not
    applicable would change nothing.
    """
    for entry, c in zip(run.report, result.controls, strict=True):
        if only is not None and c.control_id not in only:
            continue
        if c.not_applicable:
            entry["backtest"] = {
                "would_raise": 0,
                "already_in_queue": 0,
                "new": 0,
                "would_close": 0,
            }
            continue
        hits = Hit.objects.filter(municipality=run.municipality, control_id=c.control_id)
        known = set(hits.exclude(status=Hit.Status.CLOSED).values_list("fingerprint", flat=True))
        open_ = set(hits.filter(status=Hit.Status.NEW).values_list("fingerprint", flat=True))
        would = {h.fingerprint for h in c.hits}
        entry["backtest"] = {
            "would_raise": len(would),
            "already_in_queue": len(would & known),
            "new": len(would - known),
            "would_close": len(open_ - would),
        }


def _event(hit: Hit, user, action: str, reason: str = "", note: str = "") -> HitEvent:
    return HitEvent.objects.create(
        municipality=hit.municipality, hit=hit, user=user, action=action, reason=reason, note=note
    )


class HitError(ValueError):
    """An action on a hit that is refused; the message is translated and meant for the user."""


def _lock_unchanged(hit: Hit) -> None:
    """Lock the hit's row until the action commits and refuse when another user changed its status
    since `hit` was read: two people dismissing or escalating the same hit at the same moment both
    passed the page's check and both succeeded (issue 15, 3 of 319 under 100 users)."""
    current = (
        Hit.objects.select_for_update().filter(pk=hit.pk).values_list("status", flat=True).first()
    )
    if current != hit.status:
        raise HitError(gettext("The hit has already been handled."))


@transaction.atomic
def hit_dismiss(*, hit: Hit, user, reason: str, note: str) -> Hit:
    """Dismiss a hit with a reason and a comment saying why. Every way in (web, bulk, API, CLI)
    comes here, so no hit is dismissed without a comment."""
    if reason not in Hit.DismissReason.values:
        raise HitError(
            gettext("Unknown reason for dismissing the hit: %(reason)s.") % {"reason": reason}
        )
    note = (note or "").strip()
    if not note:
        raise HitError(
            gettext("Write a comment on why the hit needs no further action: hit %(id)s.")
            % {"id": hit.pk}
        )
    _lock_unchanged(hit)
    hit.status, hit.dismiss_reason = Hit.Status.DISMISSED, reason
    hit.save(update_fields=["status", "dismiss_reason", "updated_at"])
    _event(hit, user, "dismissed", reason, note)
    return hit


@transaction.atomic
def hit_comment(*, hit: Hit, user, note: str) -> HitEvent:
    """Change the comment on a dismissed hit: a new event, so every earlier comment stays in the history."""
    if hit.status != Hit.Status.DISMISSED:
        raise HitError(gettext("Only a dismissed hit's comment can be changed."))
    note = (note or "").strip()
    if not note:
        raise HitError(
            gettext("Write a comment on why the hit needs no further action: hit %(id)s.")
            % {"id": hit.pk}
        )
    return _event(hit, user, "comment", "", note)


@transaction.atomic
def hit_notify(
    *, hit: Hit, user, authority: str, note: str = "", legal_ground: str = "2008:206"
) -> Hit:
    """Notify another authority from the queue: the hit's status, and one row in the cases app's
    information-sharing ledger (so it counts in the statistics like a notification from a case)."""
    from tillit.cases.services import notification_from_hit

    _lock_unchanged(hit)
    notification_from_hit(
        hit=hit, user=user, recipient=authority, legal_ground=legal_ground, shared=note
    )
    hit.status = Hit.Status.NOTIFIED
    hit.save(update_fields=["status", "updated_at"])
    _event(hit, user, "notified", authority, note)
    return hit


@transaction.atomic
def hit_open_case(*, hit: Hit, user, note: str = "") -> Hit:
    """Escalates the hit: it joins the open case on its subject, or opens one (cases app)."""
    from tillit.cases.services import case_open_from_hit

    _lock_unchanged(hit)
    hit.status = Hit.Status.CASE
    hit.save(update_fields=["status", "updated_at"])
    case = case_open_from_hit(hit=hit, user=user)
    _event(hit, user, "case", case.number, note)
    return hit


@transaction.atomic
def hit_snooze(*, hit: Hit, user, until: date, reason: str) -> Snooze:
    snooze = Snooze.objects.create(
        municipality=hit.municipality,
        control_id=hit.control_id,
        subject_type=hit.subject_type,
        subject_id=hit.subject_id,
        until=until,
        reason=reason,
        created_by=user,
    )
    _event(hit, user, "snoozed", "", f"{until.isoformat()}: {reason}")
    return snooze


# --- the lifecycle of a control: draft → back-test → shadow → approval (four eyes) → active ------


class LifecycleError(ValueError):
    """A step of the lifecycle that is not allowed; `template` is English, translated where shown."""

    def __init__(self, template: str, params: dict) -> None:
        super().__init__(template % params if params else template)
        self.template, self.params = template, params


def _lifecycle_steps() -> dict[str, set[str]]:
    s = ControlConfig.State
    return {
        s.DRAFT: {s.SHADOW, s.RETIRED},
        s.SHADOW: {s.PENDING, s.DRAFT, s.RETIRED},
        s.PENDING: {s.ACTIVE, s.SHADOW, s.RETIRED},
        s.ACTIVE: {s.DRAFT, s.RETIRED},
        s.RETIRED: {s.DRAFT},
    }


def control_config(*, municipality, control_id: str) -> ControlConfig:
    """The municipality's settings for a control; a library control without any is active."""
    from tillit.analytics.registry import get as get_control

    control = get_control(control_id)  # KeyError for an unknown control
    config, _ = ControlConfig.objects.get_or_create(
        municipality=municipality, control_id=control.id
    )
    return config


def allowed_steps(config: ControlConfig) -> list[str]:
    order = ControlConfig.State.values
    return sorted(_lifecycle_steps().get(config.state, set()), key=order.index)


def _backtested_since_change(config: ControlConfig) -> bool:
    from tillit.controls.models import ControlVersion

    runs = Run.objects.filter(
        municipality=config.municipality, dry_run=True, status=Run.Status.DONE
    )
    latest = (
        ControlVersion.objects.filter(
            municipality=config.municipality, control_id=config.control_id
        )
        .order_by("-version")
        .first()
    )
    if latest is not None:
        runs = runs.filter(created_at__gte=latest.changed_at)
    return any(config.control_id in (r.control_ids or []) for r in runs.only("control_ids"))


@transaction.atomic
def control_transition(*, config: ControlConfig, user, to_state: str) -> ControlConfig:
    """One step of the lifecycle. Approval (pending → active) must come from someone other than
    the person who asked for it; shadow needs a back-test since the last change."""
    s = ControlConfig.State
    config = ControlConfig.objects.select_for_update().get(pk=config.pk)
    if to_state not in _lifecycle_steps().get(config.state, set()):
        raise LifecycleError(
            gettext_noop("A control cannot go from %(from)s to %(to)s."),
            {"from": config.state, "to": to_state},
        )
    if to_state == s.SHADOW and config.state == s.DRAFT and not _backtested_since_change(config):
        raise LifecycleError(gettext_noop("Back-test the control before its shadow run."), {})
    if to_state == s.ACTIVE:
        if config.requested_by_id is None or config.requested_by_id == user.pk:
            raise LifecycleError(
                gettext_noop("A second person must approve the control (four eyes)."), {}
            )
        config.approved_by, config.approved_at = user, timezone.now()
    if to_state == s.PENDING:
        config.requested_by, config.approved_by, config.approved_at = user, None, None
    if to_state in (s.DRAFT, s.SHADOW, s.RETIRED):
        config.approved_by, config.approved_at = None, None
        if to_state != s.SHADOW:
            config.requested_by = None
    previous = config.state
    config.state = to_state
    config.save()
    logger.info(
        "control lifecycle",
        extra={
            "control": config.control_id,
            "from": previous,
            "to": to_state,
            "by": user.get_username(),
        },
    )
    return config


@transaction.atomic
def control_change_params(
    *, config: ControlConfig, user, params: dict, note: str = ""
) -> ControlConfig:
    """A change of parameters is a new version, and the control goes back to draft (to be back-tested
    and approved again). Values are checked against the control's bounds."""
    from tillit.analytics.registry import ParamError
    from tillit.analytics.registry import get as get_control
    from tillit.controls.models import ControlVersion

    control = get_control(config.control_id)
    try:
        control.resolve_params(params)
    except ParamError as exc:
        raise LifecycleError(exc.template, exc.params) from None
    config = ControlConfig.objects.select_for_update().get(pk=config.pk)
    config.version += 1
    config.params = _jsonable(dict(params))
    config.state = ControlConfig.State.DRAFT
    config.requested_by = config.approved_by = config.approved_at = None
    config.save()
    ControlVersion.objects.create(
        municipality=config.municipality,
        control_id=config.control_id,
        version=config.version,
        params=config.params,
        library_version=control.version,
        changed_by=user,
        note=note,
    )
    return config


def schedule_due_runs(*, now=None) -> list[Run]:
    """Create (and enqueue) the nightly run of every municipality whose hour has come today.

    Called every minute by `tillit schedule` (the embedded `tillit serve` runs it in a thread);
    at most one scheduled run per municipality and day.
    """
    from tillit.accounts.models import Municipality
    from tillit.controls.models import Schedule
    from tillit.controls.tasks import run_controls_task

    now = timezone.localtime(now or timezone.now())
    created = []
    for municipality in Municipality.objects.all():
        schedule, _ = Schedule.objects.get_or_create(municipality=municipality)
        if not schedule.enabled or now.hour < schedule.hour or schedule.last_run_on == now.date():
            continue
        with transaction.atomic():
            # claim the day first, so two schedulers never start the same run
            claimed = (
                Schedule.objects.filter(pk=schedule.pk)
                .exclude(last_run_on=now.date())
                .update(last_run_on=now.date())
            )
            if not claimed:
                continue
            run = run_create(municipality=municipality, trigger="schedule")
        run_controls_task.enqueue(run.pk)
        created.append(run)
    return created
