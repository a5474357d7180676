"""Fixtures for the dialog tests: the demo tenant in a real store, and a Teams conversation
driven through botbuilder's TestAdapter on channel ``msteams`` (what users see), running the
root dialog the way the host does (``DialogExtensions.run_dialog``, then both states saved)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botbuilder.core import ConversationState, MemoryStorage, Storage, TurnContext, UserState
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import DialogExtensions
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount, ConversationReference

from bot.config import environment_names
from dialogs.root import create_root_dialog
from knowledge.store import DEFAULT_TENANT_ID, AsyncStore, Store
from knowledge.store.demo import load_demo
from testkit.cards import card_texts, shown_once, submits, walk
from testkit.clock import DEMO_CLOCK

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
ADAPTIVE = "application/vnd.microsoft.card.adaptive"


@pytest.fixture
def local_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bot under test (``bot.app.create_app`` over HTTP) runs in local mode: no app id and
    no tenant filter taken from the machine's environment."""
    for name in environment_names():
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    """A DATA_DIR holding the demo tenant (written as real export files, then imported)."""
    path = tmp_path_factory.mktemp("demo-data")
    store = Store(path, DEMO_CLOCK)
    load_demo(store)
    store.close()
    return path


@pytest.fixture
def data_dir(tmp_path, demo_dir) -> Path:
    """A private copy of the demo DATA_DIR (a test may damage or extend it)."""
    path = tmp_path / "data"
    shutil.copytree(demo_dir / "store", path / "store")
    return path


@pytest.fixture
def store(data_dir) -> Iterator[AsyncStore]:
    async_store = AsyncStore(data_dir, DEMO_CLOCK)
    yield async_store
    async_store.close()


@pytest.fixture
def demo_users(demo_dir):
    return Store(demo_dir, DEMO_CLOCK).users(DEFAULT_TENANT_ID)


class Conversation:
    """One Teams conversation with the root dialog; ``send`` returns the turn's replies."""

    def __init__(
        self,
        storage: Storage,
        *,
        store: Any = None,
        tenant_fallback: str | None = None,
        conversation_id: str = "a:conversation-1",
        tenant: str | None = TENANT,
    ) -> None:
        self.storage = storage
        self.conversation_state = ConversationState(storage)
        self.user_state = UserState(storage)
        self.dialog = create_root_dialog(
            conversation_state=self.conversation_state,
            user_state=self.user_state,
            store=store,
            tenant_fallback=tenant_fallback,
        )
        self.dialog_state = self.conversation_state.create_property("DialogState")
        self.tenant = tenant
        reference = ConversationReference(
            channel_id="msteams",
            service_url="https://smba.trafficmanager.net/emea/",
            conversation=ConversationAccount(id=conversation_id, conversation_type="personal"),
            user=ChannelAccount(id="29:admin", name="Megan Bowen"),
            bot=ChannelAccount(id="28:bot", name="Calling Plan Assistant"),
        )
        self.adapter = TestAdapter(self._turn, reference)

    async def _turn(self, context: TurnContext) -> None:
        await DialogExtensions.run_dialog(self.dialog, context, self.dialog_state)
        await self.conversation_state.save_changes(context)
        await self.user_state.save_changes(context)

    async def send(self, text: str | None = None, *, value: Any = None, locale: str = "en-US") -> list[Activity]:
        activity = Activity(
            type=ActivityTypes.message,
            text=text,
            value=value,
            locale=locale,
            channel_data={"tenant": {"id": self.tenant}} if self.tenant else {},
        )
        await self.adapter.receive_activity(activity)
        replies = []
        while (reply := self.adapter.get_next_activity()) is not None:
            # What Teams users see: every reply says something, once (a card has no text beside
            # it), and every attachment is an Adaptive Card (ChoicePrompt's Hero cards with
            # imBack buttons never reach the Agents Playground).
            said = shown_once(reply)
            assert said and said.strip(), reply
            assert all(a.content_type == ADAPTIVE for a in reply.attachments or []), reply.attachments
            replies.append(reply)
        return replies

    async def click(self, value: Any, *, locale: str = "en-US") -> list[Activity]:
        """A click on a question's button: ``{"value": value}`` and no text."""
        return await self.send(value={"value": value}, locale=locale)


def texts(replies: list[Activity]) -> list[str]:
    """What each message says: a text reply's text, a card reply's summary (checked shown once)."""
    return [said for r in replies if r.type == ActivityTypes.message and (said := shown_once(r))]


def cards(replies: list[Activity]) -> list[dict]:
    found = []
    for reply in replies:
        for attachment in reply.attachments or []:
            assert attachment.content_type == ADAPTIVE, f"not an Adaptive Card: {attachment.content_type}"
            found.append(attachment.content)
    return found


class Helpers:
    """The helpers above as a fixture (importlib mode: test files cannot import conftest)."""

    TENANT = TENANT
    Conversation = Conversation
    texts = staticmethod(texts)
    cards = staticmethod(cards)
    submits = staticmethod(submits)
    card_texts = staticmethod(card_texts)
    walk = staticmethod(walk)
    said = staticmethod(shown_once)


@pytest.fixture
def h() -> type[Helpers]:
    return Helpers


@pytest.fixture
def memory() -> MemoryStorage:
    return MemoryStorage()


@pytest.fixture
def talk(memory, store):
    """A conversation whose tenant is not in the store: local mode serves the demo tenant."""
    return Conversation(memory, store=store, tenant_fallback=DEFAULT_TENANT_ID)
