"""Whether a message asks ABOUT something (a question of fact) or asks the bot to DO it.

WHY a separate rule: admins ask about the very things the bot's dialogs do. "do we get an email
alert when the pool is almost empty?", "sku for teams phone with calling plan?" or "can users
always call 911?" carry alert, purchase or number-check words because they are about those
things; answered as requests they subscribe an alert, open the purchase questionnaire or ask
for a number. The recognizer asks :func:`shape` of every message it did not already read as a
question of fact, and routes it to the fact base when the message is shaped like a question,
asks nothing to be done and retrieval finds its fact confidently (``recognizer._asks_about``).

Data, not code: the word lists are ``locales/questions.json``. Everything here is a few set
lookups on the message's first words (bounded: the recognizer's words are capped).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from dialogs.nlu.entities import MAX_CHARS, key, words_of
from dialogs.nlu.i18n import read_locale_json

_RAW_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")

#: Longest phrase (in words) of the lists.
_LONGEST = 5


class _Phrases(frozenset[tuple[str, ...]]):
    """A list's phrases (word tuples) and, per first word, the word counts of the phrases it
    starts (:func:`_sizes_by_first`), indexed once when the list is loaded: :func:`_contains`
    and :func:`_starts_with` run several times per message and read the index directly."""

    sizes: dict[str, tuple[int, ...]]


@dataclass(frozen=True)
class _Lists:
    greetings: _Phrases
    starts: _Phrases
    true_phrases: _Phrases
    do_starts: _Phrases
    for_us: _Phrases
    tenant_words: _Phrases
    pool_words: _Phrases
    holder_words: _Phrases
    not_places: _Phrases
    me_words: _Phrases
    number_words: _Phrases
    whether_starts: _Phrases
    whether_words: _Phrases
    conditionals: _Phrases
    pointers: _Phrases
    conditional_questions: _Phrases
    list_words: _Phrases
    status_words: _Phrases
    classify_words: _Phrases
    a_number_words: _Phrases
    place_for_words: _Phrases
    place_articles: _Phrases
    please_words: _Phrases
    pick_starts: _Phrases
    seat_pool_words: _Phrases
    not_people_words: _Phrases
    number_kind_words: _Phrases
    pool_lookup_words: _Phrases
    conferencing_words: _Phrases
    limit_words: _Phrases
    minutes_words: _Phrases
    how_many_words: _Phrases
    line_words: _Phrases
    compare_words: _Phrases
    capability_words: _Phrases


def _phrases(items: list[str]) -> _Phrases:
    phrases = _Phrases(tuple(p.split()) for p in items)
    phrases.sizes = _sizes_by_first(phrases)
    return phrases


@cache
def _lists() -> _Lists:
    data = read_locale_json("questions.json")
    return _Lists(*(_phrases(data[name]) for name in _Lists.__dataclass_fields__))


def _starts_with(words: list[str], phrases: _Phrases) -> int:
    """How many first words of ``words`` are one of ``phrases`` (longest first), 0 for none:
    only the sizes of the phrases that start with the first word are tried."""
    sizes = phrases.sizes.get(words[0]) if words else None
    if sizes is None:
        return 0
    for size in reversed(sizes):
        if size <= len(words) and tuple(words[:size]) in phrases:
            return size
    return 0


def _contains(words: list[str], phrases: _Phrases) -> bool:
    """Whether one of ``phrases`` (up to ``_LONGEST`` words) is in ``words``: only the sizes of
    the phrases that start with a word are tried where that word is (:func:`_sizes_by_first`),
    so a message with none of their first words costs one set test (in C) for all its words."""
    sizes_of = phrases.sizes
    if sizes_of.keys().isdisjoint(words):
        return False
    for i, word in enumerate(words):
        sizes = sizes_of.get(word)
        if sizes is None:
            continue
        if sizes[0] == 1:
            return True  # (sizes ascend: a word that is a phrase of its own is found, no tuple built)
        for size in sizes:
            if tuple(words[i : i + size]) in phrases:
                return True
    return False


def _sizes_by_first(phrases: frozenset[tuple[str, ...]]) -> dict[str, tuple[int, ...]]:
    """Per first word, the word counts of the ``phrases`` it starts (those :func:`_contains`
    can find: 1 to ``_LONGEST`` words), built once per list (:func:`_phrases`)."""
    sizes: dict[str, set[int]] = {}
    for phrase in phrases:
        if 0 < len(phrase) <= _LONGEST:
            sizes.setdefault(phrase[0], set()).add(len(phrase))
    return {word: tuple(sorted(found)) for word, found in sizes.items()}


def without_greeting(words: list[str]) -> list[str]:
    """The words after any opening greetings ("hi, quick question: how many..." -> "how many...")."""
    lists = _lists()
    rest = words
    for _ in range(3):  # "hello, quick question, ..." at most a few openers
        size = _starts_with(rest, lists.greetings)
        if not size:
            break
        rest = rest[size:]
    return rest


@dataclass(frozen=True)
class Shape:
    """What the words of a message say about it being a question of fact."""

    question: bool  # shaped like a question: a question word first, a "?" at the end, "is it true",
    # or "if ..., how big is ..." (a condition, then an open question word)
    request: bool  # asks the bot to do something: an imperative first, or "please" in a message
    # not shaped like a question ("calling plans for Spain please")
    for_us: bool  # asks for a choice for the asker's own users ("better for us", "for our office")
    tenant: bool  # asks about the tenant's own data now ("left", "this month", "our pool"), not in a conditional
    # nor where to look ("where do I see the minutes used?")
    pool: bool  # names the minute pool ("pool", "mutualisé")
    for_me: bool  # names the asker as the one to alert ("alert me", "préviens-moi")
    greeted: bool  # opened with a greeting before the question
    whether: bool  # asks whether the asker can ("can I buy...?") or who, why, when: not for a pick
    words: list[str]  # the words after the greeting


def shape(text: str, words: list[str], reads: Callable[[str], frozenset[str]] | None = None) -> Shape:
    """The :class:`Shape` of a message: ``words`` are its folded words (the recognizer's);
    ``reads`` what a word reads as, typos included (the recognizer's tokens: "purchse" reads
    as "purchase", an imperative), asked of the first word after a greeting. WHY a function:
    that word is known here once the greetings are skipped (the caller skipped them a second
    time to find it)."""
    lists = _lists()
    rest = without_greeting(words)
    first_reads = reads(rest[0]) if reads is not None and rest else frozenset()
    question = (
        bool(_starts_with(rest, lists.starts))
        or text.rstrip().endswith("?")
        or _contains(rest, lists.true_phrases)
        or (bool(_starts_with(rest, lists.conditionals)) and _contains(rest, lists.conditional_questions))
        or _last_clause_asks(text)
    )
    return Shape(
        question=question,
        request=bool(_starts_with(rest, lists.do_starts))
        or not single_words("do_starts").isdisjoint(first_reads)
        or (not question and _contains(rest, lists.please_words)),
        for_us=_contains(rest, lists.for_us),
        tenant=_contains(rest, lists.tenant_words)
        and not _contains(rest, lists.conditionals)
        and not _contains(rest, lists.pointers),
        pool=_contains(rest, lists.pool_words),
        for_me=_contains(rest, lists.me_words),
        greeted=len(rest) < len(words),
        whether=question and (bool(_starts_with(rest, lists.whether_starts)) or _contains(rest, lists.whether_words)),
        words=rest,
    )


#: How much of a last clause is folded to read its first words (the longest start is five words).
_CLAUSE_START_CHARS = 40


@cache
def _clauses() -> tuple[tuple[str, ...], int]:
    data = read_locale_json("questions.json")
    return tuple(data["clause_breaks"]), int(data["clause_min_words"])


def _last_clause_asks(text: str) -> bool:
    """Whether the last clause of a message (after a comma, a dash or a colon: questions.json
    ``clause_breaks``) opens like a question ("UK 0870 numbers, can they be called at all",
    "the international add-on, does it need something underneath"): the situation first, then
    the question, with no question mark. Only the last clause is folded (a few ``rfind``)."""
    breaks, least = _clauses()
    text = text[:MAX_CHARS]
    cut = -1
    for mark in breaks:  # (one rfind per break, no generator: most messages have none)
        at = text.rfind(mark)
        if at >= 0 and at + len(mark) > cut:
            cut = at + len(mark)
    if cut < 0:
        return False
    if len(text[cut:].split()) < least:
        return False
    return bool(_starts_with(words_of(text[cut : cut + _CLAUSE_START_CHARS]), _lists().starts))


#: A place said back must look like a name: capitalized, letters only, at least this long.
_NAME_MIN = 3
#: At most this many words of a message are looked at for a place name (bounded work).
_NAME_SCAN = 40


def names_list(words: list[str], name: str) -> bool:
    """Whether ``words`` contain a phrase of the list called ``name`` (``pool_words``,
    ``number_words``): what a fact that takes a seat count counts ("pool for 20 users",
    "numbers with 100 licences")."""
    return _contains(words, getattr(_lists(), name))


@cache
def single_words(name: str) -> frozenset[str]:
    """The one-word phrases of the list called ``name`` (the recognizer reads them with a typo)."""
    return frozenset(p[0] for p in getattr(_lists(), name) if len(p) == 1)


#: The most words a place named after "for" / "pour" may take ("new zealand", "puerto rico").
_PLACE_WORDS = 2


def place_after_for(words: list[str], is_place: Callable[[list[str]], bool]) -> bool:
    """Whether ``words`` name something FOR a place: "for" / "pour", any articles, then a place
    of at most :data:`_PLACE_WORDS` words that ``is_place`` (the entity extractor) takes for a
    country or city ("calling plans for Croatia", "des forfaits pour l'Espagne"). "for our users
    in Austria" names people first: not a place after "for"."""
    lists = _lists()
    for i, word in enumerate(words[:_NAME_SCAN]):
        if (word,) not in lists.place_for_words:
            continue
        j = i + 1
        while j < len(words) and (words[j],) in lists.place_articles:
            j += 1
        if any(is_place(words[j : j + size]) for size in range(1, _PLACE_WORDS + 1) if j + size <= len(words)):
            return True
    return False


def asks_for_a_pick(words: list[str]) -> bool:
    """Whether ``words`` open with a pick question word ("which", "quel"; questions.json ``pick_starts``)."""
    return bool(_starts_with(words, _lists().pick_starts))


def asks_who_holds(words: list[str], people: frozenset[str]) -> bool:
    """Whether ``words`` ask which of the tenant's users hold something: a people word and a
    holding word ("how many people have MCOPSTN1", "which users in France have the
    international plan"). A users lookup: a plan code named does not make it a question of fact."""
    return any(w in people for w in words) and _contains(words, _lists().holder_words)


def unknown_place(text: str, known: Callable[[str], bool]) -> str | None:
    """The name a question of fact asks about that is no country the bot knows ("is Narnia
    callable?", "la Narnie est-elle appelable ?"): the first capitalized word (not the
    message's first) made of letters, not all capitals (SKUs, "US"), that ``known`` (the
    recognizer's vocabulary, country names included) does not know. Said back by the fact
    card rather than answered with the general figure as if nothing had been named."""
    raw = _RAW_WORD.findall(text[:MAX_CHARS])[:_NAME_SCAN]
    for word in raw[1:]:
        if len(word) < _NAME_MIN or not word.isalpha() or not word[0].isupper() or word.isupper():
            continue
        folded = key(word)
        if folded and " " not in folded and not known(folded):
            return word
    return _lowercase_place(raw, known)


#: Places typed in lower case are read only as the message's last word after one of these
#: ("how many minutes per user in wakanda", "combien de minutes au wakanda"): elsewhere a
#: lower-case word unknown to the bot is more likely a typo or a word than a place.
_PLACE_PREPOSITIONS = frozenset({"in", "to", "en", "au", "aux"})
#: A lower-case place is at least this long ("in it", "en cas" are no places).
_LOWER_NAME_MIN = 4


def _lowercase_place(raw: list[str], known: Callable[[str], bool]) -> str | None:
    """The last word of a question typed in lower case when a place preposition comes before
    it and the bot knows neither it nor a close word: spotting an unknown place then does not
    depend on capitalisation."""
    if len(raw) < 2 or key(raw[-2]) not in _PLACE_PREPOSITIONS:
        return None
    word = raw[-1]
    if len(word) < _LOWER_NAME_MIN or not word.isalpha() or not word.islower():
        return None
    folded = key(word)
    if not folded or " " in folded or (folded,) in _lists().not_places:
        return None
    return None if known(folded) else word


__all__ = [
    "Shape",
    "asks_for_a_pick",
    "asks_who_holds",
    "place_after_for",
    "shape",
    "unknown_place",
    "without_greeting",
]
