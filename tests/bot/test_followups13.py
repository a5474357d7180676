"""Issue 12 item 3, corrections after an answer (branch followups13), over HTTP in English and
French: a seat count or a country corrected after a recommendation with no cue first ("we're 45
actually", "45 not 40", "Romania, not France", "240 users") re-answers the recommendation with
that slot replaced, everything else kept; after a computed fact, "same with the 240 one" /
"pareil avec le 240" swaps the plan (240 is the plan's minutes, not 240 users).

Same harness as ``test_followups.py``: real activities POSTed to the real app factory over the
demo tenant. What a follow-up must answer is what the bot answers, in a conversation of its
own, to the whole question with that change typed out: both go through the same app, so the
test says "the follow-up is that question", never a text written out here.
"""

from __future__ import annotations

import itertools
import json

import pytest

from testkit.chat import Chat

_fresh = itertools.count()


def shown(replies: list[dict]) -> list[str]:
    """Each reply as the admin sees it: its text or card summary, then its cards in full (the
    summary of a recommendation names no country; the card does)."""
    return [r["said"] + json.dumps(r.get("attachments", []), ensure_ascii=False) for r in replies]


async def answer_alone(demo_bot, h, text: str) -> list[str]:
    """What the bot says to ``text`` in a conversation of its own."""
    chat = Chat(demo_bot, h, conversation_id=f"a:fresh-{next(_fresh)}")
    return shown(await chat.say(text))


async def after(demo_bot, h, first: str, follow: str) -> tuple[list[str], list[str]]:
    """The replies to ``first``, then to ``follow``, in one conversation."""
    chat = Chat(demo_bot, h, conversation_id=f"a:followups13-{next(_fresh)}")
    before = shown(await chat.say(first))
    return before, shown(await chat.say(follow))


RECOMMENDED = {
    "en": "which plan for 40 E5 users in France",
    "fr": "quel forfait pour 40 utilisateurs E5 en France",
}
WITH_45 = {
    "en": "which plan for 45 E5 users in France",
    "fr": "quel forfait pour 45 utilisateurs E5 en France",
}
SEAT_CORRECTIONS = [
    ("en", "we're 45 actually"),
    ("en", "45 not 40"),
    ("en", "no, 45 users"),
    ("en", "not 40 but 45"),
    ("en", "45 users"),
    ("en", "make it 45 people"),
    ("fr", "on est plutôt 45"),
    ("fr", "c'est 45 et pas 40"),
    ("fr", "non 45 utilisateurs"),
    ("fr", "pas 40 mais 45"),
    ("fr", "45 utilisateurs"),
]


@pytest.mark.parametrize(("lang", "correction"), SEAT_CORRECTIONS)
async def test_a_seat_count_corrected_after_a_recommendation(demo_bot, h, lang, correction):
    before, replies = await after(demo_bot, h, RECOMMENDED[lang], correction)
    expected = await answer_alone(demo_bot, h, WITH_45[lang])
    assert replies == expected  # France and E5 kept, 45 seats
    assert replies != before and "45" in replies[0]


IN_ROMANIA = {
    "en": "which plan for 40 E5 users in Romania",
    "fr": "quel forfait pour 40 utilisateurs E5 en Roumanie",
}
COUNTRY_CORRECTIONS = [
    ("en", "Romania, not France"),
    ("en", "no, Romania"),
    ("fr", "la Roumanie, pas la France"),
    ("fr", "non, la Roumanie"),
]


@pytest.mark.parametrize(("lang", "correction"), COUNTRY_CORRECTIONS)
async def test_a_country_corrected_after_a_recommendation_replaces_it(demo_bot, h, lang, correction):
    before, replies = await after(demo_bot, h, RECOMMENDED[lang], correction)
    # Romania instead of France (not both, the 40 seats not added), the rest kept
    assert replies == await answer_alone(demo_bot, h, IN_ROMANIA[lang])
    assert replies != before
    romania, france = ("Romania", "France") if lang == "en" else ("Roumanie", "France")
    assert romania in replies[0] and france not in replies[0]


SAID_ALL = {
    "en": (
        "we have E3, 30 users in Germany, domestic only",
        "not 30 but 45",
        "we have E3, 45 users in Germany, domestic only",
    ),
    "fr": (
        "on a E3, 30 utilisateurs en Allemagne, appels nationaux seulement",
        "pas 30 mais 45",
        "on a E3, 45 utilisateurs en Allemagne, appels nationaux seulement",
    ),
}


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_a_first_turn_that_says_everything_then_a_correction(demo_bot, h, lang):
    first, correction, whole = SAID_ALL[lang]
    before, replies = await after(demo_bot, h, first, correction)
    assert replies == await answer_alone(demo_bot, h, whole)  # E3, Germany, domestic only kept
    assert replies != before


POOL_FACT = {
    "en": "how big is the pool for 50 users on the Domestic plan in France?",
    "fr": "30 licences forfait national en Espagne, combien de minutes incluses ?",
}
ON_PLAN = {
    ("en", 240): "how big is the pool for 50 users on the 240 plan in France?",
    ("en", 120): "how big is the pool for 50 users on the 120 plan in France?",
    ("fr", 240): "30 licences forfait 240 en Espagne, combien de minutes incluses ?",
    ("fr", 120): "30 licences forfait 120 en Espagne, combien de minutes incluses ?",
}
PLAN_SWAPS = [
    ("en", "same with the 240 one", 240),
    ("en", "and the 120 one?", 120),
    ("en", "ok, same for the 240 one", 240),
    ("fr", "pareil avec le 240", 240),
    ("fr", "même chose avec le 120", 120),
    ("fr", "et le 120 ?", 120),
]


@pytest.mark.parametrize(("lang", "follow", "minutes"), PLAN_SWAPS)
async def test_the_plan_named_by_its_minutes_after_a_computed_fact(demo_bot, h, lang, follow, minutes):
    _, replies = await after(demo_bot, h, POOL_FACT[lang], follow)
    expected = await answer_alone(demo_bot, h, ON_PLAN[lang, minutes])
    assert replies == expected  # the same seats and country, that plan: not 240 users
    seats = "50" if lang == "en" else "30"
    assert replies[0].startswith(seats) and str(minutes) in replies[0]


# --- look-alikes that keep their reading -------------------------------------------------------

NEW_PURCHASE = {
    "en": "which plan for 240 users in Germany?",
    "fr": "quel forfait pour 240 utilisateurs en Allemagne ?",
}


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_a_new_question_after_a_recommendation_is_a_new_question(demo_bot, h, lang):
    _, replies = await after(demo_bot, h, RECOMMENDED[lang], NEW_PURCHASE[lang])
    assert replies == await answer_alone(demo_bot, h, NEW_PURCHASE[lang])  # E5 and France not carried over


SEATS_FOLLOW_UP = {
    "en": ("and for 120 users?", "how big is the pool for 120 users on the Domestic plan in France?"),
    "fr": ("et pour 120 utilisateurs ?", "120 licences forfait national en Espagne, combien de minutes incluses ?"),
}


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_a_count_of_users_after_a_computed_fact_stays_the_count(demo_bot, h, lang):
    follow, whole = SEATS_FOLLOW_UP[lang]
    _, replies = await after(demo_bot, h, POOL_FACT[lang], follow)
    assert replies == await answer_alone(demo_bot, h, whole)  # 120 users, not the 120-minute plan


AFTER_POOL = {
    "en": ("how much of the pool is left?", "240 users"),
    "fr": ("combien reste-t-il dans le pool ?", "240 utilisateurs"),
}


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_a_seat_count_after_anything_but_a_recommendation_is_read_on_its_own(demo_bot, h, lang):
    first, follow = AFTER_POOL[lang]
    _, replies = await after(demo_bot, h, first, follow)
    assert replies == await answer_alone(demo_bot, h, follow)
