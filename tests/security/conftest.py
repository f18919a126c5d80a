"""A small world for the security tests: Kommun A with a hit, a case with a document and an
outcome, a failed import of personal data, and Kommun B's own hit and case to aim at."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest


@pytest.fixture(autouse=True)
def _fast_files(settings, tmp_path):
    settings.CASE_FILES_DIR = tmp_path / "case-files"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_hit(
    municipality, *, subject_id="19121212-1212", fingerprint="fp-1", amount=Decimal("12000.00")
):
    from tillit.controls.models import Hit, Run

    run = Run.objects.create(municipality=municipality, status=Run.Status.DONE)
    return Hit.objects.create(
        municipality=municipality,
        control_id="BEN-DECEASED",
        control_version=1,
        fingerprint=fingerprint,
        first_run=run,
        last_run=run,
        engine="duckdb",
        sql="SELECT 1",
        subject_type="person",
        subject_id=subject_id,
        board="Socialnämnden",
        risk_areas=["Ekonomiskt bistånd"],
        amount_at_risk=amount,
        severity=Hit.Severity.HIGH,
        score=amount,
        explanation_template="Payment after death",
        explanation_params={},
        evidence=[],
        evidence_keys=[],
    )


def make_case(
    creator,
    *,
    members=(),
    sensitivity="normal",
    identifier="19121212-1212",
    name="Tolvan Tolvansson",
):
    from tillit.cases.services import case_create

    return case_create(
        municipality=creator.municipality,
        user=creator,
        title=f"Misstänkt felaktig utbetalning {identifier}",
        case_type="benefit",
        source="staff",
        subjects=[{"kind": "person", "identifier": identifier, "name": name}],
        team=list(members),
        lead=members[0] if members else None,
        sensitivity=sensitivity,
        amount_concerned=Decimal("45000"),
    )


@pytest.fixture
def world(personas, kommun_a, kommun_b):
    from tillit.cases.services import (
        case_transition,
        document_add,
        notification_record,
        recovery_claim_decide,
    )
    from tillit.datasets.models import ImportAttempt

    coordinator = personas["coordinator"]
    hit = make_hit(kommun_a)
    case = make_case(coordinator, members=[coordinator, personas["investigator"]])
    for state in ("assessment", "investigation"):
        case = case_transition(case=case, user=coordinator, to_state=state)
    document = document_add(
        case=case,
        user=coordinator,
        title="Underlag",
        filename="underlag.txt",
        content=b"=SUM(A1) 19121212-1212",
    )
    claim = recovery_claim_decide(
        case=case,
        user=coordinator,
        amount=Decimal("1000"),
        legal_ground="sol_9_1",
        decision_date=date(2026, 11, 2),
        debtor="Tolvan Tolvansson",
        reasoning="Fel",
    )
    notification_record(
        case=case,
        user=coordinator,
        recipient="forsakringskassan",
        legal_ground="2008:206",
        shared="Personnummer",
        sent_on=date(2026, 11, 2),
    )
    attempt = ImportAttempt.objects.create(
        municipality=kommun_a,
        dataset="population",
        source_name="folkbokforing.csv",
        status=ImportAttempt.Status.REJECTED,
        started_by=coordinator,
        errors=[
            {
                "row": 2,
                "column": "person_id",
                "value": "19121212-121X",
                "message": "Bad",
                "params": {},
            }
        ],
        error_count=1,
    )
    other = personas["other_investigator"]
    return {
        "hit": hit,
        "case": case,
        "document": document,
        "claim": claim,
        "attempt": attempt,
        # Kommun B's own hit and case, on someone else: nothing of Kommun A's may show next to them
        "other_hit": make_hit(kommun_b, fingerprint="fp-b", subject_id="19850505-5555"),
        "other_case": make_case(
            other, members=[other], identifier="19850505-5555", name="Nils Nilsson"
        ),
    }
