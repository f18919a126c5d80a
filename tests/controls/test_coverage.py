"""Coverage by risk area: `tillit controls list` and the control library list each of the catalogue's 47
risk areas with the controls that serve it and the data sets they need."""

from __future__ import annotations

import pytest

from tillit.analytics.registry import all_controls


def test_every_catalogue_area_once_with_the_controls_that_name_it():
    from tillit.analytics.refdata import risk_areas
    from tillit.controls.coverage import coverage_by_area

    rows = coverage_by_area({"grants"})
    catalogue = [a["name"] for a in risk_areas()["risk_areas"]]
    assert len(catalogue) == 47
    assert [r.name for r in rows][:47] == catalogue
    by_name = {r.name: r for r in rows}
    for control in all_controls():
        for area in control.risk_areas:
            assert control.id in by_name[area].controls
    lms = by_name["Arbetsmarknadsinsatser"]
    assert lms.controls == ("LMS-ATTENDANCE-IMPOSSIBLE",)
    assert (lms.datasets, lms.missing) == (("programme_attendance",), ("programme_attendance",))
    grants = by_name["Föreningsbidrag/IOP-avtal"]
    assert "GRANT-ACTIVITY" in grants.controls and "grants" not in grants.missing
    assert by_name["Bygglov"].controls == () and by_name["Bygglov"].datasets == ()


@pytest.mark.django_db
def test_controls_list_prints_each_risk_area(kommun_a, capsys):
    from tests.controls.conftest import cli

    assert cli(["--municipality", "0180", "controls", "list"]) == 0
    out = capsys.readouterr().out
    areas = out.split("\n\n", 1)[1].splitlines()
    assert areas[0].split("\t") == [
        "#",
        "Riskområde",
        "Kontroller",
        "Datamängder som behövs",
        "Finns",
    ]
    rows = {line.split("\t")[1]: line.split("\t") for line in areas[1:]}
    assert len(rows) == 47
    assert rows["Arbetsmarknadsinsatser"] == [
        "4",
        "Arbetsmarknadsinsatser",
        "LMS-ATTENDANCE-IMPOSSIBLE",
        "programme_attendance",
        "saknas: programme_attendance",
    ]
    assert rows["Bygglov"][2] == "ingen kontroll: följs upp genom ärenden och riskanalysen"


def test_the_control_library_page_shows_coverage_by_risk_area(client, personas, login):
    login(client, personas["coordinator"])
    page = client.get("/kontroller/bibliotek/").content.decode()
    section = page.split('id="coverage"', 1)[1].split("</table>", 1)[0]
    assert "Täckning per riskområde" in page
    assert section.count("<tr>") == 48  # the header and the 47 areas
    row = section.split("Bostadsanpassning</td>", 1)[1].split("</tr>", 1)[0]
    assert "BAB-REPEAT" in row and "BAB-NOT-REGISTERED" in row and "housing_adaptations" in row
    assert "(saknas)" in row  # no housing adaptations imported
    row = section.split("Bygglov</td>", 1)[1].split("</tr>", 1)[0]
    assert "Ingen kontroll: följs upp genom ärenden och riskanalysen." in row
