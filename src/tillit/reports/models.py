"""The overview's summary of open hits, kept so the start page answers quickly with a million of them."""

from __future__ import annotations

from django.db import models

from tillit.accounts.models import MunicipalModel


class HitSummary(MunicipalModel):
    """Open hits per control family (amount at risk counted once per evidence) and hits raised per
    month, as computed at `computed_at` for the state `stamp` names (reports.summary)."""

    stamp = models.CharField(max_length=300)
    computed_at = models.DateTimeField()
    seconds = models.FloatField(default=0)  # how long the computation took
    refresh_requested_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality"], name="hit_summary_one_per_municipality"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.computed_at:%Y-%m-%d %H:%M}"
