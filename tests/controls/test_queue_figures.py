"""The review queue lists its hits without counting them; the figures are loaded after the list.

The page reads one row more than it shows to know whether there is a next page, and runs no
COUNT and no SUM over the hits. `/kontroller/antal/` answers the figures for the same filter
(the number of hits, the amount at risk, the weak duplicate groups) with the queue's checks:
the same roles, the user's municipality, team-only cases hidden from those outside the team.
"""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tillit.accounts.models import AccessLogEntry
from tillit.cases.selectors import amount_at_risk
from tillit.controls.models import Hit, Run

QUEUE = "/kontroller/"
FIGURES = "/kontroller/antal/"


@pytest.fixture
def make_hit(db):
    counter = {"n": 0}

    def make(
        municipality,
        *,
        control_id="PAY-DUP",
        subject_id="S-1",
        amount="1000.00",
        grade="",
        keys=(),
        status=Hit.Status.NEW,
    ):
        counter["n"] += 1
        run = Run.objects.create(municipality=municipality, status=Run.Status.DONE)
        return Hit.objects.create(
            municipality=municipality,
            control_id=control_id,
            control_version=1,
            fingerprint=f"fp-{counter['n']}",
            first_run=run,
            last_run=run,
            engine="duckdb",
            sql="SELECT 1",
            subject_type="supplier",
            subject_id=subject_id,
            board="Tekniska nämnden",
            risk_areas=["Inköp"],
            amount_at_risk=Decimal(amount),
            severity=Hit.Severity.HIGH,
            score=Decimal(amount),
            explanation_template="Paid twice",
            explanation_params={},
            evidence=[],
            evidence_keys=list(keys),
            evidence_grade=grade,
            evidence_rank={"strong": 3, "medium": 2, "weak": 1}.get(grade, 0),
            status=status,
        )

    return make


@pytest.fixture
def crafted(make_hit, kommun_a, kommun_b, personas):
    """Kommun A's open hits: overlapping payments, weak groups, a team-only case; Kommun B's too."""
    from tillit.cases.models import CaseHit
    from tillit.cases.services import case_create

    hits = {
        # two controls on one payment: 5 000 kr at risk once, not 8 000
        "strong": make_hit(kommun_a, amount="5000.00", grade="strong", keys=["payments:P1"]),
        "same_payment": make_hit(
            kommun_a, control_id="PAY-REMINDER", amount="3000.00", keys=["payments:P1"]
        ),
        "medium": make_hit(kommun_a, amount="2000.00", grade="medium", keys=["payments:P2"]),
        "other_subject": make_hit(kommun_a, subject_id="S-2", amount="700.00"),
        # weak groups: two on one payment (900 once) and one more (400)
        "weak_1": make_hit(kommun_a, amount="900.00", grade="weak", keys=["payments:W1"]),
        "weak_2": make_hit(kommun_a, amount="600.00", grade="weak", keys=["payments:W1"]),
        "weak_3": make_hit(kommun_a, subject_id="S-2", amount="400.00", grade="weak"),
        "dismissed": make_hit(kommun_a, amount="99999.00", status=Hit.Status.DISMISSED),
        "team_only": make_hit(kommun_a, subject_id="S-3", amount="12345.00"),
        "team_only_weak": make_hit(kommun_a, subject_id="S-3", amount="777.00", grade="weak"),
        "kommun_b": make_hit(kommun_b, amount="50000.00"),
        "kommun_b_weak": make_hit(kommun_b, amount="60000.00", grade="weak"),
    }
    # the investigator is on the team of a team-only case the two S-3 hits joined
    case = case_create(
        municipality=kommun_a,
        user=personas["coordinator"],
        title="Skyddat ärende",
        case_type="supplier",
        source="staff",
        team=[personas["investigator"]],
        lead=personas["investigator"],
        sensitivity="team_only",
    )
    for name in ("team_only", "team_only_weak"):
        CaseHit.objects.create(municipality=kommun_a, case=case, hit=hits[name])
    return hits


def _expected(hits: dict, names: list[str]) -> tuple[int, Decimal]:
    chosen = [hits[n] for n in names]
    return len(chosen), amount_at_risk(chosen)


LISTED = ["strong", "same_payment", "medium", "other_subject"]
WEAK = ["weak_1", "weak_2", "weak_3"]


def test_the_figures_are_those_the_queue_showed_before(crafted, client, login, personas):
    login(client, personas["controller"])  # may see the queue, not the team-only case
    response = client.get(FIGURES)
    assert response.status_code == 200
    count, amount = _expected(crafted, LISTED)
    assert (count, amount) == (4, Decimal("7700.00"))  # the payment P1 once
    assert response.context["count"] == count
    assert response.context["total_amount"] == amount
    weak_count, weak_amount = _expected(crafted, WEAK)
    assert (weak_count, weak_amount) == (3, Decimal("1300.00"))
    assert response.context["weak_summary"]["count"] == weak_count
    assert response.context["weak_summary"]["amount"] == weak_amount
    text = unescape(response.content.decode()).replace("\u00a0", " ")
    assert "4 träffar, sammanlagt 7 700,00 kr i risk." in text
    assert "Utöver dessa finns 3 dubblettgrupper med enbart svag bevisning" in text
    assert "1 300,00 kr" in text
    # a page of its own (without JavaScript): a heading and the way back with the filter
    assert "<h1>Antal och belopp i granskningskön</h1>" in text
    back = client.get(FIGURES, {"control": "PAY-DUP"}).content.decode()
    assert '<a href="/kontroller/?control=PAY-DUP">Tillbaka till granskningskön' in back


def test_the_team_sees_the_team_only_hits_and_each_municipality_its_own(
    crafted, client, login, personas
):
    login(client, personas["investigator"])  # on the case's team
    figures = client.get(FIGURES).context
    count, amount = _expected(crafted, [*LISTED, "team_only"])
    assert (figures["count"], figures["total_amount"]) == (count, amount)
    weak_count, weak_amount = _expected(crafted, [*WEAK, "team_only_weak"])
    assert (figures["weak_summary"]["count"], figures["weak_summary"]["amount"]) == (
        weak_count,
        weak_amount,
    )
    client.logout()
    login(client, personas["other_investigator"])  # Kommun B
    figures = client.get(FIGURES).context
    assert (figures["count"], figures["total_amount"]) == (1, Decimal("50000.00"))
    assert (figures["weak_summary"]["count"], figures["weak_summary"]["amount"]) == (
        1,
        Decimal("60000.00"),
    )


def test_the_figures_follow_the_filter(crafted, client, login, personas):
    login(client, personas["controller"])
    as_hits = client.get(FIGURES, {"weak": "list"}).context
    assert as_hits["weak_summary"] is None
    assert (as_hits["count"], as_hits["total_amount"]) == _expected(crafted, LISTED + WEAK)
    weak = client.get(FIGURES, {"evidence": "weak"}).context
    assert weak["weak_summary"] is None
    assert (weak["count"], weak["total_amount"]) == _expected(crafted, WEAK)
    one = client.get(FIGURES, {"control": "PAY-REMINDER"}).context
    assert (one["count"], one["total_amount"]) == _expected(crafted, ["same_payment"])
    assert one["weak_summary"] is None  # no weak group under this filter: no line
    everything = client.get(FIGURES, {"status": ""}).context
    assert everything["count"] == 5  # the dismissed hit too
    # the link to the weak groups as hits leads to the queue, with the filter kept
    figures = client.get(FIGURES, {"board": "Tekniska nämnden"})
    link = re.search(r'<a href="([^"]*)">Visa dem som träffar</a>', figures.content.decode())
    path, query = urlsplit(unescape(link.group(1)))[2:4]
    assert path == QUEUE
    assert parse_qs(query) == {
        "board": ["Tekniska nämnden"],
        "evidence": ["weak"],
        "weak": ["list"],
    }
    # a filter that cannot be read is the caller's error, as on the queue
    assert client.get(FIGURES, {"evidence": "certain"}).status_code == 400


def test_the_fragment_is_the_figures_alone(crafted, client, login, personas):
    login(client, personas["controller"])
    response = client.get(FIGURES, HTTP_X_TILLIT_FRAGMENT="1")
    text = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in text and "<h1>" not in text
    assert "4 träffar, sammanlagt" in text and "weak-summary" in text


def test_roles_without_the_queue_are_refused_the_figures(crafted, client, login, personas):
    for role in ("reviewer", "admin"):
        client.logout()
        login(client, personas[role])
        assert client.get(QUEUE).status_code == 403
        assert client.get(FIGURES).status_code == 403
    client.logout()
    response = client.get(FIGURES)
    assert response.status_code == 302 and response["Location"].startswith("/konto/")


def test_the_figures_log_a_search_for_a_subject_and_nothing_else(crafted, client, login, personas):
    login(client, personas["controller"])
    before = AccessLogEntry.objects.count()
    client.get(FIGURES)
    client.get(FIGURES, {"control": "PAY-DUP"})
    assert AccessLogEntry.objects.count() == before  # counts and amounts: no personal data
    response = client.get(FIGURES, {"subject": "S-2"})
    assert response.context["count"] == 1
    row = AccessLogEntry.objects.order_by("-id").first()
    assert AccessLogEntry.objects.count() == before + 1
    assert (row.action, row.object_type, row.object_id, row.username) == (
        "search",
        "hit figures",
        "S-2",
        personas["controller"].username,
    )


def _hit_table_aggregates(queries) -> list[str]:
    found = []
    for query in queries:
        sql = query["sql"].lower()
        if "controls_hit" in sql and ("count(" in sql or "sum(" in sql):
            found.append(query["sql"])
    return found


def test_the_queue_counts_nothing_and_sums_nothing(crafted, client, login, personas):
    login(client, personas["coordinator"])
    for params in ({}, {"weak": "list"}, {"status": ""}, {"control": "PAY-DUP", "page": "2"}):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(QUEUE, params)
        assert response.status_code == 200
        assert any("controls_hit" in q["sql"] for q in queries.captured_queries)  # it read hits
        assert _hit_table_aggregates(queries.captured_queries) == [], params
    # the figures endpoint is where they are counted
    with CaptureQueriesContext(connection) as queries:
        client.get(FIGURES)
    assert _hit_table_aggregates(queries.captured_queries)


def test_the_queue_page_loads_its_figures_after_the_list(crafted, client, login, personas):
    login(client, personas["controller"])
    text = client.get(QUEUE, {"board": "Tekniska nämnden", "page": "1"}).content.decode()
    region = re.search(r'<div id="queue-figures"[^>]*>(.*?)</div>', text, re.S)
    assert region, "the live region for the figures"
    opening = region.group(0).split(">", 1)[0]
    assert 'aria-live="polite"' in opening
    assert 'data-waiting="Beräknar antal och belopp …"' in opening
    url = unescape(re.search(r'data-url="([^"]*)"', opening).group(1))
    assert url == FIGURES + "?board=Tekniska+n%C3%A4mnden"  # the same filter, without the page
    # without JavaScript: a link to the same figures
    link = re.search(r'<a href="([^"]*)">Visa antal och belopp</a>', region.group(1))
    assert unescape(link.group(1)) == url
    # the count and the total are not on the page itself
    assert "träffar, sammanlagt" not in text and "dubblettgrupper" not in text
    # the script is a file of its own: the Content-Security-Policy allows no inline script
    assert '<script src="/static/tillit/queue.js" defer></script>' in text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text)


def test_next_and_previous_keep_the_filter_without_counting(
    make_hit, kommun_a, client, login, personas
):
    for i in range(120):
        make_hit(kommun_a, amount=f"{1000 + i}.00", subject_id=f"S-{i}")
    for i in range(30):  # another control, left out by the filter
        make_hit(kommun_a, control_id="INV-SPLIT", amount=f"{5000 + i}.00")
    expected = list(
        Hit.objects.filter(control_id="PAY-DUP")
        .order_by("-score", "-id")
        .values_list("pk", flat=True)
    )
    login(client, personas["controller"])

    def links(text: str) -> dict[str, dict]:
        nav = re.search(r'<nav class="pages"[^>]*>(.*?)</nav>', text, re.S)
        if not nav:
            return {}
        found = {}
        for href, rel in re.findall(r'<a href="\?([^"]*)" rel="(prev|next)">', nav.group(1)):
            found[rel] = parse_qs(unescape(href))
        return found

    seen, query, number = [], {"control": "PAY-DUP"}, 1
    while True:
        response = client.get(QUEUE, query)
        assert response.status_code == 200
        page = response.context["page"]
        assert page.number == number
        text = response.content.decode()
        assert f'<span aria-current="page">Sida {number}</span>' in text
        assert " av " not in re.search(r'<nav class="pages".*?</nav>', text, re.S).group(0)
        seen += [h.pk for h in page]
        found = links(text)
        if number == 1:
            assert "prev" not in found
        else:
            assert found["prev"] == {"control": ["PAY-DUP"], "page": [str(number - 1)]}
        if "next" not in found:
            break
        assert found["next"] == {"control": ["PAY-DUP"], "page": [str(number + 1)]}
        query, number = {k: v[0] for k, v in found["next"].items()}, number + 1
    assert number == 3 and seen == expected  # 50 + 50 + 20, in order, none twice
    # a page number that is no number is the first page; one past the end lists nothing
    assert [
        h.pk for h in client.get(QUEUE, {"control": "PAY-DUP", "page": "x"}).context["page"]
    ] == (expected[:50])
    beyond = client.get(QUEUE, {"control": "PAY-DUP", "page": "9"})
    assert beyond.status_code == 200 and list(beyond.context["page"]) == []
    assert "prev" in links(beyond.content.decode())
    # one page only: no page links at all
    assert links(client.get(QUEUE, {"control": "INV-SPLIT"}).content.decode()) == {}
