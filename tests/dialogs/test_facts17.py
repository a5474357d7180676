"""Questions of fact read as facts but answered with the wrong fact, a card lacking what they
ask, or the "did you mean" card when one fact is clearly right (branch facts17, issue 12), over
real HTTP (``bot.app.create_app`` through :mod:`bench.heldout_eval`'s harness), in words of
their own (no set's text):

* the 240-minute plan for US users: not sold there (the message's own plan, MCOPSTN6);
* a Calling Plan without Teams Phone, and what to buy before assigning one: the prerequisite;
* examples of countries the international plan calls: some named (``Fact.examples``);
* a legacy agreement with no Communications Credits and the pool used up: calls stop;
* how auto-recharge works (trigger and amount); credit rates by destination;
* what makes a call domestic (the office address?): the usage location;
* Teams Essentials with a Calling Plan; pool per calendar month or billing period; pool size
  from licences bought or assigned;
* UK 084x/087x numbers: the shared-cost rule (synonyms: the prefixes read as one);
* whether Calling Plans exist in a country: where they are sold, naming it;
* a country "reachable" with the D&I plan: the callable list (synonyms: joignable -> callable),
  yes or no (Tunisia is not on it).

Look-alikes that keep their answer: the 120-minute plan itself, the US Domestic plan's minutes,
the count of callable countries, one callable country, what credits are, premium numbers in
Austria, E5 and Teams Phone.
"""

from __future__ import annotations

import json

import pytest

from knowledge import fact_search
from knowledge.catalog import DATA_DIR
from knowledge.facts import FACTS_FILE, FactsError, load_facts, read_facts
from testkit.dev_floors import THOUSANDS as _NUM
from testkit.dev_floors import Case, case_misses

pytestmark = pytest.mark.usefixtures("local_mode")


CASES: list[Case] = [
    # the small plans for US users: not sold there
    (
        "en",
        "is the 240-minute domestic plan an option for our staff in the US?",
        ["fact"],
        [r"(?i)not (?:sold|available)", r"United States", r"\b(?:120|240)\b"],
        [rf"3{_NUM}000"],
    ),
    (
        "fr",
        "le forfait national de 120 minutes, on peut le prendre pour nos équipes aux États-Unis ?",
        ["fact"],
        [r"(?i)pas vendu|pas disponible", r"États-Unis"],
        [rf"3{_NUM}000"],
    ),
    # a Calling Plan without Teams Phone: the prerequisite
    (
        "en",
        "will a calling plan licence work on its own, with no Teams Phone?",
        ["fact"],
        [r"Teams Phone", r"(?i)required"],
        [r"MCOTEAMS_ESSENTIALS\) bundles"],
    ),
    ("fr", "un forfait d'appels marche-t-il sans licence Teams Phone ?", ["fact"], [r"(?i)requise"], []),
    # what to buy before assigning a Calling Plan: the prerequisite, no purchase dialog
    (
        "en",
        "which licence has to be bought first so we can assign calling plans?",
        ["fact"],
        [r"Teams Phone", r"MCOEV"],
        [],
    ),
    (
        "fr",
        "quelle licence faut-il acheter avant de pouvoir attribuer des forfaits d'appels ?",
        ["fact"],
        [r"Teams Phone", r"MCOEV"],
        [],
    ),
    # examples of countries the international plan calls: some named
    (
        "en",
        "could you name a handful of countries the international plan reaches?",
        ["fact"],
        [r"\b196\b", r"Germany", r"Japan"],
        [],
    ),
    (
        "fr",
        "des exemples de pays que le forfait international permet d'appeler ?",
        ["fact"],
        [r"\b196\b", r"Allemagne", r"Japon"],
        [],
    ),
    # a legacy agreement, no credits, pool used up: calls stop
    (
        "en",
        "we're on an EA with no communications credits: once the pool is empty, can staff still phone out?",
        ["fact"],
        [r"(?i)cannot make"],
        [],
    ),
    (
        "fr",
        "contrat EA sans crédits de communication : une fois le pool vide, "
        "les utilisateurs peuvent-ils encore appeler ?",
        ["fact"],
        [r"(?i)ne peuvent plus appeler"],
        [],
    ),
    # auto-recharge: its trigger and amount
    (
        "en",
        "how does the automatic top-up of communications credits get triggered?",
        ["fact"],
        [r"(?i)recharge", r"(?i)falls below"],
        [],
    ),
    ("fr", "comment se déclenche la recharge automatique des crédits ?", ["fact"], [r"(?i)passe sous"], []),
    # credit rates: by destination
    (
        "en",
        "do credits rates follow the caller's country or the destination dialled?",
        ["fact"],
        [r"(?i)destination"],
        [],
    ),
    (
        "fr",
        "le tarif des crédits dépend-il du pays de l'appelant ou de la destination ?",
        ["fact"],
        [r"(?i)destination"],
        [],
    ),
    # what makes a call domestic: the usage location
    ("en", "is 'domestic' decided by where our head office is?", ["fact"], [r"(?i)usage location"], []),
    (
        "fr",
        "le national, c'est le pays de notre siège social ?",
        ["fact"],
        [r"(?i)emplacement d'utilisation"],
        [],
    ),
    # Teams Essentials with a Calling Plan
    (
        "fr",
        "peut-on mettre un forfait d'appels directement sur Teams Essentials ?",
        ["fact"],
        [r"Teams Phone"],
        [],
    ),
    # the pool: calendar month or billing period; licences bought or assigned
    (
        "en",
        "does the minute pool follow calendar months or our billing cycle?",
        ["fact"],
        [r"(?i)calendar month"],
        [],
    ),
    ("fr", "le pool repart-il au mois civil ou à la date de facturation ?", ["fact"], [r"(?i)mois civil"], []),
    (
        "fr",
        "la taille du pool se base-t-elle sur les licences achetées ou sur celles attribuées ?",
        ["fact"],
        [r"(?i)attribu"],
        [],
    ),
    # UK shared-cost numbers
    ("en", "do 0844 numbers in the UK work from Teams?", ["fact"], [r"(?i)shared-cost", r"Communications Credits"], []),
    ("fr", "au Royaume-Uni, les 0843 passent-ils ?", ["fact"], [r"(?i)crédits de communication"], []),
    # Calling Plans in a country: where sold, naming it
    ("en", "do Microsoft calling plans exist in Kenya?", ["fact"], [r"Kenya", r"(?i)\bnot\b"], []),
    ("fr", "des forfaits d'appels Microsoft, ça existe en Égypte ?", ["fact"], [r"Égypte", r"(?i)\bpas\b"], []),
    # a country reachable with the D&I plan: the callable list
    (
        "fr",
        "la Tunisie est-elle joignable avec un forfait national et international ?",
        ["fact"],
        [r"Tunisie", r"(?i)la liste"],
        [],
    ),
    # look-alikes that keep their answer
    ("en", "what is the 120 minute plan?", ["fact"], [r"MCOPSTN5"], []),
    ("en", "how many minutes does the domestic plan give a user in the US?", ["fact"], [rf"3{_NUM}000"], []),
    ("en", "how many countries can users call?", ["fact"], [r"\b196\b"], []),
    ("en", "is Germany callable?", ["fact"], [r"(?i)yes"], [r"(?i)for example"]),
    ("en", "what are communications credits?", ["fact"], [r"(?i)prepaid"], []),
    ("en", "are premium numbers allowed in Austria?", ["fact"], [r"Austria"], []),
    ("fr", "est-ce que E5 inclut teams phone ?", ["fact"], [r"E5"], []),
]


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_facts17_questions_are_answered_over_http(lang):
    misses = await case_misses(lang, CASES)
    assert misses is None, misses


def test_the_callable_count_names_examples_from_the_catalog():
    base = load_facts()
    answer = base.answer("callable_count")
    assert answer.template == "missing"
    examples = answer.params["examples"]
    assert len(examples) >= 3
    assert all(base.catalog.is_callable_destination(iso) for iso in examples)


def _facts_with(tmp_path, fact_id: str, **changes):
    data = json.loads((DATA_DIR / FACTS_FILE).read_text(encoding="utf-8"))
    entry = next(f for f in data["facts"] if f["id"] == fact_id)
    entry.update(changes)
    path = tmp_path / FACTS_FILE
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_examples_must_be_known_callable_countries_of_a_computed_fact(tmp_path):
    catalog = load_facts().catalog
    with pytest.raises(FactsError, match="unknown example countries"):
        read_facts(_facts_with(tmp_path, "callable_count", examples=["GB", "XX"]), catalog)
    not_callable = next(
        iso
        for iso in ("KP", "CU", "AQ", "SO", "ER", "IR", "SY")
        if catalog.country(iso) and not catalog.is_callable_destination(iso)
    )
    with pytest.raises(FactsError, match="not on the callable list"):
        read_facts(_facts_with(tmp_path, "callable_count", examples=["GB", not_callable]), catalog)
    with pytest.raises(FactsError, match="'examples' without a computation"):
        read_facts(_facts_with(tmp_path, "pool_how", examples=["GB"]), catalog)


def test_uk_shared_cost_prefixes_and_reachable_read_as_one_word():
    # synonyms: 0845/0844/0871... ask what 0870 asks; "joignable"/"reachable" what "callable" asks
    assert fact_search.query_form("0845 numbers") == fact_search.query_form("0870 numbers")
    assert fact_search.query_form("le Maroc est-il joignable") == fact_search.query_form("le Maroc est-il appelable")
    assert fact_search.search("what about 0871 numbers in the UK?")[0][0] == "premium_numbers"
