"""Fill Swedish msgstr entries from a small Python file of {msgid: msgstr}, then compile.

Usage: python tools/po_fill.py TRANSLATIONS.py
Only empty entries are filled; existing Swedish is never overwritten. Compiles django.mo.
"""

import runpy
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parents[1] / "src/tillit/locale/sv/LC_MESSAGES/django.po"


def main() -> None:
    table = runpy.run_path(sys.argv[1])["SV"] if len(sys.argv) > 1 else {}
    po = polib.pofile(str(PO))
    missing = []
    for entry in po:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.msgstr = ""
        if entry.msgid in table and not entry.msgstr and not entry.msgid_plural:
            entry.msgstr = table[entry.msgid]
        if entry.msgid_plural and entry.msgid in table and not entry.msgstr_plural.get(0):
            singular, plural = table[entry.msgid]
            entry.msgstr_plural = {0: singular, 1: plural}
        if not (entry.msgstr or entry.msgstr_plural.get(0)):
            missing.append(entry.msgid)
    po.metadata["Language"] = "sv"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"
    po.save()
    po.save_as_mofile(str(PO.with_suffix(".mo")))
    for m in missing:
        print("missing:", repr(m))


if __name__ == "__main__":
    main()
