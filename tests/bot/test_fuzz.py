"""Fuzz: malformed bodies, activities, card submits and export rows against the real app.

Hypothesis throws them at the real app factory (aiohttp's test client, demo data, real state
files) and the real importer. For every input: no 500 (nor any 5xx: nothing here is a
dependency's fault), no traceback in the log, and an answer within a generous bound. Sized to
take about 30 s in all on a busy 2-core machine (max_examples below).
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.importers.detect import ImportFileError
from knowledge.store import Store, StoreError

BOUND_S = 10.0
FUZZ = settings(
    max_examples=400,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text an attacker or a clumsy client sends: mention tags, markup, controls, surrogate-free unicode.
_texts = st.one_of(
    st.text(max_size=60),
    st.lists(
        st.sampled_from(
            [
                "<at>",
                "</at>",
                "<AT x>",
                ">",
                "&nbsp;",
                "@",
                "+33 1 23",
                "E5",
                "France",
                "buy",
                "minutes",
                "\n",
                "\x00",
                "é",
                "(a+)+$",
                "[",
                "{",
            ]
        ),
        max_size=40,
    ).map("".join),
)
_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=False), _texts),
    lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(_texts, kids, max_size=4)),
    max_leaves=12,
)
#: Activity fields a fuzzed value replaces (dotted: a nested field).
_FIELDS = [
    "type",
    "text",
    "value",
    "channelData",
    "channelData.tenant",
    "channelData.team",
    "entities",
    "conversation",
    "conversation.id",
    "conversation.conversationType",
    "from",
    "from.id",
    "recipient",
    "locale",
    "attachments",
    "name",
    "id",
    "replyToId",
    "timestamp",
    "deliveryMode",
    "membersAdded",
    "channelId",
    "serviceUrl",
]
_TYPES = [
    "message",
    "invoke",
    "conversationUpdate",
    "installationUpdate",
    "messageUpdate",
    "messageDelete",
    "messageReaction",
    "event",
    "typing",
    "endOfConversation",
    "trace",
]

_INVOKE_NAMES = [
    "adaptiveCard/action",
    "task/fetch",
    "task/submit",
    "composeExtension/query",
    "composeExtension/submitAction",
    "fileConsent/invoke",
    "signin/verifyState",
    "tab/fetch",
    "config/fetch",
    "actionableMessage/executeAction",
    "healthCheck",
    "application/search",
]


def _set(activity: dict[str, Any], field: str, value: Any) -> None:
    *parents, last = field.split(".")
    node = activity
    for name in parents:
        if not isinstance(node.get(name), dict):
            node[name] = {}
        node = node[name]
    node[last] = value


@st.composite
def _mutated_activities(draw) -> dict[str, Any]:
    """A Teams-shaped activity with a few fields replaced by anything."""
    # tests/bot/conftest.py, put on sys.path by the conftest_on_path fixture (mypy finds another).
    from conftest import teams_activity  # type: ignore[attr-defined]

    activity = teams_activity(
        draw(_texts), conversation_type=draw(st.sampled_from(["personal", "channel", "groupChat"]))
    )
    activity["type"] = draw(st.sampled_from(_TYPES))
    if activity["type"] == "invoke":
        activity["name"] = draw(st.one_of(st.sampled_from(_INVOKE_NAMES), _texts))
    if draw(st.booleans()):  # a card submit
        activity["value"] = draw(
            st.one_of(
                _json,
                st.fixed_dictionaries({"value": _json}),
                st.fixed_dictionaries({"intent": _texts, "value": _json}),
            )
        )
    for field in draw(st.lists(st.sampled_from(_FIELDS), max_size=3, unique=True)):
        _set(activity, field, draw(_json))
    return activity


_bodies = st.one_of(
    st.binary(max_size=300),
    _json.map(lambda v: json.dumps(v).encode()),
    _mutated_activities().map(lambda a: json.dumps(a).encode()),
)


def _no_tracebacks(caplog) -> None:
    bad = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not bad, "\n".join(r.getMessage()[:300] for r in bad)


@pytest.fixture
def conftest_on_path(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).parent))


@FUZZ
@given(
    body=_bodies, content_type=st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain"])
)
async def test_fuzzed_bodies_never_break_the_app(demo_bot, connector, caplog, conftest_on_path, body, content_type):
    caplog.clear()
    if body.startswith(b"{"):
        # Replies never leave the machine: back in the response, or to the fake connector.
        try:
            activity = json.loads(body)
            if isinstance(activity, dict):
                activity["serviceUrl"] = connector.url
                if activity.get("deliveryMode") != "expectReplies" and isinstance(activity.get("conversation"), dict):
                    activity["deliveryMode"] = "expectReplies"
                body = json.dumps(activity).encode()
        except ValueError:
            pass
    response = await asyncio.wait_for(
        demo_bot.post("/api/messages", data=body, headers={"Content-Type": content_type}), BOUND_S
    )
    assert response.status < 500, (response.status, await response.text(), body[:500])
    await response.read()
    _no_tracebacks(caplog)


# --- export rows, lightly (the importers are tested in tests/knowledge) ------------------------------------

_ROSTER_HEADER = "upn,usage_location,licenses\n"
_cells = st.one_of(
    _texts.map(lambda s: s.replace(",", " ").replace("\n", " ")),
    st.sampled_from(["ivan@contoso.com", "FR", "MCOPSTN1+SPE_E5", "", '"', "zz"]),
)
_rows = st.lists(st.lists(_cells, min_size=0, max_size=5).map(",".join), max_size=8)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=_rows, header=st.sampled_from([_ROSTER_HEADER, "", "upn\n", "\ufeff" + _ROSTER_HEADER]))
def test_fuzzed_roster_rows_import_or_are_refused_cleanly(tmp_path_factory, rows, header):
    folder = tmp_path_factory.mktemp("fuzz-import")
    export = folder / "users.csv"
    export.write_text(header + "\n".join(rows) + "\n", "utf-8", errors="surrogatepass")
    try:
        summary = Store(folder / "data").import_paths([export], tenant_id="fuzz")
    except (ImportFileError, StoreError) as exc:
        assert str(exc) and "Traceback" not in str(exc)
        return
    assert summary.imported >= 0
