"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server.

One browser for the whole session (starting chromium is the slow part); each test gets a
fresh context, so cookies and sessions never leak between personas. Never `playwright
install`: the browser is the distribution's, at /usr/bin/chromium (`.ci/run` installs it).
"""

from __future__ import annotations

import base64
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DOCS = Path(__file__).resolve().parents[2] / "docs"
ROLES = ["administrator", "coordinator", "investigator", "controller", "reviewer"]
# Role values; docs/permissions.md uses the same words as its column headings.


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items) -> None:
    """Mark every test in this folder `e2e` (before `-m` deselects), and run them last.

    The session's browser keeps Playwright's asyncio loop running on the main thread until
    the session ends, which would break any later test that starts a loop of its own.
    """
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)
    browser_tests = [item for item in items if item.get_closest_marker("e2e")]
    if browser_tests:
        others = [item for item in items if not item.get_closest_marker("e2e")]
        items[:] = others + browser_tests


def _chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator:
    executable = _chromium()
    if executable is None:
        message = "Debian's chromium is not installed (apt-get install chromium, or run .ci/run)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running on the main thread, and Django
    # refuses ORM calls while one runs. The tests are synchronous and single-threaded,
    # which is the case this switch exists for (Playwright documents it for pytest-django).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server) -> Iterator:
    context = browser.new_context(base_url=live_server.url, locale="sv-SE")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def new_page(browser, live_server):
    """More pages, each in its own context (another person at another computer)."""
    contexts = []

    def make():
        context = browser.new_context(base_url=live_server.url, locale="sv-SE")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def documented_matrix() -> dict[str, set[str]]:
    """Role -> permissions, read from the table in docs/permissions.md (the reference here)."""
    lines = (DOCS / "permissions.md").read_text(encoding="utf-8").splitlines()
    header = next(line for line in lines if line.startswith("| permission |"))
    columns = [c.strip() for c in header.strip("|").split("|")]
    matrix: dict[str, set[str]] = {role: set() for role in ROLES}
    for line in lines:
        match = re.match(r"\|\s*`([a-z.]+)`\s*\|", line)
        if not match:
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        for role in ROLES:
            if cells[columns.index(role)] == "✓":
                matrix[role].add(match.group(1))
    return matrix


def documented_two_factor() -> dict[str, bool]:
    lines = (DOCS / "permissions.md").read_text(encoding="utf-8").splitlines()
    header = next(line for line in lines if line.startswith("| permission |"))
    columns = [c.strip() for c in header.strip("|").split("|")]
    row = next(line for line in lines if line.startswith("| two-factor required"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    return {role: cells[columns.index(role)] == "yes" for role in ROLES}


@dataclass
class LoginResult:
    enrolled: bool  # the OTP page showed a QR code and a secret (first login)
    asked_for_code: bool


def current_totp(user) -> str:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "-id").first()
    assert device is not None, f"no TOTP device for {user.username}"
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def login_through_form(page, user, password: str) -> LoginResult:
    """Log in as a person does: the login form, then the one-time code where the role needs it."""
    page.goto("/")
    assert "/konto/logga-in/" in page.url, page.url
    page.get_by_label("Användarnamn").fill(user.username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in", exact=True).click()
    page.wait_for_load_state()
    result = LoginResult(enrolled=False, asked_for_code=False)
    if "/konto/tvafaktor/" in page.url:
        result.asked_for_code = True
        secret = page.locator("main code")
        if secret.count():
            from django_otp.plugins.otp_totp.models import TOTPDevice

            result.enrolled = True
            assert page.locator(".qr svg").count() == 1, "the enrolment page shows no QR code"
            device = TOTPDevice.objects.get(user=user, confirmed=False)
            # The key shown for typing by hand is the device's own key (base32, as apps expect).
            shown = secret.inner_text().strip()
            assert base64.b32decode(shown + "=" * (-len(shown) % 8)) == device.bin_key
        page.locator("#id_code").fill(current_totp(user))
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        assert "/konto/tvafaktor/" not in page.url, page.locator("main").inner_text()
    assert "/konto/logga-in/" not in page.url, page.locator("main").inner_text()
    return result


def nav_hrefs(page) -> list[str]:
    return page.locator("nav.mainnav a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )


def unlabelled_fields(page) -> list[str]:
    """Every visible form field without a label (a <label for>, a wrapping label, or aria-label)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('input, select, textarea'))
            .filter(el => !['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type))
            .filter(el => !(el.labels && el.labels.length)
                && !el.getAttribute('aria-label')
                && !(el.getAttribute('aria-labelledby')
                     && document.getElementById(el.getAttribute('aria-labelledby'))))
            .map(el => el.outerHTML.slice(0, 120))"""
    )
