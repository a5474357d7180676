"""Questions of fact that the blind ``facts_dev9`` set (branch facts13, issue 12) found met with
the closest-questions buttons, a dialog or one country's figure only, over real HTTP
(``bot.app.create_app`` through :mod:`bench.heldout_eval`'s harness), in both languages, in
words of their own (no dev item's text):

* a situation told before the question dilutes it: each fact is now ranked at its better score
  of the whole message and of the question it ends with (``recognizer._Reading.search``,
  :func:`knowledge.fact_search.asked_part`, :func:`knowledge.fact_search.merge_rankings`);
* a city or a demonym ("our Vienna branch", "nos collègues irlandais") is read as its country
  by fact retrieval (``dialogs.nlu.entities.places_as_countries``);
* international minutes asked about with no plan named are the Domestic and International
  plan's (``knowledge.facts.DEFAULT_INTERNATIONAL_PLAN``), not the Domestic plan's "none";
* a question naming two countries of a per-country fact gets each country's figure, from the
  catalog (``dialogs.facts._each_country``), not the first country's only.
"""

from __future__ import annotations

import pytest

from dialogs.facts import fact_reply
from dialogs.nlu.entities import Entities
from knowledge import fact_search
from knowledge.catalog import load_catalog
from testkit.dev_floors import THOUSANDS as _NUM_SEP
from testkit.dev_floors import Case, case_misses

pytestmark = pytest.mark.usefixtures("local_mode")


CASES: list[Case] = [
    # context first, then the question
    (
        "en",
        "We run a busy help desk. People ring us all day. are incoming calls taken from the pool minutes?",
        ["fact"],
        [r"(?i)unlimited"],
        [],
    ),
    (
        "fr",
        "Notre standard reçoit surtout des appels. Les appels entrants sont-ils décomptés des minutes du pool ?",
        ["fact"],
        [r"(?i)illimit"],
        [],
    ),
    # a city or a people named instead of the country
    (
        "en",
        "the folks in our Vienna branch want PAYG - what zone does that put them in?",
        ["fact"],
        [r"Zone 2"],
        [],
    ),
    (
        "fr",
        "nos utilisateurs irlandais passent au paiement à l'usage : dans quelle zone sont-ils ?",
        ["fact"],
        [r"(?i)zone 2"],
        [],
    ),
    # international minutes asked with no plan named: the plan that has them
    (
        "en",
        "how many international minutes does a user in Portugal get?",
        ["fact"],
        [r"\b600\b"],
        [],
    ),
    # two countries compared: each one's figure
    (
        "en",
        "domestic minutes per user, the US versus Spain?",
        ["fact"],
        [rf"\b3{_NUM_SEP}000\b", rf"\b1{_NUM_SEP}200\b", r"United States", r"Spain"],
        [],
    ),
    (
        "fr",
        "combien de minutes nationales par utilisateur au Canada et en Italie ?",
        ["fact"],
        [rf"\b3{_NUM_SEP}000\b", rf"\b1{_NUM_SEP}200\b", r"Canada", r"Italie"],
        [],
    ),
]


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_facts_dev9s_misses_are_answered_over_http(lang):
    misses = await case_misses(lang, CASES)
    assert misses is None, misses


def test_the_question_a_message_ends_with_is_searched_alone_only_when_it_says_enough():
    assert fact_search.asked_part("do incoming calls count against the minutes?") is not None
    assert fact_search.asked_part("how does it work?") is None  # too few words that say which fact
    assert fact_search.asked_part("Comment ça marche ?") is None
    assert fact_search.asked_part("incoming calls count against the minutes") is None  # no question
    assert fact_search.asked_part(None) is None


def test_merged_rankings_keep_each_facts_best_score():
    merged = fact_search.merge_rankings([("a", 0.6), ("b", 0.5), ("c", 0.4)], [("b", 0.8), ("c", 0.3)])
    assert merged == [("b", 0.8), ("a", 0.6), ("c", 0.4)]
    # a fact the whole message is not close to is not brought in by its last question alone
    far = [("a", 0.6), ("b", 0.5), ("c", 0.4), ("d", 0.3)]
    assert fact_search.merge_rankings(far, [("d", 0.9), ("e", 0.9)]) == far


def test_two_countries_get_each_countrys_minutes_from_the_catalog():
    plan = load_catalog().plan("MCOPSTN1")
    text = fact_reply("minutes_per_user", Entities(countries=["CA", "DE"]), "en").text
    for iso, name in (("CA", "Canada"), ("DE", "Germany")):
        minutes = plan.minutes_for(iso, "domestic")
        assert minutes is not None and f"{minutes:,}" in text and name in text
    one = fact_reply("minutes_per_user", Entities(countries=["CA"]), "en").text
    assert "Germany" not in one
    # the same figure twice is said once ("Canada and the US": two sentences, each its country)
    many = fact_reply("minutes_per_user", Entities(countries=["CA", "US", "FR", "DE"]), "en").text
    assert "Germany" not in many  # four countries are no comparison: the first one's figure


def test_cities_and_peoples_read_as_their_country_for_retrieval():
    from dialogs.nlu.entities import places_as_countries

    assert places_as_countries("Is our Dublin office in zone 2?") == "is our ireland office in zone 2"
    assert "germany" in places_as_countries("notre bureau de Francfort")
    # a people the fact base's questions name as they are stays ("numéros mexicains")
    assert places_as_countries("numéros mexicains") == "numeros mexicains"


def test_international_minutes_without_a_plan_are_the_international_plans():
    from knowledge.facts import DEFAULT_INTERNATIONAL_PLAN, FactQuery, load_facts

    answer = load_facts().answer("minutes_per_user", FactQuery(countries=["PT"], line="international"))
    plan = load_catalog().plan(DEFAULT_INTERNATIONAL_PLAN)
    assert answer.params["plan"] == plan.sku
    assert answer.params["international_minutes"] == plan.minutes_for("PT", "international") == 600
    domestic = load_facts().answer("minutes_per_user", FactQuery(countries=["PT"]))
    assert domestic.params["plan"] != plan.sku
