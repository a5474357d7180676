"""Finding the fact a message asks about: retrieval over the fact base's question forms.

WHY a library and not hand-written scoring: fuzzy matching (``rapidfuzz``) and BM25 (``bm25s``)
are well kept, fast and measured; ``bench/fact_retrieval.py`` compares them (and a blend) on
the dev sets ``tests/dialogs/corpus/facts_dev_{en,fr}.json``, accuracy and microseconds per
query, and :data:`METHOD` keeps the winner. Both languages' forms are searched together, folded
(no case, no accents, no punctuation) and without the words that say nothing about which fact
is asked (articles, pronouns: ``STOPWORDS`` in ``facts.json``), so a French question finds its
fact even in an English conversation.

The index is built on first use and cached (``@lru_cache``): starting the bot costs nothing,
the first question pays a few milliseconds once. Nothing here grows with the message beyond
:data:`MAX_QUERY_CHARS`.

A result is a ranked list of ``(fact_id, score)``, one per fact, score in [0, 1]. The caller
decides with :data:`ANSWER_FLOOR` (answer) and :data:`SUGGEST_FLOOR` (offer the closest
questions) what to do with it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Literal

from knowledge.facts import FactBase, load_facts

Method = Literal["fuzzy", "bm25", "blend"]

#: The method kept after measuring (see the module docstring and bench/fact_retrieval.py).
METHOD: Method = "blend"
#: At or above this score the best fact is answered.
ANSWER_FLOOR = 0.70
#: Between this and ANSWER_FLOOR, the closest questions are offered as buttons; below, not a fact.
SUGGEST_FLOOR = 0.58
#: A question is read up to this many characters (a question of fact is one or two lines).
MAX_QUERY_CHARS = 300

_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, accents and punctuation removed: ``"Qu'est-ce"`` -> ``"qu est ce"``."""
    lowered = text.lower()
    if lowered.isascii():  # nothing to decompose (most messages): the same result, 5x cheaper
        return " ".join(_WORD.findall(lowered))
    decomposed = unicodedata.normalize("NFKD", lowered)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(plain))


#: What a country or region name becomes in a question form and in a query: "is Japan
#: callable?" and "is India in the list of callable countries" then share the word that matters.
COUNTRY_TOKEN = "zq"
_LONGEST_NAME = 5  # words in the longest country name matched ("saint vincent and the grenadines")


@lru_cache(maxsize=1)
def _country_names() -> frozenset[tuple[str, ...]]:
    """Every country/region name and alias of the catalog in both languages, folded, as word
    tuples. Names of one or two letters ("us", "u s") are left out: they are words too."""
    from knowledge.catalog import load_catalog

    names = set()
    for country in load_catalog().countries:
        for lang in ("en", "fr"):
            for name in (country.name[lang], *country.aliases[lang]):
                words = tuple(fold(name).split())
                if words and (len(" ".join(words)) > 2 or words == ("uk",)) and len(words) <= _LONGEST_NAME:
                    names.add(words)
    return frozenset(names)


@lru_cache(maxsize=1)
def _name_sizes() -> dict[str, tuple[int, ...]]:
    """First word of a country name -> the word counts of the names it starts, longest first
    (so a message costs one dict lookup per word)."""
    sizes: dict[str, set[int]] = {}
    for name in _country_names():
        sizes.setdefault(name[0], set()).add(len(name))
    return {first: tuple(sorted(found, reverse=True)) for first, found in sizes.items()}


def _countries_as_token(words: list[str], keep: frozenset[tuple[str, ...]] = frozenset()) -> list[str]:
    """``words`` with each country name (longest first) replaced by :data:`COUNTRY_TOKEN`; a
    name in ``keep`` (one a fact about that country names: "Mexico", "Puerto Rico") stays too."""
    names = _country_names()
    starts = _name_sizes()
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in starts.get(words[i], ()):
            name = tuple(words[i : i + size])
            if name in names:
                out.append(COUNTRY_TOKEN)
                out.extend(name if name in keep else ())
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return out


#: Public name: the learned router (dialogs/nlu/router.py) reads country names the same way.
countries_as_token = _countries_as_token


def _names_in(words: list[str]) -> set[tuple[str, ...]]:
    names = _country_names()
    return {
        tuple(words[i : i + n])
        for i in range(len(words))
        for n in range(1, _LONGEST_NAME + 1)
        if tuple(words[i : i + n]) in names
    }


def _content(
    folded: str,
    stopwords: frozenset[str],
    keep: frozenset[tuple[str, ...]] | None = None,
    synonyms: Mapping[str, str] | None = None,
) -> str:
    """The words that say which fact is asked: country names as one token (kept as written too
    when ``keep`` has them; ``None``: a fact about those countries, names kept as they are),
    without stopwords, each synonym read as its word ("pooled" -> "pool")."""
    same = synonyms or {}
    phrases = _phrases(tuple(sorted(p for p in same if " " in p)))
    if phrases is not None:
        folded = phrases.sub(lambda m: same[m.group(0)], folded)
    words = folded.split() if keep is None else _countries_as_token(folded.split(), keep)
    words = [same.get(w, w) for w in words if w not in stopwords]
    return " ".join(words) or folded


@lru_cache(maxsize=4)
def _phrases(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for the synonyms of several words ("pay as you go" -> "payg"), longest first."""
    if not phrases:
        return None
    ordered = sorted(phrases, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in ordered) + r")\b")


@dataclass(frozen=True)
class _Form:
    fact_id: str
    lang: str
    text: str  # the form as written in facts.json
    folded: str  # folded, stopwords removed


@dataclass(frozen=True)
class Index:
    forms: tuple[_Form, ...]
    stopwords: frozenset[str]
    #: Country names a fact about those countries names in its forms (kept in a query too).
    literal: frozenset[tuple[str, ...]] = frozenset()
    synonyms: Mapping[str, str] = field(default_factory=dict)


@lru_cache(maxsize=1)
def index(base: FactBase | None = None) -> Index:
    """Every question form of every fact, folded once (country names as one token, except in
    the forms of a fact about particular countries: ``literal_countries``)."""
    base = base or load_facts()
    stopwords = frozenset(w for words in base.stopwords.values() for w in words)
    literal = frozenset(
        name
        for fact in base.facts
        if fact.literal_countries
        for lang in ("en", "fr")
        for form in fact.questions[lang]
        for name in _names_in(fold(form).split())
    )
    synonyms = MappingProxyType(dict(base.synonyms))
    forms = tuple(
        _Form(
            fact.id,
            lang,
            form,
            _content(fold(form), stopwords, None if fact.literal_countries else frozenset(), synonyms),
        )
        for fact in base.facts
        for lang in ("en", "fr")
        for form in fact.questions[lang]
    )
    return Index(forms, stopwords, literal, synonyms)


@lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """Every word of the fact base's question forms and of its synonyms, folded: a word the
    questions use ("zone", "softbank") or one retrieval reads as such a word ("postpaye" ->
    "postpaid") is no unknown place name."""
    base = load_facts()
    forms = (form for fact in base.facts for lang in ("en", "fr") for form in fact.questions[lang])
    synonyms = (phrase for pair in base.synonyms.items() for phrase in pair)
    return frozenset(word for text in (*forms, *synonyms) for word in fold(text).split())


def query_form(text: str, idx: Index | None = None) -> str:
    return _query(fold((text or "")[:MAX_QUERY_CHARS]), idx or index())


def _query(folded: str, idx: Index) -> str:
    return _content(folded, idx.stopwords, idx.literal, idx.synonyms)


def _best_per_fact(scored: Iterable[tuple[str, float]]) -> list[tuple[str, float]]:
    best: dict[str, float] = {}
    for fact_id, score in scored:
        if score > best.get(fact_id, -1.0):
            best[fact_id] = score
    return sorted(best.items(), key=lambda item: item[1], reverse=True)


# --- fuzzy (rapidfuzz) -------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _fuzzy_choices() -> tuple[list[str], list[str]]:
    forms = index().forms
    return [f.folded for f in forms], [f.fact_id for f in forms]


def _set_weight(query: str) -> float:
    """How much ``token_set_ratio`` counts next to ``token_sort_ratio``: half, but nothing for a
    query of one or two words, which is a subset of many forms ("how work" is in "how does
    payg work"): a short query must match a form as a whole."""
    return 0.5 if query.count(" ") >= 2 else 0.0


def search_fuzzy(text: str) -> list[tuple[str, float]]:
    """rapidfuzz ``token_set_ratio`` and ``token_sort_ratio`` (see :func:`_set_weight`): word overlap that
    tolerates order and a typo, penalized when the message says much more than the form."""
    return _fuzzy(query_form(text))


def _fuzzy(query: str) -> list[tuple[str, float]]:
    from rapidfuzz import fuzz, process

    if not query:
        return []
    choices, ids = _fuzzy_choices()
    # process.extract runs the loop in C++ and returns plain floats (cdist would import numpy).
    set_scores = {i: s for _, s, i in process.extract(query, choices, scorer=fuzz.token_set_ratio, limit=None)}
    sort_scores = {i: s for _, s, i in process.extract(query, choices, scorer=fuzz.token_sort_ratio, limit=None)}
    weight = _set_weight(query)
    return _best_per_fact(
        (ids[i], (weight * set_scores[i] + (1 - weight) * sort_scores[i]) / 100.0) for i in range(len(ids))
    )


# --- BM25 (bm25s) ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _bm25():
    """The BM25 index of the folded forms and its vocabulary (the query is split the same way
    the forms were, so bm25s' tokenizer, 90 us a call, is only used to build the index)."""
    import bm25s

    forms = index().forms
    retriever = bm25s.BM25()
    corpus = bm25s.tokenize([f.folded for f in forms], stopwords=None, show_progress=False)
    retriever.index(corpus, show_progress=False)
    return retriever, frozenset(corpus.vocab)


def _bm25_scores(query: str):  # -> numpy array, or None when no word of the query is indexed
    retriever, vocab = _bm25()
    tokens = [w for w in query.split() if w in vocab]
    return retriever.get_scores(tokens) if tokens else None


def _ranked_forms(scores, k: int) -> list[tuple[int, float]]:
    top = (-scores).argsort(kind="stable")[:k]  # ties: the first form first, on any CPU
    return [(int(i), float(scores[i])) for i in top if scores[i] > 0]


def _bm25_top(query: str, k: int) -> list[tuple[int, float]]:
    """The ``k`` best forms by BM25 (form index, raw score), best first; only scores > 0."""
    scores = _bm25_scores(query)
    return [] if scores is None else _ranked_forms(scores, k)


def _bm25_shortlist(query: str, k: int) -> set[int]:
    """The forms of :func:`_bm25_top` as a set, without sorting every form. WHY: sorting all
    the scores (mostly zeros, a slow case for numpy's sort) was a third of a search; only the
    few forms sharing a word with the query score above 0. When ``k`` or fewer do, they are
    the set; when more do and the ``k``-th score is above the next, the top ``k`` is the same
    whatever the order; only a tie across that boundary takes the full sort (:func:`_ranked_forms`:
    a stable one, so the tied forms kept are the first ones on every CPU; numpy's default sort
    picked among them by the instruction set it ran on, measured: AVX-512 or not changed "pool
    balance"'s candidates; over the 4,260 corpus texts the intent and first fact are unchanged)."""
    import numpy as np

    scores = _bm25_scores(query)
    if scores is None:
        return set()
    found = scores.nonzero()[0]
    found = found[scores[found] > 0]
    if len(found) > k:
        ranked = np.sort(scores[found])[::-1]
        if ranked[k - 1] == ranked[k]:
            return {i for i, _ in _ranked_forms(scores, k)}
        found = found[scores[found] >= ranked[k - 1]]
    return set(found.tolist())


def search_bm25(text: str) -> list[tuple[str, float]]:
    """BM25 over the forms, the raw score squashed into [0, 1) by ``s / (s + 4)`` (BM25 scores
    are unbounded; 4 is about a two-rare-word match on this small corpus)."""
    return _bm25_ranked(query_form(text))


def _bm25_ranked(query: str) -> list[tuple[str, float]]:
    if not query:
        return []
    forms = index().forms
    return _best_per_fact((forms[i].fact_id, s / (s + 4.0)) for i, s in _bm25_top(query, 40))


# --- blend: BM25 and a cheap fuzzy pass pick candidates, fuzzy scores them --------------------


@lru_cache(maxsize=1)
def _sorted_choices() -> list[str]:
    return [" ".join(sorted(f.folded.split())) for f in index().forms]


def search_blend(text: str, k: int = 8) -> list[tuple[str, float]]:
    """Candidates: the ``k`` best forms by BM25 (exact words, weighted by rarity) and the ``k``
    best by a plain ratio on sorted words (catches typos BM25 cannot see); each candidate is
    then scored like :func:`search_fuzzy`, so the floors mean the same thing for both."""
    return _blend(query_form(text), k)


def _blend(query: str, k: int = 8) -> list[tuple[str, float]]:
    from rapidfuzz import fuzz, process

    if not query:
        return []
    forms = index().forms
    candidates = _bm25_shortlist(query, k)
    sorted_query = " ".join(sorted(query.split()))
    candidates.update(i for _, _, i in process.extract(sorted_query, _sorted_choices(), scorer=fuzz.ratio, limit=k))
    picked = sorted(candidates)
    texts = [forms[i].folded for i in picked]
    set_scores = process.extract(query, texts, scorer=fuzz.token_set_ratio, limit=None)
    sort_scores = {j: score for _, score, j in process.extract(query, texts, scorer=fuzz.token_sort_ratio, limit=None)}
    weight = _set_weight(query)
    return _best_per_fact(
        (forms[picked[j]].fact_id, (weight * score + (1 - weight) * sort_scores[j]) / 100.0)
        for _, score, j in set_scores
    )


SEARCHES = {"fuzzy": search_fuzzy, "bm25": search_bm25, "blend": search_blend}
#: The same searches from the query already folded (:func:`search` folds a message once).
_RANKERS = {"fuzzy": _fuzzy, "bm25": _bm25_ranked, "blend": _blend}


#: A fact a question names by code (``named_by``: "MCOPSTN5?") scores at least this: it is answered.
NAMED_SCORE = 0.85
#: A fact a question hints at by licence (``hinted_by``) comes first when it scores at least this.
HINT_FLOOR = 0.5
_LONGEST_NAMED = 3  # words in the longest folded name ("mcopstn payg 1", "business premium")


@lru_cache(maxsize=1)
def _names() -> tuple[dict[tuple[str, ...], str], dict[tuple[str, ...], str]]:
    """Folded name (word tuple) -> the fact it decides (``named_by``) / hints at (``hinted_by``)."""
    base = load_facts()
    named = {tuple(fold(n).split()): fact.id for fact in base.facts for n in fact.named_by}
    hinted = {tuple(fold(n).split()): fact.id for fact in base.facts for n in fact.hinted_by}
    return named, hinted


@lru_cache(maxsize=1)
def _name_starts() -> tuple[frozenset[str], frozenset[str]]:
    """The first words of the names of :func:`_names` (a word no name starts with is passed over)."""
    named, hinted = _names()
    return frozenset(n[0] for n in named), frozenset(n[0] for n in hinted)


def _first_named(words: list[str], names: dict[tuple[str, ...], str], starts: frozenset[str]) -> str | None:
    """The fact of the longest name ``words`` contain (first one in the message on a tie)."""
    found: tuple[int, int, str] | None = None
    for i in range(len(words)):
        if words[i] not in starts:
            continue
        for size in range(min(_LONGEST_NAMED, len(words) - i), 0, -1):
            fact_id = names.get(tuple(words[i : i + size]))
            if fact_id is not None:
                if found is None or size > found[0]:
                    found = (size, -i, fact_id)
                break
    return found[2] if found else None


def names_a_fact(text: str) -> bool:
    """Whether ``text`` names a fact by code or hints at one by licence (:func:`named_first`'s
    names: "MCOPSTN8", "E5"): the name then decides among the close facts, whatever part of the
    message it is in."""
    words = fold((text or "")[:MAX_QUERY_CHARS]).split()
    named, hinted = _names()
    named_starts, hinted_starts = _name_starts()
    return (
        _first_named(words, named, named_starts) is not None or _first_named(words, hinted, hinted_starts) is not None
    )


#: At most this many facts named by code are answered together (:func:`named_facts`).
NAMED_TOGETHER = 3


@lru_cache(maxsize=1)
def _named_codes() -> dict[tuple[str, ...], tuple[str, str]]:
    """Folded name (word tuple) -> (the fact it decides, the name as written in facts.json)."""
    return {tuple(fold(n).split()): (fact.id, n) for fact in load_facts().facts for n in fact.named_by}


def named_facts(text: str) -> list[tuple[str, str]]:
    """Every fact ``text`` names by code (``named_by``), in the order named, each once, with the
    code that named it (as written in facts.json): ``[("domestic_plan_includes", "MCOPSTN1"),
    ("international_plan_includes", "MCOPSTN2")]`` for "difference between MCOPSTN1 and
    MCOPSTN2?". WHY: two codes asked together are a comparison; :func:`named_first` answers the
    first one only. At most :data:`NAMED_TOGETHER`; longest name first at each word."""
    words = fold((text or "")[:MAX_QUERY_CHARS]).split()
    codes = _named_codes()
    starts, _ = _name_starts()
    found: dict[str, str] = {}
    i = 0
    while i < len(words) and len(found) < NAMED_TOGETHER:
        size = 0
        if words[i] in starts:
            for size in range(min(_LONGEST_NAMED, len(words) - i), 0, -1):
                named = codes.get(tuple(words[i : i + size]))
                if named is not None:
                    found.setdefault(*named)
                    break
            else:
                size = 0
        i += max(size, 1)
    return list(found.items())


@lru_cache(maxsize=1)
def _forms_by_fact() -> Mapping[str, tuple[_Form, ...]]:
    """The index's forms grouped by fact, once: :func:`_fact_score` reads one fact's forms, not
    a scan of every form for each hinted message."""
    grouped: dict[str, list[_Form]] = {}
    for form in index().forms:
        grouped.setdefault(form.fact_id, []).append(form)
    return MappingProxyType({fact_id: tuple(forms) for fact_id, forms in grouped.items()})


def _fact_score(query: str, fact_id: str) -> float:
    """``fact_id``'s best score for ``query`` over its own forms, scored as :func:`_blend`
    scores a candidate (0.0 for an empty query)."""
    from rapidfuzz import fuzz

    if not query:
        return 0.0
    weight = _set_weight(query)
    return max(
        (
            (
                weight * fuzz.token_set_ratio(query, form.folded)
                + (1 - weight) * fuzz.token_sort_ratio(query, form.folded)
            )
            / 100.0
            for form in _forms_by_fact().get(fact_id, ())
        ),
        default=0.0,
    )


def named_first(
    text: str, ranked: list[tuple[str, float]], folded: str | None = None, query: str | None = None
) -> list[tuple[str, float]]:
    """``ranked`` with the fact the question names put first. WHY: word overlap reads
    "MCOPSTN5?" as close to "what is MCOPSTN9" and "does E5 include a calling plan?" as the
    Domestic plan's contents; the code or licence named decides which fact is asked, so the
    answer names it, not the general one. A code decides outright (:data:`NAMED_SCORE`); a
    licence only reorders the close facts (:data:`HINT_FLOOR`: "minutes per user with E5 in
    France" stays the minutes fact). The fact a licence hints at is scored on all its forms
    (``query``: the message's query form), not only on those among the blend's candidates:
    "E5 inclut-il un forfait d'appels ?" is close to a Teams Phone prerequisite form (0.70) that
    a few forms added elsewhere moved out of the 8 + 8 candidates; its candidate form scored
    0.51, out of reach, and the price fact answered."""
    if folded is None:
        folded = fold((text or "")[:MAX_QUERY_CHARS])
    words = folded.split()
    named, hinted = _names()
    named_starts, hinted_starts = _name_starts()
    fact_id = _first_named(words, named, named_starts)
    score = NAMED_SCORE
    if fact_id is None:
        fact_id = _first_named(words, hinted, hinted_starts)
        found = dict(ranked).get(fact_id or "", 0.0)
        if fact_id is not None:  # at its best form's score, not only the candidates' forms
            found = max(found, _fact_score(query if query is not None else _query(folded, index()), fact_id))
        if fact_id is None or found < HINT_FLOOR or (ranked and ranked[0][1] - found > 0.15):
            return ranked
        score = max(found, ranked[0][1]) if ranked else found
    current = dict(ranked).get(fact_id, 0.0)
    return [(fact_id, max(score, current)), *((f, s) for f, s in ranked if f != fact_id)]


#: A fact asked about a country may trail a general one by this much and still come first.
COUNTRY_MARGIN = 0.1


@lru_cache(maxsize=1)
def _country_facts() -> frozenset[str]:
    """The facts some question form of which names a country (as :data:`COUNTRY_TOKEN`), and
    the facts about particular countries (``literal_countries``: Mexico's SKUs, the US and
    Puerto Rico pool)."""
    literal = {fact.id for fact in load_facts().facts if fact.literal_countries}
    return frozenset(f.fact_id for f in index().forms if COUNTRY_TOKEN in f.folded.split()) | literal


def country_first(text: str, ranked: list[tuple[str, float]], query: str | None = None) -> list[tuple[str, float]]:
    """``ranked`` with the closest fact asked about a country first when the question names
    one and the best fact is a general one close above it. WHY: word overlap reads "can we get
    calling plans in India?" as "which calling plans are there" (every word but the country
    matches); the country named says the question is about that country, so the fact that
    answers per country (sold there, minutes there) is the one asked."""
    if query is None:
        query = query_form(text)
    if len(ranked) < 2 or COUNTRY_TOKEN not in query.split():
        return ranked
    with_country = _country_facts()
    top_score = ranked[0][1]
    if ranked[0][0] in with_country:
        return ranked
    for fact_id, score in ranked[1:]:
        if top_score - score > COUNTRY_MARGIN:
            break
        if fact_id in with_country:
            return [(fact_id, top_score), *((f, s) for f, s in ranked if f != fact_id)]
    return ranked


#: A question searched alone (:func:`asked_part`) has at least this many words that say which
#: fact is asked: "what can we do?" alone would match any fact about doing something.
ASKED_WORDS = 3


def asked_part(sentence: str | None) -> str | None:
    """``sentence`` (the last one of a message of several) when it is a question worth searching
    alone: it ends with a question mark and keeps :data:`ASKED_WORDS` words once the stopwords
    are dropped; None otherwise."""
    if sentence is None or not sentence.rstrip().endswith("?"):
        return None
    return sentence if len(query_form(sentence).split()) >= ASKED_WORDS else None


#: The question a message ends with re-scores only the facts this close to the whole message.
ASKED_AMONG = 3


def merge_rankings(ranked: list[tuple[str, float]], asked: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """``ranked`` (the whole message's) with each of its first :data:`ASKED_AMONG` facts at its
    better score of ``ranked`` and ``asked`` (the question the message ends with), best first.
    WHY only those: the question alone often points back at what the context said ("is that
    available in the US?", "is that a calling plan?"); it confirms one of the facts the whole
    message is close to, it does not bring in a fact the context rules out."""
    close = {fact_id for fact_id, _ in ranked[:ASKED_AMONG]}
    better = [(fact_id, score) for fact_id, score in asked if fact_id in close]
    return _best_per_fact([*ranked, *better])


#: Searches kept, by folded message (:func:`_ranked`): a few hundred kilobytes at most.
SEARCHES_KEPT = 1024


def search(text: str, method: Method | None = None) -> list[tuple[str, float]]:
    """Facts ranked by how well ``text`` matches one of their question forms (best first), the
    fact a question names by code or licence first (:func:`named_first`), a fact asked about a
    country first when one is named (:func:`country_first`). A new list on every call."""
    folded = fold((text or "")[:MAX_QUERY_CHARS])  # once: the query and the names read it
    return list(_ranked(folded, method or METHOD))


@lru_cache(maxsize=SEARCHES_KEPT)
def _ranked(folded: str, method: Method) -> tuple[tuple[str, float], ...]:
    """:func:`search` of a folded message, kept per folded message. WHY: the ranking depends on
    nothing else (the index is built once per process), and the typo pass of the blend scores
    every form (rapidfuzz's ``ratio``, ~60 us for 1,273 forms: no exact bound prunes it, see
    bench/records/issue14_fastfacts.md); the same words asked again ("pool balance", "help")
    cost a dictionary lookup. Bounded (:data:`SEARCHES_KEPT`), thread-safe (``lru_cache``)."""
    query = _query(folded, index())
    text = folded  # named_first and country_first read the text only to fold it: given folded
    return tuple(named_first(text, country_first(text, _RANKERS[method](query), query), folded, query))


def forget_searches() -> None:
    """Drop the kept searches (a benchmark timing the search itself, not the cache)."""
    _ranked.cache_clear()


__all__ = [
    "ANSWER_FLOOR",
    "MAX_QUERY_CHARS",
    "METHOD",
    "SUGGEST_FLOOR",
    "asked_part",
    "fold",
    "forget_searches",
    "index",
    "merge_rankings",
    "named_facts",
    "names_a_fact",
    "search",
    "vocabulary",
]
