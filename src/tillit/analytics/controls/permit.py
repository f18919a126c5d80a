"""PERMIT-*: permits. Parking permits for people with disabilities still valid after the holder's death."""

from __future__ import annotations

from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.registry import Control, register

register(
    Control(
        id="PERMIT-DECEASED",
        version=1,
        title=_("Parking permit after death"),
        rationale=_("A disabled parking permit that stays valid after the holder's date of death."),
        why=_(
            "A parking permit for disabled people is personal; after the holder's death it must be withdrawn, "
            "otherwise relatives or others keep using it, which is the most common misuse. Example: a permit "
            "valid until 31 May 2027 whose holder died on 11 February 2025. A permit that ends on the day of death is "
            "not a hit."
        ),
        legal_ground=_(
            "Road Traffic Ordinance (1998:1276) ch. 13 sec. 8–12 (parking permits for disabled people)."
        ),
        risk_areas=("Parkeringstillstånd",),
        severity="medel",
        case_type="building",
        subject_type="person",
        inputs={
            "parking_permits": ("permit_id", "holder", "valid_to"),
            "population": ("personnummer", "status", "status_date"),
        },
        evidence={
            "parking_permits": ("valid_from", "valid_to"),
            "population": ("status", "status_date"),
        },
        sql="""
SELECT 'person' AS subject_type,
       p.holder AS subject_id,
       CAST(0 AS DECIMAL(18,2)) AS amount_at_risk,
       ['parking_permits:' || p.permit_id, 'population:' || p.holder] AS evidence_keys,
       p.permit_id,
       p.valid_to,
       d.status_date
FROM parking_permits AS p
JOIN population AS d ON d.personnummer = p.holder
WHERE lower(d.status) = 'avliden' AND d.status_date IS NOT NULL
  -- strictly after the death: a permit whose last day is the date of death is not a hit
  AND p.valid_to > d.status_date
""",
        explanation=_(
            "Parking permit %(permit_id)s is valid until %(valid_to)s; its holder died on %(status_date)s."
        ),
    )
)
