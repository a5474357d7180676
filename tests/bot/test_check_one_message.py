"""A number check for a user of the tenant's data is ONE message: what the store says of the user
("alice@contoso.com: usage location France, Domestic Calling Plan.") is a line of the verdict
card, under its headline, said once (the card does not list the user, their country and their
plan again as facts); when a question comes instead of the verdict, the line is said on its own
before it, as before. Production path: one post to the Bot Connector per check, not two.

Real activities POSTed to the real app factory over the demo tenant; expected texts are built
from the locale files and the knowledge layer, never written out.
"""

from __future__ import annotations

import pytest

from dialogs.cards import CallerLine, verdict_card
from dialogs.nlu.i18n import t
from knowledge.numbers import check_call
from testkit.cards import card_texts, shown_once, walk
from testkit.chat import Chat
from testkit.check import caller_line

LANGS = pytest.mark.parametrize("lang", ["en", "fr"])
ALICE = "alice.martin@contoso.com"
CHECK = {
    "en": "can alice.martin@contoso.com call 01 23 45 67 89?",
    "fr": "alice.martin@contoso.com peut-elle appeler le 01 23 45 67 89 ?",
}
#: The fact titles the caller's line says already.
SAID_BY_THE_LINE = ("verdict.user", "verdict.caller", "verdict.plan")


def fact_titles(card: dict) -> list[str]:
    return [fact["title"] for element in walk(card) if element.get("type") == "FactSet" for fact in element["facts"]]


@LANGS
async def test_a_check_for_a_stored_user_is_one_message_with_the_user_said_once(demo_bot, h, lang):
    replies = await Chat(demo_bot, h, f"a:one-message-{lang}").say(CHECK[lang])
    assert len(replies) == 1 and replies[0].get("attachments"), [r["said"] for r in replies]
    card = replies[0]["attachments"][0]["content"]
    line = caller_line(lang, ALICE, "FR", "MCOPSTN1").text
    texts = card_texts(card)
    verdict = check_call("01 23 45 67 89", "FR", "MCOPSTN1", upn=ALICE)
    # the headline says the verdict first; the line about alice right under it, once
    assert texts[0] == t(lang, f"verdict.{verdict.verdict}") and texts[1] == line
    assert sum(line in text for text in texts) == 1
    titles = fact_titles(card)
    assert t(lang, "verdict.number") in titles
    assert not {t(lang, key) for key in SAID_BY_THE_LINE} & set(titles)
    # the summary (notification preview, fallback) says the verdict and the line
    said = replies[0]["said"]
    assert said.startswith(t(lang, "verdict.text_included", number="01 23 45 67 89", reason="").strip()[:8])
    assert said.endswith(" " + line)


@LANGS
async def test_the_line_is_said_before_a_question_when_no_verdict_comes(demo_bot, h, lang):
    text = {"en": "can alice.martin@contoso.com call?", "fr": "alice.martin@contoso.com peut-elle appeler ?"}[lang]
    replies = await Chat(demo_bot, h, f"a:line-then-question-{lang}").say(text)
    said = [r["said"] for r in replies]
    assert said[0] == caller_line(lang, ALICE, "FR", "MCOPSTN1").text, said
    assert len(said) == 2 and said[1] == t(lang, "prompt.number"), said
    replies = await Chat(demo_bot, h, f"a:line-then-question-{lang}").say("01 23 45 67 89")
    # the answer completes the check: the verdict, the user named as a fact (the line was said before)
    card = replies[-1]["attachments"][0]["content"]
    assert t(lang, "verdict.user") in fact_titles(card)
    assert caller_line(lang, ALICE, "FR", "MCOPSTN1").text not in card_texts(card)


async def test_the_production_path_posts_one_reply_per_check(demo_bot, connector, h):
    activity = h.activity(CHECK["en"], expect_replies=False, service_url=connector.url)
    assert (await h.post(demo_bot, activity)).status == 201
    [post] = connector.posts
    said = shown_once(post["activity"])
    assert post["activity"]["attachments"] and said and said.endswith(caller_line("en", ALICE, "FR", "MCOPSTN1").text)


def test_a_fact_the_line_does_not_say_stays_a_fact():
    """A caller's country or plan the message gave over the user's record (the line says the
    record) is still listed: only what the line says is left out."""
    verdict = check_call("+32 2 123 45 67", "BE", "MCOPSTN2", upn=ALICE)
    line = CallerLine("alice: usage location France, Domestic Calling Plan.", ALICE, "FR", "MCOPSTN1")
    card = verdict_card(verdict, "en", caller=ALICE, caller_line=line).card
    titles = fact_titles(card)
    assert t("en", "verdict.caller") in titles and t("en", "verdict.plan") in titles
    assert t("en", "verdict.user") not in titles
    plain = verdict_card(verdict, "en", caller=ALICE)
    assert fact_titles(plain.card)[0] == t("en", "verdict.user") and line.text not in card_texts(plain.card)
