"""Issue 14 (branch checkcost3): a number check and a pool lookup read the pools and the data
they rest on as one store read (``pools_and_provenance``), so the tenant's ``summary.json`` is
stated once for both: in a turn a ``stat`` costs 5-18 us of CPU, not the 2 us of a loop.

Real activities POSTed to the real app factory over the demo tenant (a real store on disk);
every ``stat`` the store's memo makes is counted with its path.
"""

from __future__ import annotations

from typing import Any

import pytest

from dialogs.nlu.i18n import t
from knowledge.store import memo
from testkit.chat import Chat

CHECK_EN = "can alice.martin@contoso.com call 01 23 45 67 89?"  # the bench's number check
POOL_EN = "how many minutes are left in our pools?"


@pytest.fixture
def stated(monkeypatch) -> list[str]:
    """The file names the store's memo stats, in order."""
    seen: list[str] = []
    real = memo._stat_stamp

    def spy(path: Any) -> Any:
        seen.append(str(path).rsplit("/", 1)[-1])
        return real(path)

    monkeypatch.setattr(memo, "_stat_stamp", spy)
    return seen


async def test_a_check_states_the_summary_once_for_the_user_and_the_pool(demo_bot, h, stated):
    await Chat(demo_bot, h, conversation_id="a:check-work3-warm").say(CHECK_EN)
    stated.clear()
    replies = await Chat(demo_bot, h, conversation_id="a:check-work3").say(CHECK_EN)
    # the tenants folder (which tenant), then the summary once for the user, the pool and its
    # data: the check looks at the tenant's data once a turn (memo.one_look; before: twice)
    assert stated == ["tenants", "summary.json"]
    assert len(replies) == 1 and replies[0]["attachments"]  # the verdict card, with its pool
    assert t("en", "verdict.text_pool", pool="<P>", remaining=0).split("<P>")[0] in replies[0]["said"]


async def test_a_pool_lookup_states_the_summary_once(demo_bot, h, stated):
    await Chat(demo_bot, h, conversation_id="a:pool-work3-warm").say(POOL_EN)
    stated.clear()
    replies = await Chat(demo_bot, h, conversation_id="a:pool-work3").say(POOL_EN)
    assert stated == ["tenants", "summary.json"]  # main: summary.json twice
    assert len(replies) == 1 and replies[0]["attachments"]  # the pool table
