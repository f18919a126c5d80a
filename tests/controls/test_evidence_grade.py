"""Graded evidence in the review queue (issue 17): each duplicate-family hit carries its grade and
the named reasons behind it (analytics/evidence.py), the queue sorts and filters by it, and the
weak groups are one summary line unless asked for as hits."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl

from tests.analytics.conftest import write_source
from tillit.analytics.runner import run_controls
from tillit.controls.models import Hit, Run
from tillit.controls.services import publish_hits


def _payment(pid: str, day: date, amount: str, account: str, invoice: str | None = None) -> dict:
    return {
        "payment_id": pid,
        "payment_date": day,
        "amount": Decimal(amount),
        "bank_account": account,
        "invoice_id": invoice,
        "payee_id": account.removeprefix("BG:"),
        "payee_name": f"Mottagare {account}",
    }


def _publish(tmp_path, municipality) -> None:
    weekly = [date(2025, 3, 3) + timedelta(days=7 * i) for i in range(12)]
    payments = [
        # strong: a manual payment six days after the invoice's payment
        _payment("S1", date(2025, 4, 2), "19874.40", "BG:1", invoice="I1"),
        _payment("S2", date(2025, 4, 8), "19874.40", "BG:1"),
        # weak: twice on one day
        _payment("W1", date(2025, 4, 3), "2300.00", "BG:2"),
        _payment("W2", date(2025, 4, 3), "2300.00", "BG:2"),
        # medium: a weekly series paid once more two days after a weekly payment
        *(_payment(f"M{i}", d, "4200.00", "BG:3") for i, d in enumerate(weekly)),
        _payment("M99", date(2025, 4, 23), "4200.00", "BG:3"),
    ]
    sources = {"payments": write_source(tmp_path, "payments", payments)}
    result = run_controls(sources, ["PAY-DUP"])
    run = Run.objects.create(municipality=municipality, control_ids=["PAY-DUP"])
    publish_hits(run, result, {}, {})


def test_hits_carry_their_grade_and_the_queue_sorts_filters_and_summarises(
    tmp_path, kommun_a, personas, client, login
):
    _publish(tmp_path, kommun_a)
    stored = {
        h.evidence_keys[0]: (h.evidence_grade, h.evidence_rank, h.evidence_reasons)
        for h in Hit.objects.filter(control_id="PAY-DUP")
    }
    assert stored == {
        "payments:S1": ("strong", 3, ["different_dates"]),
        "payments:W1": ("weak", 1, ["same_day"]),
        "payments:M7": ("medium", 2, ["different_dates", "series"]),
    }
    login(client, personas["coordinator"])

    def listed(query: str = "") -> list[str]:
        page = client.get(f"/kontroller/{query}")
        assert page.status_code == 200
        return [h.evidence_keys[0] for h in page.context["page"]]

    # by default the weak group is one summary line, not a hit
    page = client.get("/kontroller/")
    assert sorted(listed()) == ["payments:M7", "payments:S1"]
    text = page.content.decode()
    # … in the figures loaded after the list
    figures = client.get("/kontroller/antal/")
    assert figures.context["weak_summary"]["count"] == 1
    assert figures.context["weak_summary"]["amount"] == Decimal("2300.00")
    assert figures.context["count"] == 2
    figures_text = figures.content.decode()
    assert "1 dubblettgrupper med enbart svag bevisning" in figures_text
    assert "/kontroller/?" in figures_text
    assert "evidence=weak" in figures_text and "weak=list" in figures_text
    # as hits, and filtered by grade
    assert sorted(listed("?weak=list")) == ["payments:M7", "payments:S1", "payments:W1"]
    assert listed("?evidence=weak") == ["payments:W1"]
    assert listed("?evidence=strong") == ["payments:S1"]
    # sorted by the score (amount × weight) or by the evidence first
    assert listed("?weak=list") == ["payments:S1", "payments:M7", "payments:W1"]
    assert listed("?weak=list&order=evidence") == ["payments:S1", "payments:M7", "payments:W1"]
    hit = Hit.objects.get(evidence_grade="medium")
    hit.score = Decimal("99999999")
    hit.save(update_fields=["score"])
    assert listed("?weak=list") == ["payments:M7", "payments:S1", "payments:W1"]
    assert listed("?weak=list&order=evidence") == ["payments:S1", "payments:M7", "payments:W1"]
    # the grade in words, on the queue and on the hit's page
    assert "stark" in text and "samma fordran på olika datum" in text
    detail = client.get(f"/kontroller/traffar/{hit.pk}/").content.decode()
    assert (
        "Bevisning: medel (samma fordran på olika datum; en upprepning inom en återkommande serie "
        "med samma belopp)." in detail
    )
    # the Excel export says it too, for every hit the filter finds (weak ones included)
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get("/kontroller/export.xlsx?evidence=weak").content)
    )
    rows = list(workbook.active.iter_rows(values_only=True))
    column = rows[0].index("Bevisningens styrka")
    assert [r[column] for r in rows[1:] if r and isinstance(r[0], int)] == [
        "Bevisning: svag (allt samma dag)."
    ]
    # a bad grade is the caller's error
    assert client.get("/kontroller/?evidence=certain").status_code == 400
