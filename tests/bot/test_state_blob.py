"""Bot state on Azure Blob Storage (``bot/state/blob.py``), on a real Azurite: the SDK's
conformance suite, e_tag concurrency (If-Match, If-None-Match: * for new keys), failed reads
that never read as empty state, bounded calls, damaged blobs, any key."""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import time

import pytest
from botbuilder.core import StoreItem
from botbuilder.dialogs import DialogState
from botbuilder.testing import StorageBaseTests

from bot.state import NEW_KEY_E_TAG, ETagConflictError, StateUnavailableError
from bot.state.blob import BlobStateStorage

_names = itertools.count()


def container_name() -> str:
    return f"state-test-{next(_names)}-{time.monotonic_ns() % 10**9}"


@pytest.fixture
async def blob(azurite):
    storage = BlobStateStorage.from_connection_string(azurite.connection_string, container_name())
    await storage.ensure_container()
    yield storage
    await storage.close()


# --- botbuilder.testing.StorageBaseTests: every case -------------------------------------

BASE_TESTS = sorted(name for name in vars(StorageBaseTests) if not name.startswith("_"))


def test_the_suite_has_its_eleven_cases():
    assert len(BASE_TESTS) == 11


@pytest.mark.parametrize("name", BASE_TESTS)
async def test_storage_base_tests(blob, name):
    assert await getattr(StorageBaseTests, name)(blob) is True


# --- concurrency ----------------------------------------------------------------------------


async def test_a_stale_e_tag_is_refused_and_changes_nothing(blob):
    await blob.write({"conv": {"step": 1}})
    first = (await blob.read(["conv"]))["conv"]
    second = (await blob.read(["conv"]))["conv"]
    first["step"] = 2
    await blob.write({"conv": first})
    second["step"] = 99
    with pytest.raises(ETagConflictError):
        await blob.write({"conv": second})
    assert (await blob.read(["conv"]))["conv"]["step"] == 2


async def test_the_first_save_of_a_new_key_is_if_none_match(blob):
    """Two replicas start the same conversation: both read nothing, both save with the
    new-key e_tag; exactly one wins, the other gets the conflict."""
    outcomes = await asyncio.gather(
        blob.write({"conv": {"who": "a", "e_tag": NEW_KEY_E_TAG}}),
        blob.write({"conv": {"who": "b", "e_tag": NEW_KEY_E_TAG}}),
        return_exceptions=True,
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["ETagConflictError", "NoneType"]
    winner = "a" if outcomes[0] is None else "b"
    assert (await blob.read(["conv"]))["conv"]["who"] == winner


async def test_write_gives_the_caller_the_new_e_tag(blob):
    state = {"step": 1, "e_tag": NEW_KEY_E_TAG}
    await blob.write({"conv": state})
    tag = state["e_tag"]
    assert tag == (await blob.read(["conv"]))["conv"]["e_tag"] != NEW_KEY_E_TAG
    state["step"] = 2
    await blob.write({"conv": state})  # a second save in the same turn: If-Match the new tag
    assert state["e_tag"] != tag


async def test_values_keep_their_types_as_jsonpickle_json(blob, azurite):
    dialog_state = DialogState()
    dialog_state.dialog_stack.append({"id": "plan", "state": {"stepIndex": 1, "values": {"users": 40}}})
    await blob.write({"conv": {"DialogState": dialog_state, "ints": {1: "one"}}, "item": StoreItem(name="x")})
    items = await blob.read(["conv", "item"])
    assert isinstance(items["conv"]["DialogState"], DialogState)
    assert items["conv"]["DialogState"].dialog_stack[0]["state"]["values"] == {"users": 40}
    assert items["conv"]["ints"] == {1: "one"}
    assert isinstance(items["item"], StoreItem) and items["item"].name == "x" and items["item"].e_tag
    raw = await (await blob.container.get_blob_client(blob.blob_name("conv")).download_blob()).readall()
    doc = json.loads(raw)
    assert doc["key"] == "conv" and doc["state"]["DialogState"]["py/object"].endswith("DialogState")


async def test_any_key_gets_a_safe_blob_name(blob):
    keys = ["msteams/conversations/19:abc@thread.tacv2;messageid=1/", "a" * 2000, "é/../\\?#%00", "\ud800x"]
    await blob.write({key: {"n": i} for i, key in enumerate(keys)})
    items = await blob.read(keys)
    assert [items[key]["n"] for key in keys] == list(range(len(keys)))
    names = {blob.blob_name(key) for key in keys}
    assert all(len(name) == 64 and name.isalnum() for name in names)


async def test_a_damaged_blob_starts_the_key_over_and_the_next_save_replaces_it(blob):
    await blob.container.upload_blob(blob.blob_name("conv"), b"{not json", overwrite=True)
    assert await blob.read(["conv"]) == {}
    assert blob.take_set_aside("conv") and not blob.take_set_aside("conv")
    await blob.write({"conv": {"step": 1, "e_tag": NEW_KEY_E_TAG}})  # replaces exactly the damaged blob
    assert (await blob.read(["conv"]))["conv"]["step"] == 1


# --- failures: never empty state, always bounded ------------------------------------------


def _connection_to(port: int) -> str:
    return (
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
        f"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;"
    )


async def test_a_failed_read_raises_and_never_reads_as_empty():
    """Nothing listens on the storage's port (it is down): every call fails, in bounded time,
    with StateUnavailableError; never an empty read. (Recovery, with a real Azurite stopped
    and started again: tests/bot/test_state_blob_turns.py.)"""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends: connections are refused
    storage = BlobStateStorage.from_connection_string(_connection_to(port), "state")
    try:
        started = time.monotonic()
        with pytest.raises(StateUnavailableError, match="bot state read failed"):
            await storage.read(["conv"])
        with pytest.raises(StateUnavailableError, match="bot state write failed"):
            await storage.write({"conv": {"step": 4, "e_tag": "*"}})
        with pytest.raises(StateUnavailableError, match="bot state delete failed"):
            await storage.delete(["conv"])
        assert time.monotonic() - started < 3 * (storage.call_timeout_s + 1)  # bounded
        assert "cannot be reached" in (await storage.probe() or "")
    finally:
        await storage.close()


async def test_a_call_that_never_answers_times_out(blob):
    """A storage that accepts the connection and never answers: the call gives up in time."""

    async def silent(reader, writer):
        await asyncio.sleep(30)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    storage = BlobStateStorage.from_connection_string(_connection_to(port), "state", call_timeout_s=0.5)
    try:
        started = time.monotonic()
        with pytest.raises(StateUnavailableError, match="no answer in time"):
            await storage.read(["conv"])
        assert time.monotonic() - started < 5
    finally:
        await storage.close()
        server.close()


async def test_close_closes_the_http_session(azurite):
    storage = BlobStateStorage.from_connection_string(azurite.connection_string, container_name())
    await storage.ensure_container()
    await storage.read(["x"])
    transport = storage.container._pipeline._transport
    assert transport.session is not None and not transport.session.closed
    await storage.close()
    assert transport.session is None or transport.session.closed
