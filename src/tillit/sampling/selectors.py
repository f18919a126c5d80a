"""Samples as other apps read them (the risks app's internal control plan)."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from tillit.lib.formats import format_amount, format_date
from tillit.sampling.models import Sample


def samples_for_board(municipality, board_name: str, year: int) -> list[dict]:
    """The samples of a year that cover the board (chosen by name, or drawn over every board), each with
    its latest result as one line of text."""
    from tillit.sampling.services import evaluation

    out = []
    if (
        not 1900 <= year <= 9999
    ):  # no sample was drawn then (and a datetime that far off does not convert)
        return out
    drawn_in_year = Sample.objects.filter(
        municipality=municipality, drawn_at__date__range=(date(year, 1, 1), date(year, 12, 31))
    )
    for sample in drawn_in_year.order_by("drawn_at", "id"):
        boards = (sample.filters or {}).get("boards") or []
        if boards and board_name not in boards:
            continue
        ev = evaluation(sample)
        text = _("%(examined)s of %(total)s items examined, deviations: %(deviations)s") % {
            "examined": ev["examined"],
            "total": ev["total"],
            "deviations": ev["deviations"],
        }
        if ev["result"] is not None:
            text += "; " + _("projected misstatement %(projected)s, upper limit %(upper)s") % {
                "projected": format_amount(ev["result"]["projected_misstatement"]),
                "upper": format_amount(ev["result"]["upper_limit"]),
            }
        out.append(
            {
                "sample": sample,
                "title": sample.title,
                "method": sample.get_method_display(),
                "drawn": format_date(sample.drawn_at),
                "result": text,
            }
        )
    return out
