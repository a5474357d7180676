"""The issue 12 held-out harness itself (bench/heldout_eval.py): its sets are valid and as big
as the issue asks, every item can fail, the reply reader sees what a person sees. Never the
bot's score: that is reported (bench/REPORT.md), not asserted."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from bench import heldout_eval as he
from bench.recognizer_accuracy import set_names
from testkit.narrow import present

LANGS = ("en", "fr")
#: The topics of the fact sheet the issue lists; each needs at least one question of fact.
FACT_TOPICS = {
    "plan_includes",
    "teams_phone_prereq",
    "teams_phone_e5",
    "teams_phone_a5",
    "teams_phone_g5",
    "pool_how",
    "pool_reset",
    "pool_runs_out",
    "comms_credits",
    "incoming",
    "toll_free",
    "emergency",
    "countries_callable",
    "countries_sold",
    "sku",
    "payg",
    "bundle",
    "alternatives",
    "usage_location",
}
LEARN_URL = "https://learn.microsoft.com/en-us/microsoftteams/calling-plans-for-office-365"


def card(*body: dict, actions: list[dict] | None = None, summary: str = "summary") -> dict:
    """A card reply as the bot posts it (no visible text beside the card)."""
    content = {"type": "AdaptiveCard", "version": "1.5", "body": list(body), "fallbackText": summary}
    if actions:
        content["actions"] = actions
    return {
        "type": "message",
        "summary": summary,
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": content}],
    }


def block(text: str) -> dict:
    return {"type": "TextBlock", "text": text, "wrap": True}


def text_reply(text: str) -> dict:
    return {"type": "message", "text": text}


FACT_CARD = card(
    block("Teams Phone and E5"),
    block("E5 already includes Teams Phone; you still need a Calling Plan or another PSTN option."),
    block(f"Source: [Microsoft Learn]({LEARN_URL})"),
)


# --- the sets -----------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=LANGS)
def heldout(request) -> he.HeldoutSet:
    return he.load_set(request.param)


def test_each_set_is_as_big_as_the_issue_asks(heldout):
    singles = [i for i in heldout.items if i.category != "conversation"]
    conversations = [i for i in heldout.items if i.category == "conversation"]
    assert len(singles) >= 100
    assert len(conversations) >= 15
    assert sum(i.category == "fact" for i in singles) >= 30
    for category in ("purchase", "check", "pool", "entities"):
        assert sum(i.category == category for i in singles) >= 10, category


def test_the_questions_of_fact_cover_every_topic_and_show_a_source(heldout):
    facts = [i for i in heldout.items if i.category == "fact"]
    assert {i.topic for i in facts} >= FACT_TOPICS
    assert all(i.expect is not None and i.expect.kind == ["fact"] and i.expect.link for i in facts)


def test_every_item_has_a_kind_and_content_checks_that_compile(heldout):
    texts = []
    for item in heldout.items:
        for turn in item.as_turns():
            assert turn.expect.kind and set(turn.expect.kind) <= he.KINDS
            assert turn.expect.has or turn.expect.link
            for pattern in turn.expect.has + turn.expect.lacks:
                re.compile(pattern)
            texts.append(turn.text.casefold())
    singles = [i.text.casefold() for i in heldout.items if i.text]
    assert len(set(singles)) == len(singles), "a message twice measures it twice"


def test_the_sets_hold_the_cases_the_issue_names(heldout):
    text = "\n".join(t.text for i in heldout.items for t in i.as_turns())
    for carrier in ("BT", "Orange", "Vodafone", "Telstra", "AT&T"):
        assert re.search(rf"\b{re.escape(carrier)}\b", text), carrier
    for name in ("Narnia", "alice.martin@contoso.com", "Laura Walker", "Ulrike", "112"):
        assert name in text, name


def test_both_languages_have_the_same_shape():
    en, fr = he.load_set("en"), he.load_set("fr")
    shape = lambda s: [(i.category, i.topic, len(i.as_turns())) for i in s.items]  # noqa: E731
    assert shape(en) == shape(fr)


def test_the_recognizer_report_never_opens_the_end_to_end_sets():
    """Whoever tunes the recognizer runs bench/recognizer_accuracy.py: it must not print them."""
    for lang in LANGS:
        assert he.SET_NAME not in set_names(lang)


# --- the set format -----------------------------------------------------------------------------


def test_an_item_without_content_checks_or_with_an_unknown_kind_is_refused():
    with pytest.raises(ValidationError):
        he.Expect(kind="fact")
    with pytest.raises(ValidationError):
        he.Expect(kind="answer", has=["x"])
    with pytest.raises(ValidationError):
        he.Expect(kind="fact", has=["("])
    with pytest.raises(ValidationError):
        he.Item(id="x", category="conversation", text="hi", expect={"kind": "fact", "has": ["x"]})
    with pytest.raises(ValidationError):
        he.HeldoutSet(
            lang="en",
            items=[
                {"id": "a", "category": "pool", "text": "pool", "expect": {"kind": "pool", "has": ["x"]}},
                {"id": "a", "category": "pool", "text": "pool?", "expect": {"kind": "pool", "has": ["x"]}},
            ],
        )


# --- reading and scoring a reply ----------------------------------------------------------------


def test_a_reply_is_read_as_a_person_sees_it():
    reply = he.Reply.from_activity(
        card(
            block("Minute pools, November 2026"),
            {"type": "FactSet", "facts": [{"title": "France", "value": "9,600 min"}]},
            actions=[{"type": "Action.OpenUrl", "title": "Learn more", "url": LEARN_URL}],
        )
    )
    assert "9,600 min" in reply.text and "France" in reply.text and "Learn more" in reply.text
    assert reply.links == [LEARN_URL]
    assert reply.headline == "Minute pools, November 2026"


@pytest.mark.parametrize(
    ("activity", "kind"),
    [
        (FACT_CARD, "fact"),
        (card(block("✅ Callable: included"), block("+33 1 23 45 67 89")), "verdict"),
        (
            card(block("My recommendation"), block("Recommended plan: Domestic Calling Plan (France).")),
            "recommendation",
        ),
        (card(block("Users (31)")), "users"),
        (text_reply("France, Domestic Calling Plan, domestic: 9,425 of 9,600 minutes left (2% used)."), "pool"),
        (text_reply("France, Forfait d'appels nationaux, national : 9 425 minutes restantes sur 9 600."), "pool"),
        (text_reply("Sorry, I didn't get that."), "fallback"),
        (text_reply("I don't know 'Narnia' as a country."), "unknown_country"),
        (text_reply("Je ne connais pas « Narnia » comme pays."), "unknown_country"),
        (card(block("Did you mean one of these?")), "choice"),
        (text_reply("How many users need to make phone calls?"), "prompt_users"),
        (text_reply("Please give a whole number of users, like 40."), "prompt_users"),
        (text_reply("Dans quels pays ces utilisateurs sont-ils situés ?"), "prompt_countries"),
        # What the bot noted is not a question: "they call abroad" does not ask anything.
        (text_reply("Noted: 40 users in France, they call abroad."), "other"),
        # A Learn link inside the fallback does not make it a fact.
        (text_reply(f"Sorry, I didn't get that. See {LEARN_URL}"), "fallback"),
    ],
)
def test_the_kind_of_a_reply(activity, kind):
    assert he.kind_of(he.Reply.from_activity(activity)) == kind


def test_a_right_answer_scores_correct_and_each_wrong_check_fails_it():
    right = he.Expect(kind="fact", has=[r"Teams Phone", r"\bE5\b", r"includ"], link=True)
    assert he.score_turn("does E5 include Teams Phone?", right, [FACT_CARD]).correct

    wrong_content = he.score_turn("q", he.Expect(kind="fact", has=[r"MCOPSTN9"]), [FACT_CARD])
    assert wrong_content.understood and not wrong_content.correct
    assert wrong_content.failed == ["missing /MCOPSTN9/"]

    said_too_much = he.score_turn("q", he.Expect(kind="fact", has=["E5"], lacks=["Teams Phone"]), [FACT_CARD])
    assert not said_too_much.correct

    wrong_kind = he.score_turn("q", he.Expect(kind="verdict", has=["E5"]), [FACT_CARD])
    assert not wrong_kind.understood and not wrong_kind.correct

    no_source = card(block("E5 already includes Teams Phone."))
    unsourced = he.score_turn("q", he.Expect(kind=["fact", "other"], has=["E5"], link=True), [no_source])
    assert unsourced.understood and unsourced.failed == ["no Microsoft Learn link"]

    silent = he.score_turn("q", right, [])
    assert not silent.understood and "no reply" in silent.failed[0]


def test_a_conversation_is_right_only_when_every_turn_is():
    item = he.Item(
        id="c",
        category="conversation",
        turns=[
            {"text": "a", "expect": {"kind": "fact", "has": ["E5"]}},
            {"text": "b", "expect": {"kind": "fact", "has": ["E5"]}},
        ],
    )
    turns = present(item.turns)
    ok = he.score_turn("a", turns[0].expect, [FACT_CARD])
    bad = he.score_turn("b", turns[1].expect, [text_reply("Sorry, I didn't get that.")])
    score = he.ItemScore("en", item, [ok, bad])
    assert not score.understood and not score.correct
    table = he.tally([score, he.ItemScore("en", item, [ok, ok])])
    assert table[("en", "conversation")] == (2, 1, 1)
    assert he.turn_tally([score])["en"] == (2, 1, 1)


# --- end to end, over real HTTP -----------------------------------------------------------------


def test_the_harness_talks_to_the_real_bot_and_an_impossible_check_fails(monkeypatch):
    """A two-item set through the real app: replies are collected per conversation, and the
    item whose check no reply can pass is scored wrong (the other may pass or not)."""
    from bot.config import environment_names

    for name in environment_names():
        monkeypatch.delenv(name, raising=False)
    synthetic = he.HeldoutSet(
        lang="en",
        items=[
            {
                "id": "a",
                "category": "pool",
                "text": "minutes left in France",
                "expect": {"kind": ["pool", "fact", "other"], "has": ["France"]},
            },
            {
                "id": "b",
                "category": "fact",
                "text": "does E5 include Teams Phone?",
                "expect": {"kind": "fact", "has": ["no reply can contain this 7f3a9c"]},
            },
        ],
    )
    scores = he.evaluate(["en"], sets={"en": synthetic})
    assert [s.item.id for s in scores] == ["a", "b"]
    assert all(s.turns[0].kinds for s in scores), "every message got a reply"
    assert not scores[1].correct
    assert "missing /no reply can contain this 7f3a9c/" in scores[1].turns[0].failed
