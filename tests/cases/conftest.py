"""Cases fixtures: a case file store in a temporary directory, hits, and cases in each state."""

from __future__ import annotations

from decimal import Decimal

import pytest


@pytest.fixture(autouse=True)
def case_files(settings, tmp_path):
    settings.CASE_FILES_DIR = tmp_path / "case-files"
    # the personas' passwords need no Argon2 here; it makes every test a second slower
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.CASE_FILES_DIR


@pytest.fixture
def make_hit(db):
    from tillit.controls.models import Hit, Run

    counter = {"n": 0}

    def make(
        municipality,
        *,
        control_id="BEN-DECEASED",
        subject_type="household",
        subject_id="H-0042",
        amount=Decimal("12000.00"),
        board="Socialnämnden",
    ):
        counter["n"] += 1
        run = Run.objects.create(municipality=municipality, status=Run.Status.DONE)
        return Hit.objects.create(
            municipality=municipality,
            control_id=control_id,
            control_version=1,
            fingerprint=f"fp-{counter['n']}",
            first_run=run,
            last_run=run,
            engine="duckdb",
            sql="SELECT 1",
            subject_type=subject_type,
            subject_id=subject_id,
            board=board,
            risk_areas=["Ekonomiskt bistånd"],
            amount_at_risk=amount,
            severity=Hit.Severity.HIGH,
            score=amount,
            explanation_template="Payment after death",
            explanation_params={},
            evidence=[],
            evidence_keys=[],
        )

    return make


@pytest.fixture
def case_of(db):
    """A case in Kommun A with `members` on its team."""
    from tillit.cases.services import case_create

    def make(
        creator,
        *,
        members=(),
        title="Misstänkt felaktig utbetalning",
        case_type="benefit",
        sensitivity="normal",
        subjects=None,
    ):
        return case_create(
            municipality=creator.municipality,
            user=creator,
            title=title,
            case_type=case_type,
            source="staff",
            subjects=subjects
            if subjects is not None
            else [{"kind": "person", "identifier": "19121212-1212", "name": "Tolvan Tolvansson"}],
            team=list(members),
            lead=members[0] if members else None,
            sensitivity=sensitivity,
            amount_concerned=Decimal("45000"),
        )

    return make


def advance(case, user, *states):
    from tillit.cases.services import case_transition

    for state in states:
        case = case_transition(case=case, user=user, to_state=state)
    return case
