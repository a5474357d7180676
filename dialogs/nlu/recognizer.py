"""Local, offline intent recognition for English and French (no cloud NLU).

WHY rules and weights rather than a trained model: the domain is narrow (a handful of
intents), admins type short technical messages full of entities (numbers, countries, SKUs),
and every decision must be explainable and fixable by editing data. The vocabulary is in
``locales/lexicon.json``; this module only scores it:

* each intent has weighted cue phrases and question patterns, in both languages, on folded
  words (no case, no accents); a cue slot can be a word class ("which @people", "who ...
  @topic"); a word the lexicon does not know also matches a cue word with one typo, a known
  word never does ("about" is not "abort");
* the entities found add weight: ``features`` always (a phone number points to a number check,
  "40 users" to a purchase), ``boosts`` only to an intent the words already point to (a
  country makes "minutes ... Germany" a firmer pool question);
* a whole message that is a Teams command-menu word (``plan``, ``check``, ``pool``, ``help``)
  maps straight to its intent, also with one typo;
* the best intent wins if it reaches the threshold, otherwise UNKNOWN (never a wrong guess on
  gibberish: the bot then answers with what it can do). Purchase, check, pool and users must
  reach a higher bar when nothing in the message is about calling ("order pizza").

Card buttons bypass text: :func:`from_card_value` reads ``{"intent": ...}`` submits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache, cached_property, lru_cache
from typing import Any, Literal

from pydantic import BaseModel

from dialogs.nlu import questions, router
from dialogs.nlu.entities import (
    MAX_CHARS,
    Entities,
    Extraction,
    countries_data,
    extract,
    key,
    language_words,
    lexicon,
    never_a_place,
    places_as_countries,
    words_of,
)
from dialogs.nlu.i18n import Score, detect_language
from dialogs.nlu.limits import WORDS_KEPT
from dialogs.nlu.slots import destination_countries, states_scope
from knowledge import fact_search
from knowledge.catalog import load_catalog


class Intent(StrEnum):
    PURCHASE = "purchase"  # which plan to buy / guided purchase
    CHECK = "check"  # can X call Y
    POOL = "pool"  # pool balance
    FACT = "fact"  # a question of fact ("what does the Domestic plan include?"): dialogs/facts.py
    USERS = "users"  # list users
    ALERT = "alert"  # subscribe to pool alerts ("alert me at 80%")
    ALERTS = "alerts"  # list this conversation's alerts
    ALERT_STOP = "alert_stop"  # unsubscribe
    HELP = "help"
    CANCEL = "cancel"
    GREETING = "greeting"
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Recognition(BaseModel):
    intent: Intent
    score: float  # confidence in [0, 1]: how far the winner is above the threshold and the runner-up
    entities: Entities
    lang: Literal["en", "fr"]
    scores: dict[str, float] = {}  # raw score per intent, for the bench and for debugging
    facts: list[tuple[str, float]] = []  # the closest facts (id, retrieval score), best first


# --- cue compilation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cue:
    intent: Intent
    weight: float
    anchored: bool
    parts: tuple[tuple[str, ...], ...]  # word groups separated by "..." gaps
    gaps: tuple[int, ...]  # how many words each gap may skip (one per part after the first)

    @cached_property
    def first_rest(self) -> tuple[str, ...]:
        """The first group's tokens after its first one (the word a cue starts at has that one)."""
        return self.parts[0][1:]

    @cached_property
    def later(self) -> tuple[tuple[tuple[str, ...], int], ...]:
        """The groups after the first, each with the gap before it: what :func:`_rest_matches`
        walks (paired once per cue, not zipped again on every message)."""
        return tuple(zip(self.parts[1:], self.gaps, strict=True))


_GAP = 3  # "..." skips up to this many words; "...6" up to six
_GAP_TOKEN = re.compile(r"\.\.\.(\d?)")
_FUZZY_MIN = 5


@dataclass(frozen=True)
class _Lexicon:
    cues_by_first: dict[str, tuple[int, ...]]  # first token -> indexes into ``cues``
    cues: tuple[_Cue, ...]  # cues of several words, or anchored ones
    single: dict[str, tuple[tuple[Intent, float], ...]]  # unanchored one-word cues, by token
    exact: dict[str, Intent]
    #: first letter -> the one-word ``exact`` commands starting with it, in order: a typo keeps
    #: its first letter (:func:`_is_typo_of`), so only these are compared with a one-word message
    exact_by_first: dict[str, tuple[tuple[str, Intent], ...]]
    threshold: float
    gated_threshold: float  # a domain intent with no domain evidence must reach this instead
    gated: frozenset[Intent]
    domain_features: frozenset[str]
    filler: frozenset[str]
    literal: dict[str, tuple[str, ...]]  # first letter -> plain cue tokens (typo candidates)
    prefixes: tuple[str, ...]  # "word*" tokens
    exact_only: frozenset[str]  # "word=" tokens
    classes: dict[str, frozenset[str]]  # class name -> member tokens
    vocabulary: frozenset[str]  # known words: never read as a typo of another word
    features: dict[str, dict[Intent, float]]
    boosts: dict[str, dict[Intent, float]]
    fact_weights: dict[str, float]  # answer_weight, slope, suggest_weight (see _fact_retrieval)
    fact_not_with: frozenset[str]  # entity features that rule a question of fact out
    fact_beats: frozenset[Intent]  # intents a question shape with a confident match wins over
    seat_count_facts: frozenset[str]  # facts that take a seat count and, without one, ask about the tenant's data
    #: facts that take a seat count -> (the questions.json list naming what they count, whether
    #: only a how-many question counts it)
    counted_facts: dict[str, tuple[str, bool]]
    carrier_fact: str  # the fact a question naming the asker's own carrier asks (the PSTN options)


def _compile_cue(intent: Intent, weight: float, phrase: str) -> _Cue:
    anchored = phrase.startswith("^ ")
    body = phrase[2:] if anchored else phrase
    pieces = _GAP_TOKEN.split(body)  # [group, gap, group, gap, group...]
    parts = tuple(tuple(piece.split()) for piece in pieces[0::2])
    gaps = tuple(int(g) if g else _GAP for g in pieces[1::2])
    if not all(parts):
        raise ValueError(f"lexicon cue {phrase!r} has an empty word group")
    return _Cue(intent, weight, anchored, parts, gaps)


@cache
def _lexicon() -> _Lexicon:
    """The lexicon's cues, tables and word lists, compiled and indexed once."""
    lex = lexicon()
    cues: list[_Cue] = []
    single: dict[str, list[tuple[Intent, float]]] = {}
    for intent_name, entries in lex["intents"].items():
        intent = Intent(intent_name)
        for weight, phrase in entries:
            cue = _compile_cue(intent, float(weight), phrase)
            if not cue.anchored and len(cue.parts) == 1 and len(cue.parts[0]) == 1:
                single.setdefault(cue.parts[0][0], []).append((intent, cue.weight))
            else:
                cues.append(cue)
    by_first: dict[str, list[int]] = {}
    for index, cue in enumerate(cues):
        by_first.setdefault(cue.parts[0][0], []).append(index)
    exact = {key(phrase) or phrase: Intent(intent_name) for phrase, intent_name in lex["exact"].items()}
    classes = {name: frozenset(members) for name, members in lex["classes"].items()}
    unknown_classes = {t[1:] for c in cues for g in c.parts for t in g if t.startswith("@")} - set(classes)
    if unknown_classes:
        raise ValueError(f"lexicon cues name unknown classes: {sorted(unknown_classes)}")

    tokens = set(single) | {t for c in cues for g in c.parts for t in g}
    tokens |= {m for members in classes.values() for m in members}
    tokens = {t for t in tokens if not t.startswith("@")}
    literal: dict[str, list[str]] = {}
    for token in sorted(tokens):
        if not token.endswith(("*", "=")):
            literal.setdefault(token[0], []).append(token)

    known = tokens | set(exact) | set(lex["filler"]) | set(lex["known_words"])
    for name in ("yes_words", "no_words", "people_nouns", "place_nouns", "call_words", "unit_words"):
        known.update(lex[name])
    # The common words language detection uses and the words of country names ("Congo",
    # "Costa Rica", "Pérou") are real words too, never typos of a cue word.
    markers = language_words()
    known.update(w for lang in ("en", "fr") for w in markers[lang])
    known.update(countries_data()["names"])
    vocabulary = frozenset(part for phrase in known for part in words_of(phrase) if not phrase.endswith("*"))

    def weights(table: dict[str, dict[str, float]]) -> dict[str, dict[Intent, float]]:
        return {f: {Intent(i): float(w) for i, w in ws.items()} for f, ws in table.items()}

    gate = lex["domain_gate"]
    return _Lexicon(
        cues_by_first={t: tuple(v) for t, v in by_first.items()},
        cues=tuple(cues),
        single={t: tuple(v) for t, v in single.items()},
        exact=exact,
        exact_by_first=_one_word_by_first(exact),
        threshold=float(lex["threshold"]),
        gated_threshold=float(gate["threshold"]),
        gated=frozenset(Intent(i) for i in gate["intents"]),
        domain_features=frozenset(gate["features"]),
        filler=frozenset(lex["filler"]),
        literal={letter: tuple(v) for letter, v in literal.items()},
        prefixes=tuple(sorted(t for t in tokens if t.endswith("*"))),
        exact_only=frozenset(t for t in tokens if t.endswith("=")),
        classes=classes,
        vocabulary=vocabulary,
        features=weights(lex["features"]),
        boosts=weights(lex["boosts"]),
        fact_weights={
            name: float(w)
            for name, w in lex["fact_retrieval"].items()
            if name not in ("not_with", "seat_count_facts", "counted_facts", "beats", "carrier_fact")
        },
        fact_not_with=frozenset(lex["fact_retrieval"]["not_with"]),
        fact_beats=frozenset(Intent(i) for i in lex["fact_retrieval"]["beats"]),
        seat_count_facts=frozenset(lex["fact_retrieval"]["seat_count_facts"]),
        counted_facts={f: (str(w), bool(o)) for f, (w, o) in lex["fact_retrieval"]["counted_facts"].items()},
        carrier_fact=lex["fact_retrieval"]["carrier_fact"],
    )


# --- word matching -----------------------------------------------------------------------------


def _distance_at_most_one(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance <= 1 (one typo: substitution, insertion, deletion, swap)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True  # substitution
        return _swapped_at(a, b, i)
    if la > lb:
        return a[i + 1 :] == b[i:]
    return a[i:] == b[i + 1 :]


def _swapped_at(a: str, b: str, i: int) -> bool:
    return i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]


@lru_cache(maxsize=WORDS_KEPT)
def _is_known(word: str) -> bool:
    lex = _lexicon()
    return word in lex.vocabulary or any(word.startswith(p[:-1]) for p in lex.prefixes)


def _is_typo_of(pattern: str, word: str) -> bool:
    """Whether ``word`` reads as ``pattern`` with one typo.

    Only an unknown word can be a typo: "about" is not "abort" and "reset" is not "reste",
    because both are words the lexicon or the language lists know. A typo rarely hits the
    first letter, so that one must match ("rappelle" is not "appelle"). A word of five letters
    or more may differ by any one edit ("purchse", "pooll"); a four-letter word only by a swap
    of neighbours ("hlep"), as one letter changed or missing in four makes another real word
    too often ("than" is not "thank").
    """
    if not word or pattern[0] != word[0] or min(len(pattern), len(word)) < _FUZZY_MIN - 1 or _is_known(word):
        return False
    if len(word) >= _FUZZY_MIN:
        return _distance_at_most_one(pattern, word)
    if len(pattern) != len(word):
        return False
    first = next((i for i in range(len(word)) if word[i] != pattern[i]), len(word))
    return _swapped_at(pattern, word, first)


@lru_cache(maxsize=WORDS_KEPT)
def _tokens_of(word: str) -> frozenset[str]:
    """Every cue token ``word`` fills: itself, a token it is a typo of, a ``prefix*``, a
    ``word=``, and the ``@class`` of any of those. Cached per word, so scoring a message is a
    few set lookups per word."""
    lex = _lexicon()
    found = {word}
    if not _is_known(word):
        found.update(t for t in lex.literal.get(word[:1], ()) if _is_typo_of(t, word))
    found.update(p for p in lex.prefixes if word.startswith(p[:-1]))
    if f"{word}=" in lex.exact_only:
        found.add(f"{word}=")
    found.update(f"@{name}" for name, members in lex.classes.items() if members & found)
    return frozenset(found)


def _group_at(hits: list[frozenset[str]], start: int, group: tuple[str, ...]) -> bool:
    if start + len(group) > len(hits):
        return False
    return all(token in hits[start + k] for k, token in enumerate(group))


def _rest_matches(cue: _Cue, hits: list[frozenset[str]], start: int) -> bool:
    """Whether ``cue`` matches from ``start``, where its first token is known to be (the cue is
    one of that word's :attr:`_WordCues.starts`): only the rest of its first group and its later
    groups are read. A later group is tried only where it fits in the message (a "..." that
    would run past the last word cannot match there)."""
    last = len(hits)
    position = start + 1
    for token in cue.first_rest:  # (a loop, not _group_at: most cues are one group of 2-3 words)
        if position == last or token not in hits[position]:
            return False
        position += 1
    for group, gap in cue.later:
        for at in range(position, min(position + gap, last - len(group)) + 1):
            if _group_at(hits, at, group):
                position = at + len(group)
                break
        else:
            return False
    return True


def _anchors(words: list[str], filler: frozenset[str]) -> tuple[int, ...]:
    """Where a "^" cue may start: the first word, or the first one after leading filler
    ("show me who has..." asks "who has...", "ok yes" answers "yes")."""
    for position, word in enumerate(words):
        if word not in filler:
            return (0, position) if position else (0,)
    return (0,)


# --- scoring -----------------------------------------------------------------------------------

_ONLY_PUNCTUATION = re.compile(r"^[\s?¿!.]*$")


def cue_scores(words: list[str]) -> dict[Intent, float]:
    """Score per intent from the words alone (cue phrases, question patterns).

    Each cue counts once per message. A single word counts once per intent, for its best cue,
    so a word that matches several spellings ("licence", "licences", "license" by typo
    tolerance) is not counted three times, nor a word written twice. What each word brings
    (the cues that may start at it, its best one-word cue per intent) is :func:`_word_cues`'.
    """
    lex = _lexicon()
    read = [_word_cues(w) for w in words]
    hits = [r.tokens for r in read]
    anchors = _anchors(words, lex.filler)
    cues = lex.cues
    scores: dict[Intent, float] = {}
    matched: set[int] = set()
    for start, word in enumerate(read):
        for index in word.starts:
            if index in matched:
                continue
            cue = cues[index]
            if cue.anchored and start not in anchors:
                continue
            if _rest_matches(cue, hits, start):
                matched.add(index)
                scores[cue.intent] = scores.get(cue.intent, 0.0) + cue.weight
    seen: set[str] = set()
    for text, word in zip(words, read, strict=True):
        if text in seen:
            continue  # a word written twice counts once
        seen.add(text)
        for intent, weight in word.singles:
            scores[intent] = scores.get(intent, 0.0) + weight
    return scores


@dataclass(frozen=True)
class _WordCues:
    """What one word brings to :func:`cue_scores`: its tokens (:func:`_tokens_of`), the cues
    that may start at it (indexes into ``_Lexicon.cues``, in the order its tokens list them)
    and its best one-word cue weight per intent (a negative one stays negative). WHY: these
    depend on the word alone, yet were looked up token by token for every message."""

    tokens: frozenset[str]
    starts: tuple[int, ...]
    singles: tuple[tuple[Intent, float], ...]


@lru_cache(maxsize=WORDS_KEPT)
def _word_cues(word: str) -> _WordCues:
    """:class:`_WordCues` of ``word``, worked out once per word like :func:`_tokens_of`."""
    lex = _lexicon()
    tokens = _tokens_of(word)
    best: dict[Intent, float] = {}
    for token in tokens:
        for intent, weight in lex.single.get(token, ()):
            best[intent] = max(best[intent], weight) if intent in best else weight
    starts = tuple(index for token in tokens for index in lex.cues_by_first.get(token, ()))
    return _WordCues(tokens, starts, tuple(best.items()))


def score_intents(words: list[str], features: frozenset[str]) -> dict[Intent, float]:
    """Raw score per intent: matched cues plus what the entities found say.

    Two kinds of entity evidence, both data in the lexicon: ``features`` always add (a phone
    number is a number check on its own), ``boosts`` add only to an intent the words already
    point to (a country makes "minutes ... Germany" a firmer pool question, but a country
    alone says nothing about what is asked).
    """
    lex = _lexicon()
    scores = cue_scores(words)
    worded = {intent for intent, score in scores.items() if score > 0}
    for feature in sorted(features):
        for intent, weight in lex.features.get(feature, {}).items():
            scores[intent] = scores.get(intent, 0.0) + weight
        for intent, weight in lex.boosts.get(feature, {}).items():
            if intent in worded:
                scores[intent] = scores.get(intent, 0.0) + weight
    return scores


def has_unknown_word(text: str) -> bool:
    """Whether a message has a word the lexicon does not know (a name, perhaps: "Priya"), so a
    caller may look it up in the roster; known words and numbers never send it there."""
    return any(w.isalpha() and not _is_known(w) for w in words_of(text[:MAX_CHARS]))


def names_class(text: str, name: str) -> bool:
    """Whether a word of ``text`` is in the lexicon's class ``name`` (``prefix*`` members and
    typos included, as the cues read it): "and for 30 E3 users, what do we buy?" names @ask."""
    return class_in(words_of(text[:MAX_CHARS]), name)


def class_in(words: list[str], name: str) -> bool:
    """:func:`names_class` of a message's folded words (:func:`words_of`), for a caller that
    has them already (the router folds a message's head once a turn)."""
    marker = f"@{name}"
    return any(marker in _tokens_of(w) for w in words)


def has_domain_evidence(words: list[str], features: frozenset[str]) -> bool:
    """Whether the message is about calling at all: a telling entity, or a ``@domain`` word."""
    return bool(features & _lexicon().domain_features) or any("@domain" in _tokens_of(w) for w in words)


def _confidence(best: float, second: float, threshold: float) -> float:
    if best < threshold:
        return 0.0
    strength = min(1.0, best / (2 * threshold + 1))
    margin = (best - second) / best
    return round(strength * (0.5 + 0.5 * margin), 3)


def _exact(phrase: str, lex: _Lexicon) -> Intent | None:
    """A whole message that is a command word, also with one typo ("hlep", "chekc")."""
    if phrase in lex.exact:
        return lex.exact[phrase]
    if not phrase or " " in phrase:
        return None
    for command, intent in lex.exact_by_first.get(phrase[0], ()):
        if _is_typo_of(command, phrase):
            return intent
    return None


def _one_word_by_first(exact: dict[str, Intent]) -> dict[str, tuple[tuple[str, Intent], ...]]:
    by_first: dict[str, list[tuple[str, Intent]]] = {}
    for command, intent in exact.items():
        if command and " " not in command:
            by_first.setdefault(command[0], []).append((command, intent))
    return {letter: tuple(commands) for letter, commands in by_first.items()}


class _Reading:
    """What the fact rules of one :func:`recognize` call share: the message's question shape
    and the fact rankings of the queries already searched. WHY: up to three rules looked at
    one message (:func:`_score_fact`, :func:`_asks_about`, :func:`_closest_offer`), each
    computing the shape again and searching the facts again, often for the same query. Both
    are worked out on first use and kept for this message only (no cache across messages)."""

    def __init__(self, text: str, extraction: Extraction, places: bool = True) -> None:
        self.text, self.extraction, self.words = text, extraction, extraction.words
        self._ranked: dict[str, list[tuple[str, float]]] = {}
        # cities and demonyms read as countries, unless the message has a number to dial: a
        # people then says whose number it is ("+43 ... (numéro premium autrichien)"), which the
        # number check reads itself
        self._place = places_as_countries if places else _as_typed

    @cached_property
    def form(self) -> questions.Shape:
        return questions.shape(self.text, self.words, _tokens_of)

    @cached_property
    def fact_features(self) -> frozenset[str]:
        """:func:`_fact_features` of the message: up to four rules read them, and a seat count
        makes them extract and score the message's last sentence (:func:`_seats_as_context`)."""
        extraction = self.extraction
        return _fact_features(self.text, extraction.entities, extraction.features, _lexicon())

    @cached_property
    def asked(self) -> str | None:
        """The question a message of several sentences ends with ("our call center gets loads of
        inbound calls. do incoming calls count against the minutes?"), None for one sentence or
        a last sentence that is no question or says too little to be searched alone
        (:func:`knowledge.fact_search.asked_part`)."""
        return fact_search.asked_part(_last_sentence(self.text))

    @cached_property
    def asks_for_us(self) -> bool:
        """Whether the message asks for a choice for the asker's own users (``Shape.for_us``) in
        the question it ends with, not only in the situation told before it ("Our Dublin office
        wants Pay-As-You-Go. Which zone are the Irish users in?" asks which zone, not which plan)."""
        if not self.form.for_us or self.asked is None:
            return self.form.for_us
        return questions.shape(self.asked, extract(self.asked).words).for_us

    def search(self, query: str) -> list[tuple[str, float]]:
        """:func:`knowledge.fact_search.search`, once per query (callers copy, never change it);
        each fact at its better score of the query and the question the message ends with
        (:attr:`asked`), cities and demonyms read as their country (``places_as_countries``).
        WHY: the situation told first dilutes what is asked (spent heldout10, facts_dev9: the
        right fact at 0.6-0.7 for the whole message, 0.8 for its question), and retrieval knows
        country names, not "our Lyon office" or "the German users"."""
        if query not in self._ranked:
            ranked = fact_search.search(self._place(query))
            asked = self.asked
            if asked is not None and query != asked and not fact_search.names_a_fact(query):
                # a code or licence named decides among the close facts (fact_search.named_first):
                # the question alone, without it ("we're on E3 - can I just add a Domestic plan?"),
                # would outrank the fact the name points at
                ranked = fact_search.merge_rankings(ranked, fact_search.search(self._place(asked)))
            self._ranked[query] = ranked
        return self._ranked[query]


def _as_typed(text: str) -> str:
    return text


def recognize(
    text: str, lang_hint: str | None = None, extraction: Extraction | None = None, *, score: Score | None = None
) -> Recognition:
    """The intent and entities of one message; ``lang_hint`` is the activity locale (or the
    conversation's language): French wins when it says ``fr`` or the text is clearly French.
    ``extraction``: ``extract(text)`` when the caller has made it already (the dialogs extract a
    turn's message once, ``dialogs.turn.turn_extraction``), else it is made here; ``score``,
    likewise, ``french_score(text)`` (``dialogs.turn.turn_language_score``).

    The best-scoring intent wins when it reaches the threshold. Purchase, check, pool and users
    answer questions about calling, so when a message has no domain evidence at all (no plan,
    number, user, minutes... word nor telling entity) they must reach a higher bar: "order
    pizza" or "check the printer" are off-topic, not a purchase or a number check.
    """
    text = text or ""
    lang = detect_language(lang_hint, text, score=score)
    extraction = with_scope(text, extraction if extraction is not None else extract(text))
    lex = _lexicon()
    content = [w for w in extraction.words if w not in lex.filler] or extraction.words
    phrase = " ".join(content)
    if not extraction.words and _ONLY_PUNCTUATION.match(text) and "?" in text:
        phrase = "?"
    command = _exact(phrase, lex) if not extraction.features else None
    if command is not None:
        return Recognition(
            intent=command, score=1.0, entities=extraction.entities, lang=lang, scores={command.value: 5.0}
        )
    match = _direct_match(extraction)
    if match is not None:  # "how much is the D&I plan?": a question of fact, whatever else it says
        direct, rule = match
        entities = extraction.entities
        if rule.region:  # "South America", "l'Amérique du Sud": a region, not the country its words name
            entities = entities.model_copy(update={"countries": [], "guessed_countries": {}, "unknown_places": []})
        return Recognition(
            intent=Intent.FACT, score=1.0, entities=entities, lang=lang, scores={"fact": 5.0}, facts=[direct]
        )
    scores = score_intents(extraction.words, extraction.features)
    reading = _Reading(text, extraction, places="phone_number" not in extraction.features)
    facts = _score_fact(
        text,
        extraction.words,
        reading.fact_features,
        scores,
        lex,
        reading,
        countries=len(extraction.entities.countries),
    )
    # A tie between an answer word and a request ("ok, then 10 users in France on Business
    # Premium"): the request, since the answer word only opens it.
    ranked = sorted(scores.items(), key=lambda item: (item[1], item[0] not in _ANSWER_WORDS), reverse=True)
    best_intent, best = ranked[0] if ranked else (Intent.UNKNOWN, 0.0)
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    threshold = lex.threshold
    if best_intent in lex.gated and not has_domain_evidence(extraction.words, extraction.features):
        threshold = lex.gated_threshold
    intent = best_intent if best >= threshold else Intent.UNKNOWN
    if intent == Intent.GREETING:
        # "Hi there! ... 44 E5 users in Estonia, nothing international. Thanks a lot!": the
        # greeting and thanks wrap a request that names what it is about; the request wins
        wrapped = _wrapped_request(scores, extraction.features, lex.threshold)
        if wrapped is not None:
            intent, best = wrapped, scores[wrapped]
    if _seats_to_equip(intent, text, extraction, reading):
        intent = Intent.PURCHASE
        best = scores[Intent.PURCHASE] = max(best + 0.01, threshold)
        ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if _plans_for_a_place(intent, scores, reading):
        intent = Intent.PURCHASE
        best = scores[Intent.PURCHASE] = scores[Intent.PURCHASE] + 0.01
        ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    about: list[tuple[str, float]] = []
    if intent in _ABOUT_OVERRIDES:
        about = _asks_about(text, extraction, intent, scores, lex, reading)
        if not about:  # a plan's minutes in a place, or a country on a plan that calls abroad
            about = _asked_outright(text, extraction, intent, scores, lex, reading)
        if not about and intent in _OVERRULED:
            about = _router_overrules(text, extraction, intent, lex, reading)
        if about:
            second = max(scores.values(), default=0.0)
            intent, facts, threshold = Intent.FACT, about, lex.threshold
            best = scores[Intent.FACT] = max(second + 0.01, threshold)  # the question wins, visibly
            ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if not about and (
        intent in (Intent.UNKNOWN, Intent.HELP) or (intent in _WEAK_REQUESTS and best < lex.threshold + _WEAK_MARGIN)
    ):
        offered = _closest_offer(text, extraction, intent, lex, reading)
        if offered:
            second = max(scores.values(), default=0.0)
            intent, facts, threshold = Intent.FACT, offered, lex.threshold
            best = scores[Intent.FACT] = max(second + 0.01, threshold)
            ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if intent == Intent.UNKNOWN and _licence_and_place(extraction.features):
        # "E3 in Poland", "licences E5, Danemark": users to equip there; the purchase asks how many
        intent, threshold = Intent.PURCHASE, lex.threshold
        best = scores[Intent.PURCHASE] = max(best + 0.01, threshold)
        ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    entities = extraction.entities
    if intent == Intent.FACT and not (entities.countries or entities.unknown_places or entities.carrier):
        place = questions.unknown_place(text, _names_no_place)
        if place is not None:  # "is Narnia callable?": said back by the fact card
            entities = entities.model_copy(update={"unknown_places": [place]})
    if intent == Intent.FACT and not about and entities.unknown_places and not entities.countries:
        # "combien de minutes en Narnie ?" asks what "... en Allemagne ?" asks: search it so.
        facts = reading.search(_as_place(text, entities.unknown_places[0]))[:FACT_CHOICES]
    if intent == Intent.FACT and entities.plan:
        facts = _named_plan_first(facts, entities.plan)
    return Recognition(
        intent=intent,
        score=_confidence(best, second, threshold),
        entities=entities,
        lang=lang,
        scores={i.value: round(s, 2) for i, s in ranked},
        facts=facts if intent == Intent.FACT else [],
    )


#: Entities that make a greeting's message a request (what it is about is named).
_REQUEST_ENTITIES = frozenset({"user_count", "country", "phone_number", "user_ref", "base_licence", "plan"})
_WRAPPED_REQUESTS = (Intent.PURCHASE, Intent.CHECK, Intent.POOL, Intent.USERS)


def _wrapped_request(scores: dict[Intent, float], features: frozenset[str], threshold: float) -> Intent | None:
    """The request a greeting wraps: the best of purchase, check, pool and users when it reaches
    the threshold on its own and the message names what it is about (a seat count, a country, a
    number, a user, a licence or a plan); None for a greeting alone ("hi, thanks!")."""
    if not features & _REQUEST_ENTITIES:
        return None
    best = max(_WRAPPED_REQUESTS, key=lambda i: scores.get(i, 0.0))
    return best if scores.get(best, 0.0) >= threshold else None


#: What a message naming a base licence and a country must not name to be a purchase when
#: nothing else understood it: a number to dial, a user, a month (the tenant's data).
_NOT_TO_EQUIP = frozenset({"phone_number", "user_ref", "month"})


def _licence_and_place(features: frozenset[str]) -> bool:
    """Whether a message no rule understood names a base licence and a country and nothing a
    number check or a lookup needs ("E3 in Poland", "Business Premium, Italy"): the users to
    equip, so the purchase starts (and asks for the seat count) instead of the fallback."""
    return {"base_licence", "country"} <= features and not features & _NOT_TO_EQUIP


def _seats_to_equip(intent: Intent, text: str, extraction: Extraction, reading: _Reading) -> bool:
    """Whether a message the cues read as a number check or a pool lookup states users to equip
    instead: a seat count in a country, no number to dial, no user named, and (a check) no
    country called ("we're 55 on E5 in Portugal, they only answer the phone", "30 users en
    Hongrie doivent passer des appels") or (a pool) a base licence and neither the pool nor our
    data now ("60 E5 users in the Netherlands, each making about 100 minutes of local calls a
    month"). A purchase: the words about calls describe how they call."""
    features = extraction.features
    if (
        intent not in (Intent.CHECK, Intent.POOL)
        or "user_count" not in features
        or "country" not in features
        or features & {"phone_number", "user_ref"}
    ):
        return False
    if intent == Intent.CHECK:
        return not destination_countries(text)
    form = reading.form
    return "base_licence" in features and not form.pool and not form.tenant


def _plans_for_a_place(intent: Intent, scores: dict[Intent, float], reading: _Reading) -> bool:
    """Whether a message the cues read as a users lookup, tied with a purchase, asks for plans
    for a place ("forfaits pour la Belgique, tout le monde est en E5": "tout le monde" scores the
    users as much as "forfaits" the purchase): users to equip there, the purchase asks how many
    (branch route13). Not a question ("plans for our users in Spain?" may ask about them).
    The question shape is worked out only for such a tie (most messages are no users lookup)."""
    if intent != Intent.USERS or scores.get(Intent.PURCHASE, 0.0) < scores[Intent.USERS]:
        return False
    form = reading.form
    return not form.question and questions.place_after_for(form.words, _names_a_place)


#: Facts this close to the best one tie: the plan the message names decides among them.
_PLAN_TIE = 0.02


def _named_plan_first(facts: list[tuple[str, float]], plan: str) -> list[tuple[str, float]]:
    """``facts`` with the fact about the plan the message names first when it ties the best one,
    itself another plan's fact.
    WHY: "what's the SKU for Domestic and International calling?" matches the Domestic plan's
    fact and the Domestic and International plan's fact equally (the same words); the plan
    named ("Domestic and International", MCOPSTN2) says which one is asked."""
    if len(facts) < 2:
        return facts
    named = _direct_rules()[1]
    fact_id = named.get(plan.upper())
    top = facts[0][1]
    if fact_id is None or facts[0][0] == fact_id or facts[0][0] not in named.values():
        return facts  # only a tie between two plans' own facts: a pool size or a price stays first
    for i, (found, score) in enumerate(facts[1:], start=1):
        if found == fact_id and top - score <= _PLAN_TIE:
            return [(found, top), *facts[:i], *facts[i + 1 :]]
    return facts


@dataclass(frozen=True)
class _DirectRule:
    fact: str
    any: tuple[tuple[str, ...], ...]
    also: frozenset[str]
    needs: frozenset[str]
    not_with: frozenset[str]
    not_after: frozenset[str]
    not_before: frozenset[str]
    unless: frozenset[str]
    region: bool  # its phrases name a region, not a country: "South America" is not the US
    firsts: frozenset[str]  # the first words of ``any``: a message with none of them matches no phrase


@cache
def _direct_rules() -> tuple[tuple[_DirectRule, ...], dict[str, str]]:
    """The lexicon's ``direct_facts`` rules, and SKU -> the fact it names (``@plan``)."""
    from knowledge.facts import load_facts

    rules = tuple(
        _DirectRule(
            fact=r["fact"],
            any=tuple(tuple(words_of(p)) for p in r["any"]),
            **{k: frozenset(key(w) for w in r.get(k, ())) for k in ("also", "not_after", "not_before", "unless")},
            needs=frozenset(r.get("needs", ())),
            not_with=frozenset(r.get("not_with", ())),
            region=bool(r.get("region", False)),
            firsts=frozenset(words_of(p)[0] for p in r["any"]),
        )
        for r in lexicon()["direct_facts"]
    )
    named = {sku.upper(): fact.id for fact in load_facts().facts for sku in fact.named_by}
    if "MCOPSTN_PAYG_1" in named:  # "PAYG" (the extractor's plan for Pay-As-You-Go) names both zones' fact
        named.setdefault("PAYG", named["MCOPSTN_PAYG_1"])
    return rules, named


@cache
def _direct_rules_by_first() -> dict[str, tuple[int, ...]]:
    """Per word, the indexes of the ``direct_facts`` rules with a phrase starting with it
    (``_DirectRule.firsts``): a message is checked against those rules only, not all of them."""
    index: dict[str, list[int]] = {}
    for i, rule in enumerate(_direct_rules()[0]):
        for word in rule.firsts:
            index.setdefault(word, []).append(i)
    return {word: tuple(found) for word, found in index.items()}


def _direct_fact(extraction: Extraction) -> tuple[str, float] | None:
    """:func:`_direct_match`'s fact alone."""
    match = _direct_match(extraction)
    return match[0] if match is not None else None


def _direct_match(extraction: Extraction) -> tuple[tuple[str, float], _DirectRule] | None:
    """The fact a message asks by its words alone (lexicon ``direct_facts``: a price,
    Business Voice, a plan's availability or what it includes for a seat count, examples of
    countries a plan reaches, a region named, who operates the plans in a country), at the
    answer score, with the rule that matched, or None.

    WHY before scoring: "how much is the D&I plan?" or "is the bundle available for 300
    users?" carry a plan and a seat count, so every later rule reads a purchase; the catalog
    has no prices and a seat count does not change what the bundle is. A few set lookups per
    word and rule (the words are cut at the message cap)."""
    rules, named = _direct_rules()
    words, features = extraction.words, extraction.features
    present = frozenset(words)
    by_first = _direct_rules_by_first()
    # only the rules one of whose phrases starts with a word of the message, in the lexicon's order
    for index in sorted({i for word in present for i in by_first.get(word, ())}):
        rule = rules[index]
        if not rule.needs <= features or rule.not_with & features or rule.unless & present:
            continue
        if rule.also and not rule.also & present:
            continue
        if not any(phrase[0] in present and _phrase_at(words, phrase, rule) for phrase in rule.any):
            continue
        fact = named.get((extraction.entities.plan or "").upper()) if rule.fact == "@plan" else rule.fact
        if fact is not None:
            return (fact, 1.0), rule
    return None


def _phrase_at(words: list[str], phrase: tuple[str, ...], rule: _DirectRule) -> bool:
    """Whether ``phrase`` is in ``words`` with no ``not_after`` word before it nor
    ``not_before`` word after it ("shared cost", "cost management" are no price)."""
    size = len(phrase)
    if size == 1:  # the common case: one word, no slice per position
        return any(
            word == phrase[0]
            and not (i and words[i - 1] in rule.not_after)
            and not (i + 1 < len(words) and words[i + 1] in rule.not_before)
            for i, word in enumerate(words)
        )
    for i in range(len(words) - size + 1):
        if tuple(words[i : i + size]) != phrase:
            continue
        if i and words[i - 1] in rule.not_after:
            continue
        if i + size < len(words) and words[i + size] in rule.not_before:
            continue
        return True
    return False


def with_scope(text: str, extraction: Extraction) -> Extraction:
    """The extraction with a ``scope`` feature when the message states its calls stay in the
    country ("calls stay in Germany", "appels nationaux seulement"): that is a purchase's scope,
    not a call to check, though its words are calling words (lexicon ``features.scope``)."""
    if "country" not in extraction.features and "line" not in extraction.features:
        return extraction  # no country and no line named: no scope phrase to weigh (spares the regexes)
    if not states_scope(text[:MAX_CHARS]):
        return extraction
    return replace(extraction, features=extraction.features | {"scope"})


#: How many closest facts a recognition keeps (the "did you mean" card offers up to three).
FACT_CHOICES = 3

#: The intents a question ABOUT their subject is taken from (see :func:`_asks_about`).
_ABOUT_OVERRIDES = frozenset(
    {
        Intent.PURCHASE,
        Intent.CHECK,
        Intent.POOL,
        Intent.USERS,
        Intent.ALERT,
        Intent.GREETING,
        Intent.HELP,
        Intent.UNKNOWN,
    }
)
#: A message not shaped like a question ("mexico calling plan skus") is a question of fact
#: only when retrieval matches it this closely; one the cues read as a request
#: ("purchse calling plan for belgium") must match a fact almost word for word.
_TERSE_FLOOR = 0.85
_TERSE_REQUEST_FLOOR = 0.95


#: Requests a question-shaped message may have reached with topic words alone ("what's the
#: deal with the 120 plans", "something about credits and the pool?"): below the threshold
#: plus this margin, and naming nothing a dialog needs, they offer the closest questions.
_ANSWER_WORDS = frozenset({Intent.YES, Intent.NO})
_WEAK_REQUESTS = frozenset({Intent.PURCHASE, Intent.CHECK, Intent.POOL, Intent.USERS})
_WEAK_MARGIN = 1.0
#: Entities that make a request something to do ("... in France", "40 users", a number, E5).
_REQUEST_FEATURES = frozenset({"phone_number", "user_ref", "user_count", "country", "month", "carrier", "base_licence"})


def _closest_offer(
    text: str, extraction: Extraction, intent: Intent, lex: _Lexicon, reading: _Reading
) -> list[tuple[str, float]]:
    """The closest facts to offer as buttons when a question-shaped message was not understood,
    or reached a request on topic words alone (empty: nothing to offer). WHY: issue 12 asks to
    offer the two or three closest questions when unsure rather than guess; a question the
    fact base matches only loosely ("how do the zones work?", "question about licences") is
    better met with its closest questions than with the menu or a dialog it did not ask for.
    Off-topic questions stay unknown: the message must be about calling (a ``@domain`` word or
    a telling entity), and the offer shows only facts at the suggest floor. What the usual
    rules did not answer stays unsure: the scores are capped below the answer floor, so the
    dialog offers the buttons instead of answering."""
    features = extraction.features
    if features & (lex.fact_not_with | (_REQUEST_FEATURES if intent != Intent.UNKNOWN else frozenset())):
        return []
    words = extraction.words
    form = reading.form
    if form.request or not form.words or not (form.question or form.greeted):
        return []
    if intent == Intent.HELP and not has_domain_evidence(words, features):
        return []  # "how does this work?" asks for help; "comment ça marche l'international ?" does not
    if intent in _WEAK_REQUESTS and (form.tenant or form.for_us or not form.question):
        return []  # "minutes left?", "c'est combien le forfait international ?": the request stays
    if intent == Intent.PURCHASE and any("@advice" in h or "@ask" in h for h in map(_tokens_of, form.words)):
        return []  # "which plan should we buy?"
    if intent == Intent.UNKNOWN and not has_domain_evidence(words, features):
        return []
    ranked = reading.search(" ".join(form.words))[:FACT_CHOICES]
    if not ranked or ranked[0][1] < fact_search.SUGGEST_FLOOR:
        return []
    return _unsure_unless_clear(ranked, form.question)


#: A closest fact at least this close to the question (retrieval score) and this far ahead of the
#: next one is the fact asked: answered, not offered among look-alikes (:func:`_unsure_unless_clear`).
_CLEAR_FLOOR = 0.66
_CLEAR_LEAD = 0.08


def _unsure_unless_clear(ranked: list[tuple[str, float]], question: bool) -> list[tuple[str, float]]:
    """``ranked`` (a question of fact, its best match below the answer floor) capped below the
    answer floor, so the dialog offers the closest questions, unless the message is shaped like a
    question (``question``: a topic alone, "question about licences", stays vague) and the first
    fact leads clearly. WHY: "does Microsoft 365 E5 already come with Teams Phone?" or "siège en Belgique,
    mais l'emplacement d'utilisation est la France : quel pays est national ?" match one fact
    well and no other one nearly as well; buttons for them ask the admin to pick what the
    question already said (spent held-out sets: clear questions met with buttons). Look-alikes
    within the lead stay offered as buttons."""
    if not ranked:
        return ranked
    (first, best), rest = ranked[0], ranked[1:]
    if question and best >= _CLEAR_FLOOR and (not rest or best - rest[0][1] >= _CLEAR_LEAD):
        return [(first, max(best, fact_search.ANSWER_FLOOR)), *rest]
    ceiling = fact_search.ANSWER_FLOOR - 0.01
    return [(fact_id, min(score, ceiling)) for fact_id, score in ranked]


def _names_no_place(word: str) -> bool:
    """Whether a folded word is one the bot knows, so never an unknown place: the lexicon's
    vocabulary or a word of the fact base's questions ("Zone A", "SoftBank")."""
    return _is_known(word) or word in fact_search.vocabulary() or never_a_place(word)


def _as_place(text: str, place: str) -> str:
    """``text`` with an unknown place name read as a place (fact retrieval's country token)."""
    return re.sub(rf"\b{re.escape(place)}\b", fact_search.COUNTRY_TOKEN, text, flags=re.IGNORECASE)


def _counts(fact_id: str, words: list[str], lex: _Lexicon) -> bool:
    """Whether ``fact_id`` takes a seat count and ``words`` name what it counts (the pool;
    phone numbers in a how-many question): then a seat count is its parameter, not a purchase's."""
    listed = lex.counted_facts.get(fact_id)
    if listed is None:
        return False
    opened = any("@open" in _tokens_of(w) for w in words)
    if questions.names_list(words, listed[0]):
        return not listed[1] or opened
    # "how many international minutes do 60 users in Canada get on D&I?": a how-many question
    # naming minutes counts the pool those seats give as "... in total" does (branch route13)
    also = _kind_rules()["open_counted"].get(fact_id)
    return also is not None and all(questions.names_list(words, name) for name in also)


def _asks_a_calculation(features: frozenset[str], words: list[str], lex: _Lexicon) -> bool:
    """Whether a message with a seat count names the plan those seats are on (a plan, or a
    domestic / international line) and what a fact that takes a seat count counts (the pool, the
    included minutes, phone numbers in a how-many question): "30 people in Singapore on the
    240-minute plan, combined minutes", "150 licences forfait national au Canada -> total de
    minutes mutualisées ?", "if we buy 60 D&I licences how many numbers can we hand out". The
    plan is already chosen: nothing is left to recommend, the count is the fact's parameter."""
    return (
        "user_count" in features
        and bool(features & {"plan", "line"})
        and any(_counts(fact_id, words, lex) for fact_id in lex.counted_facts)
    )


def _seat_count_first(
    ranked: list[tuple[str, float]], words: list[str], lex: _Lexicon, loose_ok: bool = False
) -> list[tuple[str, float]]:
    """``ranked`` with the closest fact that takes a seat count first, at the closed floor at
    least, when it is among the closest and ``words`` name what it counts: "quel pool pour 20
    utilisateurs aux États-Unis avec le forfait national ?" names a seat count and the pool, so
    it asks for the pool's size though its plan words match other facts as well."""
    counted = [(fact_id, score) for fact_id, score in ranked if _counts(fact_id, words, lex)]
    loose = not counted or counted[0][1] < fact_search.SUGGEST_FLOOR
    if loose and (
        loose_ok or any("@open" in _tokens_of(w) for w in words) or questions.names_list(words, "conditionals")
    ):
        # "how many minutes do 100 users get in total?", "if 15 people are on the 240 plan, what's the
        # pooled total?": a how-many or what-if question naming what the fact counts asks for it,
        # however its other words match other facts
        counted = [
            (fact_id, fact_search.SUGGEST_FLOOR) for fact_id in lex.counted_facts if _counts(fact_id, words, lex)
        ]
    if not counted or counted[0][1] < fact_search.SUGGEST_FLOOR:
        return ranked
    fact_id, score = counted[0]
    first = (fact_id, max(score, lex.fact_weights["closed_floor"]))
    return [first, *((f, s) for f, s in ranked if f != fact_id)]


def _carrier_first(ranked: list[tuple[str, float]], lex: _Lexicon) -> list[tuple[str, float]]:
    """``ranked`` with the PSTN options fact first, at the closed floor at least: a question that
        names the asker's own carrier ("we use BT, what are our options?", "on utilise Vodafone en
        Allemagne, a-t-on besoin de forfaits ?") asks what that carrier allows (Operator Connect,
        Direct Routing), unless another fact matches it closely ("Telstra vend-il les forfaits en
    Australie ?" asks about the partner countries); it is not a purchase to start."""
    if ranked and ranked[0][1] >= lex.fact_weights["closed_floor"]:
        return ranked
    found = dict(ranked).get(lex.carrier_fact, 0.0)
    first = (lex.carrier_fact, max(found, lex.fact_weights["closed_floor"]))
    return [first, *((f, s) for f, s in ranked if f != lex.carrier_fact)]


def _router_vouches(text: str, form: questions.Shape, best: float, request_score: float, lex: _Lexicon) -> bool:
    """Whether the learned router (:mod:`dialogs.nlu.router`) takes a message the rules read as
    a weak request, and whose closest fact is below the rules' floor, for a question of fact.
    WHY: the rules route requests well but need a near word-for-word match to take a terse
    message or a loosely matching question for a fact ("quick q, do inbound calls count against
    the minutes", "teams phone est il obligatoire avant d'attribuer un forfait"); the router
    learned from every question form of the fact base. It only breaks ties the rules are unsure
    of: the request reached the threshold by less than :data:`_WEAK_MARGIN` (measured: with
    strong requests too it loses requests of the recognizer's held-out floors), and retrieval
    found a fact at the suggest floor. Below the question floor the closest questions are offered."""
    return (
        best >= fact_search.SUGGEST_FLOOR
        and request_score < lex.threshold + _WEAK_MARGIN
        and router.says_fact(text, form.question)
    )


#: The requests the learned router may overrule (see :func:`_router_overrules`); a users lookup
#: ("who doesn't have a calling plan yet") it never does: its wording is a fact's too often.
_OVERRULED = frozenset({Intent.PURCHASE, Intent.CHECK, Intent.POOL, Intent.ALERT})
#: Entities that keep a request whatever the router says: a number to dial, a user, a seat count.
_OVERRULE_NOT_WITH = frozenset({"user_count"})


def _router_overrules(
    text: str, extraction: Extraction, intent: Intent, lex: _Lexicon, reading: _Reading
) -> list[tuple[str, float]]:
    """The closest facts, the first answered, when the rules read a message as a request, even a
    strong one, and the learned router is confident it is a question of fact (empty: it stays a
    request). WHY: measured end to end over every set we may tune on (heldout4..7 and the dev
    sets, ``bench/records/router2_scores.md``), held-out questions of fact were ~80% right
    against ~95% for requests, and most misses were questions the request cues took ("do teams
    to teams calls eat into the minute pool", "where in the admin center can I see how many
    pool minutes we've used"): letting the router overrule them gained about 20 items and lost
    no request. What keeps the request: a number to dial, a user or a seat count named, an
    imperative, a check naming two countries (a caller and a destination) or a country and a
    plan, and a users lookup; a check, and a pool lookup about the tenant's own data now ("how
    much is left", "our minutes") or naming a country ("y a-t-il un pool en France": the README
    chose the tenant's pools over the general fact), need the router's higher ``guarded`` floor. The closest fact
    must reach the suggest floor; the router's confidence answers it (a guess here was measured
    right more often than the closest-questions card)."""
    features = reading.fact_features
    if features & lex.fact_not_with:
        return []  # (before the question shape: a number check's message needs none)
    form = reading.form
    if form.request or not form.words:
        return []
    if features & _OVERRULE_NOT_WITH and SEATS_CONTEXT not in features:
        return []
    countries = len(extraction.entities.countries)
    if intent == Intent.CHECK and (
        countries >= 2 or (countries and "plan" in features and not questions.names_list(form.words, "number_words"))
    ):
        return []
    if intent == Intent.POOL and form.tenant and form.pool and questions.names_list(form.words, "status_words"):
        return []  # "le pool international des US, il en est où": how our pool stands now (branch route14)
    guarded = intent == Intent.CHECK or (intent == Intent.POOL and (form.tenant or countries > 0))
    if not router.overrules(text, form.question, guarded):
        return []
    ranked = reading.search(" ".join(form.words) if form.greeted else text)[:FACT_CHOICES]
    if not ranked or ranked[0][1] < fact_search.SUGGEST_FLOOR:
        return []
    return [(ranked[0][0], max(ranked[0][1], fact_search.ANSWER_FLOOR)), *ranked[1:]]


def _asks_about(
    text: str, extraction: Extraction, intent: Intent, scores: dict[Intent, float], lex: _Lexicon, reading: _Reading
) -> list[tuple[str, float]]:
    """The closest facts when a message the cues read as a request asks ABOUT its subject
    instead (empty: it stays a request). WHY: "a question of fact never starts the purchase
    dialog or the number check" (issue 12); the rule is :mod:`dialogs.nlu.questions`' shape
    (a question, no imperative, not about the tenant's data now) plus a confident retrieval
    match (the lexicon's ``closed_floor``; ``_TERSE_FLOOR`` without a question shape). What
    keeps the request: a number to dial or a user named (``fact_not_with``), advice asked
    for ("which plan should we buy?"), a buy word asking for a pick (not "can I buy the
    Domestic plan for Canada?", "who do I buy from?": ``Shape.whether``), a seat count for
    anything but a calculation that takes one, some users calling a destination ("can our US
    users call Canada?"), alerts asked for oneself ("alert me"), and pool words about the
    tenant's own data now ("minutes left"; not in a conditional: "what if our pool runs out?")."""
    features = reading.fact_features
    if features & lex.fact_not_with:
        return []
    words = extraction.words
    form = reading.form
    if not form.words or (form.request and not (intent == Intent.USERS and _lists_no_people(form))):
        return []  # a request does it; "list the zone 2 countries of PAYG" asks for no roster
    hits = [_tokens_of(w) for w in form.words]
    # "which plan should we buy?", "mieux pour nous": a purchase; "can we buy calling plans for our
    # office in Japan?" asks whether they are sold there (a question of fact)
    if intent == Intent.PURCHASE and ((reading.asks_for_us and not form.whether) or any("@advice" in h for h in hits)):
        return []
    if intent == Intent.PURCHASE and not form.question and questions.place_after_for(form.words, _names_a_place):
        return []  # "calling plans for Croatia": equip that place; "calling plans in Greece, possible?" asks
    # A buy word asks for a pick ("combien de forfaits acheter ?") unless the question asks whether
    # the asker can buy or who, why, when ("can I buy the Domestic plan for Canada?"), or matches a
    # fact almost word for word ("what sku do I buy for the domestic plan?").
    pick = any("@ask" in h for h in hits) and not form.whether
    if intent == Intent.PURCHASE and pick and not form.question:
        return []
    if (
        intent == Intent.USERS
        and not (form.whether and any("@ask" in h for h in hits))
        and not _lists_no_people(form)
        and not questions.names_list(form.words, "classify_words")
        and not questions.names_list(form.words, "limit_words")
        and not questions.names_list(form.words, "capability_words")
    ):
        # a users lookup stays one; "who do I buy calling plans from in Australia?" asks who sells,
        # "who operates calling plans in Germany?" who runs them there (no people to list), "the
        # users sit in Austria, which country is domestic for them?" how their calls are classed,
        # "any cap on incoming minutes for payg users" a limit (questions.json limit_words), "PAYG
        # for users in the US, possible?" whether they can have it (capability_words)
        return []
    if intent in (Intent.HELP, Intent.GREETING, Intent.UNKNOWN) and not has_domain_evidence(words, features):
        return []  # "how does this bot work?" asks for help; "comment fonctionne la machine à café" is off topic
    if intent == Intent.ALERT and (form.for_me or not form.question):
        return []
    if intent == Intent.POOL and form.tenant and "user_count" not in features:
        return []
    if (
        intent == Intent.POOL
        and (not form.question or _names_only_a_pool_and_place(form))
        and "country" in features
        and "user_count" not in features
        and not _names_allowance(form, features)
    ):
        # "pool for DE", "pool France": the tenant's pool there, a lookup (terse, no question);
        # "domestic minutes in Canada" names a plan's minutes there without the pool nor our
        # data now ("left", "used": ``form.tenant`` above): the plan's allowance, a fact
        return []
    countries = len(extraction.entities.countries)
    # "premium numbers": a kind, not a destination; "on the list of destinations": the list, not a check
    kinds = questions.names_list(form.words, "number_words") or questions.names_list(form.words, "list_words")
    # "on peut appeler la Corée du Nord avec le forfait international ?": a country no plan
    # reaches is asked about, as a kind of destination; no number there to check
    off_the_list = _off_the_list(extraction.entities.countries)
    if intent == Intent.CHECK and (
        _asks_for_callers(words, countries, scores, lex)
        or _asks_for_a_number(words, scores, lex)
        or (countries and "plan" in features and not kinds and not off_the_list)
    ):
        return []
    query = " ".join(form.words) if form.greeted else text
    if not (extraction.entities.countries or extraction.entities.carrier):
        place = questions.unknown_place(text, _names_no_place)
        if place is not None:  # "is Narnia callable?" asks about a place, as "is Germany callable?" does
            query = _as_place(query, place)
    ranked = reading.search(query)
    last = _last_sentence(text) if SEATS_CONTEXT in features else None
    if last is not None:
        # the situation told first dilutes what is asked: the question alone may match closer
        # ("... all on the domestic plan. is that one pool or two?")
        asked = reading.search(last)
        if asked and (not ranked or asked[0][1] > ranked[0][1]):
            ranked = asked
    # "250 people in the US on the Domestic plan, how big is that pool": the plan is chosen and
    # the count is what the pool (or the numbers) takes, a calculation asked, not a plan to pick
    calculation = _asks_a_calculation(features, form.words, lex)
    if "user_count" in features and (form.question or calculation):
        ranked = _seat_count_first(ranked, form.words, lex, loose_ok=calculation)
    if extraction.entities.carrier_name and form.question and "user_count" not in features:
        ranked = _carrier_first(ranked, lex)  # unless a fact matches closely ("does Telstra sell calling plans?")
    ranked = ranked[:FACT_CHOICES]
    if not ranked:
        return []
    fact_id, best = ranked[0]
    requested = intent in (Intent.PURCHASE, Intent.CHECK, Intent.POOL, Intent.ALERT)
    floor = lex.fact_weights["closed_floor"] if form.question else _TERSE_REQUEST_FLOOR if requested else _TERSE_FLOOR
    if _asks_an_allowance(intent, form, features, scores):
        # "D&I minutes in Italy", "D&I plan minutes in New Zealand" (the plan's words tie the
        # purchase with the pool's): as a fact asked without a request; "au Mexique le forfait
        # national c'est combien de minutes" asks it with an open word: as a question
        opened = any("@open" in h for h in hits)
        floor = min(floor, lex.fact_weights["closed_floor"] if opened else _TERSE_FLOOR)
    if intent == Intent.PURCHASE and pick:
        floor = _TERSE_REQUEST_FLOOR
    if _compares_plans(intent, form, features, hits):
        floor = min(floor, lex.fact_weights["closed_floor"])  # "national vs national et international, ça change quoi"
    if calculation:
        floor = lex.fact_weights["closed_floor"]
    # "can someone on the domestic plan ring a foreign number?": a check with nothing to check,
    # asked about a kind of number: its closest facts, answered when one leads clearly
    kind_asked = intent == Intent.CHECK and (
        _asks_about_a_kind(form, extraction.features, countries)
        or _names_a_prefix(form, extraction.entities.numbers, features)
    )
    if best < floor:
        vouched = _router_vouches(text, form, best, scores.get(intent, 0.0), lex)
        if not vouched and not (kind_asked and best >= fact_search.SUGGEST_FLOOR):
            return []
        if not vouched:  # a kind of number asked: the router's answer if it overrules, else the closest
            overruled = _router_overrules(text, extraction, intent, lex, reading)
            if overruled:
                return overruled
        if best < lex.fact_weights["closed_floor"]:  # vouched for, but a loose match: offer, don't answer
            ranked = _unsure_unless_clear(ranked, form.question)
    if _seat_count_rules_out(
        fact_id, features, lex, purchase=intent == Intent.PURCHASE, counts=_counts(fact_id, form.words, lex)
    ):
        # "which plan for 40 users?", "quel forfait pour 20 utilisateurs ?": a purchase; the pool size names the pool
        return []
    return ranked


@cache
def _kind_rules() -> dict[str, Any]:
    """lexicon.json ``kind_rules``: the facts :func:`_fact_asked_outright` answers, the plans that
    call abroad, the how-many words a seat-count fact also counts (:func:`_counts`)."""
    rules: dict[str, Any] = lexicon()["kind_rules"]
    return rules


def _first(ranked: list[tuple[str, float]], fact_id: str, floor: float) -> list[tuple[str, float]]:
    """``ranked`` with ``fact_id`` first, at ``floor`` at least (its own score when higher)."""
    found = dict(ranked).get(fact_id, 0.0)
    return [(fact_id, max(found, floor)), *((f, s) for f, s in ranked if f != fact_id)][:FACT_CHOICES]


def _names_words(words: list[str], name: str) -> bool:
    """Whether ``words`` name a phrase of questions.json list ``name``, or one of its single words
    with one typo ("domestc", "natinales"; :func:`_is_typo_of`: unknown words only)."""
    if questions.names_list(words, name):
        return True
    singles = questions.single_words(name)
    return any(_is_typo_of(p, w) for w in words if len(w) >= _FUZZY_MIN for p in singles if p[:1] == w[:1])


def _asked_outright(
    text: str, extraction: Extraction, intent: Intent, scores: dict[Intent, float], lex: _Lexicon, reading: _Reading
) -> list[tuple[str, float]]:
    """The closest facts, :func:`_fact_asked_outright`'s first, when the usual rules
    (:func:`_asks_about`) kept a request that asks that fact outright (empty: none). After them,
    so a fact they found stays ("a teams call to a coworker in Japan - does it eat international
    minutes?" is Teams-to-Teams being free, facts16, not the minutes in Japan)."""
    features = reading.fact_features
    if features & lex.fact_not_with or "user_count" in features:
        return []  # what _fact_asked_outright rules out first, before the question shape is worked out
    form = reading.form
    if not form.words or form.request:
        return []
    if intent == Intent.PURCHASE and reading.asks_for_us and not form.whether:
        return []  # "which plan for our users in Spain vs Italy?": a pick for them
    outright = _fact_asked_outright(text, intent, form, extraction, features, scores, lex)
    if outright is None:
        return []
    query = " ".join(form.words) if form.greeted else text
    return _first(reading.search(query)[:FACT_CHOICES], outright, lex.fact_weights["closed_floor"])


def _fact_asked_outright(
    text: str,
    intent: Intent,
    form: questions.Shape,
    extraction: Extraction,
    features: frozenset[str],
    scores: dict[Intent, float],
    lex: _Lexicon,
) -> str | None:
    """The fact a message the cues read as a pool lookup, a purchase or a number check asks
    outright, whatever retrieval's closeness (None: the usual rules decide). Branch route13:

    * a plan's minutes in a place: minutes (questions.json ``minutes_words``), a plan or a line
      (typos too: "domestc minuts in germnay?", "MINUTES NATIONALES AU MEXIQUE", "minutes du
      forfait national pour nos bureaux de Bruxelles"), a country, and neither the pool, the
      tenant's data now ("what remains", "used": ``form.tenant``) nor a seat count: the plan's
      allowance there (lexicon ``kind_rules.allowance_fact``), not the tenant's pool. Read as
      a purchase, only when the pool words tie it or two things are compared ("domestic plan in
      Luxembourg vs the States, minutes each"); never with advice or a pick asked;
    * a country on a plan that calls abroad, no number ("can someone on D&I phone Kenya?", "on
      peut appeler l'Algérie avec le forfait international ?"): whether that country is on the
      list (``destination_fact``); the answer does not depend on the caller's country. The
      country must be the one called ("PAYG for our staff in Italy, allowed?" places the users).
      A Domestic plan's destination depends on the caller's country: the check asks (dialogs_dev6)."""
    if features & lex.fact_not_with or "user_count" in features:
        return None
    words = form.words
    hits = [_tokens_of(w) for w in words]
    if any("@advice" in h or "@ask" in h for h in hits):
        return None
    countries = extraction.entities.countries
    rules = _kind_rules()
    if (
        intent == Intent.CHECK
        and form.question
        and len(countries) == 1
        and extraction.entities.plan in rules["abroad_plans"]
        and destination_countries(text) == countries
        and not _asks_for_a_number(extraction.words, scores, lex)
    ):
        return str(rules["destination_fact"])
    if intent not in (Intent.POOL, Intent.PURCHASE) or not countries or form.pool or form.tenant:
        return None
    if (
        intent == Intent.PURCHASE
        and scores.get(Intent.POOL, 0.0) < scores.get(Intent.PURCHASE, 0.0)
        and not questions.names_list(words, "compare_words")
    ):
        return None
    if not _names_words(words, "minutes_words"):
        return None
    if not (features & {"plan", "line"} or _names_words(words, "line_words")):
        return None
    return str(rules["allowance_fact"])


def _compares_plans(
    intent: Intent, form: questions.Shape, features: frozenset[str], hits: list[frozenset[str]]
) -> bool:
    """Whether a message the cues read as a purchase compares plans (questions.json
    ``compare_words``: "forfait national vs national et international, ça change quoi") with no
    seat count, no choice for the asker's users and no advice or pick asked: a question of fact,
    answered at the question floor even without a "?" (branch route13)."""
    return (
        intent == Intent.PURCHASE
        and "user_count" not in features
        and bool(features & {"plan", "line"})
        and not form.for_us
        and not any("@advice" in h or "@ask" in h for h in hits)
        and questions.names_list(form.words, "compare_words")
    )


def _asks_about_a_kind(form: questions.Shape, features: frozenset[str], countries: int) -> bool:
    """Whether a question the cues read as a number check names a KIND of number or destination
    (questions.json ``number_kind_words``: a foreign or toll-free number, a number abroad, a
    country off the list, a premium prefix) and nothing to check: no number to dial, no user,
    no country ("can someone on the domestic plan ring a foreign number?", "why can't
    our users reach a toll-free number in another country?", "pourquoi un numéro vert à
    l'étranger ne passe pas ?"). "can Alice call +44 20 ...?" or "check a toll-free number"
    (a request, not a question) stay checks."""
    return (
        form.question
        and not features & {"phone_number", "user_ref"}
        and not countries
        and questions.names_list(form.words, "number_kind_words")
    )


def _off_the_list(countries: list[str]) -> bool:
    """Whether a country named is none that Calling Plans can call (off the catalog's list of
    callable destinations: North Korea, Cuba)."""
    catalog = load_catalog()
    return any(not catalog.is_callable_destination(iso) for iso in countries)


def _names_a_prefix(form: questions.Shape, numbers: list[str], features: frozenset[str]) -> bool:
    """Whether a question the cues read as a number check names numbers only as a kind: a
    prefix (``numbers``, the message's, are all short) and what numbers it starts ("can our
    London team dial 09 premium numbers?", "nos équipes de Leeds peuvent-elles appeler les 0871
    surtaxés ?"; :func:`_fact_features`' ``features`` no longer have a number to dial), with no
    user named. Then the check has nothing to dial, even with a city or a country named (a kind
    asked about, as :func:`_asks_about_a_kind`; a country with no prefix, "restriction pour
    notre équipe suisse vers les numéros surtaxés", a whole number, "can ulrike call the US
    toll free number +1 800 555 0199", and a short code with no kind of number, "can our users
    in Paris call 112?", stay checks)."""
    return (
        form.question
        and bool(numbers)
        and all(sum(c.isdigit() for c in n) <= _SHORT_CODE_DIGITS for n in numbers)
        and not features & {"phone_number", "user_ref"}
        and (questions.names_list(form.words, "number_words") or questions.names_list(form.words, "number_kind_words"))
    )


#: The most words a place takes in a terse pool lookup ("minute pool for new zealand?").
_POOL_PLACE_WORDS = 3


def _names_only_a_pool_and_place(form: questions.Shape) -> bool:
    """Whether a message names the pool and a place and nothing else (questions.json
    ``pool_lookup_words``: pool, minutes, for, of, articles): "minutes pool for Italy?", "pool de
    minutes de l'Italie ?". A "?" makes it a question, but it asks for that country's pool as
    "pool for Italy" does: a lookup, not how pools work."""
    if not form.pool:
        return False
    rest = [w for w in form.words if not questions.names_list([w], "pool_lookup_words")]
    return 0 < len(rest) <= _POOL_PLACE_WORDS and _names_a_place(rest)


def _lists_no_people(form: questions.Shape) -> bool:
    """Whether a message the cues read as a users lookup asks about something no roster lists:
    a carrier that operates the plans, a PAYG zone, countries (questions.json
    ``not_people_words``), with no people noun ("who operates calling plans in Germany?", "list the
    zone 1 countries for pay as you go"). "which users are in zone 1 countries?" names people: a
    lookup. The question of fact still needs a confident retrieval match (the caller's floors)."""
    if not questions.names_list(form.words, "not_people_words"):
        return False
    people = frozenset(lexicon()["people_nouns"])
    return not any(w in people for w in form.words)


def _names_a_place(words: list[str]) -> bool:
    """Whether ``words`` (a few words after "for") are a country or a city the extractor knows."""
    return bool(extract(" ".join(words)).entities.countries)


def _asks_an_allowance(
    intent: Intent, form: questions.Shape, features: frozenset[str], scores: dict[Intent, float]
) -> bool:
    """Whether a message read as a pool lookup, or as a purchase its minutes words tie with a
    pool lookup ("D&I plan minutes in New Zealand": plan words score the purchase as much as
    minutes words the pool), names a plan's allowance (:func:`_names_allowance`): a question of
    fact about the plan's minutes there, not the tenant's pool nor users to equip."""
    if intent == Intent.PURCHASE and scores.get(Intent.POOL, 0.0) < scores.get(Intent.PURCHASE, 0.0):
        return False
    return intent in (Intent.POOL, Intent.PURCHASE) and _names_allowance(form, features)


def _names_allowance(form: questions.Shape, features: frozenset[str]) -> bool:
    """Whether a terse pool-worded message names a plan or a line (domestic, international)
    without the pool, a seat count or the tenant's data now ("domestic minutes in Canada",
    "D&I minutes in Italy"): the plan's allowance there, a question of fact, not our pools."""
    return (
        ("plan" in features or "line" in features)
        and not form.pool
        and not form.tenant
        and "user_count" not in features
    )


def _score_fact(
    text: str,
    words: list[str],
    features: frozenset[str],
    scores: dict[Intent, float],
    lex: _Lexicon,
    reading: _Reading,
    countries: int = 0,
) -> list[tuple[str, float]]:
    """Turns the question-shape cues of ``fact`` into a score by asking fact retrieval.

    WHY here and not as a feature: whether a message asks a question of fact depends on what
    it asks, not on its words alone ("how many minutes per user in Germany?" is a fact, "how
    many minutes are left in Germany?" a pool lookup). Retrieval runs only when the message is
    shaped like a question or nothing else understood it, so other messages cost nothing more.
    Returns the closest facts; ``scores`` gets the fact intent's score (or loses it). The
    weights are data (lexicon ``fact_retrieval``). A question shape with a confident match
    then wins over the intents the words only brush against (:func:`_question_beats`)."""
    cue = scores.pop(Intent.FACT, 0.0)
    others = max(scores.values(), default=0.0)
    weights = lex.fact_weights
    if cue < 0 or (cue == 0 and others >= lex.threshold) or features & lex.fact_not_with:
        return []  # a negative cue ("minutes left") or a number or user: the tenant's own data
    if scores.get(Intent.PURCHASE, 0.0) >= lex.threshold and any("@advice" in _tokens_of(w) for w in words):
        return []  # "what's the best calling plan for our office in Ireland?" asks for advice
    if (
        scores.get(Intent.PURCHASE, 0.0) >= lex.threshold
        and reading.form.for_us
        and not reading.form.whether
        and (
            ("base_licence" in features and "country" not in features)
            or ("country" in features and "plan" not in features and questions.asks_for_a_pick(reading.form.words))
        )
    ):
        # "which calling plan for our E5 users?": a pick for the asker's users named by their
        # licence, not what E5 includes; the purchase asks where they are. "which calling plan for
        # our users in Austria?": a pick for users there, not whether plans are sold there
        return []
    if _asks_for_callers(words, countries, scores, lex) or _asks_for_a_number(words, scores, lex):
        # "can our US users call Canada?", "can one of our users call a number in Japan?": a number check
        return []
    if scores.get(Intent.USERS, 0.0) >= lex.threshold and questions.asks_who_holds(
        words, frozenset(lexicon()["people_nouns"])
    ):
        return []  # "how many people have MCOPSTN1?": the tenant's users, even with a plan code named
    form = reading.form
    if (
        form.tenant
        and form.pool
        and "user_count" not in features
        and scores.get(Intent.POOL, 0.0) >= lex.threshold
        and questions.names_list(form.words, "status_words")
    ):
        return []  # "le pool du forfait national en France, on en est où ?": our pool now, a lookup
    opened = _question_beats(words, features, cue, lex)
    closed = _closed_question_beats(words, features, cue, countries, lex)
    if reading.form.tenant:  # "are we running out of minutes in the UK?": our pools now
        opened, closed = opened - {Intent.POOL}, closed - {Intent.POOL}
    unbeaten = max((s for i, s in scores.items() if i not in opened | closed), default=0.0)
    if unbeaten >= weights["answer_weight"] + weights["slope"] * (1 - fact_search.ANSWER_FLOOR):
        return []  # even a perfect match could not win: spare the search
    # "hold on, is teams to teams free?": the opener is no part of what is asked
    ranked = reading.search(" ".join(form.words) if form.greeted and form.words else text)
    counted = "user_count" in features
    if counted:
        ranked = _seat_count_first(ranked, words, lex)  # "if I have 100 users on the 120 plan, how many in total?"
    ranked = ranked[:FACT_CHOICES]
    top = ranked[0][0] if ranked else ""
    purchase = scores.get(Intent.PURCHASE, 0.0) >= lex.threshold
    if (
        counted
        and top in lex.counted_facts
        and _seat_count_rules_out(top, features, lex, purchase=purchase, counts=_counts(top, words, lex))
    ):
        return []  # "quel forfait pour 20 utilisateurs ?": a seat count without the pool asks which plan
    best = ranked[0][1] if ranked else 0.0
    confident = best >= weights["closed_floor"] and not _seat_count_rules_out(
        top, features, lex, purchase=False, counts=False
    )
    beatable = opened | (closed if confident else frozenset())
    unbeaten = max((s for i, s in scores.items() if i not in beatable), default=0.0)
    if best >= fact_search.ANSWER_FLOOR:
        score = weights["answer_weight"] + weights["slope"] * (best - fact_search.ANSWER_FLOOR)
        if cue > 0 and others < lex.threshold:
            score = max(score, lex.threshold)  # a close question nothing else understood
        # (a seat count never lets a fact that does not take one beat a request: the same rule)
        if beatable and not (
            counted and _seat_count_rules_out(top, features, lex, purchase=True, counts=top in lex.counted_facts)
        ):
            beaten = max((scores.get(i, 0.0) for i in beatable), default=0.0)
            if score <= beaten and unbeaten < beaten:
                score = max(beaten + 0.01, lex.threshold)  # the question shape wins (see _question_beats)
        scores[Intent.FACT] = score
    elif best >= fact_search.SUGGEST_FLOOR and cue > 0 and others < lex.threshold:
        scores[Intent.FACT] = weights["suggest_weight"] + lex.threshold
    return ranked


def _seat_count_rules_out(
    fact_id: str, features: frozenset[str], lex: _Lexicon, *, purchase: bool, counts: bool
) -> bool:
    """The one seat-count rule of questions of fact: whether a message's seat count (or its
    lack) rules out fact ``fact_id``. A fact that takes a seat count (the pool for N users,
    lexicon ``seat_count_facts``) needs one: "what's the pool in France?" asks about the
    tenant's pool. A seat count in a request to buy (``purchase``) is that purchase ("which
    plan for 40 users?", "quel forfait pour 20 utilisateurs ?"), unless the fact takes the
    count and the message names what it counts (``counts``, :func:`_counts`: "what pool do 40
    users in France get?")."""
    if "user_count" not in features:
        return fact_id in lex.seat_count_facts
    return purchase and not counts and SEATS_CONTEXT not in features


def _question_beats(words: list[str], features: frozenset[str], cue: float, lex: _Lexicon) -> frozenset[Intent]:
    """The intents a question of fact wins over when its retrieval match is confident.

    WHY a rule and not more word weights: "which calling plans can we choose from?", "why
    can't we reach some toll-free numbers?" or "le pool repart-il à zéro ?" carry purchase,
    check, pool or cancel words because they are about those things, not because they ask
    to do them. An open question (a ``fact`` cue and an ``@open`` word: how, why, what
    happens, comment, combien) whose best fact is at the answer floor is a question of fact,
    unless it asks to buy, choose or recommend (an ``@ask`` word: "which plan should we
    buy?") or gives a seat count (a purchase: "which plan for 40 users?", checked by the
    caller against the facts that take one). A yes/no question ("can users in Mexico call
    the US?", "do I need Teams Phone if we have E3?") keeps its other reading: measured on
    the corpus, those are number checks and purchases. Any question shape beats CANCEL when
    the message is longer than three words and does not start with the cancel word ("stop",
    "cancel the purchase" still cancel)."""
    if cue <= 0:
        return frozenset()
    content = [w for w in words if w not in lex.filler]
    starts_cancel = bool(content) and any(
        intent == Intent.CANCEL for t in _tokens_of(content[0]) for intent, _ in lex.single.get(t, ())
    )
    beats: set[Intent] = set()
    if len(content) > 3 and not starts_cancel:
        beats.add(Intent.CANCEL)
    hits = [_tokens_of(w) for w in words]
    if any("@open" in h for h in hits) and not any("@ask" in h for h in hits):
        beats |= lex.fact_beats - {Intent.CANCEL}
    return frozenset(beats & lex.fact_beats)


def _closed_question_beats(
    words: list[str], features: frozenset[str], cue: float, countries: int, lex: _Lexicon
) -> frozenset[Intent]:
    """The intents a yes/no question of fact wins over when its retrieval match is confident
    (at the lexicon's ``closed_floor``, above the answer floor; checked by the caller).

    WHY: "does E5 include Teams Phone?", "is Teams to Teams free?", "can users call premium
    numbers?", "do unused minutes roll over?" or "est-ce que le forfait national inclut les
    appels vers les mobiles ?" carry plan, call or pool words because they are about those
    things; a question of fact never starts the purchase or a number check. The question
    keeps its other reading when it asks for advice: an ``@advice`` word ("which plan should
    we buy?", "is PAYG cheaper?"), a seat count (a purchase, unless the fact takes one: checked by the caller), a
    number to dial or a named user (``fact_not_with``, checked by the caller), a caller and a
    destination ("can our US users call Canada?", two countries: a number check), or a plan
    and a destination ("does the domestic plan let us call Switzerland?": a number check on
    that plan). A fact that takes a seat count needs one ("is there a pool in France?" asks
    about the tenant's pools: checked by the caller). An open question ("how", "combien")
    follows :func:`_question_beats` alone."""
    if cue <= 0 or countries >= 2:
        return frozenset()
    hits = [_tokens_of(w) for w in words]
    if any("@advice" in h or "@open" in h for h in hits):
        return frozenset()  # advice is a purchase; an open question follows _question_beats alone
    if any("@ask" in h for h in hits):
        return frozenset(lex.fact_beats - {Intent.CANCEL, Intent.PURCHASE})  # "faut-il acheter ...?" keeps the purchase
    if (
        countries
        and "plan" in features
        and not questions.names_list(words, "number_words")
        and not questions.names_list(words, "list_words")
    ):
        return frozenset(lex.fact_beats - {Intent.CANCEL, Intent.CHECK})  # a plan and a destination: a check
    return lex.fact_beats - {Intent.CANCEL}


def _asks_for_a_number(words: list[str], scores: dict[Intent, float], lex: _Lexicon) -> bool:
    """Whether a message asks to check a number still to be given: check wording, a people word
    and "call a number" ("can one of our users call a number in Japan?", "un de nos users peut-il
    appeler un numéro au Japon ?"; questions.json ``a_number_words``). "can users call premium
    numbers in Japan?" names a kind of number: a question of fact."""
    if scores.get(Intent.CHECK, 0.0) < lex.threshold or not questions.names_list(words, "a_number_words"):
        return False
    if questions.names_list(words, "number_kind_words"):
        return False  # "... appeler un numéro étranger ?": a kind of number (questions.json number_kind_words)
    people = frozenset(lexicon()["people_nouns"])
    return any(w in people for w in words)


def _asks_for_callers(words: list[str], countries: int, scores: dict[Intent, float], lex: _Lexicon) -> bool:
    """Whether a message asks about some users calling somewhere: two countries (where they
    are, where they call), a people word and check wording ("can our US users call Canada?",
    "nos utilisateurs américains peuvent-ils appeler le Canada ?"). "is a call from Canada to
    the US international?" names no users, and "a user in Toronto calls Chicago, does that
    count as international?" asks how the call is classed (questions.json ``classify_words``):
    questions of fact."""
    if countries < 2 or scores.get(Intent.CHECK, 0.0) < lex.threshold:
        return False
    if questions.names_list(words, "classify_words"):
        return False  # "a user in toronto calls chicago, does that count as international?": how it is classed
    people = frozenset(lexicon()["people_nouns"])
    return any(w in people for w in words)


#: Words after a number that make it a kind of number ("0800 numbers") or a plan's name ("the
#: 120/240 plans"), not one to dial.
_NUMBER_KIND_WORDS = frozenset({"number", "numbers", "numero", "numeros", "prefix", "prefixes", "prefixe"})
_PLAN_NAME_WORDS = frozenset({"plan", "plans", "forfait", "forfaits"})  # after the number only
#: The longest number a message may name about users in general ("can users always call 911?").
_SHORT_CODE_DIGITS = 4


#: A sentence ends at one of these followed by a space, or at a dash between spaces (lexicon
#: ``context_breaks``): "we have 40 users in Italy. is that one pool?" has two sentences.
_SENTENCE_BREAK = re.compile("|".join(lexicon()["context_breaks"]))
#: A feature the fact rules read: the message's seat count is only in a sentence of context
#: before the question it asks (see :func:`_seats_as_context`).
SEATS_CONTEXT = "seats_context"


def _last_sentence(text: str) -> str | None:
    """The last sentence of a message of several sentences (None for one sentence)."""
    parts = [p for p in _SENTENCE_BREAK.split(text[:MAX_CHARS]) if p.strip(" ?!.")]
    return parts[-1] if len(parts) > 1 else None


def _seats_as_context(text: str) -> bool:
    """Whether a message's seat count is context told before the question it asks: its last
    sentence is shaped like a question and names no seat count itself ("we use the 120 min
    plan for 40 people in the netherlands. a couple go over 120 every month. is that a
    problem?", "on a 22 personnes à Tallinn ... quand ses 600 minutes sont épuisées, que se
    passe-t-il ?"). WHY: a seat count made every question a purchase ("which plan for 40
    users?"); told first as the situation, it does not ask which plan to buy. "we need plans
    for 30 users in Spain" (one sentence) and "200 users in France ... - which plan?" (the
    question asks for a pick or advice: an ``@ask`` or ``@advice`` word) stay purchases."""
    last = _last_sentence(text)
    if last is None:
        return False
    asked = extract(last)
    if "user_count" in asked.features or not asked.words:
        return False
    if any(t in ("@ask", "@advice") for w in asked.words for t in _tokens_of(w)):
        return False  # "... which should we buy?": the question asks for a pick
    if score_intents(asked.words, asked.features).get(Intent.PURCHASE, 0.0) >= _lexicon().threshold:
        return False  # "... - which plan?": the question alone asks which plan to buy
    return questions.shape(last, asked.words).question


def _fact_features(text: str, entities: Entities, features: frozenset[str], lex: _Lexicon) -> frozenset[str]:
    """The features a question of fact is judged on: a phone number counts only when it is one
    to dial. "can I call 0800 numbers?" or "les numéros en 0800" name a kind of number, and
    "can users always call 911?" an emergency code for users in general (no user named, a
    people word: "can john call 911" stays a number check). A seat count told as context
    before the question adds :data:`SEATS_CONTEXT`."""
    if "user_count" in features and _seats_as_context(text):
        features = features | {SEATS_CONTEXT}
    if "phone_number" not in features or "user_ref" in features or not entities.numbers:
        return features
    words = words_of(text[: fact_search.MAX_QUERY_CHARS])
    people = frozenset(lexicon()["people_nouns"])
    for number in entities.numbers:
        digits = words_of(number)
        at = next((i for i in range(len(words)) if words[i : i + len(digits)] == digits), None)
        if at is None:
            return features
        after = words[at + len(digits) : at + len(digits) + 1]
        before = words[max(0, at - 2) : at]
        short = len("".join(digits)) <= _SHORT_CODE_DIGITS
        kind = bool(set(after) & (_NUMBER_KIND_WORDS | _PLAN_NAME_WORDS) or set(before) & _NUMBER_KIND_WORDS)
        # "09 premium numbers", "0871 premium-rate numbers": a prefix, then what kind of numbers it starts
        kind = kind or (short and bool(set(words[at + len(digits) : at + len(digits) + 3]) & _NUMBER_KIND_WORDS))
        general = short and bool(people & set(words))
        if not (kind or general):
            return features
    return features - {"phone_number"}


def from_card_value(value: Any, lang: str) -> Recognition | None:
    """A card submit ``{"intent": "pool"}`` as a recognition; None for other payloads."""
    if not isinstance(value, dict):
        return None
    try:
        intent = Intent(str(value.get("intent", "")).strip().lower())
    except ValueError:
        return None
    return Recognition(intent=intent, score=1.0, entities=Entities(), lang=detect_language(lang, None))
