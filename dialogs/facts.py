"""Questions of fact, answered from the fact base as a card with its sources.

The one entry point is :func:`answer_fact` (the contract with the root dialog and the
conversation context): given a message, its entities and the conversation's language, it
returns the activities to send. Retrieval (:mod:`knowledge.fact_search`) picks the fact:

* at or above the answer floor, the fact card: a heading, the answer (a computed one uses the
  message's countries, plan and user count), then the one Source line;
* between the floors, a "did you mean" card with the 2-3 closest questions as buttons; a click
  sends ``{"intent": "fact", "fact_id": ..., "entities": ...}`` and is answered like a question;
* below, the "not understood" card (the recognizer rarely routes such a message here).

``fact_id`` forces a fact (a button click, or a follow-up that re-asks the last fact with other
entities). The fact answered is recorded in the turn state (:func:`answered_fact`), so the
caller can remember it for a follow-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from dialogs.cards import CardReply, adaptive_card, button_rows, heading, source_line, submit, text_block, unknown_reply
from dialogs.nlu.entities import Entities
from dialogs.nlu.i18n import fill_template, normalize_lang, t
from dialogs.nlu.render import country_name, join, plan_name
from knowledge import fact_search
from knowledge.facts import COUNTRY_COMPUTATIONS, PER_COUNTRY_COMPUTATIONS, FactAnswer, FactQuery, load_facts

#: Where :func:`answer_fact` records the id of the fact it answered (``TurnContext.turn_state``).
FACT_ID_KEY = "calling_plan.fact_id"
#: How many questions a "did you mean" card offers.
SUGGESTIONS = 3


def answered_fact(context: TurnContext) -> str | None:
    """The id of the fact answered in this turn, if any (for the conversation context)."""
    return context.turn_state.get(FACT_ID_KEY)


def _query(entities: Entities | Mapping[str, Any] | None) -> FactQuery:
    if entities is None:
        return FactQuery()
    data = entities.model_dump() if isinstance(entities, Entities) else dict(entities)
    return FactQuery(
        countries=list(data.get("countries") or []),
        plan=data.get("plan"),
        user_count=data.get("user_count"),
        licence=data.get("base_licence") or data.get("licence"),
        line=data.get("line") if data.get("line") in ("domestic", "international") else None,
    )


def _render_params(answer: FactAnswer, lang: str) -> dict[str, Any]:
    """A computed answer's raw parameters as words of ``lang`` (numbers stay numbers: the
    template formats them and picks plural forms)."""
    out: dict[str, Any] = {}
    for name, value in answer.params.items():
        if name == "country":
            out[name] = country_name(value, lang)
        elif name == "plan":
            out[name] = plan_name(value, lang)
        elif name == "plans":
            out[name] = join((plan_name(sku, lang) for sku in value), lang)
        elif name in ("countries", "examples"):
            out[name] = join((country_name(iso, lang) for iso in value), lang)
        elif name == "licence":
            family = load_facts().catalog.family(value)
            out[name] = (family.name.fr if lang == "fr" else family.name.en) if family else value
        elif name == "bundle":
            out[name] = t(lang, "fact.or_bundle") if value else ""
        elif name == "provider":
            out[name] = t(lang, f"fact.provider.{value}")
        elif name == "international_minutes":
            out["international"] = t(lang, "fact.plus_international", minutes=value) if value else ""
        elif name == "international_pool":
            out["international"] = t(lang, "fact.pool_international", minutes=value) if value else ""
        else:
            out[name] = value
    return out


def _unknown_place(fact_id: str, entities: Entities | Mapping[str, Any] | None, text: str | None) -> str | None:
    """The place a question named that is no country the bot knows ("is Narnia callable?"),
    when no known country was named: the card says so first, then gives the general answer,
    instead of answering as if none was named. For a fact that answers per country, any place
    read as one; for another fact, only a capitalized name ("can our users in Latveria call
    abroad?"): the admin who typed a place must learn it was not read, but a word the question
    reader took for a place ("set to none") is no place typed."""
    place = _place_named(entities)
    if place is None or load_facts().by_id[fact_id].compute in COUNTRY_COMPUTATIONS:
        return place
    return place if place[:1].isupper() and not _title_case(text) else None


def _title_case(text: str | None) -> bool:
    """Whether most words of ``text`` are capitalized ("Est-Ce Que La Licence A5 Inclut Teams
    Phone"): then a capital says nothing of a name (unknown text: assumed so)."""
    words = [w for w in (text or "")[:200].replace("-", " ").split() if w[:1].isalpha()]
    return not words or sum(w[:1].isupper() for w in words) * 2 > len(words)


#: The topic whose facts say what one's own carrier allows (the carrier named is said back).
CARRIER_TOPIC = "pstn_connectivity"


def _own_carrier(fact_id: str, entities: Entities | Mapping[str, Any] | None) -> str | None:
    """The carrier a question about the PSTN options named ("we use BT, what are our
    options?"): said back first, so the answer is about that carrier, not the general list."""
    if entities is None or load_facts().by_id[fact_id].topic != CARRIER_TOPIC:
        return None
    data = entities.model_dump() if isinstance(entities, Entities) else dict(entities)
    name = data.get("carrier_name")
    return name if isinstance(name, str) and name else None


def _place_named(entities: Entities | Mapping[str, Any] | None) -> str | None:
    """The unknown place a question names when it names no known country (else None)."""
    if entities is None:
        return None
    data = entities.model_dump() if isinstance(entities, Entities) else dict(entities)
    places = data.get("unknown_places") or []
    if data.get("countries") or not places or not isinstance(places[0], str):
        return None
    return places[0]


def fact_reply(
    fact_id: str,
    entities: Entities | Mapping[str, Any] | None,
    lang: str,
    asked: str | None = None,
    named: list[tuple[str, str]] | None = None,
) -> CardReply:
    """The card answering ``fact_id`` for these entities, in ``lang``: for the country named
    when the fact has a ``for_country`` fact (``FactBase.specific``); an unknown country named
    is said back before the general answer (``asked``: the message, when typed). ``named``:
    the facts the message names by code (:func:`knowledge.fact_search.named_facts`) when it
    names several, ``fact_id`` among them: each is answered, for the plan its code names."""
    lang = normalize_lang(lang)
    base = load_facts()
    texts: list[str] = []
    sources: list[str] = []
    answered: list[str] = []
    for asked_id, named_query in _each_named(fact_id, _query(entities), named):
        for query in _each_country(asked_id, named_query):
            found, specific = base.specific(asked_id, query)  # its figure for the country named
            answer = base.answer(found, specific)
            template = base.by_id[found].template(answer.template)[lang]
            filled = fill_template(lang, template, **_render_params(answer, lang))
            if filled not in texts:
                texts.append(filled)
            sources.extend(s for s in answer.sources if s not in sources)
            answered.append(found)
    return _card(answered[0], texts, sources, entities, lang, asked)


def _each_named(fact_id: str, query: FactQuery, named: list[tuple[str, str]] | None) -> list[tuple[str, FactQuery]]:
    """``(fact_id, query)`` alone, or each fact named by code with the plan its code names
    ("MCOPSTN2" -> the Domestic and International plan) when several are and ``fact_id`` is
    one of them. WHY: "difference between MCOPSTN1 and MCOPSTN2?" was answered for MCOPSTN1
    only (spent heldout11: both plans' figures expected)."""
    if not named or len(named) < 2 or fact_id not in {f for f, _ in named}:
        return [(fact_id, query)]
    catalog = load_facts().catalog
    out = []
    for named_id, code in named:
        plan = catalog.find_plan(code)
        out.append((named_id, query.model_copy(update={"plan": plan.sku}) if plan is not None else query))
    return out


def _card(
    fact_id: str,
    texts: list[str],
    sources: list[str],
    entities: Entities | Mapping[str, Any] | None,
    lang: str,
    asked: str | None,
) -> CardReply:
    """The fact card: ``fact_id``'s title, the answers' texts (an unknown place or the asker's
    own carrier said first), the one Source line."""
    base = load_facts()
    fact = base.by_id[fact_id]
    text = " ".join(texts)
    place = _unknown_place(fact_id, entities, asked)
    if place is not None:
        text = f"{t(lang, 'reason.unknown_country', name=place)} {text}"
    carrier = _own_carrier(fact_id, entities)
    if carrier is not None:
        text = f"{t(lang, 'fact.own_carrier', name=carrier)} {text}"
    body = [heading(fact.title[lang]), text_block(text)]
    line = source_line(tuple(sources), lang)
    if line is not None:
        body.append(line)
    return CardReply(attachment=adaptive_card(body), text=text)


#: At most this many countries are answered one by one (a longer list is no comparison).
COMPARED = 3


def _each_country(fact_id: str, query: FactQuery) -> list[FactQuery]:
    """``query`` once per country it names when the fact (or the country fact it leads to)
    answers for one country and two to :data:`COMPARED` countries the catalog knows are named;
    else ``query`` alone. WHY: "how many minutes per user in Canada vs Germany?" was answered for
    Canada only (spent heldout10, facts_dev9: two-country comparisons)."""
    base = load_facts()
    target = base.by_id[fact_id]
    compute = target.compute or (base.by_id[target.for_country.fact].compute if target.for_country else None)
    known = list(dict.fromkeys(c for c in query.countries if base.catalog.country(c)))
    if compute not in PER_COUNTRY_COMPUTATIONS or not 2 <= len(known) <= COMPARED:
        return [query]
    return [query.model_copy(update={"countries": [iso]}) for iso in known]


def _entities_payload(entities: Entities | Mapping[str, Any] | None) -> dict[str, Any]:
    query = _query(entities)
    return {k: v for k, v in query.model_dump().items() if v}


def suggestions_reply(fact_ids: list[str], entities: Entities | Mapping[str, Any] | None, lang: str) -> CardReply:
    """ "Did you mean...?" with one button per fact (its first question form in ``lang``)."""
    lang = normalize_lang(lang)
    base = load_facts()
    payload = _entities_payload(entities)
    actions = [
        submit(base.by_id[fact_id].title[lang], {"intent": "fact", "fact_id": fact_id, "entities": payload})
        for fact_id in fact_ids
    ]
    question = t(lang, "fact.did_you_mean")
    body = [text_block(question, weight="Bolder"), *button_rows(actions)]
    return CardReply(attachment=adaptive_card(body), text=question)


async def answer_fact(
    context: TurnContext,
    text: str | None,
    entities: Entities | Mapping[str, Any] | None,
    lang: str,
    fact_id: str | None = None,
    ranked: list[tuple[str, float]] | None = None,
) -> list[Activity]:
    """The activities answering a question of fact (see the module docstring); records the
    answered fact's id in the turn state (:func:`answered_fact`). ``ranked``: the closest facts
    the recognizer already found (it reads more than the words: a greeting dropped, an unknown
    place read as a place, a seat count and the pool); searched here when not given."""
    base = load_facts()
    if fact_id is None or base.get(fact_id) is None:
        if not ranked:
            place = _place_named(entities)
            query = (text or "").replace(place, fact_search.COUNTRY_TOKEN) if place else text or ""
            ranked = fact_search.search(query)  # "is Narnia callable?" is searched as "is <country> callable?"
        best = ranked[0][1] if ranked else 0.0
        if best >= fact_search.ANSWER_FLOOR:
            fact_id = ranked[0][0]
        elif best >= fact_search.SUGGEST_FLOOR:
            close = [fid for fid, _ in ranked[:SUGGESTIONS]]  # the best and its runners-up
            return [suggestions_reply(close, entities, lang).to_activity()]
        else:
            return [unknown_reply(lang).to_activity()]
    context.turn_state[FACT_ID_KEY] = fact_id
    named = fact_search.named_facts(text) if text else None  # "MCOPSTN1 vs MCOPSTN2": each answered
    return [fact_reply(fact_id, entities, lang, text, named).to_activity()]


def clicked_fact(value: Any) -> tuple[str, dict[str, Any]] | None:
    """A "did you mean" button's ``(fact_id, entities)``, None for any other card value."""
    if isinstance(value, dict) and value.get("intent") == "fact" and isinstance(value.get("fact_id"), str):
        entities = value.get("entities")
        return value["fact_id"], entities if isinstance(entities, dict) else {}
    return None


async def fact_turn(
    context: TurnContext, entities: Entities | None, lang: str, ranked: list[tuple[str, float]] | None = None
) -> list[Activity]:
    """This turn's question of fact: a "did you mean" button (its fact id and the entities of
    the question it came from), or the typed text with ``entities`` and ``ranked`` (the
    recognizer's)."""
    clicked = clicked_fact(context.activity.value)
    if clicked is not None:
        fact_id, clicked_entities = clicked
        return await answer_fact(context, None, clicked_entities, lang, fact_id=fact_id)
    return await answer_fact(context, context.activity.text or "", entities, lang, ranked=ranked)


__all__ = [
    "FACT_ID_KEY",
    "answer_fact",
    "answered_fact",
    "clicked_fact",
    "fact_reply",
    "fact_turn",
    "suggestions_reply",
]
