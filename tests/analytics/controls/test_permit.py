"""Golden tests of the PERMIT-* (permits) controls (analytics/controls/permit.py) on crafted data, on DuckDB and Spark."""

from __future__ import annotations

from datetime import date

from tests.analytics.conftest import engines, run_control

D = date

C1, C2 = "193001011234", "193502021234"

_run = run_control


@engines()
def test_parking_permit_valid_after_death(tmp_path, engine):
    hits = _run(
        tmp_path,
        engine,
        "PERMIT-DECEASED",
        population=[
            {"personnummer": C1, "status": "avliden", "status_date": D(2025, 2, 11)},
            {"personnummer": C2, "status": "avliden", "status_date": D(2025, 7, 2)},
        ],
        parking_permits=[
            {
                "permit_id": "P1",
                "holder": C1,
                "valid_from": D(2024, 6, 1),
                "valid_to": D(2027, 5, 31),
            },
            {
                "permit_id": "P2",
                "holder": C2,
                "valid_from": D(2023, 5, 1),
                "valid_to": D(2025, 7, 2),
            },
        ],
    )
    assert [h.evidence_keys for h in hits] == [["parking_permits:P1", f"population:{C1}"]]
