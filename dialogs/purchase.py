"""The guided purchase: from "which plan for 40 users in France?" to the purchase summary card.

A waterfall of one step per slot. The first message's slots arrive as the dialog's options
(:func:`dialogs.slots.purchase_slots`); each step asks its question only when the slot is still
empty, so a complete first sentence goes straight to the summary. Order: where the users are,
how many, whether they call abroad, their base licence, their carrier, then (only when it can
change the plan) the minutes they expect to use. The answers feed
:func:`knowledge.advisor.recommend`, and the dialog ends with the summary card: ordered
admin-center steps, licences and quantities, resulting pools, caveats.
"""
from __future__ import annotations

from botbuilder.dialogs import DialogTurnResult, WaterfallDialog, WaterfallStepContext

from dialogs.answers import NO_CARRIER, UNKNOWN
from dialogs.base import InterruptibleDialog
from dialogs.cards import purchase_summary_card
from dialogs.i18n import t
from dialogs.recognizer import Intent
from dialogs.render import carrier_name, country_name, join
from dialogs.slots import PurchaseSlots
from dialogs.turn import lang_of
from knowledge.advisor import AdviceRequest, Recommendation, recommend
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
    )


def noted_facts(slots: PurchaseSlots, lang: str) -> str | None:
    """"Noted: 40 users in France, they call abroad." for what the first message said."""
    facts = []
    countries = join((country_name(c, lang) for c in slots.countries), lang)
    if slots.users_per_country:
        facts.append(join((t(lang, "facts.count_in", users=n, country=country_name(c, lang))
                           for c, n in slots.users_per_country.items()), lang))
    elif slots.users and countries:
        facts.append(t(lang, "facts.users_in", users=slots.users, countries=countries))
    elif countries:
        facts.append(t(lang, "facts.countries", countries=countries))
    if slots.international is not None:
        facts.append(t(lang, "facts.international" if slots.international else "facts.domestic"))
    if slots.base_licence:
        family = load_catalog().family(slots.base_licence)
        facts.append(t(lang, "facts.licence", licence=getattr(family.name, lang) if family else slots.base_licence))
    if slots.carrier and slots.carrier != NO_CARRIER:
        facts.append(t(lang, "facts.carrier", carrier=carrier_name(slots.carrier, lang)))
    return t(lang, "purchase.noted", facts=", ".join(facts)) if facts else None


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
        self.add_dialog(WaterfallDialog("purchase_steps", [
            self._start, self._users, self._international, self._licence, self._carrier,
            self._minutes, self._summary,
        ]))
        self.initial_dialog_id = "purchase_steps"

    async def _start(self, step: WaterfallStepContext) -> DialogTurnResult:
        slots = PurchaseSlots.model_validate(step.options or {})
        self.start_slots(step, slots)
        noted = noted_facts(slots, lang_of(step.context))
        if noted:
            await step.context.send_activity(noted)
        return await self.ask_if(step, not slots.countries, "countries")

    async def _users(self, step: WaterfallStepContext) -> DialogTurnResult:
        slots = self.take(step)
        missing = slots.users is None and not slots.users_per_country
        if len(slots.countries) == 1:
            spec = {"text_key": "prompt.users_in", "params": {"country": slots.countries[0]}}
        else:
            spec = {"text_key": "prompt.users_each", "countries": slots.countries}
        return await self.ask_if(step, missing, "users", **spec)

    async def _international(self, step: WaterfallStepContext) -> DialogTurnResult:
        slots = self.take(step)
        return await self.ask_if(step, slots.international is None, "international")

    async def _licence(self, step: WaterfallStepContext) -> DialogTurnResult:
        slots = self.take(step)
        return await self.ask_if(step, slots.base_licence is None, "licence")

    async def _carrier(self, step: WaterfallStepContext) -> DialogTurnResult:
        slots = self.take(step)
        return await self.ask_if(step, slots.carrier is None, "carrier")

    async def _minutes(self, step: WaterfallStepContext) -> DialogTurnResult:
        slots = self.take(step)
        question = minutes_question(slots)
        return await self.ask_if(step, question is not None, question or "minutes")

    async def _summary(self, step: WaterfallStepContext) -> DialogTurnResult:
        slots = self.take(step)
        recommendation: Recommendation = recommend(advice_request(slots))
        await step.context.send_activity(purchase_summary_card(recommendation, lang_of(step.context)).to_activity())
        return await step.end_dialog({"done": "purchase"})
