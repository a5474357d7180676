"""Questions of fact the recognizer still took for requests, and requests it took for facts
(branch recog11, issue 12; the leftovers of rounds facts10 and dialogs9), over real HTTP
(``bot.app.create_app`` through :mod:`bench.heldout_eval`'s harness), in both languages, in
words of their own:

* a seat count told as context in a sentence before the question ("we have 35 people in
  lisbon on the domestic plan. ... do they all share one pool?") is no purchase;
* "one pool or two", "share one pool", "un pool ou deux", "le même pool" between countries or
  plans asks how pools work, not for the tenant's pool table; "does the D&I plan have one pool
  or two" keeps that plan's fact, and the US and Puerto Rico keep theirs;
* "which calling plan for our E3 staff?" asks which plan to buy (the purchase asks where they
  are), not what E3 includes;
* "<plan> balance in <country>" / "solde du forfait ... en <pays>" is the tenant's pool;
* "standardistes", "receptionists" are people: "nos 8 standardistes e3" is a seat count;
* "qui est le fournisseur des forfaits ..." asks who sells them (a fact), not for a users list;
* "a user in Lyon phones Geneva, does that count as international?" asks how a call is classed
  (a fact), while "can our UK users call Ireland?" stays a number check; "the 120/240 plans"
  names plans, not a number to dial;
* "can one of our staff dial a number in Norway?" asks to check a number still to be given (the
  number check asks for it), while "can users call premium numbers in Norway?" stays a fact.

Plus look-alike requests that keep their kind: a purchase with a seat count in one sentence, a
purchase whose question after the context asks for the plan ("- which plan?"), a pool lookup
with "left".
"""

from __future__ import annotations

import pytest

from dialogs.nlu.recognizer import recognize
from testkit.dev_floors import Case, case_misses

pytestmark = pytest.mark.usefixtures("local_mode")

_PURCHASE_START = ["prompt_international", "prompt_countries", "prompt_licence", "recommendation"]

CASES: list[Case] = [
    # a seat count told as context, then a question of fact
    (
        "en",
        "we have 35 people in lisbon on the domestic plan. a few of them call a lot. do they all share one pool?",
        ["fact"],
        [r"(?i)pool"],
        [],
    ),
    (
        "fr",
        "nous avons 35 personnes à Lisbonne en forfait national. est-ce qu'elles partagent le même pool ?",
        ["fact"],
        [r"(?i)pool"],
        [],
    ),
    (
        "en",
        "our team in Vienna has 25 users on the domestic plan - once the minutes run out, what happens to calls?",
        ["fact"],
        [r"(?i)credits"],
        [],
    ),
    (
        "fr",
        "notre équipe de Vienne a 25 utilisateurs en forfait national. quand les minutes sont épuisées, "
        "que se passe-t-il ?",
        ["fact"],
        [r"(?i)crédits"],
        [],
    ),
    # one pool or two: how pools work
    ("en", "our dutch and belgian users are all on the domestic plan, one pool or two?", ["fact"], [r"(?i)pool"], []),
    ("fr", "nos users belges et néerlandais sont en forfait national, un pool ou deux ?", ["fact"], [r"(?i)pool"], []),
    ("en", "do domestic plan users in Norway and Denmark draw from the same pool?", ["fact"], [r"(?i)pool"], []),
    # which plan for our <licence> users: a purchase asking where they are
    ("en", "which calling plan for our E3 staff?", ["prompt_countries"], [r"(?i)countr"], []),
    ("fr", "quel forfait d'appels pour nos collaborateurs E5 ?", ["prompt_countries"], [r"(?i)pays"], []),
    # a plan's balance in a country: the tenant's pool
    ("en", "Domestic Calling Plan balance in France", ["pool"], [r"(?i)France"], []),
    ("fr", "solde du forfait national en France", ["pool"], [r"(?i)France"], []),
    # who sells calling plans there: a question of fact
    ("fr", "qui est le fournisseur des forfaits d'appels au japon ?", ["fact"], [r"SoftBank"], []),
    # how a call between two places is classed: a question of fact, not a number check
    (
        "en",
        "a user in lyon phones a supplier in geneva, does that count as an international call?",
        ["fact", "choice"],
        [r"(?i)international"],
        [],
    ),
    ("en", "are the 120/240 plans available in canada?", ["fact"], [r"\b120\b"], []),
    # look-alike requests keep their kind
    ("en", "can our UK users call Ireland?", ["prompt_number", "prompt_plan", "prompt_caller", "verdict"], [r"\w"], []),
    (
        "fr",
        "nos utilisateurs britanniques peuvent-ils appeler l'Irlande ?",
        ["prompt_number", "prompt_plan", "prompt_caller", "verdict"],
        [r"\w"],
        [],
    ),
    ("en", "we need plans for 30 users in Spain", _PURCHASE_START, [r"\b30 users\b"], []),
    ("fr", "il nous faut des forfaits pour 30 utilisateurs en Espagne", _PURCHASE_START, [r"\b30 utilisateurs\b"], []),
    ("en", "25 users in Portugal with E3, they mostly call abroad - which plan?", _PURCHASE_START, [r"Portugal"], []),
    (
        "fr",
        "25 utilisateurs au Portugal en E3, ils appellent surtout l'étranger - quel forfait ?",
        _PURCHASE_START,
        [r"Portugal"],
        [],
    ),
    ("en", "how many minutes are left in our French pool", ["pool"], [r"(?i)minutes"], []),
    # a number still to give: the number check asks for it, premium numbers stay a fact
    ("en", "can one of our staff dial a number in Norway?", ["prompt_number", "prompt_caller"], [r"(?i)number"], []),
    (
        "fr",
        "un de nos collaborateurs peut-il composer un numéro en Norvège ?",
        ["prompt_number", "prompt_caller"],
        [r"(?i)numéro"],
        [],
    ),
    ("en", "can users call premium numbers in Norway?", ["fact"], [r"(?i)premium"], []),
    ("fr", "combien de minutes reste-t-il dans notre pool en France ?", ["pool"], [r"(?i)minutes"], []),
]


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_questions_of_fact_and_their_look_alike_requests_over_http(lang):
    misses = await case_misses(lang, CASES)
    assert misses is None, misses


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("we have 35 people in lisbon on the domestic plan. do they all share one pool?", "fact"),
        ("in spain we run 120 and 240 minute plans side by side. one pool or two?", "fact"),
        ("nos users suisses et italiens sont en forfait national, ils partagent le même pool ?", "fact"),
        ("which calling plan for our E3 staff?", "purchase"),
        ("quel forfait d'appels pour nos collaborateurs E5 ?", "purchase"),
        ("Domestic Calling Plan balance in France", "pool"),
        ("solde du forfait national en France", "pool"),
        ("nos 8 standardistes e3 à Lyon", "purchase"),
        ("our 8 receptionists on E3 in Lyon", "purchase"),
        ("we need plans for 30 users in Spain", "purchase"),
        ("25 users in Portugal with E3, they mostly call abroad - which plan?", "purchase"),
        ("30 users in Spain. which plan should we buy?", "purchase"),
        ("how many minutes are left in our French pool", "pool"),
        ("what is a communications credits balance?", "fact"),
        ("a user in lyon phones a supplier in geneva, does that count as an international call?", "fact"),
        ("UK user ringing Dublin - domestic or international?", "fact"),
        ("can our UK users call Ireland?", "check"),
        ("nos utilisateurs britanniques peuvent-ils appeler l'Irlande ?", "check"),
        ("are the 120/240 plans available in canada?", "fact"),
        ("can alice call +353 1 234 5678?", "check"),
        ("can one of our staff dial a number in Norway?", "check"),
        ("un de nos collaborateurs peut-il composer un numéro en Norvège ?", "check"),
        ("can users call premium numbers in Norway?", "fact"),
    ],
)
def test_recognized_intent(text, intent):
    assert recognize(text).intent.value == intent


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("our dutch and belgian users are all on the domestic plan, one pool or two?", "pool_how"),
        ("does the D&I plan have one pool or two", "international_plan_includes"),
        ("le forfait national et international a un pool ou deux ?", "international_plan_includes"),
        ("do users in the US and Puerto Rico share one pool?", "us_pr_pool"),
    ],
)
def test_which_pool_question_is_asked(text, fact):
    recognition = recognize(text)
    assert recognition.intent.value == "fact"
    assert recognition.facts[0][0] == fact


def test_seat_count_in_the_question_itself_stays_a_purchase():
    # the seat count is in the last sentence: not context
    recognition = recognize("we are opening an office in Spain. can you set up plans for 30 users there?")
    assert recognition.intent.value == "purchase"
    assert recognition.entities.user_count == 30
