"""The docs tell the truth about the code (after datasette's tests/test_docs.py).

Every environment variable the code reads is in .env.example and in docs/configuration.md,
with the code's default; nothing is documented that the code does not read. The glossary
has the terms of the style guide; the architecture page names every package; links between
the docs lead somewhere.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "tillit"
DOCS = ROOT / "docs"

# env("X", default), env_bool("X"), env_int("X", 5), env_secret("X") — the helpers in lib/env.py
HELPER_READ = re.compile(
    r"""\b(?P<helper>env|env_bool|env_int|env_secret)\(\s*["'](?P<name>[A-Z][A-Z0-9_]*)["']"""
    r"""\s*(?:,\s*(?P<default>"[^"]*"|'[^']*'|[^,)]+))?\s*\)"""
)
# os.environ.get("X"), os.getenv("X"), os.environ["X"] (but not os.environ["X"] = ...)
DIRECT_READ = re.compile(
    r"""os\.(?:environ\.get|getenv)\(\s*["'](?P<name>[A-Z][A-Z0-9_]*)["']"""
    r"""|os\.environ\[\s*["'](?P<subscript>[A-Z][A-Z0-9_]*)["']\s*\](?!\s*=[^=])"""
)
EXAMPLE_LINE = re.compile(r"^#?\s*(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")
DOC_ROW = re.compile(
    r"^\|\s*`(?P<name>[A-Z][A-Z0-9_]*)`\s*\|(?P<default>[^|]*)\|(?P<meaning>[^|]*)\|\s*$"
)


def _python_files():
    return sorted(SRC.rglob("*.py"))


def code_variables() -> dict[str, tuple[str, str | None]]:
    """Variable -> (how it is read, literal default or None), from the source."""
    found: dict[str, tuple[str, str | None]] = {}
    for path in _python_files():
        text = path.read_text(encoding="utf-8")
        for match in HELPER_READ.finditer(text):
            helper, name, default = match["helper"], match["name"], match["default"]
            found.setdefault(name, (helper, default.strip() if default else None))
            if helper == "env_secret":
                # env_secret also reads NAME_FILE, a file holding the secret
                found.setdefault(f"{name}_FILE", ("file", None))
        for match in DIRECT_READ.finditer(text):
            found.setdefault(match["name"] or match["subscript"], ("os.environ", None))
    return found


def example_variables() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    found: dict[str, str] = {}
    for line in lines:
        match = EXAMPLE_LINE.match(line.strip())
        if match:
            assert match["name"] not in found, f".env.example lists {match['name']} twice"
            found[match["name"]] = match["value"].strip()
    return found


def documented_variables() -> dict[str, str]:
    lines = (DOCS / "configuration.md").read_text(encoding="utf-8").splitlines()
    found: dict[str, str] = {}
    for line in lines:
        match = DOC_ROW.match(line)
        if match:
            assert match["name"] not in found, (
                f"docs/configuration.md documents {match['name']} twice"
            )
            assert match["meaning"].strip(), (
                f"{match['name']} has no meaning in docs/configuration.md"
            )
            found[match["name"]] = match["default"].strip()
    return found


def _python_literal(default: str | None, helper: str) -> str | None:
    """The default as the docs should show it, or None when it is not a plain literal."""
    if helper == "env_bool":
        return "on" if default == "True" else "off"
    if default is None:
        return None
    if default[0] in "\"'":
        return default[1:-1]
    if default.isdigit():
        return default
    return None


def test_the_regex_finds_the_variables_we_know_are_read():
    # Guards the guard: if the regex broke, the comparisons below would pass on empty sets.
    variables = code_variables()
    assert {
        "TILLIT_DATA_DIR",
        "TILLIT_SECRET_KEY",
        "TILLIT_SECRET_KEY_FILE",
        "TILLIT_DATABASE_URL",
        "TILLIT_HTTPS",
        "TILLIT_LOGIN_FAILURE_LIMIT",
    } <= set(variables)
    assert variables["TILLIT_LOGIN_FAILURE_LIMIT"] == ("env_int", "5")
    assert "DJANGO_SETTINGS_MODULE" not in variables  # only ever set, never read, by Tillit


def test_env_example_lists_exactly_the_variables_the_code_reads():
    assert set(example_variables()) == set(code_variables())


def test_configuration_docs_list_exactly_the_variables_the_code_reads():
    assert set(documented_variables()) == set(code_variables())


def test_documented_defaults_are_the_codes_defaults():
    documented = documented_variables()
    for name, (helper, default) in code_variables().items():
        expected = _python_literal(default, helper)
        if expected is None:
            continue
        shown = documented[name]
        if expected == "":
            assert shown == "(empty)", f"{name}: the code's default is empty, the docs say {shown}"
        elif expected in ("on", "off"):
            assert shown == expected, (
                f"{name}: the code's default is {expected}, the docs say {shown}"
            )
        else:
            assert shown == f"`{expected}`", (
                f"{name}: the code's default is {expected!r}, the docs say {shown}"
            )


def test_env_example_shows_the_codes_defaults():
    example = example_variables()
    for name, (helper, default) in code_variables().items():
        expected = _python_literal(default, helper)
        if not expected:
            continue  # no literal default, or an empty one: the example shows a sample value
        if expected in ("on", "off"):
            expected = "1" if expected == "on" else "0"
        assert example[name] == expected, (
            f".env.example: {name}={example[name]}, the code's default is {expected}"
        )


# The list in the style guide's "Naming and language": Swedish -> the one English name.
STYLE_GUIDE_TERMS = {
    "nämnd": "board",
    "förvaltning": "department",
    "ärende": "case",
    "återkrav": "recovery claim",
    "polisanmälan": "police report",
    "underrättelse": "notification",
    "tips": "tip",
    "visselblåsning": "whistleblowing",
    "riskområde": "risk area",
    "åtgärd": "measure",
    "handlingsplan": "action plan",
    "föreningsbidrag": "grant",
    "ekonomiskt bistånd": "benefit",
    "hemtjänst": "home care",
    "utförare": "provider",
    "avvikelse": "deviation",
    "träff": "hit",
    "kontroll": "control",
    "lägesbild": "overview",
}


def glossary() -> dict[str, str]:
    text = (DOCS / "glossary.md").read_text(encoding="utf-8")
    terms: dict[str, str] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if (
            not line.startswith("|")
            or len(cells) < 2
            or set(cells[0]) <= {"-", " "}
            or cells[0] == "Swedish"
        ):
            continue
        swedish = re.sub(r"\s*\(.*\)$", "", cells[0])  # "ekonomiskt bistånd (försörjningsstöd)"
        assert swedish not in terms, f"the glossary defines {swedish} twice"
        terms[swedish] = cells[1]
    return terms


def test_the_glossary_has_the_style_guides_terms():
    terms = glossary()
    for swedish, english in STYLE_GUIDE_TERMS.items():
        assert terms.get(swedish) == english, (
            f"glossary: {swedish} should be {english}, is {terms.get(swedish)}"
        )


def test_the_glossary_gives_one_english_name_per_term():
    english = list(glossary().values())
    assert len(english) == len(set(english))


def test_the_glossary_keeps_the_legal_identifiers_swedish():
    text = (DOCS / "glossary.md").read_text(encoding="utf-8")
    for identifier in ("personnummer", "samordningsnummer", "organisationsnummer"):
        assert f"**{identifier}**" in text


NOT_APPS = {"config", "templates", "static", "locale", "__pycache__"}


def test_the_architecture_page_names_every_package():
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    packages = sorted(p.name for p in SRC.iterdir() if p.is_dir() and p.name not in NOT_APPS)
    missing = [name for name in packages if f"`{name}/`" not in text]
    assert not missing, f"docs/architecture.md does not describe {missing}"
    analytics = sorted(
        p.name for p in (SRC / "analytics").iterdir() if p.is_dir() and not p.name.startswith("_")
    )
    missing = [name for name in analytics if f"`{name}/`" not in text]
    assert not missing, f"docs/architecture.md does not describe analytics/{missing}"


def test_the_architecture_page_has_a_diagram_and_a_text_fallback():
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    assert "```mermaid" in text
    fallback = text.split("```mermaid", 1)[1].split("```", 2)[2]
    for step in (
        "importer",
        "Parquet snapshot",
        "engine",
        "hits",
        "review queue",
        "cases",
        "reports",
    ):
        assert step in fallback


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")))
def test_links_between_the_docs_lead_somewhere(page):
    text = (DOCS / page).read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if re.match(r"[a-z]+:", target):
            continue  # an outside address
        assert (DOCS / target).exists(), f"{page} links to {target}, which does not exist"
