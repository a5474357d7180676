"""Counts written as words (dialogs/nlu/numbers.py, data in locales/numbers.json), and what a
typed answer to the count question is (dialogs/nlu/answers.py ``typed_count``).

The property tests spell numbers with a speller written here from the grammar of each language
(not from the data file) and read them back; the examples cover what the data's rules guard
against (articles, "sept" for September, a carrier named Three, "80 pour cent")."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialogs.nlu.answers import Answer, read_users, typed_count, why_not_countries, why_not_users
from dialogs.nlu.entities import digits, extract_entities, first_integer
from dialogs.nlu.numbers import MAX_CHARS, approximate_at, read, vague_count, with_digits
from dialogs.nlu.slots import counts_per_country, minutes_mentioned

_EN_SMALL = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_EN_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def english(n: int) -> str:
    """``n`` (1..999,999) in English words, hyphenated tens, "and" after hundreds."""
    if n >= 1000:
        rest = n % 1000
        return f"{english(n // 1000)} thousand" + (f" {english(rest)}" if rest else "")
    if n >= 100:
        rest = n % 100
        return f"{_EN_SMALL[n // 100]} hundred" + (f" and {english(rest)}" if rest else "")
    if n >= 20:
        return _EN_TENS[n // 10] + (f"-{_EN_SMALL[n % 10]}" if n % 10 else "")
    return _EN_SMALL[n]


_FR_SMALL = [
    "zéro",
    "un",
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "neuf",
    "dix",
    "onze",
    "douze",
    "treize",
    "quatorze",
    "quinze",
    "seize",
    "dix-sept",
    "dix-huit",
    "dix-neuf",
]
_FR_TENS = ["_", "_", "vingt", "trente", "quarante", "cinquante", "soixante"]


def french(n: int) -> str:
    """``n`` (1..999,999) in French words (1990 spelling rules aside: hyphens as usual)."""
    if n >= 1000:
        high, rest = divmod(n, 1000)
        head = "mille" if high == 1 else f"{french(high)} mille"
        return head + (f" {french(rest)}" if rest else "")
    if n >= 100:
        high, rest = divmod(n, 100)
        head = "cent" if high == 1 else f"{_FR_SMALL[high]} cent" + ("" if rest else "s")
        return head + (f" {french(rest)}" if rest else "")
    if n >= 80:
        return "quatre-vingt" + (f"-{_FR_SMALL[n - 80]}" if n > 80 else "s")
    if n >= 60:
        rest = n - 60
        if rest in (1, 11):
            return f"soixante et {_FR_SMALL[rest]}"
        return "soixante" + (f"-{_FR_SMALL[rest]}" if rest else "")
    if n >= 20:
        tens, unit = divmod(n, 10)
        if unit == 1:
            return f"{_FR_TENS[tens]} et un"
        return _FR_TENS[tens] + (f"-{_FR_SMALL[unit]}" if unit else "")
    return _FR_SMALL[n]


@given(st.integers(min_value=2, max_value=999_999))
def test_every_english_count_reads_back(n):
    assert read(f"{english(n)} users") == [n]


@given(st.integers(min_value=2, max_value=999_999))
def test_every_french_count_reads_back(n):
    # Through ``digits`` (with the count nouns): "sept" and "neuf" are a count only before one.
    assert read(digits(f"{french(n)} utilisateurs")) == [n]


@given(st.text(max_size=300))
def test_any_text_is_read_without_error_and_digits_stay_as_typed(text):
    out = with_digits(text)
    assert isinstance(out, str)
    assert with_digits(out) == out  # digits are never read again as something else


@given(st.text(alphabet="0123456789 ,.+-()", max_size=60))
def test_digits_and_separators_alone_are_left_as_typed(text):
    assert with_digits(text) == text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("forty E5 users in Ireland", 40),
        ("twenty-five people", 25),
        ("a dozen", 12),
        ("2 dozen", 24),
        ("a hundred", 100),
        ("twelve hundred", 1200),
        ("2k users", 2000),
        ("30ish", 30),
        ("forty-ish", 40),
        ("vingt-cinq personnes", 25),
        ("une douzaine", 12),
        ("deux douzaines", 24),
        ("cent utilisateurs", 100),
        ("quarante-deux", 42),
        ("une cinquantaine d'utilisateurs", 50),
        ("deux centaines", 200),
        ("un millier", 1000),
        ("septante", 70),
        ("nonante-neuf", 99),
        ("quatre-vingt-dix-sept", 97),
        ("one", 1),
        ("just one", 1),
        ("une seule", 1),
    ],
)
def test_counts_in_words(text, value):
    assert first_integer(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "un utilisateur peut-il appeler l'étranger ?",  # an article, not one user
        "can one of our users call Spain?",
        "we're on Three in the UK",  # a carrier
        "depuis sept 2026",  # September
        "alerte à 80 pour cent",
        "10 cents per minute",
        "dozens of users in France",  # no article or number before it
        "which one?",
    ],
)
def test_words_that_are_no_count_stay_as_typed(text):
    assert with_digits(text, frozenset({"users", "utilisateurs"})) == text


def test_sept_and_neuf_before_a_count_noun_are_counts():
    assert extract_entities("sept utilisateurs E5 en Belgique").user_count == 7
    assert extract_entities("neuf personnes au Canada").user_count == 9


def test_a_carrier_named_like_a_number_stays_a_carrier():
    entities = extract_entities("40 users in the UK, we're on Three")
    assert entities.carrier_name == "Three" and entities.user_count == 40


def test_counts_per_country_and_minutes_in_words():
    assert counts_per_country("forty users in France and ten in Spain") == {"FR": 40, "ES": 10}
    assert counts_per_country("quarante en France et dix en Espagne") == {"FR": 40, "ES": 10}
    assert minutes_mentioned("about two hundred minutes each") == (200, None)


def test_the_work_is_bounded_by_the_length_cap():
    long = "forty " * 2000
    out = digits(long)
    assert out.endswith(long[MAX_CHARS:])  # the rest is kept as typed, never read


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("forty", 40),
        ("about twenty-five", 25),
        ("a dozen", 12),
        ("une cinquantaine", 50),
        ("1 200", 1200),
        ("1.200", 1200),
        ("1,200", 1200),
        ("~30", 30),
        ("2027", 2027),  # a bare number at the count question is the count
        ("30 users, 120 minutes each", 30),
    ],
)
def test_a_typed_count(text, count):
    assert typed_count(text) == count
    said = read_users(Answer(value=None, text=text))
    assert said == ({"users": count, "users_approx": True} if text in _APPROXIMATE else {"users": count})


#: Typed counts said approximately: the answer says "about 25 users".
_APPROXIMATE = frozenset({"about twenty-five", "a dozen", "une cinquantaine", "~30"})


@pytest.mark.parametrize(
    "text",
    [
        "120 minutes each",
        "120 min",
        "$40",
        "40 €",
        "80%",
        "forfait 240",
        "starting in 2027",
        "à partir de 2027",
        "+33 1 23 45 67 89",
    ],
)
def test_numbers_that_are_no_seat_count(text):
    assert typed_count(text) is None
    assert read_users(Answer(value=None, text=text)) is None
    assert why_not_users(Answer(value=None, text=text)) == ("reason.not_a_count", {"text": text})


@pytest.mark.parametrize("text", ["no", "nope", "non"])
def test_no_at_the_count_question_says_how_to_cancel(text):
    assert why_not_users(Answer(value=None, text=text)) == ("reason.said_no", {})


class _CountingWords(list[str]):
    """The folded words of a message, counting every word read (a slice reads all it copies)."""

    reads = 0

    def __getitem__(self, index):
        got = super().__getitem__(index)
        self.reads += len(got) if isinstance(index, slice) else 1
        return got


def _words_read(text: str) -> int:
    """Words read by the number rules over ``text``, trying a number at every word as
    ``with_digits`` does (``with_digits`` builds its own list; the rules are driven here)."""
    from dialogs.nlu import numbers

    table = numbers._table()
    nouns = frozenset({"users"})
    words = numbers._words(text)
    folded = _CountingWords(w.folded for w in words)
    strays = sum(1 for w in folded if not numbers._goes_alone(w, table, nouns))
    run_ends = numbers._run_ends(words)
    for i in range(len(words)):
        number = numbers._number_at(words, folded, i, table, run_ends)
        if number is not None:
            numbers._is_count(words, folded, number, table, nouns, strays)
    return folded.reads


@pytest.mark.parametrize("unit", ["un ", "a ", "one ", "just one ", "a couple of ", "a few hundred "])
def test_the_words_read_grow_with_the_message_not_its_square(unit):
    # The reviewer's inputs: a slice of the message per candidate word (and a copy of the other
    # words per number read) made the words read grow with the square of the message.
    short, long = _words_read(unit * 100), _words_read(unit * 400)
    assert long <= 4.5 * short
    assert long <= 50 * len((unit * 400).split())


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("1.5 million users", "1500000 users"),
        ("2.5k users", "2500 users"),
        ("1,5 million d'utilisateurs", "1500000 d'utilisateurs"),
        ("0.25 thousand users", "250 users"),
        ("2.5 dozen users", "30 users"),
    ],
)
def test_a_decimal_before_a_multiplier_is_read_whole(text, digits):
    assert with_digits(text) == digits


@pytest.mark.parametrize("text", ["1.3 dozen users", "1,500 million users", "1.2.5 million users", "v2.5k users"])
def test_a_decimal_that_makes_no_whole_count_is_left_as_typed(text):
    # Not the part after the point read on its own ("1.5000000"); "1,500" is 1.5 (French) or
    # 1500 (English): no count to pick.
    assert with_digits(text) == text


def test_the_numbers_read_as_far_as_the_recognizer():
    # One cap, not two copies that drift apart: a count the recognizer reads is one it rewrites.
    from dialogs.nlu import entities, limits

    assert MAX_CHARS is limits.MAX_CHARS is entities.MAX_CHARS
    assert with_digits("x" * (MAX_CHARS - 6) + " forty") == "x" * (MAX_CHARS - 6) + " 40"


@pytest.mark.parametrize(
    ("why_not", "text", "reason"),
    [
        (why_not_users, "lots", "reason.not_a_count"),
        (why_not_users, "no", "reason.said_no"),
        (why_not_users, "0", "reason.users_range"),
        (why_not_countries, "nope", "reason.said_no"),
        (why_not_countries, "yes", "reason.answer_not_country"),
    ],
)
def test_a_short_answer_is_read_once_for_why_not(monkeypatch, why_not, text, reason):
    # Its entities are passed down to the rules that look at them, not extracted again by each.
    from dialogs.nlu import answers

    calls: list[str] = []

    def counted(read: str):
        calls.append(read)
        return extract_entities(read)

    monkeypatch.setattr(answers, "extract_entities", counted)
    assert why_not(Answer(value=None, text=text))[0] == reason
    assert calls == [text]


# --- rough counts (dialogs_dev6) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("a couple of hundred users in Germany", "~200 users in Germany"),
        ("couple hundred users", "~200 users"),
        ("a couple of users", "~2 users"),
        ("une cinquantaine d'utilisateurs", "~50 d'utilisateurs"),
        ("deux centaines d'utilisateurs", "~200 d'utilisateurs"),
        ("a dozen users", "~12 users"),
        ("une douzaine", "~12"),
        ("30ish users", "~30 users"),
        ("~30ish users", "~30 users"),  # one mark, not two
        ("forty-ish", "~40"),
        ("2 dozen users", "24 users"),  # a product, not an estimate
        ("forty users", "40 users"),
    ],
)
def test_a_rough_count_is_marked_approximate(text, digits):
    assert with_digits(text) == digits


@pytest.mark.parametrize(
    "text",
    ["a few hundred users", "several dozen users", "quelques centaines d'utilisateurs", "the couple", "a few users"],
)
def test_a_vague_count_or_no_count_is_left_as_typed(text):
    assert with_digits(text) == text  # never "a few 100 users"


@pytest.mark.parametrize(
    ("text", "vague"),
    [
        ("a few hundred users in France", "a few hundred"),
        ("Several dozen users", "Several dozen"),  # as typed
        ("quelques centaines d'utilisateurs", "quelques centaines"),
        ("plusieurs dizaines d'utilisateurs", "plusieurs dizaines"),
        ("200 users in France", None),
        ("a few users", None),  # no multiplier: nothing said about how many
    ],
)
def test_vague_count_names_the_words_typed(text, vague):
    assert vague_count(text) == vague


def test_vague_count_reads_only_the_length_cap():
    assert vague_count("x" * MAX_CHARS + " a few hundred users") is None


@pytest.mark.parametrize(
    ("text", "approximate"),
    [
        ("about 40 users", True),
        ("environ 30 utilisateurs", True),
        ("~250 E5 users", True),
        ("a couple of hundred users", True),
        ("une cinquantaine d'utilisateurs", True),
        ("40 users", False),
        ("2 dozen users", False),
        ("we have 40 users, about half call abroad", False),  # the marker is after the count
    ],
)
def test_approximate_at_reads_the_mark_or_the_word_before(text, approximate):
    work = with_digits(text)
    start = next(i for i, c in enumerate(work) if c.isdigit())
    assert approximate_at(work, start) is approximate
    entities = extract_entities(text)
    if entities.user_count is not None:
        assert entities.count_approx is approximate
