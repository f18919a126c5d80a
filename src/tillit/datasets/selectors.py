from __future__ import annotations

from tillit.accounts.access import scoped
from tillit.analytics.schema import DATASETS
from tillit.datasets.models import Snapshot


def snapshot_list(*, user, dataset: str | None = None, current_only: bool = False):
    snapshots = scoped(Snapshot.objects.all(), user).select_related("imported_by")
    if dataset:
        snapshots = snapshots.filter(dataset=dataset)
    if current_only:
        snapshots = snapshots.filter(retired_at__isnull=True, replaced_by__isnull=True)
    return snapshots


def dataset_overview(*, user) -> list[dict]:
    current = {}
    for s in snapshot_list(user=user, current_only=True):
        entry = current.setdefault(s.dataset, {"snapshots": 0, "rows": 0, "latest": None})
        entry["snapshots"] += 1
        entry["rows"] += s.rows
        entry["latest"] = max(filter(None, [entry["latest"], s.imported_at]))
    return [
        {
            "name": name,
            "title": spec.title,
            **current.get(name, {"snapshots": 0, "rows": 0, "latest": None}),
        }
        for name, spec in DATASETS.items()
    ]
