"""bot/heap.py: the long-lived heap frozen out of the collector's full passes when the app
starts and after its first turns, put back when it stops; only when asked (``freeze_heap``)."""

from __future__ import annotations

import gc

from bot.app import HEAP_KEY
from bot.heap import FREEZE_AFTER_TURNS, HeapFreezer


def test_freezes_at_start_and_after_the_listed_turns_only():
    calls: list[str] = []
    heap = HeapFreezer(after_turns=(1, 3), freeze=lambda: calls.append("freeze"), unfreeze=lambda: calls.append("un"))
    heap.started()
    for _ in range(5):
        heap.turn_done()
    heap.stopped()
    assert calls == ["freeze", "freeze", "freeze", "un"] and heap.freezes == 3 and heap.turns == 5
    assert tuple(sorted(FREEZE_AFTER_TURNS)) == FREEZE_AFTER_TURNS


async def test_a_serving_app_freezes_its_heap_and_puts_it_back(start_app, make_settings, h):
    gc.unfreeze()
    client = await start_app(make_settings(), freeze_heap=True)
    heap = client.server.app[HEAP_KEY]
    assert heap.freezes == 1 and gc.get_freeze_count() > 0
    assert await h.replies(client, h.activity("help"))
    assert heap.turns == 1 and heap.freezes == 2
    await client.close()
    assert gc.get_freeze_count() == 0


async def test_apps_do_not_freeze_unless_asked(client, h):
    gc.unfreeze()
    assert await h.replies(client, h.activity("help"))
    assert HEAP_KEY not in client.server.app and gc.get_freeze_count() == 0
