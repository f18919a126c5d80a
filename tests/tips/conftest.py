"""Receivers with keys for Kommun A's two channels, at the lowest key-derivation cost."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _cheap_kdf(settings, tmp_path):
    settings.TIPS_KDF = "min"
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    settings.TIPS_CLAMSCAN = "/nonexistent/clamscan"  # scanning is tested on its own


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages are checked in English here; the pages' Swedish is checked through the client."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def receivers(personas):
    """alice receives both channels and keeps the vault; bob receives both; keys unlocked."""
    from tillit.tips import services
    from tillit.tips.models import Channel, ChannelMember

    admin = personas["admin"]
    keys = {}
    for name in ("coordinator", "investigator"):
        user = personas[name]
        for channel in Channel.values:
            services.member_add(by=admin, user=user, channel=channel)
        _key, private = services.key_create(user=user, password=PASSWORD)
        keys[name] = private
    for channel in Channel.values:
        services.member_add(
            by=admin,
            user=personas["coordinator"],
            channel=channel,
            duty=ChannelMember.Duty.CUSTODIAN,
        )
    return keys
