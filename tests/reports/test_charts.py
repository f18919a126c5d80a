"""Server-rendered charts: Swedish numbers, escaped labels, an accessible name."""

from __future__ import annotations

from decimal import Decimal

from tillit.reports import charts, flows


def test_amounts_are_abbreviated_as_swedish_reports_do():
    assert charts.short_number(Decimal("1234567")) == "1,2\u00a0mnkr"
    assert charts.short_number(12_500) == "12,5\u00a0tkr"
    assert charts.short_number(20_000) == "20\u00a0tkr"
    assert charts.short_number(950) == "950\u00a0kr"


def test_a_column_chart_has_a_title_escaped_labels_and_whole_count_ticks():
    svg = str(
        charts.columns(
            ["25-01", "<b>"], [("Träffar", [3, 1])], title="Nya träffar", desc="Se tabellen."
        )
    )
    assert 'role="img"' in svg and "<title" in svg and "Nya träffar" in svg
    assert "&lt;b&gt;" in svg and "<b>" not in svg
    ticks = [t.split(">")[-1] for t in svg.split("</text>") if 'text-anchor="end"' in t]
    assert ticks == ["0", "1", "2", "3", "4"]  # never 0, 1, 1, 2 for small counts


def test_the_layout_puts_boards_left_payees_middle_and_shared_attributes_right():
    graph = flows.Graph()
    graph.add(
        flows.Node("board:Tekniska nämnden", "board", "Tekniska nämnden", amount=Decimal(100))
    )
    for sid in ("1", "2", "3"):
        graph.add(flows.Node(f"supplier:{sid}", "supplier", f"AB {sid}", amount=Decimal(10)))
        graph.edge("board:Tekniska nämnden", f"supplier:{sid}", "money", Decimal(10))
    graph.add(flows.Node("account:BG:1", "account", "BG:1"))
    graph.edge("supplier:1", "account:BG:1", "shares")
    graph.edge("supplier:3", "account:BG:1", "shares")
    placed, lines, _height = flows.layout(graph)
    x = {p.node.id: p.x for p in placed}
    assert x["board:Tekniska nämnden"] < x["supplier:1"] < x["account:BG:1"]
    clusters = graph.components()
    assert clusters == [{"supplier:1", "supplier:3", "account:BG:1"}]
    # the two joined suppliers are drawn next to each other
    order = [p.node.id for p in sorted(placed, key=lambda p: p.y) if p.node.kind == "supplier"]
    assert abs(order.index("supplier:1") - order.index("supplier:3")) == 1
    assert len(lines) == 5
