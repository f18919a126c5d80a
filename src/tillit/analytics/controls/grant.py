"""GRANT-*: association grants (föreningsbidrag, IOP). Double financing by two boards, conflicts
of interest, networks of associations with the same representatives or account, grants to
deregistered recipients.

A recipient is identified by a valid organisation number, else by the grant's bank account;
the normalised name joins two grants only where one of them lacks a valid organisation number,
because associations with different numbers and accounts are different however alike their
names ("Kvarnby IF" and "Kvarnby FF").
"""

from __future__ import annotations

from tillit.analytics.controls._common import EMPLOYEE_EVIDENCE
from tillit.analytics.controls._sql import NAME_NORM
from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.registry import Control, Param, register

GRANT_AREAS = ("Föreningsbidrag/IOP-avtal",)
GRANT_EVIDENCE = (
    "board",
    "recipient_orgnr",
    "recipient_name",
    "amount",
    "period_from",
    "period_to",
    "purpose",
    "decided_date",
    "paid_date",
    "bank_account",
)
GRANT_LAW = _(
    "Local Government Act (2017:725) ch. 2 sec. 1–2 and ch. 6 sec. 6; the municipality's rules for "
    "association grants."
)


register(
    Control(
        id="GRANT-DOUBLE",
        version=1,
        title=_("Double financing"),
        rationale=_(
            "The same recipient granted money by two or more boards for overlapping periods."
        ),
        why=_(
            "Boards decide on grants each in their own system, so an association can apply to the culture and "
            "leisure board and to the social welfare board for the same activity and be paid twice. Example: "
            "Föreningen Trygga Möten i Syd receives an operating grant for 2025 from the social welfare board, "
            "240 000 kr, and from the culture and leisure board, 185 000 kr. Two associations with different "
            "organisation numbers and accounts are different recipients however alike their names."
        ),
        legal_ground=GRANT_LAW,
        risk_areas=GRANT_AREAS,
        severity="hög",
        case_type="grant",
        subject_type="association",
        inputs={"grants": ("grant_id", "board", "amount", "period_from", "period_to")},
        evidence={"grants": GRANT_EVIDENCE},
        sql=f"""
WITH g AS (
    SELECT grant_id, board, recipient_orgnr, recipient_orgnr_valid, recipient_name, amount, period_from,
           coalesce(period_to, period_from) AS period_to, bank_account,
           {NAME_NORM.format(col="recipient_name")} AS name_norm
    FROM grants
    WHERE amount > 0
),
pairs AS (
    SELECT a.grant_id AS a_id, b.grant_id AS b_id,
           CASE WHEN a.recipient_orgnr_valid AND b.recipient_orgnr_valid AND a.recipient_orgnr = b.recipient_orgnr
                THEN 'orgnr'
                WHEN a.bank_account = b.bank_account THEN 'account'
                ELSE 'name' END AS explanation_key
    FROM g AS a
    JOIN g AS b ON b.grant_id > a.grant_id AND b.board <> a.board
               AND a.period_from <= b.period_to AND b.period_from <= a.period_to
    WHERE (a.recipient_orgnr_valid AND b.recipient_orgnr_valid AND a.recipient_orgnr = b.recipient_orgnr)
       OR (a.bank_account IS NOT NULL AND a.bank_account = b.bank_account)
       OR ((NOT coalesce(a.recipient_orgnr_valid, false) OR NOT coalesce(b.recipient_orgnr_valid, false))
           AND a.name_norm <> '' AND a.name_norm = b.name_norm)
)
SELECT 'association' AS subject_type,
       coalesce(CASE WHEN a.recipient_orgnr_valid THEN a.recipient_orgnr END,
                CASE WHEN b.recipient_orgnr_valid THEN b.recipient_orgnr END, a.recipient_name) AS subject_id,
       least(a.amount, b.amount) AS amount_at_risk,
       list_sort(['grants:' || a.grant_id, 'grants:' || b.grant_id]) AS evidence_keys,
       p.explanation_key,
       a.recipient_name AS name_a, a.board AS board_a, a.amount AS amount_a,
       b.recipient_name AS name_b, b.board AS board_b, b.amount AS amount_b,
       greatest(a.period_from, b.period_from) AS overlap_from,
       least(a.period_to, b.period_to) AS overlap_to,
       coalesce(a.bank_account, '') AS bank_account
FROM pairs AS p
JOIN g AS a ON a.grant_id = p.a_id
JOIN g AS b ON b.grant_id = p.b_id
""",
        explanation={
            "orgnr": _(
                "%(name_a)s was granted %(amount_a)s by %(board_a)s and %(amount_b)s by %(board_b)s for "
                "overlapping periods (%(overlap_from)s to %(overlap_to)s)."
            ),
            "account": _(
                "%(name_a)s (%(board_a)s, %(amount_a)s) and %(name_b)s (%(board_b)s, %(amount_b)s) were granted "
                "money to the same account %(bank_account)s for overlapping periods (%(overlap_from)s to "
                "%(overlap_to)s)."
            ),
            "name": _(
                "%(name_a)s (%(board_a)s, %(amount_a)s) and %(name_b)s (%(board_b)s, %(amount_b)s) have the same "
                "name, one of them without a valid organisation number, and were granted money for overlapping "
                "periods (%(overlap_from)s to %(overlap_to)s)."
            ),
        },
    )
)


register(
    Control(
        id="GRANT-CONFLICT",
        version=1,
        title=_("Conflict of interest in grants"),
        rationale=_(
            "A board member or signatory of the recipient is an employee or an elected member of the board "
            "that granted the money."
        ),
        why=_(
            "Whoever sits on both sides of a grant decision has a conflict of interest and must step aside; an "
            "undeclared double role is the typical route for unlawful influence over grants. Example: a member of "
            "the culture and leisure board sits on the board of an association that the culture and leisure board "
            "grants 142 000 kr."
        ),
        legal_ground=_("Local Government Act (2017:725) ch. 6 sec. 28–32 (conflicts of interest)."),
        risk_areas=("Föreningsbidrag/IOP-avtal", "Bisysslor"),
        severity="hög",
        case_type="grant",
        subject_type="association",
        inputs={
            "grants": ("grant_id", "board", "recipient_orgnr", "amount"),
            "company_roles": ("orgnr", "personnummer", "role"),
            "employees": ("employee_id", "personnummer", "unit"),
        },
        evidence={"grants": GRANT_EVIDENCE, "employees": EMPLOYEE_EVIDENCE},
        sql="""
SELECT 'association' AS subject_type,
       g.recipient_orgnr AS subject_id,
       g.amount AS amount_at_risk,
       list_sort(['grants:' || g.grant_id, 'employees:' || e.employee_id]) AS evidence_keys,
       CASE WHEN coalesce(e.politician, false) THEN 'politician' ELSE 'employee' END AS explanation_key,
       coalesce(e.name, e.employee_id) AS person,
       min(r.role) AS role,
       g.recipient_name,
       g.board,
       g.amount,
       g.decided_date
FROM grants AS g
JOIN company_roles AS r ON r.orgnr = g.recipient_orgnr
JOIN employees AS e ON e.personnummer = r.personnummer AND e.unit = g.board
WHERE g.recipient_orgnr_valid
  AND coalesce(g.decided_date, g.period_from) BETWEEN coalesce(r.valid_from, DATE '0001-01-01')
                                                  AND coalesce(r.valid_to, DATE '9999-12-31')
  AND coalesce(g.decided_date, g.period_from) BETWEEN coalesce(e.employed_from, DATE '0001-01-01')
                                                  AND coalesce(e.employed_to, DATE '9999-12-31')
GROUP BY g.grant_id, g.recipient_orgnr, g.recipient_name, g.board, g.amount, g.decided_date, e.employee_id,
         e.name, e.politician
""",
        explanation={
            "politician": _(
                "%(person)s, an elected member of %(board)s, is %(role)s of %(recipient_name)s, to which "
                "%(board)s granted %(amount)s (decided %(decided_date)s)."
            ),
            "employee": _(
                "%(person)s, employed at %(board)s, is %(role)s of %(recipient_name)s, to which %(board)s "
                "granted %(amount)s (decided %(decided_date)s)."
            ),
        },
    )
)


register(
    Control(
        id="GRANT-NETWORK",
        version=1,
        title=_("Associations with the same representatives"),
        rationale=_(
            "One person sits on the board of, or signs for, three or more associations that received grants "
            "in the same year; or associations share a bank account."
        ),
        why=_(
            "Associations that exist mainly to receive grants are often run as a group by the same few people, "
            "with money moving between them; one person behind many granted associations, or one account for "
            "several, points to such a network. Example: one person sits on the boards of four associations that "
            "each receive activity grants for the spring of 2025."
        ),
        legal_ground=GRANT_LAW,
        risk_areas=GRANT_AREAS,
        severity="medel",
        case_type="grant",
        subject_type="person",
        inputs={"grants": ("grant_id", "recipient_orgnr", "amount", "period_from")},
        optional_inputs=("company_roles",),
        params={
            "min_associations": Param(
                3,
                min=2,
                max=50,
                description=_("Fewest granted associations with one representative."),
            )
        },
        evidence={"grants": GRANT_EVIDENCE},
        sql="""
WITH g AS (
    SELECT grant_id, recipient_orgnr, recipient_name, amount, bank_account,
           year(coalesce(period_from, decided_date)) AS year
    FROM grants
    WHERE amount > 0 AND recipient_orgnr_valid
),
by_person AS (
    SELECT 'person' AS subject_type, r.personnummer AS subject_id, sum(g.amount) AS amount_at_risk,
           list_sort(list('grants:' || g.grant_id)) AS evidence_keys, 'person' AS explanation_key,
           CAST(count(DISTINCT g.recipient_orgnr) AS BIGINT) AS associations, CAST(g.year AS VARCHAR) AS year,
           coalesce(min(r.name), '') AS shared, sum(g.amount) AS total
    FROM g
    JOIN company_roles AS r ON r.orgnr = g.recipient_orgnr
    GROUP BY r.personnummer, g.year
    HAVING count(DISTINCT g.recipient_orgnr) >= $min_associations
),
by_account AS (
    -- one account shared by associations, whatever the year
    SELECT 'account' AS subject_type, g.bank_account AS subject_id, sum(g.amount) AS amount_at_risk,
           list_sort(list('grants:' || g.grant_id)) AS evidence_keys, 'account' AS explanation_key,
           CAST(count(DISTINCT g.recipient_orgnr) AS BIGINT) AS associations,
           CASE WHEN min(g.year) = max(g.year) THEN CAST(min(g.year) AS VARCHAR)
                ELSE CAST(min(g.year) AS VARCHAR) || '–' || CAST(max(g.year) AS VARCHAR) END AS year,
           g.bank_account AS shared, sum(g.amount) AS total
    FROM g
    WHERE g.bank_account IS NOT NULL
    GROUP BY g.bank_account
    HAVING count(DISTINCT g.recipient_orgnr) >= 2
)
SELECT subject_type, subject_id, amount_at_risk, evidence_keys, explanation_key, associations, year, shared, total
FROM (SELECT * FROM by_person UNION ALL SELECT * FROM by_account) AS hits
""",
        explanation={
            "person": _(
                "%(shared)s sits on the board of, or signs for, %(associations)s associations that were granted "
                "%(total)s for %(year)s."
            ),
            "account": _(
                "%(associations)s associations that were granted %(total)s for %(year)s share the bank account "
                "%(shared)s."
            ),
        },
    )
)


register(
    Control(
        id="GRANT-STATUS",
        version=1,
        title=_("Grant to a deregistered recipient"),
        rationale=_(
            "A grant decided while the recipient was deregistered, in bankruptcy or in liquidation."
        ),
        why=_(
            "An association or company that has been deregistered or is being wound up cannot carry out the "
            "activity the grant is for, and the money goes to whoever still controls the account. Example: an "
            "association deregistered on 4 November 2024 is granted 55 000 kr in February 2025."
        ),
        legal_ground=GRANT_LAW,
        risk_areas=GRANT_AREAS,
        severity="hög",
        case_type="grant",
        subject_type="association",
        inputs={
            "grants": ("grant_id", "recipient_orgnr", "amount", "decided_date"),
            "supplier_status": ("orgnr", "checked_date", "status"),
        },
        evidence={"grants": GRANT_EVIDENCE},
        sql="""
WITH at_decision AS (
    -- the newest register status dated (status_date, else checked_date) on or before the decision
    SELECT g.grant_id, g.recipient_orgnr, g.recipient_name, g.amount, g.board, g.decided_date,
           lower(trim(st.status)) AS status, coalesce(st.status_date, st.checked_date) AS status_on,
           row_number() OVER (PARTITION BY g.grant_id
                              ORDER BY coalesce(st.status_date, st.checked_date) DESC, st.checked_date DESC) AS rn
    FROM grants AS g
    JOIN supplier_status AS st ON st.orgnr = g.recipient_orgnr
                              AND coalesce(st.status_date, st.checked_date) <= g.decided_date
    WHERE g.recipient_orgnr_valid AND g.amount > 0
)
SELECT 'association' AS subject_type,
       recipient_orgnr AS subject_id,
       amount AS amount_at_risk,
       ['grants:' || grant_id] AS evidence_keys,
       recipient_name,
       board,
       amount,
       decided_date,
       status,
       status_on
FROM at_decision
WHERE rn = 1 AND status IN ('avregistrerad', 'konkurs', 'likvidation')
""",
        explanation=_(
            "%(board)s granted %(recipient_name)s %(amount)s on %(decided_date)s, when its register status "
            "was %(status)s (since %(status_on)s)."
        ),
    )
)


register(
    Control(
        id="GRANT-ACTIVITY",
        version=1,
        title=_("Grant that does not follow the activity"),
        rationale=_(
            "A grant per reported member above three times the median of the same board's other recipients in "
            "the same year (with at least five to compare), or a grant paid for a year in which the recipient "
            "reported no members or no activities."
        ),
        why=_(
            "Activity and operating grants are meant to follow what an association or foundation does: its members "
            "and its activities. A grant far above what the board gives others per member, or money paid to a "
            "recipient that reported no members or no activities at all, points to inflated or missing reports "
            "behind the decision. Example: Hembygdsföreningen Norra Ed, 30 members, is granted 96 000 kr by the "
            "culture and leisure board, 3 200 kr per member, while the board's other recipients that year were "
            "granted a median of 410 kr per member."
        ),
        legal_ground=GRANT_LAW,
        risk_areas=(
            "Föreningsbidrag/IOP-avtal",
            "Stiftelser (inklusive fonder) som förvaltas av kommunen",
        ),
        severity="låg",
        case_type="grant",
        subject_type="association",
        inputs={
            "grants": (
                "grant_id",
                "board",
                "amount",
                "decided_date",
                "paid_date",
                "reported_members",
                "reported_activities",
            )
        },
        params={
            "limit": Param(
                3,
                min=1,
                max=100,
                description=_(
                    "A grant per member above this many times the median of the board's other recipients is a hit."
                ),
            ),
            "min_recipients": Param(
                5,
                min=2,
                max=1000,
                description=_(
                    "Fewest other recipients of the same board and year to compare with."
                ),
            ),
        },
        evidence={"grants": GRANT_EVIDENCE + ("reported_members", "reported_activities")},
        sql="""
WITH g AS (
    SELECT grant_id, board, recipient_orgnr, recipient_name, amount, decided_date, paid_date,
           reported_members, reported_activities, year(decided_date) AS year,
           coalesce(CASE WHEN recipient_orgnr_valid THEN recipient_orgnr END, bank_account,
                    lower(trim(recipient_name))) AS recipient,
           paid_date IS NOT NULL AND (coalesce(reported_members, 0) = 0
                                      OR coalesce(reported_activities, 0) = 0) AS unreported
    FROM grants
    WHERE amount > 0
),
compared AS (
    -- grants per member, of recipients that reported members and activities
    SELECT *, CAST(round(amount / reported_members, 2) AS DECIMAL(18,2)) AS per_member
    FROM g
    WHERE NOT unreported AND reported_members > 0 AND year IS NOT NULL
),
others AS (
    -- for each grant, the other recipients' grants per member of the same board and year, in order
    SELECT a.grant_id, b.per_member, b.recipient,
           row_number() OVER (PARTITION BY a.grant_id ORDER BY b.per_member, b.grant_id) AS n,
           count(*) OVER (PARTITION BY a.grant_id) AS cnt
    FROM compared AS a
    JOIN compared AS b ON b.board = a.board AND b.year = a.year AND b.recipient <> a.recipient
),
medians AS (
    SELECT grant_id,
           sum(CASE WHEN n = (cnt + 1) // 2 OR n = cnt // 2 + 1 THEN per_member END)
             * CASE WHEN cnt % 2 = 1 THEN 1 ELSE 0.5 END AS median,
           count(DISTINCT recipient) AS recipients
    FROM others
    GROUP BY grant_id, cnt
),
over_median AS (
    SELECT c.*, m.median, m.recipients
    FROM compared AS c
    JOIN medians AS m ON m.grant_id = c.grant_id
    WHERE m.recipients >= $min_recipients AND c.amount > $limit * m.median * c.reported_members
),
hits AS (
    SELECT grant_id, board, recipient_orgnr, recipient_name, amount, decided_date, paid_date,
           reported_members, reported_activities, per_member, median, recipients,
           CAST(round(amount - $limit * median * reported_members, 2) AS DECIMAL(18,2)) AS amount_at_risk,
           'per_member' AS explanation_key
    FROM over_median
    UNION ALL
    SELECT grant_id, board, recipient_orgnr, recipient_name, amount, decided_date, paid_date,
           reported_members, reported_activities, CAST(NULL AS DECIMAL(18,2)), CAST(NULL AS DECIMAL(18,3)),
           CAST(NULL AS BIGINT), amount,
           CASE WHEN coalesce(reported_members, 0) = 0 THEN 'no_members' ELSE 'no_activities' END
    FROM g
    WHERE unreported
)
SELECT 'association' AS subject_type,
       coalesce(recipient_orgnr, recipient_name) AS subject_id,
       amount_at_risk,
       ['grants:' || grant_id] AS evidence_keys,
       explanation_key,
       recipient_name, board, amount, decided_date, paid_date,
       coalesce(reported_members, 0) AS members,
       coalesce(reported_activities, 0) AS activities,
       per_member,
       CAST(round(median, 2) AS DECIMAL(18,2)) AS median,
       recipients,
       $limit AS times
FROM hits
""",
        explanation={
            "per_member": _(
                "%(board)s granted %(recipient_name)s %(amount)s (decided %(decided_date)s), %(per_member)s per "
                "reported member (%(members)s members), more than %(times)s times the median of %(median)s per "
                "member of the board's %(recipients)s other recipients that year."
            ),
            "no_members": _(
                "%(board)s paid %(recipient_name)s %(amount)s on %(paid_date)s for a year in which it reported no "
                "members."
            ),
            "no_activities": _(
                "%(board)s paid %(recipient_name)s %(amount)s on %(paid_date)s for a year in which it reported no "
                "activities (%(members)s members)."
            ),
        },
    )
)
