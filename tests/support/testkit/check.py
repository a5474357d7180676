"""What a number check says of the user it is for (the line in its verdict card)."""

from __future__ import annotations

from dialogs.cards import CallerLine
from dialogs.nlu.i18n import t
from dialogs.nlu.render import country_name, plan_name


def caller_line(lang: str, upn: str, country: str, plan: str | None) -> CallerLine:
    """The line the check says of ``upn`` found in the store (usage location ``country``, the
    Calling Plan ``plan`` their licences give, or none), as the verdict card shows it."""
    where = country_name(country, lang)
    if plan is None:
        return CallerLine(t(lang, "check.user_no_plan", user=upn, country=where), upn, country, None)
    return CallerLine(t(lang, "check.user", user=upn, country=where, plan=plan_name(plan, lang)), upn, country, plan)
