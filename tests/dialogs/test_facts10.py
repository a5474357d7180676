"""Questions of fact that the blind ``facts_dev8`` set found unanswered (branch facts10, issue
12 round 3), over real HTTP (``bot.app.create_app`` through :mod:`bench.heldout_eval`'s
harness), in both languages, in words of their own (no dev item's text):

* answers that now say what the sheet says: a Calling Plan is Microsoft as the carrier, newer
  docs call the Domestic and International plan the "International Calling Plan", the Teams
  Phone + Pay-As-You-Go variant, the credits licence's unlimited quantity, PAYG SMS (none
  included, billed per message), the 120-minute plan's SMS, users enabled for emergency calls
  automatically, Call ID not unique and the Direct Routing tab's columns;
* concepts the fact base had no form for: what decides "domestic" (not the billing address),
  when the pool resets (refresh, renew), PSAP routing by country, credits used first in first
  out, the role that turns overage on, how a CSP-under-MCA tenant pays beyond the pool, a
  resource account for an extensibility bot;
* context before the question: "we ..." alone no longer makes a question about the tenant's
  pools now (``questions.json`` ``tenant_words``), while "are we about to blow through our
  minutes" still is a pool lookup.
"""

from __future__ import annotations

import pytest

from dialogs.nlu import questions
from dialogs.nlu.entities import extract
from dialogs.nlu.recognizer import Intent, recognize
from testkit.dev_floors import Case, case_misses

pytestmark = pytest.mark.usefixtures("local_mode")

CASES: list[Case] = [
    # answers that now say what the sheet says
    ("en", "explain calling plans to me like I'm the finance team: what are they?", ["fact"], [r"(?i)carrier"], []),
    (
        "fr",
        "les forfaits d'appels, expliquez-moi ce que c'est pour la compta ?",
        ["fact"],
        [r"(?i)opérateur"],
        [],
    ),
    (
        "en",
        "newer Microsoft docs mention an 'International Calling Plan', is that just MCOPSTN2 renamed?",
        ["fact"],
        [r"MCOPSTN2"],
        [],
    ),
    (
        "fr",
        "le pack Teams Phone avec forfait existe-t-il aussi en version paiement à l'utilisation ?",
        ["fact"],
        [r"(?i)paiement à l'utilisation"],
        [],
    ),
    (
        "en",
        "why does the Communications Credits licence show an unlimited quantity in the admin center?",
        ["fact"],
        [r"(?i)unlimited", r"(?i)balance"],
        [],
    ),
    ("en", "do pay as you go users get any free text messages?", ["fact"], [r"(?i)billed"], []),
    ("fr", "les SMS avec le paiement à l'utilisation sont-ils gratuits ?", ["fact"], [r"(?i)facturé"], []),
    ("en", "how many SMS does a Domestic 120 licence include?", ["fact"], [r"\b100\b"], []),
    (
        "fr",
        "faut-il activer les appels d'urgence à la main pour chaque utilisateur d'un forfait ?",
        ["fact"],
        [r"(?i)automatiquement"],
        [],
    ),
    (
        "en",
        "can I use the Call ID column of the PSTN export as a unique key?",
        ["fact"],
        [r"(?i)not unique"],
        [],
    ),
    ("en", "does the Direct Routing export have an SBC FQDN column?", ["fact"], [r"SBC FQDN"], []),
    # concepts without a form before
    (
        "en",
        "is domestic worked out from our company's billing address or from something set per user?",
        ["fact"],
        [r"(?i)usage location"],
        [],
    ),
    ("en", "on which day do the pooled minutes renew?", ["fact"], [r"(?i)calendar month"], []),
    ("fr", "les minutes du pool sont remises à zéro à quelle date ?", ["fact"], [r"(?i)mois"], []),
    (
        "en",
        "in Spain, which PSAP answers an emergency call from a Teams user?",
        ["fact"],
        [r"(?i)registered address"],
        [],
    ),
    (
        "fr",
        "pour un utilisateur aux Pays-Bas, l'appel d'urgence va vers quel PSAP ?",
        ["fact"],
        [r"(?i)indicatif"],
        [],
    ),
    ("en", "is our credits balance spent oldest purchase first?", ["fact"], [r"(?i)first in"], []),
    (
        "en",
        "what admin role is needed to switch on pay-as-you-go overage?",
        ["fact"],
        [r"(?i)billing (account|profile)"],
        [],
    ),
    (
        "fr",
        "sous MCA avec un revendeur CSP, qui facture les appels au-delà du pool ?",
        ["fact"],
        [r"(?i)partenaire"],
        [],
    ),
    # context before the question ("we ..."): a question of fact, not our pools now
    (
        "en",
        "we have staff in Italy and in Austria, all on the Domestic plan. is that one shared pool or two?",
        ["fact"],
        [r"(?i)countr"],
        [],
    ),
    (
        "fr",
        "nous avons des utilisateurs en Italie et en Autriche sur le forfait national. un pool commun ou deux ?",
        ["fact"],
        [r"(?i)pays"],
        [],
    ),
]


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_facts_dev8s_misses_are_answered_over_http(lang):
    misses = await case_misses(lang, CASES)
    assert misses is None, misses


@pytest.mark.parametrize(
    ("text", "tenant"),
    [
        ("we mix two plans in Spain, one pool or two?", False),  # context, not our pools now
        ("nous avons deux forfaits en Espagne, un pool ou deux ?", False),
        ("how many minutes have we used this month?", True),  # what a lookup says
        ("are we about to blow through our minutes?", True),
    ],
)
def test_we_alone_is_no_question_about_the_tenants_data(text, tenant):
    assert questions.shape(text, extract(text).words).tenant is tenant


def test_a_pool_lookup_with_we_stays_one():
    assert recognize("are we going to blow through our minutes in France before the month ends?").intent is Intent.POOL
