"""Messages answered at once without the SDK's dialog stack (``CallingPlanBot._answered_at_once``,
``RootDialog.answer_at_once``): the same replies and the same stored state as through
``run_dialog``, over real HTTP into two apps side by side (``one_shot_turns`` on and off), each
over its own copy of the demo tenant."""

from __future__ import annotations

import copy
import shutil
from typing import Any

import pytest
from botbuilder.dialogs import DialogExtensions
from botbuilder.dialogs.memory import DialogStateManager

from bot.app import STORAGE_KEY
from bot.state.codec import encode, flatten
from bot.teams_bot import CallingPlanBot
from dialogs.nlu.i18n import t
from dialogs.root import RootDialog

#: A conversation's messages: one-shot turns (help, lookups, a question of fact, follow-ups,
#: an acknowledgement, a stale click, a number check the message completes, French), dialogs
#: begun by routing (a number check with a question left, a purchase), answered, interrupted
#: and cancelled.
SCRIPT: list[dict[str, Any]] = [
    {"text": "help"},
    {"text": "pool balance"},
    {"text": "and for alice?"},
    {"text": "who are our users?"},
    {"text": "do we need Teams Phone with E5?"},
    {"text": "thanks"},
    {"text": None, "value": {"value": "France"}},  # a click on a question no longer open
    {"text": "can alice.martin@contoso.com call 01 23 45 67 89?"},
    {"text": "and Belgium?"},
    {"text": "can we call +44 20 7946 0958?"},  # who calls from where: asked
    {"text": "France"},
    {"text": "cancel"},
    {"text": "which calling plan should we buy?"},
    {"text": "France"},
    {"text": "pool balance"},  # answered aside, mid-purchase
    {"text": "cancel"},
    {"text": "quel est le solde du pool ?"},
    {"text": "blorp"},
]

#: The messages of :data:`SCRIPT` that begin a dialog or answer one: only these need the stack.
STACKED = [
    "can we call +44 20 7946 0958?",
    "France",
    "cancel",
    "which calling plan should we buy?",
    "France",
    "pool balance",
    "cancel",
]


@pytest.fixture
async def twin_apps(start_app, make_settings, tmp_path, demo_store_dir):
    """(the app with one-shot turns, the app that runs every message through run_dialog)."""
    apps = []
    for name, one_shot in (("one-shot", True), ("dialog-stack", False)):
        data = tmp_path / name
        shutil.copytree(demo_store_dir, data / "store")
        apps.append(await start_app(make_settings(DATA_DIR=data), one_shot_turns=one_shot))
    return apps


@pytest.fixture
def run_dialog_calls(monkeypatch) -> list[str]:
    """The text of each message that went through the dialog stack (``run_dialog`` or its lean
    run, ``CallingPlanBot._run_dialog_stack``)."""
    calls: list[str] = []
    real = CallingPlanBot._run_dialog_stack

    async def counting(self, turn_context):
        calls.append(turn_context.activity.text or "")
        return await real(self, turn_context)

    monkeypatch.setattr(CallingPlanBot, "_run_dialog_stack", counting)
    return calls


@pytest.fixture
def snapshots(monkeypatch) -> list[str]:
    """The channel of each turn ``run_dialog`` built its "Bot State" snapshot trace for."""
    built: list[str] = []
    real = DialogExtensions._send_state_snapshot_trace

    async def counting(dialog_context):
        built.append(dialog_context.context.activity.channel_id)
        return await real(dialog_context)

    monkeypatch.setattr(DialogExtensions, "_send_state_snapshot_trace", staticmethod(counting))
    return built


async def _stored(client, keys: list[str]) -> dict[str, Any]:
    """Each key's stored state as a key file holds it (jsonpickle's JSON), without its e_tag and
    with each waterfall's ``instanceId`` (a new uuid1 per dialog begun) masked."""
    items = await client.app[STORAGE_KEY].read(keys)
    return {
        key: _masked(flatten(encode({k: v for k, v in item.items() if k != "e_tag"}))) for key, item in items.items()
    }


def _masked(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "<uuid>" if k == "instanceId" else _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def _without_ids(replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in reply.items() if k not in ("id", "timestamp")} for reply in replies]


async def test_one_shot_turns_answer_and_store_what_the_dialog_stack_does(twin_apps, run_dialog_calls, h):
    one_shot, stacked = twin_apps
    keys = [f"msteams/conversations/{h.activity()['conversation']['id']}", f"msteams/users/{h.USER_ID}"]
    stacked_turns = []
    for step in SCRIPT:
        activity = h.activity(step["text"], **({"value": step["value"]} if "value" in step else {}))
        before = len(run_dialog_calls)
        fast = await h.replies(one_shot, copy.deepcopy(activity))
        if len(run_dialog_calls) > before:
            stacked_turns.append(step["text"])
        before = len(run_dialog_calls)
        slow = await h.replies(stacked, copy.deepcopy(activity))
        assert len(run_dialog_calls) == before + 1  # the baseline runs every message through the stack
        assert fast and _without_ids(fast) == _without_ids(slow), step
        assert await _stored(one_shot, keys) == await _stored(stacked, keys), step
    # Only messages that begin or continue a dialog went through the stack on the one-shot app.
    assert stacked_turns == STACKED


async def test_a_first_message_answered_at_once_leaves_the_dialog_state_run_dialog_leaves(twin_apps, h):
    one_shot, stacked = twin_apps
    conversation = "a:first-turn"
    key = f"msteams/conversations/{conversation}"
    activity = h.activity("pool balance", conversation_id=conversation)
    assert h.texts(await h.replies(one_shot, dict(activity))) == h.texts(await h.replies(stacked, dict(activity)))
    fast, slow = (await _stored(one_shot, [key]))[key], (await _stored(stacked, [key]))[key]
    assert fast == slow
    assert "DialogState" in fast and "LastAnswer" in fast  # an empty stack, and the question remembered


async def test_a_check_answered_at_once_carries_its_context_to_the_next_turn(
    demo_bot, run_dialog_calls, h, monkeypatch
):
    """A number check the message completes is answered without the stack and remembered:
    "and for bob?" then re-asks it, a dialog the stack begins without routing the message twice."""
    routed: list[str] = []
    real_route = RootDialog.route

    async def counting_route(self, context):
        routed.append(context.activity.text)
        return await real_route(self, context)

    monkeypatch.setattr(RootDialog, "route", counting_route)
    first = await h.replies(demo_bot, h.activity("can alice.martin@contoso.com call 01 23 45 67 89?"))
    assert any(r.get("attachments") for r in first)  # the verdict card
    assert run_dialog_calls == []
    assert h.texts(await h.replies(demo_bot, h.activity("and for bob?")))
    assert run_dialog_calls == ["and for bob?"]
    assert routed == ["can alice.martin@contoso.com call 01 23 45 67 89?", "and for bob?"]


async def test_the_emulator_still_gets_the_dialog_state_trace(demo_bot, run_dialog_calls, h):
    """The Emulator is sent the "Bot State" snapshot run_dialog makes: its turns keep the stack."""
    replies = await h.replies(demo_bot, h.activity("help", channelId="emulator"))
    assert [r["label"] for r in replies if r["type"] == "trace"] == ["Bot State"]
    assert h.texts(replies) == [t("en", "welcome.text")]
    assert run_dialog_calls == ["help"]
    teams = await h.replies(demo_bot, h.activity("help"))
    assert [r for r in teams if r["type"] == "trace"] == [] and h.texts(teams) == [t("en", "welcome.text")]
    assert run_dialog_calls == ["help"]


async def test_a_dialog_step_builds_no_snapshot_trace_outside_the_emulator(demo_bot, twin_apps, snapshots, h):
    """The lean run (``CallingPlanBot._lean_run``) builds no "Bot State" snapshot for a Teams
    turn (nobody receives it); ``run_dialog`` still does for the Emulator, and for every turn of
    the baseline app (``one_shot_turns=False``), whose replies the twin test compares."""
    for text in ("which calling plan should we buy?", "France", "40"):
        assert h.texts(await h.replies(demo_bot, h.activity(text)))
    assert snapshots == []
    emulator = await h.replies(demo_bot, h.activity("which calling plan should we buy?", channelId="emulator"))
    assert [r["label"] for r in emulator if r["type"] == "trace"] == ["Bot State"]
    assert snapshots == ["emulator"]
    assert h.texts(await h.replies(twin_apps[1], h.activity("which calling plan should we buy?")))
    assert snapshots == ["emulator", "msteams"]


async def test_a_dialog_step_walks_no_memory_scopes(demo_bot, twin_apps, monkeypatch, h):
    """The lean run does not load and save the dialog memory's scopes around a Teams dialog
    step (none holds a state in this host: the turn loads and saves both states itself), and
    the step still goes on from the last one's saved state; ``run_dialog`` (the baseline app)
    still walks them."""
    walked: list[str] = []
    real_load, real_save = DialogStateManager.load_all_scopes, DialogStateManager.save_all_changes

    async def load(self: DialogStateManager) -> None:
        walked.append("load")
        await real_load(self)

    async def save(self: DialogStateManager) -> None:
        walked.append("save")
        await real_save(self)

    monkeypatch.setattr(DialogStateManager, "load_all_scopes", load)
    monkeypatch.setattr(DialogStateManager, "save_all_changes", save)
    for text in ("which calling plan should we buy?", "France", "40"):
        assert h.texts(await h.replies(demo_bot, h.activity(text)))
    summary = await h.replies(demo_bot, h.activity("yes"))  # the purchase ends with its summary card
    assert [r for r in summary if r.get("attachments")]
    assert walked == []
    assert h.texts(await h.replies(twin_apps[1], h.activity("which calling plan should we buy?")))
    assert walked == ["load", "save"]
