"""The root dialog the host runs every turn: a PLACEHOLDER until the conversations issue lands.

What the host relies on (keep these when replacing the insides):

- :func:`create_root_dialog` is the entry point ``bot.app.create_app`` calls (its default
  ``root_dialog`` factory); it returns any ``Dialog``. The host passes the conversation state,
  the user state and the calling-plan store (``None`` until that is wired) as keyword arguments.
- :func:`apology_text` and :func:`tenant_refusal_text` are the sentences the host itself sends
  (after a bug in a turn, and to a tenant outside ``ALLOWED_TENANTS``). They use the locale
  files when the keys ``host.apology`` / ``host.tenant_refused`` exist, English otherwise.

What the placeholder does: answers help text, and has one real multi-turn waterfall ("plan":
asks the country, then the number of users, then confirms) so a dialog in progress can be
tested across a restart. Card submits arrive as ``activity.value`` (``{"intent": ...}``, the
contract of ``dialogs.cards``) and are routed like typed commands.
"""
from __future__ import annotations

from typing import Any

from botbuilder.core import ConversationState, MessageFactory, UserState
from botbuilder.dialogs import (
    ComponentDialog,
    Dialog,
    DialogContext,
    DialogTurnResult,
    NumberPrompt,
    PromptOptions,
    PromptValidatorContext,
    TextPrompt,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.schema import ActivityTypes

from dialogs.i18n import has_string, normalize_lang, t

PLAN_INTENTS = frozenset({"plan", "purchase"})
CANCEL_WORDS = frozenset({"cancel", "stop", "annuler"})

_HELP = (
    "I'm the Calling Plan Assistant. Type **plan** to size a Calling Plan purchase "
    "(country, then number of users), or **cancel** to stop a question in progress."
)
_APOLOGY = "Sorry, something went wrong on my side. Please try again."
_TENANT_REFUSED = (
    "Sorry, this bot is not available to your organization. Ask your Teams admin to add your "
    "tenant to the bot's allowed tenants."
)


def _localized(locale: str | None, key: str, english: str) -> str:
    lang = normalize_lang(locale)
    return t(lang, key) if has_string(lang, key) else english


def apology_text(locale: str | None) -> str:
    """What the host says after a turn failed (the conversation state is cleared too)."""
    return _localized(locale, "host.apology", _APOLOGY)


def tenant_refusal_text(locale: str | None) -> str:
    """What the host says to a tenant that is not in ``ALLOWED_TENANTS``."""
    return _localized(locale, "host.tenant_refused", _TENANT_REFUSED)


def help_text(locale: str | None) -> str:
    return _localized(locale, "host.placeholder_help", _HELP)


def command_of(activity: Any) -> str:
    """The typed text, or the ``intent`` of a card submit (which has ``value`` and no text)."""
    text = (activity.text or "").strip()
    if text:
        return text.lower()
    value = activity.value
    if isinstance(value, dict):
        intent = value.get("intent") or value.get("command")
        if isinstance(intent, str):
            return intent.strip().lower()
    return ""


class RootDialog(ComponentDialog):
    """Placeholder: help text, ``cancel``, and the "plan" waterfall."""

    def __init__(self, user_state: UserState | None = None, store: Any = None) -> None:
        super().__init__(RootDialog.__name__)
        self.user_state = user_state
        self.store = store
        self.add_dialog(WaterfallDialog("main", [self._route, self._done]))
        self.add_dialog(WaterfallDialog("plan", [self._ask_country, self._ask_users, self._confirm]))
        self.add_dialog(TextPrompt("country", self._validate_country))
        self.add_dialog(NumberPrompt("users", self._validate_users, default_locale="en-us"))
        self.initial_dialog_id = "main"

    async def on_continue_dialog(self, inner_dc: DialogContext) -> DialogTurnResult:
        if inner_dc.context.activity.type == ActivityTypes.message:
            if command_of(inner_dc.context.activity) in CANCEL_WORDS:
                await inner_dc.cancel_all_dialogs()
                await inner_dc.context.send_activity("OK, cancelled.")
                return await inner_dc.end_dialog()
        return await super().on_continue_dialog(inner_dc)

    async def _route(self, step: WaterfallStepContext) -> DialogTurnResult:
        activity = step.context.activity
        if activity.type == ActivityTypes.message and command_of(activity) in PLAN_INTENTS:
            return await step.begin_dialog("plan")
        await step.context.send_activity(help_text(activity.locale))
        return await step.end_dialog()

    async def _done(self, step: WaterfallStepContext) -> DialogTurnResult:
        return await step.end_dialog(step.result)

    async def _ask_country(self, step: WaterfallStepContext) -> DialogTurnResult:
        return await step.prompt(
            "country",
            PromptOptions(
                prompt=MessageFactory.text("Which country are the users in?"),
                retry_prompt=MessageFactory.text("Please type a country name, e.g. France."),
            ),
        )

    async def _ask_users(self, step: WaterfallStepContext) -> DialogTurnResult:
        step.values["country"] = step.result.strip()
        return await step.prompt(
            "users",
            PromptOptions(
                prompt=MessageFactory.text(f"How many users in {step.values['country']} need a Calling Plan?"),
                retry_prompt=MessageFactory.text("Please type a whole number of users, e.g. 40."),
            ),
        )

    async def _confirm(self, step: WaterfallStepContext) -> DialogTurnResult:
        users = int(step.result)
        country = step.values["country"]
        await step.context.send_activity(
            f"Noted: {users} users in {country}. Plan advice arrives with the conversations update."
        )
        return await step.end_dialog({"country": country, "users": users})

    @staticmethod
    async def _validate_country(prompt: PromptValidatorContext) -> bool:
        value = (prompt.recognized.value or "").strip() if prompt.recognized.succeeded else ""
        return 2 <= len(value) <= 60 and any(c.isalpha() for c in value)

    @staticmethod
    async def _validate_users(prompt: PromptValidatorContext) -> bool:
        if not prompt.recognized.succeeded:
            return False
        value = prompt.recognized.value
        return float(value).is_integer() and 1 <= value <= 1_000_000


def create_root_dialog(
    *,
    conversation_state: ConversationState | None = None,
    user_state: UserState | None = None,
    store: Any = None,
    **_: Any,
) -> Dialog:
    """The entry point the host uses to build the root dialog once per app."""
    return RootDialog(user_state=user_state, store=store)


__all__ = [
    "RootDialog",
    "apology_text",
    "command_of",
    "create_root_dialog",
    "help_text",
    "tenant_refusal_text",
]
