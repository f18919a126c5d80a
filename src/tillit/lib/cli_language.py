"""The `tillit` command's help and argument errors in the user's language, from the one catalogue.

The apps write their commands' help texts in English, like every other source string
(`add_commands` in each app's cli.py). `translate_parser` replaces each help text, description and
group title with its entry in the Swedish catalogue (locale/sv/LC_MESSAGES/django.mo), read with
the standard library's gettext, so that `tillit --help` still sets up no Django. argparse's own
words ("usage:", "options", "the following arguments are required: …") are looked up in the same
catalogue while the parser is built and used (`argparse_language`).

Swedish is the default; `--lang en` gives English. A help text without a Swedish entry is shown in
English; tests/accounts/test_cli_language.py fails on it, so a new command brings its Swedish.
"""

from __future__ import annotations

import argparse
import contextlib
import gettext
from collections.abc import Iterator
from functools import cache
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[1] / "locale"
DEFAULT = "sv"


@cache
def catalogue(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue for `lang`; English (the source strings) for "en" or a missing one."""
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation("django", localedir=LOCALE, languages=[lang], fallback=True)


def language(argv: list[str]) -> str:
    """The --lang of a command line before argparse has read it (its help is built first)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        else:
            continue
        return value if value in ("sv", "en") else DEFAULT
    return DEFAULT


@contextlib.contextmanager
def argparse_language(lang: str) -> Iterator[None]:
    """argparse's own strings from the catalogue while a parser is built and parses.

    argparse looks its words up through the module's `_` and `ngettext` when it needs them, so
    they are swapped for the catalogue's and put back afterwards (also when --help exits)."""
    translations = catalogue(lang)
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._ = translations.gettext  # type: ignore[attr-defined]
    argparse.ngettext = translations.ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


def help_texts(parser: argparse.ArgumentParser) -> list[str]:
    """Every help text, description and group title of a parser and its subcommands, once each."""
    found: list[str] = []
    for text in _texts(parser):
        if text not in found:
            found.append(text)
    return found


def _texts(parser: argparse.ArgumentParser) -> Iterator[str]:
    for text in (parser.description, parser.epilog):
        if text:
            yield text
    for group in parser._action_groups:
        for text in (group.title, group.description):
            if text:
                yield text
    for action in parser._actions:
        if action.help and action.help is not argparse.SUPPRESS:
            yield action.help
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                if choice.help:
                    yield choice.help
            for sub in action.choices.values():
                yield from _texts(sub)


def translate_parser(parser: argparse.ArgumentParser, lang: str) -> argparse.ArgumentParser:
    """Replace the parser's help texts (and its subcommands') with the catalogue's entries."""
    tr = catalogue(lang).gettext
    done: set[int] = set()

    def walk(p: argparse.ArgumentParser) -> None:
        if id(p) in done:  # an alias is the same parser under a second name
            return
        done.add(id(p))
        if p.description:
            p.description = tr(p.description)
        if p.epilog:
            p.epilog = tr(p.epilog)
        for group in p._action_groups:
            if group.title:
                group.title = tr(group.title)
            if group.description:
                group.description = tr(group.description)
        for action in p._actions:
            if action.help and action.help is not argparse.SUPPRESS:
                action.help = tr(action.help)
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    if choice.help:
                        choice.help = tr(choice.help)
                for sub in action.choices.values():
                    walk(sub)

    walk(parser)
    return parser
