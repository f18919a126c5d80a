"""Meta-test: every registered control is a complete unit (docs/adding-a-control.md).

A control lives in the module named after its id prefix (INV-SPLIT in analytics/controls/inv.py)
and has: its Swedish texts in the catalogue, its generated docs page, a golden test in the test
module of the same name, at least one injected case and one decoy in the synthetic municipality,
and a declared case type. The test names what is missing, per control.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

from tillit.analytics.registry import CASE_TYPES, all_controls

ROOT = Path(__file__).resolve().parents[3]
CONTROLS_DIR = ROOT / "src" / "tillit" / "analytics" / "controls"
TESTS_DIR = Path(__file__).resolve().parent
DOCS_DIR = ROOT / "docs" / "controls"
PO = ROOT / "src" / "tillit" / "locale" / "sv" / "LC_MESSAGES" / "django.po"
SCENARIOS_DIR = ROOT / "src" / "tillit" / "analytics" / "generate" / "scenarios"
# prefixes whose injected cases are still written inside the generator's writers (_welfare.py's
# home-care visits and ledger), not yet as scenario functions: a gap to close, never to grow
SCENARIOS_ELSEWHERE = frozenset({"care", "ledger"})

# Controls whose synthetic municipality has no decoy yet: each is a gap to close (a near miss the
# rule must not flag, injected by the generator next to the case). The list may only shrink: a
# control that gains a decoy must leave it, and a new control cannot join it.
WITHOUT_DECOY: frozenset[str] = frozenset()
# the size of WITHOUT_DECOY when it was written: it must never grow
WITHOUT_DECOY_AT_MOST = 0

CONTROLS = all_controls()


def module_name(control_id: str) -> str:
    return control_id.split("-", 1)[0].lower()


def _texts(control) -> list[str]:
    texts = [
        control.title,
        control.rationale,
        control.why,
        control.legal_ground,
        *control.explanations,
    ]
    texts += [p.description for p in control.params.values() if p.description]
    texts += [c.reason for c in control.not_applicable_checks]
    return texts


@pytest.fixture(scope="module")
def swedish() -> dict[str, str]:
    po = polib.pofile(str(PO))
    return {e.msgid: e.msgstr for e in po if not e.obsolete and "fuzzy" not in e.flags}


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_the_control_is_complete(control, swedish, synthetic, request):
    missing = []
    module = CONTROLS_DIR / f"{module_name(control.id)}.py"
    if not module.exists() or f'id="{control.id}"' not in module.read_text(encoding="utf-8"):
        missing.append(f"its definition in analytics/controls/{module.name}")
    if control.case_type not in CASE_TYPES or not control.case_type:
        missing.append("a case type")
    untranslated = [t for t in _texts(control) if not swedish.get(t)]
    if untranslated:
        missing.append(f"Swedish for {untranslated}")
    if not (DOCS_DIR / f"{control.id}.md").exists():
        missing.append(f"docs/controls/{control.id}.md (`tillit controls docs`)")
    golden = TESTS_DIR / f"test_{module_name(control.id)}.py"
    if not golden.exists() or f'"{control.id}"' not in golden.read_text(encoding="utf-8"):
        missing.append(f"a golden test in tests/analytics/controls/{golden.name}")
    scenarios = SCENARIOS_DIR / f"{module_name(control.id)}.py"
    if module_name(control.id) not in SCENARIOS_ELSEWHERE and (
        not scenarios.exists() or control.id not in scenarios.read_text(encoding="utf-8")
    ):
        missing.append(f"its injected case in analytics/generate/scenarios/{scenarios.name}")
    synth = synthetic(1)
    if not synth.cases(control.id):
        missing.append("an injected case in the synthetic municipality")
    if control.id.startswith("X-"):
        # cross-municipality controls: their decoys are in the national exports (test_x.py checks
        # that none is flagged), where more than one municipality exists
        exports = request.getfixturevalue("national_exports")
        if not [d for d in exports.decoys if d["control_id"] == control.id]:
            missing.append("a decoy in the national exports (generate/national.py)")
    elif not synth.decoys(control.id) and control.id not in WITHOUT_DECOY:
        missing.append("a decoy in the synthetic municipality")
    if synth.decoys(control.id) and control.id in WITHOUT_DECOY:
        missing.append("its removal from WITHOUT_DECOY (it has a decoy now)")
    assert missing == [], f"{control.id} lacks: " + "; ".join(missing)


@pytest.fixture(scope="module")
def national_exports(tmp_path_factory):
    from tillit.analytics.generate.national import generate_national

    folder = tmp_path_factory.mktemp("national")
    return generate_national(folder, municipalities=6, scale=0.02, seed=7, key=b"k" * 32)


def test_the_list_of_controls_without_a_decoy_only_shrinks():
    ids = {c.id for c in CONTROLS}
    assert WITHOUT_DECOY <= ids
    assert len(WITHOUT_DECOY) <= WITHOUT_DECOY_AT_MOST


def test_every_control_module_is_named_after_the_prefix_of_every_id_it_registers():
    for path in CONTROLS_DIR.glob("*.py"):
        ids = re.findall(r'\n\s+id="([A-Z0-9-]+)"', path.read_text(encoding="utf-8"))
        if path.name.startswith("_"):
            assert ids == [], f"{path.name} holds shared pieces only, no control"
        else:
            assert ids and {module_name(i) for i in ids} == {path.stem}, path.name
