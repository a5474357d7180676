"""The Teams activity handler: tenant gate, @mention stripping, welcome card, root dialog, state.

A turn, in order:

1. **Tenant gate.** With ``ALLOWED_TENANTS`` set, an activity from any other tenant
   (``channelData.tenant.id``, else ``conversation.tenantId``) is logged and, if a person is
   waiting (a message or an install), answered with a polite refusal. No state is read for it.
2. **One turn at a time per conversation.** Two messages of one conversation processed at
   once would both read the same dialog state and the second save would lose the first
   (or fail its e_tag check); a per-conversation lock keeps them in order.
3. **Dispatch** (``TeamsActivityHandler``): messages and card submits (``value`` set, no text)
   go to the root dialog via ``DialogExtensions.run_dialog``, after removing the bot's
   ``<at>`` mention in channels and group chats; install / members added send the welcome
   card once per conversation.
4. **Save** conversation and user state (each is written only if it changed).
"""
from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterable

from botbuilder.core import ConversationState, TurnContext, UserState
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.dialogs import Dialog, DialogExtensions
from botbuilder.schema import ActivityTypes, AdaptiveCardInvokeResponse, Attachment, ChannelAccount
from botbuilder.schema.teams import TeamInfo

from dialogs.cards import card_activity
from dialogs.i18n import detect_language
from dialogs.root import tenant_refusal_text
from dialogs.turn import TurnLanguage
from dialogs.turn import tenant_id_of as tenant_of

log = logging.getLogger(__name__)

#: Conversation types where Teams puts ``<at>Bot</at>`` in the message text.
MENTION_CONVERSATION_TYPES = frozenset({"channel", "groupChat"})
_AT_TAG = re.compile(r"<at[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)


def strip_mention(activity) -> str:
    """Remove the bot's @mention from the text (and set it on the activity).

    Other people's mentions keep their name ("can <at>Alice</at> call ..." reads "can Alice
    call ...", which the number check can look up); when the SDK cannot match the bot's mention
    (malformed entities, a name that is a bad regex), every mention tag is dropped instead.
    """
    matched = True
    try:
        TurnContext.remove_recipient_mention(activity)
    except (KeyError, TypeError, AttributeError, IndexError, re.error):
        matched = False
    text = activity.text or ""
    if "<at" in text.lower():
        text = _AT_TAG.sub(lambda m: m.group(1) if matched else "", text)
    activity.text = " ".join(text.replace("&nbsp;", " ").split())
    return activity.text


class _ConversationLocks:
    """An asyncio lock per conversation, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    async def __call__(self, key: str, work):
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                return await work()
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


class CallingPlanBot(TeamsActivityHandler):
    """Hands every message to the root dialog; everything else is host plumbing."""

    def __init__(
        self,
        conversation_state: ConversationState,
        user_state: UserState,
        dialog: Dialog,
        *,
        allowed_tenants: Iterable[str] = (),
        welcome_card: Callable[[str], Attachment] | None = None,
    ) -> None:
        super().__init__()
        self.conversation_state = conversation_state
        self.user_state = user_state
        self.dialog = dialog
        self.allowed_tenants = frozenset(t.lower() for t in allowed_tenants)
        if welcome_card is None:
            from dialogs.cards import welcome_card as default_welcome_card

            welcome_card = default_welcome_card
        self.welcome_card = welcome_card
        self._dialog_state = conversation_state.create_property("DialogState")
        self._welcomed = conversation_state.create_property("Welcomed")
        self._language = TurnLanguage(conversation_state, user_state)
        self._locks = _ConversationLocks()

    # --- the turn ----------------------------------------------------------------------

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if self.allowed_tenants and tenant_of(activity) not in self.allowed_tenants:
            await self._refuse(turn_context)
            return
        key = f"{activity.channel_id}/{activity.conversation.id}"
        await self._locks(key, lambda: self._run_turn(turn_context))

    async def _run_turn(self, turn_context: TurnContext) -> None:
        await super().on_turn(turn_context)
        await self.conversation_state.save_changes(turn_context)
        await self.user_state.save_changes(turn_context)

    async def _refuse(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        log.warning(
            "refused activity %s (%s) from tenant %s: not in ALLOWED_TENANTS",
            activity.id, activity.type, tenant_of(activity) or "(none)",
        )
        if activity.type in (ActivityTypes.message, ActivityTypes.installation_update):
            # No state is read for a refused tenant (none was ever written for it): the
            # activity's locale and text decide the language, as in a first turn.
            await turn_context.send_activity(tenant_refusal_text(detect_language(activity.locale, activity.text)))

    # --- messages and card submits -------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        conversation_type = activity.conversation.conversation_type if activity.conversation else None
        if activity.text and conversation_type in MENTION_CONVERSATION_TYPES:
            strip_mention(activity)
        await DialogExtensions.run_dialog(self.dialog, turn_context, self._dialog_state)

    # --- invokes ---------------------------------------------------------------------------

    def _create_adaptive_card_invoke_error_response(self, status_code, code: str, message: str):
        # The SDK puts an Exception object in the error body, which cannot be serialized: a
        # malformed Action.Execute became a 500. The Bot Framework error shape is {code, message}.
        return AdaptiveCardInvokeResponse(
            status_code=int(status_code),
            type="application/vnd.microsoft.error",
            value={"code": code, "message": message},
        )

    # --- welcome -----------------------------------------------------------------------

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._welcome(turn_context)

    async def on_teams_members_added_dispatch(
        self, members_added: list[ChannelAccount], team_info: TeamInfo, turn_context: TurnContext
    ) -> None:
        # The SDK's version fetches every added member from the connector first (one HTTP
        # call each); the welcome needs none of it.
        if members_added:
            await self._welcome(turn_context)

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        if members_added:  # channels other than Teams (e.g. the Bot Framework test channel)
            await self._welcome(turn_context)

    async def _welcome(self, turn_context: TurnContext) -> None:
        """Send the welcome card, once per conversation (install and members-added both fire)."""
        if await self._welcomed.get(turn_context, False):
            return
        card = self.welcome_card(await self._language.remembered(turn_context))
        content = card.content if isinstance(card.content, dict) else {}
        await turn_context.send_activity(card_activity(card, content.get("fallbackText")))
        await self._welcomed.set(turn_context, True)
