"""The turn speedups of ``bot/speedups.py``: each is applied by the app factory, is idempotent,
and gives what the SDK as shipped gives.

* state change detection (pickle): every change the SDK's jsonpickle hash sees is still seen
  (property test over random states and random mutations), and the real bot writes the same
  states on the same turns as the SDK as shipped;
* msrest ``serialize_object`` / ``_serialize`` fast paths: output identical to msrest's, types,
  key order and all (property tests, plus models with flattened keys, read-only attributes,
  additional properties, XML);
* ``send_activities``' copy: the same structure, types and sharing as ``copy.deepcopy``, and
  the caller's activity is still never touched;
* end to end over HTTP: a conversation (guided purchase clicked through, pool lookup, help)
  gets byte-identical replies and the same state writes with and without the patches.

"Without the patches" is the SDK's own code: the ``sdk_as_shipped`` context puts back the
functions the patches replaced (each patch keeps a reference to what it replaced).
"""
from __future__ import annotations

import contextlib
import copy
import datetime
import decimal
import enum
import json
import pickle
import shutil
from collections.abc import Iterator
from typing import Any

import botbuilder.core.turn_context as turn_context_module
import pytest
from botbuilder.core import StoreItem, TurnContext
from botbuilder.core.bot_state import CachedBotState
from botbuilder.dialogs import DialogInstance, DialogState
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    CardAction,
    ChannelAccount,
    ConversationAccount,
    DeliveryModes,
    Entity,
    ExpectedReplies,
    SuggestedActions,
)
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from msrest.exceptions import SerializationError
from msrest.serialization import Model, Serializer

from bot.app import create_app
from bot.speedups import (
    apply_msrest_model_patch,
    apply_msrest_object_patch,
    apply_send_copy_patch,
    apply_state_hash_patch,
    apply_turn_patches,
    deepcopy_activity,
)
from bot.state import TinyDBStorage
from dialogs.root import apology_text

PROPERTY = hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- the SDK as shipped ---------------------------------------------------------------------------


def _originals() -> dict[tuple[Any, str], Any]:
    """(owner, attribute) -> the SDK's own function that a patch replaced."""
    apply_turn_patches()
    return {
        (CachedBotState, "compute_hash"): CachedBotState.compute_hash.sdk_hash,  # set by bot.speedups (like .original below)
        (Serializer, "serialize_object"): Serializer.serialize_object.original,  # type: ignore[attr-defined]
        (Serializer, "_serialize"): Serializer._serialize.original,  # type: ignore[attr-defined]
        (turn_context_module, "deepcopy"): copy.deepcopy,
    }


@contextlib.contextmanager
def sdk_as_shipped() -> Iterator[None]:
    """Inside: the SDK's own code wherever patches 4-6 replaced it; outside: patched again."""
    with pytest.MonkeyPatch.context() as mp:
        for (owner, name), original in _originals().items():
            mp.setattr(owner, name, original)
        yield


# --- the patches are applied, once ------------------------------------------------------------


def test_the_app_factory_applies_every_turn_patch(make_settings):
    with sdk_as_shipped():
        assert not getattr(CachedBotState.compute_hash, "pickle_hash", False)
        create_app(make_settings())
        assert CachedBotState.compute_hash.pickle_hash
        assert Serializer.serialize_object.json_fast_path  # type: ignore[attr-defined]  # set by bot.speedups
        assert Serializer._serialize.json_fast_path  # type: ignore[attr-defined]
        assert turn_context_module.deepcopy is deepcopy_activity


def test_speedups_false_applies_none_of_them(make_settings):
    with sdk_as_shipped():
        create_app(make_settings(), speedups=False)
        assert not getattr(CachedBotState.compute_hash, "pickle_hash", False)
        assert not getattr(Serializer.serialize_object, "json_fast_path", False)
        assert not getattr(Serializer._serialize, "json_fast_path", False)
        assert turn_context_module.deepcopy is copy.deepcopy


@pytest.mark.parametrize(
    "apply, patched",
    [
        (apply_state_hash_patch, lambda: CachedBotState.compute_hash),
        (apply_msrest_object_patch, lambda: Serializer.serialize_object),
        (apply_msrest_model_patch, lambda: Serializer._serialize),
        (apply_send_copy_patch, lambda: turn_context_module.deepcopy),
    ],
)
def test_each_patch_is_idempotent(apply, patched):
    with sdk_as_shipped():
        assert apply() is True
        first = patched()
        assert apply() is False
        assert patched() is first  # not wrapped twice


# --- 4. state change detection ------------------------------------------------------------------


def sdk_hash(state: Any) -> Any:
    return _originals()[CachedBotState, "compute_hash"](CachedBotState.__new__(CachedBotState), state)


def fast_hash(state: Any) -> Any:
    apply_state_hash_patch()
    return CachedBotState.compute_hash(CachedBotState.__new__(CachedBotState), state)


def _slots(value: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) whose value can be replaced, depth first."""
    found: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in list(node):
                found.append((node, key))
                walk(node[key])
        elif isinstance(node, list):
            for index, item in enumerate(node):
                found.append((node, index))
                walk(item)
        elif isinstance(node, DialogState):
            found.append((node, "_dialog_stack"))
            for instance in node.dialog_stack:
                found.append((instance, "state"))
                walk(instance.state)
        elif isinstance(node, StoreItem):
            found.extend([(node, "a"), (node, "b")])
            walk(node.a)
            walk(node.b)

    walk(value)
    return found


@PROPERTY
@given(data=st.data())
def test_every_change_the_sdk_hash_sees_the_pickle_hash_sees(data, state_values):
    state = {"root": data.draw(state_values)}
    before_sdk, before_fast = sdk_hash(state), fast_hash(state)
    assert fast_hash(copy.deepcopy(state)) == before_fast  # an equal state: no spurious write
    slots = _slots(state)
    owner, key = slots[data.draw(st.integers(0, len(slots) - 1))]
    new_value = data.draw(state_values)
    if isinstance(owner, (dict, list)):
        owner[key] = new_value
    else:
        setattr(owner, key, new_value if key != "_dialog_stack" else [DialogInstance("x", {"v": new_value})])
    if sdk_hash(state) != before_sdk:
        assert fast_hash(state) != before_fast


@pytest.mark.parametrize(
    "before, after",
    [
        ([1], (1,)),  # a list became a tuple
        (1, 1.0),
        (1, True),
        (0.0, -0.0),
        ({"1": "a"}, {1: "a"}),  # jsonpickle's own hash cannot tell these apart; pickle can
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}),  # key order is part of the stored JSON
        ("a", "a "),
    ],
)
def test_pickle_hash_tells_near_identical_values_apart(before, after):
    assert fast_hash({"v": before}) != fast_hash({"v": after})


def test_a_state_pickle_cannot_encode_falls_back_to_the_sdk_hash():
    state = {"callback": lambda: None, "n": 1}
    first = fast_hash(state)
    assert isinstance(first, str) and first == sdk_hash(state)
    state["n"] = 2
    assert fast_hash(state) != first


async def test_state_hash_no_longer_runs_jsonpickle_on_the_event_loop(demo_bot, h, monkeypatch):
    """With the patch a turn never needs ``jsonpickle.Pickler`` for change detection (the
    storage still uses it, off the loop, to write the file)."""
    import botbuilder.core.bot_state as bot_state

    class Refuse:
        def flatten(self, *_: Any, **__: Any) -> Any:
            raise AssertionError("the SDK's jsonpickle hash ran")

    monkeypatch.setattr(bot_state, "Pickler", Refuse)
    replies = await h.replies(demo_bot, h.activity("which calling plan should we buy?"))
    assert replies and apology_text("en-US") not in [r.get("text") for r in replies]


# --- 5. msrest fast paths -----------------------------------------------------------------------


class Colour(str, enum.Enum):  # noqa: UP042 - the (str, Enum) mixin is the shape the SDK models use
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


class Tag(str):
    """A str subclass: msrest turns it into str(value), the fast path must not pass it as is."""


def exact(value: Any) -> Any:
    """A comparable picture of a value with every type and every dict's key order."""
    if isinstance(value, dict):
        return ("dict", type(value).__name__, [(exact(k), exact(v)) for k, v in value.items()])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [exact(v) for v in value])
    if isinstance(value, Model):
        return ("model", type(value).__name__, exact(vars(value)))
    return (type(value).__name__, repr(value))


def outcome(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """``exact`` of what ``fn`` returns, or the type of what it raises (msrest raises on some
    values, e.g. an enum of the models' own module: the fast path must raise the same)."""
    try:
        return exact(fn(*args, **kwargs))
    except Exception as exc:  # compared, not swallowed
        return ("raised", type(exc).__name__)


_json_leaves = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False), st.text(max_size=4),
)
_odd_leaves = st.one_of(
    st.just(Colour.RED), st.just(Level.HIGH), st.builds(Tag, st.text(max_size=3)),
    st.just(ActivityTypes.message), st.just(datetime.datetime(2026, 11, 26, 12, 0, tzinfo=datetime.UTC)),
    st.just(datetime.date(2026, 1, 2)), st.just(decimal.Decimal("1.5")), st.just(b"x"),
    st.builds(ChannelAccount, id=st.text(max_size=3), name=st.text(max_size=3)),
)
json_like = st.recursive(
    st.one_of(_json_leaves, _odd_leaves),
    lambda kids: st.one_of(
        st.lists(kids, max_size=4),
        st.lists(kids, max_size=3).map(tuple),
        st.dictionaries(st.one_of(st.text(max_size=3), st.integers(0, 3), st.booleans(), st.none()), kids, max_size=4),
    ),
    max_leaves=25,
)


@PROPERTY
@given(json_like)
def test_serialize_object_fast_path_returns_what_msrest_returns(value):
    apply_turn_patches()
    serializer = Serializer(Activity._infer_class_models())
    stock = outcome(Serializer.serialize_object.original, serializer, value)  # type: ignore[attr-defined]
    assert outcome(serializer.serialize_object, value) == stock
    assert outcome(serializer.serialize_object, value, keep_readonly=True) == stock


_activities = st.builds(
    Activity,
    type=st.sampled_from(["message", ActivityTypes.message, ActivityTypes.invoke]),
    id=st.one_of(st.none(), st.text(max_size=5)),
    text=st.one_of(st.none(), st.text(max_size=8)),
    locale=st.sampled_from([None, "en-US", "fr-FR"]),
    timestamp=st.one_of(st.none(), st.just(datetime.datetime(2026, 11, 26, 12, tzinfo=datetime.UTC))),
    from_property=st.one_of(st.none(), st.builds(ChannelAccount, id=st.text(max_size=4), name=st.text(max_size=4))),
    conversation=st.one_of(st.none(), st.builds(ConversationAccount, id=st.text(max_size=4), is_group=st.booleans())),
    attachments=st.one_of(st.none(), st.lists(st.builds(
        Attachment, content_type=st.just("application/vnd.microsoft.card.adaptive"), content=json_like), max_size=2)),
    entities=st.one_of(st.none(), st.lists(st.builds(Entity, type=st.text(max_size=4)), max_size=2)),
    channel_data=json_like,
    value=json_like,
    suggested_actions=st.one_of(st.none(), st.builds(
        SuggestedActions, actions=st.lists(st.builds(CardAction, type=st.just("imBack"), title=st.text(max_size=3),
                                                     value=json_like), max_size=2))),
)


@PROPERTY
@given(st.lists(_activities, min_size=1, max_size=3))
def test_activities_serialize_exactly_as_with_msrest_alone(activities):
    with sdk_as_shipped():
        stock = outcome(ExpectedReplies(activities=activities).serialize)
        stock_single = outcome(activities[0].serialize, keep_readonly=True)
    apply_turn_patches()
    assert outcome(ExpectedReplies(activities=activities).serialize) == stock
    assert outcome(activities[0].serialize, keep_readonly=True) == stock_single


class Flattened(Model):
    """Shapes botbuilder's models do not use but msrest supports: flattened keys, a read-only
    attribute, additional properties in the middle of the map, a key another attribute fills."""

    size: int | None  # set in __init__ (one test deletes it)

    _attribute_map = {  # noqa: RUF012 - msrest reads it as an instance attribute (Model declares it so)
        "name": {"key": "properties.name", "type": "str"},
        "additional_properties": {"key": "", "type": "{object}"},
        "size": {"key": "properties.size", "type": "int"},
        "rid": {"key": "id", "type": "str"},
        "kind": {"key": "kind", "type": "str"},
        "also_kind": {"key": "kind", "type": "str"},
        "dotted": {"key": "a\\.b", "type": "str"},
    }
    _validation = {"rid": {"readonly": True}}  # noqa: RUF012 - as _attribute_map

    def __init__(self, **kwargs: Any) -> None:
        super().__init__()
        for name in self._attribute_map:
            if name != "additional_properties":
                setattr(self, name, kwargs.get(name))
        self.additional_properties = kwargs.get("additional_properties")  # type: ignore[assignment]  # None: none


@pytest.mark.parametrize("keep_readonly", [False, True])
@pytest.mark.parametrize(
    "model",
    [
        Flattened(name="n", size=3, rid="r", kind="k", also_kind="other", dotted="d",
                  additional_properties={"kind": "x", "z": 1}),
        Flattened(size=0, additional_properties={"properties": {"name": "from extra"}}),
        Flattened(name="only"),
        Flattened(kind="k", additional_properties=None),
    ],
)
def test_models_with_flattened_keys_read_only_and_extra_properties(model, keep_readonly):
    with sdk_as_shipped():
        stock = model.serialize(keep_readonly=keep_readonly)
    assert exact(model.serialize(keep_readonly=keep_readonly)) == exact(stock)


def test_a_model_missing_an_attribute_fails_the_same_way():
    broken = Flattened(name="n")
    del broken.size
    with sdk_as_shipped(), pytest.raises(SerializationError) as stock:
        broken.serialize()
    with pytest.raises(SerializationError) as fast:
        broken.serialize()
    assert str(fast.value).split("\n")[0] == str(stock.value).split("\n")[0]


def test_the_model_fast_path_skips_empty_attributes(monkeypatch):
    """msrest serializes all 43 attributes of an Activity, raising and catching a ValueError
    for each empty one; the fast path only visits the ones that are set."""
    apply_turn_patches()
    calls = []
    original = Serializer.serialize_data

    def counting(self, data, data_type, **kwargs):
        calls.append(data_type)
        return original(self, data, data_type, **kwargs)

    monkeypatch.setattr(Serializer, "serialize_data", counting)
    activity = Activity(type="message", text="hello")
    assert activity.serialize() == {"type": "message", "text": "hello"}
    assert calls == ["str", "str"]


def test_the_object_fast_path_does_not_walk_plain_json_through_msrest(monkeypatch):
    apply_turn_patches()
    seen: list[Any] = []
    def spy(cls: Any, data: Any) -> str:
        seen.append(data)
        return str(data)

    monkeypatch.setattr(Serializer, "serialize_unicode", classmethod(spy))
    card = {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": f"row {i}"} for i in range(50)]}
    body = Activity(attachments=[Attachment(content_type="application/json", content=card)]).serialize()
    assert body["attachments"][0]["content"] == card
    assert not any(str(s).startswith("row") for s in seen)


# --- 6. copying replies ---------------------------------------------------------------------------


def _children(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return list(node.values())
    if isinstance(node, Model):
        return list(vars(node).values())
    return list(node)


def _mutable_nodes(value: Any) -> list[int]:
    """The id of each mutable node (dict, list, msrest model) met in a depth-first walk, a
    node met again included once more but not entered again; tuples are walked through."""
    seen: set[int] = set()
    out: list[int] = []

    def walk(node: Any) -> None:
        if isinstance(node, (dict, list, Model)):
            out.append(id(node))
            if id(node) in seen:
                return
            seen.add(id(node))
            for child in _children(node):
                walk(child)
        elif isinstance(node, tuple):
            for child in node:
                walk(child)

    walk(value)
    return out


def _sharing(value: Any) -> list[int]:
    """Which mutable nodes are the same object: each node's first-seen index, in walk order."""
    index: dict[int, int] = {}
    return [index.setdefault(node, len(index)) for node in _mutable_nodes(value)]


def _mutable_ids(value: Any) -> set[int]:
    return set(_mutable_nodes(value))


@PROPERTY
@given(st.data())
def test_deepcopy_activity_is_copy_deepcopy(data):
    shared = data.draw(json_like)
    activity = data.draw(_activities)
    value = {"activity": activity, "shared": [shared, {"again": shared}], "same_activity": activity,
             "other": data.draw(json_like)}
    stock = copy.deepcopy(value)
    fast = deepcopy_activity(value)
    assert exact(fast) == exact(stock) == exact(value)
    assert _sharing(fast) == _sharing(stock)  # what was shared is shared, nothing more
    assert not _mutable_ids(fast) & _mutable_ids(value)  # nothing mutable is the original's


def test_deepcopy_activity_keeps_the_memo_protocol():
    inner = {"a": [1, 2]}
    memo: dict[int, Any] = {}
    first = deepcopy_activity(inner, memo)
    assert deepcopy_activity(inner, memo) is first  # the same memo: the same copy
    assert memo[id(inner)] is first
    assert inner in memo[id(memo)]  # the original kept alive, as copy.deepcopy does


async def test_send_activities_still_leaves_the_callers_activity_untouched():
    """The copy is why the caller's activity (a prompt kept in dialog state) is never stamped."""
    apply_turn_patches()
    incoming = Activity(
        type="message", id="in-1", text="hi", channel_id="msteams", service_url="https://example.invalid/",
        conversation=ConversationAccount(id="conv"), from_property=ChannelAccount(id="user"),
        recipient=ChannelAccount(id="bot"), delivery_mode=DeliveryModes.expect_replies,
    )
    card = {"type": "AdaptiveCard", "actions": [{"type": "Action.Submit", "data": {"value": "E3"}}]}
    prompt = Activity(type="message", text="Which licence?", id="keep-me",
                      attachments=[Attachment(content_type="application/vnd.microsoft.card.adaptive", content=card)])
    before = pickle.dumps(prompt)
    context = TurnContext(object(), incoming)  # expectReplies: buffered, the adapter is not called
    await context.send_activity(prompt)
    assert pickle.dumps(prompt) == before
    sent = context.buffered_reply_activities[0]
    assert sent is not prompt and sent.conversation.id == "conv" and sent.id is None
    assert sent.attachments[0].content == card and sent.attachments[0].content is not card


# --- end to end: the same conversation with and without the patches ---------------------------


def _first_button(replies: list[dict[str, Any]]) -> dict[str, Any] | None:
    for reply in reversed(replies):
        for attachment in reply.get("attachments") or []:
            stack = [attachment.get("content")]
            while stack:
                node = stack.pop(0)
                if isinstance(node, dict):
                    data = node.get("data")
                    if node.get("type") == "Action.Submit" and isinstance(data, dict) and "value" in data:
                        return data
                    stack.extend(node.values())
                elif isinstance(node, list):
                    stack.extend(node)
    return None


async def _conversation(client, h, writes: list[Any]) -> list[list[dict[str, Any]]]:
    """A guided purchase clicked through to its summary, a pool lookup, help, in English and
    French; the replies of every turn. ``writes`` gets a turn marker before each turn."""
    answers: list[Any] = []

    async def turn(**activity: Any) -> list[dict[str, Any]]:
        writes.append(("turn", len(answers)))
        replies = await h.replies(client, h.activity(conversation_id="a:same-conversation",
                                                     id=f"turn-{len(answers)}", **activity))
        answers.append(replies)
        return replies

    replies = await turn(text="which calling plan should we buy for 40 users in France?")
    for _ in range(8):
        data = _first_button(replies)
        if data is None:
            break
        replies = await turn(text=None, value=data)
    await turn(text="pool balance")
    await turn(text="combien de minutes restantes en France")
    await turn(text="help")
    await turn(text="help")  # nothing changes: the SDK writes nothing
    return answers


async def test_a_conversation_is_identical_with_and_without_the_patches(start_app, make_settings, h, tmp_path,
                                                                         demo_store_dir, monkeypatch):
    writes: list[Any] = []
    original_write = TinyDBStorage.write

    async def recording_write(self, changes):
        writes.append(sorted(changes))
        return await original_write(self, changes)

    monkeypatch.setattr(TinyDBStorage, "write", recording_write)

    def fresh_settings(name: str):
        folder = tmp_path / name
        shutil.copytree(demo_store_dir, folder / "store")
        return make_settings(DATA_DIR=folder)

    with sdk_as_shipped():
        stock_client = await start_app(fresh_settings("stock"), speedups=False)
        stock_replies = await _conversation(stock_client, h, writes)
        assert not getattr(CachedBotState.compute_hash, "pickle_hash", False)  # really the SDK's
    stock_writes, writes[:] = list(writes), []

    fast_client = await start_app(fresh_settings("fast"))
    assert CachedBotState.compute_hash.pickle_hash
    fast_replies = await _conversation(fast_client, h, writes)

    assert len(stock_replies) >= 6  # the purchase walked to its summary, then the lookups
    assert any(r.get("attachments") for turn in stock_replies for r in turn)
    assert json.dumps(fast_replies) == json.dumps(stock_replies)
    assert writes == stock_writes  # the same states written on the same turns
    assert any(isinstance(w, list) for w in writes)
    assert writes[-1] == ("turn", len(fast_replies) - 1)  # the last "help" changed nothing
