"""Renders the permission matrix for docs/permissions.md (a test checks the doc agrees)."""

from __future__ import annotations

from django.utils import translation

from tillit.accounts.access import MATRIX, PERMISSIONS, role_sees_personal_data
from tillit.accounts.models import Role


def render_matrix() -> str:
    with translation.override("en"):
        roles = list(Role)
        lines = [
            "| permission | what it allows | " + " | ".join(r.value for r in roles) + " |",
            "| --- | --- | " + " | ".join("---" for _ in roles) + " |",
        ]
        for perm, description in PERMISSIONS.items():
            marks = " | ".join("✓" if perm in MATRIX[r] else "–" for r in roles)
            lines.append(f"| `{perm}` | {description} | {marks} |")
        lines.append(
            "| two-factor required | | "
            + " | ".join("yes" if role_sees_personal_data(r) else "no" for r in roles)
            + " |"
        )
        return "\n".join(lines)
