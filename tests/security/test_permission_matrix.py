"""Every route of the resolver × every role × Kommun A's objects, and Kommun B's investigator
aimed at them: no 500, the role matrix holds on every URL, no other municipality's data leaks,
and nothing but the public pages answers an anonymous visitor.

The probe covered 10 of 59 routes; this walks all of them (GET; POST-only views answer 405)."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tillit.accounts.access import has_perm

pytestmark = pytest.mark.django_db

ROLES = ["admin", "coordinator", "investigator", "controller", "reviewer", "other_investigator"]
# pages anyone may open without signing in
PUBLIC = re.compile(
    r"^(health|set_language|accounts-login|tips-(public|public-easy|followup|complaint|accessibility|"
    r"whistle|whistle-easy|whistle-followup))$"
)
SECRETS = (b"19121212-1212", b"Tolvan")


def _patterns(patterns=None, prefix=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "api":
                continue
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield entry.name, prefix + str(entry.pattern), entry.callback


def _url(route: str, name: str, world, personas) -> str:
    case = world["case"]
    values = {
        "pk": {
            "controls-hit": world["hit"].pk,
            "controls-hit-action": world["hit"].pk,
            "controls-run": world["hit"].last_run_id,
            "datasets-attempt": world["attempt"].pk,
            "datasets-attempt-errors": world["attempt"].pk,
            "accounts-user": personas["investigator"].pk,
        }.get(name, case.pk if name.startswith("cases-") else 1),
        "document_pk": world["document"].pk,
        "claim_pk": world["claim"].pk,
        "outcome_pk": world["claim"].pk,
        "kind": "recovery",
        "control_id": "BEN-DECEASED",
        "name": "population",
        "action": "dismiss",
        "decision": "approve",
    }

    def fill(match):
        key = match.group(2)
        return str(values.get(key, 1))

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, route).replace("^", "").replace("$", "")


def test_every_route_every_role_and_another_municipality(client, login, personas, world):
    from django.contrib.auth.models import AnonymousUser

    routes = list(_patterns())
    assert len(routes) > 59
    problems = []
    for role in [None, *ROLES]:
        client.logout()
        user = personas[role] if role else AnonymousUser()
        if role:
            login(client, user)
        for name, route, callback in routes:
            url = _url(route, name, world, personas)
            response = client.get(url)
            status = response.status_code
            where = f"{role or 'anonymous'} GET {url} ({name}) -> {status}"
            if status >= 500:
                problems.append(where + ": server error")
                continue
            perm = getattr(callback, "required_permission", None)
            if role is None:
                if not PUBLIC.match(name) and status == 200:
                    problems.append(where + ": open to anyone")
                continue
            if perm and not has_perm(user, perm) and status not in (403, 405):
                problems.append(where + f": the role lacks {perm}")
            if (
                role == "other_investigator"
                and status == 200
                and any(s in response.content for s in SECRETS)
            ):
                problems.append(where + ": Kommun A's personal data shown to Kommun B")
    assert not problems, "\n".join(problems)


def test_every_api_endpoint_every_role_and_another_municipality(client, login, personas, world):
    from tillit.config.api import api

    schema = api.get_openapi_schema()
    gets = [p for p, ops in schema["paths"].items() if "get" in ops]
    problems = []
    for role in [None, *ROLES]:
        client.logout()
        if role:
            login(client, personas[role])
        for path in gets:
            url = path.replace("{case_id}", str(world["case"].pk))
            url = re.sub(r"\{[^}]+\}", "1", url)
            response = client.get(url)
            where = f"{role or 'anonymous'} GET {url} -> {response.status_code}"
            if response.status_code >= 500:
                problems.append(where)
            elif role is None and response.status_code != 401:
                problems.append(where + ": not refused")
            elif role == "other_investigator" and any(s in response.content for s in SECRETS):
                problems.append(where + ": Kommun A's data")
    assert not problems, "\n".join(problems)
