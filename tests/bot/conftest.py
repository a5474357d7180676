"""Fixtures for the host tests: settings over a temporary DATA_DIR, the real app factory behind
aiohttp's test server, a fake Bot Connector on 127.0.0.1, and Teams-shaped activities."""

from __future__ import annotations

import itertools
import shutil
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from botbuilder.core import StoreItem
from botbuilder.dialogs import DialogInstance, DialogState
from hypothesis import strategies as st

from bench.fake_connector import FakeConnector as BaseFakeConnector
from bot.app import create_app
from bot.config import Settings, environment_names
from dialogs.nlu import entities
from knowledge.store import Store
from knowledge.store.demo import load_demo
from testkit.cards import shown_once
from testkit.clock import DEMO_CLOCK, DEMO_NOW

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT_ID = "28:c9e8c047-2a74-40a2-b28a-b162d5f5327c"
USER_ID = "29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7me2kHTL3Bw"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's own bot settings must not leak into a test."""
    for name in environment_names():
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def data_dir(tmp_path):
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def make_settings(data_dir) -> Callable[..., Settings]:
    def make(**values: Any) -> Settings:
        values.setdefault("DATA_DIR", data_dir)
        values.setdefault("CALLPLAN_NOW", DEMO_NOW)  # the app's clock: never the wall clock
        return Settings(_env_file=None, **values)

    return make


@pytest.fixture
async def start_app() -> AsyncIterator[Callable[..., Any]]:
    """``await start_app(settings, **create_app_kwargs)`` -> a TestClient; all closed at the end."""
    clients: list[TestClient] = []

    async def start(settings: Settings, **kwargs: Any) -> TestClient:
        client = TestClient(TestServer(create_app(settings, **kwargs)))
        await client.start_server()
        clients.append(client)
        return client

    yield start
    for client in clients:
        await client.close()


@pytest.fixture
async def client(start_app, make_settings) -> TestClient:
    return await start_app(make_settings())


class FakeConnector(BaseFakeConnector):
    """Stands in for the Bot Connector service (:mod:`bench.fake_connector`), reading replies
    as a person sees them."""

    def texts(self) -> list[str | None]:
        return [shown_once(post["activity"]) for post in self.posts]


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = await FakeConnector().start()
    yield fake
    await fake.close()


_ids = itertools.count(1)


def teams_activity(
    text: str | None = "hello",
    *,
    conversation_id: str = "a:1Xo2mmpKDyFAaGRrmDgs5eWdFoUgVw1fVhN8hdG4xR2_MI0KGJMj7pDDiHGQgXtYk",
    conversation_type: str = "personal",
    tenant: str | None = TENANT,
    expect_replies: bool = True,
    service_url: str = "https://smba.trafficmanager.net/emea/",
    **extra: Any,
) -> dict[str, Any]:
    """A message shaped like Teams sends it (~1 KB): ids, tenant in two places, clientInfo."""
    activity: dict[str, Any] = {
        "type": "message",
        "id": f"1700000000{next(_ids):06d}",
        "timestamp": "2026-11-26T12:00:00.000Z",
        "localTimestamp": "2026-11-26T13:00:00.000+01:00",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": USER_ID, "name": "Megan Bowen", "aadObjectId": str(uuid.UUID(int=7))},
        "conversation": {"conversationType": conversation_type, "id": conversation_id},
        "recipient": {"id": BOT_ID, "name": "Calling Plan Assistant"},
        "textFormat": "plain",
        "locale": "en-US",
        "entities": [
            {"locale": "en-US", "country": "US", "platform": "Web", "timezone": "Europe/Paris", "type": "clientInfo"}
        ],
        "channelData": {},
    }
    if text is not None:
        activity["text"] = text
    if tenant is not None:
        activity["conversation"]["tenantId"] = tenant
        activity["channelData"]["tenant"] = {"id": tenant}
    if expect_replies:
        activity["deliveryMode"] = "expectReplies"
    activity.update(extra)
    return activity


async def post(client: TestClient, activity: dict[str, Any], **kwargs: Any):
    return await client.post("/api/messages", json=activity, **kwargs)


async def replies(client: TestClient, activity: dict[str, Any]) -> list[dict[str, Any]]:
    """POST an expectReplies activity and return the bot's replies (asserting a 200)."""
    response = await post(client, activity)
    assert response.status == 200, await response.text()
    body = await response.json()
    return body["activities"]


def texts(activities: list[dict[str, Any]]) -> list[str | None]:
    """What each message says: a text reply's text, a card reply's summary (checked shown once)."""
    return [shown_once(a) for a in activities if a.get("type") == "message"]


class Helpers:
    """The helpers above, as a fixture (test files cannot import conftest in importlib mode)."""

    TENANT = TENANT
    BOT_ID = BOT_ID
    USER_ID = USER_ID
    FakeConnector = FakeConnector
    activity = staticmethod(teams_activity)
    post = staticmethod(post)
    replies = staticmethod(replies)
    texts = staticmethod(texts)


@pytest.fixture
def h() -> type[Helpers]:
    return Helpers


# --- a bot over the demo tenant (conversation and speedup tests) --------------------------------


@pytest.fixture(scope="session")
def demo_store_dir(tmp_path_factory):
    """The demo tenant, imported once through the real importers; tests copy it."""
    path = tmp_path_factory.mktemp("demo")
    load_demo(Store(path, DEMO_CLOCK))
    return path / "store"


@pytest.fixture
def demo_settings(make_settings, data_dir, demo_store_dir):
    shutil.copytree(demo_store_dir, data_dir / "store")
    return make_settings()


@pytest.fixture
async def demo_bot(start_app, demo_settings):
    return await start_app(demo_settings)


# --- random bot-state values, for the property tests of state hashing and storage -------------

# Small alphabets, so that near-identical values (1 / 1.0 / True, [x] / (x,), 1 / "1" keys)
# meet often.
_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1, 2),
    st.sampled_from([0.0, -0.0, 1.0, 2.5]),
    st.text("ab1é", max_size=2),
    st.binary(max_size=2),
)
_keys = st.one_of(st.text("ab1", max_size=2), st.integers(0, 2), st.booleans())
STATE_VALUES = st.recursive(
    _leaves,
    lambda kids: st.one_of(
        st.lists(kids, max_size=3),
        st.lists(kids, max_size=3).map(tuple),
        st.dictionaries(_keys, kids, max_size=3),
        st.sets(st.integers(0, 3), max_size=3),
        # A plain object (dialog state holds objects, not only dicts), importable by name so
        # that jsonpickle can restore it.
        st.builds(lambda a, b: StoreItem(a=a, b=b), kids, kids),
        st.builds(
            lambda stack: DialogState([DialogInstance(f"d{i}", s) for i, s in enumerate(stack)]),
            st.lists(st.dictionaries(st.text("ab", max_size=2), kids, max_size=2), max_size=2),
        ),
    ),
    max_leaves=10,
)


@pytest.fixture(scope="session")
def state_values() -> st.SearchStrategy[Any]:
    """A hypothesis strategy of values a bot keeps in state (draw with ``st.data()``)."""
    return STATE_VALUES


WARM_UP = "what does the Domestic Calling Plan include?"  # dialogs.api.warm_understanding's


@pytest.fixture
def extracted(monkeypatch) -> Counter[str]:
    """The texts ``dialogs.nlu.entities.extract`` is called with, counted."""
    seen: Counter[str] = Counter()
    original = entities.extract

    def counted(text: str) -> entities.Extraction:
        if text != WARM_UP:  # the start-up warm-up may run while a turn does (a loaded machine)
            seen[text] += 1
        return original(text)

    holders = [m for name, m in list(sys.modules.items()) if name.startswith("dialogs") and m is not None]
    patched = [m for m in holders if getattr(m, "extract", None) is original]
    assert entities in patched and len(patched) >= 2  # entities, the recognizer (and dialogs.turn)
    for module in patched:
        monkeypatch.setattr(module, "extract", counted)
    return seen
