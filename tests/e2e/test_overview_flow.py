"""The lägesbild in the browser: the demo municipality's overview, a figure followed to its list,
the flow map opened from a supplier of an injected shared-account cluster; axe-core finds no
WCAG 2.1 AA violation on either page, and the screenshots in docs/img are taken here (with TILLIT_DOCS_SCREENSHOTS=1).

axe-core is installed outside git: `.ci/run` puts it in tests/e2e/node_modules (or
`npm install --prefix /tmp/axe axe-core`; TILLIT_AXE_JS names another axe.min.js).
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.e2e.conftest import DOCS, login_through_form

# .ci/run installs axe-core into tests/e2e/node_modules; TILLIT_AXE_JS names another copy
AXE = Path(
    os.environ.get("TILLIT_AXE_JS")
    or next(
        (
            str(p)
            for p in (
                Path(__file__).parent / "node_modules/axe-core/axe.min.js",
                Path("/tmp/axe/node_modules/axe-core/axe.min.js"),
            )
            if p.exists()
        ),
        str(Path(__file__).parent / "node_modules/axe-core/axe.min.js"),
    )
)
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _shot(name: str, tmp_path: Path) -> Path:
    """The documentation's screenshots are retaken into docs/img when TILLIT_DOCS_SCREENSHOTS=1;
    otherwise (CI, the inner loop) they are taken into the test's own folder and the tree stays clean."""
    folder = DOCS / "img" if os.environ.get("TILLIT_DOCS_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(exist_ok=True)
    return folder / name


def axe_violations(page) -> list[dict]:
    if not AXE.exists():
        message = f"axe-core is not installed at {AXE} (.ci/run installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["html"][:160] for n in v["nodes"][:3]]}
        for v in result["violations"]
    ]


def demo_municipality(settings, tmp_path):
    """Exempelkommun as `tillit demo` builds it (data, controls, risks, plan), plus a few decided cases."""
    from tillit.accounts.services import municipality_create, user_create
    from tillit.cli import DEMO_BOARDS, DEMO_MUNICIPALITY, _demo_steps

    settings.DATA_DIR = tmp_path
    settings.SNAPSHOT_DIR = tmp_path / "snapshots"
    code, name = DEMO_MUNICIPALITY
    municipality = municipality_create(code=code, name=name, boards=DEMO_BOARDS)
    coordinator = user_create(
        municipality=municipality,
        username="samordnare",
        password="demo-samordnare-lang",
        role="coordinator",
        first_name="Sara",
        last_name="Samordnare",
    )
    for step in _demo_steps():
        step(municipality, SimpleNamespace(scale=0.1, host="127.0.0.1", port=0))
    decided_cases(municipality, coordinator)
    return municipality, coordinator


def decided_cases(municipality, user) -> None:
    """Six hits become cases; their outcomes spread over the last months, so the trends have figures."""
    from django.utils import timezone

    from tillit.accounts.models import Board
    from tillit.cases.models import (
        Case,
        CaseHit,
        Notification,
        PoliceReport,
        RecoveryClaim,
        RecoveryPayment,
    )
    from tillit.controls.models import Hit
    from tillit.controls.services import hit_open_case

    social = Board.objects.get(municipality=municipality, name="Socialnämnden")
    today = timezone.localdate()
    for i, hit in enumerate(
        Hit.objects.filter(municipality=municipality, status="new").order_by("-score")[:6]
    ):
        hit_open_case(hit=hit, user=user, note="")
        case = CaseHit.objects.get(hit=hit).case
        Case.objects.filter(pk=case.pk).update(
            board=social, state="decision", decided_at=timezone.now() - timedelta(days=30 * i)
        )
        day = today - timedelta(days=30 * i + 3)
        PoliceReport.objects.create(
            municipality=municipality,
            case=case,
            facts="Se utredningen.",
            reported_on=day,
            reported_by=user,
        )
        Notification.objects.create(
            municipality=municipality,
            case=case,
            recipient="skatteverket",
            legal_ground="2008:206",
            shared="Felaktig folkbokföring.",
            sent_on=day,
            sent_by=user,
        )
        claim = RecoveryClaim.objects.create(
            municipality=municipality,
            case=case,
            amount=Decimal("25000") * (i + 1),
            legal_ground="sol_9_1",
            decision_date=day,
            debtor="Gäldenären",
            reasoning="Felaktigt utbetalt.",
            decided_by=user,
        )
        RecoveryPayment.objects.create(
            municipality=municipality,
            claim=claim,
            paid_on=day,
            amount=Decimal("5000") * (i + 1),
            recorded_by=user,
        )


def shared_account_pair(folder: Path) -> list[str]:
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    for case in truth["cases"]:
        keys = case.get("evidence_keys", [])
        if (
            case["control_id"] == "ACC-SHARED"
            and len(keys) == 2
            and all(k.startswith("suppliers:") for k in keys)
        ):
            return [k.split(":", 1)[1] for k in keys]
    raise AssertionError("the generator injected no shared-account pair")


@pytest.fixture
def page(browser, live_server):
    """A page whose context lets axe-core in: the site's Content-Security-Policy refuses inline scripts."""
    context = browser.new_context(base_url=live_server.url, locale="sv-SE", bypass_csp=True)
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.e2e
def test_overview_to_list_and_flow_map_of_a_shared_account_cluster(
    page, transactional_db, settings, tmp_path
):
    from tillit.controls.models import Hit

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    municipality, coordinator = demo_municipality(settings, tmp_path)
    first, second = shared_account_pair(settings.DATA_DIR / "demo-files")

    login_through_form(page, coordinator, "demo-samordnare-lang")
    page.set_viewport_size({"width": 1360, "height": 900})
    page.goto("/")
    assert page.locator("h1").inner_text() == "Översikt"
    assert "Exempelkommun" in page.locator("main").text_content()
    assert page.locator("svg.chart").count() >= 2
    assert axe_violations(page) == []
    page.screenshot(path=str(_shot("overview.png", tmp_path)), full_page=True)

    # a figure leads to the list behind it: the family with the largest amount at risk
    link = page.locator("table.bars tbody th a").first
    family_label = link.inner_text()
    shown = int(
        page.locator("table.bars tbody tr")
        .first.locator("td.num")
        .first.inner_text()
        .replace("\u00a0", "")
        .replace(" ", "")
    )
    link.click()
    page.wait_for_url("**/kontroller/?family=*")
    family = page.url.split("family=", 1)[1].split("&", 1)[0]
    open_in_family = Hit.objects.filter(
        municipality=municipality, status="new", shadow=False, control_id__startswith=f"{family}-"
    ).count()
    assert shown == open_in_family, family_label
    # the queue's count comes after its list, into the live region
    count = page.locator("#queue-figures .queue-count")
    count.wait_for()
    assert (
        count.inner_text()
        .replace("\u00a0", "")
        .replace(" ", "")
        .startswith(f"{open_in_family}träffar")
    )
    assert axe_violations(page) == []

    # the flow map from all boards: households as one node per board, shared people join suppliers
    page.goto("/lagesbild/floden/?limit=6")
    assert page.locator("svg.flowmap .node-board").count() >= 5
    assert page.locator("svg.flowmap .node-households").count() >= 1
    assert axe_violations(page) == []
    page.locator(".flow-panel").screenshot(path=str(_shot("flow-map-boards.png", tmp_path)))

    # the flow map, started from a supplier of the injected pair found by name
    page.get_by_label("Utgå från en leverantör eller förening").fill("Hedlunds")
    page.get_by_role("button", name="Sök").click()
    page.locator("ul.matches a").first.click()
    page.wait_for_url("**subject=supplier*")
    assert f"supplier%3A{first}" in page.url or f"supplier:{first}" in page.url
    cluster = page.locator(".cluster-panel").inner_text()
    assert "Hedlunds Trädgård AB" in cluster and "Grönt & Skött i Syd AB" in cluster
    assert page.locator(f"svg.flowmap [data-node='supplier:{second}']").count() == 1
    assert page.locator("svg.flowmap [data-node^='account:']").count() >= 1
    assert axe_violations(page) == []
    page.screenshot(path=str(_shot("flow-map.png", tmp_path)), full_page=True)

    # the other pages of the lägesbild meet the same standard
    for path in ("/lagesbild/kontrollernas-effekt/", "/lagesbild/nyckeltal/", "/rapporter/"):
        page.goto(path)
        assert axe_violations(page) == [], path

    # expanding the pair and opening the hits of its holder: ACC-SHARED raises one hit per shared
    # account, on the lowest supplier id among the account's holders
    holder = min(first, second)
    name = "Hedlunds Trädgård AB" if holder == first else "Grönt & Skött i Syd AB"
    page.goto(f"/lagesbild/floden/?subject=supplier:{first}")
    hits_link = page.locator("table.nodes tr", has_text=name).locator("a", has_text="träffar")
    hits_link.click()
    page.wait_for_url(f"**/kontroller/?subject={holder}*")
    assert "ACC-SHARED" in page.locator("main").inner_text()
