"""Questions of fact answered with the wrong fact, the "did you mean" card, or lacking what was
asked (branch facts18, issue 12, heldout13 spent), over real HTTP (``bot.app.create_app``
through :mod:`bench.heldout_eval`'s harness), in words of their own (no set's text):

* whether a base licence (A3, G5, Business Premium) already has Teams Phone: the licence's own
  answer, not the closest-questions card;
* when prepaid Communications Credits expire; whether auto-recharge is worth it (recommended);
* Pay-As-You-Go's included minutes (none), and whom it suits;
* keeping your own carrier: Operator Connect / Direct Routing, not the partner card;
* which countries sell Calling Plans, how many markets Microsoft itself operates (33): the
  where-sold card, not the plans overview;
* SMS with the 120-minute plan in the US/Canada: the SMS card.

Look-alikes that keep their answer: Calling Plans in one country (Italy: sold there), E5 and
Teams Phone, what credits are, the PAYG zones, the count of callable countries.
"""

from __future__ import annotations

import pytest

from testkit.dev_floors import Case, case_misses

pytestmark = pytest.mark.usefixtures("local_mode")

CASES: list[Case] = [
    # a base licence and Teams Phone: that licence's answer
    ("en", "is Teams Phone part of A3 already, or is it an add-on?", ["fact"], [r"A3", r"Teams Phone Standard"], []),
    ("en", "our agency runs G5: Teams Phone bundled or not?", ["fact"], [r"G5", r"(?i)includes Teams Phone"], []),
    (
        "fr",
        "avec Business Premium, Teams Phone est-il déjà compris ?",
        ["fact"],
        [r"Business Premium", r"(?i)n'inclut pas"],
        [],
    ),
    # credits: expiry, auto-recharge
    ("en", "do our prepaid calling credits ever run out of validity?", ["fact"], [r"(?i)12 months"], []),
    ("fr", "nos crédits de communication prépayés expirent-ils ?", ["fact"], [r"(?i)12 mois"], []),
    ("en", "is auto recharge for the credits balance worth it?", ["fact"], [r"(?i)recommended"], []),
    ("fr", "la recharge automatique des crédits, c'est conseillé ?", ["fact"], [r"(?i)recommand"], []),
    # Pay-As-You-Go: included minutes, whom it suits
    (
        "en",
        "does the pay as you go plan include any minutes?",
        ["fact"],
        [r"(?i)no minutes"],
        [r"(?i)3,000 minutes per user"],
    ),
    ("fr", "le paiement à l'utilisation comprend-il des minutes ?", ["fact"], [r"(?i)aucune minute"], []),
    ("fr", "à qui le paiement à l'utilisation convient-il ?", ["fact"], [r"(?i)appellent peu"], []),
    # keeping your own carrier
    (
        "en",
        "what are our options to keep our current phone carrier instead of a Microsoft calling plan?",
        ["fact"],
        [r"Operator Connect", r"Direct Routing"],
        [r"Telstra"],
    ),
    # where Calling Plans are sold; how many markets Microsoft operates
    ("en", "which countries does Microsoft sell calling plans in?", ["fact"], [r"\b33\b", r"Telstra"], []),
    ("fr", "dans quels pays peut-on acheter les forfaits d'appels Microsoft ?", ["fact"], [r"\b33\b", r"Telstra"], []),
    ("en", "in how many markets does Microsoft run calling plans itself?", ["fact"], [r"\b33\b"], []),
    # SMS with the 120-minute plan
    ("fr", "combien de SMS a-t-on avec le forfait national 120 minutes aux USA ?", ["fact"], [r"\b100\b"], []),
    # look-alikes that keep their answer
    ("en", "are calling plans sold in Italy?", ["fact"], [r"Italy", r"(?i)\byes\b"], [r"Sweden"]),
    ("en", "does E5 include teams phone?", ["fact"], [r"E5", r"(?i)already includes"], []),
    ("en", "what are communications credits?", ["fact"], [r"(?i)prepaid"], []),
    ("en", "which countries are in payg zone 1?", ["fact"], [r"(?i)zone 1"], []),
    ("fr", "combien de pays les utilisateurs peuvent-ils appeler ?", ["fact"], [r"\b196\b"], []),
    ("fr", "combien de minutes donne le forfait national au Mexique ?", ["fact"], [r"1\s?200"], [r"SMS"]),
    ("fr", "le forfait 120 minutes au Canada, ça fait combien de minutes ?", ["fact"], [r"\b120\b"], [r"SMS"]),
]


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_facts18_questions_are_answered_over_http(lang):
    misses = await case_misses(lang, CASES)
    assert misses is None, misses
