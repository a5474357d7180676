"""A follow-up or a correction as the last request with what it names changed.

WHY apart from :mod:`dialogs.context` (which stores the last answer): this is the rule for
each kind of request of which entities of a short message replace which of its slots. "and
Belgium?" after a purchase replaces the countries; "what about 50 users?" the seat count; "same
for the D&I plan" says they call abroad; "and 112?" after a number check replaces the number;
"and in Germany?" after a pool lookup replaces the country of the pools shown.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from dialogs.nlu.entities import Entities, extract_entities, first_integer, key
from dialogs.nlu.slots import CheckSlots, PurchaseSlots, in_country, known_countries, purchase_change, slot_words
from dialogs.purchase import changed
from knowledge.advisor import MAX_USERS
from knowledge.facts import COUNTRY_COMPUTATIONS, SEAT_COUNT_COMPUTATIONS, load_facts

#: A number typed alone after a cue ("and 112?", "et le 15 ?"): short codes count here too.
_DIGITS = re.compile(r"\+?\d[\d .\-]{0,18}\d|\d")


def followed_purchase(last: dict[str, Any], text: str, entities: Entities) -> PurchaseSlots | None:
    """The last purchase with the follow-up's change, or None when it changes nothing."""
    change = purchase_change(text, entities)
    if not change and not entities.numbers:
        # "non, en fait 45", "what about 60?": a number alone after the cue is the seat count;
        # "45 not 40", "pas 40 mais 45": not the count it corrects.
        count = first_integer(without_negated_counts(text[:200]))
        if count is not None and 1 <= count <= MAX_USERS:
            change = {"users": count, "users_per_country": None}
    if not change:
        return None
    return changed(PurchaseSlots.model_validate(last), change)


@cache
def _negated_counts() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in slot_words()["negated_counts"])


def without_negated_counts(text: str) -> str:
    """``text`` folded, without the numbers a correction says it replaces ("45 not 40" -> "45",
    "pas 40 mais 45" -> "mais 45"; ``slots.json`` ``negated_counts``)."""
    folded = key(text)
    for pattern in _negated_counts():
        folded = pattern.sub(" ", folded)
    return folded


@cache
def _plan_number_refs() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in slot_words()["plan_number_refs"])


def plan_by_number(text: str, entities: Entities) -> Entities | None:
    """A follow-up that names a plan by its minutes after an article ("same with the 240 one",
    "and the 120 one?", "pareil avec le 240"): the entities with that plan instead of the number
    (read as a seat count or a number to call otherwise); None when the message names anything
    else or the number names no plan (the lexicon reads "<number> plan" as none: "the 50 one")."""
    if entities.plan or entities.user_count or entities.countries or entities.users or len(entities.numbers) > 1:
        return None
    folded = key(text[:200])
    for pattern in _plan_number_refs():
        found = pattern.search(folded)
        if found is None or (entities.numbers and _digits_of(entities.numbers[0]) != found.group(1)):
            continue
        plan = extract_entities(f"{found.group(1)} plan").plan
        if plan is not None:
            return entities.model_copy(update={"plan": plan, "numbers": []})
    return None


def _digits_of(number: str) -> str:
    return "".join(c for c in number if c.isdigit())


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
        if "number" not in update and slots.number:
            update["number"] = number_as_read(slots)
    elif known_countries(entities.countries) and not number and slots.user is None:
        update["caller_country"] = known_countries(entities.countries)[0]
    if entities.plan and "user" not in update:
        update["plan"] = entities.plan
    return slots.model_copy(update=update) if update else None


def number_as_read(slots: CheckSlots) -> str | None:
    """The last check's number as it was read for its caller, for a check of another person ("et
    Jules ?" after "Quentin peut-il appeler le 0121 496 0000 ?": the UK number read in Quentin's
    country, not in Jules's)."""
    if slots.number and slots.caller_country:
        return in_country(slots.number, slots.caller_country)
    return slots.number


def followed_lookup(last: dict[str, Any], entities: Entities) -> Entities | None:
    """The last pool or user lookup with another country, month, line or plan."""
    previous = Entities.model_validate(last)
    update = {
        name: getattr(entities, name) for name in ("countries", "month", "line", "plan") if getattr(entities, name)
    }
    return previous.model_copy(update=update) if update else None


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


#: What each computation reads of a question (see knowledge/facts.py): a follow-up naming one
#: of these re-asks the fact; one naming none of them is a message of its own.
_PLAN_COMPUTATIONS = frozenset({"minutes_per_user", "pool_size", "phone_numbers", "country_availability"})


def _takes(fact_id: str) -> frozenset[str]:
    """The entities a follow-up may change in ``fact_id``'s answer (``Entities`` field names)."""
    fact = load_facts().get(fact_id)
    if fact is None:
        return frozenset()
    takes = set()
    if fact.compute in COUNTRY_COMPUTATIONS or fact.for_country is not None:
        takes |= {"countries", "unknown_places"}
    if fact.compute in SEAT_COUNT_COMPUTATIONS:
        takes.add("user_count")
    if fact.compute in _PLAN_COMPUTATIONS or (fact.for_country is not None and fact.for_country.plan is None):
        takes.add("plan")
    if fact.compute == "licence_teams_phone":
        takes.add("base_licence")
    return frozenset(takes)


def fact_to_reask(fact_id: str | None, text: str, entities: Entities) -> str | None:
    """Which fact a follow-up of the question of fact ``fact_id`` re-asks: the same one when it
    names something that fact's answer depends on ("and in Chile?" after where plans are sold,
    "and with 200?" after a pool for N users); the fact of the plan it names when the last fact
    was a plan's ("same for the D&I plan" after what the Domestic plan includes); None when it
    names nothing the fact takes ("and in Germany?" after what happens when a pool runs out):
    the message is then read on its own, as a Teams admin would expect."""
    base = load_facts()
    fact = base.get(fact_id)
    if fact is None or fact_id is None:
        return None
    # another plan's own fact first ("same for the D&I plan"); after a fact listing every plan's
    # own line (the SKUs: slots.json ``narrowed_by_plan``), the plan named narrows it ("and PAYG?")
    if entities.plan and (fact.named_by or fact_id in slot_words()["narrowed_by_plan"]):
        sku = entities.plan.upper()
        for other in base.facts:  # "PAYG" (either zone) names the Pay-As-You-Go plans' fact
            if any(
                n.upper() == sku or (sku == "PAYG" and n.upper().startswith("MCOPSTN_PAYG")) for n in other.named_by
            ):
                return other.id
    takes = _takes(fact_id)
    named = {name for name in takes if getattr(entities, name, None)}
    if "user_count" in takes and not named and not carries_entity(entities):
        count = first_integer(text[:200])  # "and with 200?", "et 80 ?": the bare number is the count
        if count is not None and 1 <= count <= MAX_USERS:
            named.add("user_count")
    if named:
        return fact_id
    if entities.plan or entities.line:
        # "and the Domestic one?" after the SKU of the D&I plan, "et le forfait national ?" after
        # a price: the same question about another plan, though its answer is the same text
        return fact_id
    return None


def carries_entity(entities: Entities) -> bool:
    """Whether any entity was read (a number inside a plan's name is the plan, not a count)."""
    return any(v for v in entities.model_dump().values())


__all__ = [
    "fact_to_reask",
    "followed_check",
    "followed_fact",
    "followed_lookup",
    "followed_purchase",
    "number_as_read",
    "plan_by_number",
    "without_negated_counts",
]
