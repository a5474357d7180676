"""One test per rule added for issue 12 items 1-3 (h-dialogs): what the guided purchase still
asks, scope phrases, reasons for a bad count, questions at a prompt, corrections, follow-ups by
name or by a bare country, English articles, cities and carriers. The same behaviours end to
end over HTTP are in tests/dialogs/test_dialogs_dev.py and tests/bot/test_followups.py."""

from __future__ import annotations

import pytest

from dialogs.base import is_question
from dialogs.cards import purchase_summary_card
from dialogs.context import cue_of, without_cue
from dialogs.nlu.answers import Answer, read_yes_no, why_not_users
from dialogs.nlu.entities import extract_entities
from dialogs.nlu.i18n import t, with_english_articles
from dialogs.nlu.recognizer import Intent, recognize
from dialogs.nlu.slots import PurchaseSlots, purchase_slots
from dialogs.purchase import says_enough, with_assumptions
from knowledge.advisor import MAX_USERS, AdviceRequest, recommend
from testkit.check import caller_line

# --- item 1: ask only what is missing and would change the answer --------------------------------


@pytest.mark.parametrize(
    ("slots", "enough"),
    [
        (PurchaseSlots(countries=["FR"], users=40, base_licence="E5"), True),
        (PurchaseSlots(countries=["FR"], users=40, international=False), True),
        (PurchaseSlots(countries=["FR"], users=40), False),  # the scope is the one question
        (PurchaseSlots(countries=["FR"], international=True, base_licence="E5"), False),  # how many
        (PurchaseSlots(users=40, international=True), False),  # where
    ],
)
def test_what_is_enough_to_answer(slots, enough):
    assert says_enough(slots) is enough


def test_what_the_answer_assumes_is_recorded_to_be_shown():
    slots = with_assumptions(PurchaseSlots(countries=["FR"], users=40, international=False))
    assert slots.assumed == ["carrier", "licence", "minutes"]  # the scope was said: not assumed


async def test_the_guided_purchase_answers_once_the_scope_is_known(talk, h):
    asked = [h.said((await talk.send(text))[-1]) for text in ("which plan should we buy?", "Spain", "12")]
    assert asked == [
        t("en", "prompt.countries"),
        t("en", "prompt.users_in", country="Spain"),
        t("en", "prompt.international", countries="Spain"),
    ]
    replies = await talk.send("yes")
    assert h.texts(replies) == [
        purchase_summary_card(recommend(AdviceRequest(countries=["ES"], users=12, international=True)), "en").text
    ]


# --- item 3: scope phrases are scope -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("20 users in Allemange who only call within Germany", "en"),
        ("30 users in Germany, calls stay in Germany", "en"),
        ("20 utilisateurs à Lyon, appels nationaux seulement", "fr"),
    ],
)
def test_a_scope_phrase_weighs_for_a_purchase_not_a_number_check(text, lang):
    assert recognize(text, lang).intent == Intent.PURCHASE


def test_a_scope_phrase_does_not_hide_a_number_check():
    assert recognize("can users who only call within France call 112?", "en").intent == Intent.CHECK


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("200 E5 users in London who only call UK numbers", "GB"),
        ("30 utilisateurs à Paris qui appellent uniquement des numéros français", "FR"),
    ],
)
def test_only_calling_national_numbers_is_a_scope(text, country):
    slots = purchase_slots(text, extract_entities(text))
    assert slots.countries == [country] and slots.international is False


@pytest.mark.parametrize("text", ["they only call within France", "appels nationaux seulement"])
def test_a_scope_phrase_answers_the_scope_question(text):
    assert read_yes_no(Answer(value=None, text=text)) is False


# --- item 2: a bad value at a prompt says why ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason", "params"),
    [
        ("5000000", "reason.users_range", {"count": 5_000_000, "max": MAX_USERS}),
        ("0", "reason.users_range", {"count": 0, "max": MAX_USERS}),
        ("-3", "reason.users_range", {"count": -3, "max": MAX_USERS}),
        ("lots", "reason.not_a_count", {"text": "lots"}),
    ],
)
def test_a_bad_count_says_why(text, reason, params):
    assert why_not_users(Answer(value=None, text=text)) == (reason, params)
    assert why_not_users(Answer(value=None, text="40")) is None


# --- item 2: another kind of message at a prompt, corrections ----------------------------------


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("how many minutes does a user get in Germany", True),
        ("combien de minutes en Allemagne", True),
        ("Germany?", True),
        ("pay as you go", False),
        ("France", False),
        ("40", False),
    ],
)
def test_what_is_shaped_as_a_question(text, question):
    assert is_question(text) is question


async def test_a_question_of_fact_at_a_prompt_is_answered_then_asked_again(talk, h):
    await talk.send("which plan should we buy?")
    replies = await talk.send("how many minutes does a user get on the Domestic plan in Germany?")
    assert len(replies) >= 2 and h.said(replies[-1]) == t("en", "prompt.countries")
    replies = await talk.send("France")  # still the country question: Germany was not taken
    assert h.said(replies[-1]) == t("en", "prompt.users_in", country="France")


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("non, plutôt 30 utilisateurs", "30 utilisateurs"),
        ("no, make that Austria", "Austria"),
        ("non en fait l'Autriche", "l'Autriche"),
    ],
)
def test_a_correction_starting_with_no(text, rest):
    assert cue_of(text) == "correction"
    assert without_cue(text) == rest


# --- item 2: follow-ups by name, by a bare country -----------------------------------------------


async def test_and_for_a_first_name_after_a_number_check(talk, h):
    await talk.send("can alice call +44 20 7946 0958?")
    replies = await talk.send("and for bastien?")
    # the check again for bastien: one verdict card, ending with what the store says of him
    assert len(replies) == 1 and h.said(replies[0]).endswith(
        caller_line("en", "bastien.durand@contoso.com", "FR", "MCOPSTN1").text
    )


async def test_a_first_name_nobody_has_is_said_back_like_an_unknown_user(talk, h):
    await talk.send("can alice call +44 20 7946 0958?")
    replies = await talk.send("and for zebulon?")
    assert h.texts(replies) == [t("en", "user_unknown", user="zebulon"), t("en", "prompt.caller_country")]


async def test_a_cue_with_no_name_is_no_follow_up_by_name(talk, h):
    await talk.send("can alice call +44 20 7946 0958?")
    assert h.texts(await talk.send("and now?")) == [t("en", "unknown.text")]


async def test_a_bare_country_after_an_answer_is_the_last_question_there(talk, h):
    await talk.send("which plan for 40 E5 users in France?")
    replies = await talk.send("UK")
    expected = recommend(AdviceRequest(countries=["GB"], users=40, base_licence="E5"))
    assert h.texts(replies) == [purchase_summary_card(expected, "en").text]


async def test_a_bare_country_with_nothing_before_is_not_understood(talk, h):
    assert h.texts(await talk.send("UK")) == [t("en", "unknown.text")]


async def test_a_weak_other_reading_does_not_break_a_follow_up(talk, h):
    await talk.send("which plan for 40 E5 users in France?")
    replies = await talk.send("what about 1500 minutes each?")  # "minutes" alone points to a pool
    expected = recommend(AdviceRequest(countries=["FR"], users=40, base_licence="E5", minutes_per_user=1500))
    assert h.texts(replies) == [purchase_summary_card(expected, "en").text]


# --- item 3: articles, cities, carriers ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("users in United Kingdom need Teams Phone", "users in the United Kingdom need Teams Phone"),
        ("How many users in Netherlands?", "How many users in the Netherlands?"),
        ("calling United States needs credits", "calling the United States needs credits"),
        ("Destination United Kingdom", "Destination United Kingdom"),  # a label keeps the bare name
        ("in the United Kingdom", "in the United Kingdom"),
    ],
)
def test_english_country_names_take_their_article_in_running_text(text, expected):
    assert with_english_articles(text) == expected


def test_a_filled_english_sentence_gets_the_article_and_french_does_not():
    assert t("en", "prompt.users_in", country="Netherlands") == "How many users in the Netherlands?"
    assert "the" not in t("fr", "prompt.users_in", country="Pays-Bas").split()


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("30 users in Nairobi", "KE"),
        ("20 utilisateurs à Varsovie", "PL"),
        ("users in Reykjavik", "IS"),
        ("40 people in Bogota", "CO"),
        ("15 utilisateurs à Vienne", "AT"),
        ("a team in Tallinn", "EE"),
    ],
)
def test_capitals_and_big_cities_name_their_country(text, country):
    assert extract_entities(text).countries == [country]


@pytest.mark.parametrize("text", ["Free est notre opérateur", "nous sommes chez Free", "our carrier is O2"])
def test_more_carriers_are_carriers(text):
    entities = extract_entities(text)
    assert entities.carrier == "operator_connect" and entities.countries == []


@pytest.mark.parametrize("text", ["calls between Teams users are free", "is it free to call 112?"])
def test_free_the_word_is_no_carrier(text):
    assert extract_entities(text).carrier is None
