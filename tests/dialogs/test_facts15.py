"""Questions of fact that were read as a lookup of the tenant's own pool, or met with the wrong
fact (branch facts15, issue 12), over real HTTP (``bot.app.create_app`` through
:mod:`bench.heldout_eval`'s harness), in words of their own (no dev item's text):

* two countries' minutes compared ("more minutes than", "le même nombre de minutes"): a question
  about the plans, not about the tenant's pool (lexicon ``pool`` features lose, ``fact`` cues
  win; ``minutes_per_user`` forms for the comparison);
* the inbound limit: incoming calls never draw on a pool, so "inbound"/"entrant" takes weight off
  the pool lookup that "limit" gave it, and "inbound limit" is a question shape;
* combining Direct Routing with Calling Plans ("combiner", which the fuzzy search read close to
  "combien" in a usage-export form): ``pstn_options`` forms in both languages;
* overage paid through a CSP partner on an MCA: ``funding_methods`` now clears ``overage``
  (the two tied at 0.68);
* the pool reset "on the 1st" or rolling ("1st" -> "first": a synonym).

Look-alikes that keep their kind: the tenant's own pool asked about stays a pool lookup.
"""

from __future__ import annotations

import pytest

from knowledge import fact_search
from testkit.dev_floors import Case, case_misses

pytestmark = pytest.mark.usefixtures("local_mode")

CASES: list[Case] = [
    # two countries' minutes compared: the plans' minutes, not our pool
    ("en", "do italian users get fewer minutes than users in spain?", ["fact"], [r"(?i)minutes"], []),
    (
        "fr",
        "un utilisateur en Espagne a-t-il autant de minutes qu'un utilisateur en Italie ?",
        ["fact"],
        [r"(?i)minutes"],
        [],
    ),
    # the inbound limit: a fact, not a pool lookup
    ("en", "incoming limit for our pay as you go people?", ["fact"], [r"(?i)incoming|inbound"], []),
    ("fr", "y a une limite sur les appels entrants en PAYG ?", ["fact"], [r"(?i)entrants"], []),
    # Direct Routing and Calling Plans together ("combiner" is not "combien")
    ("fr", "peut-on combiner le routage direct avec des forfaits d'appels ?", ["fact"], [r"(?i)routage direct"], []),
    ("en", "can we mix direct routing with calling plans in our tenant?", ["fact"], [r"(?i)direct routing"], []),
    # overage paid through a CSP partner: the funding fact, not the overage fact
    (
        "en",
        "our licences come from a CSP partner on an MCA: who bills us for overage?",
        ["fact"],
        [r"(?i)postpaid", r"(?i)partner"],
        [],
    ),
    (
        "fr",
        "on passe par un partenaire CSP en MCA : comment est payé le dépassement ?",
        ["fact"],
        [r"(?i)postpay", r"(?i)partenaire"],
        [],
    ),
    # look-alikes: the tenant's own pool stays a pool lookup
    ("en", "how many minutes are left in our German pool?", ["pool"], [r"Germany"], []),
    ("fr", "combien de minutes reste-t-il dans notre pool en Allemagne ?", ["pool"], [r"Allemagne"], []),
    ("en", "how many minutes have we used this month in France?", ["pool"], [r"France"], []),
]


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_facts15_questions_are_answered_over_http(lang):
    misses = await case_misses(lang, CASES)
    assert misses is None, misses


def test_first_of_the_month_reads_the_same_written_1st():
    assert fact_search.query_form("does the pool reset on the 1st") == fact_search.query_form(
        "does the pool reset on the first"
    )
    assert fact_search.search("is the reset on the 1st or rolling from the purchase date")[0][0] == "pool_how"


def test_combiner_finds_the_pstn_options_not_the_usage_export():
    best = fact_search.search("combiner routage direct et forfaits d'appels pour nos équipes")[0]
    assert best[0] == "pstn_options" and best[1] >= fact_search.ANSWER_FLOOR


def test_overage_through_a_partner_is_the_funding_fact():
    ranked = fact_search.search("overage paid through our CSP partner on an MCA?")
    assert ranked[0][0] == "funding_methods"
    assert ranked[0][1] - dict(ranked)["overage"] >= 0.05
