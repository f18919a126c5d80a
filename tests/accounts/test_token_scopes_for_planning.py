"""API tokens reach the risk analysis, the action plan and the reports' figures within their scopes."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, scope",
    [
        ("/api/risk-areas", "risks:read"),
        ("/api/plans", "plans:read"),
        ("/api/measures", "plans:read"),
    ],
)
def test_a_token_reads_planning_only_with_its_scope(client, personas, path, scope):
    from tillit.accounts.services import api_token_create

    user = personas["coordinator"]
    _, with_scope = api_token_create(user=user, name="bi", scopes=[scope])
    _, without = api_token_create(user=user, name="other", scopes=["hits:read"])
    assert client.get(path, HTTP_AUTHORIZATION=f"Bearer {with_scope}").status_code == 200
    assert client.get(path, HTTP_AUTHORIZATION=f"Bearer {without}").status_code == 403
