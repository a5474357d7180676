"""``bot/activity_json.py`` against msrest itself: every activity loaded or dumped here equals
what ``Activity().deserialize`` / ``activity.serialize()`` give (or fails as they fail), on the
shapes Teams sends and on random ones."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    CardAction,
    ChannelAccount,
    ConversationAccount,
    Entity,
    SuggestedActions,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from msrest.serialization import Model

from bench.loadgen import teams_message
from bot.activity_json import dump_activity, load_activity


def msrest_load(body: Any) -> Activity | str:
    try:
        return Activity().deserialize(copy.deepcopy(body))
    except Exception as exc:
        return type(exc).__name__


def fast_load(body: Any) -> Activity | str:
    try:
        return load_activity(copy.deepcopy(body))
    except Exception as exc:
        return type(exc).__name__


def _outcome(dump: Any, activity: Activity) -> str:
    try:
        return json.dumps(dump(activity))
    except Exception as exc:
        return type(exc).__name__


def assert_same_object(got: Any, expected: Any) -> None:
    """The same object, all the way down: the same types, each model's ``__dict__`` with the
    same keys in the same order (what ``copy``, ``pickle`` and ``repr`` see), the same values."""
    assert type(got) is type(expected)
    if isinstance(expected, Model):
        assert list(vars(got)) == list(vars(expected))
        for key, value in vars(expected).items():
            assert_same_object(vars(got)[key], value)
    elif isinstance(expected, list):
        assert len(got) == len(expected)
        for got_item, item in zip(got, expected, strict=True):
            assert_same_object(got_item, item)
    else:
        assert got == expected


def same_json(activity: Activity) -> None:
    """The same JSON, key order included, or the same error."""
    assert _outcome(dump_activity, activity) == _outcome(Activity.serialize, activity)


TEAMS = teams_message(1, "thread-1", "pool balance")
SHAPES: dict[str, Any] = {
    "teams channel message": TEAMS,
    "card click": teams_message(2, "thread-1", value={"intent": "alert", "value": "E5"}),
    "french": teams_message(3, "t", "solde", locale="fr-FR"),
    "members added": {
        **TEAMS,
        "type": "conversationUpdate",
        "membersAdded": [{"id": "28:bot"}, {"id": "29:user", "name": "Megan", "aadObjectId": "x"}],
    },
    "invoke": {**TEAMS, "type": "invoke", "name": "adaptiveCard/action", "value": {"action": {"verb": "x"}}},
    "unknown keys": {**TEAMS, "madeUp": {"a": 1}, "other": [1, "x"]},
    "nulls": {**TEAMS, "text": None, "entities": [None, {"type": "clientInfo"}], "recipient": None},
    "numbers as strings": {**TEAMS, "id": 12, "historyDisclosed": 1, "locale": 1.5},
    "bad timestamp": {**TEAMS, "timestamp": "yesterday"},
    "timestamp of the wrong type": {**TEAMS, "localTimestamp": 5},
    "from is a string": {**TEAMS, "from": "someone"},
    "entities is an object": {**TEAMS, "entities": {"type": "mention"}},
    "entity is a string": {**TEAMS, "entities": ["mention"]},
    "attachments": {
        **TEAMS,
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": {"body": []}}],
    },
    "suggested actions": {**TEAMS, "suggestedActions": {"to": ["a"], "actions": [{"type": "imBack", "value": 1}]}},
    "listen for": {**TEAMS, "listenFor": ["a", 2]},
    "relates to": {**TEAMS, "relatesTo": {"activityId": "1", "conversation": {"id": "c"}, "bot": {"id": "b"}}},
    "not an object": [TEAMS],
    "a string": "message",
}


@pytest.mark.parametrize("name", list(SHAPES))
def test_loading_gives_msrests_activity_or_its_error(name):
    body = SHAPES[name]
    expected = msrest_load(body)
    got = fast_load(body)
    assert got == expected
    if isinstance(expected, Activity):
        assert isinstance(got, Activity) and vars(got) == vars(expected)
        assert got.additional_properties == expected.additional_properties
        assert_same_object(got, expected)


def parsed_load(body: Any) -> Activity | str:
    """What ``/api/messages`` loads: a body just parsed from its JSON text."""
    try:
        return load_activity(json.loads(json.dumps(body)), parsed_json=True)
    except Exception as exc:
        return type(exc).__name__


@pytest.mark.parametrize("name", list(SHAPES))
def test_a_parsed_body_loads_as_msrest_loads_it(name):
    expected = msrest_load(json.loads(json.dumps(SHAPES[name])))
    got = parsed_load(SHAPES[name])
    assert got == expected
    if isinstance(expected, Activity):
        assert_same_object(got, expected)


def test_loading_keeps_the_parsed_channel_data_instead_of_rebuilding_it():
    body = copy.deepcopy(TEAMS)
    assert load_activity(body).channel_data is body["channelData"]


REPLIES: dict[str, Activity] = {
    "text": Activity(type="message", text="hi", reply_to_id="1", input_hint="acceptingInput"),
    "enum type": Activity(type=ActivityTypes.message, text="hi"),
    "stamped": Activity(
        type="message",
        text="x",
        conversation=ConversationAccount(id="c", tenant_id="t", is_group=True),
        from_property=ChannelAccount(id="b", name="Bot"),
        recipient=ChannelAccount(id="u", aad_object_id="a"),
        service_url="https://x/",
        channel_id="msteams",
        locale="en-US",
        timestamp=datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
    ),
    "card": Activity(
        type="message",
        attachments=[Attachment(content_type="application/vnd.microsoft.card.adaptive", content={"a": [1, 2.5]})],
        entities=[Entity(type="x")],
    ),
    "card content of other types": Activity(
        type="message",
        attachments=[Attachment(content_type="c", content={"when": datetime(2026, 1, 1), "pair": (1, 2), 3: "x"})],
        channel_data={"k": (1,)},
    ),
    "suggested actions": Activity(
        type="message",
        suggested_actions=SuggestedActions(to=["a"], actions=[CardAction(type="imBack", title="A", value="a")]),
    ),
    "a dict where a model goes": Activity(type="message", recipient={"id": "u"}),
    "lists with holes": Activity(type="message", entities=[None, Entity(type="x")], listen_for=["a", "b"]),
    "a number where a string goes": Activity(type="message", text=12),
    "trace": Activity.create_trace_activity("BotState", value={"x": [1]}, label="Bot State"),
}


@pytest.mark.parametrize("name", list(REPLIES))
def test_dumping_gives_msrests_json(name):
    same_json(REPLIES[name])


def test_plain_card_content_goes_in_as_it_is():
    content = {"type": "AdaptiveCard", "body": []}
    activity = Activity(type="message", attachments=[Attachment(content_type="c", content=content)])
    assert dump_activity(activity)["attachments"][0]["content"] is content


def test_an_attribute_msrest_cannot_serialize_fails_as_msrest_fails():
    activity = Activity(type="message", timestamp="not a date")
    with pytest.raises(Exception) as sdk:
        activity.serialize()
    with pytest.raises(type(sdk.value)):
        dump_activity(activity)


_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.floats(allow_nan=False), st.text(max_size=3)),
    lambda kids: st.one_of(st.lists(kids, max_size=3), st.dictionaries(st.text(max_size=3), kids, max_size=3)),
    max_leaves=6,
)
_keys = st.sampled_from(
    [
        "type",
        "id",
        "text",
        "from",
        "conversation",
        "recipient",
        "entities",
        "membersAdded",
        "attachments",
        "channelData",
        "value",
        "timestamp",
        "historyDisclosed",
        "listenFor",
        "suggestedActions",
        "relatesTo",
        "semanticAction",
        "textHighlights",
        "other",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_keys, _json, max_size=6))
def test_random_shapes_load_as_msrest_loads_them(body):
    expected = msrest_load(body)
    got = fast_load(body)
    assert got == expected
    if isinstance(expected, Activity):
        assert_same_object(got, expected)
        same_json(got)
    parsed = parsed_load(body)
    assert parsed == expected
    if isinstance(expected, Activity):
        assert_same_object(parsed, expected)


CHANNEL_DATA: dict[str, Any] = {
    "teams channel": TEAMS["channelData"],
    "empty": {},
    "tenant only": {"tenant": {"id": "t"}},
    "event": {"eventType": "teamMemberAdded", "team": {"id": "x", "name": "n"}, "settings": {"a": 1}},
    "meeting": {"meeting": {"id": "m"}, "notification": {"alert": True}},
    "team is a string": {"team": "x"},
    "team is a list": {"team": [1]},
    "channel is a number": {"channel": 5},
    "tenant id is a number": {"tenant": {"id": 5}},
    "not an object": ["x"],
    "unknown keys": {"madeUp": 1, "team": {"id": "x", "other": [1]}},
}


@pytest.mark.parametrize("name", list(CHANNEL_DATA))
def test_teams_channel_data_loads_as_msrest_loads_it(name):
    from botbuilder.schema.teams import TeamsChannelData

    from bot.activity_json import load_model

    body = CHANNEL_DATA[name]

    def outcome(load: Any) -> Any:
        try:
            return load(copy.deepcopy(body))
        except Exception as exc:
            return type(exc).__name__

    expected = outcome(lambda b: TeamsChannelData().deserialize(b))
    got = outcome(lambda b: load_model(TeamsChannelData, b))
    assert got == expected
    assert_same_object(got, expected)


#: Channel data the plain check passes: what Teams sends (no model is built to validate it).
PLAIN_CHANNEL_DATA = {"teams channel", "empty", "tenant only", "event", "meeting", "unknown keys"}


@pytest.mark.parametrize("name", list(CHANNEL_DATA))
def test_the_plain_check_passes_only_what_msrest_loads(name):
    from botbuilder.schema.teams import TeamsChannelData

    from bot.activity_json import loads_as_is

    body = CHANNEL_DATA[name]
    assert loads_as_is(TeamsChannelData, body) == (name in PLAIN_CHANNEL_DATA)
    if loads_as_is(TeamsChannelData, body):
        TeamsChannelData().deserialize(copy.deepcopy(body))  # msrest loads it


_channel_keys = st.sampled_from(["team", "channel", "tenant", "eventType", "onBehalfOf", "notification", "x"])
_channel_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.text(max_size=3)),
    lambda kids: st.one_of(
        st.lists(kids, max_size=2), st.dictionaries(st.sampled_from(["id", "name", "alert", "itemid", "y"]), kids)
    ),
    max_leaves=5,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_channel_keys, _channel_json, max_size=4))
def test_random_channel_data_the_plain_check_passes_loads(body):
    from botbuilder.schema.teams import TeamsChannelData

    from bot.activity_json import loads_as_is

    if loads_as_is(TeamsChannelData, body):
        TeamsChannelData().deserialize(copy.deepcopy(body))


TIMESTAMPS = [
    "2026-11-26T12:00:00.000Z",
    "2026-11-26T13:00:00.000+01:00",
    "2026-11-26T13:00:00.1234567-05:30",
    "2026-11-26t13:00:00z",
    "2026-11-26T13:00:00Z",
    "2026-11-26T13:00:00.9999999+14:00",
    "2026-02-30T10:00:00Z",  # no such day: msrest's error
    "2026-11-26T24:00:00Z",
    "2026-11-26T23:59:60Z",
    "0001-01-01T00:00:00+01:00",  # before year 1 in UTC: msrest's error
    "9999-12-31T23:59:59-01:00",
    "2026-11-26 12:00:00Z",
    "2026-11-26T12:00Z",
    "2026-11-26T12:00:00",
    "2026-11-26T12:00:00.5+0100",
    "20261126T120000Z",
    "",
]


@pytest.mark.parametrize("text", TIMESTAMPS)
def test_timestamps_parse_as_msrest_parses_them(text):
    from msrest.serialization import Deserializer

    def outcome(parse: Any) -> Any:
        try:
            value = parse(text)
        except Exception as exc:
            return type(exc).__name__
        return (value, type(value.tzinfo), value.tzname(), value.utcoffset())

    assert outcome(lambda x: load_activity({"timestamp": x}).timestamp) == outcome(Deserializer.deserialize_iso)


@settings(max_examples=300, deadline=None)
@given(
    st.from_regex(
        r"\A[0-9]{4}-[01][0-9]-[0-3][0-9][Tt][0-2][0-9]:[0-6][0-9]:[0-6][0-9](\.[0-9]{1,9})?([Zz]|[+-][01][0-9]:[0-5][0-9])?\Z"
    )
)
def test_random_timestamps_parse_as_msrest_parses_them(text):
    from msrest.serialization import Deserializer

    def outcome(parse: Any) -> Any:
        try:
            value = parse(text)
        except Exception as exc:
            return type(exc).__name__
        return (value, value.utcoffset(), value.tzname())

    assert outcome(lambda x: load_activity({"timestamp": x}).timestamp) == outcome(Deserializer.deserialize_iso)


# --- objects built without calling the class -----------------------------------------------


def test_the_models_of_a_teams_message_are_built_without_calling_their_init(monkeypatch):
    """Activity, its accounts and entities have plain ``__init__``s: their objects get the
    ``__dict__`` the call would give, so loading a Teams message calls no model ``__init__``."""
    from bot.activity_json import _codec

    calls: list[str] = []
    real_init = Model.__init__

    def counting_init(self: Any, **kwargs: Any) -> None:
        calls.append(type(self).__name__)
        real_init(self, **kwargs)

    expected = msrest_load(TEAMS)
    load_activity(copy.deepcopy(TEAMS))  # plans made
    monkeypatch.setattr(Model, "__init__", counting_init)
    got = load_activity(copy.deepcopy(TEAMS))
    assert calls == []
    assert_same_object(got, expected)
    codec = _codec(Activity)
    assert {cls.__name__ for cls, plan in codec.plans.items() if plan is not None and plan.blank is not None} >= {
        "Activity",
        "ChannelAccount",
        "ConversationAccount",
        "Entity",
    }


def test_each_built_object_has_its_own_additional_properties():
    first, second = load_activity(copy.deepcopy(TEAMS)), load_activity(copy.deepcopy(TEAMS))
    assert first.additional_properties == {} and first.additional_properties is not second.additional_properties
    assert first.from_property.additional_properties is not second.from_property.additional_properties
    first.additional_properties["x"] = 1
    assert second.additional_properties == {}


class _WithDefault(Model):
    _attribute_map = {  # noqa: RUF012  # as msrest declares it
        "name": {"key": "name", "type": "str"},
        "kind": {"key": "kind", "type": "str"},
    }

    def __init__(self, *, name: str | None = None, kind: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.kind = kind if kind is not None else "default"  # not plain: a default (as TeamsChannelData's)


class _WithExtra(Model):
    _attribute_map = {"name": {"key": "name", "type": "str"}}  # noqa: RUF012  # as msrest declares it

    def __init__(self, *, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.seen = True  # not plain: an attribute msrest does not name


class _Converting(Model):
    _attribute_map = {"name": {"key": "name", "type": "str"}}  # noqa: RUF012  # as msrest declares it

    def __init__(self, *, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.name = name if name is None else str(name).strip()  # not plain: the value changed


class _Plain(Model):
    _attribute_map = {  # noqa: RUF012  # as msrest declares it
        "b": {"key": "b", "type": "str"},
        "a": {"key": "a", "type": "str"},
    }

    def __init__(self, *, b: str | None = None, a: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.a = a  # set in another order than the map's: the built object keeps __init__'s order
        self.b = b


@pytest.mark.parametrize("cls", [_WithDefault, _WithExtra, _Converting])
def test_a_model_whose_init_is_not_plain_is_still_called(cls):
    from bot.activity_json import _codec, load_model

    plan = _codec(cls).plans[cls]
    assert plan is not None and plan.blank is None
    for body in ({}, {"name": " x ", "kind": None, "more": 1}):
        assert_same_object(load_model(cls, copy.deepcopy(body)), cls().deserialize(copy.deepcopy(body)))


def test_a_plain_model_is_built_with_the_attribute_order_of_its_init():
    from bot.activity_json import _codec, load_model

    plan = _codec(_Plain).plans[_Plain]
    assert plan is not None and plan.blank is not None
    for body in ({}, {"a": "1"}, {"b": "2", "a": "1", "c": [3]}):
        got = load_model(_Plain, copy.deepcopy(body))
        assert_same_object(got, _Plain().deserialize(copy.deepcopy(body)))
        assert list(vars(got)) == ["additional_properties", "a", "b"]
