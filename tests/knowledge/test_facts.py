"""The fact base (knowledge/data/facts.json): it loads, cites real sources, covers every topic
of the fact sheet, computes its figures from the catalog, and retrieval finds its questions."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from knowledge import fact_search
from knowledge.catalog import DATA_DIR, load_catalog
from knowledge.facts import (
    COMPUTATIONS,
    TEMPLATES,
    FactQuery,
    FactsError,
    load_facts,
    read_facts,
)
from testkit.narrow import present

#: The topics the fact sheet (shared/domain/calling-plans.md) has and the brief lists: each must
#: be a topic of the fact base with at least one fact.
SHEET_TOPICS = {
    "plans",
    "skus",
    "minutes",
    "callable_countries",
    "pooling",
    "pool_exhaustion",
    "communications_credits",
    "premium_tollfree",
    "availability",
    "dial_out_policy",
    "licensing",
    "pstn_connectivity",
    "emergency",
    "number_allotment",
    "reports_graph",
    "payg",
    "bundle",
    "usage_location",
    "teams_to_teams",
    "inbound",
    "sms",
    "audio_conferencing",
}


def test_every_topic_of_the_sheet_has_a_fact():
    base = load_facts()
    assert set(base.topics) >= SHEET_TOPICS
    assert {fact.topic for fact in base.facts} >= SHEET_TOPICS


def test_every_source_key_is_in_the_catalog():
    sources = load_catalog().sources
    for fact in load_facts().facts:
        assert fact.sources and all(key in sources for key in fact.sources), fact.id


def test_every_fact_is_asked_and_answered_in_both_languages():
    """Each fact has French question forms as well as English ones, and a title and answer in
    both (a French admin's question must find the same fact, answered in French)."""
    for fact in load_facts().facts:
        assert len(fact.questions.en) >= 2 and len(fact.questions.fr) >= 2, fact.id
        assert fact.title.fr.strip() and fact.answer.fr.strip() and fact.title.fr != fact.title.en, fact.id
        for variant in fact.variants.values():
            assert variant.en.strip() and variant.fr.strip() and variant.fr != variant.en, fact.id


#: Queries that reach each outcome of the minute computations (the catalog decides which).
OUTCOMES = {
    "answer": FactQuery(countries=["DE"], plan="MCOPSTN2", user_count=30),
    "answer_no": FactQuery(countries=["BR"], user_count=30),
    "missing": FactQuery(),
    "partner": FactQuery(countries=["AU"], user_count=30),
    "payg": FactQuery(countries=["FR"], plan="PAYG", user_count=30),
    "undocumented": FactQuery(countries=["US"], plan="MCOTEAMS_ESSENTIALS", user_count=30),
    "per_user": FactQuery(countries=["GB"], plan="MCOPSTN8", user_count=30),
}
#: ... and of the minutes per user only: a Domestic plan's minutes say international is not included.
MINUTES_ONLY = {"domestic_only": FactQuery(countries=["PL"], user_count=30)}


@pytest.mark.parametrize("fact_id", ["minutes_per_user", "pool_size"])
def test_every_outcome_of_the_minute_computations_is_reached_from_the_catalog(fact_id):
    catalog = load_catalog()
    outcomes = OUTCOMES | (MINUTES_ONLY if fact_id == "minutes_per_user" else {})
    for template, query in outcomes.items():
        assert load_facts().answer(fact_id, query).template == template, (fact_id, template)
    anywhere = set(POOL_ANYWHERE) if fact_id == "pool_size" else set()
    assert set(outcomes) | anywhere == TEMPLATES[present(load_facts().by_id[fact_id].compute)]
    intl = load_facts().answer(fact_id, OUTCOMES["answer"]).params
    d_and_i = catalog.plan("MCOPSTN2")
    if fact_id == "minutes_per_user":
        assert (intl["minutes"], intl["international_minutes"]) == (
            d_and_i.minutes_for("DE"),
            d_and_i.minutes_for("DE", "international"),
        )
    else:
        assert intl["international_pool"] == 30 * present(d_and_i.minutes_for("DE", "international"))
    partner = load_facts().answer(fact_id, OUTCOMES["partner"]).params
    assert partner["provider"] == present(present(catalog.country("AU")).calling_plans).provider


#: A pool asked with a seat count and no country: the plan's figure where it is sold.
POOL_ANYWHERE = {
    "anywhere": FactQuery(plan="MCOPSTN5", user_count=100),
    "two_figures": FactQuery(plan="MCOPSTN1", user_count=100),
    "per_user_anywhere": FactQuery(plan="MCOPSTN8", user_count=10),
}


def test_a_pool_with_no_country_is_computed_where_the_plan_is_sold():
    """ "100 users on the 120-minute plan" share 12,000 minutes in any country that sells it;
    the Domestic plan's two figures come with the countries of the smaller group (the US,
    Puerto Rico and Canada), from the catalog."""
    base, catalog = load_facts(), load_catalog()
    for template, query in POOL_ANYWHERE.items():
        assert base.answer("pool_size", query).template == template
    small = catalog.plan("MCOPSTN5")
    assert base.answer("pool_size", POOL_ANYWHERE["anywhere"]).params["pool"] == 100 * present(small.minutes_for("FR"))
    two = base.answer("pool_size", POOL_ANYWHERE["two_figures"]).params
    domestic = catalog.plan("MCOPSTN1")
    assert set(two["countries"]) == {"US", "PR", "CA"}
    assert (two["pool"], two["other_pool"]) == (
        100 * present(domestic.minutes_for("US")),
        100 * present(domestic.minutes_for("FR")),
    )
    assert base.answer("pool_size", FactQuery(plan="PAYG", user_count=5)).template == "payg"


@pytest.mark.parametrize(
    ("query", "template", "numbers"),
    [
        (FactQuery(user_count=100, plan="MCOPSTN2"), "answer", 120),
        (FactQuery(user_count=15), "answer", 26),  # 16.5 + 10, rounded down
        (FactQuery(user_count=40, plan="PAYG"), "payg", 40),
        (FactQuery(), "missing", None),
    ],
)
def test_phone_numbers_per_licence_are_computed_from_the_seat_count(query, template, numbers):
    answer = load_facts().answer("phone_numbers", query)
    assert answer.template == template
    assert answer.params.get("numbers") == numbers


def test_a_computed_fact_without_a_template_for_an_outcome_is_refused(tmp_path):
    def drop(data):
        fact = next(f for f in data["facts"] if f["id"] == "minutes_per_user")
        fact["variants"].pop("payg")

    with pytest.raises(FactsError, match=r"no template for \['payg'\]"):
        read_facts(_broken(tmp_path, drop))


def test_computed_facts_name_known_computations_and_say_what_is_missing():
    computed = [fact for fact in load_facts().facts if fact.compute]
    assert {fact.compute for fact in computed} == set(COMPUTATIONS)
    for fact in computed:
        answer = load_facts().answer(fact.id, FactQuery())
        assert answer.template == "missing", fact.id


def _broken(tmp_path: Path, change) -> Path:
    data = json.loads((DATA_DIR / "facts.json").read_text("utf-8"))
    change(data)
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(data), "utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["facts"][0].update(sources=["NOT_A_KEY"]), "unknown source keys ['NOT_A_KEY']"),
        (lambda d: d["facts"].append(dict(d["facts"][0])), "appears twice"),
        (lambda d: d["topics"].update(orphan="§99"), "topics with no fact: ['orphan']"),
        (lambda d: d["facts"][0].update(compute="astrology", missing={"en": "x", "fr": "x"}), "unknown computation"),
        (lambda d: d["facts"][0]["questions"].update(fr=[]), "fr"),
        (lambda d: d["facts"][0].update(for_country={"fact": "pool_how"}), "for_country names no computed"),
        (lambda d: d["facts"][0].update(for_country={"fact": "minutes_per_user", "plan": "X9"}), "unknown plan"),
    ],
)
def test_a_broken_file_is_refused_naming_the_problem(tmp_path, change, message):
    with pytest.raises(FactsError, match=r"facts\.json") as error:
        read_facts(_broken(tmp_path, change))
    assert message in str(error.value)


def test_minutes_per_user_is_the_catalogs_figure():
    catalog = load_catalog()
    for iso in ("DE", "US", "CA", "FR"):
        answer = load_facts().answer("minutes_per_user", FactQuery(countries=[iso]))
        assert answer.template == "domestic_only"  # the Domestic plan: international not included
        assert answer.params["minutes"] == catalog.plan("MCOPSTN1").minutes_for(iso)
    intl = load_facts().answer("minutes_per_user", FactQuery(countries=["GB"], plan="MCOPSTN2"))
    assert intl.params["international_minutes"] == catalog.plan("MCOPSTN2").minutes_for("GB", "international")


def test_pool_size_is_users_times_minutes():
    answer = load_facts().answer("pool_size", FactQuery(countries=["ES"], user_count=80))
    assert answer.params["pool"] == 80 * present(load_catalog().plan("MCOPSTN1").minutes_for("ES"))


def test_a_plan_not_sold_in_the_country_has_no_figure():
    for query in (FactQuery(countries=["MA"]), FactQuery(countries=["US"], plan="MCOPSTN5")):
        assert load_facts().answer("minutes_per_user", query).template == "answer_no"


def test_a_base_licence_says_whether_it_includes_teams_phone():
    catalog = load_catalog()
    for family in ("E5", "A5", "G5", "E3", "BUSINESS_PREMIUM"):
        found = present(catalog.family(family))
        answer = load_facts().answer("teams_phone_required", FactQuery(licence=family))
        assert answer.template == ("answer" if found.teams_phone else "answer_no")
        assert set(found.sources) <= set(answer.sources)
    assert load_facts().answer("teams_phone_required", FactQuery()).template == "missing"


def test_premium_numbers_follow_the_catalogs_rule_for_the_country():
    catalog = load_catalog()
    expected = {"AT": "answer", "DE": "answer_no", "FR": "credits", "GB": "prefixes", "BR": "undocumented"}
    for iso, template in expected.items():
        answer = load_facts().answer("premium_numbers", FactQuery(countries=[iso]))
        assert answer.template == template, iso
        assert set(catalog.premium_rule(iso).sources) <= set(answer.sources)
    uk = load_facts().answer("premium_numbers", FactQuery(countries=["GB"]))
    assert (
        uk.params["prefix"] == "+44" and "870" in uk.params["credits_prefixes"] and uk.params["blocked_prefixes"] == "9"
    )


def test_availability_and_callable_come_from_the_catalog():
    catalog = load_catalog()
    sold = load_facts().answer("availability", FactQuery(countries=["FR"]))
    assert (sold.template, sold.params["plans"]) == (
        "answer",
        list(present(present(catalog.country("FR")).calling_plans).plans),
    )
    assert load_facts().answer("availability", FactQuery(countries=["BR"])).template == "answer_no"
    assert load_facts().answer("availability", FactQuery()).params["count"] == catalog.calling_plan_count.value
    callable_ = load_facts().answer("callable_count", FactQuery(countries=["MA"]))
    assert callable_.template == ("answer" if catalog.is_callable_destination("MA") else "answer_no")


def test_retrieval_finds_each_question_form_of_its_own_fact():
    """Every form written in the base retrieves its own fact first (else two facts compete for
    the same question and one can never be answered)."""
    base = load_facts()
    forms = [(fact.id, form) for fact in base.facts for lang in ("en", "fr") for form in fact.questions[lang]]
    wrong = [(fid, form, fact_search.search(form)[0]) for fid, form in forms if fact_search.search(form)[0][0] != fid]
    assert not wrong


def test_retrieval_folds_case_and_accents_and_bounds_the_query():
    assert fact_search.fold("Qu'EST-CE que les CRÉDITS ?") == "qu est ce que les credits"
    plain = fact_search.search("que sont les credits de communication")[0]
    accented = fact_search.search("QUE SONT LES CRÉDITS DE COMMUNICATION ?")[0]
    assert plain[0] == accented[0] == "credits_what"
    assert fact_search.query_form("x " * 10_000).count("x") <= fact_search.MAX_QUERY_CHARS


def test_folding_skips_decomposition_only_when_nothing_decomposes():
    # "\u212a" (Kelvin sign) lowers to an ASCII "k"; "\u00e9" decomposes; "\ufb01" (ligature) splits.
    assert fact_search.fold("\u212aB per Minute") == "kb per minute"
    assert fact_search.fold("D\u00e9j\u00e0 PAYG, \ufb01ne!") == "deja payg fine"
    assert fact_search.fold("Calling-Plan? (E5)") == "calling plan e5"


def _dev_queries() -> list[str]:
    """The folded queries of every question form and of the retrieval dev sets' messages."""
    corpus = Path(__file__).parents[1] / "dialogs" / "corpus"
    texts = [form for fact in load_facts().facts for lang in ("en", "fr") for form in fact.questions[lang]]
    for path in sorted(corpus.glob("facts_dev*.json")):
        texts += [item["text"] for item in json.loads(path.read_text(encoding="utf-8"))["items"]]
    return sorted({fact_search.query_form(t) for t in texts} - {""})


@pytest.mark.parametrize("k", [1, 8, 40])
def test_the_bm25_shortlist_is_the_sorted_top_k_whatever_the_ties(k):
    """The blend's candidates skip sorting every form; they must be the very forms the full sort
    keeps, ties across the k-th score included (else a message's facts would change)."""
    queries = _dev_queries()
    tied = 0
    for query in queries:
        top = fact_search._bm25_top(query, k)
        assert fact_search._bm25_shortlist(query, k) == {i for i, _ in top}, query
        scores = fact_search._bm25_scores(query)
        if scores is not None and len(top) == k:
            kth = top[-1][1]
            tied += (scores == kth).sum() > sum(1 for _, s in top if s == kth)
    assert tied  # a tie across the k-th score (the full sort picks) is exercised


def test_search_reads_a_message_once_and_ranks_as_its_parts_do():
    """:func:`fact_search.search` folds once and hands the fold on: the same ranking as the
    parts called on the text."""
    for text in ["pool balance", "Can we get calling plans in India?", "Qu'est-ce que MCOPSTN5 ?", "E5 en France"]:
        ranked = fact_search.search_blend(text)
        assert fact_search.search(text) == fact_search.named_first(text, fact_search.country_first(text, ranked))


@pytest.mark.parametrize("method", ["fuzzy", "bm25", "blend"])
def test_every_method_ranks_an_exact_question_first(method):
    ranked = fact_search.search("what happens when the pool runs out", method)
    assert ranked[0][0] == "pool_exhausted"
    assert all(a[1] >= b[1] for a, b in itertools.pairwise(ranked))
