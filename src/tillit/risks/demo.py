"""The demo municipality's risk analysis: the catalogue, a few valued areas, a risk position and a
row of the social board's internal control plan."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.accounts.models import Board
from tillit.risks.models import ControlPlanItem, RiskArea, RiskAssessment, RiskPosition
from tillit.risks.services import assessment_create, catalogue_load

# code, owner board, exposure kr, (gross p, c), (net p, c), unlawful influence, motivation
DEMO_VALUATIONS = [
    (
        "R10",
        "Socialnämnden",
        "48000000",
        (4, 4),
        (3, 3),
        3,
        "Hög utbetalningsnivå, tidigare fall av felaktiga underlag.",
    ),
    (
        "R14",
        "Kommunstyrelsen",
        "950000000",
        (4, 3),
        (3, 3),
        2,
        "Många leverantörer, kontroll av dubbelbetalningar finns.",
    ),
    (
        "R18",
        "Kultur- och fritidsnämnden",
        "22000000",
        (3, 3),
        (3, 2),
        2,
        "Flera nämnder ger bidrag till samma förening.",
    ),
    (
        "R21",
        "Vård- och omsorgsnämnden",
        "310000000",
        (3, 4),
        (3, 3),
        3,
        "LOV-utförare, risk för ej utförda insatser.",
    ),
    (
        "R44",
        "Kommunstyrelsen",
        "600000000",
        (3, 4),
        (2, 4),
        4,
        "Direktupphandlingar utan kontroll av motparten.",
    ),
    (
        "R38",
        "Kommunstyrelsen",
        None,
        (2, 3),
        (2, 2),
        3,
        "Rekrytering till befattningar med beslutsmandat.",
    ),
    (
        "R04",
        "Arbetsmarknadsnämnden",
        "35000000",
        (3, 2),
        (2, 2),
        1,
        "Fiktiv närvaro hos anordnare.",
    ),
]


def demo_risks(municipality, args=None) -> None:
    catalogue_load(municipality=municipality)
    if RiskAssessment.objects.filter(municipality=municipality).exists():
        print(_("The demo risk analysis is already there."), flush=True)
        return
    boards = {b.name: b for b in Board.objects.filter(municipality=municipality)}
    today = timezone.localdate()
    for code, board_name, exposure, gross, net, influence, motivation in DEMO_VALUATIONS:
        area = RiskArea.objects.filter(municipality=municipality, code=code).first()
        if area is None:
            continue
        if exposure:
            area.exposure_kr = Decimal(exposure)
            area.save(update_fields=["exposure_kr", "updated_at"])
        if board_name in boards:
            area.owner_boards.add(boards[board_name])
        # last year's valuation first, so the history shows a change
        assessment_create(
            risk_area=area,
            assessed_on=today - timedelta(days=365),
            gross_probability=gross[0],
            gross_consequence=gross[1],
            unlawful_influence=influence,
            gross_motivation=motivation,
        )
        assessment_create(
            risk_area=area,
            assessed_on=today,
            gross_probability=gross[0],
            gross_consequence=gross[1],
            net_probability=net[0],
            net_consequence=net[1],
            unlawful_influence=influence,
            gross_motivation=motivation,
            net_motivation=_("After the existing controls."),
            gross_foundation="fair",
            net_foundation="fair",
        )
    RiskPosition.objects.get_or_create(
        municipality=municipality,
        title="Enhetschef ekonomiskt bistånd",
        defaults={
            "reason": "Beslutar om utbetalningar av försörjningsstöd.",
            "power": ["payments", "decisions"],
            "routine": ["identity", "references", "register_extract"],
            "unit": "Socialförvaltningen",
            "board": boards.get("Socialnämnden"),
        },
    )
    social = boards.get("Socialnämnden")
    r10 = RiskArea.objects.filter(municipality=municipality, code="R10").first()
    if social and r10 and not ControlPlanItem.objects.filter(board=social).exists():
        ControlPlanItem.objects.create(
            municipality=municipality,
            board=social,
            year=today.year,
            risk_area=r10,
            activity="Stickprov av beslut om försörjningsstöd mot folkbokföring och inkomstuppgifter.",
            method="Stickprov 25 ärenden",
            frequency="Två gånger per år",
            responsible="Enhetschef ekonomiskt bistånd",
        )
    print(
        _("The demo risk analysis: %(n)s risk areas valued.") % {"n": len(DEMO_VALUATIONS)},
        flush=True,
    )
