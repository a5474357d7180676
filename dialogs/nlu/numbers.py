"""Counts written as words, read into digits: "forty" -> 40, "vingt-cinq" -> 25, "a dozen" -> 12.

WHY a rewrite to digits rather than a second count rule: every rule that reads a seat count,
minutes or a count per country (``entities.user_count``, ``slots.counts_per_country``,
``slots.minutes_mentioned``, ``entities.first_integer``) already reads digits, with its own
care for what is no count (minutes, plan names, phone numbers). :func:`with_digits` gives them
"40 E5 users in Ireland" for "forty E5 users in Ireland", so those rules stay the one place
that decides what a number is.

The words are data (``locales/numbers.json``: units, teens, tens, hundreds, thousands, dozens,
French approximate counts, articles, joiners); this module is a small left-to-right parser over
the message's words, one pass, a few dictionary lookups per word and at most :data:`MAX_WORDS`
words read from each (no copy of the message per word): its work is linear in the message,
which is cut at the length cap (:data:`MAX_CHARS`), with no regex beyond a plain word scan.

What is never read as a number: an article or "one" in a sentence ("un utilisateur peut-il
appeler ?", "one of our users": only a message that is the count itself, "one" at the count
question); "sept" and "neuf" unless a count noun follows (September, "new"); "cent" after "pour"
(a percentage); a dozen or an approximate count without an article or number before it
("dozens of users"); a number word typed with a capital inside a sentence ("we're on Three",
a carrier) unless a count noun follows; the digits after a decimal point on their own (a
decimal before a multiplier is read whole: "1.5 million", "2.5k", "1,5 million").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from dialogs.nlu.i18n import fold, read_locale_json
from dialogs.nlu.limits import MAX_CHARS  # the rest of a longer message is kept as typed

#: A number made of more words than this is no count an admin types (bounded work per number).
MAX_WORDS = 20

_WORD = re.compile(r"[^\W\d_]+|\d+")


@dataclass(frozen=True)
class _Table:
    units: dict[str, int]
    teens: dict[str, int]
    compounds: dict[tuple[str, str], int]
    tens: dict[str, int]
    tens_take_teens: frozenset[int]
    times_twenty: tuple[int, frozenset[str]]
    hundreds: frozenset[str]
    thousands: dict[str, int]
    dozens: dict[str, int]
    approximate: dict[str, int]
    articles: frozenset[str]
    joiners: dict[str, tuple[frozenset[str], frozenset[str]]]
    ish: frozenset[str]
    alone_only: frozenset[str]
    count_noun_only: frozenset[str]
    not_after: frozenset[str]
    alone_with: frozenset[str]
    after_digits: frozenset[str]
    couple: frozenset[str]
    couple_of: frozenset[str]
    vague: frozenset[str]
    vague_multipliers: frozenset[str]
    approximate_markers: frozenset[str]
    starts: frozenset[str]  # every word a number may start with
    vocabulary: frozenset[str]  # every word of a number (a message with none is left as typed)


@cache
def _table() -> _Table:
    data = read_locale_json("numbers.json")
    units, teens, tens = dict(data["units"]), dict(data["teens"]), dict(data["tens"])
    thousands, dozens, approximate = dict(data["thousands"]), dict(data["dozens"]), dict(data["approximate"])
    twenty = data["times_twenty"]
    articles = frozenset(data["articles"])
    couple = frozenset(data["couple"])
    starts = set(units) | set(teens) | set(tens) | set(data["hundreds"]) | set(thousands) | articles | couple
    starts.discard("k")  # "k" only right after digits ("2k")
    return _Table(
        units=units,
        teens=teens,
        compounds={tuple(k.split()): v for k, v in data["compounds"].items()},
        tens=tens,
        tens_take_teens=frozenset(data["tens_take_teens"]),
        times_twenty=(int(twenty["unit"]), frozenset(twenty["words"])),
        hundreds=frozenset(data["hundreds"]),
        thousands=thousands,
        dozens=dozens,
        approximate=approximate,
        articles=articles,
        joiners={w: (frozenset(j["after"]), frozenset(j["before"])) for w, j in data["joiners"].items()},
        ish=frozenset(data["ish"]),
        alone_only=frozenset(data["alone_only"]),
        count_noun_only=frozenset(data["count_noun_only"]),
        not_after=frozenset(data["not_after"]),
        alone_with=frozenset(data["alone_with"]),
        after_digits=frozenset(data["after_digits"]),
        couple=couple,
        couple_of=frozenset(data["couple_of"]),
        vague=frozenset(data["vague"]),
        vague_multipliers=frozenset(data["vague_multipliers"]),
        approximate_markers=frozenset(data["approximate_markers"]),
        starts=frozenset(starts),
        vocabulary=frozenset(starts | set(dozens) | set(approximate) | set(data["ish"]) | {"k"}),
    )


@dataclass(frozen=True)
class _Word:
    folded: str
    raw: str
    start: int
    end: int
    glued: bool  # nothing between this word and the one before ("2k", "30ish")
    joined: bool  # only spaces or a hyphen between this word and the one before
    after_point: bool  # a lone "." or "," between this word and the one before ("1.5", "1,5")


def _words(text: str) -> list[_Word]:
    words: list[_Word] = []
    last_end = -1
    for match in _WORD.finditer(text):
        gap = text[last_end : match.start()] if last_end >= 0 else " "
        words.append(
            _Word(
                folded=fold(match.group(0)),
                raw=match.group(0),
                start=match.start(),
                end=match.end(),
                glued=last_end == match.start(),
                joined=gap.strip(" \u00a0\u202f") in ("", "-"),
                after_point=gap in (".", ","),
            )
        )
        last_end = match.end()
    return words


@dataclass(frozen=True)
class Number:
    """One number read from words: its value and the words it spans (``end`` excluded);
    ``approximate`` when a word of it says so ("une cinquantaine", "a couple of hundred")."""

    value: int
    start: int
    end: int
    approximate: bool = False


def parse(words: list[str], start: int = 0, stop: int | None = None) -> Number | None:
    """The number written by the folded ``words[start:stop]`` (greedy, left to right), or
    None when they start no number. Every word must be joined to the one before (the caller
    passes ``stop`` where the joined words end: a comma ends a number); at most
    :data:`MAX_WORDS` words are read.

    WHY a ``stop`` bound rather than the caller slicing the list: a slice copies every word
    before ``stop``, once per candidate word, which made a long message cost quadratic time."""
    table = _table()
    total = current = 0
    last = ""  # kind of the last word read: unit, teen, tens, hundred, thousand, article, digits
    approximate = False
    i = start
    end = min(len(words) if stop is None else stop, start + MAX_WORDS)
    done = False
    while i < end and not done:
        word = words[i]
        pair = (word, words[i + 1]) if i + 1 < end else None
        if pair in table.compounds and last in ("", "tens", "hundred", "thousand"):
            value = table.compounds[pair]
            if last == "tens" and current % 100 not in table.tens_take_teens:
                break
            current += value
            last, i = "teen", i + 2
            continue
        if word in table.couple and last in ("", "article"):
            # "a couple (of) users" 2, "a couple of hundred" / "couple hundred" 200
            following = i + 1 if i + 1 < end and words[i + 1] in table.couple_of else i
            multiplied = following + 1 < end and (
                words[following + 1] in table.hundreds or words[following + 1] in table.thousands
            )
            if not last and not multiplied:
                break
            current, last, approximate = 2, "unit", True
            i = following + 1
            continue
        if word.isdigit():
            if last or i + 1 >= end or words[i + 1] not in table.after_digits:
                break  # digits start a number only before a word that multiplies them ("2 dozen")
            current, last = int(word), "digits"
        elif word in table.articles and not last and i + 1 < end and _multiplies(words[i + 1], table):
            current, last = 1, "article"
        elif word in table.units and last in ("", "tens", "hundred", "thousand"):
            current += table.units[word]
            last = "unit"
        elif word in table.teens and (
            last in ("", "hundred", "thousand") or (last == "tens" and current % 100 in table.tens_take_teens)
        ):
            current += table.teens[word]
            last = "teen"
        elif word in table.tens:
            unit, twenty = table.times_twenty
            if word in twenty and last == "unit" and current % 100 == unit:
                current += 80 - unit  # "quatre-vingts"
            elif last in ("", "hundred", "thousand"):
                current += table.tens[word]
            else:
                break
            last = "tens"
        elif word in table.hundreds and last in ("", "unit", "teen", "tens", "digits", "article", "thousand"):
            current = (current or 1) * 100 if current < 100 else current * 100
            last = "hundred"
        elif word in table.thousands and (word != "k" or last == "digits"):
            total += (current or 1) * table.thousands[word]
            current, last = 0, "thousand"
        elif word in table.dozens and last in ("unit", "teen", "tens", "digits", "article"):
            approximate = approximate or last == "article"  # "a dozen", "une douzaine"; not "2 dozen"
            current, done, last = current * table.dozens[word], True, "dozen"
        elif word in table.approximate and last in ("unit", "digits", "article"):
            current, done, last, approximate = current * table.approximate[word], True, "dozen", True
        elif word in table.joiners and last and i + 1 < end and _joins(word, last, words[i + 1], table):
            i += 1
            continue
        else:
            break
        i += 1
    if not last or last in ("article", "digits"):
        return None
    return Number(total + current, start, i, approximate)


def _multiplies(word: str, table: _Table) -> bool:
    return (
        word in table.hundreds
        or word in table.thousands
        or word in table.dozens
        or word in table.approximate
        or word in table.couple
    )


def _joins(joiner: str, last: str, following: str, table: _Table) -> bool:
    after, before = table.joiners[joiner]
    kind = {"hundred": "hundred", "thousand": "thousand", "tens": "tens"}.get(last, "")
    if kind not in after:
        return False
    if before:
        return following in before
    return following in table.units or following in table.teens or following in table.tens


@lru_cache(maxsize=512)
def with_digits(text: str, count_nouns: frozenset[str] = frozenset()) -> str:
    """``text`` with each count written in words replaced by its digits ("forty E5 users" ->
    "40 E5 users"), an approximate one marked ``~`` ("une cinquantaine d'utilisateurs" -> "~50
    d'utilisateurs", "30ish" -> "~30": :func:`approximate_at` reads it); everything else as
    typed. A multiplier after a vague word ("a few hundred") is no count (:func:`vague_count`).
    ``count_nouns`` (folded: "users", "personnes"...) are the words that make an ambiguous
    number word a count when they follow it."""
    head, tail = text[:MAX_CHARS], text[MAX_CHARS:]
    table = _table()
    if table.vocabulary.isdisjoint(map(fold, _WORD.findall(head))):
        return text  # the common case: no number word at all (told before any word is built)
    words = _words(head)
    folded = [w.folded for w in words]
    strays = sum(1 for w in folded if not _goes_alone(w, table, count_nouns))
    run_ends = _run_ends(words)
    out: list[str] = []
    done = 0  # characters of ``head`` copied so far
    i = 0
    while i < len(words):
        word = words[i]
        if word.folded in table.ish and i and word.joined and folded[i - 1].isdigit():
            digits_at = words[i - 1].start  # "30ish", "30-ish": the count stays, approximate
            out.append(head[done:digits_at] + _tilde(head, digits_at) + words[i - 1].raw)
            done = word.end
            i += 1
            continue
        if i and word.folded in table.vague_multipliers and folded[i - 1] in table.vague:
            i += 1  # "a few hundred": no count to read
            continue
        number = _number_at(words, folded, i, table, run_ends)
        if number is None or not _is_count(words, folded, number, table, count_nouns, strays):
            i += 1
            continue
        last = number.end
        approximate = number.approximate
        if last < len(words) and folded[last] in table.ish and words[last].joined:
            last, approximate = last + 1, True  # "forty-ish"
        at = words[number.start].start
        out.append(head[done:at])  # a decimal starts a word before
        out.append((_tilde(head, at) if approximate else "") + str(number.value))
        done = words[last - 1].end
        i = last
    if not out:
        return text
    out.append(head[done:])
    return "".join(out) + tail


def _tilde(head: str, at: int) -> str:
    """The mark of an approximate count written at ``at``, unless one is typed there already."""
    return "" if head[:at].rstrip().endswith("~") else "~"


#: How far before a count :func:`approximate_at` looks for a word that makes it approximate.
_MARKER_REACH = 24


def approximate_at(work: str, start: int) -> bool:
    """Whether the count at ``start`` of ``work`` (a text through :func:`with_digits`) is
    approximate: marked ``~`` ("~250", read from "une cinquantaine") or right after a word of
    ``approximate_markers`` ("about 40", "environ 30"). Reads at most a few words before it."""
    before = work[max(0, start - _MARKER_REACH) : start].rstrip()
    if before.endswith("~"):
        return True
    found = _WORD.findall(before)
    return bool(found) and fold(found[-1]) in _table().approximate_markers


def vague_words() -> frozenset[str]:
    """The folded words a vague count starts with ("few", "plusieurs"): a message without one
    needs no :func:`vague_count` pass."""
    return _table().vague


def vague_count(text: str) -> str | None:
    """The words of a count too vague to buy licences for, as typed ("a few hundred", "several
    dozen", "quelques centaines"), or None. One pass over the first :data:`MAX_CHARS`."""
    table = _table()
    words = _words(text[:MAX_CHARS])
    for i in range(1, len(words)):
        if words[i].folded in table.vague_multipliers and words[i - 1].folded in table.vague and words[i].joined:
            first = i - 2 if i >= 2 and words[i - 2].folded in table.articles and words[i - 1].joined else i - 1
            return text[words[first].start : words[i].end]
    return None


def _run_ends(words: list[_Word]) -> list[int]:
    """For each word, the index of the first later word not joined to it (spaces, hyphens): where
    a number starting there must stop. One backward pass per message, so that finding where each
    candidate number stops costs nothing per word (a scan per candidate read a long run of
    joined words over and over)."""
    ends = [len(words)] * len(words)
    following = len(words)
    for k in range(len(words) - 1, -1, -1):
        ends[k] = following
        if not words[k].joined or words[k].glued:
            following = k
    return ends


def _number_at(words: list[_Word], folded: list[str], i: int, table: _Table, run_ends: list[int]) -> Number | None:
    """The number starting at word ``i``, read over the words joined to it (``run_ends``)."""
    if folded[i] not in table.starts and not folded[i].isdigit():
        return None
    if i and words[i].glued:
        return None  # inside a word or a code ("E5", "MCOPSTN1"...)
    if i and words[i].after_point and folded[i - 1].isdigit():
        return _decimal_at(words, folded, i, table)
    stop = min(run_ends[i], i + MAX_WORDS)
    if folded[i].isdigit() and stop < len(words) and words[stop].glued and folded[stop] == "k":
        return Number(int(folded[i]) * table.thousands["k"], i, stop + 1)  # "2k"
    return parse(folded, i, stop)


def _goes_alone(word: str, table: _Table, count_nouns: frozenset[str]) -> bool:
    """Whether ``word`` may stand beside a lone "one" in a message that is the count itself."""
    return word in table.alone_with or word in count_nouns


def _decimal_at(words: list[_Word], folded: list[str], i: int, table: _Table) -> Number | None:
    """The count written by a decimal before a multiplier ("1.5 million", "2.5k", French
    "1,5 million"), starting at the whole part (word ``i - 1``; word ``i`` is the part after
    the point), or None: the digits after a point are never read on their own ("1.5 million"
    was "1.5000000"). Left as typed, None: no multiplier after it, a whole part glued to a code
    ("v2.5k") or after another point ("1.2.5"), three digits after the point ("1,500 million"
    is 1.5 million in French and 1,500 million in English: no count to pick), or a product that
    is no whole count ("1.3 dozen")."""
    whole, fraction = words[i - 1], words[i]
    if whole.glued or whole.after_point or len(fraction.raw) == 3 or i + 1 >= len(words):
        return None
    after = words[i + 1]
    if after.folded == "k" and after.glued:
        times = table.thousands["k"]
    elif after.folded in table.after_digits and after.joined and not after.glued:
        times = table.thousands.get(after.folded) or table.dozens.get(after.folded) or 100
    else:
        return None
    scale = 10 ** len(fraction.raw)
    value, rest = divmod((int(whole.raw) * scale + int(fraction.raw)) * times, scale)
    return None if rest else Number(value, i - 1, i + 2)


def _is_count(
    words: list[_Word],
    folded: list[str],
    number: Number,
    table: _Table,
    count_nouns: frozenset[str],
    strays: int,
) -> bool:
    """Whether the number read is one to write as digits (see the module's rules).

    ``strays`` counts the message's words that may not stand beside a lone "one"
    (:func:`_goes_alone`), counted once per message: the number is alone ("one", "just one",
    "une seule") when all of them are its own words. WHY counted once: copying the other words
    for each number read made a message of many numbers cost quadratic time."""
    own = sum(1 for w in folded[number.start : number.end] if not _goes_alone(w, table, count_nouns))
    alone = own == strays
    first = folded[number.start]
    span = number.end - number.start
    before = folded[number.start - 1] if number.start else ""
    noun_next = any(w in count_nouns for w in folded[number.end : number.end + 2])
    if (first in table.hundreds and before in table.not_after) or (before.isdigit() and words[number.start].joined):
        return False  # "80 pour cent"; "10 cents" (digits then a number word: not one number)
    if span == 1 and first in table.alone_only:
        return alone
    if span == 1 and first in table.count_noun_only:
        return noun_next or alone
    raw = words[number.start].raw
    if span == 1 and number.start and raw[:1].isupper() and not raw.isupper():
        return noun_next or alone  # "we're on Three": a name
    return True


def read(text: str) -> list[int]:
    """Every count written in ``text`` (words or digits), in order: for tests and the bench."""
    return [int(w) for w in _WORD.findall(with_digits(text)) if w.isdigit()]


__all__ = [
    "MAX_CHARS",
    "MAX_WORDS",
    "Number",
    "approximate_at",
    "parse",
    "read",
    "vague_count",
    "vague_words",
    "with_digits",
]
