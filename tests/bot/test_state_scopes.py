"""The state scopes of ``bot.state.scopes``: a save writes only when the state's encoding
differs from the one it was read with, over the local store (whose read hands the stored bytes
over: nothing encoded at load, one encoding at save) and over any other ``Storage``; a new key's
first save is conditional (``NEW_KEY_E_TAG``); a cleared state is written."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from botbuilder.core import MemoryStorage, Storage, TurnContext
from botbuilder.dialogs import DialogInstance, DialogState

import bot.state.scopes
from bot.state import NEW_KEY_E_TAG, ETagConflictError, TinyDBStorage
from bot.state.base import without_e_tag
from bot.state.codec import decode, encode, encode_state
from bot.state.scopes import GuardedConversationState, GuardedUserState, state_scopes
from testkit.turns import message_context


@pytest.fixture
async def local(tmp_path) -> AsyncIterator[TinyDBStorage]:
    store = TinyDBStorage(tmp_path / "state")
    yield store
    await store.close()


@pytest.fixture(params=["local", "memory"])
def storage(request, local) -> Storage:
    return local if request.param == "local" else MemoryStorage()


def _count_writes(storage: Storage, monkeypatch) -> list[str]:
    """The keys each write of ``storage`` gets, whichever way the scopes write."""
    writes: list[str] = []
    name = "write_encoded" if isinstance(storage, TinyDBStorage) else "write"
    real = getattr(storage, name)

    async def counting(*args: Any) -> None:
        writes.append(args[0] if name == "write_encoded" else next(iter(args[0])))
        await real(*args)

    monkeypatch.setattr(storage, name, counting)
    return writes


async def _turn(scope: GuardedConversationState, change: Any = None) -> TurnContext:
    context = message_context()
    await scope.load(context)
    if change is not None:
        change(scope.get(context))
    await scope.save_changes(context)
    return context


async def test_a_turn_that_changes_nothing_writes_nothing(storage, monkeypatch):
    scope, _ = state_scopes(storage)
    writes = _count_writes(storage, monkeypatch)
    await _turn(scope, lambda state: state.update(DialogState=DialogState([]), turns=1))
    assert len(writes) == 1
    await _turn(scope)  # read, nothing changed
    await _turn(scope, lambda state: state.update(turns=1))  # the same value again
    assert len(writes) == 1
    await _turn(scope, lambda state: state.update(turns=2))
    await _turn(scope, lambda state: state.pop("turns"))
    assert len(writes) == 3


async def test_a_state_written_from_code_reads_back_unchanged(storage, monkeypatch):
    """A property named like a class the state holds (``DialogState``) encodes the same
    before and after a round trip: the turn after the one that created it writes nothing."""
    scope, _ = state_scopes(storage)
    writes = _count_writes(storage, monkeypatch)
    stack = [DialogInstance(id="MainDialog", state={"stepIndex": 1, "values": {"country": "FR"}})]
    await _turn(scope, lambda state: state.update(DialogState=DialogState(stack), Welcomed=True))
    await _turn(scope)
    await _turn(scope)
    assert len(writes) == 1


async def test_a_change_inside_a_stored_object_is_written(storage):
    scope, _ = state_scopes(storage)
    await _turn(scope, lambda state: state.update(DialogState=DialogState([])))
    await _turn(scope, lambda state: state["DialogState"].dialog_stack.append("step"))
    context = message_context()
    await scope.load(context)
    assert scope.get(context)["DialogState"].dialog_stack == ["step"]


async def test_the_local_store_keeps_the_bytes_the_scope_encoded_once(local, monkeypatch):
    """No encoding at load (the stored bytes are the reference) and one at save (the same
    bytes are written): what ``TinyDBStorage.write`` would encode again is handed over."""
    scope, _ = state_scopes(local)
    await _turn(scope, lambda state: state.update(turns=1))
    encodings: list[Any] = []

    def counting_encode(value: Any) -> bytes:
        encodings.append(without_e_tag(value))
        return encode_state(value)

    monkeypatch.setattr(bot.state.scopes, "encode_state", counting_encode)
    context = await _turn(scope, lambda state: state.update(turns=2))
    key = scope.get_storage_key(context)
    assert encodings == [{"turns": 2}]
    assert local._cache[key].state is scope.get_cached_state(context).encoded
    assert (await local.read([key]))[key]["turns"] == 2


async def test_a_saved_state_saved_again_in_the_same_turn_writes_once(storage, monkeypatch):
    scope, _ = state_scopes(storage)
    writes = _count_writes(storage, monkeypatch)
    context = message_context()
    await scope.load(context)
    scope.get(context)["turns"] = 1
    await scope.save_changes(context)
    await scope.save_changes(context)
    assert len(writes) == 1


async def test_a_new_key_saves_only_if_still_absent(local):
    first, second = message_context(), message_context()
    scope, _ = state_scopes(local)
    await scope.load(first)
    await scope.load(second)
    assert scope.get(first)["e_tag"] == NEW_KEY_E_TAG
    scope.get(first)["by"] = "first"
    scope.get(second)["by"] = "second"
    await scope.save_changes(first)
    with pytest.raises(ETagConflictError):
        await scope.save_changes(second)
    context = message_context()
    await scope.load(context)
    assert scope.get(context)["by"] == "first"


async def test_an_unchanged_new_key_is_not_written(storage, monkeypatch):
    scope, _ = state_scopes(storage)
    writes = _count_writes(storage, monkeypatch)
    await _turn(scope)
    assert writes == []


async def test_a_cleared_state_is_written_and_overwrites(storage):
    scope, _ = state_scopes(storage)
    await _turn(scope, lambda state: state.update(turns=1))
    context = message_context()
    await scope.load(context)
    await scope.clear_state(context)
    await scope.save_changes(context)
    await scope.load(context, force=True)
    assert {k: v for k, v in scope.get(context).items() if k != "e_tag"} == {}


async def test_as_loaded_is_the_state_read_not_the_one_changed(storage):
    _, users = state_scopes(storage)
    assert isinstance(users, GuardedUserState)
    await _turn(users, lambda state: state.update(language="fr", seen=[1]))
    context = message_context()
    await users.load(context)
    users.get(context)["language"] = "de"
    users.get(context)["seen"].append(2)
    assert users.as_loaded(context) == {"language": "fr", "seen": [1]}


async def test_a_stale_local_save_is_refused(local):
    scope, _ = state_scopes(local)
    await _turn(scope, lambda state: state.update(turns=1))
    slow = message_context()
    await scope.load(slow)
    await _turn(scope, lambda state: state.update(turns=2))
    scope.get(slow)["turns"] = 3
    with pytest.raises(ETagConflictError):
        await scope.save_changes(slow)


async def test_a_real_turn_that_changes_nothing_writes_nothing(start_app, demo_settings, h, monkeypatch):
    """End to end over HTTP (moved from the SDK patch tests, now that nothing patches the SDK):
    the state scopes of the real app write on the turns that change state and skip the write
    of a repeated help card, whose state is unchanged."""
    writes: list[Any] = []
    original_write = TinyDBStorage._write  # every write, through write() or write_encoded()

    async def recording_write(self: TinyDBStorage, changes: dict[str, Any], encoded: Any) -> None:
        writes.append(sorted(changes))
        return await original_write(self, changes, encoded)

    monkeypatch.setattr(TinyDBStorage, "_write", recording_write)
    client = await start_app(demo_settings)
    for number, text in enumerate(("which calling plan should we buy for 40 users in France?", "help", "help")):
        writes.append(("turn", number))
        assert await h.replies(client, h.activity(text, conversation_id="a:same", id=f"turn-{number}"))
    assert any(isinstance(w, list) for w in writes[: writes.index(("turn", 2))])  # a change is written
    assert writes[-1] == ("turn", 2)  # the repeated help changed nothing: nothing written


class _Opaque:
    def __init__(self) -> None:
        self.e_tag = "t"
        self.lines = [1, 2]


@pytest.mark.parametrize(
    "state",
    [
        {},
        {"e_tag": "x"},
        {"DialogState": DialogState([DialogInstance()]), "e_tag": "x", 1: {2: "b"}, "lang": "fr"},
        {"pickle refuses": lambda: None, "e_tag": "*"},
        _Opaque(),
    ],
)
def test_a_states_encoding_is_its_encoding_without_its_e_tag(state):
    before = dict(vars(state) if isinstance(state, _Opaque) else state)
    assert encode_state(state) == encode(without_e_tag(state))
    assert dict(vars(state) if isinstance(state, _Opaque) else state) == before  # not changed
    if isinstance(state, dict) and encode_state(state)[:1] == b"P":  # pickled: every key back
        assert set(decode(encode_state(state))) == set(state) - {"e_tag"}
