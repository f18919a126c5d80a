"""The one file format in which municipalities share a risk catalogue, an analysis template, an
action plan or a routine (risks/share.py and plans/share.py hold what each kind contains):

    {"format": "tillit-share", "version": 1, "kind": "...",
     "origin": {"municipality_code", "municipality_name", "exported_at", "tillit_version"},
     "content": {...}}

No personal data may leave in such a file; `Scrubber` cleans free text of identity numbers,
e-mail addresses, phone numbers and the names of the municipality's users (replaced by their role).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from importlib import metadata

from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = "tillit-share"
VERSION = 1
MAX_BYTES = 5 * 1024 * 1024


class ShareError(ValueError):
    """The file cannot be imported; the message says what and where."""


def tillit_version() -> str:
    try:
        return metadata.version("tillit")
    except metadata.PackageNotFoundError:
        return "0"


def envelope(*, municipality, kind: str, content: dict) -> dict:
    return {
        "format": FORMAT,
        "version": VERSION,
        "kind": kind,
        "origin": {
            "municipality_code": municipality.code,
            "municipality_name": municipality.name,
            "exported_at": timezone.localtime().isoformat(timespec="seconds"),
            "tillit_version": tillit_version(),
        },
        "content": content,
    }


def dumps(data: dict) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def read(raw: bytes, *, kinds: Iterable[str]) -> dict:
    """The file's JSON with its envelope checked (size, format, version, kind, origin, a titled
    content); the kind's own content is checked by its app. ShareError says what is wrong."""
    if len(raw) > MAX_BYTES:
        raise ShareError(_("The file is larger than 5 MB."))
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ShareError(
            _("The file is not readable JSON (%(error)s).") % {"error": error}
        ) from None
    check_envelope(data, kinds=kinds)
    return data


def check_envelope(data, *, kinds: Iterable[str]) -> None:
    if not isinstance(data, dict):
        raise ShareError(_("The file is not a Tillit sharing file (it holds no JSON object)."))
    if data.get("format") != FORMAT:
        raise ShareError(_("The file is not a Tillit sharing file (format is not tillit-share)."))
    if data.get("version") != VERSION:
        raise ShareError(
            _("The file has version %(version)s; this installation reads version %(ours)s.")
            % {"version": data.get("version"), "ours": VERSION}
        )
    if data.get("kind") not in tuple(kinds):
        raise ShareError(
            _("The file holds a %(kind)s, which cannot be imported here.")
            % {"kind": data.get("kind")}
        )
    origin = data.get("origin")
    if not isinstance(origin, dict) or not all(
        isinstance(origin.get(k), str) and origin.get(k)
        for k in ("municipality_code", "municipality_name", "exported_at")
    ):
        raise ShareError(_("The file does not say which municipality it comes from (origin)."))
    content = data.get("content")
    if not isinstance(content, dict) or not str(content.get("title", "")).strip():
        raise ShareError(_("The file's content has no title."))


_PNR = re.compile(r"\b(?:19|20)?\d{6}[-+ ]?\d{4}\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w-])(?:\+46|0)\s?\d{1,3}(?:[\s-]?\d{2,3}){2,4}\b")


class Scrubber:
    """Removes what identifies a person from free text; the given users' names become their role.

    `users`: the municipality's users (anything with get_full_name(), last_name, username and
    get_role_display()); names of three letters or fewer are left, as they match ordinary words."""

    def __init__(self, users: Iterable):
        self.names: list[tuple[re.Pattern, str]] = []
        for user in users:
            role = f"[{str(user.get_role_display()).lower()}]"
            for name in {user.get_full_name().strip(), user.last_name.strip(), user.username}:
                if len(name) > 3:
                    self.names.append((re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE), role))
        self.names.sort(key=lambda pair: -len(pair[0].pattern))  # full names before surnames

    def __call__(self, text) -> str:
        if not text:
            return "" if text is None else text
        text = str(text)
        text = _EMAIL.sub(_("[e-mail removed]"), text)
        text = _PNR.sub(_("[identity number removed]"), text)
        text = _PHONE.sub(_("[phone number removed]"), text)
        for pattern, role in self.names:
            text = pattern.sub(role, text)
        return text
