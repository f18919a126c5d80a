"""Sharing files: a plan or a routine leaves as one versioned JSON file without personal data."""

from __future__ import annotations

import json
from datetime import date

import jsonschema
import pytest

from tillit.plans import services, share
from tillit.plans.models import ActionPlan, Routine


@pytest.fixture
def named_people(kommun_a):
    from tillit.accounts.models import Role
    from tillit.accounts.services import user_create

    return user_create(
        municipality=kommun_a,
        username="annaand",
        password="x" * 20,
        role=Role.COORDINATOR,
        first_name="Anna",
        last_name="Andersson",
        email="anna.andersson@kommun-a.se",
    )


def test_no_personal_data_leaves_in_a_shared_plan(plan, measure_in, personas, named_people):
    m = measure_in(
        plan,
        "1",
        code="1.1",
        text="Anna Andersson tar fram rutinen, ring 070-123 45 67",
        responsible="Anna Andersson, samordnare",
        responsible_user=named_people,
        description="Kontakt anna.andersson@kommun-a.se. Ärendet gällde 19121212-1212.",
    )
    services.measure_note_add(
        measure=m,
        user=named_people,
        text="Anna ringde Tolvan Tolvansson",
        status="ongoing",
        progress=30,
    )
    raw = share.dumps(share.plan_export(plan)).decode("utf-8")
    for secret in (
        "Andersson",
        "anna.andersson",
        "19121212",
        "070-123",
        "Tolvan",
        "annaand",
        str(named_people.pk) + ",",
    ):
        assert secret not in raw, secret
    content = json.loads(raw)["content"]
    measure = content["areas"][0]["measures"][0]
    assert measure["responsible"].startswith("[samordnare]") or measure["responsible"].startswith(
        "[coordinator]"
    )
    assert "notes" not in measure and "responsible_user" not in measure


def test_the_envelope_follows_the_schema_and_the_import_keeps_the_origin(
    plan, measure_in, kommun_b, personas
):
    measure_in(
        plan,
        "1",
        code="1.1",
        deadline=date(2027, 6, 30),
        indicator="Rutin framtagen",
        control_ids=["INV-DUP-EXACT"],
    )
    envelope = share.plan_export(plan)
    jsonschema.validate(envelope, share.schema())
    assert (envelope["format"], envelope["version"], envelope["kind"]) == (
        "tillit-share",
        1,
        "action-plan",
    )
    assert envelope["origin"]["municipality_code"] == "0180"
    imported = share.import_file(
        municipality=kommun_b, user=personas["other_investigator"], raw=share.dumps(envelope)
    )
    assert isinstance(imported, ActionPlan) and imported.municipality == kommun_b
    assert (
        imported.origin["municipality_name"] == "Kommun A"
        and imported.origin["municipality_code"] == "0180"
    )
    m = imported.areas.get(number="1").measures.get()
    assert (m.code, m.deadline, m.indicator, m.control_ids) == (
        "1.1",
        date(2027, 6, 30),
        "Rutin framtagen",
        ["INV-DUP-EXACT"],
    )


def test_a_routine_goes_and_comes_back_with_its_origin(kommun_a, kommun_b, named_people):
    routine = services.routine_create(
        municipality=kommun_a,
        user=None,
        title="Rutin vid misstanke om bidragsbrott",
        kind="routine",
        owner="Anna Andersson",
        version="1.2",
        decided_by="Socialnämnden",
        decided_on=date(2025, 3, 18),
        next_review=date(2026, 3, 18),
        laws=["Bidragsbrottslag (2007:612)"],
        case_steps=["police_report"],
    )
    envelope = share.routine_export(routine)
    jsonschema.validate(envelope, share.schema())
    assert "Andersson" not in share.dumps(envelope).decode("utf-8")
    copy = share.import_file(municipality=kommun_b, user=None, raw=share.dumps(envelope))
    assert isinstance(copy, Routine) and copy.municipality == kommun_b
    assert (copy.version, copy.laws, copy.case_steps) == (
        "1.2",
        ["Bidragsbrottslag (2007:612)"],
        ["police_report"],
    )
    assert copy.origin["municipality_name"] == "Kommun A"


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"not json", "JSON"),
        (b'{"format": "other"}', "tillit-share"),
        (b'{"format": "tillit-share", "version": 2}', "version 2"),
        (
            b'{"format": "tillit-share", "version": 1, "kind": "action-plan", "origin": {}, "content": {}}',
            "origin",
        ),
    ],
)
def test_bad_files_are_refused_with_a_reason_and_nothing_is_written(kommun_b, raw, message):
    with pytest.raises(share.ShareError, match=message):
        share.import_file(municipality=kommun_b, user=None, raw=raw)
    assert not ActionPlan.objects.filter(municipality=kommun_b).exists()


def test_a_plan_with_one_bad_date_is_refused_whole(plan, measure_in, kommun_b):
    measure_in(plan, "1", code="1.1")
    measure_in(plan, "2", code="2.1")
    envelope = share.plan_export(plan)
    envelope["content"]["areas"][1]["measures"][0]["deadline"] = "31/12/2027"
    with pytest.raises(share.ShareError, match="31/12/2027"):
        share.import_file(municipality=kommun_b, user=None, raw=share.dumps(envelope))
    assert not ActionPlan.objects.filter(municipality=kommun_b).exists()


def test_the_reading_copies_open(plan, measure_in):
    import io

    from docx import Document
    from pypdf import PdfReader

    from tillit.plans import report

    measure_in(plan, "1", code="1.1", text="Kartlägga riskområden")
    envelope = share.plan_export(plan)
    doc = Document(io.BytesIO(report.share_docx(envelope)))
    assert any(
        "Kartlägga riskområden" in c.text for t in doc.tables for r in t.rows for c in r.cells
    )
    text = PdfReader(io.BytesIO(report.share_pdf(envelope))).pages[0].extract_text()
    assert "Kartlägga riskområden" in text and "Kommun A" in text


def test_the_command_line_exports_and_imports_a_plan(plan, measure_in, kommun_a, tmp_path, capsys):
    from tillit.cli import main

    measure_in(plan, "1", code="1.1", text="Kartlägga riskområden")
    path = tmp_path / "plan.tillit.json"
    assert (
        main(["--municipality", "0180", "plans", "export", str(plan.pk), "--output", str(path)])
        == 0
    )
    assert json.loads(path.read_text("utf-8"))["kind"] == "action-plan"
    assert main(["--municipality", "1280", "plans", "import", str(path)]) == 0
    copy = ActionPlan.objects.get(municipality__code="1280")
    assert copy.origin["municipality_code"] == "0180"
    path.write_text("{}", encoding="utf-8")
    assert main(["--municipality", "1280", "plans", "import", str(path)]) == 1
    assert "tillit-share" in capsys.readouterr().err
    assert ActionPlan.objects.filter(municipality__code="1280").count() == 1
