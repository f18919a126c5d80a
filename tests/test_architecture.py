"""The architecture as the code has it: the import layers hold (import-linter, .importlinter)."""

from __future__ import annotations

import os
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_layers_hold(monkeypatch, capsys):
    """Entry points over the apps over the analytics library over lib, and no Django in analytics;
    a breach prints the import chain that breaks the contract."""
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT / "src"))
    monkeypatch.setitem(os.environ, "PYTHONPATH", str(ROOT / "src"))
    code = lint_imports(config_filename=str(ROOT / ".importlinter"), no_cache=True, no_logo=True)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "2 kept, 0 broken" in out
