"""The held-out scorer's demo tenant is generated at the instant the bot under test is pinned to
(:data:`bench.heldout_eval.DEMO_NOW`), never at the wall clock: a demo seeded today behind a bot
that answers "as of 20 November 2026" made pool and run-out answers depend on the scoring day."""

from __future__ import annotations

import json

from bench import heldout_eval


def test_the_demo_is_seeded_at_the_pinned_instant(tmp_path):
    heldout_eval._seed(tmp_path)
    demo = tmp_path / "demo"
    stamp = heldout_eval.DEMO_NOW.strftime("%Y%m%d")
    assert [p.name for p in demo.glob("Calls.Export.*.zip")] == [f"Calls.Export.{stamp}.zip"]
    # the Graph pages (the last two days) hold calls begun before the pinned instant, none later
    starts = [
        call["startDateTime"]
        for page in sorted((demo / "graph").glob("getPstnCalls.page-*.json"))
        for call in json.loads(page.read_text())["value"]
    ]
    assert starts and max(starts) < heldout_eval.DEMO_NOW.isoformat().replace("+00:00", "Z")
