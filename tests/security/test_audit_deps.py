"""tools/audit_deps.py: a pip-audit run that checked nothing must not read as a clean one."""

from __future__ import annotations

import importlib.util
from pathlib import Path

TOOL = Path(__file__).resolve().parents[2] / "tools" / "audit_deps.py"
spec = importlib.util.spec_from_file_location("audit_deps", TOOL)
audit_deps = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit_deps)

SKIPPED = {
    "name": "annotated-types",
    "skip_reason": "Dependency not found on PyPI and could not be audited",
}
CLEAN = {"name": "django", "version": "5.2.8", "vulns": []}
VULNERABLE = {
    "name": "jinja2",
    "version": "3.1.2",
    "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"], "aliases": []}],
}


def run(deps: list[dict], strict: bool = False) -> tuple[int, str]:
    code, lines = audit_deps.verdict(*audit_deps.summarise({"dependencies": deps}), strict=strict)
    return code, "\n".join(lines)


def test_nothing_reachable_is_reported_as_unchecked_not_as_clean():
    code, text = run([SKIPPED, dict(SKIPPED, name="attrs")])
    assert code == 0
    assert "2 packages, 0 audited, 2 could not be audited" in text
    assert "NOT checked" in text and "No known vulnerabilities" not in text


def test_strict_fails_when_a_package_could_not_be_audited():
    code, text = run([CLEAN, SKIPPED], strict=True)
    assert code == 1
    assert "1 of 2 packages (50%)" in text


def test_a_vulnerability_fails_with_or_without_strict():
    for strict in (False, True):
        code, text = run([CLEAN, VULNERABLE, SKIPPED], strict=strict)
        assert code == 1
        assert "VULNERABLE jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)" in text


def test_all_audited_and_clean_passes_strict():
    code, text = run([CLEAN], strict=True)
    assert code == 0
    assert "1 packages, 1 audited, 0 could not be audited" in text
    assert "No known vulnerabilities in any installed package." in text
