"""Graded evidence of the duplicate family (issue 17): how strong a hit's evidence is, as a rule
with named reasons, never a black-box score.

A duplicate-family control returns `evidence_reasons`, a list of the reason codes below that hold
for its group. The grade follows from them alone:

- strong: at least one strong reason and no weak one (a re-keyed number, the same claim on
  different dates, one invoice paid twice, one claim under two supplier records, a reminder paid);
- medium: strong and weak reasons together;
- weak: weak reasons only (all on one day, an amount the supplier bills or the account is paid
  often, a repeat inside a recurring series).

Every place that shows a hit says the grade and its reasons in words (`describe`); the review
queue sorts by the rank and filters by the grade, and may show the weak groups as one summary line.
Pure Python: no Django (the web app passes its gettext as `translate`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from tillit.analytics.i18n import gettext_noop as _

STRONG = {
    "rekeyed": _(
        "the invoice number was re-keyed (a leading zero, a separator, a look-alike character, a "
        "suffix or two digits swapped)"
    ),
    "different_dates": _("the same claim on different dates"),
    "paid_twice": _("one invoice paid more than once"),
    "two_records": _("the same claim under two supplier records"),
    "reminder": _("a reminder paid after its invoice"),
}
WEAK = {
    "same_day": _("all on one day"),
    "standard_amount": _(
        "an amount the supplier bills, or the account is paid, three times or more besides"
    ),
    "series": _("a repeat inside a recurring series of the same amount"),
}
REASONS = {**STRONG, **WEAK}

GRADES = {
    "strong": _("strong"),
    "medium": _("medium"),
    "weak": _("weak"),
}
RANK = {"strong": 3, "medium": 2, "weak": 1, "": 0}


def grade(reasons: Iterable[str]) -> str:
    """The grade the reasons give: strong, medium, weak, or "" (no reasons: not graded)."""
    codes = set(reasons)
    strong, weak = bool(codes & STRONG.keys()), bool(codes & WEAK.keys())
    if strong and not weak:
        return "strong"
    if strong and weak:
        return "medium"
    return "weak" if weak else ""


def ordered(reasons: Iterable[str]) -> list[str]:
    """Known reason codes once each, strong ones first, in the order of the tables above."""
    codes = set(reasons)
    return [c for c in REASONS if c in codes]


def describe(reasons: Iterable[str], translate: Callable[[str], str] = lambda s: s) -> str:
    """The grade and its reasons in words: 'Evidence: strong (the same claim on different dates).'"""
    codes = ordered(reasons)
    level = grade(codes)
    if not level:
        return ""
    return translate(_("Evidence: %(grade)s (%(reasons)s).")) % {
        "grade": translate(GRADES[level]),
        "reasons": "; ".join(translate(REASONS[c]) for c in codes),
    }
