"""Turns over bot state on Azure Blob (Azurite), through the real app factory over HTTP: an
e_tag race re-runs the turn once on fresh state (replies said once), a second one apologizes
and keeps the stored state; with the storage down, turns apologize, ``/healthz`` is degraded,
and both recover (the dialog goes on) when it is back."""

from __future__ import annotations

import itertools
import shutil
from typing import Any

import pytest
from azure.core.exceptions import ResourceNotFoundError
from botbuilder.dialogs import ComponentDialog, WaterfallDialog, WaterfallStepContext

from bot.state import NEW_KEY_E_TAG
from bot.state.blob import BlobStateStorage
from dialogs.nlu.i18n import t
from testkit.chat import Chat

_containers = itertools.count()


def blob_settings(make_settings, azurite, **values: Any):
    return make_settings(
        STATE_BACKEND="azure-blob",
        AZURE_STORAGE_CONNECTION_STRING=azurite.connection_string,
        STATE_CONTAINER=f"turns-{next(_containers)}",
        **values,
    )


class OtherReplica:
    """Saves the conversation's state behind the bot's back, as another replica would."""

    def __init__(self, azurite, container: str) -> None:
        self.storage = BlobStateStorage.from_connection_string(azurite.connection_string, container)
        self.saves = 0

    async def bump(self, key: str) -> None:
        item = (await self.storage.read([key])).get(key) or {"e_tag": NEW_KEY_E_TAG}
        item["Turns"] = item.get("Turns", 0) + 100
        await self.storage.write({key: item})
        self.saves += 1


def counting_dialog(other: OtherReplica, interfere: list[bool]):
    """A one-step dialog counting turns in conversation state; while ``interfere`` holds a True,
    each run of the step lets the other replica save first (popping one)."""

    def factory(*, conversation_state: Any, **_: Any) -> Any:
        turns = conversation_state.create_property("Turns")

        class Counting(ComponentDialog):
            def __init__(self) -> None:
                super().__init__("counting")
                self.add_dialog(WaterfallDialog("main", [self.step]))
                self.initial_dialog_id = "main"

            async def step(self, step: WaterfallStepContext) -> Any:
                count = (await turns.get(step.context) or 0) + 1
                await turns.set(step.context, count)
                await step.context.send_activity(f"turn {count}")
                if interfere and interfere.pop(0):
                    await other.bump(conversation_state.get_storage_key(step.context))
                return await step.end_dialog()

        return Counting()

    return factory


async def _stored_turns(other: OtherReplica, key: str) -> int:
    return (await other.storage.read([key]))[key]["Turns"]


async def test_a_turn_that_loses_the_race_runs_again_on_fresh_state_and_speaks_once(
    start_app, make_settings, azurite, connector, h
):
    settings = blob_settings(make_settings, azurite)
    other = OtherReplica(azurite, settings.STATE_CONTAINER)
    interfere: list[bool] = []
    client = await start_app(settings, root_dialog=counting_dialog(other, interfere), scheduler=False)
    try:
        activity = h.activity("hi", expect_replies=False, service_url=connector.url)
        key = f"msteams/conversations/{activity['conversation']['id']}"
        assert (await h.post(client, activity)).status == 201
        assert connector.texts() == ["turn 1"]

        interfere[:] = [True]  # the first run of the next turn loses; the re-run does not
        assert (
            await h.post(client, h.activity("again", expect_replies=False, service_url=connector.url))
        ).status == 201
        assert other.saves == 1
        # Said once, from the state the other replica saved (1 + 100), not "turn 2" then "turn 102".
        assert connector.texts() == ["turn 1", "turn 102"]
        assert await _stored_turns(other, key) == 102
    finally:
        await other.storage.close()


async def test_a_turn_that_loses_twice_apologizes_and_keeps_the_stored_state(start_app, make_settings, azurite, h):
    settings = blob_settings(make_settings, azurite)
    other = OtherReplica(azurite, settings.STATE_CONTAINER)
    interfere: list[bool] = []
    client = await start_app(settings, root_dialog=counting_dialog(other, interfere), scheduler=False)
    try:
        activity = h.activity("hi")
        key = f"msteams/conversations/{activity['conversation']['id']}"
        assert h.texts(await h.replies(client, activity)) == ["turn 1"]
        interfere[:] = [True, True]
        replies = await h.replies(client, h.activity("again"))
        assert h.texts(replies) == [t("en", "host.apology")]  # no "turn 2" / "turn 102" before it
        assert other.saves == 2
        assert await _stored_turns(other, key) == 201  # the other replica's save, not cleared
        interfere.clear()
        assert h.texts(await h.replies(client, h.activity("and again"))) == ["turn 202"]
    finally:
        await other.storage.close()


async def test_a_new_conversation_started_by_two_replicas_at_once_is_not_overwritten(
    start_app, make_settings, azurite, h
):
    """The first save of a new conversation is If-None-Match: *: the other replica created it
    first, so this turn re-runs on its state instead of overwriting it."""
    settings = blob_settings(make_settings, azurite)
    other = OtherReplica(azurite, settings.STATE_CONTAINER)
    client = await start_app(settings, root_dialog=counting_dialog(other, [True]), scheduler=False)
    try:
        activity = h.activity("hi", conversation={"conversationType": "personal", "id": "a:brand-new"})
        assert h.texts(await h.replies(client, activity)) == ["turn 101"]
    finally:
        await other.storage.close()


async def test_with_the_storage_down_turns_apologize_and_healthz_is_degraded_then_both_recover(
    start_app, make_settings, own_azurite, demo_store_dir, data_dir, h
):
    shutil.copytree(demo_store_dir, data_dir / "store")
    client = await start_app(blob_settings(make_settings, own_azurite), scheduler=False)
    chat = Chat(client, h, conversation_id="a:outage")
    await chat.say("which plan should we buy?")
    assert (await chat.say("France"))[-1]["said"] == t("en", "prompt.users_in", country="France")
    response = await client.get("/healthz")
    assert response.status == 200 and (await response.json())["state"] is True

    own_azurite.stop()
    try:
        replies = await chat.say("40")
        assert [r["said"] for r in replies] == [t("en", "host.apology")]
        response = await client.get("/healthz")
        body = await response.json()
        assert response.status == 503 and body["status"] == "degraded" and body["state"] is False
        assert "bot state storage (Azure Blob) cannot be reached" in body["reason"]
    finally:
        own_azurite.start()

    response = await client.get("/healthz")
    assert response.status == 200 and (await response.json())["status"] == "ok"
    # Nothing was cleared or overwritten: the purchase goes on where it was.
    assert (await chat.say("40"))[-1]["said"] == t("en", "prompt.international", countries="France")


async def test_the_app_closes_the_blob_client_on_cleanup(start_app, make_settings, azurite, h):
    from bot.app import STORAGE_KEY

    client = await start_app(blob_settings(make_settings, azurite), scheduler=False)
    storage = client.server.app[STORAGE_KEY]
    assert isinstance(storage, BlobStateStorage)
    await h.replies(client, h.activity("help"))
    transport = storage.container._pipeline._transport
    assert transport.session is not None and not transport.session.closed
    await client.close()
    assert transport.session is None or transport.session.closed


async def test_the_container_is_created_at_start_up(start_app, make_settings, azurite):
    settings = blob_settings(make_settings, azurite)
    probe = BlobStateStorage.from_connection_string(azurite.connection_string, settings.STATE_CONTAINER)
    try:
        with pytest.raises(ResourceNotFoundError):
            await probe.container.get_container_properties()
        await start_app(settings, scheduler=False)
        assert (await probe.container.get_container_properties()).name == settings.STATE_CONTAINER
    finally:
        await probe.close()
