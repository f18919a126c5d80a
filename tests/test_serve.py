"""`tillit serve` (waitress) takes as many connections as a municipality's users keep open.

Under 100 simultaneous users (issue 15) waitress's default connection limit of 100, which counts its
own two internal channels, left the 99th and 100th user's connection unaccepted for the whole run.
"""

from __future__ import annotations


def test_serve_accepts_more_connections_than_users_at_once(monkeypatch):
    import waitress

    from tillit import cli

    seen: dict = {}
    monkeypatch.setattr(waitress, "serve", lambda app, **options: seen.update(options))
    monkeypatch.delenv("TILLIT_BEHIND_PROXY", raising=False)
    assert cli._serve("127.0.0.1", 8000, worker=False) == 0
    assert seen["host"] == "127.0.0.1" and seen["threads"] == 8
    assert seen["connection_limit"] >= 500
