"""The pages: who may draw, record and open cases; access-logged item views; the reports in Swedish."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _log_rows(object_type):
    from tillit.accounts.models import AccessLogEntry

    return list(AccessLogEntry.objects.filter(object_type=object_type).order_by("id"))


def test_a_controller_draws_records_and_an_investigator_opens_the_case(
    client, login, personas, invoices, kommun_a
):
    from tillit.cases.models import Case
    from tillit.sampling.models import Sample, SampleItem

    login(client, personas["controller"])
    assert client.get(reverse("sampling-list")).status_code == 200
    response = client.post(
        reverse("sampling-create"),
        {
            "title": "Attesterade fakturor Socialnämnden 2026",
            "method": "mus",
            "confidence": "0.95",
            "tolerable_misstatement": "300 000,00",
            "boards": ["Socialnämnden"],
            "period_from": "2026-01-01",
            "period_to": "2026-12-31",
            "seed": "12345",
        },
    )
    sample = Sample.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "sampling-detail", args=[sample.pk]
    )
    assert sample.filters["boards"] == ["Socialnämnden"] and sample.seed == 12345
    assert sample.tolerable_misstatement == Decimal("300000.00")
    page = client.get(reverse("sampling-detail", args=[sample.pk]))
    assert page.status_code == 200
    assert len(_log_rows("sample")) == 1  # the worklist names suppliers: one row
    item = sample.items.filter(top_stratum=False).first()
    assert client.get(reverse("sampling-item", args=[item.pk])).status_code == 200
    assert [r.object_id for r in _log_rows("sampleitem")] == [str(item.pk)]
    # a deviation without the audited amount is refused and nothing changes
    bad = client.post(
        reverse("sampling-item", args=[item.pk]),
        {"result": "deviation", "deviation_type": "wrong_amount", "note": "för högt"},
    )
    assert bad.status_code == 400 and SampleItem.objects.get(pk=item.pk).result == ""
    assert "granskat belopp" in bad.content.decode().lower()
    ok = client.post(
        reverse("sampling-item", args=[item.pk]),
        {
            "result": "deviation",
            "deviation_type": "wrong_amount",
            "audited_amount": "100,00",
            "note": "för högt",
        },
    )
    assert ok.status_code == 302
    item.refresh_from_db()
    assert (item.result, item.audited_amount) == ("deviation", Decimal("100.00"))
    body = client.get(reverse("sampling-detail", args=[sample.pk])).content.decode()
    assert "Övre felgräns" in body and "Framräknat fel" in body
    # opening a case takes hits.triage (the controller holds it)
    assert client.post(reverse("sampling-item-case", args=[item.pk])).status_code == 302
    login(client, personas["investigator"])
    case = Case.objects.get()
    assert case.source == "sample" and case.amount_concerned == item.book_amount - Decimal("100.00")
    # an investigator sees samples but cannot draw or record
    assert client.get(reverse("sampling-create")).status_code == 403
    assert (
        client.post(reverse("sampling-item", args=[item.pk]), {"result": "correct"}).status_code
        == 403
    )


def test_reviewers_and_other_municipalities_see_nothing(
    client, login, personas, invoices, kommun_a
):
    from tillit.sampling.services import sample_draw

    sample = sample_draw(
        municipality=kommun_a,
        user=None,
        title="T",
        method="srs",
        confidence=Decimal("0.90"),
        sample_size=5,
        seed=1,
    )
    login(client, personas["reviewer"])
    assert client.get(reverse("sampling-list")).status_code == 403
    login(client, personas["other_investigator"])
    assert client.get(reverse("sampling-detail", args=[sample.pk])).status_code == 404
    assert client.get(reverse("sampling-item", args=[sample.items.first().pk])).status_code == 404
    assert client.get(reverse("sampling-report", args=[sample.pk, "pdf"])).status_code == 404


def test_the_reports_are_swedish_and_logged_as_exports(client, login, personas, invoices, kommun_a):
    from openpyxl import load_workbook

    from tillit.sampling.services import item_record, sample_draw

    sample = sample_draw(
        municipality=kommun_a,
        user=personas["controller"],
        title="Uppföljning 2026",
        method="mus",
        confidence=Decimal("0.95"),
        tolerable_misstatement=Decimal("500000"),
        seed=5,
    )
    item = sample.items.filter(top_stratum=False).first()
    item_record(
        item=item,
        user=personas["controller"],
        result="deviation",
        deviation_type="missing_basis",
        audited_amount=Decimal(0),
        note="Underlag saknas",
    )
    login(client, personas["coordinator"])
    pdf = client.get(reverse("sampling-report", args=[sample.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = client.get(reverse("sampling-report", args=[sample.pk, "xlsx"]))
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    summary = {
        row[0]: row[1]
        for row in book.worksheets[0].iter_rows(min_row=4, values_only=True)
        if row[0]
    }
    total = f"{sample.population_total:,.2f}".replace(",", "\u00a0").replace(".", ",")
    assert summary["Populationens totalbelopp"] == f"{total}\u00a0kr"
    assert summary["Konfidensnivå"] == "95\u00a0%"
    assert summary["Avvikelser"] == "1"
    assert summary["Draget"].count("-") == 2  # 2026-12-02
    items = list(book.worksheets[1].iter_rows(values_only=True))
    assert items[0][:3] == ("Nr", "Faktura", "Leverantör") or items[0][1] == "Faktura"
    deviating = next(r for r in items[1:] if r[1] == item.key)
    assert deviating[5] == "avvikelse" and deviating[6] == "saknar underlag"
    exports = [r for r in _log_rows("sample report")]
    assert [(r.action, r.object_id) for r in exports] == [
        ("export", str(sample.pk)),
        ("export", str(sample.pk)),
    ]
    assert client.get(reverse("sampling-report", args=[sample.pk, "docx"])).status_code == 404


def test_the_api_lists_samples_with_their_projection(client, login, personas, invoices, kommun_a):
    from tillit.sampling.services import sample_draw

    sample = sample_draw(
        municipality=kommun_a,
        user=None,
        title="API",
        method="mus",
        confidence=Decimal("0.95"),
        tolerable_misstatement=Decimal("500000"),
        seed=3,
    )
    login(client, personas["coordinator"])
    listed = client.get("/api/samples").json()
    assert [s["id"] for s in listed] == [sample.pk] and listed[0]["seed"] == 3
    one = client.get(f"/api/samples/{sample.pk}").json()
    assert one["sample_size"] == sample.sample_size and one["upper_limit"] is None
    login(client, personas["other_investigator"])
    assert client.get(f"/api/samples/{sample.pk}").status_code == 404
