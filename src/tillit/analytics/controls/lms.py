"""LMS-*: labour-market programmes (arbetsmarknadsinsatser): attendance that cannot be true.

Attendance is read per participant and day, across every programme and provider. Death and
emigration follow the day rule of the first family: attendance on the day of death or emigration
counts, attendance strictly after it does not (population's status_date of avliden or utvandrad).
One hit per participant and calendar month, listing every attendance row behind it; the data set
holds hours, not money, so the amount at risk is 0.
"""

from __future__ import annotations

from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.registry import Control, Param, register

ATTENDANCE_EVIDENCE = ("participant", "programme", "provider_orgnr", "date", "hours")

register(
    Control(
        id="LMS-ATTENDANCE-IMPOSSIBLE",
        version=1,
        title=_("Attendance that cannot be true"),
        rationale=_(
            "Attendance in labour-market programmes registered for a participant after the participant died or "
            "emigrated, or more than 10 hours in one day across all programmes and providers."
        ),
        why=_(
            "The municipality pays providers and participants for attendance that the providers report; fictitious "
            "participants and invented attendance are the typical fraud in labour-market programmes. Attendance "
            "after a participant has died or left the country, or more hours in one day than a person can attend, "
            "cannot have taken place. Example: a participant is reported at work training with one provider from "
            "8 to 16 and at a language course with another for 4 hours the same day, 12 hours in all."
        ),
        legal_ground=_(
            "Local Government Act (2017:725) ch. 6 sec. 6 (internal control); the Swedish Public Employment "
            "Service's and the municipality's agreements with programme providers (payment for attendance "
            "actually given)."
        ),
        risk_areas=("Arbetsmarknadsinsatser", "Folkbokföring"),
        severity="medel",
        case_type="other",
        subject_type="person",
        inputs={
            "programme_attendance": ("attendance_id", "participant", "programme", "date", "hours"),
        },
        optional_inputs=("population",),
        params={
            "max_hours": Param(
                10,
                min=1,
                max=24,
                description=_("Most hours of attendance one participant can have in one day."),
            )
        },
        evidence={"programme_attendance": ATTENDANCE_EVIDENCE},
        sql="""
WITH a AS (
    SELECT attendance_id, participant, programme, provider_orgnr, date, hours,
           strftime(date, '%Y-%m') AS month
    FROM programme_attendance
    WHERE hours > 0
),
gone AS (
    -- attendance strictly after the participant's death or emigration
    SELECT a.attendance_id, a.participant, a.month, a.date, a.hours, lower(trim(p.status)) AS status,
           p.status_date
    FROM a
    JOIN population AS p ON p.personnummer = a.participant
    WHERE lower(trim(p.status)) IN ('avliden', 'utvandrad') AND a.date > p.status_date
),
days AS (
    SELECT participant, date, month, sum(hours) AS hours FROM a GROUP BY participant, date, month
),
long_days AS (
    SELECT participant, date, month, hours FROM days WHERE hours > $max_hours
),
flagged AS (
    SELECT DISTINCT a.attendance_id, a.participant, a.month FROM gone AS a
    UNION
    SELECT a.attendance_id, a.participant, a.month
    FROM a JOIN long_days AS d ON d.participant = a.participant AND d.date = a.date
),
by_month AS (
    SELECT participant, month, list_sort(list('programme_attendance:' || attendance_id)) AS evidence_keys
    FROM flagged GROUP BY participant, month
),
gone_by_month AS (
    SELECT participant, month, min(status) AS status, min(status_date) AS status_date,
           CAST(count(DISTINCT date) AS BIGINT) AS gone_days, CAST(sum(hours) AS DOUBLE) AS gone_hours
    FROM gone GROUP BY participant, month
),
long_by_month AS (
    SELECT participant, month, CAST(count(*) AS BIGINT) AS long_days, CAST(max(hours) AS DOUBLE) AS max_hours
    FROM long_days GROUP BY participant, month
),
longest AS (
    SELECT participant, month, min(date) AS longest_day
    FROM (SELECT participant, month, date, hours,
                 max(hours) OVER (PARTITION BY participant, month) AS top
          FROM long_days) AS x
    WHERE hours = top
    GROUP BY participant, month
)
SELECT 'person' AS subject_type,
       m.participant AS subject_id,
       CAST(0 AS DECIMAL(18,2)) AS amount_at_risk,
       m.evidence_keys,
       CASE WHEN g.status = 'avliden' THEN 'hög' ELSE 'medel' END AS severity,
       coalesce(g.status, 'long_days') || CASE WHEN g.status IS NOT NULL AND l.long_days IS NOT NULL
                                                THEN '_and_long_days' ELSE '' END AS explanation_key,
       m.participant,
       m.month,
       g.status_date,
       coalesce(g.gone_days, 0) AS gone_days,
       coalesce(g.gone_hours, CAST(0 AS DOUBLE)) AS gone_hours,
       coalesce(l.long_days, 0) AS long_days,
       l.max_hours,
       t.longest_day,
       $max_hours AS limit_hours
FROM by_month AS m
LEFT JOIN gone_by_month AS g ON g.participant = m.participant AND g.month = m.month
LEFT JOIN long_by_month AS l ON l.participant = m.participant AND l.month = m.month
LEFT JOIN longest AS t ON t.participant = m.participant AND t.month = m.month
""",
        explanation={
            "avliden": _(
                "%(participant)s has %(gone_hours)s hours of attendance in %(month)s after dying on %(status_date)s "
                "(number of days: %(gone_days)s)."
            ),
            "utvandrad": _(
                "%(participant)s has %(gone_hours)s hours of attendance in %(month)s after emigrating on "
                "%(status_date)s (number of days: %(gone_days)s)."
            ),
            "long_days": _(
                "%(participant)s has more than %(limit_hours)s hours of attendance in one day, across all programmes "
                "and providers (number of such days in %(month)s: %(long_days)s), at most %(max_hours)s hours on "
                "%(longest_day)s."
            ),
            "avliden_and_long_days": _(
                "%(participant)s has %(gone_hours)s hours of attendance in %(month)s after dying on %(status_date)s "
                "(number of days: %(gone_days)s), and more than %(limit_hours)s hours in one day (number of such "
                "days: %(long_days)s), at most %(max_hours)s hours on %(longest_day)s."
            ),
            "utvandrad_and_long_days": _(
                "%(participant)s has %(gone_hours)s hours of attendance in %(month)s after emigrating on "
                "%(status_date)s (number of days: %(gone_days)s), and more than %(limit_hours)s hours in one day "
                "(number of such days: %(long_days)s), at most %(max_hours)s hours on %(longest_day)s."
            ),
        },
    )
)
