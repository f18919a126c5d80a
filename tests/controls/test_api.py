"""/api/runs and /api/hits: the same permission checks as the UI, never across municipalities."""

from __future__ import annotations

from tests.controls.conftest import load, run


def _token(user) -> dict:
    from tillit.accounts.services import api_token_create

    _, key = api_token_create(user=user, name="integration")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_runs_and_hits_through_the_api(loaded, client, personas):
    from tillit.accounts.models import AccessLogEntry
    from tillit.controls.models import Hit

    headers = _token(personas["investigator"])
    runs = client.get("/api/runs", **headers)
    assert runs.status_code == 200
    (listed,) = runs.json()
    assert listed["id"] == loaded.pk and listed["hits_new"] == loaded.hits_new
    assert listed["report"][0]["control_id"] == "INV-DUP-EXACT"

    hits = client.get("/api/hits", **headers)
    assert hits.status_code == 200
    data = hits.json()
    assert [h["id"] for h in data] == list(
        Hit.objects.order_by("-score", "-id").values_list("pk", flat=True)
    )
    first = data[0]
    assert {
        "run_id",
        "control_id",
        "fingerprint",
        "subject_type",
        "subject_id",
        "amount_at_risk",
        "severity",
        "score",
        "status",
        "explanation",
        "evidence_keys",
        "evidence",
    } <= set(first)
    assert first["status"] == "ny" and first["evidence"][0]["dataset"] == "invoices"
    assert AccessLogEntry.objects.filter(
        user=personas["investigator"], action="export", object_type="hits"
    ).exists()
    assert client.get("/api/hits", {"status": "dismissed"}, **headers).json() == []
    assert len(client.get("/api/hits", {"run": loaded.pk}, **headers).json()) == len(data)


def test_the_api_refuses_roles_without_the_permission_and_anonymous_callers(
    loaded, client, personas
):
    assert client.get("/api/hits", **_token(personas["reviewer"])).status_code == 403
    assert client.get("/api/runs", **_token(personas["admin"])).status_code == 403
    assert client.get("/api/hits").status_code == 401
    assert client.get("/api/runs").status_code == 401


def test_no_access_across_municipalities(loaded, client, personas, kommun_b, generated):
    from tillit.accounts.services import user_create
    from tillit.controls.models import Hit

    charlie = personas["other_investigator"]
    assert client.get("/api/runs", **_token(charlie)).json() == []
    assert client.get("/api/hits", **_token(charlie)).json() == []
    assert client.get("/api/hits", {"run": loaded.pk}, **_token(charlie)).json() == []

    # Kommun B imports the same data: each sees its own hits only, fingerprints do not collide
    beata = user_create(
        municipality=kommun_b, username="beata", password="x" * 20, role="coordinator"
    )
    load(beata, kommun_b, generated)
    own = run(kommun_b, beata)
    assert own.hits_new == loaded.hits_new
    ids_b = {h["id"] for h in client.get("/api/hits", **_token(charlie)).json()}
    assert ids_b == set(Hit.objects.filter(municipality=kommun_b).values_list("pk", flat=True))
    ids_a = {h["id"] for h in client.get("/api/hits", **_token(personas["investigator"])).json()}
    assert not ids_a & ids_b
    assert [r["id"] for r in client.get("/api/runs", **_token(charlie)).json()] == [own.pk]


def test_a_session_needs_two_factor_for_the_api(loaded, client, login, personas):
    client.force_login(
        personas["investigator"], backend="django.contrib.auth.backends.ModelBackend"
    )
    assert client.get("/api/hits").status_code != 200  # refused until the second factor is done
    login(client, personas["investigator"])
    assert client.get("/api/hits").status_code == 200
