"""The two state scopes (conversation, user): new keys marked for a conditional first save, and
a save only when the state's encoding differs from the one it was read with.

New keys: ``BotState`` saves the state of a conversation it found no state for with no e_tag,
and no e_tag means "overwrite" in the SDK's storage contract (``StorageBaseTests`` requires it).
Two replicas starting the same conversation would then both win, the last one silently. These
scopes give such a state :data:`bot.state.NEW_KEY_E_TAG`, so its first save only succeeds if
the key still does not exist (``If-None-Match: *`` on Azure Blob, the same check locally); the
loser gets :class:`bot.state.ETagConflictError` and the turn re-runs on the state the winner
saved (:mod:`bot.turn_retry`).

Change detection: the SDK's ``BotState`` hashes the whole state when it reads it and again at
every save (``CachedBotState.compute_hash``), then the storage encodes it once more to write it.
Here the state's encoding (:func:`bot.state.codec.encode`, what the local store keeps) is the
fingerprint: the local store hands over the bytes it read (nothing is encoded at load), and a
save encodes once, compares with them, and writes those same bytes if they differ. Other
storages (Azure Blob, ``MemoryStorage``) get the encoding taken at load. A save writes when the
encodings differ, so it misses no change (pickle is faithful: equal bytes, equal values); a
round trip that re-encodes differently costs an extra write, never a lost one. A turn that
changes nothing writes nothing.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import BotState, ConversationState, Storage, TurnContext, UserState

from bot.state.base import NEW_KEY_E_TAG
from bot.state.codec import decode, encode_state
from bot.state.local import TinyDBStorage


class LoadedState:
    """A scope's state for one turn (in place of the SDK's ``CachedBotState``): the state and
    the encoding it was read (or last saved) with; ``None`` when it must be written anyway
    (cleared)."""

    __slots__ = ("encoded", "state")

    def __init__(self, state: dict[str, Any], encoded: bytes | None) -> None:
        self.state = state
        self.encoded = encoded


async def _read(storage: Storage, key: str) -> tuple[Any, bytes]:
    """The stored state of ``key`` (None if absent) and its encoding without its e_tag."""
    if isinstance(storage, TinyDBStorage):
        return await storage.read_encoded(key)
    item = (await storage.read([key])).get(key)
    return item, encode_state(item if item is not None else {})


async def _write(storage: Storage, key: str, state: dict[str, Any], encoded: bytes) -> None:
    if isinstance(storage, TinyDBStorage):
        await storage.write_encoded(key, state, encoded)
    else:
        await storage.write({key: state})


class _EncodedScope(BotState):
    """``BotState`` with the load, save and clear of the module docstring (the SDK's own,
    botbuilder-core 4.17.1 ``bot_state.py``, otherwise: same cache slot, same accessors)."""

    async def load(self, turn_context: TurnContext, force: bool = False) -> None:
        cached = self.get_cached_state(turn_context)
        if not force and cached is not None and cached.state:
            return
        item, encoded = await _read(self._storage, self.get_storage_key(turn_context))
        state = item if item is not None else {}
        if isinstance(state, dict) and state.get("e_tag") is None:
            state["e_tag"] = NEW_KEY_E_TAG
        turn_context.turn_state[self._context_service_key] = LoadedState(state, encoded)

    async def save_changes(self, turn_context: TurnContext, force: bool = False) -> None:
        cached = self.get_cached_state(turn_context)
        if cached is None:
            return
        encoded = encode_state(cached.state)
        if not force and encoded == cached.encoded:
            return
        await _write(self._storage, self.get_storage_key(turn_context), cached.state, encoded)
        cached.encoded = encoded

    async def clear_state(self, turn_context: TurnContext) -> None:
        """An empty state the next save writes (as the SDK's: no e_tag, so it overwrites)."""
        turn_context.turn_state[self._context_service_key] = LoadedState({}, None)

    def as_loaded(self, turn_context: TurnContext) -> dict[str, Any]:
        """A new copy of the state as it was read (or last saved) this turn, without its e_tag."""
        cached = self.get_cached_state(turn_context)
        if cached is None or cached.encoded is None:
            return {}
        return decode(cached.encoded)


class GuardedConversationState(_EncodedScope, ConversationState):
    pass


class GuardedUserState(_EncodedScope, UserState):
    pass


def state_scopes(storage: Storage) -> tuple[GuardedConversationState, GuardedUserState]:
    return GuardedConversationState(storage), GuardedUserState(storage)
