"""The Bot Framework adapter: authentication (clients reused across turns, closed with the adapter),
replies posted on the event loop (:mod:`bot.connector`) and the turn error handler.

Why a turn error handler: without one, an exception in a dialog leaves the broken dialog on
the conversation's stack, so every later message fails the same way. The handler logs the
exception with the activity id, clears the conversation state (the user starts fresh; not
when the state itself could not be read or saved, or lost an e_tag race: the stored state is
then still good) and sends a short apology whose wording comes from the dialogs layer
(:func:`dialogs.api.apology_text`).
If even that fails (the connector is unreachable, the disk is full), the exception propagates
and ``/api/messages`` answers 500 with a generic body.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from botbuilder.core import ConversationState, InvokeResponse, TurnContext, UserState
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, ActivityTypes, DeliveryModes, ResourceResponse
from botframework.connector import Channels
from botframework.connector.auth import BotFrameworkAuthentication

from bot.client_reuse import ReusingBotFrameworkAuthentication
from bot.config import Settings
from bot.connector import ReplyConnector
from bot.outbound import is_delivery_failure
from bot.replies import expected_replies_body
from bot.shared_cards import CardSharingTurnContext
from bot.state import ETagConflictError, StateUnavailableError
from dialogs.api import TurnLanguage, apology_text, detect_language
from knowledge.logsafe import clean

log = logging.getLogger(__name__)

#: Activities a person is waiting on: only these get an apology when their turn fails.
_ANSWERED_TYPES = frozenset(
    {ActivityTypes.message, ActivityTypes.invoke, ActivityTypes.conversation_update, ActivityTypes.installation_update}
)

#: Enum members read once, at import: in Python 3.11 every ``EnumClass.member`` read is a
#: Python-level descriptor call (``enum.property.__get__``, ~0.4 us), and a turn makes several.
_EXPECT_REPLIES = DeliveryModes.expect_replies

TurnErrorHandler = Callable[[TurnContext, Exception], Awaitable[None]]


def build_authentication(settings: Settings, *, reuse_clients: bool = True) -> BotFrameworkAuthentication:
    """The SDK's configuration-driven authentication, reusing clients across turns.

    ``reuse_clients=False`` gives the SDK's behaviour as shipped (the benchmark's baseline).
    """
    inner = ConfigurationBotFrameworkAuthentication(settings, logger=logging.getLogger("botframework"))
    return ReusingBotFrameworkAuthentication(inner) if reuse_clients else inner


def make_turn_error_handler(
    conversation_state: ConversationState,
    apology: Callable[[str | None], str] = apology_text,
    user_state: UserState | None = None,
) -> TurnErrorHandler:
    """The handler; ``apology(lang)`` is said in the conversation's remembered language
    (read before the state is cleared), not the activity's locale: Teams sends card clicks as
    ``en-US`` whatever language the conversation is in."""
    language = TurnLanguage(conversation_state, user_state)

    async def on_turn_error(turn_context: TurnContext, error: Exception) -> None:
        if is_delivery_failure(error):
            # The replies cannot reach serviceUrl: an apology would fail the same way, and the
            # dialog state was not saved, so the user can simply try again. /api/messages: 502.
            raise error
        activity = turn_context.activity
        conversation_id = clean(activity.conversation.id if activity.conversation else None)
        log.error(
            "turn failed: activity %s (%s) in conversation %s",
            clean(activity.id),
            clean(activity.type),
            conversation_id,
            exc_info=(type(error), error, error.__traceback__),
        )
        if isinstance(error, StateUnavailableError):
            # The state could not be read or written: reading it again for the language would
            # wait out the same failure, and clearing it would overwrite the real state.
            lang = detect_language(activity.locale, activity.text)
        else:
            lang = await language.remembered(turn_context)
        if not isinstance(error, (StateUnavailableError, ETagConflictError)):
            # A conflict means the stored state is another turn's good state: keep it.
            try:
                await conversation_state.clear_state(turn_context)
                await conversation_state.save_changes(turn_context, force=True)
            except Exception as exc:
                log.error(
                    "could not clear the conversation state of %s after a failed turn: %s", conversation_id, clean(exc)
                )
        if activity.type in _ANSWERED_TYPES:
            await turn_context.send_activity(apology(lang))

    return on_turn_error


def _posted(activity: Activity) -> bool:
    """True for what ``CloudAdapterBase.send_activities`` POSTs to the Bot Connector (not a
    delay, an invoke response, or a trace outside the Emulator)."""
    if activity.type in ("delay", ActivityTypes.invoke_response):
        return False
    return activity.type != ActivityTypes.trace or activity.channel_id == Channels.emulator


class CallingPlanAdapter(CloudAdapter):
    """``CloudAdapter`` that closes what its authentication opened (reused clients), whose
    turns send their cards without the SDK deep-copying them (:mod:`bot.shared_cards`), whose
    ``expectReplies`` answers are serialized without walking the cards (:mod:`bot.replies`),
    and whose replies go to the Bot Connector on the event loop (:mod:`bot.connector`) when
    it is given a ``reply_connector`` (else through the SDK's connector client, as shipped)."""

    def __init__(self, auth: BotFrameworkAuthentication, reply_connector: ReplyConnector | None = None) -> None:
        super().__init__(auth)
        self.reply_connector = reply_connector

    def _create_turn_context(self, *args: Any, **kwargs: Any) -> TurnContext:
        # CloudAdapterBase._create_turn_context (botbuilder-core 4.17.1) builds a plain
        # TurnContext and fills its turn_state. CardSharingTurnContext only overrides a method
        # (no state of its own), so that very object becomes one: no second context copied
        # from the first (TurnContext(context), then its turn_state carried over).
        context = super()._create_turn_context(*args, **kwargs)
        context.__class__ = CardSharingTurnContext
        return context

    async def send_activities(self, context: TurnContext, activities: list[Activity]) -> list[ResourceResponse]:
        """``CloudAdapterBase.send_activities`` (botbuilder-core 4.17.1), with each activity it
        would POST through the turn's ``ConnectorClient`` posted by :attr:`reply_connector`
        instead, with that client's service URL and credentials. The rest (delays, invoke
        responses, dropped traces, a turn without a client, no reply connector) is the SDK's."""
        connector = self.reply_connector
        client = context.turn_state.get(self.BOT_CONNECTOR_CLIENT_KEY) if context else None
        if connector is None or not activities or not ReplyConnector.can_post_with(client):
            return await super().send_activities(context, activities)
        responses: list[ResourceResponse] = []
        for activity in activities:
            if not _posted(activity):
                responses += await super().send_activities(context, [activity])
                continue
            activity.id = None  # as the SDK does before sending
            responses.append(await connector.send(client, activity) or ResourceResponse(id=""))
        return responses

    def _process_turn_results(self, context: TurnContext) -> InvokeResponse | None:
        # CloudAdapterBase._process_turn_results (botbuilder-core 4.17.1) answers expectReplies
        # with ExpectedReplies(...).serialize(): the same body, built by bot.replies.
        if context.activity.delivery_mode == _EXPECT_REPLIES:
            body = expected_replies_body(context.buffered_reply_activities, context.activity.channel_id)
            return InvokeResponse(status=HTTPStatus.OK, body=body)
        return super()._process_turn_results(context)

    async def close(self) -> int:
        """Close the reply connector's session and the connector and user-token clients kept
        across turns (on app cleanup); returns how many clients were closed."""
        if self.reply_connector is not None:
            await self.reply_connector.close()
        auth = self.bot_framework_authentication
        if isinstance(auth, ReusingBotFrameworkAuthentication):
            return await auth.close()
        return 0


def create_adapter(
    auth: BotFrameworkAuthentication,
    conversation_state: ConversationState,
    *,
    apology: Callable[[str | None], str] = apology_text,
    user_state: UserState | None = None,
    reply_connector: ReplyConnector | None = None,
) -> CallingPlanAdapter:
    adapter = CallingPlanAdapter(auth, reply_connector)
    adapter.on_turn_error = make_turn_error_handler(conversation_state, apology, user_state)
    return adapter
