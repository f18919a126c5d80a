"""docs/controls/ is what the control definitions give: one page per control, none stale."""

from pathlib import Path

from tillit.analytics.registry import all_controls
from tillit.controls.docs import build

DOCS = Path(__file__).resolve().parents[2] / "docs" / "controls"


def test_the_committed_pages_match_the_definitions(tmp_path):
    pages = build(DOCS, tmp_path)
    assert set(pages) == {f"{c.id}.md" for c in all_controls()} | {"README.md"}
    committed = {p.name: p.read_text(encoding="utf-8") for p in DOCS.glob("*.md")}
    stale = sorted(
        name for name in pages.keys() | committed.keys() if pages.get(name) != committed.get(name)
    )
    assert stale == [], "run `tillit controls docs` and commit docs/controls/"


def test_a_page_is_in_swedish_and_shows_rule_parameters_and_an_example():
    page = (DOCS / "INV-DUP-EXACT.md").read_text(encoding="utf-8")
    from django.utils import translation

    with translation.override("sv"):
        headings = [
            translation.gettext(h)
            for h in ("Why this is a red flag", "Legal ground", "The rule", "Example hit")
        ]
    for heading in headings:
        assert f"## {heading}" in page
    assert "```sql" in page and "> " in page
