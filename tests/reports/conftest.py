"""Hits and cases made directly in the database: the reports only read them."""

from __future__ import annotations

from decimal import Decimal

import pytest


def make_run(municipality):
    from django.utils import timezone

    from tillit.controls.models import Run

    return Run.objects.create(
        municipality=municipality,
        status=Run.Status.DONE,
        finished_at=timezone.now(),
        controls_total=3,
        hits_new=0,
    )


def make_hit(
    municipality,
    run,
    control_id: str,
    amount,
    evidence: list[str],
    *,
    subject: str = "1001",
    status: str = "new",
    board: str = "Socialnämnden",
    reason: str = "",
):
    from tillit.controls.models import Hit

    n = Hit.objects.count()
    return Hit.objects.create(
        municipality=municipality,
        control_id=control_id,
        control_version=1,
        fingerprint=f"fp{n}",
        first_run=run,
        last_run=run,
        engine="duckdb",
        sql="SELECT 1",
        subject_type="supplier",
        subject_id=subject,
        board=board,
        amount_at_risk=Decimal(amount),
        severity="hög",
        explanation_template="x",
        evidence_keys=evidence,
        status=status,
        dismiss_reason=reason,
    )


@pytest.fixture
def hits(personas, kommun_a):
    run = make_run(kommun_a)
    made = [
        # three controls flag one payment: 143 950 kr at risk once
        make_hit(kommun_a, run, "ACC-GIRO-MIX", "143950", ["payments:gm2", "suppliers:20012"]),
        make_hit(kommun_a, run, "ACC-CHANGE", "143950", ["payments:gm2", "suppliers:20012"]),
        make_hit(kommun_a, run, "ACC-DEVIATING", "143950", ["payments:gm2", "suppliers:20012"]),
        make_hit(
            kommun_a, run, "INV-DUP-EXACT", "1000", ["invoices:F1", "invoices:F2"], subject="2002"
        ),
        make_hit(
            kommun_a, run, "INV-DUP-FUZZY", "500", ["invoices:F3", "invoices:F4"], subject="2003"
        ),
        make_hit(
            kommun_a,
            run,
            "INV-DUP-EXACT",
            "700",
            ["invoices:F5", "invoices:F6"],
            subject="2004",
            status="dismissed",
            reason="false_positive",
        ),
    ]
    return run, made


FLOW_DATASETS = (
    "suppliers",
    "supplier_accounts",
    "invoices",
    "grants",
    "benefit_payments",
    "employees",
    "company_roles",
)


@pytest.fixture(scope="session")
def generated_kommun(tmp_path_factory):
    from tillit.analytics.generate import generate

    folder = tmp_path_factory.mktemp("kommun")
    generate(folder, scale=0.1, seed=1)
    return folder


@pytest.fixture
def imported(personas, kommun_a, generated_kommun, settings, tmp_path):
    """The synthetic municipality's data sets the flow map reads, imported into Kommun A."""
    from tillit.datasets.services import import_file

    settings.SNAPSHOT_DIR = tmp_path / "snapshots"
    for name in FLOW_DATASETS:
        import_file(
            user=personas["coordinator"],
            municipality=kommun_a,
            dataset=name,
            path=generated_kommun / f"{name}.csv",
        )
    return generated_kommun
