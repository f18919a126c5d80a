"""Marks user-facing strings for translation without importing Django.

The analytics library never imports Django; the web app and the CLI translate
these English source strings through Django's catalogue (locale/sv).
"""


def gettext_noop(s: str) -> str:
    return s
