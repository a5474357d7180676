"""dialogs_dev6's fixes over HTTP in English and French (issue 12 leftovers): a price question
gets the prices fact (no prices in the catalog, where to see them), never a purchase, also asked
inside a purchase; Business Voice and "the bundle for 300 users" are questions of fact; rough
counts are said back ("about 200 users") and vague ones asked with the reason; the number
check's questions say what the message gave ("caller in France, calling Spain"); a number in a
shared calling code names its region and the listed country whose code it shares.

Real activities POSTed to the real app factory over the demo tenant; expected texts are built
from the knowledge layer and the locale files, never written out.
"""

from __future__ import annotations

import pytest

from dialogs.cards import purchase_summary_card, verdict_card
from dialogs.nlu.i18n import t
from dialogs.nlu.render import render
from knowledge.advisor import AdviceRequest, recommend
from knowledge.facts import load_facts
from knowledge.learn import source_link
from knowledge.numbers import check_call
from testkit.chat import Chat
from testkit.check import caller_line

LANGS = pytest.mark.parametrize("lang", ["en", "fr"])
ALICE = "alice.martin@contoso.com"
#: The summary card's first sentence: the plan and the quantity to buy.
HEAD = 90


def fact_answer(fact_id: str, lang: str) -> str:
    fact = load_facts().get(fact_id)
    assert fact is not None
    return fact.answer[lang]


def a_learn_link(replies: list[dict], fact_id: str, lang: str) -> bool:
    fact = load_facts().get(fact_id)
    assert fact is not None
    urls = {source_link(key, lang).url for key in fact.sources}
    shown = " ".join(str(r.get("attachments", "")) for r in replies)
    return any(url and url in shown for url in urls)


PRICES = {
    "en": ["how much is the D&I plan?", "what's the monthly price for 50 Domestic Calling Plan licences?"],
    "fr": ["combien coûte le forfait national ?", "combien pour 50 licences de forfait national par mois ?"],
}


@LANGS
@pytest.mark.parametrize("which", [0, 1])
async def test_a_price_question_gets_the_prices_fact_not_a_purchase(demo_bot, h, lang, which):
    replies = await Chat(demo_bot, h, f"a:price-{lang}-{which}").say(PRICES[lang][which])
    assert len(replies) == 1 and replies[0]["attachments"]
    assert fact_answer("prices", lang) in replies[0]["said"]
    assert a_learn_link(replies, "prices", lang)


ASIDE = {
    "en": ("we want calling plans for 25 users in Belgium", "how much does the Domestic Calling Plan cost?", "no"),
    "fr": ("nous voulons des forfaits pour 25 utilisateurs en Belgique", "combien coûte le forfait national ?", "non"),
}


@LANGS
async def test_a_price_question_inside_a_purchase_is_answered_aside(demo_bot, h, lang):
    chat = Chat(demo_bot, h, f"a:price-aside-{lang}")
    start, price, no = ASIDE[lang]
    await chat.say(start)
    replies = await chat.say(price)
    assert fact_answer("prices", lang) in replies[0]["said"]
    question = t(lang, "prompt.international", countries="Belgium" if lang == "en" else "Belgique")
    assert question in replies[-1]["said"]  # and the open question again
    replies = await chat.say(no)
    expected = purchase_summary_card(recommend(AdviceRequest(countries=["BE"], users=25, international=False)), lang)
    assert replies[-1]["said"][:HEAD] == expected.text[:HEAD]


ELIGIBILITY = {
    "en": ["can I still buy Business Voice for 10 users?", "is the bundle available for 300 users?"],
    "fr": [
        "peut-on encore acheter Business Voice pour 10 utilisateurs ?",
        "le pack est-il disponible pour 300 utilisateurs ?",
    ],
}


@LANGS
@pytest.mark.parametrize("which", [0, 1])
async def test_eligibility_with_a_seat_count_is_a_question_of_fact(demo_bot, h, lang, which):
    replies = await Chat(demo_bot, h, f"a:elig-{lang}-{which}").say(ELIGIBILITY[lang][which])
    assert len(replies) == 1 and fact_answer("bundle", lang) in replies[0]["said"]
    assert a_learn_link(replies, "bundle", lang)


ROUGH = {
    "en": ("we need plans for a couple of hundred users in Germany", "Germany", "no"),
    "fr": ("il nous faut des forfaits pour deux centaines d'utilisateurs en Allemagne", "Allemagne", "non"),
}


@LANGS
async def test_a_rough_count_is_said_back_as_an_assumption(demo_bot, h, lang):
    chat = Chat(demo_bot, h, f"a:rough-{lang}")
    text, country, no = ROUGH[lang]
    replies = await chat.say(text)
    about = t(lang, "facts.users_in_about", users=200, countries=country)
    assert replies[0]["said"] == t(lang, "purchase.noted", facts=about)
    replies = await chat.say(no)
    card = purchase_summary_card(recommend(AdviceRequest(countries=["DE"], users=200, international=False)), lang)
    assert replies[-1]["said"][:HEAD] == card.text[:HEAD]
    assert about in " ".join(str(a) for a in replies[-1]["attachments"])  # "From your message: about 200 users"


AT_THE_COUNT = {
    "en": ("I want to buy calling plans for Spain", "a couple of hundred", "Spain"),
    "fr": ("je veux acheter des forfaits pour l'Espagne", "une cinquantaine", "Espagne"),
}


@LANGS
async def test_a_rough_count_at_the_count_question_is_said_back(demo_bot, h, lang):
    chat = Chat(demo_bot, h, f"a:rough-count-{lang}")
    start, rough, country = AT_THE_COUNT[lang]
    await chat.say(start)
    replies = await chat.say(rough)
    users = 200 if lang == "en" else 50
    notice = t(lang, "purchase.noted", facts=t(lang, "facts.users_in_about", users=users, countries=country))
    assert replies[-1]["said"] == notice  # the question card's first line
    assert t(lang, "prompt.international", countries=country) in str(replies[-1]["attachments"])


VAGUE = {
    "en": ("a few hundred users in France need calling plans", "a few hundred", "France", "300"),
    "fr": ("quelques centaines d'utilisateurs en France ont besoin de forfaits", "quelques centaines", "France", "300"),
}


@LANGS
async def test_a_vague_count_is_asked_saying_why(demo_bot, h, lang):
    chat = Chat(demo_bot, h, f"a:vague-{lang}")
    text, vague, country, count = VAGUE[lang]
    replies = await chat.say(text)
    why = t(lang, "reason.vague_count", text=vague)
    assert replies[-1]["said"] == f"{why} {t(lang, 'prompt.users_in', country=country)}"  # never 100 users
    replies = await chat.say(vague)  # the same words at the question: the same reason, asked again
    assert replies[-1]["said"] == f"{why} {t(lang, 'reprompt.users')}"
    replies = await chat.say(count)
    assert t(lang, "prompt.international", countries=country) in str(replies[-1]["attachments"])


CHECK = {
    "en": ("can our ten sales reps in France call Spain?", "912 345 678", "Domestic Calling Plan"),
    "fr": ("nos dix commerciaux en France peuvent-ils appeler l'Espagne ?", "912 345 678", "forfait national"),
}


@LANGS
async def test_the_number_question_says_what_the_message_gave(demo_bot, h, lang):
    chat = Chat(demo_bot, h, f"a:check-have-{lang}")
    first, number, plan = CHECK[lang]
    replies = await chat.say(first)
    france, spain = ("France", "Spain") if lang == "en" else ("France", "Espagne")
    said = replies[-1]["said"]
    assert t(lang, "check.have.caller", country=france) in said
    assert t(lang, "check.have.calling", destination=spain) in said
    assert said.endswith(t(lang, "prompt.number_in", country=spain))  # asks only for the number
    replies = await chat.say(number)  # national format: read in Spain, not in France
    assert t(lang, "check.have.calling", destination="+34912345678") in replies[-1]["said"]
    replies = await chat.say(plan)
    verdict = check_call("+34912345678", "FR", "MCOPSTN1")
    assert verdict.destination_country == "ES" and verdict.reason == "international_needs_credits"
    assert replies[-1]["said"] == verdict_card(verdict, lang).text


SHARED = {"en": "can alice call {number}?", "fr": "est-ce que alice peut appeler le {number} ?"}


@LANGS
@pytest.mark.parametrize(("number", "region"), [("+44 7911 123456", "GG"), ("+44 7624 123456", "IM")])
async def test_a_shared_calling_code_names_the_region_and_the_listed_country(demo_bot, h, lang, number, region):
    replies = await Chat(demo_bot, h, f"a:shared-{lang}-{region}").say(SHARED[lang].format(number=number))
    verdict = check_call(number, "FR", "MCOPSTN1", upn=ALICE)
    assert (verdict.reason, verdict.destination_country, verdict.params["shares_with_iso"]) == (
        "destination_shares_code",
        region,
        "GB",
    )
    said = replies[-1]["said"]
    assert (
        said == verdict_card(verdict, lang, caller=ALICE, caller_line=caller_line(lang, ALICE, "FR", "MCOPSTN1")).text
    )
    reason = render(verdict.reason, verdict.params, lang)
    credits = render("communications_credits", {}, lang).removeprefix("des ")  # "(des) crédits de communication"
    assert reason in said and "+44" in reason and credits in reason
    assert ("Royaume-Uni" if lang == "fr" else "United Kingdom") in reason
