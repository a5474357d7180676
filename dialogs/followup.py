"""A follow-up or a correction as the last request with what it names changed.

WHY apart from :mod:`dialogs.context` (which stores the last answer): this is the rule for
each kind of request of which entities of a short message replace which of its slots. "and
Belgium?" after a purchase replaces the countries; "what about 50 users?" the seat count; "same
for the D&I plan" says they call abroad; "and 112?" after a number check replaces the number;
"and in Germany?" after a pool lookup replaces the country of the pools shown.
"""

from __future__ import annotations

import re
from typing import Any

from dialogs.nlu.entities import Entities, first_integer
from dialogs.nlu.slots import CheckSlots, PurchaseSlots, in_country, known_countries, purchase_change
from dialogs.purchase import changed
from knowledge.advisor import MAX_USERS
from knowledge.facts import SEAT_COUNT_COMPUTATIONS, load_facts

#: A number typed alone after a cue ("and 112?", "et le 15 ?"): short codes count here too.
_DIGITS = re.compile(r"\+?\d[\d .\-]{0,18}\d|\d")


def followed_purchase(last: dict[str, Any], text: str, entities: Entities) -> PurchaseSlots | None:
    """The last purchase with the follow-up's change, or None when it changes nothing."""
    change = purchase_change(text, entities)
    if not change and not entities.numbers:
        # "non, en fait 45", "what about 60?": a number alone after the cue is the seat count.
        count = first_integer(text[:200])
        if count is not None and 1 <= count <= MAX_USERS:
            change = {"users": count, "users_per_country": None}
    if not change:
        return None
    return changed(PurchaseSlots.model_validate(last), change)


def followed_check(last: dict[str, Any], text: str, entities: Entities) -> CheckSlots | None:
    """The last number check with another number ("and 112?") or another caller."""
    slots = CheckSlots.model_validate(last)
    update: dict[str, Any] = {}
    dialled = _DIGITS.search(text[:200])
    number = entities.numbers[0] if entities.numbers else (dialled.group(0).strip() if dialled else None)
    if number:
        update["number"] = number
    if entities.users:
        update.update(user=entities.users[0], upn=None, caller_country=None, plan=None)
        if "number" not in update and slots.number and slots.caller_country:
            # "et Jules ?" after "Quentin peut-il appeler le 0121 496 0000 ?": the same number, as
            # read in Quentin's country, not in Jules's
            update["number"] = in_country(slots.number, slots.caller_country)
    elif known_countries(entities.countries) and not number and slots.user is None:
        update["caller_country"] = known_countries(entities.countries)[0]
    if entities.plan and "user" not in update:
        update["plan"] = entities.plan
    return slots.model_copy(update=update) if update else None


def followed_lookup(last: dict[str, Any], entities: Entities) -> Entities | None:
    """The last pool or user lookup with another country, month, line or plan."""
    previous = Entities.model_validate(last)
    update = {
        name: getattr(entities, name) for name in ("countries", "month", "line", "plan") if getattr(entities, name)
    }
    return previous.model_copy(update=update) if update else None


__all__ = ["followed_check", "followed_lookup", "followed_purchase"]


def followed_fact(last: dict[str, Any], fact_id: str | None, text: str, entities: Entities) -> dict[str, Any]:
    """The last question of fact's entities with what the follow-up names replacing them ("and
    Spain?"); a number alone ("et pour 75 ?", "what about 200?") is the seat count when the
    fact takes one (the pool for N users, phone numbers for N licences)."""
    named = {name: value for name, value in entities.model_dump(mode="json").items() if value}
    fact = load_facts().get(fact_id)
    if not named and fact is not None:  # "same for the 240-minute plan": 240 names the plan
        count = first_integer(text[:200]) if fact.compute in SEAT_COUNT_COMPUTATIONS else None
        if count is not None and 1 <= count <= MAX_USERS:
            named["user_count"] = count
    return {**last, **named}
