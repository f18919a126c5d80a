"""Where tests find data: copied vectors in tests/data/, and the few files that may not be copied.

A file that may not be copied into the repository (Nigrini's payments, GPL-3) is read from
TILLIT_TEST_DATA or from ../shared/data beside a development checkout. Where it is absent the test
is skipped with a one-line reason — except in CI (CI=true or TILLIT_EXPECT_EXTERNAL_DATA=1), where
a missing file fails the test instead of letting the suite pass without it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
_SHARED_BESIDE_CHECKOUT = TESTS.parent.parent / "shared" / "data"


def data(relative: str) -> Path:
    """A vector copied into tests/data/ (always present)."""
    path = DATA / relative
    assert path.exists(), f"{path} is missing from the repository"
    return path


def must_have_external() -> bool:
    return os.environ.get("CI") == "true" or os.environ.get("TILLIT_EXPECT_EXTERNAL_DATA") == "1"


def external(relative: str) -> Path:
    """A file that cannot be copied here; skip (or fail in CI) when it cannot be found."""
    roots = [Path(p) for p in [os.environ.get("TILLIT_TEST_DATA")] if p] + [_SHARED_BESIDE_CHECKOUT]
    for root in roots:
        if (root / relative).exists():
            return root / relative
    reason = f"{relative} is not in TILLIT_TEST_DATA or ../shared/data (not redistributable)"
    if must_have_external():
        pytest.fail(reason + "; CI must have it", pytrace=False)
    pytest.skip(reason)


NIGRINI_AP = "nigrini/corporate.payment.csv.gz"
