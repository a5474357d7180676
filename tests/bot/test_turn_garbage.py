"""Issue 14: a turn's objects are freed by reference counting when the turn ends, not left in
reference cycles for the cyclic garbage collector (:meth:`bot.shared_cards.CardSharingTurnContext._emit`).

Why it matters: every young-generation collection walks what such cycles hold (the turn
context, the activity, the replies and their cards), about one collection every six turns.
Real activities are POSTed to the real app factory over the demo tenant; the collector is off
during the turn and ``gc.DEBUG_SAVEALL`` keeps whatever it then finds unreachable, so each test
sees exactly the cycles the turn left (on main before this change: 44 objects a number check,
the turn context among them).
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from bot.shared_cards import CardSharingTurnContext
from testkit.chat import Chat

#: Where an object the bot made comes from (the test client's own objects are not counted).
OURS = ("bot.", "dialogs.", "knowledge.", "botbuilder.", "botframework.", "msrest.")


@pytest.fixture
def cycles_left() -> Iterator[Callable[[Callable[[], Awaitable[Any]]], Awaitable[Counter[str]]]]:
    """``await cycles_left(turn)``: the types of the objects left in reference cycles by ``turn``."""

    async def measure(turn: Callable[[], Awaitable[Any]]) -> Counter[str]:
        gc.collect()
        gc.disable()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            await turn()
            gc.collect()
            left = Counter(_name(obj) for obj in gc.garbage)
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.enable()
        return left

    yield measure


def _name(obj: Any) -> str:
    kind = type(obj)
    qualname = getattr(obj, "__qualname__", "") if kind.__name__ in ("function", "method") else ""
    return f"{kind.__module__}.{kind.__qualname__} {qualname}".strip()


def _the_bots(left: Counter[str]) -> Counter[str]:
    return Counter({name: n for name, n in left.items() if name.startswith(OURS) or "TurnContext" in name})


@pytest.mark.parametrize(
    "text",
    [
        "can alice.martin@contoso.com call 01 23 45 67 89?",  # the bench's number check (a verdict card)
        "pool balance",  # the pool table (a shared card)
        "help",
        "does E5 include Teams Phone?",
        "combien de minutes reste-t-il dans notre pool ?",
    ],
)
async def test_an_answered_turn_leaves_no_cycle(demo_bot, h, cycles_left, text):
    chat = Chat(demo_bot, h, conversation_id="a:garbage")
    await chat.say(text)  # the first turn loads what later turns reuse
    replies: list[dict[str, Any]] = []

    async def turn() -> None:
        replies.extend(await chat.say(text))

    left = await cycles_left(turn)
    assert replies  # the turn was answered
    assert not _the_bots(left), left.most_common(20)
    assert sum(left.values()) == 0, left.most_common(20)


async def test_a_turn_whose_replies_go_to_the_bot_connector_leaves_no_cycle(
    start_app, demo_settings, h, connector, cycles_left
):
    client = await start_app(demo_settings)
    text = "can alice.martin@contoso.com call 01 23 45 67 89?"
    await h.post(client, h.activity(text, expect_replies=False, service_url=connector.url))
    posted = len(connector.posts)

    async def turn() -> None:
        response = await h.post(client, h.activity(text, expect_replies=False, service_url=connector.url))
        assert response.status == 201

    left = await cycles_left(turn)
    assert len(connector.posts) == posted + 1  # the verdict went to the Bot Connector
    assert not _the_bots(left), left.most_common(20)


async def test_the_sdks_emit_left_the_turn_in_a_cycle(cycles_left):
    """What the override removes, shown on the SDK's own ``TurnContext``: one send keeps the
    context in a cycle (if the SDK stops doing so, this fails and the override can go)."""

    async def send(kind: type[TurnContext]) -> None:
        context = kind(_Adapter(), Activity(type="message", channel_id="test", delivery_mode="expectReplies"))
        await context.send_activity("hi")
        assert [a.text for a in context.buffered_reply_activities] == ["hi"]

    assert any("TurnContext" in name for name in await cycles_left(lambda: send(TurnContext)))
    assert not await cycles_left(lambda: send(CardSharingTurnContext))


async def test_send_handlers_still_run_in_order():
    """With handlers registered, the SDK's chain runs as shipped (our override hands it over)."""
    seen: list[str] = []

    def handler(name: str) -> Callable[..., Awaitable[Any]]:
        async def on_send(context: TurnContext, activities: list[Activity], next_handler: Any) -> Any:
            seen.append(name)
            return await next_handler()

        return on_send

    context = CardSharingTurnContext(
        _Adapter(), Activity(type="message", channel_id="test", delivery_mode="expectReplies")
    )
    context.on_send_activities(handler("first")).on_send_activities(handler("second"))
    await context.send_activity("hi")
    assert seen == ["first", "second"]
    assert [a.text for a in context.buffered_reply_activities] == ["hi"]


class _Adapter:
    """Nothing is sent through it: ``expectReplies`` buffers the replies on the context."""
