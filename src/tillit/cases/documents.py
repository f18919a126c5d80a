"""Outcome documents in Swedish: a draft from a template, edited by the investigator, then registered.

The investigator edits the draft as plain text; the registered document is written from that
text as Word (.docx, python-docx) and as PDF (reportlab), so that what is sent and what is
archived say the same. The templates are Swedish legal text, not user interface, so they are
written in Swedish directly.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape as xml_escape

from django.template import Context, Engine
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from tillit.cases.models import (
    Case,
    IntentAssessment,
    Notification,
    PoliceReport,
    RecoveryClaim,
    Sanction,
)

# When to report to the police: the guideline Nacka asked for. Keys are stored on the report.
POLICE_CHECKLIST: list[tuple[str, str]] = [
    (
        "incorrect_information",
        _(
            "Someone gave incorrect information, or failed to report changed circumstances "
            "they were obliged to report (Benefit Offences Act 2 §)."
        ),
    ),
    (
        "risk_of_wrong_payment",
        _("This caused a risk that a benefit was paid wrongly or with too high an amount."),
    ),
    (
        "benefit_in_scope",
        _(
            "The payment is a benefit under the Benefit Offences Act (for example financial "
            "assistance under the Social Services Act); the municipality must then report "
            "a suspected offence (6 §)."
        ),
    ),
    ("intent_or_negligence", _("The lay assessment finds intent or gross negligence likely.")),
    (
        "deception",
        _(
            "The municipality was deceived into a payment outside the Benefit Offences Act, for example "
            "an invoice, a grant or home care billed but not given (Penal Code 9 ch. 1 §, fraud)."
        ),
    ),
    ("forged_documents", _("Documents appear forged or falsified (Penal Code 14 ch.).")),
    (
        "influence_on_staff",
        _(
            "An official was offered a benefit, threatened or pressured (Penal Code 10 ch. "
            "5 a–b §§, 17 ch.)."
        ),
    ),
]

# What a police report should contain, shown beside the form.
POLICE_GUIDANCE: list[str] = [
    _("Who is reported: name and personnummer or organisationsnummer."),
    _("What happened: the period, the payments and amounts, the information that was incorrect."),
    _("How it was discovered, and what the municipality has done since."),
    _("The documents that show it, as numbered attachments."),
    _(
        "A contact person at the municipality. Do not state that anyone is guilty: that is for the police and "
        "the prosecutor."
    ),
]


def police_report_grounds(checklist: dict[str, bool]) -> bool:
    """A benefit offence needs the first three items together; the other offences stand on their own."""
    benefit_offence = all(
        checklist.get(k)
        for k in ("incorrect_information", "risk_of_wrong_payment", "benefit_in_scope")
    )
    return benefit_offence or any(
        checklist.get(k) for k in ("deception", "forged_documents", "influence_on_staff")
    )


_ENGINE = Engine(builtins=["tillit.lib.templatetags.sv"], autoescape=False)

# The letterhead every document starts with: the authority, its address and organisation number,
# and the case's diarienummer. Lines before the title are set as the letterhead.
_HEAD = """{{ lh.authority }}
{% if lh.address %}{{ lh.address }}
{% endif %}{% if lh.orgnr %}Organisationsnummer {{ lh.orgnr }}
{% endif %}{% if lh.phone or lh.email %}{{ lh.phone }}{% if lh.phone and lh.email %} · {% endif %}{{ lh.email }}
{% endif %}Diarienummer: {{ case.number }}
"""

# The decision-maker and the signature lines.
_SIGNATURE = """Beslutsfattare
{{ decision_maker }}{% if lh.decision_maker_title %}, {{ lh.decision_maker_title }}{% endif %}

Underskrift: ______________________________
Namnförtydligande: {{ decision_maker }}
"""

RECOVERY_TEMPLATE = (
    _HEAD
    + """
{% if civil %}KRAV PÅ ÅTERBETALNING{% else %}BESLUT OM ÅTERKRAV{% endif %}

{% if civil %}Datum{% else %}Beslutsdatum{% endif %}: {{ claim.decision_date|datum }}

Parter
Till: {{ debtor }}
Borgenär: {{ lh.authority }}{% if lh.orgnr %}, organisationsnummer {{ lh.orgnr }}{% endif %}

{% if civil %}Krav{% else %}Beslut{% endif %}
{% if civil %}{{ lh.authority }} kräver att {{ claim.debtor }} betalar tillbaka {{ claim.amount|kr }}{% if claim.period %} som har betalats ut för perioden {{ claim.period }}{% endif %}.{% else %}{{ lh.authority }} beslutar att kräva tillbaka {{ claim.amount|kr }}{% if claim.period %} som har betalats ut för perioden {{ claim.period }}{% endif %}.{% endif %}

Lagrum
{{ legal_ground }}

Skäl för {% if civil %}kravet{% else %}beslutet{% endif %}
{{ claim.reasoning }}
{% if not civil %}
Kommunicering
{% if communication %}Du fick den {{ communication.sent_on|datum }} tillfälle att yttra dig över underlaget (25 § förvaltningslagen) senast den {{ communication.reply_by|datum }}.{% if communication.reply_received_on %} Ditt svar kom in den {{ communication.reply_received_on|datum }} och har beaktats.{% else %} Du har inte svarat.{% endif %}{% else %}[Kommunicering enligt 25 § förvaltningslagen har inte skett. Ange här vilket undantag som gäller, eller kommunicera innan beslutet fattas.]{% endif %}
{% endif %}
Betalning
{% if claim.payment_plan %}{{ claim.payment_plan }}{% else %}Beloppet ska betalas inom 30 dagar från att du har tagit del av {% if civil %}kravet{% else %}beslutet{% endif %}. Kontakta handläggaren om du vill komma överens om en avbetalningsplan.{% endif %}

{% if civil %}Om du inte håller med om kravet{% else %}Hur man överklagar{% endif %}
{{ appeal }}

"""
    + _SIGNATURE
    + """
Handläggare
{{ officer }}
"""
)

POLICE_TEMPLATE = (
    _HEAD
    + """
POLISANMÄLAN

Datum: {% if report.reported_on %}{{ report.reported_on|datum }}{% else %}[datum när anmälan skickas]{% endif %}

Anmälare
{{ lh.authority }}{% if lh.orgnr %}, organisationsnummer {{ lh.orgnr }}{% endif %}
Kontaktperson: {{ officer }}

Målsägande
{{ lh.authority }}{% if lh.orgnr %}, organisationsnummer {{ lh.orgnr }}{% endif %}

Anmälan avser misstänkt
{% for offence in offences %}– {{ offence }}
{% endfor %}
Misstänkt
{% for party in suspects %}– {{ party }}
{% empty %}– Okänd gärningsperson
{% endfor %}{% if concerned %}
Övriga berörda (inte misstänkta)
{% for party in concerned %}– {{ party }}
{% endfor %}{% endif %}
Händelseförlopp och fakta
{{ report.facts }}

Belopp som berörs: {{ case.amount_concerned|kr }}

Kommunens bedömning
Kommunen tar inte ställning till om brott har begåtts; det prövar Polismyndigheten och åklagaren.{% if intent %} Underlaget för anmälan innehåller kommunens lekmannabedömning av uppsåt: {{ intent }}.{% endif %}

Bilagor
{% for doc in attachments %}{{ forloop.counter }}. {{ doc.title }} ({{ doc.filename }}, SHA-256 {{ doc.sha256 }})
{% empty %}Inga bilagor.
{% endfor %}
"""
    + _SIGNATURE
)

NOTIFICATION_TEMPLATE = (
    _HEAD
    + """
UNDERRÄTTELSE OM MISSTÄNKT FELAKTIG UTBETALNING

Datum: {{ notification.sent_on|datum }}
Till: {{ recipient }}
Från: {{ lh.authority }}{% if lh.orgnr %}, organisationsnummer {{ lh.orgnr }}{% endif %}

Lagrum
Uppgifterna lämnas enligt {{ legal_ground }}.

Underrättelsen avser
{% for party in parties %}– {{ party }}
{% endfor %}
Uppgifter som lämnas
{{ notification.shared }}

Kontaktperson
{{ officer }}
"""
)

SANCTION_TEMPLATE = (
    _HEAD
    + """
BESLUT OM ÅTGÄRD ENLIGT AUKTORISATIONS- ELLER AVTALSVILLKOREN

Beslutsdatum: {{ sanction.decided_on|datum }}
Till: {{ sanction.provider }}

Åtgärd
{{ step }}{% if sanction.amount %}, {{ sanction.amount|kr }}{% endif %}

Skäl
{{ sanction.description }}

Uppföljning
{% if sanction.follow_up_on %}Kommunen följer upp åtgärden senast {{ sanction.follow_up_on|datum }}.{% else %}Kommunen meddelar när åtgärden följs upp.{% endif %} Om bristerna kvarstår kan kommunen gå vidare till nästa steg: åtgärdsplan, varning, vite eller avdrag, återkallad auktorisation eller hävt avtal.

Om du inte håller med
Åtgärden grundar sig på avtalet eller auktorisationsvillkoren och kan inte överklagas som ett förvaltningsbeslut. Om du inte håller med, meddela kommunen skriftligen inom 14 dagar och ange skälen. En tvist om avtalet prövas av allmän domstol.

"""
    + _SIGNATURE
)

COMMUNICATION_TEMPLATE = (
    _HEAD
    + """
KOMMUNICERING – TILLFÄLLE ATT YTTRA SIG

Datum: {{ letter.sent_on|datum }}
Till: {{ addressee }}
{% if letter.address %}{{ letter.address }}
{% endif %}
Vad det gäller
{{ lh.authority }} överväger ett beslut i ärendet som kan gå dig emot. Innan beslutet fattas har du rätt att ta del av underlaget och yttra dig över det (25 § förvaltningslagen).

{{ letter.body }}

Underlag
{% for doc in material %}{{ forloop.counter }}. {{ doc.title }}
{% empty %}Underlaget beskrivs ovan.
{% endfor %}
Svar
Lämna ditt yttrande senast den {{ letter.reply_by|datum }}, skriftligen till {{ lh.authority }}{% if lh.address %}, {{ lh.address }}{% endif %}, eller genom att kontakta handläggaren. Ange diarienummer {{ case.number }}. Om vi inte har hört av dig senast det datumet kan beslut fattas på det underlag som finns.
{% if letter.interpreter %}
Tolk
Du har rätt till tolk. Kontakta handläggaren, så ordnar kommunen en tolk på {{ letter.interpreter }} utan kostnad för dig.
{% endif %}
Handläggare
{{ officer }}{% if lh.phone %}, telefon {{ lh.phone }}{% endif %}
"""
)

SUMMONS_TEMPLATE = (
    _HEAD
    + """
KALLELSE TILL MÖTE

Datum: {{ letter.sent_on|datum }}
Till: {{ addressee }}
{% if letter.address %}{{ letter.address }}
{% endif %}
Tid och plats
{% if letter.meeting_at %}{{ letter.meeting_at|datum }} klockan {{ meeting_time }}{% endif %}{% if letter.meeting_place %}, {{ letter.meeting_place }}{% endif %}

Vad det gäller
{{ letter.body }}
{% if letter.interpreter %}
Tolk
Kommunen har bokat en tolk på {{ letter.interpreter }} till mötet, utan kostnad för dig.
{% endif %}
Om tiden inte passar
Kontakta handläggaren så snart du kan, så bokar vi en ny tid. Ange diarienummer {{ case.number }}.

Handläggare
{{ officer }}{% if lh.phone %}, telefon {{ lh.phone }}{% endif %}
"""
)

REQUEST_TEMPLATE = (
    _HEAD
    + """
BEGÄRAN OM UPPGIFTER

Datum: {{ letter.sent_on|datum }}
Till: {{ addressee }}
{% if letter.address %}{{ letter.address }}
{% endif %}
Vad vi behöver
{{ letter.body }}

Svar
{% if letter.reply_by %}Skicka uppgifterna senast den {{ letter.reply_by|datum }}{% else %}Skicka uppgifterna så snart du kan{% endif %} till {{ lh.authority }}{% if lh.address %}, {{ lh.address }}{% endif %}. Ange diarienummer {{ case.number }}.
{% if letter.interpreter %}
Tolk
Du har rätt till tolk. Kontakta handläggaren, så ordnar kommunen en tolk på {{ letter.interpreter }} utan kostnad för dig.
{% endif %}
Handläggare
{{ officer }}{% if lh.phone %}, telefon {{ lh.phone }}{% endif %}
"""
)

DISCLOSURE_TEMPLATE = (
    _HEAD
    + """
BESLUT OM UTLÄMNANDE AV ALLMÄN HANDLING

Beslutsdatum: {{ request.decided_on|datum }}
Till: {% if request.requester %}{{ request.requester }}{% else %}Den som begärde handlingen (anonym){% endif %}

Begäran
Begäran kom in den {{ request.received_on|datum }} och gäller handlingen ”{{ request.document.title }}” i ärende {{ case.number }}.

Beslut
{{ decision }}
{% if maskings %}
Sekretessprövning
{% for m in maskings %}– {{ m.provision }}: {{ forloop.counter }}. maskerat avsnitt
{% endfor %}{% endif %}{% if request.reasoning %}
Skäl för beslutet
{{ request.reasoning }}
{% endif %}{% if appealable %}
Hur man överklagar
Beslutet kan överklagas hos kammarrätten (6 kap. 7 § offentlighets- och sekretesslagen). Skicka överklagandet till {{ lh.authority }} inom tre veckor från den dag du fick del av beslutet. Skriv vilket beslut du överklagar (diarienummer {{ case.number }}), hur du vill att det ska ändras och varför. Myndigheten prövar först om beslutet ska ändras och skickar sedan överklagandet vidare till kammarrätten.
{% endif %}
"""
    + _SIGNATURE
)

# kind -> (Swedish name shown to the coordinator who edits it, default template)
TEMPLATES: dict[str, tuple[str, str]] = {
    "recovery": ("Beslut om återkrav / krav på återbetalning", RECOVERY_TEMPLATE),
    "police": ("Polisanmälan", POLICE_TEMPLATE),
    "notification": ("Underrättelse", NOTIFICATION_TEMPLATE),
    "sanction": ("Beslut om åtgärd mot utförare", SANCTION_TEMPLATE),
    "kommunicering": ("Kommunicering", COMMUNICATION_TEMPLATE),
    "kallelse": ("Kallelse", SUMMONS_TEMPLATE),
    "begaran": ("Begäran om uppgifter", REQUEST_TEMPLATE),
    "disclosure": ("Beslut om utlämnande av allmän handling", DISCLOSURE_TEMPLATE),
}

SWEDISH_LEGAL_GROUNDS = {
    RecoveryClaim.LegalGround.SOL_9_1: "9 kap. 1 § socialtjänstlagen (2001:453)",
    RecoveryClaim.LegalGround.SOL_9_2: "9 kap. 2 § socialtjänstlagen (2001:453)",
    RecoveryClaim.LegalGround.LSS: "12 § lagen (1993:387) om stöd och service till vissa funktionshindrade",
    RecoveryClaim.LegalGround.CONTRACT: "avtalet mellan kommunen och leverantören",
    RecoveryClaim.LegalGround.DAMAGES: "skadeståndslagen (1972:207)",
    RecoveryClaim.LegalGround.GRANT_TERMS: "villkoren för föreningsbidraget",
    Notification.LegalGround.LAW_2008_206: "lagen (2008:206) om underrättelseskyldighet vid felaktiga "
    "utbetalningar från välfärdssystemen",
    Notification.LegalGround.LAW_2024_307: "lagen (2024:307) om uppgiftsskyldighet vid misstänkta felaktiga "
    "utbetalningar från välfärdssystemen",
    Notification.LegalGround.OSL_10_15A: "10 kap. 15 a § offentlighets- och sekretesslagen (2009:400)",
    Notification.LegalGround.FOL_32: "32 § folkbokföringslagen (1991:481)",
}

# Claims decided by the municipality as an authority (appealed to förvaltningsrätten); the others are
# civil claims that a court tries if the debtor disputes them.
ADMINISTRATIVE_GROUNDS = frozenset(
    {
        RecoveryClaim.LegalGround.SOL_9_1,
        RecoveryClaim.LegalGround.SOL_9_2,
        RecoveryClaim.LegalGround.LSS,
    }
)

APPEAL_ROUTES = {
    RecoveryClaim.LegalGround.SOL_9_1: (
        "Beslutet kan överklagas hos förvaltningsrätten (16 kap. 3 § socialtjänstlagen). Skicka överklagandet "
        "till {authority} inom tre veckor från den dag du fick del av beslutet. Skriv vilket beslut du överklagar "
        "(diarienummer {number}), hur du vill att det ska ändras och varför. Nämnden prövar först om beslutet ska "
        "ändras och skickar sedan överklagandet vidare till förvaltningsrätten."
    ),
    RecoveryClaim.LegalGround.SOL_9_2: (
        "Beslutet kan överklagas hos förvaltningsrätten (16 kap. 3 § socialtjänstlagen). Skicka överklagandet "
        "till {authority} inom tre veckor från den dag du fick del av beslutet. Skriv vilket beslut du överklagar "
        "(diarienummer {number}), hur du vill att det ska ändras och varför. Nämnden prövar först om beslutet ska "
        "ändras och skickar sedan överklagandet vidare till förvaltningsrätten."
    ),
    RecoveryClaim.LegalGround.LSS: (
        "Beslutet kan överklagas hos förvaltningsrätten (27 § LSS). Skicka överklagandet till {authority} inom "
        "tre veckor från den dag du fick del av beslutet. Skriv vilket beslut du överklagar (diarienummer "
        "{number}), hur du vill att det ska ändras och varför."
    ),
    RecoveryClaim.LegalGround.CONTRACT: (
        "Kravet grundar sig på avtalet och är ett civilrättsligt krav; det kan inte överklagas till "
        "förvaltningsrätten. Om du bestrider kravet, meddela {authority} skriftligen inom 30 dagar och ange "
        "skälen. Betalas kravet inte och vi inte kommer överens kan kommunen ansöka om betalningsföreläggande hos "
        "Kronofogdemyndigheten eller väcka talan vid tingsrätten, om inte avtalet anger ett annat forum."
    ),
    RecoveryClaim.LegalGround.DAMAGES: (
        "Kravet på skadestånd är ett civilrättsligt krav; det kan inte överklagas till förvaltningsrätten. Om du "
        "bestrider kravet, meddela {authority} skriftligen inom 30 dagar och ange skälen. Betalas kravet inte "
        "kan kommunen ansöka om betalningsföreläggande hos Kronofogdemyndigheten eller väcka talan vid "
        "tingsrätten."
    ),
    RecoveryClaim.LegalGround.GRANT_TERMS: (
        "Kravet grundar sig på villkoren för bidraget och är ett civilrättsligt krav; det kan inte överklagas "
        "till förvaltningsrätten. Om du bestrider kravet, meddela {authority} skriftligen inom 30 dagar och ange "
        "skälen. Betalas kravet inte kan kommunen ansöka om betalningsföreläggande hos Kronofogdemyndigheten "
        "eller väcka talan vid tingsrätten."
    ),
}


def template_text(municipality_id: int, kind: str) -> tuple[str, int]:
    """The template the municipality uses for `kind` and its version (0: the built-in one)."""
    from tillit.cases.models import DocumentTemplate

    own = (
        DocumentTemplate.objects.filter(municipality_id=municipality_id, kind=kind)
        .order_by("-version")
        .first()
    )
    if own is not None:
        return own.text, own.version
    return TEMPLATES[kind][1], 0


def letterhead(case: Case) -> dict:
    from tillit.cases.models import Letterhead

    lh = Letterhead.objects.filter(municipality_id=case.municipality_id).first()
    authority = (lh.authority if lh and lh.authority else "") or (
        f"{case.board.name}, {case.municipality.name}" if case.board else case.municipality.name
    )
    return {
        "authority": authority,
        "municipality": case.municipality.name,
        "orgnr": lh.orgnr if lh else "",
        "address": lh.address if lh else "",
        "phone": lh.phone if lh else "",
        "email": lh.email if lh else "",
        "decision_maker_title": lh.decision_maker_title if lh else "",
    }


def _officer(user) -> str:
    return user.get_full_name() or user.get_username()


def national_id_text(kind: str, national_id: str) -> str:
    """“personnummer 19121212-1212” or “organisationsnummer 556677-8899”; a visible gap when unknown."""
    is_person = kind in ("person", "household", "staff")
    label = "personnummer" if is_person else "organisationsnummer"
    return f"{label} {national_id}" if national_id else f"[{label} saknas – fyll i]"


def party_text(subject) -> str:
    name = subject.name or subject.identifier or "Okänd"
    return f"{name}, {national_id_text(subject.kind, subject.national_id)}"


def _common(case: Case, user) -> dict:
    subjects = list(case.subjects.all())
    return {
        "case": case,
        "lh": letterhead(case),
        "municipality": case.municipality.name,
        "board": case.board.name if case.board else "",
        "officer": _officer(user),
        "decision_maker": _officer(user),
        "subjects": subjects,
        "parties": [party_text(s) for s in subjects],
        "suspects": [party_text(s) for s in subjects if s.role == "suspect"],
        "concerned": [party_text(s) for s in subjects if s.role != "suspect"],
    }


def _render(template: str, context: dict) -> str:
    with override("sv"):
        # plain text, not HTML: nothing may be escaped (“Färg & Tapet”, not “Färg &amp; Tapet”)
        return (
            _ENGINE.from_string(template).render(Context(context, autoescape=False)).strip() + "\n"
        )


def render_kind(case: Case, kind: str, context: dict) -> str:
    text, _version = template_text(case.municipality_id, kind)
    return _render(text, context)


def draft_recovery_claim(claim: RecoveryClaim, user) -> str:
    from tillit.cases.models import Letter

    case = claim.case
    common = _common(case, user)
    civil = claim.legal_ground not in ADMINISTRATIVE_GROUNDS
    debtor_subject = next(
        (s for s in common["subjects"] if s.name and s.name == claim.debtor), None
    )
    debtor_id = claim.debtor_id or (debtor_subject.national_id if debtor_subject else "")
    kind = debtor_subject.kind if debtor_subject else ("person" if not civil else "company")
    debtor = f"{claim.debtor}, {national_id_text(kind, debtor_id)}"
    communication = (
        case.letters.filter(kind=Letter.Kind.COMMUNICATION).order_by("-sent_on", "-id").first()
    )
    appeal = APPEAL_ROUTES[claim.legal_ground].format(
        authority=common["lh"]["authority"], number=case.number
    )
    return render_kind(
        case,
        "recovery",
        {
            **common,
            "claim": claim,
            "civil": civil,
            "debtor": debtor,
            "legal_ground": SWEDISH_LEGAL_GROUNDS[claim.legal_ground],
            "appeal": appeal,
            "communication": communication,
        },
    )


def draft_police_report(report: PoliceReport, user) -> str:
    case = report.case
    with override("sv"):
        offences = [
            str(PoliceReport.Offence(o).label)
            for o in report.offences
            if o in PoliceReport.Offence.values
        ]
        latest = case.intent_assessments.first()
        intent = str(IntentAssessment.Level(latest.level).label) if latest else ""
    attachments = list(case.documents.filter(pk__in=report.attachments))
    return render_kind(
        case,
        "police",
        {
            **_common(case, user),
            "report": report,
            "offences": offences,
            "intent": intent,
            "attachments": attachments,
        },
    )


def draft_notification(notification: Notification, user) -> str:
    return render_kind(
        notification.case,
        "notification",
        {
            **_common(notification.case, user),
            "notification": notification,
            "recipient": Notification.Recipient(notification.recipient).label,
            "legal_ground": SWEDISH_LEGAL_GROUNDS[notification.legal_ground],
        },
    )


def draft_sanction(sanction: Sanction, user) -> str:
    with override("sv"):
        step = str(Sanction.Step(sanction.step).label)
    return render_kind(
        sanction.case,
        "sanction",
        {**_common(sanction.case, user), "sanction": sanction, "step": step[:1].upper() + step[1:]},
    )


def draft_letter(letter, user) -> str:
    case = letter.case
    addressee = letter.addressee + (
        f", {national_id_text('person', letter.identifier)}" if letter.identifier else ""
    )
    material = list(case.documents.filter(pk__in=letter.material))
    meeting_time = (
        timezone.localtime(letter.meeting_at).strftime("%H.%M") if letter.meeting_at else ""
    )
    return render_kind(
        case,
        letter.kind,
        {
            **_common(case, user),
            "letter": letter,
            "addressee": addressee,
            "material": material,
            "meeting_time": meeting_time,
        },
    )


def draft_disclosure_decision(request, user) -> str:
    case = request.case
    decision = {
        "released": "Handlingen lämnas ut i sin helhet.",
        "partly": "Handlingen lämnas ut med de avsnitt maskerade som omfattas av sekretess enligt nedan. "
        "I övrigt lämnas handlingen ut.",
        "refused": "Begäran avslås. Handlingen lämnas inte ut, eftersom uppgifterna i den omfattas av sekretess "
        "enligt nedan.",
    }.get(request.decision, "")
    return render_kind(
        case,
        "disclosure",
        {
            **_common(case, user),
            "request": request,
            "decision": decision,
            "maskings": list(request.maskings.all()),
            "appealable": request.decision in ("partly", "refused"),
        },
    )


# kind -> (model, draft function, Swedish title, file stem)
DRAFTS = {
    "recovery": (RecoveryClaim, draft_recovery_claim, "Beslut om återkrav", "beslut-om-aterkrav"),
    "police": (PoliceReport, draft_police_report, "Polisanmälan", "polisanmalan"),
    "notification": (Notification, draft_notification, "Underrättelse", "underrattelse"),
    "sanction": (Sanction, draft_sanction, "Beslut om åtgärd mot utförare", "beslut-om-atgard"),
}


# --- file formats -----------------------------------------------------------------------------

# The templates' section headings: a line that is exactly one of these is set as a heading.
SECTION_HEADINGS = frozenset(
    {
        "Beslut",
        "Lagrum",
        "Skäl för beslutet",
        "Betalning",
        "Hur man överklagar",
        "Handläggare",
        "Anmälan avser misstänkt",
        "Den eller de som anmäls",
        "Händelseförlopp och fakta",
        "Kommunens bedömning",
        "Bilagor",
        "Underrättelsen avser",
        "Uppgifter som lämnas",
        "Kontaktperson",
        "Åtgärd",
        "Skäl",
        "Uppföljning",
        "Parter",
        "Krav",
        "Skäl för kravet",
        "Kommunicering",
        "Om du inte håller med om kravet",
        "Beslutsfattare",
        "Anmälare",
        "Målsägande",
        "Misstänkt",
        "Övriga berörda (inte misstänkta)",
        "Om du inte håller med",
        "Vad det gäller",
        "Underlag",
        "Svar",
        "Tolk",
        "Tid och plats",
        "Om tiden inte passar",
        "Vad vi behöver",
        "Begäran",
        "Sekretessprövning",
    }
)
_BULLET = "– "


@dataclass(frozen=True)
class Block:
    kind: str  # "letterhead", "title", "heading", "bullet" or "text"
    text: str


def layout(title: str, text: str) -> list[Block]:
    """The edited plain text as blocks: its first line in capitals is the title, known section
    headings are headings, lines that start with a dash are list items; blank lines only separate."""
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[0].strip():
        lines.pop(0)
    blocks: list[Block] = []

    def is_title(line: str) -> bool:
        return bool(line.strip()) and line == line.upper() and sum(c.isalpha() for c in line) >= 3

    head = next((i for i, line in enumerate(lines[:10]) if is_title(line)), None)
    if head is not None:
        blocks += [Block("letterhead", line.strip()) for line in lines[:head] if line.strip()]
        blocks.append(Block("title", lines[head].strip()))
        lines = lines[head + 1 :]
    else:
        blocks.append(Block("title", title))
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        if stripped in SECTION_HEADINGS:
            blocks.append(Block("heading", stripped))
        elif stripped.startswith(_BULLET):
            blocks.append(Block("bullet", stripped[len(_BULLET) :]))
        else:
            blocks.append(Block("text", stripped))
    return blocks


def _stamp() -> str:
    return "Upprättad i Tillit " + timezone.localtime().strftime("%Y-%m-%d %H:%M")


def to_docx(title: str, text: str) -> bytes:
    """A Word document (Office Open XML) of the edited text, in Swedish, ready to edit further in Word."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    properties = document.core_properties
    properties.title = title
    properties.language = "sv-SE"
    properties.author = "Tillit"
    normal = document.styles["Normal"]
    normal.font.size = Pt(11)
    # spelling and hyphenation in Swedish for every paragraph that follows the Normal style
    run_properties = normal.element.get_or_add_rPr()
    language = run_properties.find(qn("w:lang"))
    if language is None:
        language = run_properties.makeelement(qn("w:lang"), {})
        run_properties.append(language)
    language.set(qn("w:val"), "sv-SE")
    for block in layout(title, text):
        if block.kind == "letterhead":
            paragraph = document.add_paragraph()
            run = paragraph.add_run(block.text)
            run.font.size = Pt(9)
        elif block.kind == "title":
            document.add_heading(block.text, level=0)
        elif block.kind == "heading":
            document.add_heading(block.text, level=2)
        elif block.kind == "bullet":
            document.add_paragraph(block.text, style="List Bullet")
        else:
            document.add_paragraph(block.text)
    footer = document.sections[0].footer.paragraphs[0]
    footer.text = _stamp()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def to_pdf(title: str, text: str) -> bytes:
    """A PDF (A4) of the edited text. The standard Helvetica of PDF is enough for Swedish: its
    encoding holds å, ä, ö, é, § and the dashes the templates use."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer

    sheet = getSampleStyleSheet()
    body = ParagraphStyle(
        "body",
        parent=sheet["BodyText"],
        fontName="Helvetica",
        fontSize=11,
        leading=15,
        spaceAfter=4,
    )
    heading = ParagraphStyle(
        "heading",
        parent=sheet["Heading3"],
        fontName="Helvetica-Bold",
        fontSize=12,
        spaceBefore=10,
        spaceAfter=3,
    )
    title_style = ParagraphStyle(
        "title",
        parent=sheet["Title"],
        fontName="Helvetica-Bold",
        fontSize=16,
        alignment=0,
        spaceAfter=12,
    )
    stamp_style = ParagraphStyle("stamp", parent=body, fontSize=8, textColor="#555555")
    head_style = ParagraphStyle("letterhead", parent=body, fontSize=9, leading=11, spaceAfter=0)

    story: list = []
    bullets: list = []

    def flush() -> None:
        if bullets:
            story.append(ListFlowable(list(bullets), bulletType="bullet", start="–", leftIndent=14))
            bullets.clear()

    for block in layout(title, text):
        paragraph_text = xml_escape(block.text)
        if block.kind == "bullet":
            bullets.append(ListItem(Paragraph(paragraph_text, body)))
            continue
        flush()
        style = {"title": title_style, "heading": heading, "letterhead": head_style}.get(
            block.kind, body
        )
        story.append(Paragraph(paragraph_text, style))
    flush()
    story += [Spacer(1, 0.6 * cm), Paragraph(xml_escape(_stamp()), stamp_style)]

    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2.5 * cm,
        rightMargin=2.5 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=title,
        author="Tillit",
        lang="sv-SE",
    ).build(story)
    return buffer.getvalue()
