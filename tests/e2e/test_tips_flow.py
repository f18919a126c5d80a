"""Issue 12, done when: an anonymous tip with an attachment is submitted, the receipt code read, a
receiver replies, the reporter reads the reply with the code and answers, and the receiver hands
the tip over to a case. The public pages have no axe-core violations (WCAG 2.1 AA)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import login_through_form

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[str]:
    """Run axe-core in the page (injected through the DevTools protocol, so the page's CSP stays as it is)."""
    if not AXE.exists():
        message = "npm axe-core is not installed (cd tests/e2e && npm install --no-save axe-core, or run .ci/run)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    return [
        f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
        for v in result["violations"]
    ]


@pytest.fixture
def tips_setup(transactional_db, kommun_a, settings, tmp_path):
    from tillit.accounts.services import user_create
    from tillit.tips import services

    settings.TIPS_KDF = "min"
    settings.DATA_DIR = tmp_path
    settings.TIPS_CLAMSCAN = "/nonexistent/clamscan"
    adam = user_create(
        municipality=kommun_a, username="adam", password=PASSWORD, role="administrator"
    )
    bob = user_create(
        municipality=kommun_a,
        username="bob",
        password=PASSWORD,
        role="investigator",
        first_name="Bob",
        last_name="Mottagare",
    )
    for channel in ("tips", "whistleblowing"):
        services.member_add(by=adam, user=bob, channel=channel)
    return {"bob": bob}


@pytest.mark.e2e
def test_public_pages_have_no_accessibility_violations(page, tips_setup):
    for url in (
        "/tips/",
        "/tips/lattlast/",
        "/tips/?lang=en",
        "/visselblasning/",
        "/visselblasning/lattlast/",
        "/tips/?category=home_care",
        "/visselblasning/?category=staff",
        "/tips/uppfoljning/",
        "/tips/klagomal/",
        "/tips/tillganglighet/",
    ):
        page.goto(url)
        # the channel is closed until a receiver has a key: the closed page is checked too
        assert page.locator("html").get_attribute("lang") in ("sv", "en")
        assert axe_violations(page) == [], url
    # nothing but the CSRF token is set as a cookie: no tracking
    names = {c["name"] for c in page.context.cookies()}
    assert names <= {"csrftoken"}, names


@pytest.mark.e2e
def test_anonymous_tip_to_reply_to_answer_to_case(page, new_page, tips_setup):
    from tillit.cases.models import Case
    from tillit.tips.models import Report

    bob = tips_setup["bob"]
    page.set_default_timeout(30_000)  # a long flow on a busy machine

    # The receiver creates their key first: until then the channel cannot take reports.
    receiver = new_page()
    receiver.set_default_timeout(30_000)
    login_through_form(receiver, bob, PASSWORD)
    receiver.goto("/tips/inkomna/")
    receiver.locator("#id_password").fill(
        PASSWORD
    )  # the key is created (then unlocked) with the password
    receiver.locator("main form button.primary").click()
    receiver.wait_for_url("**/tips/inkomna/")
    assert receiver.locator("#id_password").count() == 0

    # The reporter, anonymous, in another browser.
    page.goto("/tips/")
    assert axe_violations(page) == []
    page.locator("#cat-benefit").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**category=benefit**")
    assert axe_violations(page) == []
    page.locator("#id_what").fill("Familjen får försörjningsstöd men bor sedan ett år i Spanien.")
    page.locator("#id_q_household").fill("Familjen Exempel, Storgatan 1")
    page.locator("#id_when").fill("Sedan januari")
    page.locator("#id_files").set_input_files(
        files=[
            {
                "name": "hyresavtal.pdf",
                "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4\n% ett hyresavtal\n",
            }
        ]
    )
    page.locator(
        "main form button.primary"
    ).click()  # the proof of work runs, then the form is sent
    code_element = page.locator("#receipt-code")
    code_element.wait_for()
    code = code_element.inner_text().replace(" ", "")
    assert len(code) == 16 and code.isdigit()
    assert axe_violations(page) == []
    report = Report.objects.get()
    assert report.attachments.count() == 1

    # The receiver reads it and asks a question.
    receiver.goto("/tips/inkomna/")
    receiver.get_by_role("link", name=report.reference).click()
    main = receiver.locator("main")
    assert "bor sedan ett år i Spanien" in main.inner_text()
    assert "hyresavtal.pdf" in main.inner_text()
    receiver.locator("#reply-text").fill("Vet du vilken månad de flyttade?")
    receiver.locator("form[action$='/svar/'] button[type=submit]").click()
    receiver.wait_for_load_state()

    # The reporter reads the reply with the code and answers.
    page.goto("/tips/uppfoljning/")
    page.locator("#id_code").fill(code)
    page.locator("main form button.primary").click()
    page.wait_for_load_state()
    assert "Vet du vilken månad de flyttade?" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    page.locator("#id_text").fill("I januari, med hela familjen.")
    page.locator("main form button.primary").click()
    page.wait_for_load_state()
    assert "I januari, med hela familjen." in page.locator("main").inner_text()

    # The receiver sees the answer and hands the tip over to a case.
    receiver.reload()
    assert "I januari, med hela familjen." in receiver.locator("main").inner_text()
    receiver.locator("#ho-title").fill("Försörjningsstöd vid utlandsvistelse")
    receiver.locator("form[action$='/arende/'] button[type=submit]").click()
    receiver.wait_for_url("**/arenden/*/")
    case = Case.objects.get()
    assert case.tip_reference == report.reference and case.source == "tip"
    assert case.number in receiver.locator("main").inner_text()
    report.refresh_from_db()
    assert report.case_id == case.pk
