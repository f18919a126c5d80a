"""The architecture as the code has it: the import layers hold (import-linter, .importlinter)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
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


DOC = ROOT / "docs" / "architecture.md"
SRC = ROOT / "src" / "tillit"


def _entries(folder: Path, *, with_data: bool = False) -> set[str]:
    """`name/` for each package (and, with_data, each folder of files), `name.py` for each module."""
    out = set()
    for path in folder.iterdir():
        if path.name.startswith(("_", ".")):
            continue
        if path.is_dir() and ((path / "__init__.py").exists() or with_data):
            out.add(f"{path.name}/")
        elif path.suffix == ".py":
            out.add(path.name)
    return out


def _table(heading: str) -> set[str]:
    """The `code` names in the first column of the table under `## heading`."""
    text = DOC.read_text(encoding="utf-8").split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in text.splitlines():
        if line.startswith("| `"):
            first = line.split("|")[1]
            names |= set(re.findall(r"`([^`]+)`", first))
    return names


def test_the_architecture_page_lists_every_top_level_module_and_no_other():
    assert _table("The pieces") == _entries(SRC, with_data=True)


def test_the_architecture_page_lists_every_module_of_the_analytics_library_and_no_other():
    assert _table("The analytics library") == _entries(SRC / "analytics")


def test_every_apps_commands_are_registered_and_a_missing_module_fails_loudly(monkeypatch):
    from tillit import cli

    with_commands = {
        f"tillit.{p.parent.name}.{p.stem}"
        for p in SRC.glob("*/*cli.py")
        if "def add_commands" in p.read_text(encoding="utf-8")
    }
    assert with_commands <= set(cli.COMMAND_MODULES)
    args = cli.build_parser().parse_args(["cases", "export", "--format", "json"])
    assert args.func.__module__ == "tillit.cases.cli"
    monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, "tillit.nothing.cli"))
    with pytest.raises(ModuleNotFoundError):
        cli.build_parser()
