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
    ("incorrect_information", _("Someone gave incorrect information, or failed to report changed circumstances "
                                "they were obliged to report (Benefit Offences Act 2 §).")),
    ("risk_of_wrong_payment", _("This caused a risk that a benefit was paid wrongly or with too high an amount.")),
    ("benefit_in_scope", _("The payment is a benefit under the Benefit Offences Act (for example financial "
                           "assistance under the Social Services Act); the municipality must then report "
                           "a suspected offence (6 §).")),
    ("intent_or_negligence", _("The lay assessment finds intent or gross negligence likely.")),
    ("deception", _("The municipality was deceived into a payment outside the Benefit Offences Act, for example "
                    "an invoice, a grant or home care billed but not given (Penal Code 9 ch. 1 §, fraud).")),
    ("forged_documents", _("Documents appear forged or falsified (Penal Code 14 ch.).")),
    ("influence_on_staff", _("An official was offered a benefit, threatened or pressured (Penal Code 10 ch. "
                             "5 a–b §§, 17 ch.).")),
]

# What a police report should contain, shown beside the form.
POLICE_GUIDANCE: list[str] = [
    _("Who is reported: name and personnummer or organisationsnummer."),
    _("What happened: the period, the payments and amounts, the information that was incorrect."),
    _("How it was discovered, and what the municipality has done since."),
    _("The documents that show it, as numbered attachments."),
    _("A contact person at the municipality. Do not state that anyone is guilty: that is for the police and "
      "the prosecutor."),
]


def police_report_grounds(checklist: dict[str, bool]) -> bool:
    """A benefit offence needs the first three items together; the other offences stand on their own."""
    benefit_offence = all(checklist.get(k) for k in ("incorrect_information", "risk_of_wrong_payment",
                                                     "benefit_in_scope"))
    return benefit_offence or any(checklist.get(k) for k in ("deception", "forged_documents", "influence_on_staff"))


_ENGINE = Engine(builtins=["tillit.lib.templatetags.sv"], autoescape=False)

RECOVERY_TEMPLATE = """BESLUT OM ÅTERKRAV

{{ municipality }}{% if board %}, {{ board }}{% endif %}
Ärende: {{ case.number }}
Beslutsdatum: {{ claim.decision_date|datum }}

Till: {{ claim.debtor }}

Beslut
{{ municipality }} beslutar att kräva tillbaka {{ claim.amount|kr }}{% if claim.period %} som har betalats ut för perioden {{ claim.period }}{% endif %}.

Lagrum
{{ legal_ground }}

Skäl för beslutet
{{ claim.reasoning }}

Betalning
{% if claim.payment_plan %}{{ claim.payment_plan }}{% else %}Beloppet ska betalas inom 30 dagar från att du har tagit del av beslutet. Kontakta handläggaren om du vill komma överens om en avbetalningsplan.{% endif %}

Hur man överklagar
Om du inte är nöjd med beslutet kan du överklaga det hos förvaltningsrätten. Skicka överklagandet till {{ municipality }} inom tre veckor från den dag du tog del av beslutet. Ange vilket beslut du överklagar, hur du vill att det ska ändras och varför.

Handläggare
{{ officer }}
"""

POLICE_TEMPLATE = """POLISANMÄLAN

Anmälare: {{ municipality }}{% if board %}, {{ board }}{% endif %}
Kontaktperson: {{ officer }}
Kommunens ärende: {{ case.number }}
Datum: {{ report.reported_on|datum }}

Anmälan avser misstänkt
{% for offence in offences %}– {{ offence }}
{% endfor %}
Den eller de som anmäls
{% for subject in subjects %}– {{ subject.get_kind_display }}: {{ subject.name }} {{ subject.identifier }}
{% empty %}– Okänd
{% endfor %}
Händelseförlopp och fakta
{{ report.facts }}

Belopp som berörs: {{ case.amount_concerned|kr }}

Kommunens bedömning
Kommunen tar inte ställning till om brott har begåtts; det prövar Polismyndigheten och åklagaren. Underlaget för anmälan är en lekmannabedömning av uppsåt{% if intent %}: {{ intent }}{% endif %}.

Bilagor
{% for doc in attachments %}{{ forloop.counter }}. {{ doc.title }} ({{ doc.filename }}, SHA-256 {{ doc.sha256 }})
{% empty %}Inga bilagor.
{% endfor %}"""

NOTIFICATION_TEMPLATE = """UNDERRÄTTELSE OM MISSTÄNKT FELAKTIG UTBETALNING

Till: {{ recipient }}
Från: {{ municipality }}{% if board %}, {{ board }}{% endif %}
Kommunens ärende: {{ case.number }}
Datum: {{ notification.sent_on|datum }}

Lagrum
Uppgifterna lämnas enligt {{ legal_ground }}.

Underrättelsen avser
{% for subject in subjects %}– {{ subject.get_kind_display }}: {{ subject.name }} {{ subject.identifier }}
{% endfor %}
Uppgifter som lämnas
{{ notification.shared }}

Kontaktperson
{{ officer }}
"""

SANCTION_TEMPLATE = """BESLUT OM ÅTGÄRD ENLIGT AUKTORISATIONS- ELLER AVTALSVILLKOREN

Till: {{ sanction.provider }}
Från: {{ municipality }}{% if board %}, {{ board }}{% endif %}
Kommunens ärende: {{ case.number }}
Beslutsdatum: {{ sanction.decided_on|datum }}

Åtgärd
{{ step }}{% if sanction.amount %}, {{ sanction.amount|kr }}{% endif %}

Skäl
{{ sanction.description }}

Uppföljning
{% if sanction.follow_up_on %}Kommunen följer upp åtgärden senast {{ sanction.follow_up_on|datum }}.{% else %}Kommunen meddelar när åtgärden följs upp.{% endif %} Om bristerna kvarstår kan kommunen gå vidare till nästa steg: åtgärdsplan, varning, vite eller avdrag, återkallad auktorisation eller hävt avtal.

Handläggare
{{ officer }}
"""

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
}


def _officer(user) -> str:
    return user.get_full_name() or user.get_username()


def _common(case: Case, user) -> dict:
    return {"case": case, "municipality": case.municipality.name, "board": case.board.name if case.board else "",
            "officer": _officer(user), "subjects": list(case.subjects.all())}


def _render(template: str, context: dict) -> str:
    with override("sv"):
        return _ENGINE.from_string(template).render(Context(context)).strip() + "\n"


def draft_recovery_claim(claim: RecoveryClaim, user) -> str:
    return _render(RECOVERY_TEMPLATE, {**_common(claim.case, user), "claim": claim,
                                       "legal_ground": SWEDISH_LEGAL_GROUNDS[claim.legal_ground]})


def draft_police_report(report: PoliceReport, user) -> str:
    case = report.case
    with override("sv"):
        offences = [str(PoliceReport.Offence(o).label) for o in report.offences if o in PoliceReport.Offence.values]
        latest = case.intent_assessments.first()
        intent = str(IntentAssessment.Level(latest.level).label) if latest else ""
    attachments = list(case.documents.filter(pk__in=report.attachments))
    return _render(POLICE_TEMPLATE, {**_common(case, user), "report": report, "offences": offences,
                                     "intent": intent, "attachments": attachments})


def draft_notification(notification: Notification, user) -> str:
    return _render(NOTIFICATION_TEMPLATE, {
        **_common(notification.case, user), "notification": notification,
        "recipient": Notification.Recipient(notification.recipient).label,
        "legal_ground": SWEDISH_LEGAL_GROUNDS[notification.legal_ground]})


def draft_sanction(sanction: Sanction, user) -> str:
    with override("sv"):
        step = str(Sanction.Step(sanction.step).label)
    return _render(SANCTION_TEMPLATE, {**_common(sanction.case, user), "sanction": sanction,
                                       "step": step[:1].upper() + step[1:]})


# kind -> (model, draft function, Swedish title, file stem)
DRAFTS = {
    "recovery": (RecoveryClaim, draft_recovery_claim, "Beslut om återkrav", "beslut-om-aterkrav"),
    "police": (PoliceReport, draft_police_report, "Polisanmälan", "polisanmalan"),
    "notification": (Notification, draft_notification, "Underrättelse", "underrattelse"),
    "sanction": (Sanction, draft_sanction, "Beslut om åtgärd mot utförare", "beslut-om-atgard"),
}


# --- file formats -----------------------------------------------------------------------------

# The templates' section headings: a line that is exactly one of these is set as a heading.
SECTION_HEADINGS = frozenset({
    "Beslut", "Lagrum", "Skäl för beslutet", "Betalning", "Hur man överklagar", "Handläggare",
    "Anmälan avser misstänkt", "Den eller de som anmäls", "Händelseförlopp och fakta", "Kommunens bedömning",
    "Bilagor", "Underrättelsen avser", "Uppgifter som lämnas", "Kontaktperson", "Åtgärd", "Skäl", "Uppföljning",
})
_BULLET = "– "


@dataclass(frozen=True)
class Block:
    kind: str  # "title", "heading", "bullet" or "text"
    text: str


def layout(title: str, text: str) -> list[Block]:
    """The edited plain text as blocks: its first line in capitals is the title, known section
    headings are headings, lines that start with a dash are list items; blank lines only separate."""
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[0].strip():
        lines.pop(0)
    blocks: list[Block] = []
    if lines and lines[0].strip() and lines[0] == lines[0].upper() and any(c.isalpha() for c in lines[0]):
        blocks.append(Block("title", lines.pop(0).strip()))
    else:
        blocks.append(Block("title", title))
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        if stripped in SECTION_HEADINGS:
            blocks.append(Block("heading", stripped))
        elif stripped.startswith(_BULLET):
            blocks.append(Block("bullet", stripped[len(_BULLET):]))
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
        if block.kind == "title":
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
    body = ParagraphStyle("body", parent=sheet["BodyText"], fontName="Helvetica", fontSize=11, leading=15,
                          spaceAfter=4)
    heading = ParagraphStyle("heading", parent=sheet["Heading3"], fontName="Helvetica-Bold", fontSize=12,
                             spaceBefore=10, spaceAfter=3)
    title_style = ParagraphStyle("title", parent=sheet["Title"], fontName="Helvetica-Bold", fontSize=16,
                                 alignment=0, spaceAfter=12)
    stamp_style = ParagraphStyle("stamp", parent=body, fontSize=8, textColor="#555555")

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
        style = {"title": title_style, "heading": heading}.get(block.kind, body)
        story.append(Paragraph(paragraph_text, style))
    flush()
    story += [Spacer(1, 0.6 * cm), Paragraph(xml_escape(_stamp()), stamp_style)]

    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=2.5 * cm, rightMargin=2.5 * cm, topMargin=2 * cm,
                      bottomMargin=2 * cm, title=title, author="Tillit", lang="sv-SE").build(story)
    return buffer.getvalue()
