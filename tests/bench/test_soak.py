"""The soak benchmark's own logic: its duration setting, its mix of conversations, and that a
reply carrying the host's apology counts as an error (a 200 is not enough)."""

from __future__ import annotations

from bench.bench_soak import CONVERSATIONS, QUICK_SECONDS, Rotate, Watched, scripts, soak_seconds
from bench.loadgen import DialogWalk, Repeat


def test_the_duration_comes_from_soak_seconds(monkeypatch):
    monkeypatch.delenv("SOAK_SECONDS", raising=False)
    assert soak_seconds() == 300
    monkeypatch.setenv("SOAK_SECONDS", "42.5")
    assert soak_seconds() == 42.5
    assert soak_seconds(quick=True) == QUICK_SECONDS


def test_the_mix_is_32_conversations_of_four_kinds_each_measured():
    made = scripts("Sorry")
    assert len(made) == CONVERSATIONS
    kinds = [type(w.inner) for w in made]
    assert kinds.count(Repeat) == 8 and kinds.count(Rotate) == 8 and kinds.count(DialogWalk) == 16
    conversations = set()
    for w in made:
        assert isinstance(w.inner, Repeat | Rotate | DialogWalk)
        conversations.add(w.inner.conversation)
    assert len(conversations) == CONVERSATIONS
    assert all(measured for w in made for measured in [w.next_activity(1)[1]])  # every turn timed


def test_an_apology_in_a_reply_is_counted():
    rotate = Rotate("a:x", offset=0)
    watched = Watched(rotate, "Sorry, something went wrong")
    watched.replies([{"type": "message", "text": "Here is the pool."}], True)
    watched.replies([{"type": "message", "text": "Sorry, something went wrong on my side."}], True)
    assert watched.apologies == 1 and rotate.answered == 2


def test_rotate_includes_a_stale_card_click():
    rotate = Rotate("a:y", offset=0)
    activities = [rotate.next_activity(n)[0] for n in range(6)]
    assert any(a.get("value") == {"value": "E5"} and not a.get("text") for a in activities)
    assert len({a.get("text") for a in activities}) == 6
