"""The SDK patches of ``bot/sdk_patches``: applied only where an entry point asks, only on the
SDK version they were written for, revertible, and giving what the SDK as shipped gives.

* ``state_hash`` (pickle): every change the SDK's jsonpickle hash sees is still seen (property
  test over random states and random mutations), near-identical values are told apart, and a
  state pickle cannot encode falls back to the SDK's hash;
* end to end over HTTP: a conversation (guided purchase clicked through, pool lookups, help)
  gets byte-identical replies and the same state writes with and without the patches. The
  whole conversation suite (``test_conversations.py``) also runs both ways.
"""

from __future__ import annotations

import copy
import importlib
import json
import logging
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from botbuilder.core import StoreItem
from botbuilder.core.bot_state import CachedBotState
from botbuilder.dialogs import DialogInstance, DialogState
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bot import sdk_patches
from bot.app import create_app
from bot.sdk_patches import (
    PATCHES,
    applied_sdk_patches,
    apply_sdk_patches,
    revert_sdk_patches,
    sdk_version_problem,
    state_hash,
)
from bot.state import TinyDBStorage

PROPERTY = hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def sdk_as_shipped() -> Iterator[None]:
    """Every test starts and ends on the SDK's own code (the patches are process-wide)."""
    revert_sdk_patches()
    yield
    revert_sdk_patches()


# --- applied explicitly, guarded, revertible ------------------------------------------------------


def test_the_app_factory_applies_no_patch(make_settings):
    create_app(make_settings())
    assert applied_sdk_patches() == []


async def test_the_serve_entry_point_applies_every_patch(make_settings):
    from bot.commands.host import start_bot

    runner = await start_bot(make_settings(PORT=0))
    try:
        assert applied_sdk_patches() == list(PATCHES)
    finally:
        await runner.cleanup()


def test_the_bench_servers_apply_what_they_are_told():
    from bench.servers import apply_patches

    assert apply_patches("none") == [] and applied_sdk_patches() == []
    assert apply_patches("state_hash") == ["state_hash"] == applied_sdk_patches()
    assert apply_patches("all") == list(PATCHES) == applied_sdk_patches()


@pytest.mark.parametrize("name", PATCHES)
def test_each_patch_applies_once_and_reverts_to_the_sdks_code(name):
    module = importlib.import_module(f"bot.sdk_patches.{name}")
    owner, attribute = {
        "state_hash": (CachedBotState, "compute_hash"),
    }[name]
    shipped = owner.__dict__[attribute]
    assert module.apply() is True and module.is_applied()
    patched = owner.__dict__[attribute]
    assert patched is not shipped
    assert module.apply() is False and owner.__dict__[attribute] is patched  # not wrapped twice
    assert module.revert() is True and owner.__dict__[attribute] is shipped
    assert module.revert() is False and not module.is_applied()


def test_another_sdk_version_gets_no_patch_and_one_warning_line(monkeypatch, caplog):
    real_version = sdk_patches.version
    monkeypatch.setattr(
        sdk_patches, "version", lambda dist: "4.18.0" if dist == "botbuilder-core" else real_version(dist)
    )
    assert sdk_version_problem() == "botbuilder-core is 4.18.0, the patches were written for 4.17.1"
    with caplog.at_level(logging.WARNING, logger="bot.sdk_patches"):
        assert apply_sdk_patches() == []
    assert applied_sdk_patches() == []
    assert [r.getMessage() for r in caplog.records] == [
        "SDK speed patches not applied: botbuilder-core is 4.18.0, the patches were written for 4.17.1"
    ]


def test_the_installed_sdk_is_the_one_the_patches_were_written_for():
    assert sdk_version_problem() is None


def test_an_unknown_patch_name_fails_before_anything_is_patched():
    with pytest.raises(ValueError, match="unknown SDK patch 'send_copy'"):
        apply_sdk_patches(["state_hash", "send_copy"])
    assert applied_sdk_patches() == []


# --- state_hash ---------------------------------------------------------------------------------------


def sdk_hash(state: Any) -> Any:
    return state_hash._SDK_HASH(CachedBotState.__new__(CachedBotState), state)


def fast_hash(state: Any) -> Any:
    return state_hash._pickle_hash(CachedBotState.__new__(CachedBotState), state)


def _slots(value: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) whose value can be replaced, depth first."""
    found: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in list(node):
                found.append((node, key))
                walk(node[key])
        elif isinstance(node, list):
            for index, item in enumerate(node):
                found.append((node, index))
                walk(item)
        elif isinstance(node, DialogState):
            found.append((node, "_dialog_stack"))
            for instance in node.dialog_stack:
                found.append((instance, "state"))
                walk(instance.state)
        elif isinstance(node, StoreItem):
            found.extend([(node, "a"), (node, "b")])
            walk(node.a)
            walk(node.b)

    walk(value)
    return found


@PROPERTY
@given(data=st.data())
def test_every_change_the_sdk_hash_sees_the_pickle_hash_sees(data, state_values):
    state = {"root": data.draw(state_values)}
    before_sdk, before_fast = sdk_hash(state), fast_hash(state)
    assert fast_hash(copy.deepcopy(state)) == before_fast  # an equal state: no spurious write
    slots = _slots(state)
    owner, key = slots[data.draw(st.integers(0, len(slots) - 1))]
    new_value = data.draw(state_values)
    if isinstance(owner, (dict, list)):
        owner[key] = new_value
    else:
        setattr(owner, key, new_value if key != "_dialog_stack" else [DialogInstance("x", {"v": new_value})])
    if sdk_hash(state) != before_sdk:
        assert fast_hash(state) != before_fast


@pytest.mark.parametrize(
    "before, after",
    [
        ([1], (1,)),  # a list became a tuple
        (1, 1.0),
        (1, True),
        (0.0, -0.0),
        ({"1": "a"}, {1: "a"}),  # jsonpickle's own hash cannot tell these apart; pickle can
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}),  # key order is part of the stored JSON
        ("a", "a "),
    ],
)
def test_pickle_hash_tells_near_identical_values_apart(before, after):
    assert fast_hash({"v": before}) != fast_hash({"v": after})


def test_a_state_pickle_cannot_encode_falls_back_to_the_sdk_hash():
    state = {"callback": lambda: None, "n": 1}
    first = fast_hash(state)
    assert isinstance(first, str) and first == sdk_hash(state)
    state["n"] = 2
    assert fast_hash(state) != first


# --- end to end: the same conversation with and without the patches ---------------------------


def _first_button(replies: list[dict[str, Any]]) -> dict[str, Any] | None:
    for reply in reversed(replies):
        for attachment in reply.get("attachments") or []:
            stack = [attachment.get("content")]
            while stack:
                node = stack.pop(0)
                if isinstance(node, dict):
                    data = node.get("data")
                    if node.get("type") == "Action.Submit" and isinstance(data, dict) and "value" in data:
                        return data
                    stack.extend(node.values())
                elif isinstance(node, list):
                    stack.extend(node)
    return None


async def _conversation(client: Any, h: Any, writes: list[Any]) -> list[list[dict[str, Any]]]:
    """A guided purchase clicked through to its summary, a pool lookup, help, in English and
    French; the replies of every turn. ``writes`` gets a turn marker before each turn."""
    answers: list[list[dict[str, Any]]] = []

    async def turn(**activity: Any) -> list[dict[str, Any]]:
        writes.append(("turn", len(answers)))
        replies = await h.replies(
            client, h.activity(conversation_id="a:same-conversation", id=f"turn-{len(answers)}", **activity)
        )
        answers.append(replies)
        return replies

    replies = await turn(text="which calling plan should we buy for 40 users in France?")
    for _ in range(8):
        data = _first_button(replies)
        if data is None:
            break
        replies = await turn(text=None, value=data)
    await turn(text="pool balance")
    await turn(text="combien de minutes restantes en France")
    await turn(text="help")
    await turn(text="help")  # nothing changes: the SDK writes nothing
    return answers


async def test_a_conversation_is_identical_with_and_without_the_patches(
    start_app, make_settings, h, tmp_path, demo_store_dir, monkeypatch
):
    writes: list[Any] = []
    original_write = TinyDBStorage._write  # every write, through write() or write_encoded()

    async def recording_write(self: TinyDBStorage, changes: dict[str, Any], encoded: Any) -> None:
        writes.append(sorted(changes))
        return await original_write(self, changes, encoded)

    monkeypatch.setattr(TinyDBStorage, "_write", recording_write)

    def fresh_settings(name: str) -> Any:
        folder = tmp_path / name
        shutil.copytree(demo_store_dir, folder / "store")
        return make_settings(DATA_DIR=folder)

    stock_client = await start_app(fresh_settings("stock"), reuse_clients=False)
    stock_replies = await _conversation(stock_client, h, writes)
    assert applied_sdk_patches() == []  # really the SDK's own code
    stock_writes, writes[:] = list(writes), []

    assert apply_sdk_patches() == list(PATCHES)
    fast_client = await start_app(fresh_settings("fast"))
    fast_replies = await _conversation(fast_client, h, writes)

    assert len(stock_replies) >= 6  # the purchase walked to its summary, then the lookups
    assert any(r.get("attachments") for turn in stock_replies for r in turn)
    assert json.dumps(fast_replies) == json.dumps(stock_replies)
    assert writes == stock_writes  # the same states written on the same turns
    assert any(isinstance(w, list) for w in writes)
    assert writes[-1] == ("turn", len(fast_replies) - 1)  # the last "help" changed nothing
