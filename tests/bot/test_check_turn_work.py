"""Issue 14 (round 3, branch checkcost): the number check's turn does less work, said the same.

* The message is extracted once: ``check_slots`` no longer extracts the words after "call"
  again when the turn's extraction found no country (``split_countries``: its destinations are
  the message's countries, so with none there is nothing to find).
* The verdict card's pool label ("France · Domestic Calling Plan · domestic") is built once per
  pool and language (``dialogs.cards._pool_label``), not on every check.

Real activities POSTed to the real app factory over the demo tenant; every ``extract`` call of the
process is counted with the text it was given (the function wrapped in every module that holds
it, ``extract_entities`` included), so a new extraction anywhere counts.
"""

from __future__ import annotations

from collections import Counter

import pytest

from dialogs import cards
from dialogs.nlu.i18n import t
from dialogs.nlu.render import country_name, line_name, plan_name
from testkit.chat import Chat

CHECK_EN = "can alice.martin@contoso.com call 01 23 45 67 89?"  # the bench's number check
CHECK_FR = "est-ce que alice.martin@contoso.com peut appeler le 01 23 45 67 89 ?"
WARM_UP = "what does the Domestic Calling Plan include?"  # dialogs.api.warm_understanding's


def user_line(lang: str, country: str) -> str:
    """The start of the caller's line up to the country ("alice.martin@contoso.com is in France")."""
    line = t(lang, "check.user", user="alice.martin@contoso.com", country=country_name(country, lang), plan="<P>")
    return line.split("<P>")[0]


@pytest.mark.parametrize(("text", "lang"), [(CHECK_EN, "en"), (CHECK_FR, "fr")])
async def test_a_check_that_names_no_country_extracts_its_message_once(demo_bot, h, extracted, text, lang):
    chat = Chat(demo_bot, h, conversation_id=f"a:check-work-once-{lang}")
    replies = await chat.say(text, locale="en-US")
    # the message, once; no part of it (the words after "call") on its own
    assert Counter({k: v for k, v in extracted.items() if k != WARM_UP}) == Counter({text: 1})
    assert len(replies) == 1 and replies[0]["attachments"]  # the verdict card
    assert user_line(lang, "FR") in replies[0]["said"]  # the caller's country from the store


async def test_a_check_that_names_countries_still_reads_which_one_is_called(demo_bot, h, extracted):
    """With countries in the message, the words after the calling verb are read for the one
    called: France is where the caller is, Spain where they call (the number is asked there)."""
    chat = Chat(demo_bot, h, conversation_id="a:check-work-countries")
    text = "can a Domestic user in France call Spain?"
    replies = await chat.say(text)
    assert extracted[text] == 1
    assert [k for k in extracted if k not in (text, WARM_UP)]  # the destination segment, read on its own
    assert t("en", "prompt.number_in", country=country_name("ES", "en")) in replies[-1]["said"]
    assert country_name("FR", "en") in replies[-1]["said"]  # "So far: caller in France, ..."


async def test_the_pool_label_is_built_once_per_pool_and_language(demo_bot, h):
    """Checks that draw on the same pool share its label, each in its own language (the cache
    is keyed by language: a French check after an English one says the French label)."""
    cards._pool_label.cache_clear()
    for lang, text in (("en", CHECK_EN), ("fr", CHECK_FR), ("en", CHECK_EN), ("fr", CHECK_FR)):
        chat = Chat(demo_bot, h, conversation_id=f"a:check-work-label-{lang}")
        replies = await chat.say(text, locale="en-US")
        expected = t(
            lang,
            "pool.label",
            country=country_name("FR", lang),
            plan=plan_name("MCOPSTN1", lang),
            line=line_name("domestic", lang),
        )
        assert len(replies) == 1 and expected in replies[0]["said"]
    info = cards._pool_label.cache_info()
    assert (info.misses, info.hits) == (2, 2)  # built for en and fr once, then remembered
