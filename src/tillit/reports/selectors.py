"""The overview's figures, always for the acting user's municipality."""

from __future__ import annotations

from django.apps import apps

from tillit.accounts.access import has_perm, scoped


def overview_figures(*, user) -> dict:
    figures: dict = {"boards": scoped(apps.get_model("accounts", "Board").objects.all(), user).count()}
    if has_perm(user, "data.view"):
        Snapshot = apps.get_model("datasets", "Snapshot") if apps.is_installed("tillit.datasets") else None
        if Snapshot is not None and hasattr(Snapshot, "objects"):
            figures["snapshots"] = scoped(Snapshot.objects.filter(retired_at__isnull=True), user).count()
    return figures
