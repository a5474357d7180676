"""Round 5 of the questions of fact (branch facts2, issue 12): questions of fact that carry
request words stay questions, and look-alike requests stay requests.

Over real HTTP (``bot.app.create_app`` through :mod:`bench.heldout_eval`'s harness), in both
languages: a buy word in a question that asks WHETHER the asker can ("can I buy the Domestic
plan for Canada?", "on peut acheter des crédits si on est en NCE ?") or asks who ("who do I
buy calling plans from in Australia?") answers the fact; a conditional about our pool ("what
happens if our France pool runs out?", "et si notre pool France est épuisé ?") answers what
happens, not the balance; a kind of number ("premium numbers", "numéros surtaxés") asked about
users on a plan in a country is no destination to check. The same words as requests keep their
dialog: a seat count to buy for, a balance asked now, a user and a number. Then the blind dev
set ``facts_dev5`` keeps its floors.
"""

from __future__ import annotations

import pytest

from bench import dev_sets
from testkit.dev_floors import Case, below_floors, case_misses

pytestmark = pytest.mark.usefixtures("local_mode")

UNDERSTOOD = 0.84
CORRECT = 0.80

_N = "[ ,.\u202f\u00a0]?"  # a thousands separator as Babel writes it (3,000 / 3 000)
_PURCHASE = [
    "recommendation",
    "prompt_users",
    "prompt_countries",
    "prompt_international",
    "prompt_licence",
    "prompt_carrier",
]

#: (lang, message, kinds, regexes the reply must show, regexes it must not)
CASES: list[Case] = [
    # whether the asker can or must buy: the fact
    ("en", "can I buy the Domestic plan for Canada?", ["fact"], [r"Canada", rf"3{_N}000"], []),
    ("fr", "je peux acheter le forfait national pour le Canada ?", ["fact"], [r"Canada", rf"3{_N}000"], []),
    ("en", "can we still buy the 240 minute plan in the US?", ["fact"], [r"(?i)not (available|sold)"], []),
    ("fr", "on peut encore acheter le forfait 240 minutes aux USA ?", ["fact"], [r"(?i)pas (disponible|vendu)"], []),
    (
        "en",
        "can I buy communications credits if we are on NCE?",
        ["fact"],
        [r"(?i)credits"],
        [r"(?i)which countr"],
    ),
    (
        "fr",
        "on peut acheter des crédits de communication si on est en NCE ?",
        ["fact"],
        [r"(?i)crédits"],
        [r"(?i)quels pays"],
    ),
    ("en", "who do I buy calling plans from in Australia?", ["fact"], [r"Telstra"], []),
    ("fr", "on achete les forfaits chez qui en australie ?", ["fact"], [r"Telstra"], []),
    # a conditional about our pool: what happens, not the balance
    ("en", "what happens if our France pool runs out?", ["fact"], [r"(?i)credits|overage"], [r"minutes left"]),
    ("fr", "et si notre pool France est épuisé ?", ["fact"], [r"(?i)crédits|dépassement"], [r"restantes sur"]),
    # a kind of number is no destination to check
    ("en", "can users on the domestic plan in Ireland call premium numbers?", ["fact"], [r"(?i)premium"], []),
    (
        "fr",
        "les utilisateurs au forfait national en Irlande peuvent appeler les numéros surtaxés ?",
        ["fact"],
        [r"(?i)surtax"],
        [],
    ),
    # the same words as requests keep their dialog
    ("en", "can we buy the domestic plan for 30 users in Belgium?", _PURCHASE, [r"(?i)Belgium|licen|carrier"], []),
    (
        "fr",
        "on peut acheter le forfait national pour 30 utilisateurs en Belgique ?",
        _PURCHASE,
        [r"(?i)Belgique|licence|opérateur"],
        [],
    ),
    ("en", "how much is left in Germany?", ["pool"], [r"Germany"], []),
    ("fr", "combien il reste en France ce mois ?", ["pool"], [r"France"], []),
    ("en", "are we about to run out of minutes in the US?", ["pool"], [r"United States"], []),
    ("fr", "on va bientôt manquer de minutes aux US ?", ["pool"], [r"États-Unis"], []),
    ("en", "can alice call +32 2 555 12 34?", ["verdict", "prompt_caller"], [r"(?i)alice|\+32|Belgi"], []),
    (
        "fr",
        "est-ce qu'alice peut appeler le +32 2 555 12 34 ?",
        ["verdict", "prompt_caller"],
        [r"(?i)alice|\+32|Belgique"],
        [],
    ),
]


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_questions_with_request_words_and_look_alike_requests_over_http(lang):
    misses = await case_misses(lang, CASES)
    assert misses is None, misses


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_blind_set_has_both_halves(lang):
    dev = dev_sets.load(lang, "facts_dev5")
    kinds = [set(item.expect.kind) for item in dev.items if item.expect]
    assert sum(k == {"fact"} for k in kinds) >= 45
    assert sum(bool(k & {"recommendation", "verdict", "pool", "users"}) for k in kinds) >= 25
    assert all(item.expect and (item.expect.has or item.expect.link) for item in dev.items)


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_the_blind_set_keeps_its_floors_over_http(lang):
    misses = await below_floors(lang, "facts_dev5", UNDERSTOOD, CORRECT)
    assert misses is None, misses
