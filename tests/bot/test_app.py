"""The app factory: health, typed state and its lifecycle."""

from __future__ import annotations

import threading
from importlib.metadata import version
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot import app as app_module
from bot import connector as connector_module
from bot.app import (
    ADAPTER_KEY,
    AUTH_KEY,
    BOT_KEY,
    CONVERSATION_STATE_KEY,
    SETTINGS_KEY,
    STORAGE_KEY,
    STORE_KEY,
    USER_STATE_KEY,
    create_app,
)
from knowledge.store import AsyncStore, Store


async def test_healthz_reports_version_and_store(client):
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {
        "status": "ok",
        "version": version("calling-plan-assistant"),
        "store": True,
        "state": True,
    }


async def test_healthz_is_503_when_the_calling_plan_store_is_unreadable(client, data_dir):
    roster = Path(__file__).parents[1] / "knowledge" / "fixtures" / "users.plain.csv"
    summary = Store(data_dir).import_paths([roster], tenant_id="contoso")
    assert summary.imported > 0
    assert (await client.get("/healthz")).status == 200
    for summary_file in (data_dir / "store").rglob("summary.json"):
        summary_file.write_text("{ half a file")
    response = await client.get("/healthz")
    assert response.status == 503
    body = await response.json()
    assert body["store"] is False and body["status"] == "degraded"


async def test_healthz_asks_the_store_when_one_is_wired(make_settings):
    class Store:
        answer: object = True

        async def ping(self):
            if isinstance(self.answer, Exception):
                raise self.answer
            return self.answer

    store = Store()
    app = create_app(make_settings())

    async def wire_store(app):  # replaces the real store with one that fails on demand
        app[STORE_KEY] = store
        yield

    app.cleanup_ctx.append(wire_store)
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/healthz")).status == 200
        store.answer = OSError("disk gone")
        response = await client.get("/healthz")
        assert response.status == 503 and (await response.json())["store"] is False
        store.answer = False
        assert (await client.get("/healthz")).status == 503


def test_create_app_opens_nothing_until_started(make_settings):
    app = create_app(make_settings())
    assert isinstance(app, web.Application)
    assert app[SETTINGS_KEY].PORT == 3978
    assert STORAGE_KEY not in app and BOT_KEY not in app


async def test_resources_open_on_start_and_close_on_stop(start_app, make_settings):
    client = await start_app(make_settings())
    app = client.app
    for key in (STORAGE_KEY, CONVERSATION_STATE_KEY, USER_STATE_KEY, AUTH_KEY, ADAPTER_KEY, BOT_KEY):
        assert app[key] is not None
    assert isinstance(app[STORE_KEY], AsyncStore) and await app[STORE_KEY].ping()
    assert app[BOT_KEY].conversation_state is app[CONVERSATION_STATE_KEY]
    assert app[STORAGE_KEY].folder == make_settings().state_dir
    await client.close()
    assert app[STORAGE_KEY]._executor._shutdown
    leftover = ("bot-state", "callplan-store")
    assert not [t for t in threading.enumerate() if t.name.startswith(leftover) and t.is_alive()]


async def test_a_start_that_fails_leaves_no_reply_session_open(make_settings, monkeypatch):
    """The scheduler cannot be made (its lock, say): the start fails before the adapter's
    cleanup is registered, so the reply connector's aiohttp session must not be open yet."""
    made: list[connector_module.ReplyConnector] = []

    class Recorded(connector_module.ReplyConnector):
        def __init__(self) -> None:
            super().__init__()
            made.append(self)

    def no_scheduler(*args: object, **kwargs: object) -> None:
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(app_module, "ReplyConnector", Recorded)
    monkeypatch.setattr(app_module, "Scheduler", no_scheduler)
    client = TestClient(TestServer(create_app(make_settings())))
    with pytest.raises(OSError, match="Permission denied"):
        await client.start_server()
    await client.close()
    assert made and all(replies.closed for replies in made)


async def test_two_apps_side_by_side_share_nothing(start_app, make_settings, tmp_path, h):
    one = await start_app(make_settings())
    two = await start_app(make_settings(DATA_DIR=tmp_path / "other"))
    assert one.app[BOT_KEY] is not two.app[BOT_KEY]
    await h.replies(one, h.activity("plan"))
    assert h.texts(await h.replies(two, h.activity("France"))) != ["How many users in France need a Calling Plan?"]
