"""Plans fixtures: a quick password hasher, and a plan with two areas in Kommun A."""

from __future__ import annotations

from datetime import date

import pytest


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def plan(kommun_a, personas):
    from tillit.plans import services

    plan = services.plan_create(
        municipality=kommun_a,
        user=personas["coordinator"],
        title="Handlingsplan 2026–2028",
        period_start=date(2026, 1, 1),
        period_end=date(2028, 12, 31),
    )
    services.area_create(plan=plan, user=personas["coordinator"], number="1", title="Organisering")
    services.area_create(
        plan=plan, user=personas["coordinator"], number="2", title="Kunskapshöjning"
    )
    return plan


@pytest.fixture
def measure_in(personas):
    from tillit.plans import services

    def make(plan, area_number="1", **fields):
        area = plan.areas.get(number=area_number)
        fields.setdefault("code", f"{area_number}.{area.measures.count() + 1}")
        fields.setdefault("text", "Ta fram en rutin")
        return services.measure_create(area=area, user=personas["coordinator"], **fields)

    return make
