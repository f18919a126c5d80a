"""Add Swedish translations to the one catalogue, safely beside other writers, then compile.

Usage: python tools/po_add.py TRANSLATIONS.py [TRANSLATIONS.py ...]
Each file defines SV = {msgid: msgstr} (a plural entry: msgid -> (singular, plural) with the
English plural in PLURALS = {msgid: msgid_plural}). A msgid not yet in the catalogue is added;
an empty Swedish entry is filled; existing Swedish is left alone unless --overwrite.
The catalogue is locked while it is read and written (several people may add at once), and
django.mo is compiled from it.
"""

from __future__ import annotations

import fcntl
import runpy
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parents[1] / "src/tillit/locale/sv/LC_MESSAGES/django.po"
LOCK = PO.with_suffix(".lock")


def add(files: list[str], overwrite: bool = False) -> tuple[int, int]:
    added = filled = 0
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        po = polib.pofile(str(PO))
        by_id = {e.msgid: e for e in po if not e.obsolete}
        for name in files:
            ns = runpy.run_path(name)
            table, plurals = ns["SV"], ns.get("PLURALS", {})
            for msgid, msgstr in table.items():
                entry = by_id.get(msgid)
                if entry is None:
                    entry = polib.POEntry(msgid=msgid)
                    if msgid in plurals:
                        entry.msgid_plural = plurals[msgid]
                    po.append(entry)
                    by_id[msgid] = entry
                    added += 1
                if entry.msgid_plural:
                    if overwrite or not entry.msgstr_plural.get(0):
                        singular, plural = msgstr
                        entry.msgstr_plural = {0: singular, 1: plural}
                        filled += 1
                elif overwrite or not entry.msgstr:
                    entry.msgstr = msgstr
                    filled += 1
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
        po.save(str(PO))
        po.save_as_mofile(str(PO.with_suffix(".mo")))
    return added, filled


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--overwrite"]
    a, f = add(args, overwrite="--overwrite" in sys.argv)
    print(f"{a} added, {f} filled; {PO.with_suffix('.mo').name} compiled")
