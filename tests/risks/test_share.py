"""Sharing a catalogue or a template: the envelope, its origin kept on import, and no personal data."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.urls import reverse

from tillit.risks import operative, services, share, workshops
from tillit.risks.models import OperativeAnalysis, RiskArea


def _schema_check(data):
    try:
        import jsonschema
    except ImportError:  # the hand validator below is the one the import uses
        return
    jsonschema.validate(data, share.schema())


def test_catalogue_export_has_the_envelope_and_no_personal_data(personas):
    user = personas["coordinator"]
    user.first_name, user.last_name, user.email = "Alice", "Andersson", "alice@kommun-a.se"
    user.save()
    m = user.municipality
    r10 = RiskArea.objects.get(municipality=m, code="R10")
    r10.description = "Upptäckt av Alice Andersson, ring 070-123 45 67 eller alice@kommun-a.se, ärende 19121212-1212"
    r10.save()
    services.assessment_create(
        risk_area=r10,
        user=user,
        gross_probability=3,
        gross_consequence=4,
        gross_motivation="Alice Andersson bedömde",
    )
    w = workshops.workshop_create(
        municipality=m,
        title="WS",
        held_on=date(2026, 1, 1),
        risk_areas=[r10],
        participants=["Bertil Bengtsson"],
    )
    data = share.catalogue_export(m)
    assert (
        data["format"] == "tillit-share"
        and data["version"] == 1
        and data["kind"] == "risk-catalogue"
    )
    assert set(data["origin"]) == {
        "municipality_code",
        "municipality_name",
        "exported_at",
        "tillit_version",
    }
    assert data["origin"]["municipality_code"] == "0180"
    share.validate(data)
    _schema_check(data)
    text = share.dumps(data).decode()
    for personal in (
        "Alice",
        "Andersson",
        "alice@",
        "070-123",
        "19121212",
        "alice",
        "Bertil",
        w.participants.get().token,
    ):
        assert personal not in text, personal
    row = next(a for a in data["content"]["risk_areas"] if a["code"] == "R10")
    assert row["valuation"]["gross_probability"] == 3
    assert "Alice" not in json.dumps(row)


def test_import_keeps_origin_and_skips_what_is_there(personas):
    a = personas["coordinator"].municipality
    b = personas["other_investigator"].municipality
    services.risk_area_create(municipality=a, name="Lönebidrag", description="Egen risk")
    raw = share.dumps(share.catalogue_export(a))
    result = share.import_file(municipality=b, raw=raw)
    assert result == {"kind": "risk-catalogue", "added": 1, "skipped": 47}
    imported = RiskArea.objects.get(municipality=b, name="Lönebidrag")
    assert "Kommun A" in imported.origin and "0180" in imported.origin


def test_template_round_trip_and_bad_files_change_nothing(personas):
    a = personas["coordinator"].municipality
    b = personas["other_investigator"].municipality
    analysis = operative.analysis_create(municipality=a, name="Verksamhetsanalys", year=2026)
    operative.answer_save(
        analysis=analysis,
        department="Socialförvaltningen",
        operation="Bistånd",
        answers={"past_abuse": "Hemligt svar"},
        answered_on=date(2026, 1, 1),
    )
    data = share.template_export(analysis)
    _schema_check(data)
    assert "Hemligt svar" not in share.dumps(data).decode()
    result = share.import_file(municipality=b, raw=share.dumps(data))
    new = result["analysis"]
    assert new.questions == analysis.questions and "Kommun A" in new.origin
    before = (
        RiskArea.objects.filter(municipality=b).count(),
        OperativeAnalysis.objects.filter(municipality=b).count(),
    )
    broken = json.loads(share.dumps(share.catalogue_export(a)))
    broken["content"]["risk_areas"][3]["valuation"] = {"gross_probability": 99}
    broken["content"]["risk_areas"][0]["name"] = "Helt ny risk"
    with pytest.raises(share.ShareError) as error:
        share.import_file(municipality=b, raw=json.dumps(broken).encode())
    assert "4" in str(error.value)
    for bad in (
        b"not json",
        json.dumps({"format": "other"}).encode(),
        json.dumps({**broken, "version": 2}).encode(),
    ):
        with pytest.raises(share.ShareError):
            share.import_file(municipality=b, raw=bad)
    assert (
        RiskArea.objects.filter(municipality=b).count(),
        OperativeAnalysis.objects.filter(municipality=b).count(),
    ) == before


def test_share_pages_download_and_import(client, personas, login):
    user = personas["coordinator"]
    login(client, user)
    response = client.get(reverse("risk-share-catalogue", args=["json"]))
    assert response.status_code == 200 and response.json()["kind"] == "risk-catalogue"
    docx = client.get(reverse("risk-share-catalogue", args=["docx"]))
    from docx import Document

    cells = [
        c.text for t in Document(io.BytesIO(docx.content)).tables for r in t.rows for c in r.cells
    ]
    assert "Fakturahantering" in cells
    assert client.get(reverse("risk-share-catalogue", args=["pdf"])).content.startswith(b"%PDF")
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.json", b"{", content_type="application/json")
    response = client.post(reverse("risk-share"), {"file": bad})
    assert response.status_code == 400 and "JSON" in response.content.decode()
