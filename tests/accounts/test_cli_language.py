"""Issue 16: `tillit --help` in Swedish. The help texts and argparse's own words come from the one
catalogue (tillit.lib.cli_language); Swedish is the default, `--lang en` gives English."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from tillit.cli import build_parser
from tillit.lib.cli_language import help_texts, language

PO = Path(__file__).resolve().parents[2] / "src/tillit/locale/sv/LC_MESSAGES/django.po"


def _tillit(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    # wide, so that argparse does not wrap a help text across lines
    env = {**os.environ, "COLUMNS": "250", **(env_extra or {})}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "tillit.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_tillit_help_is_swedish_by_default():
    out = _tillit("--help")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert text.startswith("användning: tillit")
    for swedish in (
        "flaggor:",
        "visa den här hjälptexten och avsluta",
        "läs in en fil till en datamängd",
        "språk för meddelanden och hjälp: sv (standard) eller en",
        "kontrollbiblioteket och körningar",
    ):
        assert swedish in text, swedish
    for english in ("usage:", "options:", "show this help", "import a file into a data set"):
        assert english not in text, english


@pytest.mark.parametrize(
    ("command", "swedish", "english"),
    [
        (
            ["import"],
            ["läs in även om samma fil redan har lästs in", "ÅÅÅÅ-MM..ÅÅÅÅ-MM"],
            ["import even if the same file"],
        ),
        (
            ["cases", "export"],
            ["fil att skriva till (utan värde: standard ut)", "csv (standard) eller json"],
            ["export cases as", "file to write"],
        ),
        (
            ["user"],
            ["användarens roll i kommunen", "e-postadress", "argument:"],
            ["positional arguments", "the user's role"],
        ),
        (
            ["jobs", "recover"],
            ["användning: tillit jobs recover"],
            ["usage:", "show this help"],
        ),
    ],
)
def test_subcommands_help_is_swedish(command, swedish, english):
    out = _tillit(*command, "--help")
    assert out.returncode == 0, out.stderr
    for text in swedish:
        assert text in out.stdout, (command, text)
    for text in english:
        assert text not in out.stdout, (command, text)


def test_lang_en_gives_the_english_help():
    out = _tillit("--lang", "en", "cases", "export", "--help")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("usage: tillit cases export")
    assert "file to write (default: standard output)" in out.stdout
    assert "användning" not in out.stdout


def test_argument_errors_are_swedish():
    out = _tillit("cases", "export", "--format", "xml")
    assert out.returncode == 2
    assert (
        "tillit cases export: fel: argumentet --format: ogiltigt val: 'xml' "
        "(välj bland 'csv', 'json')" in out.stderr
    )
    out = _tillit("import")
    assert out.returncode == 2
    assert "fel: följande argument behövs: dataset, file" in out.stderr


def test_every_help_text_of_every_command_has_its_swedish_entry():
    """A command added without Swedish help fails here (its help would be shown in English)."""
    translated = {
        e.msgid
        for e in polib.pofile(str(PO))
        if not e.obsolete and e.msgstr and "fuzzy" not in e.flags
    }
    texts = help_texts(build_parser())
    assert len(texts) > 80  # the walk reaches the apps' subcommands, not only the top level
    assert [t for t in texts if t not in translated] == []


def test_the_language_is_read_before_argparse():
    assert language([]) == "sv"
    assert language(["--lang", "en", "import"]) == "en"
    assert language(["--lang=en"]) == "en"
    assert language(["--lang", "xx"]) == "sv"
    assert language(["manage", "--", "--lang", "en"]) == "sv"
