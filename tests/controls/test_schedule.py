from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from tillit.controls.models import Run, Schedule
from tillit.controls.services import schedule_due_runs

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def test_the_nightly_run_starts_once_per_municipality_and_day(kommun_a, kommun_b, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with time_machine.travel(datetime(2026, 11, 23, 1, 30, tzinfo=STOCKHOLM), tick=False):
        assert schedule_due_runs() == []  # before two o'clock nothing is due
    with time_machine.travel(datetime(2026, 11, 23, 2, 1, tzinfo=STOCKHOLM), tick=False):
        runs = schedule_due_runs()
        assert {r.municipality for r in runs} == {kommun_a, kommun_b}
        assert all(r.trigger == "schedule" for r in runs)
        assert schedule_due_runs() == []  # the same night again: nothing new
    with time_machine.travel(datetime(2026, 11, 24, 3, 0, tzinfo=STOCKHOLM), tick=False):
        assert len(schedule_due_runs()) == 2
    assert Run.objects.count() == 4


def test_a_disabled_schedule_never_runs(kommun_a, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    Schedule.objects.create(municipality=kommun_a, enabled=False)
    with time_machine.travel(datetime(2026, 11, 23, 4, 0, tzinfo=STOCKHOLM), tick=False):
        assert schedule_due_runs() == []
