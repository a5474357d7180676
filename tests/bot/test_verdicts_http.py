"""Each verdict value (included, per_minute, not_callable) through HTTP into the real app and
through ``callplan check --json``, in English and French, each answer ending with its sources.

The HTTP turns go to ``/api/messages`` of the real app factory over the demo tenant (the user's
usage location and plan come from the store: alice.martin@contoso.com is in France on the
Domestic Calling Plan); the expected card is built from the same knowledge call the dialog makes.
"""

from __future__ import annotations

import json
import re

import pytest

from bot.cli import main as cli_main
from dialogs.cards import CallerLine, verdict_card
from dialogs.nlu.i18n import has_string, t
from dialogs.nlu.render import country_name, plan_name
from knowledge.learn import source_link
from knowledge.numbers import check_call
from testkit.cards import card_texts, shown_once

ADAPTIVE = "application/vnd.microsoft.card.adaptive"
ALICE = "alice.martin@contoso.com"
ASK = {"en": "can {user} call {number}?", "fr": "est-ce que {user} peut appeler le {number} ?"}
LINK = re.compile(r"\[[^\]]+\]\((https://[^)\s]+)\)")

# number -> (verdict, reason) for a user in France on the Domestic Calling Plan (MCOPSTN1)
CASES = [
    ("01 23 45 67 89", "included", "domestic_included"),
    ("+44 20 7946 0958", "per_minute", "international_needs_credits"),
    ("+44 843 123 4567", "per_minute", "premium_needs_credits"),  # UK shared cost: via credits
    ("+44 909 879 0000", "not_callable", "premium_blocked"),  # UK 9XX: not supported
    ("+53 7 8123456", "not_callable", "destination_not_included"),  # Cuba: not on the callable list
    ("+44 7911 123456", "not_callable", "destination_shares_code"),  # Guernsey: +44, yet not listed
]


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("number, value, reason", CASES, ids=[f"{c[1]}-{c[2]}" for c in CASES])
async def test_each_verdict_over_http(demo_bot, h, lang, number, value, reason):
    activity = h.activity(ASK[lang].format(user=ALICE, number=number), conversation_id=f"a:verdict-{lang}-{reason}")
    replies = await h.replies(demo_bot, activity)
    card_replies = [r for r in replies if r.get("attachments")]
    assert len(card_replies) == 1, [r.get("text") for r in replies]
    reply = card_replies[0]
    card = reply["attachments"][0]
    assert card["contentType"] == ADAPTIVE

    verdict = check_call(number, "FR", "MCOPSTN1", upn=ALICE)
    assert (verdict.verdict, verdict.reason, verdict.callable) == (value, reason, value == "included")
    texts = card_texts(card["content"])
    title = f"verdict.title.{reason}"  # a reason the headline says more precisely has its own
    assert texts[0] == t(lang, title if has_string(lang, title) else f"verdict.{value}")
    if verdict.pool is None:  # without a pool balance the whole card is what the builder makes
        # the card names whom the check is for, with what the store says of them (one message)
        found = CallerLine(
            t(lang, "check.user", user=ALICE, country=country_name("FR", lang), plan=plan_name("MCOPSTN1", lang)),
            ALICE,
            "FR",
            "MCOPSTN1",
        )
        expected = verdict_card(verdict, lang, caller=ALICE, caller_line=found)
        assert card["content"] == expected.card and shown_once(reply) == expected.text
    # One Source line, last, linking Learn pages in the conversation's language where localized.
    prefix = t(lang, "source.line", links="")
    lines = [text for text in texts if text.startswith(prefix)]
    assert len(lines) == 1 and texts[-1] == lines[0]
    urls = LINK.findall(lines[0])
    assert urls and all(url.startswith("https://") for url in urls)
    fr_keys = [k for k in verdict.sources if k.startswith("FR_")]
    if lang == "fr" and fr_keys:
        assert source_link(fr_keys[0], "fr").url in urls
        assert any("/fr-fr/" in url for url in urls)
    if lang == "en":
        assert not any("/fr-fr/" in url for url in urls)


@pytest.mark.parametrize("country", ["FR", "France"])
@pytest.mark.parametrize("number, value, reason", CASES, ids=[f"{c[1]}-{c[2]}" for c in CASES])
def test_each_verdict_in_cli_json(capsys, country, number, value, reason):
    code = cli_main(["check", number, "--country", country, "--plan", "MCOPSTN1", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (data["verdict"], data["reason"], data["callable"]) == (value, reason, value == "included")
    assert data["sources"] and all(set(item) == {"key", "title", "url"} for item in data["sources"])
    assert [item["key"] for item in data["sources"]] == check_call(number, "FR", "MCOPSTN1").sources
    assert all(item["url"].startswith("https://learn.microsoft.com/en-us/") for item in data["sources"])


def test_french_country_name_and_credits_in_cli_json(capsys):
    """A French country name is understood, and Communications Credits change the message, not the verdict."""
    cli_main(["check", "+44 843 123 4567", "--country", "Royaume-Uni", "--plan", "MCOPSTN1", "--credits", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert (data["verdict"], data["reason"], data["callable"]) == ("per_minute", "premium_via_credits", False)
    assert data["number_type"] == "shared_cost"


def test_advise_json_carries_sources(capsys):
    cli_main(["advise", "--country", "FR", "--users", "40", "--base", "E3", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert data["calling_plan"] == "MCOTEAMS_ESSENTIALS"
    assert data["pools"][0]["minutes_per_user"] is None  # the bundle's minutes: not documented
    keys = [item["key"] for item in data["sources"]]
    assert "FR_ADDON" in keys and all(item["title"] and "url" in item for item in data["sources"])


@pytest.mark.parametrize("number, value, reason", CASES, ids=[f"{c[1]}-{c[2]}" for c in CASES])
async def test_the_cli_and_the_chat_word_a_verdict_alike(demo_bot, h, capsys, number, value, reason):
    """One wording from one place (``knowledge.articles``): `check --json` says "calling the
    United Kingdom" as the English chat does, not "calling United Kingdom"."""
    assert cli_main(["check", number, "--country", "FR", "--plan", "MCOPSTN1", "--json"]) == 0
    message = json.loads(capsys.readouterr().out)["message"]
    activity = h.activity(ASK["en"].format(user=ALICE, number=number), conversation_id=f"a:wording-{reason}")
    replies = await h.replies(demo_bot, activity)
    card = next(r for r in replies if r.get("attachments"))["attachments"][0]["content"]
    assert message in card_texts(card)
    if reason == "international_needs_credits":  # "calling {destination}", the United Kingdom
        assert "calling the United Kingdom needs" in message
