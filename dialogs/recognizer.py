"""Local, offline intent recognition for English and French (no cloud NLU).

WHY rules and weights rather than a trained model: the domain is narrow (a handful of
intents), admins type short technical messages full of entities (numbers, countries, SKUs),
and every decision must be explainable and fixable by editing data. The vocabulary is in
``locales/lexicon.json``; this module only scores it:

* each intent has weighted cue phrases (both languages; typo-tolerant on words of 5+ letters);
* the entities found add weight (a phone number points to a number check, "40 users" to a
  purchase, a month to a pool lookup);
* a whole message that is a Teams command-menu word (``plan``, ``check``, ``pool``, ``help``)
  maps straight to its intent;
* the best intent wins if it reaches the threshold, otherwise UNKNOWN (never a wrong guess on
  gibberish: the bot then answers with what it can do).

Card buttons bypass text: :func:`from_card_value` reads ``{"intent": ...}`` submits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel

from dialogs.entities import Entities, extract, key, lexicon
from dialogs.i18n import detect_language


class Intent(StrEnum):
    PURCHASE = "purchase"  # which plan to buy / guided purchase
    CHECK = "check"  # can X call Y
    POOL = "pool"  # pool balance
    USERS = "users"  # list users
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


# --- cue compilation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cue:
    intent: Intent
    weight: float
    anchored: bool
    parts: tuple[tuple[str, ...], ...]  # word groups separated by "..." gaps


_GAP = 3  # "..." skips up to this many words
_FUZZY_MIN = 5


@cache
def _cues() -> tuple[list[_Cue], dict[str, Intent], float]:
    lex = lexicon()
    cues = []
    for intent_name, entries in lex["intents"].items():
        intent = Intent(intent_name)
        for weight, phrase in entries:
            anchored = phrase.startswith("^ ")
            body = phrase[2:] if anchored else phrase
            parts = tuple(tuple(part.split()) for part in body.split("..."))
            cues.append(_Cue(intent, float(weight), anchored, parts))
    exact = {}
    for phrase, intent_name in lex["exact"].items():
        exact[phrase if not key(phrase) else key(phrase)] = Intent(intent_name)
    return cues, exact, float(lex["threshold"])


@cache
def _filler() -> frozenset[str]:
    return frozenset(lexicon()["filler"])


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
        if a[i + 1:] == b[i + 1:]:
            return True  # substitution
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2:] == b[i + 2:]
    if la > lb:
        return a[i + 1:] == b[i:]
    return a[i:] == b[i + 1:]


@cache
def _word_matches(pattern: str, word: str) -> bool:
    if pattern.endswith("*"):
        return word.startswith(pattern[:-1])
    if pattern.endswith("="):
        return word == pattern[:-1]
    if pattern == word:
        return True
    # A typo rarely hits the first letter; requiring it keeps real words apart ("rappelle").
    return (
        len(pattern) >= _FUZZY_MIN
        and len(word) >= _FUZZY_MIN
        and pattern[0] == word[0]
        and _distance_at_most_one(pattern, word)
    )


def _group_at(words: list[str], start: int, group: tuple[str, ...]) -> bool:
    if start + len(group) > len(words):
        return False
    return all(_word_matches(p, words[start + k]) for k, p in enumerate(group))


def _cue_matches(cue: _Cue, words: list[str]) -> bool:
    starts = [0] if cue.anchored else range(len(words))
    for start in starts:
        if not _group_at(words, start, cue.parts[0]):
            continue
        position = start + len(cue.parts[0])
        ok = True
        for group in cue.parts[1:]:
            for skip in range(_GAP + 1):
                if _group_at(words, position + skip, group):
                    position += skip + len(group)
                    break
            else:
                ok = False
                break
        if ok:
            return True
    return False


# --- scoring -----------------------------------------------------------------------------------

_ONLY_PUNCTUATION = re.compile(r"^[\s?¿!.]*$")


def score_intents(words: list[str], features: frozenset[str]) -> dict[Intent, float]:
    """Raw score per intent: matched cues plus entity features.

    A single word counts once per intent, for its best cue, so a word that matches several
    spellings ("licence", "licences", "license" by typo tolerance) is not counted three times.
    """
    cues, _, _ = _cues()
    scores: dict[Intent, float] = {}
    best_single: dict[tuple[Intent, int], float] = {}
    for cue in cues:
        if len(cue.parts) == 1 and len(cue.parts[0]) == 1 and not cue.anchored:
            pattern = cue.parts[0][0]
            for position, word in enumerate(words):
                if _word_matches(pattern, word):
                    slot = (cue.intent, position)
                    best_single[slot] = max(best_single.get(slot, 0.0), cue.weight)
            continue
        if _cue_matches(cue, words):
            scores[cue.intent] = scores.get(cue.intent, 0.0) + cue.weight
    counted: set[tuple[Intent, str]] = set()
    for (intent, position), weight in best_single.items():
        if (intent, words[position]) in counted:
            continue  # the same word twice in a message counts once
        counted.add((intent, words[position]))
        scores[intent] = scores.get(intent, 0.0) + weight
    for feature, weights in lexicon()["features"].items():
        if feature in features:
            for intent_name, weight in weights.items():
                intent = Intent(intent_name)
                scores[intent] = scores.get(intent, 0.0) + float(weight)
    return scores


def _confidence(best: float, second: float, threshold: float) -> float:
    if best < threshold:
        return 0.0
    strength = min(1.0, best / (2 * threshold + 1))
    margin = (best - second) / best
    return round(strength * (0.5 + 0.5 * margin), 3)


def recognize(text: str, lang_hint: str | None = None) -> Recognition:
    """The intent and entities of one message; ``lang_hint`` is the activity locale (or the
    conversation's language): French wins when it says ``fr`` or the text is clearly French."""
    text = text or ""
    lang = detect_language(lang_hint, text)
    extraction = extract(text)
    _, exact, threshold = _cues()
    content = [w for w in extraction.words if w not in _filler()] or extraction.words
    phrase = " ".join(content)
    if not extraction.words and _ONLY_PUNCTUATION.match(text) and "?" in text:
        phrase = "?"
    if phrase in exact and not extraction.features:
        intent = exact[phrase]
        return Recognition(intent=intent, score=1.0, entities=extraction.entities, lang=lang,
                           scores={intent.value: 5.0})
    scores = score_intents(extraction.words, extraction.features)
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    best_intent, best = ranked[0] if ranked else (Intent.UNKNOWN, 0.0)
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    intent = best_intent if best >= threshold else Intent.UNKNOWN
    return Recognition(
        intent=intent,
        score=_confidence(best, second, threshold),
        entities=extraction.entities,
        lang=lang,
        scores={i.value: round(s, 2) for i, s in ranked},
    )


def from_card_value(value: Any, lang: str) -> Recognition | None:
    """A card submit ``{"intent": "pool"}`` as a recognition; None for other payloads."""
    if not isinstance(value, dict):
        return None
    try:
        intent = Intent(str(value.get("intent", "")).strip().lower())
    except ValueError:
        return None
    return Recognition(intent=intent, score=1.0, entities=Entities(), lang=detect_language(lang, None))
