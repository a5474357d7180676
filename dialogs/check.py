"""The number check: "can alice@contoso.com call +44 20 7946 0958?" -> the call verdict card.

When a user is named and the tenant's data holds them, their licence usage location and the
Calling Plan their licences give (the catalog's licence -> plan mapping) are used, and said, so
the admin sees what the answer rests on. Whatever is still missing is asked: the number, the
caller's country, the plan (the plans sold in that country). The verdict comes from
:func:`knowledge.numbers.check_call`; the card shows the pool the call draws on with this
month's remaining minutes from the store.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext
from botbuilder.dialogs import DialogContext, DialogTurnResult, WaterfallDialog, WaterfallStepContext

from dialogs.base import InterruptibleDialog
from dialogs.cards import DEFAULT_COUNTRY_CHOICES, CallerLine, destination_card, verdict_card, which_one_card
from dialogs.context import remember
from dialogs.lookups import (
    WHICH_ONE,
    DataUnavailable,
    calling_plan_of,
    error_activity,
    find_user,
    pool_balance,
    users_named,
)
from dialogs.nlu.entities import PAYG, Entities, extract_entities
from dialogs.nlu.i18n import t
from dialogs.nlu.recognizer import Intent
from dialogs.nlu.render import country_name, plan_name
from dialogs.nlu.slots import CheckSlots, check_slots, dials, in_country
from dialogs.turn import TenantData, lang_of
from knowledge.catalog import load_catalog
from knowledge.numbers import check_call, check_destination
from knowledge.store.memo import one_look

#: The plan slot of a user whose licences give no Calling Plan (known, so not asked).
NO_PLAN = "none"
#: turn_state: what the store said of the named user (a :class:`CallerLine`), held for this
#: turn's verdict card (a line under its headline), or said on its own before a question.
_CALLER_LINE = "callplan.check.caller_line"


def plans_sold_in(country: str | None) -> list[str]:
    """The Calling Plans offered as buttons for a caller in ``country`` (all current ones when
    the country sells none or is unknown)."""
    catalog = load_catalog()
    info = catalog.country(country) if country else None
    skus = list(info.calling_plans.plans) if info is not None and info.calling_plans else []
    plans = [p for p in (catalog.find_plan(s) for s in skus) if p is not None and not p.deprecated]
    if not plans:
        plans = [p for p in catalog.plans if not p.deprecated and not p.is_partner and p.kind != "international_addon"]
    return [p.sku for p in plans]


def resolve_plan(plan: str | None, country: str | None) -> str | None:
    """``PAYG`` -> the pay-as-you-go SKU of the caller's country (its zone); ``none`` -> None."""
    if plan in (None, NO_PLAN):
        return None
    if plan != PAYG:
        return plan
    catalog = load_catalog()
    payg = [p for p in (catalog.find_plan(s) for s in plans_sold_in(country)) if p is not None and p.is_payg]
    if not payg:
        payg = [p for p in catalog.plans if p.is_payg]
    return payg[0].sku


def _known(slots: CheckSlots, *, upn_said: bool) -> list[Any] | None:
    """What a check question is asked after, said as its first line ("So far: caller in
    France, calling Spain."): the caller's country, the plan and where they call, as far as
    the message gave them. None when it named no country (a number alone is on the screen
    already), or when a named user's line said it."""
    if upn_said or not (slots.caller_country or slots.destination):
        return None
    facts: list[list[Any]] = []
    if slots.caller_country:
        facts.append(["check.have.caller", {"country": slots.caller_country}])
    if slots.plan and slots.plan not in (NO_PLAN, PAYG):
        facts.append(["check.have.plan", {"name": slots.plan, "sku": slots.plan}])
    if slots.number:
        facts.append(["check.have.calling", {"destination": slots.number}])
    elif slots.destination:
        facts.append(["check.have.calling", {"destination": slots.destination, "destination_iso": slots.destination}])
    return ["check.have", {"facts": facts}] if facts else None


def _known_after(step: WaterfallStepContext, slots: CheckSlots) -> list[Any] | None:
    """:func:`_known` for a question asked right after the first message (no answer came in
    between: what an answer just gave needs no saying back)."""
    return _known(slots, upn_said=bool(slots.upn)) if step.result is None else None


def _asks_about_destination(slots: CheckSlots) -> bool:
    """Whether the check names a caller's country, a plan and a destination country but no number
    and no user ("can a D&I user in France call Morocco?", "un user national en Allemagne peut
    appeler l'Autriche ?"): a question about that pair, answered from the catalog before a number
    there is asked (which the admin may give to check one number, or ignore)."""
    return (
        not slots.number
        and not slots.user
        and slots.destination is not None
        and slots.caller_country is not None
        and slots.plan not in (None, NO_PLAN)
        and slots.carrier is None
    )


def _answerable(slots: CheckSlots) -> bool:
    """Whether the slots hold all the verdict needs (nothing is left to ask)."""
    return (
        bool(slots.number)
        and slots.caller_country is not None
        and (slots.plan is not None or slots.carrier is not None)
    )


def _first_word(name: str | None) -> str:
    return (name or "").split(" ", 1)[0]


class NumberCheckDialog(InterruptibleDialog):
    intent = Intent.CHECK
    help_key = "help.check"
    slots_model = CheckSlots

    def __init__(self, tenants: TenantData, *, nested: bool = False) -> None:
        # A check nested in another dialog has its own id (one dialog set may not hold two).
        super().__init__(f"{NumberCheckDialog.__name__}.nested" if nested else NumberCheckDialog.__name__)
        self.tenants = tenants
        self.aside = None
        self.add_dialog(WaterfallDialog("check_steps", [self._start, self._country, self._plan, self._verdict]))
        self.initial_dialog_id = "check_steps"

    async def answer_at_once(self, context: TurnContext, begun: CheckSlots) -> bool:
        """The check begun with the slots routing built answered in this turn without the SDK's
        dialog stack, when nothing is left to ask (the root dialog's one-shot turns): True once
        answered (the verdict card, or "which one?"). False when a question is left: what was
        found and said so far is kept for :meth:`_start`, which the dialog stack runs next (as
        the model itself: ``turn_state`` lives as long as the turn, nothing there is saved).

        The tenant's data is looked at once for the turn (:func:`one_look`): the named user and
        the pool of the verdict are read under one ``stat`` of its summary, not one each."""
        with one_look():
            slots = await self._opening(context, begun)
            if slots is None:
                return True
            if _answerable(slots):
                await self._answer(context, slots)  # what _country, _plan and _verdict would do, asking nothing
                return True
        await self._said_unless_answering(context, slots)
        context.turn_state[self._opened_key] = slots
        return False

    @property
    def _opened_key(self) -> str:
        return f"callplan.opened.{self.id}"

    async def _start(self, step: WaterfallStepContext) -> DialogTurnResult:
        slots: CheckSlots | None = step.context.turn_state.pop(self._opened_key, None)  # opened by answer_at_once
        if slots is None:
            slots = await self._opening(step.context, CheckSlots.model_validate(step.options or {}))
            if slots is not None:
                await self._said_unless_answering(step.context, slots)
        if slots is None:
            return await step.end_dialog({"done": "which_one"})
        if _asks_about_destination(slots):
            # the pair answered now; a number there is still asked, to check one for real
            await self._answer_destination(step.context, slots)
        self.start_slots(step, slots)
        spec: dict[str, Any] = {"notice": known} if (known := _known(slots, upn_said=bool(slots.upn))) else {}
        if slots.destination:  # "can our reps in France call Spain?": a number in Spain
            spec.update(text_key="prompt.number_in", params={"country": slots.destination})
        return await self.ask_if(step, not slots.number, "number", **spec)

    async def _opening(self, context: TurnContext, slots: CheckSlots) -> CheckSlots | None:
        """The slots the check starts with: the person the message names, their country and plan
        from the store (said), a callee named by name; None when "which one?" was asked."""
        text = context.activity.text or ""
        if not slots.user and text.strip():
            people = await self.named(context, text)
            if len(people) == 1:
                slots = slots.model_copy(update={"user": people[0].upn})
            elif len(people) > 1:  # a shared first name: "which one?", each button the check again
                lang = lang_of(context)
                name = _first_word(people[0].display_name) or people[0].upn
                choices = [
                    (
                        f"{u.display_name} ({u.upn})" if u.display_name else u.upn,
                        {
                            "intent": Intent.CHECK.value,
                            "slots": slots.model_copy(update={"user": u.upn}).model_dump(mode="json"),
                        },
                    )
                    for u in people[:WHICH_ONE]
                ]
                await context.send_activity(
                    which_one_card(t(lang, "check.which_one", name=name), choices).to_activity()
                )
                return None
        if slots.user:
            slots = await self._with_user(context, slots)
        elif slots.caller_country is None and text.strip():
            # "can a user in Wakanda call ...?": the place said back before the caller's country is asked
            unknown = extract_entities(text).unknown_places
            if unknown:
                lang = lang_of(context)
                await context.send_activity(" ".join(t(lang, "reason.unknown_country", name=n) for n in unknown))
        if slots.number and not any(c.isdigit() for c in slots.number) and "@" not in slots.number:
            slots = await self._callee(context, slots)
        return slots

    def corrected(self, text: str, entities: Entities) -> dict[str, Any] | None:
        """What a correction changes ("actually the number is +49 30 1234567", "wait, the caller
        is in the UK", "sorry, the Domestic plan"): the number, the caller's country, the plan."""
        found = check_slots(text, entities)
        change = {
            name: getattr(found, name)
            for name in ("number", "caller_country", "plan", "carrier")
            if getattr(found, name) is not None
        }
        return change or None

    def also_said(self, text: str, slots: Any, entities: Entities) -> dict[str, Any]:
        """ "+44 20 7946 0958, the caller is in France on the Domestic plan" at the number
        question: the caller's country and plan too, when still unknown; "gaelle.taylor@contoso.com
        to +33 3 87 65 43 21": the caller by UPN (looked up at the next step, :meth:`_country`)."""
        if not text.strip():
            return {}
        found = check_slots(text, entities)
        # a UPN beside a number to dial is the caller; a UPN alone is the Teams user called
        names = (
            ("caller_country", "plan", "carrier", "user") if entities.numbers else ("caller_country", "plan", "carrier")
        )
        return {
            name: getattr(found, name)
            for name in names
            if getattr(slots, name, None) is None and getattr(found, name) is not None
        }

    async def other_answer(self, inner_dc: DialogContext, text: str) -> DialogTurnResult | None:
        """A person of the roster typed at the caller's country or plan question ("keith" after
        "I don't know the user bob"): the check again for that person, with the same number. At
        the number question ("priya" after "check a number for me"), the person is the caller:
        said, then the number asked again."""
        active = inner_dc.active_dialog
        if active is None or active.id not in ("caller_country", "plan", "number") or len(inner_dc.stack) < 2:
            return None
        if active.id == "number" and any(c.isdigit() for c in text):
            return None
        people = await self.named(inner_dc.context, text)
        values = inner_dc.stack[1].state.get("values")
        if len(people) != 1 or not isinstance(values, dict) or "slots" not in values:
            return None
        slots = CheckSlots.model_validate(values["slots"]).model_copy(
            update={"user": people[0].upn, "upn": None, "caller_country": None, "plan": None}
        )
        await inner_dc.cancel_all_dialogs()
        return await inner_dc.begin_dialog(self.initial_dialog_id, slots.model_dump(mode="json"))

    async def named(self, context: TurnContext, text: str) -> list[Any]:
        """The people of the roster the message names by display name or first name (also what
        the root dialog asks to read "and for bastien?" after a number check)."""
        try:
            tenant = await self.tenants.resolve(context)
            return await users_named(self.tenants, tenant, text) if tenant else []
        except DataUnavailable:
            return []

    async def _callee(self, context: TurnContext, slots: CheckSlots) -> CheckSlots:
        """A second user named by name ("can @Keith call @Laura"): their UPN, a Teams-to-Teams call."""
        try:
            tenant = await self.tenants.resolve(context)
            user = await find_user(self.tenants, tenant, slots.number) if tenant and slots.number else None
        except DataUnavailable:
            return slots
        return slots.model_copy(update={"number": user.upn}) if user is not None else slots

    async def _with_user(self, context: TurnContext, slots: CheckSlots) -> CheckSlots:
        """Fill the caller's country and plan from the store, and say what was found."""
        lang = lang_of(context)
        try:
            tenant = await self.tenants.resolve(context)
            user = await find_user(self.tenants, tenant, slots.user) if tenant and slots.user else None
        except DataUnavailable as exc:
            await context.send_activity(error_activity(exc, lang))
            return slots
        if user is None:
            await context.send_activity(t(lang, "user_unknown", user=slots.user))
            return slots
        update: dict[str, Any] = {"upn": user.upn}
        plan = calling_plan_of(user)
        if slots.plan is None:
            update["plan"] = plan or NO_PLAN
        if user.usage_location and (slots.caller_country is None or dials(slots.number, slots.caller_country)):
            update["caller_country"] = user.usage_location  # "Ines, +675 321 1000, Papua New Guinea": PG is called
        if not user.usage_location:
            await context.send_activity(t(lang, "check.user_no_location", user=user.upn))
            return slots.model_copy(update=update)
        country = country_name(user.usage_location, lang)
        if plan:
            line = t(lang, "check.user", user=user.upn, country=country, plan=plan_name(plan, lang))
        else:
            line = t(lang, "check.user_no_plan", user=user.upn, country=country)
        # Held for the verdict card when it comes this turn; said on its own before a question.
        context.turn_state[_CALLER_LINE] = CallerLine(line, user.upn, user.usage_location, plan)
        return slots.model_copy(update=update)

    async def _said_unless_answering(self, context: TurnContext, slots: CheckSlots) -> None:
        """The line about the named user (:meth:`_with_user`), said now when a question comes
        next; when the slots are complete it is a line of this turn's verdict card
        (:meth:`_answer`): one message, not a line then a card."""
        if not _answerable(slots) and (line := context.turn_state.pop(_CALLER_LINE, None)) is not None:
            await context.send_activity(line.text)

    async def _country(self, step: WaterfallStepContext) -> DialogTurnResult:
        named_before = CheckSlots.model_validate(step.values["slots"]).user
        slots = self.take(step)
        if slots.user and slots.user != named_before and not slots.upn and slots.caller_country is None:
            # the caller named with the number ("alice@contoso.com, +33 1 42 68 53 00"): their
            # country and plan from the store, as when the first message names them
            slots = await self._with_user(step.context, slots)
            await self._said_unless_answering(step.context, slots)
            self.start_slots(step, slots)
        if slots.destination and slots.number:  # "912 345 678" asked as a number in Spain
            slots = slots.model_copy(update={"number": in_country(slots.number, slots.destination)})
            self.start_slots(step, slots)
        spec: dict[str, Any] = {"notice": known} if (known := _known_after(step, slots)) else {}
        return await self.ask_if(
            step, slots.caller_country is None, "caller_country", choices=list(DEFAULT_COUNTRY_CHOICES), **spec
        )

    async def _plan(self, step: WaterfallStepContext) -> DialogTurnResult:
        slots = self.take(step)
        missing = slots.plan is None and slots.carrier is None
        spec: dict[str, Any] = {"notice": known} if (known := _known_after(step, slots)) else {}
        return await self.ask_if(step, missing, "plan", plans=plans_sold_in(slots.caller_country), **spec)

    async def _verdict(self, step: WaterfallStepContext) -> DialogTurnResult:
        await self._answer(step.context, self.take(step))
        return await step.end_dialog({"done": "check"})

    async def _answer_destination(self, context: TurnContext, slots: CheckSlots) -> None:
        """The answer for a caller's country, plan and destination country (no number)."""
        verdict = check_destination(
            slots.destination or "", slots.caller_country or "", resolve_plan(slots.plan, slots.caller_country)
        )
        await context.send_activity(destination_card(verdict, lang_of(context)).to_activity())

    async def _answer(self, context: TurnContext, slots: CheckSlots) -> None:
        """The verdict card for complete slots, and the check remembered for follow-ups."""
        lang = lang_of(context)
        verdict = check_call(
            slots.number or "",
            slots.caller_country or "",
            resolve_plan(slots.plan, slots.caller_country),
            carrier=slots.carrier,
            upn=slots.upn,
        )
        balance = data = None
        if verdict.pool is not None:
            try:
                tenant = await self.tenants.resolve(context)
                balance, data = await pool_balance(self.tenants, tenant, verdict.pool)
            except DataUnavailable as exc:
                await context.send_activity(error_activity(exc, lang))
        said = context.turn_state.pop(_CALLER_LINE, None)
        card = verdict_card(verdict, lang, balance, data, caller=slots.upn, caller_line=said)
        await context.send_activity(card.to_activity())
        await remember(context, Intent.CHECK.value, slots.model_dump(mode="json"))
