"""Each role, logged in through the real forms, reaches what docs/permissions.md gives it and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import (
    ROLES,
    current_totp,
    documented_matrix,
    documented_two_factor,
    login_through_form,
    nav_hrefs,
    unlabelled_fields,
)


def _nav_permissions() -> list[tuple[str, str | None]]:
    """(url, permission) for each navigation entry; None for administration (users or access log)."""
    from django.urls import reverse

    from tillit.accounts.context_processors import NAVIGATION

    return [(reverse(url_name), perm) for _label, url_name, perm in NAVIGATION]


def _documented_nav(role: str) -> list[str]:
    granted = documented_matrix()[role]
    urls = []
    for url, perm in _nav_permissions():
        if perm is None:
            visible = bool(granted & {"admin.users", "admin.accesslog"})
        else:
            visible = perm in granted
        if visible:
            urls.append(url)
    return urls


def _make_user(municipality, username: str, role: str):
    from tillit.accounts.services import user_create

    return user_create(
        municipality=municipality,
        username=username,
        password=PASSWORD,
        role=role,
        first_name=username.capitalize(),
        last_name="Testsson",
    )


@pytest.fixture
def kommun_a_users(kommun_a):
    names = {
        "administrator": "adam",
        "coordinator": "alice",
        "investigator": "bob",
        "controller": "carl",
        "reviewer": "greta",
    }
    return {role: _make_user(kommun_a, names[role], role) for role in ROLES}


@pytest.mark.e2e
@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_the_pages_the_matrix_gives_it(
    role, page, transactional_db, kommun_a_users
):
    user = kommun_a_users[role]

    result = login_through_form(page, user, PASSWORD)

    # Two-factor authentication where the matrix says so, enrolled with a QR code at first login.
    assert result.asked_for_code is documented_two_factor()[role]
    assert result.enrolled is documented_two_factor()[role]
    assert page.locator("html").get_attribute("lang") == "sv"
    expected = _documented_nav(role)
    assert nav_hrefs(page) == expected

    for url, _perm in _nav_permissions():
        response = page.goto(url)
        if url in expected:
            assert response.status == 200, f"{role} was refused {url}"
            assert not unlabelled_fields(page), f"unlabelled fields on {url}"
        else:
            # The address itself is refused, not only the link hidden.
            assert response.status == 403, f"{role} reached {url}"
            assert page.get_by_role("heading", level=1).inner_text() == "Behörighet saknas"


@pytest.mark.e2e
def test_a_second_login_asks_for_the_code_without_enrolling_again(
    page, new_page, transactional_db, kommun_a_users
):
    import time_machine

    bob = kommun_a_users["investigator"]
    # Time stands still (in the live server too: it is a thread of this process), so the
    # second login falls in the same 30-second window as the first.
    start = datetime(2025, 3, 3, 9, 0, 1, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as traveller:
        first = login_through_form(page, bob, PASSWORD)
        assert first.enrolled
        used_code = current_totp(bob)

        again = new_page()
        _submit_login_form(again, "bob", PASSWORD)
        assert again.locator("main code").count() == 0  # no new enrolment, no secret shown again
        again.locator("#id_code").fill(used_code)
        again.locator("main form button[type=submit]").click()
        # A code that has been used once is refused, even within its window.
        assert "/konto/tvafaktor/" in again.url
        assert again.get_by_role("alert").count() == 1

        traveller.shift(timedelta(seconds=30))
        second = login_through_form(new_page(), bob, PASSWORD)

    assert second.asked_for_code and not second.enrolled


def _submit_login_form(page, username: str, password: str) -> None:
    page.goto("/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in", exact=True).click()
    page.wait_for_load_state()


@pytest.mark.e2e
def test_a_wrong_code_keeps_the_user_out(page, transactional_db, kommun_a_users):
    _submit_login_form(page, "bob", PASSWORD)
    current = current_totp(kommun_a_users["investigator"])
    page.locator("#id_code").fill("000000" if current != "000000" else "111111")
    page.locator("main form button[type=submit]").click()

    assert "/konto/tvafaktor/" in page.url
    assert page.get_by_role("alert").count() == 1
    assert page.goto("/kontroller/").url.endswith("/konto/tvafaktor/?next=/kontroller/")


@pytest.mark.e2e
def test_another_municipalitys_run_is_not_found(
    page, new_page, transactional_db, kommun_a, kommun_b
):
    from tillit.controls.models import Run

    run = Run.objects.create(municipality=kommun_a, status=Run.Status.DONE, trigger="manual")
    bob = _make_user(kommun_a, "bob", "investigator")
    charlie = _make_user(kommun_b, "charlie", "investigator")

    login_through_form(page, charlie, PASSWORD)
    response = page.goto(f"/kontroller/korningar/{run.pk}/")

    # 404, not 403: Kommun B must not learn that the run exists.
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Sidan hittades inte"

    own = new_page()
    login_through_form(own, bob, PASSWORD)
    assert own.goto(f"/kontroller/korningar/{run.pk}/").status == 200


@pytest.mark.e2e
def test_a_token_of_kommun_b_does_not_list_kommun_as_snapshots(
    page, transactional_db, kommun_a, kommun_b
):
    from tillit.accounts.services import api_token_create
    from tillit.datasets.models import Snapshot

    snapshot = Snapshot.objects.create(
        municipality=kommun_a,
        dataset="invoices",
        source_name="leverantorsfakturor.csv",
        sha256="a" * 64,
        rows=3,
        parquet_path="snapshots/0180/invoices/1.parquet",
    )
    _, key_a = api_token_create(
        user=_make_user(kommun_a, "alice", "coordinator"), name="ekonomisystem"
    )
    _, key_b = api_token_create(
        user=_make_user(kommun_b, "beata", "coordinator"), name="ekonomisystem"
    )

    listed_b = page.request.get("/api/datasets", headers={"Authorization": f"Bearer {key_b}"})
    listed_a = page.request.get("/api/datasets", headers={"Authorization": f"Bearer {key_a}"})
    anonymous = page.request.get("/api/datasets")

    assert listed_b.status == 200
    assert snapshot.pk not in [s["id"] for s in listed_b.json()]
    assert listed_a.status == 200
    assert [s["id"] for s in listed_a.json()] == [snapshot.pk]
    assert anonymous.status == 401


@pytest.mark.e2e
def test_the_language_switches_to_english_and_back(page, transactional_db, kommun_a_users):
    login_through_form(page, kommun_a_users["reviewer"], PASSWORD)
    assert page.locator("nav.mainnav").get_by_role("link", name="Översikt").count() == 1

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("nav.mainnav").get_by_role("link", name="Overview").count() == 1
    assert page.get_by_role("button", name="Log out").count() == 1

    page.get_by_role("button", name="Svenska").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("nav.mainnav").get_by_role("link", name="Översikt").count() == 1
    assert page.get_by_role("button", name="Logga ut").count() == 1


@pytest.mark.e2e
@pytest.mark.parametrize("path", ["/konto/logga-in/", "/"])
def test_tab_from_the_top_reaches_the_skip_link_first(path, page, transactional_db, kommun_a_users):
    if path == "/":
        login_through_form(page, kommun_a_users["reviewer"], PASSWORD)
    page.goto(path)
    # Start from the top of the document, not from a field the page focuses itself (autofocus):
    # focusing <body> moves the browser's starting point for sequential focus to the top.
    page.evaluate("""() => {
        document.body.tabIndex = -1; document.body.focus(); document.body.removeAttribute('tabindex');
    }""")
    page.keyboard.press("Tab")

    focused = page.evaluate(
        "() => [document.activeElement.className, document.activeElement.getAttribute('href')]"
    )
    assert focused == ["skip-link", "#main"]
    skip_link = page.locator("a.skip-link")
    assert skip_link.inner_text() == "Hoppa till innehållet"
    # Hidden off-screen until focused; then it shows inside the window.
    box = skip_link.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0

    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    assert page.evaluate("() => document.activeElement.id") == "main"


@pytest.mark.e2e
def test_forms_for_administration_and_data_label_every_field(
    page, new_page, transactional_db, kommun_a_users
):
    page.goto("/konto/logga-in/")
    _assert_labelled(page)

    login_through_form(page, kommun_a_users["administrator"], PASSWORD)
    for path in (
        "/administration/",
        "/administration/anvandare/ny/",
        "/konto/api-nycklar/ny/",  # tokens are made on one's own page (security F13)
        "/administration/atkomstlogg/",
    ):
        assert page.goto(path).status == 200, path
        _assert_labelled(page)

    coordinator = new_page()
    _submit_login_form(coordinator, "alice", PASSWORD)
    _assert_labelled(coordinator)  # the enrolment page's code field
    coordinator.locator("#id_code").fill(current_totp(kommun_a_users["coordinator"]))
    coordinator.locator("main form button[type=submit]").click()
    coordinator.wait_for_load_state()
    # The control library (/kontroller/bibliotek/) joins this list when the analytics registry lands.
    for path in (
        "/data/",
        "/data/ladda-upp/",
        "/data/profiler/",
        "/data/profiler/ny/",
        "/kontroller/",
        "/kontroller/korningar/",
    ):
        assert coordinator.goto(path).status == 200, path
        _assert_labelled(coordinator)


def _assert_labelled(page) -> None:
    fields = page.locator("input:not([type=hidden]), select, textarea").count()
    missing = unlabelled_fields(page)
    assert not missing, f"{page.url}: {fields} fields, unlabelled: {missing}"
