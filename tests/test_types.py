"""mypy on the analytics library and lib/ ([tool.mypy] in pyproject.toml): no errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy import api

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_analytics_and_lib_type_check(monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    out, err, status = api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path)]
    )
    assert status == 0, out + err
    assert "Success: no issues found" in out
