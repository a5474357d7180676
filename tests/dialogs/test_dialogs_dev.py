"""The h-dialogs dev sets (issue 12 items 2-4) on the real bot over HTTP, in both languages.

Each set (``tests/dialogs/corpus/dialogs_dev_{en,fr}.json``: at least 60 single messages and
15 multi-turn conversations, written from the fact sheet and the demo tenant; the second round's
``dialogs_dev2_{en,fr}.json``: at least 40 and 15, written before that round's changes; the third
round's ``dialogs_dev3_{en,fr}.json``: at least 30 and 12, same rule) runs through the
real app factory (``bot.app.create_app``) over loopback HTTP with the held-out harness
(:mod:`bench.heldout_eval`): every reply is read as a person reads Teams (its kind, its visible
text), never through our internal API. These sets are tuned on, so unlike the held-out sets
they must pass in full: a change that breaks a one-turn answer, a follow-up, a correction, an
interruption or an entity shows up here with the turn and what the bot said.
"""

from __future__ import annotations

import pytest

from bench import dev_sets
from bench import heldout_eval as he
from testkit.dev_floors import below_floors

pytestmark = pytest.mark.usefixtures("local_mode")


LANGS = ("en", "fr")


@pytest.mark.parametrize("lang", LANGS)
def test_the_dev_set_is_as_big_as_the_brief_asks(lang):
    dev = dev_sets.load(lang)
    singles = [item for item in dev.items if item.turns is None]
    conversations = [item for item in dev.items if item.turns is not None]
    assert len(singles) >= 60 and len(conversations) >= 15
    texts = [turn.text for item in dev.items for turn in item.as_turns()]
    assert len(set(texts)) >= 0.8 * len(texts)  # phrased apart, not one message copied


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("name", "singles_at_least", "conversations_at_least"),
    [("dialogs_dev2", 40, 15), ("dialogs_dev3", 30, 12), ("dialogs_dev4", 40, 15)],
)
def test_the_later_dev_sets_are_as_big_as_their_briefs_ask(lang, name, singles_at_least, conversations_at_least):
    dev = dev_sets.load(lang, name)
    singles = [item for item in dev.items if item.turns is None]
    conversations = [item for item in dev.items if item.turns is not None]
    assert len(singles) >= singles_at_least and len(conversations) >= conversations_at_least
    texts = [turn.text for item in dev.items for turn in item.as_turns()]
    assert len(set(texts)) >= 0.8 * len(texts)


#: Items of a dev set still missed, each for a reason outside the dialogs (named here so the
#: test fails on any other miss, and when one of these starts passing: then remove it). All are
#: fact retrieval, the facts2 branch's part (knowledge/facts*, fact_search.py): "is Japan
#: covered?" typed at the country prompt is now answered aside and asked again, but the fact
#: search offers unrelated questions instead of Japan's availability; the French "le forfait
#: national inclut-il les appels vers le Portugal ?" gets a fact without naming the plan. ("and
#: for Pay-As-You-Go?" after the SKU answer, conversation-040, narrows to the PAYG plan's own
#: fact since dialogs9.)
KNOWN_MISSES = {
    ("dialogs_dev3", "en"): {"conversation-033"},
    ("dialogs_dev3", "fr"): {"conversation-033", "conversation-034"},
    # dialogs_dev10 (asides): outside the dialogs' prompts. EN "how many minutes does the domestic
    # plan include in France?" at the users prompt is answered aside, but with the SMS fact (fact
    # search). ("which calling plan for our users in France? they call abroad" opens the purchase
    # since dialogs10: a pick for our users in a country.)
    ("dialogs_dev10", "en"): {"purchase-users-fact"},
    ("dialogs_dev10", "fr"): {"purchase-users-fact"},
}


#: Dev sets held to floors rather than to every item (understood, correct), per language: the
#: misses left are named in bench/records/<set>_scores.md with their cause.
FLOORS = {
    "dialogs_dev4": (0.97, 0.95),
    "dialogs_dev5": (0.97, 0.95),
    "dialogs_dev6": (0.95, 0.95),
    "dialogs_dev9": (0.92, 0.89),  # EN 111/108 of 120 after dialogs9 (FR 117/115); misses: its record
    "dialogs_dev11": (0.95, 0.88),  # after dialogs10: see bench/records/dialogs10_scores.md
}


@pytest.mark.parametrize("name", [name for name in dev_sets.DIALOGS_SETS if name not in FLOORS])
@pytest.mark.parametrize("lang", LANGS)
async def test_every_dev_item_is_understood_and_right_over_http(lang, name):
    dev = dev_sets.load(lang, name)
    scores = await he.evaluate_async([lang], {lang: dev})
    assert len(scores) == len(dev.items)
    known = KNOWN_MISSES.get((name, lang), set())
    missed = [s for s in scores if not s.correct and s.item.id not in known]
    assert not missed, he.format_misses(missed)
    fixed = known - {s.item.id for s in scores if not s.correct}
    assert not fixed, f"now right, remove from KNOWN_MISSES: {sorted(fixed)}"


@pytest.mark.parametrize("name", sorted(FLOORS))
@pytest.mark.parametrize("lang", LANGS)
async def test_the_floored_dev_sets_hold_their_floors_over_http(lang, name):
    understood, correct = FLOORS[name]
    missed = await below_floors(lang, name, understood, correct)
    assert missed is None, missed
