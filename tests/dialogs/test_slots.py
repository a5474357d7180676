"""What a first message already says, and how one answer to a question is read."""

from __future__ import annotations

import pytest

from dialogs.nlu import slots
from dialogs.nlu.answers import (
    Answer,
    read_countries,
    read_country,
    read_number,
    read_plan,
    read_users,
    read_yes_no,
)
from dialogs.nlu.entities import extract_entities
from dialogs.nlu.slots import (
    FEW,
    check_slots,
    counts_per_country,
    international_need,
    is_acknowledgement,
    minutes_mentioned,
    purchase_change,
    purchase_slots,
    states_scope,
    without_scope,
)


def purchase(text: str) -> dict:
    return purchase_slots(text, extract_entities(text)).model_dump(exclude_defaults=True)


def check(text: str) -> dict:
    return check_slots(text, extract_entities(text)).model_dump(exclude_defaults=True)


# --- purchase: roles of countries, international need, counts ----------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "which calling plan should we buy for 40 users in France who call the UK?",
            {"countries": ["FR"], "users": 40, "international": True},
        ),
        (
            "quel forfait d'appels acheter pour 40 utilisateurs en France qui appellent le Royaume-Uni ?",
            {"countries": ["FR"], "users": 40, "international": True},
        ),
        (
            "recomend a plan for 10 users in spain, they never call abroad",
            {"countries": ["ES"], "users": 10, "international": False},
        ),
        (
            "recommande moi un forfait pour 10 utilisateurs en espagne ils n'appellent jamais l'étranger",
            {"countries": ["ES"], "users": 10, "international": False},
        ),
        (
            "what licences do 8 users in Ireland need to call internationally",
            {"countries": ["IE"], "users": 8, "international": True},
        ),
        (
            "need calling plans for 60 users in the USA and 20 in Mexico",
            {"countries": ["US", "MX"], "users_per_country": {"US": 60, "MX": 20}},
        ),
        (
            "il nous faut des forfaits pour 60 utilisateurs aux USA et 20 au Mexique",
            {"countries": ["US", "MX"], "users_per_country": {"US": 60, "MX": 20}},
        ),
        (
            "we're on E3, what do we need to give 15 users a phone number in the UK",
            {"countries": ["GB"], "users": 15, "base_licence": "E3"},
        ),
        (
            "our sales team in the UK uses operator connect, do we still need a calling plan for them",
            {"countries": ["GB"], "carrier": "operator_connect"},
        ),
        ("40 users in the US who call Canada", {"countries": ["US"], "users": 40, "international": False}),
        (
            "which plan for 25 users in Germany using about 300 minutes each",
            {"countries": ["DE"], "users": 25, "minutes_per_user": 300},
        ),
        ("plan", {}),
    ],
)
def test_purchase_slots_of_a_first_message(text, expected):
    assert purchase(text) == expected


def test_calling_plan_is_not_a_calling_verb():
    # "calling plan" names the product: France is where the users are, not a destination.
    assert purchase("calling plan for France")["countries"] == ["FR"]
    assert "international" not in purchase("calling plan for France")


def test_domestic_or_international_question_leaves_the_need_open():
    text = "Should I get the domestic or the international calling plan for our Paris office?"
    assert international_need(text, [], []) is None
    assert international_need("a domestic plan for Spain", ["ES"], []) is False


def test_counts_and_minutes():
    assert counts_per_country("30 in France, 10 in Germany") == {"FR": 30, "DE": 10}
    assert counts_per_country("1 200 utilisateurs en Allemagne") == {"DE": 1200}
    assert minutes_mentioned("about 1,200 min per user") == (1200, None)
    assert minutes_mentioned("20 users, about 200 international minutes a month") == (None, 200)
    assert minutes_mentioned("no minutes here, 40 users") == (None, None)
    assert minutes_mentioned("they never call abroad, about 50 minutes each") == (50, None)
    assert minutes_mentioned("300 minutes à l'international") == (None, 300)


# --- number check --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("can alice@contoso.com call +44 20 7946 0958?", {"number": "+44 20 7946 0958", "user": "alice@contoso.com"}),
        (
            "peut-on appeler le 0044 20 7946 0958 depuis la France avec un forfait national ?",
            {"number": "0044 20 7946 0958", "caller_country": "FR", "plan": "MCOPSTN1"},
        ),
        (
            "is +1 (212) 555-0147 reachable from France on a domestic plan",
            {"number": "+1 (212) 555-0147", "caller_country": "FR", "plan": "MCOPSTN1"},
        ),
        ("can a French user call +49 30 1234567", {"number": "+49 30 1234567", "caller_country": "FR"}),
        (
            "can alice.martin@contoso.com call bob@contoso.com",
            {"number": "bob@contoso.com", "user": "alice.martin@contoso.com"},
        ),
        ("can users in France call the UK", {"caller_country": "FR", "destination": "GB"}),  # a number in the UK asked
        ("check", {}),
    ],
)
def test_check_slots_of_a_first_message(text, expected):
    assert check(text) == expected


# --- answers to questions: clicks and typed text --------------------------------------------------


def typed(text: str) -> Answer:
    return Answer(value=None, text=text)


def clicked(value) -> Answer:
    return Answer(value=value, text="")


def test_countries_answers():
    assert read_countries(clicked("FR")) == {"countries": ["FR"]}
    assert read_countries(typed("the UK and Germany")) == {"countries": ["GB", "DE"]}
    assert read_countries(typed("Allemagne")) == {"countries": ["DE"]}
    assert read_countries(typed("fr")) == {"countries": ["FR"]}  # a bare code, lower case
    assert read_countries(typed("30 in France, 10 in Germany")) == {
        "countries": ["FR", "DE"],
        "users_per_country": {"FR": 30, "DE": 10},
    }
    assert read_countries(typed("40 users in Spain")) == {"countries": ["ES"], "users": 40}
    assert read_country(typed("Royaume-Uni")) == "GB"
    for bad in (typed("lots"), typed("12"), clicked("ZZ"), clicked("Narnia")):
        assert read_countries(bad) is None


def test_user_count_answers():
    assert read_users(typed("40")) == {"users": 40}
    assert read_users(typed("about 1,200 people")) == {"users": 1200, "users_approx": True}  # said back "about"
    assert read_users(typed("1 200")) == {"users": 1200}
    assert read_users(typed("30 in France, 10 in Germany"), ["FR", "DE"]) == {
        "users_per_country": {"FR": 30, "DE": 10},
        "users": None,
    }
    for bad in ("lots", "0", "2.5", "-3", "9999999", ""):
        assert read_users(typed(bad)) is None, bad


def test_yes_no_answers():
    assert read_yes_no(clicked(True)) is True and read_yes_no(clicked(False)) is False
    assert read_yes_no(typed("yes")) is True and read_yes_no(typed("non")) is False
    assert read_yes_no(typed("only domestic")) is False
    assert read_yes_no(typed("internationally")) is True
    assert read_yes_no(typed("perhaps")) is None and read_yes_no(clicked("maybe")) is None


def test_number_answers():
    assert read_number(typed("+44 20 7946 0958")) == "+44 20 7946 0958"
    assert read_number(typed("call 0044 20 7946 0958 please")) == "0044 20 7946 0958"
    assert read_number(typed("112")) == "112"  # an emergency short code, typed alone
    assert read_number(typed("bob@contoso.com")) == "bob@contoso.com"
    assert read_number(typed("hello")) is None
    assert read_number(typed("")) is None


def test_plan_answers():
    assert read_plan(clicked("MCOPSTN2")) == "MCOPSTN2"
    assert read_plan(clicked("NOPE")) is None
    assert read_plan(typed("domestic")) == "MCOPSTN1"
    assert read_plan(typed("forfait international")) == "MCOPSTN2"
    assert read_plan(typed("pay as you go")) == "PAYG"
    assert read_plan(typed("MCOPSTN5")) == "MCOPSTN5"
    assert read_plan(typed("something")) is None


def test_phone_as_a_noun_or_product_is_not_a_destination():
    assert purchase("how do I buy Teams Phone in Italy for 20 users") == {"countries": ["IT"], "users": 20}
    assert purchase("a phone number in Spain for 5 users")["countries"] == ["ES"]


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("which plan for 20 users in Italy who mostly receive calls", FEW),
        ("15 users in France, they rarely make outbound calls", FEW),
        ("30 users in Spain who hardly ever call out", FEW),
        ("20 utilisateurs en Italie qui reçoivent surtout des appels", FEW),
        ("ils appellent rarement", FEW),
        ("30 users in the Netherlands who only receive calls", 0),
        ("aucun appel sortant pour 10 utilisateurs en Belgique", 0),
        ("which plan for 20 users in Italy who rarely call abroad", None),  # a scope, not usage
        ("ils appellent rarement l'étranger", None),
        ("they barely make any outbound calls", FEW),
        ("20 users in Ireland with low call volume", FEW),
        ("15 users in France who hardly use the phone", FEW),
        ("nos 10 utilisateurs en Belgique utilisent très peu le téléphone", FEW),
        ("ils ne passent quasiment pas d'appels sortants", FEW),
        ("which plan for 20 users in Italy", None),
        ("20 users in Italy who mostly receive calls, about 300 minutes each", 300),  # a figure wins
    ],
)
def test_usage_without_a_figure_sets_the_outbound_minutes(text, minutes):
    assert purchase_slots(text, extract_entities(text)).minutes_per_user == minutes


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("can keith call the French number 01 42 68 53 00?", "+33142685300"),
        ("est-ce que keith peut appeler le numéro français 01 42 68 53 00 ?", "+33142685300"),
        ("can keith call the French number +44 20 7946 0958?", "+44 20 7946 0958"),  # its own prefix wins
        ("can keith call 020 7946 0958", "020 7946 0958"),  # no country named: the caller's own
        ("can keith call 01 42 68 53 00 in France", "+33142685300"),
        ("keith peut-il appeler le 01 42 68 53 00 en France ?", "+33142685300"),
    ],
)
def test_a_national_format_number_is_read_in_the_country_named_for_it(text, number):
    assert check(text).get("number") == number


def test_a_country_after_the_number_is_the_numbers_and_from_is_the_callers():
    assert check("can a user in the UK call 01 42 68 53 00 in France") == {
        "number": "+33142685300",
        "caller_country": "GB",
    }
    assert check("can users call 020 7946 0958 from the UK") == {"number": "020 7946 0958", "caller_country": "GB"}


@pytest.mark.parametrize("text", ["ok", "thanks!", "ok merci", "great, thank you", "parfait", "d'accord, merci"])
def test_acknowledgements(text):
    assert is_acknowledgement(text)


@pytest.mark.parametrize("text", ["ok for 40 users in France", "thanks, and Belgium?", "", "merci de vérifier le 112"])
def test_not_acknowledgements(text):
    assert not is_acknowledgement(text)


@pytest.mark.parametrize(
    "text",
    [
        "ok",
        "great, thank you",
        "d'accord, merci",
        "ok for 40 users in France",
        "",
        "merci " * 60 + "pour 40",
        "ok" + " " * 300 + "for 40 users",
    ],
)
def test_the_routings_head_words_acknowledge_as_the_message_does(text):
    """The routing hands its head words (dialogs.root.head_words) to acknowledges instead of
    folding the message again: the same answer, a long message's head included."""
    from dialogs.root import head_words

    assert slots.acknowledges(head_words(text)) == is_acknowledgement(text)


def test_the_number_written_out_wins_over_the_kind_of_number_before_it():
    assert check("can our UK users ring 0800 numbers like 0800 123 4567?")["number"] == "0800 123 4567"
    assert check("can alice call 112?")["number"] == "112"


@pytest.mark.parametrize(
    ("text", "international"),
    [
        ("Germany, 40 users, E5, no international", False),
        ("Allemagne, 40 personnes, pas d'international", False),
        ("and with international calls?", True),
    ],
)
def test_a_change_reads_a_negated_line_word(text, international):
    assert purchase_change(text, extract_entities(text))["international"] is international


@pytest.mark.parametrize(
    ("text", "number"),
    [("is 112 free?", "112"), ("et le 15 ?", "15"), ("what about toll-free numbers?", None), ("the 3rd one", None)],
)
def test_a_short_code_inside_a_few_words_answers_the_number_question(text, number):
    assert read_number(typed(text)) == number


@pytest.mark.parametrize(
    ("text", "scope"),
    [
        ("en fait ils n'appellent qu'en France", True),
        ("ils n'appellent que des numéros américains", True),
        ("appels vers le Royaume-Uni uniquement", True),
        ("50 users in the US, all calls are within the US", True),
        ("ils n'appellent que des numéros étrangers", False),  # abroad only: no one-country scope
        ("appels vers l'étranger uniquement", False),
    ],
)
def test_french_one_country_scopes_and_what_is_no_scope(text, scope):
    assert without_scope(text)[1] is scope


@pytest.mark.parametrize(
    ("text", "numbers"),
    [("alice 112?", ["112"]), ("keith 999 ?", ["999"]), ("112", []), ("15 reps in Italy", []), ("15", [])],
)
def test_an_emergency_number_needs_no_calling_word_only_after_a_name(text, numbers):
    assert extract_entities(text).numbers == numbers


@pytest.mark.parametrize(
    ("text", "counts"),
    [
        ("30 E5 users in France and 10 in Spain", {"FR": 30, "ES": 10}),
        ("20 utilisateurs E5 en Allemagne, 10 en France et 5 en Italie", {"DE": 20, "FR": 10, "IT": 5}),
    ],
)
def test_a_licence_between_the_count_and_its_country_keeps_the_split(text, counts):
    assert counts_per_country(text) == counts


# --- scope phrases told by one search (issue 14) -------------------------------------------------

SCOPE_TEXTS = [
    "help",
    "pool balance",
    "What can you do?",
    "how many minutes are left in our pool?",
    "they only call within France",
    "calls stay in Germany",
    "50 users in the US, all calls are within the US",
    "they never call abroad",
    "nothing outside the UK",
    "they only call mobile numbers in Spain",
    "en fait ils n'appellent qu'en France",
    "ils n'appellent que des numéros américains",
    "ils n'appellent que des numéros étrangers",
    "appels vers le Royaume-Uni uniquement",
    "appels vers l'étranger uniquement",
    "appels nationaux seulement",
    "can alice.martin@contoso.com call 01 23 45 67 89?",
]


def _scope_by_each_pattern(text: str) -> bool:
    """The answer of the per-pattern loop ``without_scope`` used before: any pattern matching."""
    return any(pattern.search(text) for pattern in slots._patterns()["scope_domestic"])


@pytest.mark.parametrize("text", SCOPE_TEXTS)
def test_states_scope_says_what_each_pattern_says(text):
    assert states_scope(text) is _scope_by_each_pattern(text)
    assert without_scope(text)[1] is states_scope(text)


def test_the_scope_examples_cover_both_answers():
    assert {states_scope(text) for text in SCOPE_TEXTS} == {True, False}


def test_without_scope_leaves_a_message_without_scope_as_it_is():
    text = "how many minutes are left in our pool?"
    assert without_scope(text) == (text, False)
    blanked, found = without_scope("they only call within France")
    assert found and "only call within" not in blanked and blanked.endswith("France")
    assert len(blanked) == len("they only call within France")


@pytest.mark.parametrize("text", SCOPE_TEXTS)
def test_states_scope_without_the_combined_pattern(monkeypatch, text):
    monkeypatch.setattr(slots, "_any_scope", lambda: None)  # patterns that cannot be combined
    assert states_scope(text) is _scope_by_each_pattern(text)
