"""The indexes that spare understanding a message its fixed cost (issue 14, branch nlucost) read
what the loops they replace read: each is checked against the old definition, on every phrase of
its data and on every message of the dev sets."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

import pytest

from bench import dev_sets
from dialogs.nlu import entities, questions, router, slots
from dialogs.nlu.entities import compiled, key, tokenize
from dialogs.nlu.i18n import fold, french_score, language_words
from dialogs.nlu.i18n import fold as fold_text
from dialogs.nlu.recognizer import _direct_rules, _exact, _is_typo_of, _lexicon


@cache
def _messages() -> tuple[str, ...]:
    texts: list[str] = []
    for name in dev_sets.SET_NAMES:
        for lang in ("en", "fr"):
            for item in dev_sets.load(lang, name).items:
                texts.extend([item.text] if item.text else [turn.text for turn in item.turns or []])
    return tuple(texts)


def _message_words() -> list[list[str]]:
    return [[t.folded for t in tokenize(text)] for text in _messages()]


# --- the old definitions ---------------------------------------------------------------------


def _old_contains(words: list[str], phrases: frozenset[tuple[str, ...]]) -> bool:
    longest = questions._LONGEST
    return any(tuple(words[i : i + size]) in phrases for i in range(len(words)) for size in range(1, longest + 1))


def _old_starts_with(words: list[str], phrases: frozenset[tuple[str, ...]]) -> int:
    for size in range(min(questions._LONGEST, len(words)), 0, -1):
        if tuple(words[:size]) in phrases:
            return size
    return 0


def _old_usage_minutes(text: str) -> int | str | None:
    for minutes, patterns in slots._patterns()["usage"]:
        if any(p.search(text) for p in patterns):
            return minutes if isinstance(minutes, str) else int(minutes)
    return None


def _old_yes_no(words: list[str]) -> bool | None:
    table = compiled()
    if not words or len(words) > 8:
        return None
    for value, phrases in ((True, table.yes_words), (False, table.no_words)):
        for phrase in phrases:
            if len(phrase) == 1 and len(phrase[0]) == 1 and len(words) != 1:
                continue
            if tuple(words[: len(phrase)]) == phrase:
                return value
    return None


def _old_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _old_first(norm: str, patterns: list[tuple[Any, re.Pattern[str]]]) -> tuple[Any, int, int] | None:
    best = None
    for value, pattern in patterns:
        match = pattern.search(norm)
        if match and (best is None or match.start() < best[1].start()):
            best = (value, match)
    return (best[0], best[1].start(), best[1].end()) if best else None


# --- questions ---------------------------------------------------------------------------------


def _phrase_lists() -> dict[str, questions._Phrases]:
    lists = questions._lists()
    return {name: getattr(lists, name) for name in type(lists).__dataclass_fields__}


def test_contains_agrees_with_the_old_definition_on_every_phrase_of_every_list():
    lists = _phrase_lists()
    every_phrase = [list(p) for phrases in lists.values() for p in phrases]
    # each phrase alone, inside a sentence, at its end, and cut short by the message's end
    messages = [
        *every_phrase,
        *(["so", *p, "then"] for p in every_phrase),
        *(["well", *p] for p in every_phrase),
        *(p[:-1] for p in every_phrase if len(p) > 1),
    ]
    found = starts = 0
    for name, phrases in lists.items():
        for words in [*messages, []]:
            expected = _old_contains(words, phrases)
            assert questions._contains(words, phrases) is expected, (name, words)
            found += expected
            size = _old_starts_with(words, phrases)
            assert questions._starts_with(words, phrases) == size, (name, words)
            starts += bool(size)
    assert found > len(every_phrase)  # every phrase was found at least in its own list
    assert starts > len(every_phrase)


def test_contains_agrees_with_the_old_definition_on_every_dev_message():
    lists = _phrase_lists()
    hits = 0
    for words in _message_words():
        for name, phrases in lists.items():
            expected = _old_contains(words, phrases)
            assert questions._contains(words, phrases) is expected, (name, words)
            hits += expected
            assert questions._starts_with(words, phrases) == _old_starts_with(words, phrases), (name, words)
    assert hits > 100


# --- entities ----------------------------------------------------------------------------------


def test_yes_no_index_agrees_with_the_old_loop_on_every_phrase():
    table = compiled()
    phrases = [list(p) for p in (*table.yes_words, *table.no_words)]
    messages = [
        *phrases,
        *([*p, "please"] for p in phrases),
        *(["well", *p] for p in phrases),
        ["y"],
        ["n"],
        ["y", "n"],
    ]
    messages += _message_words()
    answered = 0
    for words in messages:
        expected = _old_yes_no(words)
        assert entities._extract_yes_no(words, table) is expected, words
        answered += expected is not None
    assert answered >= len(phrases)


def test_yes_no_index_holds_every_phrase_under_its_first_word_in_order():
    table = compiled()
    ordered = [(True, p) for p in table.yes_words] + [(False, p) for p in table.no_words]
    for word, entries in table.yes_no_by_first.items():
        assert list(entries) == [(v, p) for v, p in ordered if not p or p[0] == word]
    assert {p[0] for _, p in ordered} <= set(table.yes_no_by_first)


@pytest.mark.parametrize("name", ["plans", "carriers", "licences", "lines"])
def test_each_alternation_finds_a_match_where_one_of_its_patterns_does(name):
    table = compiled()
    patterns = [entry[-1] for entry in getattr(table, name)]
    any_of = getattr(table, {"plans": "any_plan"}.get(name, f"any_{name[:-1]}"))
    assert any_of is not None, "the patterns could not be combined: every message pays one search per pattern"
    matched = 0
    for text in _messages():
        norm = " ".join(t.folded for t in tokenize(text))
        expected = any(p.search(norm) for p in patterns)
        assert bool(any_of.search(norm)) is expected, (name, norm)
        matched += expected
        if name != "plans":
            pair: list[tuple[Any, re.Pattern[str]]] = list(enumerate(patterns))
            found = entities._first(norm, pair, any_of)
            old = _old_first(norm, pair)
            assert (found[0], found[1].start(), found[1].end()) == old if found else old is None
    assert matched > 10


def test_patterns_that_cannot_be_combined_get_no_alternation():
    assert entities.any_of([re.compile(r"(a)\1"), re.compile("b")]) is None
    assert entities.any_of([re.compile("a", re.IGNORECASE), re.compile("b")]) is None
    assert entities.any_of([]) is None
    ignoring_case = entities.any_of([re.compile("a", re.IGNORECASE), re.compile("b", re.IGNORECASE)])
    assert ignoring_case is not None and ignoring_case.search("xB")
    combined = entities.any_of([re.compile("ab"), re.compile("cd")])
    assert combined is not None and combined.search("xcd") and not combined.search("ac")


def test_name_sizes_index_every_country_and_city_name():
    table = compiled()
    for name in table.names:
        sizes = table.name_sizes[name[0]]
        assert len(name) in sizes
        assert list(sizes) == sorted(sizes, reverse=True)
    assert sum(len(s) for s in table.name_sizes.values()) == len({(n[0], len(n)) for n in table.names})


def test_tokens_are_the_keys_of_the_words():
    for text in [*_messages(), "ﬁnal 40E5 Zürich"]:
        old = [(raw, part) for raw in entities._TOKEN.findall(text) for part in key(raw).split()]
        assert [(t.raw, t.folded) for t in tokenize(text)] == old, text


def test_usage_minutes_agrees_with_the_old_loop():
    assert slots._any_usage() is not None
    texts = [*_messages(), "they only receive calls", "ils reçoivent uniquement des appels", "THEY MOSTLY TAKE CALLS"]
    stated = 0
    for text in texts:
        expected = _old_usage_minutes(text)
        assert slots.usage_minutes(text) == expected, text
        stated += expected is not None
    assert stated >= 3


# --- i18n and the recognizer ---------------------------------------------------------------------


def test_fold_agrees_with_the_old_definition():
    texts = [*_messages(), "".join(chr(c) for c in range(128)), "États-Unis", "ﬁn", "Straße", "İstanbul"]
    for text in texts:
        assert fold(text) == _old_fold(text), text


def _old_french_score(text: str) -> tuple[int, int]:
    words = language_words()
    tokens = [
        w.replace("’", "'")
        for w in re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)?", text)
        if not (len(w) <= 3 and w.isupper())
    ]
    tokens = [w.casefold() for w in tokens]
    fr = sum(1 for w in tokens if fold(w) in words["fr"])
    en = sum(1 for w in tokens if w in words["en"])
    fr += sum(1 for c in text.casefold() if c in "éèêàâçôûùîïœ")
    fr += len(re.findall(r"\b(?:l|d|qu|j|n|c|s)['’][^\W\d_]", text.casefold()))
    return fr, en


def test_french_score_agrees_with_the_old_definition():
    texts = [*_messages(), "l'offre", "l’offre", "Où est-ce ?", "it's fine"]
    for text in texts:
        assert french_score(text) == _old_french_score(text), text
    assert sum(french_score(text)[0] > 0 for text in texts) > 100


def test_direct_rules_first_words_are_their_phrases_first_words():
    rules, _ = _direct_rules()
    assert rules
    for rule in rules:
        assert rule.firsts == {phrase[0] for phrase in rule.any}


# --- branch nlucost2: passes over the raw text skipped when they cannot match ---------------

_RAW_EDGES = (
    "<at>Alice Martin</at> and <AT id='1'>Bob</AT>",
    "@bob and @alice.m, alice@contoso.com, bob's@x.io",
    "2026-11, 2026-11-03, 03/11/2026, 3.11.2026, 3-11-2026",
    "U.S.A. U.S. U.K. u.s. US",
    "call +44 20 7946 0958 or \uff10\uff11 \uff12\uff13 \uff14\uff15, 40 users, ² users, ①② users, Microsoft 365 users",
    "AT&T, at & t, BT, bt, xbt, Deutsche TELEKOM, telefonica, Telefónica, T-Mobile, t-mobile&, O2",
)


def _spans(matches: list[re.Match[str]]) -> list[tuple[int, int]]:
    return [m.span() for m in matches]


@pytest.mark.parametrize(
    "pattern, marks",
    [
        (entities._MENTION, "<"),
        (entities._UPN, "@"),
        (entities._HANDLE, "@"),
        (entities._ISO_DATE, "-"),
        (entities._DMY_DATE, "/.-"),
        (entities._NUMBER, entities._DIGIT),
    ],
)
def test_a_raw_pass_skipped_for_want_of_its_marks_would_have_found_nothing(pattern, marks):
    found = 0
    for text in (*_messages(), *_RAW_EDGES):
        every = list(pattern.finditer(text))
        found += bool(every)
        assert _spans(entities._found(pattern, text, marks)) == _spans(every), text
    assert found  # the edge cases hold a match of each pattern


def test_us_abbreviations_are_only_looked_for_after_a_u_and_a_dot():
    for text in (*_messages(), *_RAW_EDGES):
        if "U." not in text:
            assert not any(pattern.search(text) for pattern, _ in entities._US_ABBR), text
    assert entities.extract("calls to the U.S. and the U.K.").entities.countries == ["US", "GB"]


def test_carrier_names_of_ascii_text_are_the_case_insensitive_patterns_spans():
    table = compiled()
    assert table.carrier_names_ascii is not None
    texts = [text for text in (*_messages(), *_RAW_EDGES) if text.isascii()]
    named = 0
    for text in texts:
        expected = _spans(list(table.carrier_names.finditer(text)))
        named += bool(expected)
        assert _spans(entities._carrier_names(text, table)) == expected, text
    assert named > 20


def test_non_ascii_text_is_searched_with_the_case_insensitive_carrier_names():
    table = compiled()
    text = "chez Telefónica ou DEUTSCHE TELEKOM"
    assert _spans(entities._carrier_names(text, table)) == _spans(list(table.carrier_names.finditer(text)))
    assert len(entities._carrier_names(text, table)) == 2


def test_ascii_carrier_names_leave_out_names_that_cannot_match_ascii_text_only():
    kept = entities._ascii_names(["Telefónica", "BT"])
    assert kept is not None and kept.pattern == entities._names_pattern(["bt"])
    assert entities._ascii_names(["\u212aPN"]) is None  # the Kelvin sign matches "k" case-insensitively
    assert entities._ascii_names(["Sunri\u017fe"]) is None  # the long s matches "s"


def _old_user_count(folded_work: str) -> tuple[int | None, bool]:
    table = compiled()
    user_count, count_approx = None, False
    count_match = table.user_count.search(folded_work)
    if count_match:
        value = int(re.sub(r"\D", "", count_match.group(1)))
        if 0 < value <= 1_000_000:
            user_count, count_approx = value, entities.approximate_at(folded_work, count_match.start(1))
    else:
        count_match = table.count_of_them.search(folded_work)
        if (
            count_match
            and 0 < int(count_match.group(1)) <= 1_000_000
            and table.group_before.search(folded_work, 0, count_match.start())
        ):
            user_count = int(count_match.group(1))
    return user_count, count_approx


def test_user_count_skips_text_without_a_digit_and_agrees_with_the_old_code():
    table = compiled()
    texts = [
        *_messages(),
        *_RAW_EDGES,
        "² users",
        "about \uff14\uff10 users",
        "our UK staff (90 of them)",
        "2000000 users",
    ]
    counted = 0
    for text in texts:
        folded = fold_text(entities.without_product_numbers(entities.digits(text)))
        assert entities._user_count(folded, table) == _old_user_count(folded), text
        counted += entities._user_count(folded, table)[0] is not None
    assert counted > 100
    assert entities._user_count(fold_text("² users"), table) == (2, False)  # a digit once folded


def test_product_numbers_are_only_blanked_in_text_with_a_digit():
    assert entities.without_product_numbers("Microsoft 365 users") == "Microsoft     users"
    assert entities.without_product_numbers("Microsoft Teams users") == "Microsoft Teams users"


def _old_exact(phrase: str) -> object:
    exact = _lexicon().exact
    if phrase in exact:
        return exact[phrase]
    if not phrase or " " in phrase:
        return None
    for command, intent in exact.items():
        if " " not in command and _is_typo_of(command, phrase):
            return intent
    return None


def _typos(word: str) -> list[str]:
    """``word`` with one letter dropped, doubled or swapped with the next, and a letter added."""
    out = []
    for i in range(len(word)):
        out += [word[:i] + word[i + 1 :], word[:i] + word[i] + word[i:], word[:i] + "x" + word[i:]]
        if i + 1 < len(word):
            out.append(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    return out


def test_exact_commands_by_first_letter_agree_with_the_old_loop():
    commands = [c for c in _lexicon().exact if " " not in c]
    phrases = [*commands, *(t for c in commands for t in _typos(c)), "40", "e5", "", "ok thanks"]
    phrases += [" ".join(words) for words in _message_words()]
    typos = 0
    for phrase in phrases:
        assert _exact(phrase, _lexicon()) == _old_exact(phrase), phrase
        typos += phrase not in _lexicon().exact and _old_exact(phrase) is not None
    assert typos > 20  # typos of the commands are read as them


def _old_router_features(text: str) -> set[str]:
    from knowledge import fact_search

    plain = router._EMAIL.sub(" zmail ", text[: router.MAX_CHARS])
    plain = router._PHONE.sub(" zphone ", plain)
    plain = router._NUMBER.sub(" znum ", plain)
    words = fact_search.countries_as_token(fact_search.fold(plain).split())
    out = {f"b:{a}_{b}" for a, b in zip(["^", *words], [*words, "$"], strict=True)}
    for word in words:
        out.update(router._word_features(word))
    if text.rstrip().endswith("?"):
        out.add("q?")
    return out


def test_router_features_skip_the_address_and_number_passes_only_where_they_find_nothing():
    for text in (*_messages(), *_RAW_EDGES, "a@b", "call 0044 20 7946 0958"):
        assert router.features(text) == _old_router_features(text), text


# --- branch fastentities2: typos compared only with the names within reach of their length -------


def _old_fuzzy_country(word: str) -> str | None:
    table = compiled()
    if len(word) < entities.FUZZY_MIN_LEN or word in table.plain_words:
        return None
    found = [
        hit
        for hit in entities.process.extract(
            word, table.fuzzy_names.keys(), scorer=entities.DamerauLevenshtein.normalized_similarity, limit=5
        )
        if hit[1]
        >= (entities.FUZZY_FLOOR if hit[0][:1] == word[:1] else entities.FUZZY_FLOOR_OTHER_START) - entities.FLOAT_SLACK
        and not (hit[0] in table.fuzzy_cities and entities._ends_like_a_country(word, hit[0]))
    ]
    if not found:
        return None
    top = [name for name, score, _ in found if score == found[0][1]]
    same_start = [name for name in top if name[:1] == word[:1]]
    return table.fuzzy_names[(same_start or top)[0]]


def _old_fuzzy_pair(pair: str) -> str | None:
    table = compiled()
    hit = entities.process.extractOne(
        pair, table.fuzzy_pairs.keys(), scorer=entities.DamerauLevenshtein.normalized_similarity
    )
    return None if hit is None or hit[1] < entities.FUZZY_FLOOR - entities.FLOAT_SLACK else table.fuzzy_pairs[hit[0]]


def _near_misses(names: list[str]) -> list[str]:
    """Each name, some of its one-edit typos, and the name two and three letters longer/shorter."""
    out = []
    for name in names:
        out += [name, *_typos(name)[::7], name + name[-2:], name + name[-3:], name[:-2], name[:-3]]
    return out


def test_typos_read_as_countries_agree_with_comparing_every_name():
    table = compiled()
    words = {w for words in _message_words() for w in words} | set(_near_misses(list(table.fuzzy_names)))
    read = 0
    for word in sorted(words):
        expected = _old_fuzzy_country(word)
        assert entities._fuzzy_country(word, table) == expected, word
        read += expected is not None
    assert read > 1000


def test_two_word_typos_read_as_countries_agree_with_comparing_every_pair():
    table = compiled()
    read = 0
    for pair in _near_misses(list(table.fuzzy_pairs)):
        first, _, second = pair.partition(" ")
        if not (first.isalpha() and second.isalpha()):
            continue
        tokens = [entities._Token(raw=first, folded=first), entities._Token(raw=second, folded=second)]
        found = entities._fuzzy_pair(tokens, 0, set(), table)
        known = first in table.plain_words and second in table.plain_words
        expected = None if known else _old_fuzzy_pair(pair)
        assert (found[0] if found else None) == expected, pair
        read += expected is not None
    assert read > 100


def test_names_within_reach_leave_out_names_too_long_or_short_only():
    table = compiled()
    for size in range(1, 40):
        kept = set(table.fuzzy_names_by_length.get(size, ()))
        for name in table.fuzzy_names:
            close = 1 - abs(size - len(name)) / max(size, len(name)) >= entities.FUZZY_FLOOR - entities.FLOAT_SLACK
            assert (name in kept) is close, (size, name)
    assert len(table.fuzzy_names_by_length[8]) < len(table.fuzzy_names) * 0.7  # the point of it


# --- branch fastentities2: the first pattern told by the alternation's own match -----------------


def test_licence_patterns_are_each_one_of_the_licence_names_as_a_whole_word():
    table = compiled()
    assert [(v, p.pattern) for v, p in table.licences] == [
        (table.licence_names[name], rf"\b{re.escape(name)}\b")
        for name in sorted(table.licence_names, key=len, reverse=True)
    ]


@pytest.mark.parametrize("name", ["carriers", "licences", "lines"])
def test_first_pattern_read_from_the_alternation_agrees_with_searching_each(name):
    table = compiled()
    patterns = getattr(table, name)
    combined = getattr(table, f"any_{name[:-1]}")
    by_text = table.licence_names if name == "licences" else None
    texts = [" ".join(words) for words in _message_words()]
    texts += [f"so {p.pattern.strip(chr(92) + 'b')} then" for _, p in patterns]  # most are literal names
    texts += ["e5 e3 and e5", "international or domestic", "direct routing via operator connect"]
    found = 0
    for norm in texts:
        old = _old_first(norm, patterns)
        hit = entities._first(norm, patterns, combined, by_text)
        assert ((hit[0], hit[1].start(), hit[1].end()) if hit else None) == old, norm
        found += old is not None
    assert found > 50


def test_one_alternation_finds_a_match_where_a_plan_carrier_licence_or_line_pattern_does():
    table = compiled()
    assert table.any_term is not None, "not combinable: every message pays four searches"
    patterns = [entry[-1] for name in ("plans", "carriers", "licences", "lines") for entry in getattr(table, name)]
    named = 0
    for norm in [" ".join(words) for words in _message_words()] + [p.pattern.strip(chr(92) + "b") for p in patterns]:
        expected = any(p.search(norm) for p in patterns)
        assert bool(table.any_term.search(norm)) is expected, norm
        named += expected
    assert named > 100
