"""draft → back-test → shadow → approval by a second person (four eyes) → active."""

from __future__ import annotations

import pytest

from tests.controls.conftest import CONTROL, load, run


@pytest.fixture
def second_coordinator(kommun_a):
    from tillit.accounts.services import user_create

    return user_create(
        municipality=kommun_a, username="disa", password="x" * 20, role="coordinator"
    )


def test_the_lifecycle_needs_a_back_test_and_a_second_person(
    personas, kommun_a, generated, second_coordinator
):
    from tillit.controls.models import ControlVersion, Hit
    from tillit.controls.selectors import hit_list
    from tillit.controls.services import (
        LifecycleError,
        control_change_params,
        control_config,
        control_transition,
    )

    alice = personas["coordinator"]
    config = control_config(municipality=kommun_a, control_id=CONTROL)
    assert config.state == "active"
    config = control_change_params(config=config, user=alice, params={}, note="own thresholds")
    assert (config.state, config.version) == ("draft", 2)
    assert ControlVersion.objects.get(control_id=CONTROL).version == 2

    with pytest.raises(LifecycleError):
        control_transition(config=config, user=alice, to_state="active")  # no skipping
    with pytest.raises(LifecycleError):
        control_transition(config=config, user=alice, to_state="shadow")  # not back-tested yet

    load(alice, kommun_a, generated)
    assert run(kommun_a).hits_new == 0 and Hit.objects.count() == 0  # a draft never publishes
    backtest = run(kommun_a, dry_run=True)
    assert backtest.report[0]["backtest"]["would_raise"] >= 2

    config = control_transition(config=config, user=alice, to_state="shadow")
    shadow = run(kommun_a)
    assert shadow.hits_new >= 2 and set(Hit.objects.values_list("shadow", flat=True)) == {True}
    assert hit_list(user=personas["investigator"]).count() == 0

    config = control_transition(config=config, user=alice, to_state="pending")
    assert config.requested_by == alice
    with pytest.raises(LifecycleError):
        control_transition(config=config, user=alice, to_state="active")  # four eyes
    config = control_transition(config=config, user=second_coordinator, to_state="active")
    assert (config.state, config.approved_by) == ("active", second_coordinator)
    assert run(kommun_a).hits_new == 0  # the shadow hits are the same hits, now visible to all
    assert hit_list(user=personas["investigator"]).count() == shadow.hits_new
    assert run(kommun_a).report[0]["config_version"] == 2


def test_parameters_outside_the_bounds_are_refused(personas, kommun_a):
    from tillit.controls.services import LifecycleError, control_change_params, control_config

    config = control_config(municipality=kommun_a, control_id=CONTROL)
    with pytest.raises(LifecycleError):
        control_change_params(config=config, user=personas["coordinator"], params={"nope": 1})


def test_the_lifecycle_in_the_ui(client, login, personas, kommun_a, second_coordinator):
    from tillit.controls.models import ControlConfig

    ControlConfig.objects.create(municipality=kommun_a, control_id=CONTROL, state="shadow")
    url = f"/kontroller/bibliotek/{CONTROL}/"
    login(client, personas["controller"])
    assert client.post(url + "livscykel/", {"state": "pending"}).status_code == 403
    assert "livscykel" not in client.get(url).content.decode()
    login(client, personas["coordinator"])
    client.post(url + "livscykel/", {"state": "pending"})
    page = client.get(url)
    assert [s for s, _label in page.context["steps"]] == ["shadow", "retired"]  # not approve own
    client.post(url + "livscykel/", {"state": "active"})
    assert ControlConfig.objects.get().state == "pending"
    login(client, second_coordinator)
    assert "active" in [s for s, _label in client.get(url).context["steps"]]
    client.post(url + "livscykel/", {"state": "active"})
    config = ControlConfig.objects.get()
    assert (config.state, config.requested_by, config.approved_by) == (
        "active",
        personas["coordinator"],
        second_coordinator,
    )
    assert (
        client.post("/kontroller/bibliotek/NOPE-X/livscykel/", {"state": "active"}).status_code
        == 404
    )
