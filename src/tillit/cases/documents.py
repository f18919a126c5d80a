"""Outcome documents in Swedish: a draft from a template, edited by the investigator, then registered.

python-docx, reportlab and WeasyPrint are not installed, so documents are written as
OpenDocument text (.odt: Word and LibreOffice open it) with the standard library's
zipfile, and as print-ready HTML (the browser prints it to PDF). The templates are
Swedish legal text, not user interface, so they are written in Swedish directly.
"""

from __future__ import annotations

import io
import zipfile
from html import escape
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

_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""

_STYLES = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.2">
 <office:styles>
  <style:default-style style:family="paragraph">
   <style:paragraph-properties fo:margin-bottom="0.2cm"/>
   <style:text-properties style:font-name="Liberation Sans" fo:font-size="11pt" fo:language="sv" fo:country="SE"/>
  </style:default-style>
  <style:style style:name="Title" style:family="paragraph">
   <style:text-properties fo:font-size="16pt" fo:font-weight="bold"/>
  </style:style>
 </office:styles>
</office:document-styles>
"""


def to_odt(title: str, text: str) -> bytes:
    paragraphs = "".join(f"<text:p>{xml_escape(line)}</text:p>" for line in text.splitlines())
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:text><text:p text:style-name="Title">{xml_escape(title)}</text:p>'
        f"{paragraphs}</office:text></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # the mimetype entry must come first and be stored uncompressed (OpenDocument 1.2, 3.3)
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text",
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", _MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("styles.xml", _STYLES, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def to_html(title: str, text: str) -> bytes:
    body = "\n".join(f"<p>{escape(line)}</p>" if line.strip() else "" for line in text.splitlines())
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    return (
        '<!doctype html>\n<html lang="sv"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        "<style>body{font:11pt/1.45 'Liberation Sans',Arial,sans-serif;max-width:42rem;margin:2cm auto}"
        "p{margin:0 0 .4em}@page{size:A4;margin:2cm}</style></head><body>"
        f"<h1>{escape(title)}</h1>\n{body}\n"
        f'<p style="color:#555;font-size:9pt">Upprättad i Tillit {stamp}</p></body></html>\n'
    ).encode()
