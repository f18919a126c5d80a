from datetime import datetime

from ninja import Router, Schema

from tillit.accounts.api_access import require_api
from tillit.datasets import selectors

router = Router(tags=["datasets"])


class SnapshotOut(Schema):
    id: int
    dataset: str
    rows: int
    sha256: str
    source_name: str
    imported_at: datetime
    current: bool


@router.get("", response=list[SnapshotOut])
def list_snapshots(request, dataset: str | None = None):
    require_api(request, "data.view")
    return [
        {
            "id": s.pk,
            "dataset": s.dataset,
            "rows": s.rows,
            "sha256": s.sha256,
            "source_name": s.source_name,
            "imported_at": s.imported_at,
            "current": s.is_current,
        }
        for s in selectors.snapshot_list(user=request.user, dataset=dataset)
    ]
