"""The map of money flows: who the boards pay, and what joins the payees to each other.

Reads the municipality's current snapshots (Parquet) with DuckDB, as the controls do. Two views:

- **Flows** (no subject): boards -> the counterparties they paid in the period (suppliers,
  associations, households aggregated), weighted by kr; the largest `limit` per board, the rest
  as one "others" node; then the attributes that two or more of the shown counterparties share.
- **Neighbourhood** (a subject): the subject, its attributes (bank accounts, addresses, people in
  company roles, employees), the other entities that share them, and the boards that paid any of
  them; each `expand`ed node adds its own neighbours.

This module knows nothing of Django; the view adds permissions, hits, cases and the access log.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

# an attribute shared by more entities than this (a post office box, the town hall) is not a lead
MAX_SHARED = 25
MAX_NODES = 80

PERSONAL_KINDS = frozenset({"household", "person", "employee"})


@dataclass
class Node:
    id: str
    kind: str  # board, supplier, association, household, households, others, account, address, person, employee
    label: str
    amount: Decimal = Decimal(0)  # kr received in the period (entities) or paid (boards)
    detail: str = ""
    subject: bool = False
    hits: int = 0

    @property
    def key(self) -> str:
        return self.id.split(":", 1)[1] if ":" in self.id else self.id

    @property
    def column(self) -> int:
        if self.kind == "board":
            return 0
        if self.kind in ("account", "address", "person"):
            return 2
        return 1


@dataclass
class Edge:
    source: str
    target: str
    kind: str  # money, shares
    amount: Decimal = Decimal(0)


@dataclass
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # data sets not imported
    truncated: int = 0  # nodes left out to keep the map readable
    crowded: list[tuple[str, int]] = field(
        default_factory=list
    )  # (attribute, entities) left out as too common

    def add(self, node: Node) -> Node:
        found = self.nodes.get(node.id)
        if found is None:
            self.nodes[node.id] = node
            return node
        found.subject = found.subject or node.subject
        if node.amount and not found.amount:
            found.amount = node.amount
        return found

    def edge(self, source: str, target: str, kind: str, amount: Decimal = Decimal(0)) -> None:
        for e in self.edges:
            if e.source == source and e.target == target and e.kind == kind:
                e.amount += amount
                return
        self.edges.append(Edge(source, target, kind, amount))

    @property
    def has_personal_data(self) -> bool:
        return any(n.kind in PERSONAL_KINDS for n in self.nodes.values())

    def components(self) -> list[set[str]]:
        """Groups of entities joined by shared attributes (the clusters), largest first."""
        neighbours: dict[str, set[str]] = defaultdict(set)
        for e in self.edges:
            if e.kind == "shares":
                neighbours[e.source].add(e.target)
                neighbours[e.target].add(e.source)
        seen: set[str] = set()
        groups = []
        for start in neighbours:
            if start in seen:
                continue
            group, todo = set(), [start]
            while todo:
                n = todo.pop()
                if n in group:
                    continue
                group.add(n)
                todo.extend(neighbours[n] - group)
            seen |= group
            entities = {n for n in group if self.nodes.get(n) and self.nodes[n].column == 1}
            if len(entities) >= 2:
                groups.append(group)
        groups.sort(key=lambda g: -len(g))
        return groups


# --- reading the snapshots -----------------------------------------------------------------------

_ATTRIBUTE_SQL = {
    # (entity id, entity kind, entity label, attribute id, attribute kind, attribute label)
    "supplier_accounts": """SELECT 'supplier:' || a.supplier_id, 'supplier', coalesce(s.name, a.supplier_id),
            'account:' || a.bank_account, 'account', a.bank_account
        FROM supplier_accounts a LEFT JOIN suppliers s USING (supplier_id) WHERE a.bank_account IS NOT NULL""",
    "invoices": """SELECT DISTINCT 'supplier:' || i.supplier_id, 'supplier', coalesce(s.name, i.supplier_id),
            'account:' || i.bank_account, 'account', i.bank_account
        FROM invoices i LEFT JOIN suppliers s USING (supplier_id) WHERE i.bank_account IS NOT NULL""",
    "suppliers": """SELECT 'supplier:' || supplier_id, 'supplier', name,
            'address:' || upper(trim(address)) || ' ' || coalesce(postal_code, ''), 'address',
            trim(address) || ', ' || coalesce(postal_code, '') || ' ' || coalesce(city, '')
        FROM suppliers WHERE address IS NOT NULL AND trim(address) <> ''""",
    "grants": """SELECT DISTINCT 'association:' || recipient_orgnr, 'association', recipient_name,
            'account:' || bank_account, 'account', bank_account
        FROM grants WHERE bank_account IS NOT NULL""",
    "benefit_payments": """SELECT DISTINCT 'household:' || household_id, 'household', household_id,
            'account:' || bank_account, 'account', bank_account
        FROM benefit_payments WHERE bank_account IS NOT NULL
        UNION ALL
        SELECT DISTINCT 'household:' || household_id, 'household', household_id,
            'address:' || upper(trim(address)) || ' ' || coalesce(postal_code, ''), 'address',
            trim(address) || ', ' || coalesce(postal_code, '')
        FROM benefit_payments WHERE address IS NOT NULL AND trim(address) <> ''""",
    "employees": """SELECT 'employee:' || employee_id, 'employee', coalesce(name, employee_id),
            'account:' || bank_account, 'account', bank_account
        FROM employees WHERE bank_account IS NOT NULL
        UNION ALL
        SELECT 'employee:' || employee_id, 'employee', coalesce(name, employee_id),
            'address:' || upper(trim(address)) || ' ' || coalesce(postal_code, ''), 'address',
            trim(address) || ', ' || coalesce(postal_code, '')
        FROM employees WHERE address IS NOT NULL AND trim(address) <> ''
        UNION ALL
        SELECT 'employee:' || employee_id, 'employee', coalesce(name, employee_id),
            'person:' || personnummer, 'person', coalesce(name, personnummer)
        FROM employees WHERE personnummer IS NOT NULL""",
    "company_roles": """SELECT DISTINCT 'supplier:' || s.supplier_id, 'supplier', s.name,
            'person:' || r.personnummer, 'person', coalesce(r.name, r.personnummer) || ' (' || r.role || ')'
        FROM company_roles r JOIN suppliers s ON s.orgnr = r.orgnr
        UNION ALL
        SELECT DISTINCT 'association:' || g.recipient_orgnr, 'association', g.recipient_name,
            'person:' || r.personnummer, 'person', coalesce(r.name, r.personnummer) || ' (' || r.role || ')'
        FROM company_roles r JOIN (SELECT DISTINCT recipient_orgnr, recipient_name FROM grants) g
            ON g.recipient_orgnr = r.orgnr""",
}
_NEEDS = {
    "supplier_accounts": ("supplier_accounts", "suppliers"),
    "invoices": ("invoices", "suppliers"),
    "suppliers": ("suppliers",),
    "grants": ("grants",),
    "benefit_payments": ("benefit_payments",),
    "employees": ("employees",),
    "company_roles": ("company_roles", "suppliers", "grants"),
}

HOUSEHOLDS_BOARD = "board:Ekonomiskt bistånd"


class FlowReader:
    """The current snapshots in one DuckDB connection, with the unified attribute table."""

    DATASETS = (
        "suppliers",
        "supplier_accounts",
        "invoices",
        "grants",
        "benefit_payments",
        "employees",
        "company_roles",
    )

    def __init__(self, sources: dict[str, Any]) -> None:
        from tillit.analytics.engines.duckdb import DuckDBEngine

        self.present = {name for name in self.DATASETS if sources.get(name) is not None}
        self.engine = DuckDBEngine()
        for name in self.DATASETS:
            self.engine.register(name, sources.get(name))
        parts = [sql for name, sql in _ATTRIBUTE_SQL.items() if name in self.present]
        union = (
            "\nUNION ALL\n".join(f"SELECT * FROM ({p})" for p in parts)
            or "SELECT NULL, NULL, NULL, NULL, NULL, NULL WHERE false"
        )
        self.engine.con.execute(
            "CREATE TEMP TABLE links AS SELECT DISTINCT * FROM (" + union + ") AS u"
            "(entity, entity_kind, entity_label, attr, attr_kind, attr_label) WHERE attr IS NOT NULL"
        )

    def close(self) -> None:
        self.engine.close()

    def rows(self, sql: str, params: dict | None = None) -> list[dict]:
        return self.engine.execute(sql, params or {}).to_pylist()

    # money: (board, entity, kind, label, kr) within the period
    def money(
        self, start: date, end: date, *, board: str = "", entities: list[str] | None = None
    ) -> list[dict]:
        parts = []
        if "invoices" in self.present:
            parts.append("""SELECT 'board:' || coalesce(i.board, '?') AS board, 'supplier:' || i.supplier_id AS entity,
                'supplier' AS kind, coalesce(any_value(s.name), any_value(i.supplier_id)) AS label, sum(i.amount) AS kr
                FROM invoices i LEFT JOIN suppliers s USING (supplier_id)
                WHERE i.invoice_date BETWEEN $start AND $end GROUP BY 1, 2, 3""")
        if "grants" in self.present:
            parts.append("""SELECT 'board:' || board, 'association:' || recipient_orgnr, 'association',
                any_value(recipient_name), sum(amount)
                FROM grants WHERE coalesce(paid_date, decided_date, period_from) BETWEEN $start AND $end
                GROUP BY 1, 2, 3""")
        if "benefit_payments" in self.present:
            parts.append(f"""SELECT '{HOUSEHOLDS_BOARD}', 'household:' || household_id, 'household',
                any_value(household_id), sum(amount)
                FROM benefit_payments WHERE paid_date BETWEEN $start AND $end GROUP BY 1, 2, 3""")
        if not parts:
            return []
        sql = (
            "SELECT * FROM ("
            + " UNION ALL ".join(parts)
            + ") AS m(board, entity, kind, label, kr) WHERE true"
        )
        params: dict[str, Any] = {"start": start, "end": end}
        if board:
            sql += " AND board = $board"
            params["board"] = f"board:{board}"
        if entities is not None:
            sql += " AND list_contains($entities, entity)"
            params["entities"] = entities
        return self.rows(sql + " ORDER BY kr DESC", params)

    def boards(self) -> list[str]:
        parts = []
        if "invoices" in self.present:
            parts.append("SELECT DISTINCT board FROM invoices WHERE board IS NOT NULL")
        if "grants" in self.present:
            parts.append("SELECT DISTINCT board FROM grants WHERE board IS NOT NULL")
        if not parts:
            return []
        return sorted(r["board"] for r in self.rows(" UNION ".join(parts)))

    def attributes_of(self, entities: list[str]) -> list[dict]:
        return self.rows(
            """SELECT l.*, (SELECT count(DISTINCT entity) FROM links x WHERE x.attr = l.attr) AS sharing
            FROM links l WHERE list_contains($e, l.entity)""",
            {"e": entities},
        )

    def sharing(self, attrs: list[str]) -> list[dict]:
        return self.rows("SELECT * FROM links WHERE list_contains($a, attr)", {"a": attrs})

    def search(self, text: str, limit: int = 20) -> list[dict]:
        return self.rows(
            """SELECT entity, any_value(entity_kind) AS kind, any_value(entity_label) AS label
            FROM links WHERE entity_kind IN ('supplier', 'association')
              AND (lower(entity_label) LIKE $q OR lower(entity) LIKE $q)
            GROUP BY entity ORDER BY label LIMIT $n""",
            {"q": f"%{text.lower()}%", "n": limit},
        )

    def label(self, entity: str) -> tuple[str, str] | None:
        found = self.rows(
            "SELECT entity_kind, entity_label FROM links WHERE entity = $e LIMIT 1", {"e": entity}
        )
        return (found[0]["entity_kind"], found[0]["entity_label"]) if found else None


# --- the two views ------------------------------------------------------------------------------


def flows(
    reader: FlowReader,
    *,
    start: date,
    end: date,
    board: str = "",
    min_amount: Decimal = Decimal(0),
    limit: int = 12,
) -> Graph:
    """Boards -> their largest counterparties in the period, households as one node; shared attributes."""
    graph = Graph()
    per_board: dict[str, list[dict]] = defaultdict(list)
    for row in reader.money(start, end, board=board):
        per_board[row["board"]].append(row)
    shown: list[str] = []
    for board_id, rows in sorted(per_board.items()):
        total = sum((Decimal(str(r["kr"] or 0)) for r in rows), Decimal(0))
        b = graph.add(Node(board_id, "board", board_id.split(":", 1)[1], amount=total))
        households = [r for r in rows if r["kind"] == "household"]
        if households:
            kr = sum((Decimal(str(r["kr"] or 0)) for r in households), Decimal(0))
            node = graph.add(
                Node(
                    f"households:{b.key}", "households", "", amount=kr, detail=str(len(households))
                )
            )
            graph.edge(b.id, node.id, "money", kr)
        others = [r for r in rows if r["kind"] != "household"]
        big = [r for r in others if Decimal(str(r["kr"] or 0)) >= min_amount][:limit]
        for r in big:
            kr = Decimal(str(r["kr"] or 0))
            node = graph.add(Node(r["entity"], r["kind"], r["label"] or r["entity"]))
            node.amount += kr
            graph.edge(b.id, node.id, "money", kr)
            shown.append(r["entity"])
        rest = others[len(big) :]
        if rest:
            kr = sum((Decimal(str(r["kr"] or 0)) for r in rest), Decimal(0))
            node = graph.add(
                Node(f"others:{b.key}", "others", "", amount=kr, detail=str(len(rest)))
            )
            graph.edge(b.id, node.id, "money", kr)
    _shared_among(reader, graph, sorted(set(shown)))
    return graph


def _shared_among(reader: FlowReader, graph: Graph, entities: list[str]) -> None:
    """Attribute nodes for what two or more of the given entities share."""
    if not entities:
        return
    by_attr: dict[str, list[dict]] = defaultdict(list)
    for row in reader.attributes_of(entities):
        by_attr[row["attr"]].append(row)
    for attr, rows in sorted(by_attr.items()):
        members = {r["entity"] for r in rows}
        if len(members) < 2:
            continue
        if rows[0]["sharing"] > MAX_SHARED:
            graph.crowded.append((rows[0]["attr_label"], rows[0]["sharing"]))
            continue
        a = graph.add(
            Node(attr, rows[0]["attr_kind"], rows[0]["attr_label"], detail=str(rows[0]["sharing"]))
        )
        for r in rows:
            graph.edge(r["entity"], a.id, "shares")


def neighbourhood(
    reader: FlowReader,
    subjects: list[str],
    *,
    start: date,
    end: date,
    expand: list[str] | None = None,
    min_amount: Decimal = Decimal(0),
) -> Graph:
    """The subjects, what they share with whom, and the boards that paid them in the period."""
    graph = Graph()
    for s in subjects:
        found = reader.label(s)
        if found:
            graph.add(Node(s, found[0], found[1] or s.split(":", 1)[1], subject=True))
        elif ":" in s:
            graph.add(Node(s, s.split(":", 1)[0], s.split(":", 1)[1], subject=True))
    frontier = [s for s in subjects] + [e for e in (expand or []) if e not in subjects]
    done: set[str] = set()
    for _round in range(2):  # the subjects, then what was asked to be expanded
        entities = [
            e
            for e in frontier
            if e not in done and not e.startswith(("account:", "address:", "person:"))
        ]
        attrs = [
            e
            for e in frontier
            if e not in done and e.startswith(("account:", "address:", "person:"))
        ]
        done |= set(frontier)
        for row in reader.attributes_of(entities) if entities else []:
            if row["sharing"] > MAX_SHARED:
                graph.crowded.append((row["attr_label"], row["sharing"]))
                continue
            graph.add(Node(row["entity"], row["entity_kind"], row["entity_label"]))
            a = graph.add(
                Node(row["attr"], row["attr_kind"], row["attr_label"], detail=str(row["sharing"]))
            )
            graph.edge(row["entity"], a.id, "shares")
            attrs.append(row["attr"])
        for row in reader.sharing(sorted(set(attrs))) if attrs else []:
            if len(graph.nodes) >= MAX_NODES and row["entity"] not in graph.nodes:
                graph.truncated += 1
                continue
            graph.add(Node(row["entity"], row["entity_kind"], row["entity_label"]))
            graph.add(Node(row["attr"], row["attr_kind"], row["attr_label"]))
            graph.edge(row["entity"], row["attr"], "shares")
        frontier = [e for e in (expand or []) if e not in done]
        if not frontier:
            break
    entities = [n.id for n in graph.nodes.values() if n.column == 1]
    for row in reader.money(start, end, entities=entities):
        kr = Decimal(str(row["kr"] or 0))
        if kr < min_amount:
            continue
        b = graph.add(Node(row["board"], "board", row["board"].split(":", 1)[1]))
        b.amount += kr
        graph.nodes[row["entity"]].amount += kr
        graph.edge(b.id, row["entity"], "money", kr)
    return graph


# --- layout: three columns, entities ordered by cluster ----------------------------------------


@dataclass
class Placed:
    node: Node
    x: float
    y: float
    w: float
    h: float = 30


def layout(
    graph: Graph, width: int = 1000
) -> tuple[list[Placed], list[tuple[Placed, Placed, Edge, float]], int]:
    columns: dict[int, list[Node]] = {0: [], 1: [], 2: []}
    order: dict[str, int] = {}
    for i, group in enumerate(graph.components()):
        for n in group:
            order.setdefault(n, i)
    for n in graph.nodes.values():
        columns[n.column].append(n)
    columns[0].sort(key=lambda n: (-n.amount, n.label))
    columns[1].sort(key=lambda n: (order.get(n.id, 10**6), not n.subject, -n.amount, n.label))
    # attributes next to the entities they join: the mean position of their entities
    pos1 = {n.id: i for i, n in enumerate(columns[1])}
    links: dict[str, list[int]] = defaultdict(list)
    for e in graph.edges:
        if e.kind == "shares" and e.source in pos1:
            links[e.target].append(pos1[e.source])
    columns[2].sort(
        key=lambda n: (sum(links[n.id]) / len(links[n.id]) if links[n.id] else 10**6, n.label)
    )
    xs = {0: 10, 1: width * 0.37, 2: width * 0.73}
    ws = {0: width * 0.285, 1: width * 0.29, 2: width * 0.26}
    gap = 40
    height = max(len(c) for c in columns.values()) * gap + 20 if graph.nodes else 60
    placed: dict[str, Placed] = {}
    for col in (0, 1):
        nodes = columns[col]
        offset = (height - len(nodes) * gap) / 2
        for i, n in enumerate(nodes):
            placed[n.id] = Placed(n, xs[col], offset + i * gap + 5, ws[col])
    # each attribute beside the entities it joins, pushed down where two would overlap
    wanted = []
    for n in columns[2]:
        ys = [placed[e.source].y for e in graph.edges if e.target == n.id and e.source in placed]
        wanted.append((sum(ys) / len(ys) if ys else height / 2, n))
    wanted.sort(key=lambda pair: (pair[0], pair[1].label))
    y_next = 5.0
    for y, n in wanted:
        y = max(y, y_next)
        placed[n.id] = Placed(n, xs[2], y, ws[2])
        y_next = y + gap
    height = max(height, int(y_next) + 10)
    top = max((e.amount for e in graph.edges if e.kind == "money"), default=Decimal(0))
    lines = []
    for e in graph.edges:
        a, b = placed.get(e.source), placed.get(e.target)
        if a is None or b is None:
            continue
        if a.x > b.x:
            a, b = b, a
        if e.kind == "money" and top:
            stroke = 1.5 + 10 * float((e.amount / top) ** Decimal("0.5"))
        else:
            stroke = 2.0
        lines.append((a, b, e, stroke))
    return list(placed.values()), lines, int(height)


def latest_day(reader: FlowReader) -> date | None:
    parts = []
    if "invoices" in reader.present:
        parts.append("SELECT max(invoice_date) AS d FROM invoices")
    if "grants" in reader.present:
        parts.append("SELECT max(coalesce(paid_date, decided_date, period_from)) FROM grants")
    if "benefit_payments" in reader.present:
        parts.append("SELECT max(paid_date) FROM benefit_payments")
    if not parts:
        return None
    found = [r["d"] for r in reader.rows(" UNION ALL ".join(parts)) if r["d"] is not None]
    return max(found) if found else None
