"""The guided purchase: from "which plan for 40 users in France?" to the purchase summary card.

A waterfall of one step per slot. The first message's slots arrive as the dialog's options
(:func:`dialogs.nlu.slots.purchase_slots`); each step asks its question only when the slot is still
empty, so a complete first sentence goes straight to the summary. A message that gives the
countries, the seat count and the base licence or the scope is answered at once
(:func:`says_enough`): what it does not say is assumed (:func:`with_assumptions`: no carrier of
your own, calls within the country, typical usage) and the card states each assumption with
buttons that re-run the advice with that slot changed (:func:`changed`). Order: where the users are,
how many, and (only when the licence was not said either) whether they call abroad; then the
answer, with the licence, carrier and minutes assumed as above rather than asked (there are no
licence, carrier or minutes questions: the assumption buttons change them). The answers feed
:func:`knowledge.advisor.recommend`, and the dialog ends with the summary card: ordered
admin-center steps, licences and quantities, resulting pools, caveats.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from botbuilder.dialogs import DialogTurnResult, WaterfallDialog, WaterfallStepContext

from dialogs.base import SENTENCE_WORDS, SURE, InterruptibleDialog
from dialogs.cards import licence_note, purchase_summary_card
from dialogs.context import cue_of, remember, without_cue
from dialogs.facts import answered_fact
from dialogs.nlu.answers import UNKNOWN
from dialogs.nlu.entities import Entities, key
from dialogs.nlu.i18n import t
from dialogs.nlu.recognizer import Intent, Recognition
from dialogs.nlu.render import carrier_name, country_name, join
from dialogs.nlu.slots import FEW, NO_CARRIER, PurchaseSlots, purchase_change, purchase_slots
from dialogs.turn import lang_of
from knowledge.advisor import MAX_USERS, AdviceRequest, Recommendation, recommend
from knowledge.catalog import load_catalog


def advice_request(slots: PurchaseSlots) -> AdviceRequest:
    """The advisor's request; "I don't know" answers become "not given"."""

    def number(value: int | str | None) -> int | None:
        return value if isinstance(value, int) else None

    return AdviceRequest(
        countries=slots.countries,
        users=slots.users,
        users_per_country=slots.users_per_country,
        international=bool(slots.international),
        international_minutes=number(slots.international_minutes) if slots.international else None,
        base_licence=None if slots.base_licence in (None, UNKNOWN) else slots.base_licence,
        carrier=None if slots.carrier in (None, NO_CARRIER) else slots.carrier,
        minutes_per_user=number(slots.minutes_per_user),
        few_outbound=slots.minutes_per_user == FEW,
    )


def noted_facts(slots: PurchaseSlots, lang: str) -> str | None:
    """ "Noted: 40 users in France, they call abroad." for what the first message said."""
    facts = given_facts(slots, lang)
    return t(lang, "purchase.noted", facts=facts) if facts else None


def given_facts(slots: PurchaseSlots, lang: str) -> str | None:
    """ "40 users in France, they call abroad": what the slots say, in one phrase."""
    facts = []
    countries = join((country_name(c, lang) for c in slots.countries), lang)
    if slots.users_per_country:
        facts.append(
            join(
                (
                    t(lang, "facts.count_in", users=n, country=country_name(c, lang))
                    for c, n in slots.users_per_country.items()
                ),
                lang,
            )
        )
    elif slots.users and countries:
        key = "facts.users_in_about" if slots.users_approx else "facts.users_in"
        facts.append(t(lang, key, users=slots.users, countries=countries))
    elif countries:
        facts.append(t(lang, "facts.countries", countries=countries))
    if slots.international is not None:
        facts.append(t(lang, "facts.international" if slots.international else "facts.domestic"))
    if isinstance(slots.minutes_per_user, int):  # "they mostly receive calls" changes the plan: say it was read
        facts.append(t(lang, "facts.minutes", minutes=slots.minutes_per_user))
    elif slots.minutes_per_user == FEW:
        facts.append(t(lang, "facts.few_minutes"))
    if slots.base_licence and slots.base_licence != UNKNOWN:
        family = load_catalog().family(slots.base_licence)
        facts.append(t(lang, "facts.licence", licence=getattr(family.name, lang) if family else slots.base_licence))
    if slots.carrier and slots.carrier != NO_CARRIER:
        kind = carrier_name(slots.carrier, lang)
        named = f"{slots.carrier_name} ({kind})" if slots.carrier_name else kind  # "Telstra (Operator Connect)"
        facts.append(t(lang, "facts.carrier", carrier=named))
    return ", ".join(facts) if facts else None


def says_enough(slots: PurchaseSlots) -> bool:
    """Whether the message is enough to answer at once: the countries and the seat count, and
    either the base licence, the scope (do they call abroad) or a carrier of their own (no
    Calling Plan then: the scope would not change the answer)."""
    has_users = slots.users is not None or bool(slots.users_per_country)
    return (
        bool(slots.countries)
        and has_users
        and (slots.base_licence is not None or slots.international is not None or own_carrier(slots))
    )


def own_carrier(slots: PurchaseSlots) -> bool:
    """Whether the admin named a carrier of their own (Operator Connect, Direct Routing...)."""
    return slots.carrier not in (None, NO_CARRIER, UNKNOWN)


def with_assumptions(slots: PurchaseSlots) -> PurchaseSlots:
    """The slots a one-turn answer assumes, recorded in ``assumed`` so the card states them
    with buttons to change each: no carrier of your own, calls within the country, typical
    usage (the advisor's default when no minutes are given), base licence not given."""
    update: dict[str, object] = {}
    assumed = list(slots.assumed)

    def assume(name: str, slot: str, value: object) -> None:
        update[slot] = value
        if name not in assumed:
            assumed.append(name)

    if slots.carrier is None:
        assume("carrier", "carrier", NO_CARRIER)
    if slots.international is None:
        assume("international", "international", False)
    if slots.base_licence is None:
        assume("licence", "base_licence", UNKNOWN)
    question = minutes_question(slots.model_copy(update=update))
    if question == "minutes":
        assume("minutes", "minutes_per_user", UNKNOWN)
    elif question == "international_minutes":
        assume("international_minutes", "international_minutes", UNKNOWN)
    return slots.model_copy(update={**update, "assumed": assumed})


def changed(slots: PurchaseSlots, change: dict[str, object]) -> PurchaseSlots:
    """The slots with ``change`` applied (a button of the assumptions, a follow-up or a
    correction): a changed slot is no longer an assumption, and an assumption that depended on
    it is made again (typical minutes once the users call abroad)."""
    names = {
        "carrier": "carrier",
        "international": "international",
        "base_licence": "licence",
        "minutes_per_user": "minutes",
        "international_minutes": "international_minutes",
    }
    dropped = {names[k] for k in change if k in names}
    fields = set(PurchaseSlots.model_fields) - {"assumed", "unknown_places"}
    update = {k: v for k, v in change.items() if k in fields}
    if "international" in update and slots.international != update["international"]:
        dropped |= {"minutes", "international_minutes"}
        for name, slot in (("minutes", "minutes_per_user"), ("international_minutes", "international_minutes")):
            if name in slots.assumed and slot not in update:
                update[slot] = None
    if "carrier" in update and "carrier_name" not in update:  # a button: no longer the operator named
        update["carrier_name"] = None
    if "countries" in update and "users_per_country" not in update:
        update["users_per_country"] = None
    assumed = [a for a in slots.assumed if a not in dropped]
    return slots.model_copy(update={**update, "assumed": assumed, "unknown_places": []})


def minutes_question(slots: PurchaseSlots) -> str | None:
    """Which minutes question can still change the answer: none with a carrier (no Calling Plan
    is bought) or without a Microsoft Calling Plan country; the international minutes for users
    who call abroad; otherwise the expected domestic minutes (PAYG, 120-minute or Domestic)."""
    if slots.carrier not in (None, NO_CARRIER):
        return None
    catalog = load_catalog()
    if not any((c := catalog.country(iso)) is not None and c.has_microsoft_calling_plans for iso in slots.countries):
        return None
    if slots.international:
        return "international_minutes" if slots.international_minutes is None else None
    return "minutes" if slots.minutes_per_user is None else None


class PurchaseDialog(InterruptibleDialog):
    intent = Intent.PURCHASE
    help_key = "help.purchase"
    slots_model = PurchaseSlots

    def __init__(self) -> None:
        super().__init__(PurchaseDialog.__name__)
        self.add_dialog(
            WaterfallDialog(
                "purchase_steps",
                [
                    self._start,
                    self._users,
                    self._international,
                    self._summary,
                ],
            )
        )
        self.initial_dialog_id = "purchase_steps"

    def corrected(self, text: str, entities: Entities) -> dict[str, object] | None:
        change = purchase_change(text, entities)
        rest = key(without_cue(text)[:40]).split()
        if "users" not in change and len(rest) == 1 and rest[0].isdigit() and 1 <= int(rest[0]) <= MAX_USERS:
            # "make that 60", "plutôt 60": a bare number corrects the one count the purchase asks
            change.update(users=int(rest[0]), users_approx=False, users_per_country=None)
        return change or None

    def restart_with(self, text: str, recognition: Recognition) -> dict[str, Any] | None:
        """A purchase request that says enough on its own, typed at a question of this purchase
        ("which plan for 20 E5 users in Spain?" while asked how many users in France): the new
        request, not an answer that would keep France."""
        if recognition.intent != Intent.PURCHASE or recognition.score < SURE or cue_of(text) is not None:
            return None
        if len(key(text[:200]).split()) < SENTENCE_WORDS:
            return None
        slots = purchase_slots(text, recognition.entities)
        return slots.model_dump(mode="json") if says_enough(slots) else None

    def also_said(self, text: str, slots: Any, entities: Entities) -> dict[str, Any]:
        if not text.strip():
            return {}
        change = purchase_change(text, entities)
        return {k: v for k, v in change.items() if getattr(slots, k, None) in (None, [], {})}

    async def _start(self, step: WaterfallStepContext) -> DialogTurnResult:
        slots = PurchaseSlots.model_validate(step.options or {})
        lang = lang_of(step.context)
        unknown = [t(lang, "reason.unknown_country", name=name) for name in slots.unknown_places]
        if says_enough(slots):
            # One turn: answer now. What was assumed is on the card, with what the message said;
            # a message that said everything gets its "Noted" line as before.
            slots = with_assumptions(slots)
            self.start_slots(step, slots)
            noted = None if slots.assumed else noted_facts(slots, lang)
            said = ([noted] if noted else []) + unknown
            if said:
                await step.context.send_activity(" ".join(said))
            return await step.next(None)
        self.start_slots(step, slots)
        noted = noted_facts(slots, lang)
        said = ([noted] if noted else []) + unknown
        if said:
            await step.context.send_activity(" ".join(said))
        family = load_catalog().family(slots.base_licence) if slots.base_licence not in (None, UNKNOWN) else None
        answered = answered_fact(step.context) is not None  # the prerequisite already shown as a fact
        if family is not None and not slots.countries and not answered:  # "we have E3, what do we need?"
            await step.context.send_activity(licence_note(family, lang).to_activity())
        return await self.ask_if(step, not slots.countries, "countries")

    async def _users(self, step: WaterfallStepContext) -> DialogTurnResult:
        slots = self.take(step)
        missing = slots.users is None and not slots.users_per_country
        spec: dict[str, Any]
        if len(slots.countries) == 1:
            spec = {"text_key": "prompt.users_in", "params": {"country": slots.countries[0]}}
        else:
            spec = {
                "text_key": "prompt.users_each",
                "countries": slots.countries,
                "params": {"countries": slots.countries},
            }
        if slots.vague_count:  # "a few hundred users in France": why the count is asked
            spec["notice"] = ["reason.vague_count", {"text": slots.vague_count}]
        return await self.ask_if(step, missing, "users", **spec)

    async def _international(self, step: WaterfallStepContext) -> DialogTurnResult:
        slots = self.take(step)
        # The scope is the one question left when neither it nor the licence was said (a given
        # licence is enough to answer, assuming calls within the country, with a button).
        missing = slots.international is None and slots.base_licence is None and not own_carrier(slots)
        spec: dict[str, Any] = {"countries": slots.countries}  # said back: "in Norway"
        if isinstance(step.result, dict) and step.result.get("users_approx"):  # "a couple of hundred" just typed
            spec["notice"] = [
                "purchase.noted",
                {"facts": given_facts(slots.model_copy(update={"international": None}), lang_of(step.context))},
            ]
        return await self.ask_if(step, missing, "international", **spec)

    async def _summary(self, step: WaterfallStepContext) -> DialogTurnResult:
        # Where, how many and the scope (or the licence) are known here: that is enough to answer
        # (:func:`says_enough`). The licence, carrier and minutes are assumed, stated on the card
        # with buttons to change each, instead of asked: no question that would not change the
        # plan to buy. (Their questions were asked here once; no path reached them any more.)
        # The assumptions are made in this last step, not one of their own before it: a step is
        # a waterfall turn of the SDK's (a step context, its memory scopes, the slots stored and
        # read again) for slots nothing else reads. A conversation saved at a question resumes
        # at the same step index as before (no step before this one changed).
        slots = with_assumptions(self.take(step, keep=False))  # the dialog ends here: nothing reads them again
        recommendation: Recommendation = recommend(advice_request(slots), english=False)  # the card renders its own
        lang = lang_of(step.context)
        given = given_facts(slots.model_copy(update=_without_assumed(slots)), lang) if slots.assumed else None
        card = purchase_summary_card(recommendation, lang, assumptions=assumption_lines(slots, lang), given=given)
        await step.context.send_activity(card.to_activity())
        await remember(step.context, Intent.PURCHASE.value, slots.model_dump(mode="json"))
        return await step.end_dialog({"done": "purchase"})


def _without_assumed(slots: PurchaseSlots) -> dict[str, object]:
    """The slots an assumption filled, emptied (so "From your message" says only what was said)."""
    slot_of = {
        "carrier": "carrier",
        "international": "international",
        "licence": "base_licence",
        "minutes": "minutes_per_user",
        "international_minutes": "international_minutes",
    }
    return {slot_of[a]: None for a in slots.assumed if a in slot_of}


#: The base licences offered as buttons when none was given.
LICENCE_BUTTONS = ("E5", "E3", "BUSINESS_PREMIUM")


def assumption_lines(slots: PurchaseSlots, lang: str) -> list[tuple[str, list[tuple[str, dict[str, object]]]]]:
    """Each assumption as (sentence, [(button title, slots it changes)]); the slots are a new
    dict each (they go into the card's button data)."""
    lines = _assumption_lines(lang)
    said = []
    for name in slots.assumed:
        if name in lines:
            sentence, buttons = lines[name]
            said.append((sentence, [(title, dict(change)) for title, change in buttons]))
    return said


@cache
def _assumption_lines(lang: str) -> dict[str, tuple[str, tuple[tuple[str, tuple[tuple[str, object], ...]], ...]]]:
    """Every assumption's sentence and buttons in ``lang``, made once per language (of two).

    WHY: they depend on the language alone (locale strings and the catalog's licence names,
    fixed in a process), yet all nine button titles and five sentences were filled on every
    purchase summary."""
    catalog = load_catalog()
    buttons: dict[str, list[tuple[str, dict[str, object]]]] = {
        "carrier": [
            (t(lang, "change.operator_connect"), {"carrier": "operator_connect"}),
            (t(lang, "change.direct_routing"), {"carrier": "direct_routing"}),
        ],
        "international": [(t(lang, "change.international"), {"international": True})],
        "licence": [
            (
                t(lang, "change.licence", licence=getattr(family.name, lang) if (family := catalog.family(f)) else f),
                {"base_licence": f},
            )
            for f in LICENCE_BUTTONS
        ],
        "minutes": [
            (t(lang, "change.low_minutes"), {"minutes_per_user": 100}),
            (t(lang, "change.high_minutes"), {"minutes_per_user": 2000}),
        ],
        "international_minutes": [(t(lang, "change.intl_minutes"), {"international_minutes": 600})],
    }
    return {
        name: (t(lang, f"assume.{name}"), tuple((title, tuple(change.items())) for title, change in line))
        for name, line in buttons.items()
    }
