"""The recognizer's direct facts (lexicon ``direct_facts``, dialogs_dev6): a price question is
the prices fact whatever else it names (a plan, a seat count, a country), Business Voice is the
bundle's fact, a plan's availability for a seat count with no country is that plan's fact; the
look-alikes stay what they were (advice, shared-cost numbers, Cost Management, pool balances,
a check naming a number or a user, a purchase naming a country)."""

from __future__ import annotations

import pytest

from dialogs.nlu.entities import extract
from dialogs.nlu.recognizer import Intent, _direct_fact, recognize


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("how much is the D&I plan?", "prices"),
        ("what does the Domestic Calling Plan cost per user?", "prices"),
        ("how much would calling plans for 20 users in France cost?", "prices"),
        ("how much do we pay per minute on pay as you go?", "prices"),
        ("combien coûte le forfait national ?", "prices"),
        ("combien pour 50 licences de forfait national par mois ?", "prices"),
        ("le forfait international est-il cher ?", "prices"),
        ("can I still buy Business Voice for 10 users?", "bundle"),
        ("Business Voice est-il toujours vendu ?", "bundle"),
        ("is the bundle available for 300 users?", "bundle"),
        ("le pack est-il disponible pour 300 utilisateurs ?", "bundle"),
        ("can a company with 500 employees get Teams Phone with Calling Plan?", "bundle"),
    ],
)
def test_a_direct_fact_is_answered_whatever_else_the_message_names(text, fact):
    recognition = recognize(text)
    assert recognition.intent == Intent.FACT and recognition.facts[0][0] == fact


@pytest.mark.parametrize(
    "text",
    [
        "is PAYG cheaper for users who make few calls?",  # advice, not a price
        "c'est moins cher le PAYG ?",
        "do shared cost numbers work?",
        "where do I see overage in cost management?",
        "how much is left in the pool?",
        "how much is left on the domestic plan in France?",
        "can alice@contoso.com call +44 20 7946 0958, and what does it cost?",  # a check
        "buy the bundle for 300 users in France",  # a country: a purchase
        "how much does the domestic plan include?",
    ],
)
def test_a_look_alike_is_no_direct_fact(text):
    assert _direct_fact(extract(text)) is None  # left to the scoring rules, as before
