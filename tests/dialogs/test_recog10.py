"""Questions of fact the recognizer still took for requests (branch recog10, issue 12; found by
round facts9, ``bench/records/facts9_scores.md`` "left"), over real HTTP (``bot.app.create_app``
through :mod:`bench.heldout_eval`'s harness), in both languages, in words of their own:

* "who handles emergency routing in ..." / "qui gère le routage des appels d'urgence ..." asks
  who routes emergency calls (the emergency addresses and routing fact), not for a users list;
* a terse "<plan> minutes per user in <country>" / "minutes du forfait ... par user en <pays>"
  asks how many minutes a plan gives each user, not for the tenant's pool table;
* "what should I check before buying" / "que faut-il vérifier avant d'acheter" asks for the
  buying checklist (a direct fact), not to start the purchase questionnaire.

Plus look-alike requests that must stay requests: a users lookup ("who has the international
plan"), a pool lookup ("how many minutes are left in our French pool"), a purchase with a seat
count, and a number check with a number.
"""

from __future__ import annotations

import pytest

from dialogs.nlu.recognizer import recognize
from testkit.dev_floors import Case, case_misses

pytestmark = pytest.mark.usefixtures("local_mode")

CASES: list[Case] = [
    # who handles emergency routing: a question of fact
    ("en", "who handles emergency routing in australia", ["fact"], [r"(?i)emergency"], []),
    ("en", "who handles the routing of emergency calls in germany?", ["fact"], [r"(?i)emergency"], []),
    ("fr", "qui gère le routage des appels d'urgence en australie", ["fact"], [r"(?i)urgence"], []),
    ("fr", "en allemagne, qui gère les appels d'urgence ?", ["fact"], [r"(?i)urgence"], []),
    # terse "<plan> minutes per user in <country>": the minutes each user gets
    ("en", "international plan minutes per user in spain", ["fact"], [r"\b600\b"], []),
    ("en", "domestic plan minutes per person in mexico", ["fact"], [r"(?i)minutes"], []),
    ("fr", "minutes du forfait national par user en Espagne", ["fact"], [r"(?i)minutes"], []),
    ("fr", "forfait international minutes par utilisateur allemagne", ["fact"], [r"\b600\b"], []),
    # what to check before buying: the buying checklist, not the purchase questionnaire
    ("en", "what should I check before buying", ["fact"], [r"(?i)international"], []),
    ("en", "before we buy any plans, what do we need to decide?", ["fact"], [r"(?i)international"], []),
    ("fr", "qu'est-ce que je dois vérifier avant d'acheter des forfaits ?", ["fact"], [r"(?i)international"], []),
    ("fr", "avant d'acheter, que faut-il décider ?", ["fact"], [r"(?i)international"], []),
    ("en", "do we need teams phone before buying a calling plan", ["fact"], [r"(?i)Teams Phone"], []),
    # look-alike requests stay requests
    ("en", "how many minutes are left in our French pool", ["pool"], [r"(?i)minutes"], []),
    (
        "en",
        "we need plans for 30 users in Spain",
        ["prompt_international", "recommendation"],
        [r"\b30 (users|utilisateurs)\b"],
        [],
    ),
    ("en", "who has the international plan", ["users"], [r"(?i)users"], []),
    ("fr", "combien de minutes reste-t-il dans notre pool en France ?", ["pool"], [r"(?i)minutes"], []),
    (
        "fr",
        "il nous faut des forfaits pour 30 utilisateurs en Espagne",
        ["prompt_international", "recommendation"],
        [r"\b30 (users|utilisateurs)\b"],
        [],
    ),
    ("fr", "qui a le forfait international", ["users"], [r"(?i)utilisateurs"], []),
    (
        "en",
        "what should we check before buying for 30 users in Spain",
        ["prompt_international", "recommendation"],
        [r"\b30 users\b"],
        [],
    ),
]


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_questions_of_fact_and_their_look_alike_requests_over_http(lang):
    misses = await case_misses(lang, CASES)
    assert misses is None, misses


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("who handles emergency routing in australia", "fact"),
        ("qui gère le routage des appels d'urgence en australie", "fact"),
        ("international plan minutes per user in spain", "fact"),
        ("minutes du forfait national par user en Espagne", "fact"),
        ("what should I check before buying", "fact"),
        ("que faut-il vérifier avant d'acheter", "fact"),
        ("what should we check before buying for 30 users in Spain", "purchase"),
        ("who has the international plan", "users"),
        ("which users have a calling plan", "users"),
        ("how many minutes are left in our French pool", "pool"),
        ("can +33 1 23 45 67 89 be called", "check"),
    ],
)
def test_recognized_intent(text, intent):
    assert recognize(text).intent.value == intent
