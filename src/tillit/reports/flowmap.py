"""The flow map page: the graph of flows.py with permissions, hits, cases and the access log."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from tillit.accounts.access import has_perm, log_personal_data, scoped
from tillit.controls.models import Hit
from tillit.lib.formats import format_amount, format_integer
from tillit.reports import flows
from tillit.reports.charts import FONT, INK, short_number

COLOURS = {
    "board": "#0b4f8a",
    "supplier": "#ffffff",
    "association": "#ffffff",
    "household": "#ffffff",
    "employee": "#ffffff",
    "households": "#eef1f5",
    "others": "#eef1f5",
    "account": "#fff4d6",
    "address": "#e8f3ea",
    "person": "#f1e9fa",
}
BORDERS = {
    "board": "#0b4f8a",
    "supplier": "#0b4f8a",
    "association": "#1d6b32",
    "household": "#8a6d00",
    "employee": "#6b3fa0",
    "households": "#5c5c5c",
    "others": "#5c5c5c",
    "account": "#8a6d00",
    "address": "#1d6b32",
    "person": "#6b3fa0",
}


def kind_label(kind: str) -> str:
    return {
        "board": _("board"),
        "supplier": _("supplier"),
        "association": _("association"),
        "household": _("household"),
        "households": _("households"),
        "others": _("others"),
        "account": _("bank account"),
        "address": _("address"),
        "person": _("person in a company role"),
        "employee": _("employee"),
    }[kind]


def node_label(node: flows.Node) -> str:
    if node.kind == "households":
        return _("%(n)s households") % {"n": format_integer(int(node.detail or 0))}
    if node.kind == "others":
        return _("%(n)s other payees") % {"n": format_integer(int(node.detail or 0))}
    if node.kind == "household":
        return _("Household %(id)s") % {"id": node.key}
    return node.label


def parse_params(get) -> dict:
    """The map's filters from the query string; wrong values fall back with a message, never an error page."""
    errors = []

    def day(name: str) -> date | None:
        text = (get.get(name) or "").strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            errors.append(
                _("The date “%(value)s” is not a date (write it as 2025-01-31).") % {"value": text}
            )
            return None

    start, end = day("start"), day("end")
    amount = Decimal(0)
    text = (get.get("min") or "").replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if text:
        try:
            amount = Decimal(text)
        except InvalidOperation:
            errors.append(_("The amount “%(value)s” is not a number.") % {"value": get.get("min")})
    try:
        limit = max(3, min(40, int(get.get("limit") or 12)))
    except ValueError:
        limit = 12
    return {
        "start": start,
        "end": end,
        "board": (get.get("board") or "").strip(),
        "min": amount,
        "limit": limit,
        "subject": (get.get("subject") or "").strip(),
        "case": (get.get("case") or "").strip(),
        "expand": [e for e in get.getlist("expand") if e],
        "q": (get.get("q") or "").strip(),
        "errors": errors,
    }


def case_subjects(request, case_pk: str) -> tuple[object | None, list[str]]:
    """The entities of a case: its hits' subjects and the organisation numbers it names."""
    from tillit.cases.access import case_fetch

    try:
        case = case_fetch(request, int(case_pk))
    except ValueError:
        return None, []
    ids = []
    for link in case.case_hits.select_related("hit"):
        kind = link.hit.subject_type
        ids.append(f"{kind}:{link.hit.subject_id}")
    return case, ids


def hit_counts(user, graph: flows.Graph) -> None:
    keys = [
        n.key
        for n in graph.nodes.values()
        if n.kind in ("supplier", "association", "household", "employee")
    ]
    if not keys:
        return
    rows = (
        scoped(Hit.objects.filter(status=Hit.Status.NEW, shadow=False, subject_id__in=keys), user)
        .values_list("subject_type", "subject_id")
        .annotate(n=Count("id"))
    )
    counts = {f"{t}:{s}": n for t, s, n in rows}
    for node in graph.nodes.values():
        node.hits = counts.get(node.id, 0)


def url_with(params: dict, **changes) -> str:
    merged = {
        "start": params["start"],
        "end": params["end"],
        "board": params["board"],
        "min": params["min"] or "",
        "limit": params["limit"] if params["limit"] != 12 else "",
    }
    merged.update(changes)
    query = []
    for k, v in merged.items():
        if isinstance(v, list):
            query.extend((k, x) for x in v)
        elif v not in (None, ""):
            query.append((k, v.isoformat() if isinstance(v, date) else str(v)))
    return reverse("reports-flows") + "?" + urlencode(query)


def node_links(user, node: flows.Node, params: dict) -> dict:
    links = {}
    if node.kind in (
        "supplier",
        "association",
        "household",
        "employee",
        "account",
        "address",
        "person",
    ):
        links["start"] = url_with(params, subject=node.id)
        if params.get("subject_ids") and node.id not in params["subject_ids"]:
            links["expand"] = url_with(
                params,
                subject=params["subject"],
                case=params["case"],
                expand=[*params["expand"], node.id],
            )
    if node.kind in ("supplier", "association", "household", "employee") and has_perm(
        user, "controls.view"
    ):
        links["hits"] = (
            reverse("controls-queue") + "?" + urlencode({"subject": node.key, "status": ""})
        )
    if node.kind in ("supplier", "association", "household") and has_perm(user, "cases.view"):
        links["cases"] = reverse("cases-list") + "?" + urlencode({"q": node.key})
    if node.kind == "board":
        links["start"] = url_with(params, board=node.key)
    return links


def svg(graph: flows.Graph, links_of, *, title: str, desc: str) -> str:
    placed, lines, height = flows.layout(graph)
    width = 1000
    parts = [
        f'<svg class="flowmap" viewBox="0 0 {width} {height}" width="100%" role="group" '
        f'aria-labelledby="fm-t fm-d" font-family="{escape(FONT)}">'
        f'<title id="fm-t">{escape(title)}</title><desc id="fm-d">{escape(desc)}</desc>'
    ]
    for a, b, edge, stroke in lines:
        x1, y1, x2, y2 = a.x + a.w, a.y + a.h / 2, b.x, b.y + b.h / 2
        mid = (x1 + x2) / 2
        colour = "#7fa7cc" if edge.kind == "money" else "#b3541e"
        dash = "" if edge.kind == "money" else ' stroke-dasharray="5 4"'
        parts.append(
            f'<path d="M{x1:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} {x2:.1f},{y2:.1f}" '
            f'fill="none" stroke="{colour}" stroke-width="{stroke:.1f}" stroke-opacity=".75"{dash}/>'
        )
    for p in placed:
        n = p.node
        fill, border = COLOURS.get(n.kind, "#fff"), BORDERS.get(n.kind, "#5c5c5c")
        text_colour = "#ffffff" if n.kind == "board" else INK
        weight = ' font-weight="700"' if n.subject or n.kind == "board" else ""
        label = node_label(n)
        amount = f" · {short_number(n.amount)}" if n.amount and n.column < 2 else ""
        room = max(
            8, int((p.w - 16) / (8.0 if weight else 7.2)) - len(amount)
        )  # characters that fit the box
        clipped = label if len(label) <= room else label[: room - 1] + "…"
        rect = (
            f'<rect x="{p.x:.1f}" y="{p.y:.1f}" width="{p.w:.1f}" height="{p.h}" rx="6" fill="{fill}" '
            f'stroke="{border}" stroke-width="{3 if n.subject else 1.5}"/>'
            f'<text x="{p.x + 8:.1f}" y="{p.y + 19:.1f}" font-size="13" fill="{text_colour}"'
            f"{weight}>"
            f"{escape(clipped)}{escape(amount)}</text>"
        )
        if n.hits:
            cx = p.x + p.w - 4
            rect += (
                f'<circle cx="{cx:.1f}" cy="{p.y:.1f}" r="10" fill="#a4121b"/>'
                f'<text x="{cx:.1f}" y="{p.y + 4:.1f}" font-size="11" fill="#fff" text-anchor="middle" '
                f'font-weight="700">{n.hits}</text>'
            )
        href = links_of(n).get("start")
        if href:
            parts.append(
                f'<a href="{escape(href)}" class="node node-{n.kind}" data-node="{escape(n.id)}">{rect}</a>'
            )
        else:
            parts.append(f'<g class="node node-{n.kind}" data-node="{escape(n.id)}">{rect}</g>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text went through escape()


def build(request) -> dict:
    """Everything the flow-map page shows, for the acting user."""
    from tillit.datasets.services import current_sources

    params = parse_params(request.GET)
    sources = {
        name: source
        for name, (source, _ids) in current_sources(municipality=request.user.municipality).items()
    }
    if not sources:
        return {"params": params, "empty": True}
    reader = flows.FlowReader(sources)
    try:
        latest = flows.latest_day(reader) or timezone.localdate()
        if params["end"] is None:
            params["end"] = latest
        if params["start"] is None:
            params["start"] = params["end"].replace(month=1, day=1)
        if params["start"] > params["end"]:
            params["errors"].append(_("The period starts after it ends; the dates were swapped."))
            params["start"], params["end"] = params["end"], params["start"]
        case = None
        subjects = []
        if params["case"]:
            case, subjects = case_subjects(request, params["case"])
        elif params["subject"]:
            subjects = [params["subject"]]
        params["subject_ids"] = subjects
        matches = reader.search(params["q"]) if params["q"] else None
        if subjects:
            graph = flows.neighbourhood(
                reader,
                subjects,
                start=params["start"],
                end=params["end"],
                expand=params["expand"],
                min_amount=params["min"],
            )
        else:
            graph = flows.flows(
                reader,
                start=params["start"],
                end=params["end"],
                board=params["board"],
                min_amount=params["min"],
                limit=params["limit"],
            )
        boards = reader.boards()
        missing = [name for name in flows.FlowReader.DATASETS if name not in reader.present]
    finally:
        reader.close()
    hit_counts(request.user, graph)
    if graph.has_personal_data:
        log_personal_data(
            request,
            object_type="flow_map",
            object_id=params["subject"]
            or (f"case:{params['case']}" if params["case"] else "flows"),
        )
    nodes = []
    placed, _lines, _h = flows.layout(graph)
    for p in placed:
        n = p.node
        nodes.append(
            {
                "node": n,
                "label": node_label(n),
                "kind": kind_label(n.kind),
                "amount": format_amount(n.amount) if n.amount else "",
                "links": node_links(request.user, n, params),
            }
        )
    clusters = []
    for group in graph.components():
        members = sorted(node_label(graph.nodes[i]) for i in group if graph.nodes[i].column == 1)
        joined_by = sorted(node_label(graph.nodes[i]) for i in group if graph.nodes[i].column == 2)
        clusters.append({"members": members, "joined_by": joined_by})
    title = (
        _("Money flows and shared attributes around %(subject)s")
        % {
            "subject": ", ".join(
                node_label(graph.nodes[s]) for s in params["subject_ids"] if s in graph.nodes
            )
        }
        if params["subject_ids"]
        else _("Money flows from the boards")
    )
    desc = _(
        "%(boards)s boards, %(entities)s payees and %(shared)s shared attributes; the same figures are "
        "in the list below the map."
    ) % {
        "boards": sum(1 for n in graph.nodes.values() if n.column == 0),
        "entities": sum(1 for n in graph.nodes.values() if n.column == 1),
        "shared": sum(1 for n in graph.nodes.values() if n.column == 2),
    }
    return {
        "params": params,
        "graph": graph,
        "svg": svg(graph, lambda n: node_links(request.user, n, params), title=title, desc=desc),
        "title": title,
        "nodes": nodes,
        "clusters": clusters,
        "boards": boards,
        "missing": missing,
        "matches": matches,
        "case": case,
        "money_edges": [e for e in graph.edges if e.kind == "money"],
        "reset_url": reverse("reports-flows"),
        "labels": {n.id: node_label(n) for n in graph.nodes.values()},
    }
