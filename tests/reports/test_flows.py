"""The flow map on the synthetic municipality: the injected shared-account pair is one cluster."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db


def _shared_account_pair(folder):
    """The generator's ACC-SHARED case: two suppliers registered with one bankgiro (truth.json)."""
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    cases = truth["cases"] if isinstance(truth, dict) else truth
    for case in cases:
        if (
            case.get("control_id") == "ACC-SHARED"
            and len(case.get("evidence_keys", [])) == 2
            and all(k.startswith("suppliers:") for k in case["evidence_keys"])
        ):
            return [k.split(":", 1)[1] for k in case["evidence_keys"]]
    raise AssertionError("the generator injected no shared-account pair")


def test_starting_from_a_supplier_shows_the_supplier_that_shares_its_account(
    client, login, personas, imported
):
    from tillit.accounts.models import AccessLogEntry

    first, second = _shared_account_pair(imported)
    login(client, personas["investigator"])
    response = client.get(f"/lagesbild/floden/?subject=supplier:{first}")
    assert response.status_code == 200
    graph = response.context["graph"]
    assert f"supplier:{second}" in graph.nodes
    cluster = next(c for c in graph.components() if f"supplier:{first}" in c)
    assert f"supplier:{second}" in cluster
    assert any(n.startswith("account:") for n in cluster)
    page = response.content.decode()
    assert '<svg class="flowmap"' in page and "Tekniska nämnden" in page
    # the cluster is named in the list under the map (the map without JavaScript)
    from django.utils.html import escape

    assert escape(graph.nodes[f"supplier:{second}"].label) in page
    # suppliers only: no household or person, so nothing to log
    assert (
        not graph.has_personal_data
        or AccessLogEntry.objects.filter(object_type="flow_map").exists()
    )


def test_the_flows_of_all_boards_aggregate_households_and_log_people_shown(
    client, login, personas, imported
):
    from tillit.accounts.models import AccessLogEntry

    login(client, personas["coordinator"])
    response = client.get("/lagesbild/floden/?start=2025-01-01&end=2025-12-31&limit=5")
    assert response.status_code == 200
    graph = response.context["graph"]
    kinds = {n.kind for n in graph.nodes.values()}
    assert "households" in kinds and "household" not in kinds  # aggregated, no household named
    boards = [n for n in graph.nodes.values() if n.kind == "board"]
    assert len(boards) >= 2
    # at most five named payees per board, the rest as one node
    for b in boards:
        named = [
            e
            for e in graph.edges
            if e.source == b.id and graph.nodes[e.target].kind in ("supplier", "association")
        ]
        assert len(named) <= 5
    if graph.has_personal_data:  # people in company roles joining suppliers
        assert AccessLogEntry.objects.filter(
            object_type="flow_map", user=personas["coordinator"]
        ).exists()


def test_filters_that_are_not_dates_or_amounts_say_so_and_show_the_map(
    client, login, personas, imported
):
    login(client, personas["coordinator"])
    response = client.get("/lagesbild/floden/?start=igår&min=mycket")
    assert response.status_code == 200
    page = response.content.decode()
    assert "igår" in page and "mycket" in page
    assert response.context["params"]["min"] == 0


def test_search_finds_a_supplier_to_start_from(client, login, personas, imported):
    first, _second = _shared_account_pair(imported)
    login(client, personas["coordinator"])
    response = client.get("/lagesbild/floden/?q=trädgård")
    assert any(m["entity"].startswith("supplier:") for m in response.context["matches"])


def test_reviewers_cannot_open_the_flow_map(client, login, personas):
    login(client, personas["reviewer"])
    assert client.get("/lagesbild/floden/").status_code == 403


def test_households_per_month_are_counted_from_benefit_payments(personas, imported):
    from datetime import date

    from tillit.reports.selectors import households_per_month

    rows = households_per_month(
        user=personas["coordinator"], start=date(2025, 1, 1), end=date(2025, 12, 31)
    )
    assert rows and all(r["period"].startswith("2025-") for r in rows)
    assert all(r["raw"] > 0 for r in rows)


def test_the_map_starts_from_a_case_with_its_hits_subjects(
    client, login, personas, kommun_a, imported
):
    from tests.reports.conftest import make_hit, make_run
    from tillit.cases.models import CaseHit
    from tillit.controls.services import hit_open_case

    first, second = _shared_account_pair(imported)
    hit = make_hit(
        kommun_a,
        make_run(kommun_a),
        "ACC-SHARED",
        "18334.90",
        [f"suppliers:{first}", f"suppliers:{second}"],
        subject=second,
    )
    hit_open_case(hit=hit, user=personas["coordinator"], note="")
    case = CaseHit.objects.get(hit=hit).case
    login(client, personas["coordinator"])
    assert (
        f'href="/lagesbild/floden/?case={case.pk}"'
        in client.get(f"/arenden/{case.pk}/").content.decode()
    )
    assert (
        f'href="/lagesbild/floden/?subject=supplier:{second}"'
        in client.get(f"/kontroller/traffar/{hit.pk}/").content.decode()
    )
    response = client.get(f"/lagesbild/floden/?case={case.pk}")
    assert response.status_code == 200
    graph = response.context["graph"]
    assert graph.nodes[f"supplier:{second}"].subject
    assert f"supplier:{first}" in graph.nodes  # the other supplier on the shared account
    assert graph.nodes[f"supplier:{second}"].hits == 0  # its one hit is in the case now, not open


def test_a_household_on_the_map_is_logged(client, login, personas, imported):
    from tillit.accounts.models import AccessLogEntry

    household = next(
        line.split(";")[1]
        for line in (imported / "benefit_payments.csv")
        .read_text(encoding="cp1252")
        .splitlines()[1:3]
    )
    login(client, personas["investigator"])
    response = client.get(f"/lagesbild/floden/?subject=household:{household}")
    assert response.status_code == 200
    assert response.context["graph"].has_personal_data
    entry = AccessLogEntry.objects.filter(
        object_type="flow_map", user=personas["investigator"]
    ).latest("id")
    assert entry.object_id == f"household:{household}"
