"""The protected-attribute guard over every registered control (issue 5)."""

from __future__ import annotations

import pytest

from tillit.analytics import schema
from tillit.analytics.guard import ALLOWED, columns_read, gender_digit_reads, protected_in
from tillit.analytics.registry import Control, all_controls


def test_the_allow_list_holds_no_protected_attribute_and_only_real_columns():
    assert set(ALLOWED) == set(schema.DATASETS)
    for dataset, columns in ALLOWED.items():
        assert protected_in(columns) == [], dataset
        assert columns <= {c for c, _t in schema.stored_columns(dataset)}, dataset


def test_protected_words_are_recognised():
    assert protected_in({"kon", "birth_country", "medborgarskap", "amount", "konto", "reason"}) == [
        "birth_country",
        "kon",
        "medborgarskap",
    ]


@pytest.mark.parametrize("control", all_controls(), ids=lambda c: c.id)
def test_every_control_reads_only_allowed_columns(control):
    outside = sorted(f"{d}.{c}" for d, c in columns_read(control) if c not in ALLOWED[d])
    assert outside == []
    assert gender_digit_reads(control) == []


def _control(sql: str, inputs: dict) -> Control:
    return Control(
        id="TEST-GUARD",
        version=1,
        title="t",
        rationale="r",
        why="w",
        legal_ground="l",
        risk_areas=(),
        inputs=inputs,
        sql=sql,
        explanation="e",
    )


def test_the_guard_sees_columns_through_ctes_and_aliases_and_stars():
    control = _control(
        """WITH p AS (SELECT * FROM population)
        SELECT 'person' AS subject_type, x.personnummer AS subject_id, 0 AS amount_at_risk, [] AS evidence_keys
        FROM p AS x WHERE x.status = 'avliden'""",
        {"population": ("personnummer",)},
    )
    read = columns_read(control)
    assert ("population", "status") in read and ("population", "birth_date") in read


def test_the_gender_digit_of_a_personnummer_is_refused_but_the_birth_date_is_not():
    base = "SELECT 'person' AS subject_type, applicant AS subject_id, 0 AS amount_at_risk, [] AS evidence_keys"
    gender = _control(
        base + " FROM benefit_payments WHERE substr(applicant, 11, 1) IN ('1','3')",
        {"benefit_payments": ("applicant",)},
    )
    birth = _control(
        base + " FROM benefit_payments WHERE substr(applicant, 1, 8) < '20070101'",
        {"benefit_payments": ("applicant",)},
    )
    assert gender_digit_reads(gender) and gender_digit_reads(birth) == []
