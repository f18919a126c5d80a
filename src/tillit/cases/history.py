"""The case history in words: each CaseEvent's action and detail as a Swedish municipal official reads them.

Events store keys (an action name, a state value, a legal ground); this module turns them into
the user's language when shown, in the case page and in the court export.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from tillit.cases.models import CaseSubject, DiaryEntry, Letter, Source, State

ACTIONS = {
    "opened": _("case opened"),
    "state": _("state changed"),
    "hit joined": _("control hit added"),
    "updated": _("details changed"),
    "team": _("team changed"),
    "subject": _("subject added"),
    "subject changed": _("subject changed"),
    "diary": _("diary entry"),
    "linked": _("linked to case"),
    "task": _("task added"),
    "task done": _("task done"),
    "intent": _("assessment of intent"),
    "document": _("document registered"),
    "recovery claim": _("recovery claim decided"),
    "payment": _("payment received"),
    "write-off": _("written off"),
    "police report": _("police report drafted"),
    "police report sent": _("police report sent"),
    "notification": _("notification to another authority"),
    "incoming information": _("information received from another authority"),
    "incoming answered": _("request from another authority answered"),
    "sanction": _("sanction decided"),
    "sanction follow-up": _("sanction followed up"),
    "outcome": _("outcome recorded"),
    "retention kept": _("kept beyond the retention period"),
    "letter": _("letter sent"),
    "letter reply": _("reply to letter registered"),
    "disclosure request": _("request for a public document registered"),
    "secrecy review": _("passage masked (secrecy review)"),
    "disclosure decided": _("decision on a request for a public document"),
}


def _english_labels(choices) -> dict[str, str]:
    """English label -> value, for events written before the detail stored keys."""
    with override("en"):
        return {str(label): value for value, label in choices}


def _label(choices_cls, value: str) -> str:
    if value in choices_cls.values:
        return str(choices_cls(value).label)
    value = _english_labels(choices_cls.choices).get(value, value)
    return str(choices_cls(value).label) if value in choices_cls.values else value


def _state_detail(detail: str) -> str:
    states, _sep, reason = detail.partition(": ")
    before, _arrow, after = states.partition(" → ")
    text = f"{_label(State, before.strip())} → {_label(State, after.strip())}"
    return f"{text}: {reason}" if reason else text


def describe(event) -> tuple[str, str]:
    """(what happened, detail) in the active language."""
    action = str(ACTIONS.get(event.action, event.action))
    detail = event.detail or ""
    if event.action == "state" and " → " in detail:
        detail = _state_detail(detail)
    elif event.action == "opened":
        detail = _label(Source, detail)
    elif event.action in ("subject", "subject changed"):
        detail = (
            _label(CaseSubject.Kind, detail)
            if detail in CaseSubject.Kind.values
            else _label(CaseSubject.Role, detail)
        )
    elif event.action == "diary":
        detail = _label(DiaryEntry.Kind, detail)
    elif event.action in ("letter", "letter reply"):
        detail = _label(Letter.Kind, detail)
    elif event.action == "disclosure decided":
        from tillit.cases.models import DisclosureRequest

        detail = _label(DisclosureRequest.Decision, detail)
    elif event.action == "intent":
        from tillit.cases.models import IntentAssessment

        detail = _label(IntentAssessment.Level, detail)
    elif event.action == "outcome":
        from tillit.cases.models import OtherOutcome

        detail = _label(OtherOutcome.Kind, detail)
    elif event.action == "updated":
        from tillit.cases.models import Case

        names = [n.strip() for n in detail.split(",") if n.strip()]
        detail = ", ".join(
            str(Case._meta.get_field(n).verbose_name)
            if n in {f.name for f in Case._meta.fields}
            else n
            for n in names
        )
    return action, detail
