"""Check the installed Python packages for known vulnerabilities with pip-audit, and say how much
was really checked.

Usage: python3 tools/audit_deps.py [--strict] [--service pypi|osv]

pip-audit reports a package it could not look up as "skipped" and still exits 0, so a run where
no vulnerability data could be reached looks like a clean one. This wrapper prints how many
packages were audited, how many were skipped and every vulnerability found, and exits

- 1 when any audited package has a known vulnerability (always),
- 1 when a package could not be audited and --strict is given (use it where the network reaches
  pypi.org or api.osv.dev: a workstation, the municipality's own scheduled CI),
- 0 otherwise, with a warning naming the share that could not be audited.

`.ci/run` calls it without --strict: the project's CI reaches a package mirror that carries no
vulnerability data (docs/security.md, "Checking dependencies"), so there the output says so
instead of passing silently.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path


def summarise(report: dict) -> tuple[list[str], list[str], list[tuple[str, str, str, str]]]:
    """(audited, skipped, vulnerabilities as (package, version, id, fixed in)) from pip-audit's JSON."""
    audited: list[str] = []
    skipped: list[str] = []
    found: list[tuple[str, str, str, str]] = []
    for dep in report.get("dependencies", []):
        label = f"{dep.get('name')} {dep.get('version', '')}".strip()
        if "skip_reason" in dep:
            skipped.append(label)
            continue
        audited.append(label)
        for vuln in dep.get("vulns", []):
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed version"
            found.append((dep["name"], dep.get("version", ""), vuln.get("id", "?"), fixed))
    return audited, skipped, found


def verdict(
    audited: list[str], skipped: list[str], found: list[tuple[str, str, str, str]], strict: bool
) -> tuple[int, list[str]]:
    """The exit code and the lines to print."""
    total = len(audited) + len(skipped)
    lines = [
        f"pip-audit: {total} packages, {len(audited)} audited, {len(skipped)} could not be audited"
    ]
    for name, version, vuln_id, fixed in found:
        lines.append(f"  VULNERABLE {name} {version}: {vuln_id} (fixed in {fixed})")
    if found:
        lines.append(f"{len(found)} known vulnerabilities: upgrade the packages above.")
        return 1, lines
    if skipped:
        share = len(skipped) / total if total else 1.0
        lines.append(
            f"WARNING: {len(skipped)} of {total} packages ({share:.0%}) were NOT checked: no "
            "vulnerability data for them could be reached. Run with --strict where pypi.org or "
            "api.osv.dev can be reached (docs/security.md)."
        )
        return (1 if strict else 0), lines
    lines.append("No known vulnerabilities in any installed package.")
    return 0, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--strict", action="store_true", help="fail when a package could not be audited"
    )
    parser.add_argument("--service", default="pypi", choices=("pypi", "osv"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "audit.json"
        proc = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
            [
                sys.executable,
                "-m",
                "pip_audit",
                "--progress-spinner",
                "off",
                "--format",
                "json",
                "--output",
                str(out),
                "--vulnerability-service",
                args.service,
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if not out.exists():
            print(proc.stderr.strip() or proc.stdout.strip(), file=sys.stderr)
            print("pip-audit did not run to the end: nothing was checked.", file=sys.stderr)
            return 1 if args.strict else 0
        report = json.loads(out.read_text(encoding="utf-8"))
    code, lines = verdict(*summarise(report), strict=args.strict)
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main())
