"""The root dialogs of the benchmark's host floors (``bench.servers``): each does what the goals
table's reference rows say it does, over real HTTP into the real app factory with its TinyDB
state. ``atonce`` answers every message at once and, after a conversation's first turn (which
stores its empty dialog state, as every first turn does), writes no state; ``onestep`` runs the
SDK's dialog stack and writes its conversation's state every turn."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bench.loadgen import teams_message
from bench.servers import at_once_dialog, one_step_dialog
from bot.app import STORAGE_KEY, create_app
from bot.config import Settings
from testkit.clock import DEMO_NOW


@pytest.fixture
async def floor_app(tmp_path: Path) -> AsyncIterator[Callable[[Any], Any]]:
    clients: list[TestClient] = []

    async def start(root_dialog: Any) -> tuple[TestClient, list[str]]:
        settings = Settings(
            _env_file=None,
            DATA_DIR=tmp_path / "data",
            CALLPLAN_NOW=DEMO_NOW,
            APP_ID="",
            APP_PASSWORD="",
            ALLOWED_TENANTS=frozenset(),
        )
        app = create_app(settings, root_dialog=root_dialog)
        client = TestClient(TestServer(app))
        await client.start_server()
        clients.append(client)
        storage = app[STORAGE_KEY]
        writes: list[str] = []
        write_encoded = storage.write_encoded

        async def counted(key: str, item: Any, encoded: bytes) -> None:
            writes.append(key)
            await write_encoded(key, item, encoded)

        storage.write_encoded = counted  # counts the scopes' saves
        return client, writes

    yield start
    for client in clients:
        await client.close()


async def texts_of(client: TestClient, n: int, conversation: str) -> list[str]:
    response = await client.post("/api/messages", json=teams_message(n, conversation, "how many minutes are left?"))
    assert response.status == 200
    return [a.get("text") for a in (await response.json())["activities"]]


async def test_atonce_answers_every_message_at_once_and_writes_no_state_after_the_first_turn(floor_app):
    client, writes = await floor_app(at_once_dialog)
    assert await texts_of(client, 1, "floor-a") == ["ok"]
    first = len(writes)
    assert first >= 1  # the first turn stores the conversation's empty dialog state
    for n in range(2, 6):
        assert await texts_of(client, n, "floor-a") == ["ok"]
    assert len(writes) == first


async def test_onestep_runs_its_dialog_and_writes_the_conversation_state_every_turn(floor_app):
    client, writes = await floor_app(one_step_dialog)
    for n in range(1, 4):
        assert await texts_of(client, n, "floor-o") == [f"turn {n}"]
    assert len([k for k in writes if "conversations" in k]) == 3
