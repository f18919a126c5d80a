"""Issue 18, done when: a browser test draws a sample, records two results (one deviation), sees the
projection, and opens a case from the deviation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import login_through_form, unlabelled_fields


@pytest.mark.e2e
def test_draw_a_sample_record_two_results_and_open_a_case(
    page, transactional_db, kommun_a, tmp_path
):
    from tests.sampling.conftest import invoice_rows, write_csv
    from tillit.accounts.services import user_create
    from tillit.cases.models import Case
    from tillit.datasets.services import import_file
    from tillit.lib.formats import format_amount
    from tillit.sampling.models import Sample, SampleItem
    from tillit.sampling.services import evaluation

    write_csv(tmp_path / "fakturor.csv", invoice_rows())
    import_file(
        user=None, municipality=kommun_a, dataset="invoices", path=tmp_path / "fakturor.csv"
    )
    carl = user_create(municipality=kommun_a, username="carl", password=PASSWORD, role="controller")
    page.set_default_timeout(30_000)
    login_through_form(page, carl, PASSWORD)

    # draw: monetary-unit sampling of Socialnämnden's attested invoices, with a seed
    page.goto("/")
    page.locator("nav.mainnav").get_by_role("link", name="Stickprov").click()
    page.get_by_role("link", name="Dra ett nytt stickprov").click()
    assert unlabelled_fields(page) == []
    page.get_by_label("Rubrik").fill("Attesterade fakturor 2026")
    page.get_by_label("Metod").select_option("mus")
    page.get_by_label("Tolerabelt fel (kr)").fill("400 000")
    page.get_by_label("Socialnämnden").check()
    page.get_by_label("Slumpfrö").fill("2026")
    page.get_by_role("button", name="Dra stickprovet").click()
    page.wait_for_load_state()
    sample = Sample.objects.get()
    assert f"/stickprov/{sample.pk}/" in page.url, page.locator("main").inner_text()[:1000]
    assert "Stickprovet är draget" in page.locator("body").inner_text()
    assert page.get_by_text(str(sample.seed), exact=True).count() == 1

    first, second = list(
        SampleItem.objects.filter(sample=sample, top_stratum=False).order_by("position")[:2]
    )
    # the first item without remark
    page.get_by_role("link", name=first.key, exact=True).click()
    assert "Fakturan som den importerades" in page.locator("main").inner_text()
    assert unlabelled_fields(page) == []
    page.get_by_label("utan anmärkning").check()
    page.get_by_role("button", name="Spara resultatet").click()
    page.wait_for_load_state()
    assert f"/stickprov/{sample.pk}/" in page.url, page.locator("main").inner_text()[:1000]

    # the second a deviation: the invoice should have been half its amount
    audited = (second.book_amount / 2).quantize(Decimal("0.01"))
    page.get_by_role("link", name=second.key, exact=True).click()
    page.get_by_label("avvikelse", exact=True).check()
    page.get_by_label("Typ av avvikelse").select_option("wrong_amount")
    page.get_by_label("Granskat belopp (kr)").fill(str(audited).replace(".", ","))
    page.locator("textarea[name=note]").fill("Fakturerat dubbla timmar mot avtalet.")
    page.get_by_role("button", name="Spara resultatet").click()
    page.wait_for_load_state()

    # the projection: 2 of n examined, one deviation, the upper limit as computed
    ev = evaluation(sample)
    assert (ev["examined"], ev["deviations"]) == (2, 1)
    text = page.locator("main").inner_text()
    assert f"2 av {sample.items.count()} poster granskade. Avvikelser: 1." in text, text[:600]
    assert page.locator("#projected").inner_text() == format_amount(
        ev["result"]["projected_misstatement"]
    )
    assert page.locator("#upper-limit").inner_text() == format_amount(ev["result"]["upper_limit"])
    tainting = (second.book_amount - audited) / second.book_amount
    assert ev["result"]["upper_limit"] == sample.interval * (
        Decimal("3.00") + tainting * Decimal("1.75")
    )

    # a case from the deviation
    page.get_by_role("link", name=second.key, exact=True).click()
    page.get_by_role("button", name="Öppna ett ärende från avvikelsen").click()
    page.wait_for_load_state()
    case = Case.objects.get()
    assert f"Ärende {case.number} öppnades från avvikelsen." in page.locator("body").inner_text()
    assert (case.source, case.case_type) == ("sample", "supplier")
    assert case.amount_concerned == second.book_amount - audited
    page.get_by_role("link", name=second.key, exact=True).click()
    page.get_by_role("link", name="Öppna ärendet").click()
    page.wait_for_load_state()
    assert f"/arenden/{case.pk}/" in page.url
