"""Meta-tests on the Swedish catalogue: it is complete, not fuzzy, and compiled."""

import gettext
import os
import shutil
import subprocess
from pathlib import Path

import polib
import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "tillit"
PO = SRC / "locale" / "sv" / "LC_MESSAGES" / "django.po"


def test_every_swedish_entry_is_translated_and_not_fuzzy():
    po = polib.pofile(str(PO))
    missing = [e.msgid for e in po if not e.obsolete and not (e.msgstr or e.msgstr_plural.get(0))]
    fuzzy = [e.msgid for e in po if "fuzzy" in e.flags]
    assert missing == [] and fuzzy == []


def test_compiled_catalogue_matches_the_po_file():
    po = polib.pofile(str(PO))
    with PO.with_suffix(".mo").open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    for entry in po:
        if entry.obsolete or entry.msgid_plural:
            continue
        assert mo.gettext(entry.msgid) == entry.msgstr, entry.msgid


@pytest.mark.skipif(
    shutil.which("xgettext") is None and os.environ.get("CI") != "true",
    reason="gettext tools not installed (.ci/run installs them; in CI the test runs and fails without them)",
)
def test_every_string_in_the_code_is_in_the_catalogue(tmp_path):
    # makemessages into a copy, so the real catalogue is untouched; then compare msgids.
    copy = tmp_path / "tillit"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        ["django-admin", "makemessages", "-l", "sv", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    fresh = {
        e.msgid
        for e in polib.pofile(str(copy / "locale/sv/LC_MESSAGES/django.po"))
        if not e.obsolete
    }
    translated = {
        e.msgid
        for e in polib.pofile(str(PO))
        if not e.obsolete and (e.msgstr or e.msgstr_plural.get(0))
    }
    assert sorted(fresh - translated) == []
