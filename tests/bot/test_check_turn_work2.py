"""Issue 14 (branch checkcost2): the number check's turn does less work, said the same.

* The pool the verdict draws on is found among the tenant's pools by its fields
  (``dialogs.lookups.pool_balance``), not by building a ``PoolKey`` for every pool of the tenant.
* The dialled number goes through libphonenumber's type matcher once (``knowledge.phone``:
  ``number_type`` alone says whether it is valid and what type it is).

Real activities POSTed to the real app factory over the demo tenant (a real store on disk).
"""

from __future__ import annotations

import json

import pytest
from phonenumbers import phonenumberutil

from dialogs.nlu.i18n import t
from knowledge.pool_key import PoolKey
from knowledge.store import Store
from testkit.chat import Chat
from testkit.clock import DEMO_CLOCK

CHECK_EN = "can alice.martin@contoso.com call 01 23 45 67 89?"  # the bench's number check
CHECK_FR = "est-ce que alice.martin@contoso.com peut appeler le 01 23 45 67 89 ?"


@pytest.fixture
def keys_built(monkeypatch) -> list[PoolKey]:
    """Every PoolKey the process builds (its ``__post_init__`` counted)."""
    built: list[PoolKey] = []
    original = PoolKey.__post_init__

    def counted(self: PoolKey) -> None:
        original(self)
        built.append(self)

    monkeypatch.setattr(PoolKey, "__post_init__", counted)
    return built


@pytest.mark.parametrize(("text", "lang"), [(CHECK_EN, "en"), (CHECK_FR, "fr")])
async def test_a_check_builds_one_pool_key_and_says_its_pools_balance(demo_bot, h, data_dir, keys_built, text, lang):
    """No key at all once the verdict's pool key was made (``knowledge.numbers._plan_pool``: one
    per plan, country and line; before, the verdict's own each check, and earlier one more for
    every pool of the tenant), and the card says what is left of that pool, as the store
    computes it."""
    store = Store(data_dir, DEMO_CLOCK)
    (tenant,) = store.tenants()
    balances = store.pools(tenant)
    assert len(balances) >= 2  # there are other pools to pass over
    wanted = PoolKey(country="FR", plan="MCOPSTN1", line="domestic")
    (balance,) = [b for b in balances if b.key == wanted]
    # a first check reads the store (the memo computes the pools: keys of its own), the second
    # finds them in memory: what is left is the check's own work
    await Chat(demo_bot, h, conversation_id=f"a:check-work2-warm-{lang}").say(text, locale="en-US")
    keys_built.clear()

    chat = Chat(demo_bot, h, conversation_id=f"a:check-work2-keys-{lang}")
    replies = await chat.say(text, locale="en-US")

    assert keys_built == []
    assert len(replies) == 1 and replies[0]["attachments"]  # the verdict card
    label_start = t(lang, "verdict.text_pool", pool="<P>", remaining=balance.remaining_minutes).split("<P>")
    said = replies[0]["said"]
    assert label_start[0] in said and label_start[1] in said  # "... draws on <pool>: N minutes left"


async def test_a_check_runs_the_number_type_matcher_once(demo_bot, h, monkeypatch):
    """The bench's number (French, national format; a calling code of one region): one run of
    libphonenumber's type matcher in the whole turn (main: two)."""
    matched: list[str] = []
    original = phonenumberutil._number_type_helper

    def counted(national, metadata):
        matched.append(national)
        return original(national, metadata)

    monkeypatch.setattr(phonenumberutil, "_number_type_helper", counted)
    chat = Chat(demo_bot, h, conversation_id="a:check-work2-matcher")
    replies = await chat.say(CHECK_EN)
    assert matched == ["123456789"]
    assert len(replies) == 1
    assert t("en", "scope.domestic") in json.dumps(replies[0]["attachments"])  # the type said it is French
