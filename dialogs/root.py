"""The root dialog the host runs every turn: it decides the language and routes each request.

The contract with the host (keep it when changing the insides). The host imports all of it
from :mod:`dialogs.api`, and nothing else of ``dialogs``.

What the host gives:

- to :func:`create_root_dialog` (``bot.app.create_app`` calls it once per app as its default
  ``root_dialog`` factory) the keywords ``conversation_state=``, ``user_state=``, ``store=`` (a
  :class:`knowledge.store.api.UsageStoreApi`, or None), ``alerts=`` (a
  ``knowledge.alerts.AlertBook`` for pool alerts, or None) and ``tenant_fallback=`` (the tenant
  whose data answers when the store does not hold the caller's: the demo tenant in local mode,
  None when an app id is configured); unknown keywords are accepted and ignored, so the host
  can add one before this module uses it.

What the host gets:

- the root ``Dialog`` it runs every turn (from :func:`create_root_dialog`), with
  ``answer_at_once(context) -> bool``: for a message while no dialog is active, the host calls
  it first, outside the SDK's dialog stack (after reading the ``DialogState`` property, as
  ``run_dialog`` would); True means the turn was answered, False that the host goes on with
  ``run_dialog`` as usual (the message begins a dialog; it is not routed twice);
- the sentences the host itself sends, from the locale files: :func:`apology_text` (after a
  bug in a turn), :func:`tenant_refusal_text` (to a tenant outside ``ALLOWED_TENANTS``) and
  :func:`state_reset_text` (when the conversation's saved state could not be read);
- the cards it sends itself: ``welcome_card`` (when the bot is added), ``alert_card`` (a
  proactive pool alert, a ``CardReply``) and ``card_activity`` (a card as a message);
- the conversation's language: ``TurnLanguage`` (decided and remembered in conversation and
  user state) and ``detect_language``; and ``tenant_id_of`` (the tenant id on an activity).

Routing (``route``): a card button (``activity.value = {"intent": ...}``) or the recognizer's
intent for typed text decides. Purchase and number check are multi-turn dialogs
(:mod:`dialogs.purchase`, :mod:`dialogs.check`) started with what the first message already
says; pool balance and the user list are answered at once (:mod:`dialogs.lookups`), and so
are pool alert requests (subscribe, list, stop: :mod:`dialogs.alerts`); help,
greetings and anything not understood get the three things the bot can do with the welcome
card. A dialog interrupted by another dialog's request hands it back here (``_after``), and it is
routed like a new message; a request answered at once (pool, users, alerts) is answered inside
the dialog instead (:meth:`RootDialog.answer_aside`), and a number check typed mid-purchase runs
nested in it, after which the purchase asks its question again.

Conversation context (:mod:`dialogs.context`): every answered question is remembered; a
message that starts like a follow-up or a correction ("and Belgium?", "actually, Austria") and
names something is the last question again with that changed (``_follow_up``,
:mod:`dialogs.followup`), as is a click on an assumption button of a one-turn purchase card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from botbuilder.core import ConversationState, TurnContext, UserState
from botbuilder.dialogs import (
    ComponentDialog,
    Dialog,
    DialogContext,
    DialogTurnResult,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.schema import ActivityTypes
from pydantic import BaseModel

from dialogs.alerts import alert_activities
from dialogs.base import REQUEST_INTENTS, SURE, SWITCH
from dialogs.cards import unknown_reply, welcome_reply
from dialogs.check import NumberCheckDialog
from dialogs.context import (
    ConversationMemory,
    carries_change,
    corrects_in_passing,
    cue_of,
    recall,
    remember,
    without_cue,
)
from dialogs.facts import answer_fact, answered_fact, fact_turn
from dialogs.followup import (
    fact_to_reask,
    followed_check,
    followed_fact,
    followed_lookup,
    followed_purchase,
    number_as_read,
    plan_by_number,
    without_negated_counts,
)
from dialogs.lookups import name_words, pool_activities, users_activities
from dialogs.nlu.entities import Entities, first_integer, key, lexicon, words_of
from dialogs.nlu.i18n import t
from dialogs.nlu.recognizer import (
    Intent,
    Recognition,
    class_in,
    from_card_value,
    has_unknown_word,
    names_class,
    recognize,
)
from dialogs.nlu.slots import (
    CheckSlots,
    PurchaseSlots,
    acknowledges,
    check_slots,
    known_countries,
    purchase_slots,
    slot_words,
    states_scope,
    usage_minutes,
)
from dialogs.purchase import PurchaseDialog, changed
from dialogs.turn import TenantData, TurnLanguage, lang_of, turn_extraction, turn_language_score
from knowledge.store.api import UsageStoreApi


@dataclass(frozen=True)
class Begin:
    """What routing decided for a message that starts a multi-turn dialog: that dialog, begun
    with these slots. Kept as the model routing built: a number check the message completes is
    answered from it at once (:meth:`RootDialog.answer_at_once`), with no dump to JSON and
    validation back (issue 14: ~5 us of a check turn); only a dialog begun on the SDK's stack
    needs them as JSON (:attr:`options`, kept in the dialog state)."""

    dialog_id: str
    slots: BaseModel

    @property
    def options(self) -> dict[str, Any]:
        """The slots as the dialog's JSON options (``begin_dialog``)."""
        return self.slots.model_dump(mode="json")


#: What :meth:`RootDialog._follow_up` gives for a follow-up it answered at once.
ANSWERED = True

#: Where :meth:`RootDialog.answer_at_once` leaves a :class:`Begin` for the dialog stack.
ROUTED_KEY = "callplan.routed"


def apology_text(lang: str | None) -> str:
    """What the host says after a turn failed (the conversation state is cleared too), in the
    conversation's language (``TurnLanguage.remembered``; a locale such as ``fr-FR`` works too)."""
    return t(lang or "en", "host.apology")


def state_reset_text(lang: str | None) -> str:
    """What the host says when this conversation's saved state could not be read and was set
    aside: the conversation starts over rather than failing on every turn."""
    return t(lang or "en", "host.state_reset")


def tenant_refusal_text(lang: str | None) -> str:
    """What the host says to a tenant that is not in ``ALLOWED_TENANTS``."""
    return t(lang or "en", "host.tenant_refused")


def _clicked_slots(activity: Any) -> CheckSlots | None:
    """The slots a "which one?" button carries (``{"intent": "check", "slots": {...}}``)."""
    value = activity.value
    slots = value.get("slots") if isinstance(value, dict) and not (activity.text or "").strip() else None
    if not isinstance(slots, dict):
        return None
    try:
        return CheckSlots.model_validate(slots)
    except ValueError:
        return None  # a forged or outdated button: the request starts afresh


#: The check score (raw, lexicon weights) from which a question naming a person of the roster
#: is a number check for them rather than a question of fact (the recognizer's threshold is 1.5:
#: "peut appeler" alone scores 2.5).
SURE_CHECK = 2.5

#: Requests about a person that the recognizer's domain gate leaves unknown when the person is
#: named only by name ("how much is left for Priya?" has no entity of the domain).
_ABOUT_A_PERSON = (Intent.POOL, Intent.CHECK, Intent.USERS)


def _gated_by_a_name(recognition: Recognition) -> Intent | None:
    """The request an unknown message would be if what it names were an entity: its best intent
    reached the recognizer's threshold but not the domain gate's (only about a person)."""
    if recognition.intent != Intent.UNKNOWN or not recognition.scores:
        return None
    name, score = max(recognition.scores.items(), key=lambda item: item[1])
    intent = Intent(name)
    return intent if intent in _ABOUT_A_PERSON and score >= float(lexicon()["threshold"]) else None


#: A message of at most this many words that only names a country ("UK", "Germany?") is an
#: ellipsis of the last question when nothing else understood it.
BARE_WORDS = 3


@cache
def _question_starts() -> frozenset[str]:
    """``slots.json`` ``question_starts`` as a set (a list scan was ~2 us a routed turn)."""
    return frozenset(slot_words()["question_starts"])


@cache
def _not_names() -> frozenset[str]:
    """Words after a follow-up cue that are no person ("and now?", "et alors ?")."""
    return frozenset(slot_words()["not_names"])


#: How much of a message the routing rules below read: its head (a follow-up or a correction is short).
HEAD_CHARS = 200


def head_words(text: str) -> list[str]:
    """The folded words of a message's head (:data:`HEAD_CHARS`): what the routing rules read
    words from. Folded once a turn by :meth:`RootDialog.route` and passed down (each rule
    folded and split the same text again, ~1-2 us each)."""
    return words_of(text[:HEAD_CHARS])


def _bare_place(recognition: Recognition, words: list[str]) -> bool:
    """ "UK" or "Allemagne ?" alone after an answer: the last question for that country (no cue
    word, but nothing else it could mean). Only an unknown intent and only countries named.
    ``words``: :func:`head_words` of the message."""
    entities = recognition.entities
    return (
        recognition.intent == Intent.UNKNOWN
        and bool(known_countries(entities.countries))
        and len(words) <= BARE_WORDS
        and not (entities.numbers or entities.users or entities.user_count)
    )


@cache
def _pool_pronouns() -> dict[str, tuple[re.Pattern[str], str]]:
    words = slot_words()
    return {
        lang: (re.compile("|".join(patterns), re.IGNORECASE), words["pool_named"][lang])
        for lang, patterns in words["pool_pronouns"].items()
    }


def _pool_named(text: str, lang: str) -> str | None:
    """``text`` with its first pronoun read as the pool ("when does it reset?" -> "when does the
    pool reset?"), or None when it has none."""
    found = _pool_pronouns().get(lang)
    if found is None:
        return None
    pattern, named = found
    head = text[:HEAD_CHARS]
    return pattern.sub(named, head, count=1) if pattern.search(head) else None


def _bare_licence(recognition: Recognition, words: list[str]) -> bool:
    """ "E5" or "they have E3" alone after an answer: the last question for that base licence
    (the purchase's assumption corrected, "and E3?" without the cue). Only an unknown intent,
    a base licence named and nothing else. ``words``: :func:`head_words` of the message."""
    entities = recognition.entities
    return (
        recognition.intent == Intent.UNKNOWN
        and entities.base_licence is not None
        and len(words) <= BARE_WORDS
        and not (entities.numbers or entities.users or entities.user_count or entities.countries or entities.plan)
    )


def _corrects_purchase(recognition: Recognition, text: str, words: list[str]) -> bool:
    """ "we're 45 actually", "45 not 40", "no, 45 users", "la Roumanie, pas la France" (a
    correction word anywhere in a short message, :func:`dialogs.context.corrects_in_passing`), or
    a seat count alone ("240 users", "45 users?", "240 utilisateurs"): a correction of the last
    recommendation's seat count or countries, though no cue starts it. Never a question ("which
    plan for 240 users in Germany?" is a purchase of its own; only a seat count alone may end
    with "?"), nor a message naming what a correction of seats or places does not (a number to
    call, a person, a plan, a month), nor a request of another kind the recognizer is sure of.
    The caller checks that the last answer was a recommendation. ``words``: :func:`head_words`."""
    head = text[:HEAD_CHARS]
    entities = recognition.entities
    if (
        not words
        or words[0] in _question_starts()
        or class_in(words, "ask")
        or entities.numbers
        or entities.users
        or entities.plan
        or entities.month
        or entities.line
        or entities.unknown_places
    ):
        return False
    if recognition.intent in REQUEST_INTENTS and recognition.intent != Intent.PURCHASE and recognition.score >= SURE:
        return False
    if corrects_in_passing(head) and not head.rstrip().endswith("?"):
        return bool(
            entities.user_count
            or known_countries(entities.countries)
            or first_integer(without_negated_counts(head)) is not None
        )
    return bool(entities.user_count) and not entities.countries and len(words) <= BARE_WORDS


def _restates_need(recognition: Recognition, text: str, words: list[str]) -> bool:
    """ "they barely make any outbound calls", "ils n'appellent qu'en France", "we're with BT"
    after a purchase answer: a statement of how the users call (usage, a one-country scope, the
    carrier), no cue word, no
    number to dial, no person and no question ("is PAYG right for users who rarely call?" is a
    question of fact): it changes the last purchase (its assumption), it starts nothing.
    ``words``: :func:`head_words` of the message."""
    head = text[:HEAD_CHARS]
    entities = recognition.entities
    if entities.numbers or entities.users or not words or head.rstrip().endswith("?"):
        return False
    if words[0] in _question_starts():
        return False
    # "we're with BT by the way", "au fait on est chez BT": the carrier, unless it is a request of its own
    carrier = entities.carrier is not None and recognition.intent == Intent.UNKNOWN
    return carrier or usage_minutes(head) is not None or states_scope(head)


#: The question of fact a licence-only request is answered with (knowledge/data/facts.json).
LICENCE_FACT = "teams_phone_required"


def _licence_only_request(recognition: Recognition, text: str, words: list[str]) -> bool:
    """ "we have E5, what do we need to call phone numbers?": answered by the Teams Phone
    prerequisite fact, and still a request to buy for that licence, so the purchase goes on to
    its next question. "do we need Teams Phone with E5?" and "on a G5, faut-il encore une licence
    de téléphonie ?" ask yes or no (``slots.json`` ``asks_what_is_needed``): the fact alone.
    ``words``: :func:`head_words` of the message."""
    entities = recognition.entities
    return (
        recognition.intent == Intent.FACT
        and bool(recognition.facts)
        and recognition.facts[0][0] == LICENCE_FACT
        and entities.base_licence is not None
        and not entities.countries
        and "teams phone" not in " ".join(words)
        and any(pattern.search(text[:HEAD_CHARS]) for pattern in _asks_what_is_needed())
    )


@cache
def _asks_what_is_needed() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in slot_words()["asks_what_is_needed"])


def _is_stale_answer(activity: Any) -> bool:
    """A click on a question's button (``{"value": ...}``) with no question open."""
    return not (activity.text or "").strip() and isinstance(activity.value, dict) and "value" in activity.value


#: A follow-up of a question of fact is this short ("et pour 50 utilisateurs ?", "and for Spain?").
FACT_FOLLOW_UP_WORDS = 6
#: ... or this short when it starts with a follow-up cue and asks for nothing to be bought or
#: advised ("and with 100 users on the 240-minute plan?", "et avec 50 licences du forfait 120 ?").
CUED_FACT_FOLLOW_UP_WORDS = 10


def _continues_fact(last_intent: str, recognition: Recognition, text: str) -> bool:
    """Whether a short follow-up re-asks the last question of fact with another country, seat
    count or plan ("et pour 50 utilisateurs ?" after "quel serait le pool pour 40 utilisateurs
    en France ?"), though its seat count alone reads as a purchase. A number or a user makes
    it a number check, a longer message (or a cued one that asks what to buy: "and for 30 E3
    users in Germany, what do we buy?") a request of its own."""
    entities = recognition.entities
    size = len(text.split())
    return (
        last_intent == Intent.FACT.value
        and not entities.numbers
        and not entities.users
        and bool(entities.countries or entities.user_count or entities.plan)
        and (
            size <= FACT_FOLLOW_UP_WORDS
            or (size <= CUED_FACT_FOLLOW_UP_WORDS and cue_of(text) == "follow_up" and not names_class(text, "ask"))
        )
    )


#: A follow-up of a number check naming a plan is this short ("et avec le forfait national et international ?").
CHECK_FOLLOW_UP_WORDS = 8


#: A number with this many digits is a phone number to dial, not a short code or a count.
FULL_NUMBER_DIGITS = 7


def _dials_a_number(recognition: Recognition) -> bool:
    """A purchase reading of a message that names a full phone number and no seat count ("is
    calling +33 1 23 45 67 89 from the UK included in the D&I plan?") is a number check: a
    purchase is sized in users, never in a number to call."""
    entities = recognition.entities
    return (
        recognition.intent == Intent.PURCHASE
        and not entities.user_count
        and any(sum(c.isdigit() for c in n) >= FULL_NUMBER_DIGITS for n in entities.numbers)
    )


def _continues_check(last_intent: str, recognition: Recognition, text: str) -> bool:
    """Whether a short follow-up of a number check or a lookup changes only the plan ("and with
    the D&I plan?", "et pour le forfait national et international ?" after a pool), though a plan
    name alone reads as a purchase: no seat count, no country."""
    entities = recognition.entities
    return (
        last_intent in (Intent.CHECK.value, Intent.POOL.value, Intent.USERS.value)
        and bool(entities.plan)
        and not entities.user_count
        and not entities.countries
        and len(text.split()) <= CHECK_FOLLOW_UP_WORDS
    )


class RootDialog(ComponentDialog):
    """Decides the turn's language, then routes the message (see the module docstring)."""

    def __init__(
        self,
        user_state: UserState | None = None,
        store: UsageStoreApi | None = None,
        *,
        conversation_state: ConversationState | None = None,
        tenant_fallback: str | None = None,
        alerts: Any = None,
    ) -> None:
        super().__init__(RootDialog.__name__)
        self.language = TurnLanguage(conversation_state, user_state)
        self.tenants = TenantData(store, tenant_fallback)
        self.alerts = alerts  # a knowledge.alerts.AlertBook, or None (no alerts: e.g. a bare test)
        self.memory = ConversationMemory(conversation_state)
        self.purchase = PurchaseDialog()
        self.check = NumberCheckDialog(self.tenants)
        for dialog in (self.purchase, self.check):  # a question of another kind mid-dialog is answered aside
            dialog.aside = self.answer_aside
        # A number check typed mid-purchase runs inside it; the purchase question comes back after.
        self.purchase.nest(
            NumberCheckDialog(self.tenants, nested=True),
            lambda text, recognition: check_slots(text, recognition.entities).model_dump(mode="json"),
        )
        self.add_dialog(self.purchase)
        self.add_dialog(self.check)
        self.add_dialog(WaterfallDialog("main", [self._route, self._after]))
        self.initial_dialog_id = "main"

    async def on_begin_dialog(self, inner_dc: DialogContext, options: object) -> DialogTurnResult:
        await self.language.decide(inner_dc.context)
        self.memory.attach(inner_dc.context)
        return await super().on_begin_dialog(inner_dc, options)

    async def on_continue_dialog(self, inner_dc: DialogContext) -> DialogTurnResult:
        await self.language.decide(inner_dc.context)
        self.memory.attach(inner_dc.context)
        return await super().on_continue_dialog(inner_dc)

    def understand(self, context: TurnContext, lang: str) -> Recognition:
        """The request of a message: a menu button's intent, else the recognizer's (on the
        turn's extraction of the message, :func:`dialogs.turn.turn_extraction`)."""
        activity = context.activity
        clicked = from_card_value(activity.value, lang)
        if clicked is not None:
            return clicked
        text = activity.text or ""
        return recognize(text, lang, turn_extraction(context, text)[1], score=turn_language_score(context, text))

    async def answer_at_once(self, context: TurnContext) -> bool:
        """Route a message when no dialog is active, without the SDK's dialog stack (what the
        host calls before ``run_dialog``, see :data:`ROUTED_KEY`): True when it was answered at
        once (a one-shot turn: a lookup, a question of fact, help, a number check the message
        completes; nothing else to run),
        False when it begins a dialog: the decision is left in the turn state, and the dialog
        stack the host then runs begins that dialog without routing the message again.

        What this skips is the SDK's bookkeeping around a waterfall that would end in the same
        turn (dialog set, dialog context, memory scopes, a waterfall instance); the language,
        the conversation memory and the replies are those of the dialog-stack path."""
        await self.language.decide(context)
        self.memory.attach(context)
        decision = await self.route(context)
        if decision is None:
            return True
        slots = decision.slots
        if (
            decision.dialog_id == self.check.id
            and isinstance(slots, CheckSlots)
            and await self.check.answer_at_once(context, slots)
        ):
            return True  # a number check the message completes: no question to ask
        context.turn_state[ROUTED_KEY] = decision
        return False

    async def _route(self, step: WaterfallStepContext) -> DialogTurnResult:
        decision = step.context.turn_state.pop(ROUTED_KEY, None)  # routed already by answer_at_once
        if decision is None:
            decision = await self.route(step.context)
        if decision is None:
            return await step.end_dialog()
        return await step.begin_dialog(decision.dialog_id, decision.options)

    async def route(self, context: TurnContext) -> Begin | None:
        """What a message asks for (see the module docstring): a dialog to begin, or None once
        it was answered at once."""
        activity = context.activity
        lang = lang_of(context)
        if activity.type != ActivityTypes.message:
            return None
        if _is_stale_answer(activity):
            await context.send_activity(welcome_reply(lang).with_notice(t(lang, "stale_answer")).to_activity())
            return None
        recognition = self.understand(context, lang)
        text = activity.text or ""
        recognition = await self.roster_first(context, recognition, text)
        words = head_words(text)
        followed = await self._follow_up(context, recognition, text, words, lang)
        if followed is not None:
            return followed if isinstance(followed, Begin) else None
        if recognition.intent == Intent.UNKNOWN:
            recognition = await self._about_the_pool(context, recognition, text, lang)
        if _dials_a_number(recognition):
            recognition = recognition.model_copy(update={"intent": Intent.CHECK})
        intent = recognition.intent
        chosen = _clicked_slots(activity)
        if intent == Intent.PURCHASE:
            slots = purchase_slots(text, recognition.entities)
            return Begin(self.purchase.id, slots)
        if intent == Intent.CHECK:
            check = chosen if chosen is not None else check_slots(text, recognition.entities)
            return Begin(self.check.id, check)
        if await self.answer_aside(context, recognition, lang):
            if _licence_only_request(recognition, text, words):  # "we have E5, what do we need to call numbers?"
                slots = purchase_slots(text, recognition.entities)
                return Begin(self.purchase.id, slots)
        elif intent == Intent.CANCEL:
            await context.send_activity(t(lang, "nothing_to_cancel"))  # one short bubble
        elif acknowledges(words) or (intent in (Intent.YES, Intent.NO) and len(words) <= 2):
            await context.send_activity(t(lang, "ack"))  # "ok", "thanks" after an answer: one short bubble
        elif intent in (Intent.HELP, Intent.GREETING):
            await context.send_activity(welcome_reply(lang).to_activity())
        else:
            await context.send_activity(unknown_reply(lang).to_activity())
        return None

    async def _about_the_pool(
        self, context: TurnContext, recognition: Recognition, text: str, lang: str
    ) -> Recognition:
        """A question about "it" that nothing understood, right after a pool card ("when does it
        reset?", "ça se réinitialise quand ?"): the same question about the pool when that is a
        question of fact (slots.json ``pool_pronouns``); else ``recognition`` unchanged."""
        named = _pool_named(text, lang)
        if named is None:
            return recognition
        last = await recall(context)
        if last is None or last.intent != Intent.POOL.value:
            return recognition
        again = recognize(named, lang)
        return again if again.intent == Intent.FACT else recognition

    async def roster_first(self, context: TurnContext, recognition: Recognition, text: str) -> Recognition:
        """``recognition`` read with the roster: without the countries guessed from a misspelt
        word that is the name of a person of the roster ("and for Olivia Leroy?" names Olivia,
        not Bolivia: roster names win over fuzzy countries), and a number check when a question
        the cues read as one names a person ("tobias peut appeler ?": about that user, as a
        UPN would make it, never a question of fact). Reads the roster only in those cases."""
        entities = recognition.entities
        about_someone = (
            recognition.intent == Intent.FACT and recognition.scores.get(Intent.CHECK.value, 0.0) >= SURE_CHECK
        )
        gated = _gated_by_a_name(recognition)
        if recognition.intent in (Intent.POOL, Intent.USERS) and not entities.users:
            gated = recognition.intent  # "combien reste-t-il pour Priya ?": her pool, not every pool
        if not (
            entities.guessed_countries or entities.unknown_places or about_someone or gated
        ) or not has_unknown_word(text):
            return recognition  # (no name the lexicon does not know: the roster is not read)
        people = await self.check.named(context, text)
        if not people:
            return recognition
        if about_someone and not entities.countries:
            recognition = recognition.model_copy(update={"intent": Intent.CHECK, "facts": []})
        elif gated is not None:  # "how much is left for Priya?": a person of the roster is what it is about
            users = [*entities.users, *(p.upn for p in people if p.upn not in entities.users)]
            entities = entities.model_copy(update={"users": users})
            recognition = recognition.model_copy(update={"intent": gated})
        return recognition.model_copy(update={"entities": entities.without_guesses(name_words(people))})

    async def answer_aside(self, context: TurnContext, recognition: Recognition, lang: str) -> bool:
        """Answer a request that needs no dialog (a question of fact, pool balance, users, alerts);
        False for others. Also what a dialog calls for such a request mid-dialog, before asking
        its question again."""
        intent = recognition.intent
        if intent == Intent.FACT:
            await context.send_activities(await fact_turn(context, recognition.entities, lang, recognition.facts))
            await remember(
                context, intent.value, recognition.entities.model_dump(mode="json"), fact_id=answered_fact(context)
            )
            return True
        if intent == Intent.POOL:
            await context.send_activities(await pool_activities(context, self.tenants, recognition.entities, lang))
        elif intent == Intent.USERS:
            await context.send_activities(await users_activities(context, self.tenants, recognition.entities, lang))
        elif intent in (Intent.ALERT, Intent.ALERTS, Intent.ALERT_STOP) and self.alerts is not None:
            await context.send_activities(await alert_activities(context, intent, self.alerts, self.tenants, lang))
            return True
        else:
            return False
        await remember(context, intent.value, recognition.entities.model_dump(mode="json"))
        return True

    async def _follow_up(
        self, context: TurnContext, recognition: Recognition, text: str, words: list[str], lang: str
    ) -> Begin | bool | None:
        """The last answered question again with something changed (see dialogs/followup.py):
        a button of the assumptions ({"intent": "purchase", "change": {...}}), or a message
        that starts like a follow-up or a correction ("and Belgium?", "actually, Austria") and
        names something, unless it is clearly a request of another kind. A dialog to begin,
        :data:`ANSWERED` when it was answered at once, or None: route as usual. ``words``:
        :func:`head_words` of ``text``."""
        value = context.activity.value
        change = value.get("change") if isinstance(value, dict) and not text.strip() else None
        if isinstance(change, dict):
            last = await recall(context)
            if last is None or last.intent != Intent.PURCHASE.value:
                return None  # a button of a card from before: start the purchase afresh
            slots = changed(PurchaseSlots.model_validate(last.entities), change)
            return Begin(self.purchase.id, slots)
        restated = _restates_need(recognition, text, words)
        cue = cue_of(text)  # read once: every rule below asks the same of the same text
        licence_only = cue is None and _bare_licence(recognition, words)
        passing = cue is None and not restated and _corrects_purchase(recognition, text, words)
        if cue is None and not _bare_place(recognition, words) and not licence_only and not restated and not passing:
            return None
        says_usage = restated or usage_minutes(text[:HEAD_CHARS]) is not None  # "what if they mostly receive calls?"
        if not carries_change(recognition.entities) and not any(c.isdigit() for c in text) and not says_usage:
            return await self._follow_up_by_name(context, text)
        last = await recall(context)
        if last is None or (restated and cue is None and last.intent != Intent.PURCHASE.value):
            return None
        if licence_only and last.intent not in (Intent.PURCHASE.value, Intent.FACT.value):
            return None  # "E5" after a number check or a pool names nothing they depend on
        if passing and last.intent != Intent.PURCHASE.value:
            return None  # "240 users" after anything but a recommendation: the message on its own
        if cue is not None and last.intent == Intent.FACT.value:
            # "same with the 240 one", "pareil avec le 240": the plan of that many minutes, not
            # 240 users nor a number to call; the rest of the last question kept
            by_number = plan_by_number(text, recognition.entities)
            if by_number is not None:
                recognition = recognition.model_copy(update={"entities": by_number, "intent": Intent.UNKNOWN})
        if (
            not restated
            and recognition.intent in REQUEST_INTENTS
            and recognition.intent.value != last.intent
            and recognition.score >= SURE
            and not _continues_fact(last.intent, recognition, text)
            and not _continues_check(last.intent, recognition, text)
        ):
            return None  # "and can bob call 112?" after a purchase is a new request ("what about 1500 minutes?" is not)
        entities = recognition.entities
        if last.intent == Intent.PURCHASE.value:
            purchase = followed_purchase(last.entities, text, entities)
            if purchase is not None:
                return Begin(self.purchase.id, purchase)
        elif last.intent == Intent.CHECK.value:
            check = followed_check(last.entities, text, entities)
            if check is not None:
                return Begin(self.check.id, check)
        elif last.intent in (Intent.POOL.value, Intent.USERS.value):
            lookup = followed_lookup(last.entities, entities)
            if lookup is not None:
                again = Recognition(intent=Intent(last.intent), score=1.0, entities=lookup, lang=recognition.lang)
                await self.answer_aside(context, again, lang)
                return ANSWERED
        elif last.intent == Intent.FACT.value:
            # The same question of fact with what the follow-up names changed ("and Spain?").
            fact_id = fact_to_reask(last.fact_id, text, entities)
            if fact_id is None:
                if recognition.intent != Intent.UNKNOWN:
                    return None  # names nothing that fact's answer depends on: the message on its own
                fact_id = last.fact_id  # nothing on its own either: the same answer (it holds there too)
            merged = followed_fact(last.entities, fact_id, text, entities)
            await context.send_activities(await answer_fact(context, text, merged, lang, fact_id=fact_id))
            await remember(context, last.intent, merged, fact_id=fact_id)
            return ANSWERED
        return None

    async def _follow_up_by_name(self, context: TurnContext, text: str) -> Begin | bool | None:
        """ "and for bastien?" after a number check: the same number for a person of the roster
        named by display name, first name or UPN prefix (the check itself reads the name again,
        and asks "which one?" when it is shared). None when the last answer was no check or the
        message names nobody of the roster."""
        last = await recall(context)
        if last is None:
            return None
        rest = without_cue(text)
        if last.intent != Intent.CHECK.value:
            return await self._person_after(context, last.intent, rest)
        user = None
        if not await self.check.named(context, rest):
            # One name nobody has ("and for jane?"): the check for that name, which says it
            # does not know the user and asks where the caller is, as for an unknown UPN.
            if not (rest.isalpha() and len(rest) >= 2 and key(rest) not in _not_names()):
                return None
            user = rest
        last_slots = CheckSlots.model_validate(last.entities)
        slots = last_slots.model_copy(
            update={
                "user": user,
                "upn": None,
                "caller_country": None,
                "plan": None,
                "number": number_as_read(last_slots),
            }
        )
        return Begin(self.check.id, slots)

    async def _person_after(self, context: TurnContext, last_intent: str, rest: str) -> bool | None:
        """ "and for alice?" after any answer but a number check: that person's pools after a
        pool lookup, else their line of the roster (usage location and Calling Plan), rather than
        the fallback. None when the message names nobody of the roster."""
        people = await self.check.named(context, rest)
        if not people:
            return None
        intent = Intent.POOL if last_intent == Intent.POOL.value and len(people) == 1 else Intent.USERS
        entities = Entities(users=[p.upn for p in people])
        lang = lang_of(context)
        await self.answer_aside(context, Recognition(intent=intent, score=1.0, entities=entities, lang=lang), lang)
        return ANSWERED

    async def _after(self, step: WaterfallStepContext) -> DialogTurnResult:
        result = step.result
        if isinstance(result, dict) and result.get(SWITCH):
            # Another request interrupted a dialog: route this same message afresh.
            return await step.replace_dialog(self.initial_dialog_id)
        return await step.end_dialog(result)


def create_root_dialog(
    *,
    conversation_state: ConversationState | None = None,
    user_state: UserState | None = None,
    store: UsageStoreApi | None = None,
    tenant_fallback: str | None = None,
    alerts: Any = None,
    **_: Any,
) -> Dialog:
    """The entry point the host uses to build the root dialog once per app."""
    return RootDialog(
        user_state, store, conversation_state=conversation_state, tenant_fallback=tenant_fallback, alerts=alerts
    )


__all__ = ["RootDialog", "apology_text", "create_root_dialog", "tenant_refusal_text"]
