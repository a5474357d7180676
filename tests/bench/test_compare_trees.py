"""The turns ``bench.compare_trees`` puts side by side: the connector-path lookups, and with
``--expect-replies`` the ``expectReplies`` turns of ``bench_chat`` under the same names."""

from __future__ import annotations

from bench.bench_chat import CHECK_TEXT, CONNECTOR_LOOKUPS, HELP_TEXT, LOOKUPS, POOL_TEXT, PURCHASE_TEXT
from bench.compare_trees import _turns
from bench.loadgen import DialogWalk, Repeat, Script

URL = "http://127.0.0.1:9/connector"


def _repeat(script: Script) -> Repeat:
    assert isinstance(script, Repeat)
    return script


def test_the_connector_path_only_by_default():
    turns = _turns(URL, expect_replies=False)
    assert [(name, benchmark) for name, benchmark, _ in turns] == [(n, b) for n, b, _, _ in CONNECTOR_LOOKUPS]
    scripts = [_repeat(make("p")(3)) for _, _, make in turns]
    assert all(s.service_url == URL for s in scripts)
    assert [s.text for s in scripts] == [POOL_TEXT, CHECK_TEXT]
    assert scripts[0].conversation == "p-3"


def test_expect_replies_adds_pool_check_help_and_the_purchase_step():
    turns = _turns(URL, expect_replies=True)
    names = [name for name, _, _ in turns]
    assert names == [n for n, *_ in CONNECTOR_LOOKUPS] + [n for n, *_ in LOOKUPS] + ["dialog"]
    answered = [_repeat(make("q")(0)) for name, _, make in turns if name in ("pool", "check", "help")]
    assert [(s.text, s.service_url) for s in answered] == [(POOL_TEXT, None), (CHECK_TEXT, None), (HELP_TEXT, None)]
    walk = turns[-1][2]("w")(1)
    assert isinstance(walk, DialogWalk) and walk.conversation == "w-1" and walk.start_text == PURCHASE_TEXT
