"""A turn reads its conversation and user state at once when the storage waits on the network.

Through the real app (``create_app``, aiohttp test client, the real TinyDB state storage): the
storage's ``read`` is wrapped to count reads in flight; ``concurrent_reads`` is what the Azure
Blob backend sets (``BlobStateStorage``), the local backend leaves it off.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.app import STORAGE_KEY
from bot.state import StateUnavailableError, TinyDBStorage
from bot.state.blob import BlobStateStorage


def _count_reads(storage, fail_key_part: str | None = None) -> dict[str, int]:
    """Wraps ``read_encoded``, the read the state scopes make of the local storage."""
    seen = {"in_flight": 0, "most": 0, "reads": 0}
    real_read = storage.read_encoded

    async def read_encoded(key):
        seen["in_flight"] += 1
        seen["reads"] += 1
        seen["most"] = max(seen["most"], seen["in_flight"])
        try:
            for _ in range(3):  # a network wait: let the other read start meanwhile, if it may
                await asyncio.sleep(0)
            if fail_key_part and fail_key_part in key:
                raise StateUnavailableError("state storage unreachable")
            return await real_read(key)
        finally:
            seen["in_flight"] -= 1

    storage.read_encoded = read_encoded
    return seen


def test_only_the_network_backend_reads_concurrently():
    assert BlobStateStorage.concurrent_reads is True
    assert TinyDBStorage.concurrent_reads is False


@pytest.mark.parametrize("concurrent", [True, False])
async def test_a_turn_reads_both_scopes_at_once_only_when_the_storage_says_so(start_app, make_settings, h, concurrent):
    client = await start_app(make_settings())
    storage = client.app[STORAGE_KEY]
    storage.concurrent_reads = concurrent
    seen = _count_reads(storage)

    replies = await h.replies(client, h.activity("plan"))
    assert h.texts(replies)  # the turn was served
    assert seen["reads"] == 2  # conversation state, user state
    assert seen["most"] == (2 if concurrent else 1)


async def test_a_failed_read_fails_the_turn_after_both_reads_finished(start_app, make_settings, h):
    client = await start_app(make_settings())
    storage = client.app[STORAGE_KEY]
    storage.concurrent_reads = True
    seen = _count_reads(storage, fail_key_part="/users/")

    replies = await h.replies(client, h.activity("plan"))
    assert seen["reads"] == 2 and seen["in_flight"] == 0  # nothing left running
    assert len(h.texts(replies)) == 1  # the apology of on_turn_error, not an answer
