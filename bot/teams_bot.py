"""The Teams activity handler: tenant gate, @mention stripping, welcome card, root dialog, state.

A turn, in order:

1. **Tenant gate.** With ``ALLOWED_TENANTS`` set, an activity from any other tenant
   (``channelData.tenant.id``, else ``conversation.tenantId``) is logged and, if a person is
   waiting (a message or an install), answered with a polite refusal. No state is read for it.
2. **One turn at a time per conversation.** Two messages of one conversation processed at
   once would both read the same dialog state and the second save would lose the first
   (or fail its e_tag check); a per-conversation lock keeps them in order.
3. **Dispatch** (``TeamsActivityHandler``): messages and card submits (``value`` set, no text)
   go to the root dialog via ``DialogExtensions.run_dialog`` (or, when no dialog is active and
   the message is answered at once, without the SDK's dialog stack), after removing the bot's
   ``<at>`` mention in channels and group chats; install / members added send the welcome
   card once per conversation.
4. **Save** conversation and user state (each is written only if it changed).

State that cannot be read was set aside by the storage; the turn then starts the conversation
over with a short note (:func:`dialogs.api.state_reset_text`) rather than failing forever.

Why user state is merged on a conflict: the per-conversation lock does not cover user state,
which one admin's conversations share (it remembers their language for new conversations).
Four conversations of one user answered at the same moment all read the same user state, and
the three later saves failed their e_tag check; that failure failed the turn, whose error
handler then cleared the conversation: the dialog was lost. Keeping the language out of user
state would lose the feature; instead a save that conflicts re-reads the user state, puts back
only the properties this turn changed, and tries again (last writer wins per property). User
state is a convenience: if it still cannot be saved the turn goes on and logs a warning.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterable

from botbuilder.core import BotAdapter, ConversationState, InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.dialogs import (
    Dialog,
    DialogEvents,
    DialogExtensions,
    DialogSet,
    DialogState,
    DialogTurnStatus,
)
from botbuilder.dialogs.memory import DialogStateManagerConfiguration
from botbuilder.schema import ActivityTypes, AdaptiveCardInvokeResponse, Attachment, ChannelAccount
from botbuilder.schema.teams import TeamInfo
from botframework.connector import Channels
from botframework.connector.auth import ClaimsIdentity, SkillValidation
from msrest.exceptions import DeserializationError

from bot.state.codec import encode
from bot.state.scopes import GuardedUserState
from dialogs.api import TurnLanguage, card_activity, detect_language, state_reset_text, tenant_refusal_text
from dialogs.api import tenant_id_of as tenant_of
from knowledge.logsafe import clean

log = logging.getLogger(__name__)

#: Tries of a user-state save that keeps meeting another conversation's newer save.
USER_STATE_SAVE_TRIES = 4

#: Conversation types where Teams puts ``<at>Bot</at>`` in the message text.
MENTION_CONVERSATION_TYPES = frozenset({"channel", "groupChat"})
# Literal searches only: each scan below moves forward, so the work is linear in the text.
_AT_OPEN = re.compile(r"<at", re.IGNORECASE)
_AT_CLOSE = re.compile(r"</at>", re.IGNORECASE)


def strip_mention(activity) -> str:
    """Remove the bot's @mention from the text (and set it on the activity).

    Other people's mentions keep their name ("can <at>Alice</at> call ..." reads "can Alice
    call ...", which the number check can look up); when the bot's mention cannot be matched
    (malformed entities), every mention tag is dropped instead.

    Why not ``TurnContext.remove_recipient_mention``: it matches the mention entity's text with
    a backtracking regex and then uses the mentioned *name* as a regex pattern; both are
    attacker-controlled, and ``<at>`` repeated 16,000 times took 14-20 s on the event loop.
    Here every step is a literal search moving forward: linear in the text.
    """
    text = activity.text or ""
    matched = True
    try:
        for mention_text in _own_mentions(activity):
            text = text.replace(mention_text, "")
    except (KeyError, TypeError, AttributeError, IndexError):
        matched = False
    text = _replace_at_tags(text, keep_names=matched)
    activity.text = " ".join(text.replace("&nbsp;", " ").split())
    return activity.text


def _own_mentions(activity) -> list[str]:
    """The text of each mention entity that names the bot (``recipient.id``)."""
    found = []
    for entity in activity.entities or []:
        if (getattr(entity, "type", None) or "").lower() != "mention":
            continue
        extra = entity.additional_properties or {}
        mentioned = extra["mentioned"]
        if mentioned["id"] != activity.recipient.id:
            continue
        mention_text = extra.get("text") or f"<at>{mentioned['name']}</at>"
        if not isinstance(mention_text, str):
            raise TypeError("mention text is not a string")
        if mention_text:
            found.append(mention_text)
    return found


def _replace_at_tags(text: str, *, keep_names: bool) -> str:
    """Every ``<at ...>name</at>`` replaced by ``name`` (or by nothing): what the regex
    ``<at[^>]*>(.*?)</at>`` matches, found without backtracking."""
    out = []
    pos = 0
    while True:
        opening = _AT_OPEN.search(text, pos)
        if opening is None:
            break
        close = text.find(">", opening.end())
        if close < 0:
            break  # no later tag can close either
        end = _AT_CLOSE.search(text, close + 1)
        if end is None:
            break
        out.append(text[pos : opening.start()])
        if keep_names:
            out.append(text[close + 1 : end.start()])
        pos = end.end()
    out.append(text[pos:])
    return "".join(out)


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
        user_state: GuardedUserState,
        dialog: Dialog,
        *,
        allowed_tenants: Iterable[str] = (),
        welcome_card: Callable[[str], Attachment] | None = None,
        one_shot_turns: bool = True,
    ) -> None:
        super().__init__()
        self.conversation_state = conversation_state
        self.user_state = user_state
        self.dialog = dialog
        self.allowed_tenants = frozenset(t.lower() for t in allowed_tenants)
        if welcome_card is None:
            from dialogs.api import welcome_card as default_welcome_card

            welcome_card = default_welcome_card
        self.welcome_card = welcome_card
        self._dialog_state = conversation_state.create_property("DialogState")
        #: The one root dialog's set (what ``run_dialog`` makes anew every turn, see :meth:`_lean_run`).
        self._dialog_set = DialogSet(self._dialog_state).add(dialog)
        self._welcomed = conversation_state.create_property("Welcomed")
        self._language = TurnLanguage(conversation_state, user_state)
        self._locks = _ConversationLocks()
        #: Messages the root dialog answers at once skip the SDK's dialog stack
        #: (:meth:`_answered_at_once`), and the stack runs without what only the Emulator needs
        #: (:meth:`_lean_run`); False runs every message through ``run_dialog`` (a baseline).
        self.one_shot_turns = one_shot_turns
        #: The dialog memory's scopes and path resolvers, built by the SDK on the first turn and
        #: handed to every later one (see :meth:`_run_root_dialog`).
        self._state_configuration: DialogStateManagerConfiguration | None = None

    # --- the turn ----------------------------------------------------------------------

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if self.allowed_tenants and tenant_of(activity) not in self.allowed_tenants:
            await self._refuse(turn_context)
            return
        key = f"{activity.channel_id}/{activity.conversation.id}"
        await self._locks(key, lambda: self._run_turn(turn_context))

    async def _run_turn(self, turn_context: TurnContext) -> None:
        await self._load_state(turn_context)
        if self._state_was_set_aside(turn_context):
            # The conversation's own state is gone; the admin's remembered language still holds.
            await turn_context.send_activity(state_reset_text(await self._language.remembered(turn_context)))
        await super().on_turn(turn_context)
        await self.conversation_state.save_changes(turn_context)
        await self._save_user_state(turn_context)

    async def _load_state(self, turn_context: TurnContext) -> None:
        """Conversation and user state: at once when the storage's reads wait on the network
        (``StateStorage.concurrent_reads``, Azure Blob), else one after the other. Both reads
        finish before a failure of either is raised (as itself), so none is left running."""
        if not getattr(self.conversation_state._storage, "concurrent_reads", False):
            await self.conversation_state.load(turn_context)
            await self.user_state.load(turn_context)
            return
        loads = (self.conversation_state.load(turn_context), self.user_state.load(turn_context))
        for outcome in await asyncio.gather(*loads, return_exceptions=True):
            if isinstance(outcome, BaseException):
                raise outcome

    def _state_was_set_aside(self, turn_context: TurnContext) -> bool:
        storage = self.conversation_state._storage
        if not getattr(storage, "set_aside", None):
            # Nothing set aside (every turn but the one after a damaged read), or a storage that
            # never sets state aside (MemoryStorage in tests): no storage key to work out again.
            return False
        storage.take_set_aside(self.user_state.get_storage_key(turn_context))  # the user's language: silently reset
        return storage.take_set_aside(self.conversation_state.get_storage_key(turn_context))

    async def _save_user_state(self, turn_context: TurnContext) -> None:
        changed: dict[str, object] | None = None
        removed: set[str] = set()
        for _ in range(USER_STATE_SAVE_TRIES):
            try:
                await self.user_state.save_changes(turn_context)
                return
            except KeyError:  # an e_tag conflict (ETagConflictError, MemoryStorage's KeyError)
                pass
            if changed is None:  # what this turn changed: put back on every fresh read
                changed, removed = self._user_changes(turn_context)
            await self.user_state.load(turn_context, force=True)
            fresh = self.user_state.get(turn_context)
            fresh.update(changed)
            for key in removed:
                fresh.pop(key, None)
        log.warning(
            "user state of %s not saved: other conversations kept changing it",
            clean(turn_context.activity.from_property.id),
        )

    def _user_changes(self, turn_context: TurnContext) -> tuple[dict[str, object], set[str]]:
        """The user-state properties this turn set (new or different from the ones read) and
        the ones it removed. Compared by encoding, as the scope compares the whole state."""
        before = self.user_state.as_loaded(turn_context)
        ours = {key: value for key, value in self.user_state.get(turn_context).items() if key != "e_tag"}
        changed = {
            key: value for key, value in ours.items() if key not in before or encode(value) != encode(before[key])
        }
        return changed, set(before) - set(ours)

    async def _refuse(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        log.warning(
            "refused activity %s (%s) from tenant %s: not in ALLOWED_TENANTS",
            clean(activity.id),
            clean(activity.type),
            clean(tenant_of(activity)),
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
        await self._run_root_dialog(turn_context)

    async def _run_root_dialog(self, turn_context: TurnContext) -> None:
        """A message answered at once (:meth:`_answered_at_once`), else the dialog stack
        (:meth:`_run_dialog_stack`)."""
        if self.one_shot_turns and await self._answered_at_once(turn_context):
            return
        await self._run_dialog_stack(turn_context)

    async def _run_dialog_stack(self, turn_context: TurnContext) -> None:
        """``DialogExtensions.run_dialog`` with the dialog memory's configuration built once, and
        without the "Bot State" snapshot trace where nobody receives it (:meth:`_lean_run`).

        Why the configuration is kept: its ``DialogStateManager`` (botbuilder-dialogs 4.17.1,
        ``memory/dialog_state_manager.py``) builds a ``DialogStateManagerConfiguration`` on every
        turn (nine memory scopes and five path resolvers from the registered components, ~27 us)
        unless the turn state already holds one, and leaves the one it built there. The scopes and
        resolvers hold no turn data (they read it from the dialog context), and the SDK's own
        ``DialogManager`` hands one configuration to every turn the same way
        (``state_configuration``); so the first turn's is kept and handed to the next ones.
        """
        key = DialogStateManagerConfiguration.__name__
        if self._state_configuration is not None:
            turn_context.turn_state.setdefault(key, self._state_configuration)
        if self.one_shot_turns and not self._needs_the_sdk_run(turn_context):
            await self._lean_run(turn_context)
        else:
            await DialogExtensions.run_dialog(self.dialog, turn_context, self._dialog_state)
        if self._state_configuration is None:
            self._state_configuration = turn_context.turn_state.get(key)

    async def _lean_run(self, turn_context: TurnContext) -> None:
        """What ``DialogExtensions.run_dialog`` does for a turn that is neither the Emulator's nor
        a parent bot's to a skill (botbuilder-dialogs 4.17.1, ``dialog_extensions.py``:
        ``run_dialog``, ``_internal_run``, ``__inner_run``), less two things that turn does not
        need: the "Bot State" trace of a snapshot of the dialog memory, built every turn (every
        scope's memory walked into a new dict, an ``Activity``, a ``send_activity``: ~2% of a
        dialog step) for the Emulator alone (the host drops traces elsewhere,
        :mod:`bot.shared_cards`), and a ``DialogSet`` made anew every turn for the one root
        dialog (``self._dialog_set``, built once: it holds the dialog and the state accessor).
        A skill's end-of-conversation and a parent's cancel or reprompt events are skill turns,
        left to ``run_dialog`` (:meth:`_needs_the_sdk_run`).

        Nor does it make ``run_dialog``'s own ``DialogStateManager`` to load every memory scope
        before the turn and save them after: of the nine scopes only the two bot-state ones load
        or save anything, and they find a state only under its class name in the turn state
        (``BotStateMemoryScope._get_bot_state``), where this host puts none: both loops were
        eighteen awaits doing nothing a dialog turn. The states are loaded before the turn and
        saved after it by :meth:`_run_turn`, and every dialog context still has its own manager
        (``DialogContext.state``, made by the SDK); nothing reads one from the turn state."""
        dialog_context = await self._dialog_set.create_context(turn_context)
        dialog_context.services.update(turn_context.turn_state)
        while True:  # as run_dialog: an error handled by a dialog's error event continues the turn
            try:
                result = await dialog_context.continue_dialog()
                if result.status == DialogTurnStatus.Empty:
                    await dialog_context.begin_dialog(self.dialog.id)
                break
            except Exception as err:
                if not await dialog_context.emit_event(DialogEvents.error, err, bubble=True, from_leaf=True):
                    raise

    @staticmethod
    def _needs_the_sdk_run(turn_context: TurnContext) -> bool:
        """Whether ``run_dialog`` does more for this turn than answer it: the Emulator receives
        its snapshot trace, and a turn from a parent bot to a skill may be a cancellation or a
        reprompt, and ends with an end-of-conversation to the parent."""
        if turn_context.activity.channel_id == Channels.emulator:
            return True
        identity = turn_context.turn_state.get(BotAdapter.BOT_IDENTITY_KEY)
        return isinstance(identity, ClaimsIdentity) and SkillValidation.is_skill_claim(identity.claims)

    async def _answered_at_once(self, turn_context: TurnContext) -> bool:
        """A message while no dialog is active, answered by the root dialog without the SDK's
        dialog stack (``answer_at_once``, :mod:`dialogs.root`): a pool lookup, help or a
        question of fact then costs no dialog set, dialog context, memory scopes, waterfall
        instance or "Bot State" snapshot (botbuilder-dialogs 4.17.1, ``dialog_extensions.py``).

        ``run_dialog`` reads the ``DialogState`` property first (and so puts an empty one in
        conversation state on a first turn): read here the same way, so the stored state is the
        same. Where ``run_dialog`` does more than a one-shot turn needs, it is left to do it: the
        Emulator (it receives the snapshot trace) and a turn from a parent bot to a skill."""
        answer = getattr(self.dialog, "answer_at_once", None)
        if answer is None or self._needs_the_sdk_run(turn_context):
            return False
        dialog_state = await self._dialog_state.get(turn_context, DialogState)
        if dialog_state.dialog_stack:
            return False
        return bool(await answer(turn_context))

    # --- invokes ---------------------------------------------------------------------------

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """The SDK's invoke dispatch, with a malformed ``value`` answered 400.

        Why: the Teams handler deserializes an invoke's ``value`` into the model its name calls
        for (a task module request, a compose extension query...) before any handler runs, and a
        wrong shape (a string where an object goes) raised inside the turn: an ERROR with a
        traceback and an apology for what is the client's mistake. Only shape errors are caught.
        """
        try:
            return await super().on_invoke_activity(turn_context)
        except (DeserializationError, AttributeError, TypeError, KeyError, ValueError) as exc:
            activity = turn_context.activity
            log.warning(
                "refused invoke %s (%s): its value has the wrong shape: %s: %s",
                clean(activity.id),
                clean(activity.name),
                type(exc).__name__,
                clean(exc),
            )
            return InvokeResponse(status=400, body={"code": "BadRequest", "message": "the invoke value is malformed"})

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

    async def on_members_added_activity(self, members_added: list[ChannelAccount], turn_context: TurnContext) -> None:
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
