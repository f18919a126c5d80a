"""The board's internal control plan (internkontrollplan, Kommunallagen 6 kap. 6 §): the risks it
chose, with control activity, method, frequency and responsible, and Tillit's own controls with
their latest results."""

from __future__ import annotations

import io

from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from tillit.lib.formats import format_amount, format_date
from tillit.risks.documents import Doc
from tillit.risks.models import ControlPlanItem
from tillit.risks.selectors import current_assessments
from tillit.risks.services import RiskError


@transaction.atomic
def item_add(
    *,
    board,
    year: int,
    risk_area,
    activity: str,
    method: str,
    frequency: str,
    responsible: str,
    control_id: str = "",
) -> ControlPlanItem:
    if risk_area.municipality_id != board.municipality_id:
        raise RiskError(_("The risk area belongs to another municipality."))
    missing = [
        label
        for label, value in (
            (_("control activity"), activity),
            (_("method"), method),
            (_("frequency"), frequency),
            (_("responsible"), responsible),
        )
        if not (value or "").strip()
    ]
    if missing:
        raise RiskError(_("Fill in: %(fields)s.") % {"fields": ", ".join(missing)})
    if control_id:
        from tillit.analytics.registry import get

        try:
            get(control_id)
        except KeyError:
            raise RiskError(_("There is no control %(id)s.") % {"id": control_id}) from None
    return ControlPlanItem.objects.create(
        municipality=board.municipality,
        board=board,
        year=year,
        risk_area=risk_area,
        activity=activity.strip(),
        method=method.strip(),
        frequency=frequency.strip(),
        responsible=responsible.strip(),
        control_id=control_id,
    )


def latest_result(municipality, control_id: str) -> dict | None:
    """The control's last finished run in the municipality: when, and its open hits and amount at risk."""
    from tillit.controls.models import Hit, Run

    run = (
        Run.objects.filter(municipality=municipality, status="done", dry_run=False)
        .filter(control_ids__icontains=f'"{control_id}"')
        .order_by("-finished_at", "-id")
        .first()
    )
    if run is None:
        return None
    hits = Hit.objects.filter(municipality=municipality, control_id=control_id, shadow=False)
    agg = hits.aggregate(n=Count("id"), amount=Sum("amount_at_risk"))
    return {
        "run_at": run.finished_at or run.created_at,
        "hits": agg["n"] or 0,
        "amount": agg["amount"] or 0,
    }


def rows(board, year: int) -> list[dict]:
    items = ControlPlanItem.objects.filter(board=board, year=year).select_related("risk_area")
    current = current_assessments(board.municipality)
    out = []
    for item in items:
        a = current.get(item.risk_area_id)
        result_text = (
            _result_text(latest_result(board.municipality, item.control_id))
            if item.control_id
            else ""
        )
        out.append({"item": item, "score": a.score if a else None, "result": result_text})
    return out


def tillit_controls(board, year: int) -> list[dict]:
    """Tillit's own controls that serve the risk areas in the board's plan, with their latest results."""
    from tillit.analytics.registry import all_controls
    from tillit.risks.selectors import area_names

    items = ControlPlanItem.objects.filter(board=board, year=year).select_related("risk_area")
    out = []
    seen = set()
    for item in items:
        names = area_names(item.risk_area)
        for control in all_controls():
            if control.id in seen or not names & set(control.risk_areas):
                continue
            seen.add(control.id)
            result = latest_result(board.municipality, control.id)
            out.append(
                {
                    "id": control.id,
                    "title": control.title,
                    "risk_area": item.risk_area,
                    "result": _result_text(result),
                }
            )
    return sorted(out, key=lambda r: (r["risk_area"].code, r["id"]))


def _result_text(result: dict | None) -> str:
    if result is None:
        return _("not run yet")
    return _("run %(date)s: %(hits)s hits, %(amount)s at risk") % {
        "date": format_date(result["run_at"]),
        "hits": result["hits"],
        "amount": format_amount(result["amount"]),
    }


def plan_doc(board, year: int) -> tuple[Doc, list[str], list[list]]:
    doc = Doc(_("Internal control plan %(year)s: %(board)s") % {"year": year, "board": board.name})
    doc.para(
        _("Welfare-crime risks chosen by the board (Local Government Act, chapter 6, section 6).")
    )
    header = [
        _("Risk area"),
        _("VoR value"),
        _("Control activity"),
        _("Method"),
        _("Frequency"),
        _("Responsible"),
        _("Tillit control"),
        _("Latest result"),
    ]
    table = [
        [
            f"{r['item'].risk_area.code} {r['item'].risk_area.name}",
            r["score"] if r["score"] is not None else "–",
            r["item"].activity,
            r["item"].method,
            r["item"].frequency,
            r["item"].responsible,
            r["item"].control_id or "–",
            r["result"],
        ]
        for r in rows(board, year)
    ]
    doc.table(header, table)
    controls = tillit_controls(board, year)
    if controls:
        doc.heading(_("Tillit's controls for these risks"))
        doc.table(
            [_("Control"), _("Name"), _("Risk area"), _("Latest result")],
            [
                [c["id"], c["title"], f"{c['risk_area'].code} {c['risk_area'].name}", c["result"]]
                for c in controls
            ],
        )
    samples = _samples(board, year)
    if samples:
        doc.heading(_("Samples of the board's invoices"))
        doc.table(
            [_("Sample"), _("Method"), _("Drawn"), _("Latest result")],
            [[s["title"], s["method"], s["drawn"], s["result"]] for s in samples],
        )
    return doc, header, table


def _samples(board, year: int) -> list[dict]:
    from tillit.sampling.selectors import samples_for_board

    return samples_for_board(board.municipality, board.name, year)


def to_xlsx(board, year: int) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from tillit.lib.csvsafe import csv_cell

    doc, header, table = plan_doc(board, year)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Internal control plan")[:31]
    ws.append([doc.title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in table:
        ws.append([csv_cell(v) if isinstance(v, str) else v for v in row])
    controls = tillit_controls(board, year)
    if controls:
        ws.append([])
        ws.append([_("Tillit's controls for these risks")])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        ws.append([_("Control"), _("Name"), _("Risk area"), _("Latest result")])
        for c in controls:
            ws.append(
                [
                    c["id"],
                    csv_cell(c["title"]),
                    csv_cell(f"{c['risk_area'].code} {c['risk_area'].name}"),
                    csv_cell(c["result"]),
                ]
            )
    samples = _samples(board, year)
    if samples:
        ws.append([])
        ws.append([_("Samples of the board's invoices")])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        ws.append([_("Sample"), _("Method"), _("Drawn"), _("Latest result")])
        for sample in samples:
            ws.append(
                [
                    csv_cell(sample["title"]),
                    csv_cell(sample["method"]),
                    sample["drawn"],
                    csv_cell(sample["result"]),
                ]
            )
    for col, width in zip("ABCDEFGH", (34, 10, 40, 24, 14, 22, 22, 34), strict=True):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
