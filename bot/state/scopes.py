"""The two state scopes (conversation, user), with new keys marked for a conditional first save.

Why: ``BotState`` saves the state of a conversation it found no state for with no e_tag, and
no e_tag means "overwrite" in the SDK's storage contract (``StorageBaseTests`` requires it). Two
replicas starting the same conversation would then both win, the last one silently. These
scopes give such a state :data:`bot.state.NEW_KEY_E_TAG`, so its first save only succeeds if
the key still does not exist (``If-None-Match: *`` on Azure Blob, the same check locally); the
loser gets :class:`bot.state.ETagConflictError` and the turn re-runs on the state the winner
saved (:mod:`bot.turn_retry`).
"""

from __future__ import annotations

from botbuilder.core import BotState, ConversationState, Storage, TurnContext, UserState

from bot.state.base import NEW_KEY_E_TAG


async def _mark_new(scope: BotState, turn_context: TurnContext) -> None:
    cached = scope.get_cached_state(turn_context)
    if cached is not None and isinstance(cached.state, dict) and cached.state.get("e_tag") is None:
        cached.state["e_tag"] = NEW_KEY_E_TAG
        # Not a change by itself: a turn that changes nothing still saves nothing.
        cached.hash = cached.compute_hash(cached.state)


class GuardedConversationState(ConversationState):
    async def load(self, turn_context: TurnContext, force: bool = False) -> None:
        await super().load(turn_context, force)
        await _mark_new(self, turn_context)


class GuardedUserState(UserState):
    async def load(self, turn_context: TurnContext, force: bool = False) -> None:
        await super().load(turn_context, force)
        await _mark_new(self, turn_context)


def state_scopes(storage: Storage) -> tuple[ConversationState, UserState]:
    return GuardedConversationState(storage), GuardedUserState(storage)
