"""F4: the import preview runs in a child process with a time and memory limit, once per upload."""

from __future__ import annotations

import pytest

from tillit.datasets.bounded import bounded_preview

pytestmark = pytest.mark.slow


@pytest.fixture
def upload(tmp_path):
    path = tmp_path / "leverantorer.csv"
    path.write_text("supplier_id;name;org_number\nL1;Bygg AB;5560000001\n", encoding="utf-8")
    return path


def test_the_preview_is_computed_in_a_child_and_kept(upload, settings):
    result = bounded_preview("suppliers", upload)
    assert result.headers == ["supplier_id", "name", "org_number"] and not result.problems
    (cache,) = upload.parent.glob(".leverantorer.csv.preview-*")
    assert cache.stat().st_mode & 0o777 == 0o600
    upload.write_text(
        "annat;innehall\n", encoding="utf-8"
    )  # the kept preview is used, not the file again
    assert bounded_preview("suppliers", upload).headers == ["supplier_id", "name", "org_number"]


def test_a_preview_past_its_deadline_is_stopped_with_the_reason(upload):
    result = bounded_preview("suppliers", upload, seconds=0.001)
    assert result.problems and "took more than" in result.problems[0].message


def test_a_preview_past_its_memory_is_stopped_with_the_reason(upload):
    result = bounded_preview("suppliers", upload, memory=30_000_000)
    assert result.problems and "memory" in result.problems[0].message
