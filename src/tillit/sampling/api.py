"""/api/samples: the samples with their parameters and projection (figures only, no personal data)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Router, Schema
from ninja.errors import HttpError

from tillit.accounts.access import scoped
from tillit.accounts.api_access import require_api
from tillit.sampling import services
from tillit.sampling.models import Sample

router = Router(tags=["samples"])


class SampleOut(Schema):
    id: int
    title: str
    method: str
    seed: int
    confidence: Decimal
    tolerable_misstatement: Decimal | None
    population_size: int
    population_total: Decimal
    sample_size: int
    interval: Decimal | None
    filters: dict
    drawn_at: datetime
    examined: int
    deviations: int
    projected_misstatement: Decimal | None
    upper_limit: Decimal | None


def _sample(s: Sample) -> dict:
    ev = services.evaluation(s)
    result = ev["result"] or {}
    return {
        "id": s.pk,
        "title": s.title,
        "method": s.method,
        "seed": s.seed,
        "confidence": s.confidence,
        "tolerable_misstatement": s.tolerable_misstatement,
        "population_size": s.population_size,
        "population_total": s.population_total,
        "sample_size": s.sample_size,
        "interval": s.interval,
        "filters": s.filters or {},
        "drawn_at": s.drawn_at,
        "examined": ev["examined"],
        "deviations": ev["deviations"],
        "projected_misstatement": result.get("projected_misstatement"),
        "upper_limit": result.get("upper_limit"),
    }


@router.get("/samples", response=list[SampleOut])
def list_samples(request):
    require_api(request, "controls.view")
    return [_sample(s) for s in scoped(Sample.objects.all(), request.user)[:500]]


@router.get("/samples/{sample_id}", response=SampleOut)
def get_sample(request, sample_id: int):
    """The draw and its projection; the items (suppliers and amounts) are on the web page, access-logged."""
    require_api(request, "controls.view")
    sample = scoped(Sample.objects.all(), request.user).filter(pk=sample_id).first()
    if sample is None:
        raise HttpError(404, "Not found")
    return _sample(sample)
