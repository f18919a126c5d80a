"""A proof-of-work challenge that needs no third-party service, and still works without JavaScript.

The form carries a signed challenge. With JavaScript, static/tips/pow.js finds a nonce whose
SHA-256 (with the challenge) starts with `difficulty` zero bits. Without JavaScript the form
is accepted once enough time has passed since the challenge was issued: a person takes that
long to write a report anyway, and a script that posts at once is slowed to the same pace.
Under load (many reports in the last minutes) both the difficulty and the wait grow.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.tips import services

SALT = "tillit.tips.challenge"
MAX_AGE = 6 * 3600
BASE_DIFFICULTY = 14
BASE_WAIT_SECONDS = 8
LOAD_WINDOW = 600
LOAD_STEP = 20  # every this many reports in the window raise the cost one step
SUBMIT_LIMIT = 120  # reports per channel in the window; beyond it, refuse kindly and keep the text


def _load_key(municipality_id: int, channel: str) -> str:
    return f"submit:{municipality_id}:{channel}"


def load_steps(municipality_id: int, channel: str) -> int:
    return min(
        4, services.throttle_count(_load_key(municipality_id, channel), LOAD_WINDOW) // LOAD_STEP
    )


def overloaded(municipality_id: int, channel: str) -> bool:
    return services.throttle_count(_load_key(municipality_id, channel), LOAD_WINDOW) >= SUBMIT_LIMIT


def issue(municipality_id: int, channel: str) -> tuple[str, int]:
    steps = load_steps(municipality_id, channel)
    difficulty = BASE_DIFFICULTY + 2 * steps
    token = signing.dumps(
        {
            "m": municipality_id,
            "c": channel,
            "r": secrets.token_hex(8),
            "d": difficulty,
            "w": BASE_WAIT_SECONDS * 2**steps,
            "t": int(timezone.now().timestamp()),
        },
        salt=SALT,
    )
    return token, difficulty


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def check(token: str, nonce: str, municipality_id: int, channel: str) -> dict:
    """The challenge's payload when it is met; raises services.TipError otherwise."""
    try:
        payload = signing.loads(token or "", salt=SALT)
    except signing.BadSignature:
        raise services.TipError(_("The form has expired. Send it again.")) from None
    now = int(timezone.now().timestamp())
    if (
        payload.get("m") != municipality_id
        or payload.get("c") != channel
        or now - payload["t"] > MAX_AGE
    ):
        raise services.TipError(_("The form has expired. Send it again."))
    if services.throttle_count(f"pow:{payload['r']}", MAX_AGE):
        raise services.TipError(_("This form has already been sent."))
    if nonce:
        digest = hashlib.sha256(f"{token}:{nonce}".encode()).digest()
        if leading_zero_bits(digest) >= payload["d"]:
            return payload
    if now - payload["t"] >= payload["w"]:
        return payload
    raise services.TipError(
        _(
            "The form was sent very quickly after it was opened. Wait a few seconds and send "
            "it again; what you wrote is kept below."
        )
    )


def consume(payload: dict) -> None:
    services.throttle_add(f"pow:{payload['r']}", MAX_AGE)
    services.throttle_add(_load_key(payload["m"], payload["c"]), LOAD_WINDOW)
