"""One sentence per hit: the queue, the hit page, the export, the case opened from the hit and
docs/controls render every control's example hit identically (analytics.explain is the one renderer).

The example hits are those of docs/controls: the synthetic municipality at the docs' scale and
seed, imported through the datasets app and run through the controls app, so that the values
take the way a real hit takes (engine -> database JSON -> page) before they are rendered.
"""

from __future__ import annotations

import html
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tests.conftest import verified_login
from tillit.analytics import explain, schema
from tillit.analytics.registry import all_controls
from tillit.cases.services import case_open_from_hit
from tillit.controls.cli import export_rows
from tillit.controls.docs import EXAMPLE_SCALE, EXAMPLE_SEED
from tillit.controls.models import Hit
from tillit.controls.render import explanation
from tillit.controls.services import run_create, run_execute
from tillit.datasets.services import import_file

DOCS = Path(__file__).resolve().parents[2] / "docs" / "controls"
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def example_folder(tmp_path_factory) -> Path:
    from tillit.analytics.generate import generate

    folder = tmp_path_factory.mktemp("examples")
    generate(folder, scale=EXAMPLE_SCALE, seed=EXAMPLE_SEED)
    return folder


def _docs_example(control_id: str) -> str | None:
    page = (DOCS / f"{control_id}.md").read_text(encoding="utf-8")
    quoted = [line[2:] for line in page.splitlines() if line.startswith("> ")]
    return quoted[-1] if quoted else None


def _sentence_in(page: str) -> str:
    match = re.search(r'<p class="lead"><strong>(.*?)</strong></p>', page, re.S)
    assert match, "the hit page has no sentence"
    return html.unescape(match.group(1))


@pytest.mark.django_db
def test_every_controls_example_hit_reads_the_same_everywhere(
    personas, kommun_a, example_folder, client
):
    user = personas["coordinator"]
    for name in schema.MUNICIPAL_DATASETS:
        path = example_folder / f"{name}.csv"
        if path.exists():
            attempt = import_file(user=user, municipality=kommun_a, dataset=name, path=path)
            assert attempt.status == "imported", (name, attempt.status)
    run = run_execute(run=run_create(municipality=kommun_a, user=user, control_ids=None))
    assert run.status == "done", run.error
    verified_login(client, user)
    compared = 0
    for control in all_controls():
        hits = Hit.objects.filter(municipality=kommun_a, control_id=control.id).order_by(
            "fingerprint"
        )
        docs = _docs_example(control.id)
        if not hits:
            assert docs is None, f"{control.id}: the docs show an example the run does not raise"
            continue
        hit = hits[0]
        with translation.override("sv"):
            queue = html.unescape(
                render_to_string("controls/_explanation.html", {"hit": hit})
            ).strip()
            [exported] = [row["explanation"] for row in export_rows([hit], with_evidence=False)]
            page = _sentence_in(
                client.get(
                    reverse("controls-hit", args=[hit.pk]), HTTP_ACCEPT_LANGUAGE="sv"
                ).content.decode()
            )
            sentence = explanation(hit)
        case = case_open_from_hit(hit=hit, user=personas["investigator"])
        readings = {"queue": queue, "export": exported, "hit page": page, "docs/controls": docs}
        if (
            case.case_hits.count() == 1
        ):  # a case the hit opened (not one it joined) holds its sentence
            readings["case"] = case.description
        assert readings == dict.fromkeys(readings, sentence), control.id
        compared += 1
    assert compared >= 35


def test_values_are_formatted_by_type_not_by_name():
    params = {
        "threshold": Decimal("700000.00"),
        "largest_window": Decimal("776686.95"),
        "invoices": 4,
        "mad": 0.00233661,
        "limit_text": "700000",
    }
    stored = explain.from_json(json.loads(json.dumps(explain.to_json(params))))
    assert stored == params
    text = explain.render(
        "under %(threshold)s but %(largest_window)s in %(invoices)s invoices, MAD %(mad)s, "
        "%(limit_text)s",
        stored,
    )
    assert text == (
        f"under 700{NBSP}000,00{NBSP}kr but 776{NBSP}686,95{NBSP}kr in 4 invoices, MAD 0,00233661, "
        "700000"
    )
