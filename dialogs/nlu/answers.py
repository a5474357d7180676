"""Reading the answer to one question: a card click (``activity.value``) or typed text.

Each reader returns the slots the answer fills (a small dict merged into the dialog's slots),
or None when the answer is not one: the prompt then says what it expects and asks again.
Clicks carry exact values (``{"value": "E5"}``); typed text goes through the same entity
extraction as the recognizer, so "the UK and Germany", "1 200" or "+44 20 7946 0958" read the
same in a prompt as in a first message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from dialogs.nlu.entities import (
    Entities,
    Extraction,
    compiled,
    digits,
    extract_entities,
    first_integer,
    integers,
    key,
    lexicon,
    words_of,
)
from dialogs.nlu.numbers import approximate_at
from dialogs.nlu.slots import (
    counts_per_country,
    international_need,
    known_countries,
    slot_words,
    states_scope,
)
from knowledge.advisor import MAX_USERS
from knowledge.catalog import load_catalog

UNKNOWN = "unknown"

#: A typed answer that is nothing but a phone number or short code (``112``, ``+44 20 7946 0958``).
_DIALLED = re.compile(r"^\s*\+?[\d(][\d\s().\-/*•#]*\s*$")
#: A short code inside a few words ("is 112 free?"): 2 to 6 digits standing alone.
_SHORT_CODE = re.compile(r"(?<![\d+.,])\b\d{2,6}\b(?![.,]?\d)")
_SHORT_ANSWER_WORDS = 6
_SHORT_ANSWER_CHARS = 120


@dataclass(frozen=True)
class Answer:
    """What the admin sent: the clicked value (None when typed) and the typed text.

    ``known``: a text and its extraction the caller has already made (the turn's message, read
    once per turn by the dialogs: ``dialogs.turn.turn_extraction``), reused by
    :meth:`entities_of` when that is the text a rule reads (WHY: a typed "40" was extracted three
    times in one purchase step, ~60 us each: by the recognizer, this answer's read and the
    dialog's ``also_said``)."""

    value: Any
    text: str
    known: tuple[str, Extraction] | None = field(default=None, compare=False, repr=False)
    #: the texts of this answer read so far (the whole text, its first characters) and their
    #: entities: each rule that reads the same text shares one extraction (a handful per answer)
    _read: dict[str, Entities] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, activity: Any, known: tuple[str, Extraction] | None = None) -> Answer:
        value = activity.value.get("value") if isinstance(activity.value, dict) else None
        return cls(value=value, text=(activity.text or "").strip(), known=known)

    def entities_of(self, text: str) -> Entities:
        """The entities of ``text`` (this answer's text or a part of it): the known extraction's
        when it is of exactly that text, else extracted here."""
        known = self.known
        if known is not None and known[0] == text:
            return known[1].entities
        if text not in self._read:
            self._read[text] = extract_entities(text)
        return self._read[text]

    @property
    def empty(self) -> bool:
        return self.value is None and not self.text


def _country(value: Any) -> str | None:
    country = load_catalog().country_by_name(str(value)) if value not in (None, "") else None
    return country.iso if country else None


def read_countries(answer: Answer) -> dict[str, Any] | None:
    """Usage-location countries; typed counts ("30 in France, 10 in Germany") come along."""
    if answer.value is not None:
        values = answer.value if isinstance(answer.value, list) else [answer.value]
        codes = [c for c in (_country(v) for v in values) if c]
        return {"countries": list(dict.fromkeys(codes))} if codes else None
    entities = answer.entities_of(answer.text)
    codes = known_countries(entities.countries)
    if not codes and entities.yes_no is not None:
        return None  # "No" at the country question is an answer to another question, not Norway
    if not codes:
        typed = _country(answer.text)
        codes = [typed] if typed else []
    if not codes:
        return None
    slots: dict[str, Any] = {"countries": codes}
    counts = {c: n for c, n in counts_per_country(answer.text).items() if c in codes}
    if len(counts) >= 2 and set(counts) >= set(codes):
        slots["users_per_country"] = counts
    elif entities.user_count:
        slots["users"] = entities.user_count
        if entities.count_approx:
            slots["users_approx"] = True
    elif len(codes) == 1 and codes[0] in counts:  # "30 en France": the count of that country (as purchase_slots)
        slots["users"] = counts[codes[0]]
    return slots


def _said_no(answer: Answer) -> bool:
    """ "no", "nope", "non" typed at a question that is no yes/no question. The short answer's
    entities come from :meth:`Answer.entities_of`, which reads each text of an answer once (the
    turn's extraction, or what a rule before this one read): one extraction per answer, not one
    per rule that looks at it."""
    if answer.value is not None:
        return False
    return answer.entities_of(answer.text[:_SHORT_ANSWER_CHARS]).yes_no is False


def why_not_countries(answer: Answer) -> tuple[str, dict[str, Any]] | None:
    """Why a typed answer to a country question is not one: "no" (the admin may want to stop,
    or read the question as a yes/no one: the retry says how to cancel, never "'no' is not a
    country"), a yes ("Yes" is not a country either), or a name that is no country ("Narnia",
    said back)."""
    if answer.value is not None or not answer.text:
        return None
    entities = answer.entities_of(answer.text)
    if entities.unknown_places:
        return "reason.unknown_country", {"name": entities.unknown_places[0]}
    if _said_no(answer):
        return "reason.said_no", {}
    if entities.yes_no is not None:
        return "reason.answer_not_country", {"text": answer.text[:40]}
    words = answer.text.split()
    if 1 <= len(words) <= 3 and all(w.isalpha() for w in words):
        return "reason.unknown_country", {"name": answer.text[:40]}
    return None


_NEGATIVE = re.compile(r"^\s*[-\u2212]\s*\d")


def _negative(text: str) -> bool:
    """ "-3", "minus 5", "moins 5": a number below zero (``slots.json`` ``minus_words``)."""
    if _NEGATIVE.match(text):
        return True
    words = words_of(text[:40])
    return len(words) >= 2 and words[0] in slot_words()["minus_words"] and words[1][:1].isdigit()


@cache
def _not_people_units() -> frozenset[str]:
    """Units after a number that make it no count of users ("120 min", "40 euros", "30 days")."""
    lex = lexicon()
    return frozenset(key(w) for w in lex["unit_words"]) - compiled().people_nouns


def typed_count(text: str, entities: Entities | None = None) -> int | None:
    """The seat count a typed answer gives (see :func:`typed_count_said`), or None."""
    said = typed_count_said(text, entities)
    return said[0] if said else None


def typed_count_said(text: str, entities: Entities | None = None) -> tuple[int, bool] | None:
    """The seat count a typed answer gives: its first whole number, words read as digits
    ("forty", "vingt-cinq", "a dozen", "une cinquantaine", "30ish"), that is none of minutes,
    money or a percentage ("120 min", "$40", "40 €", "80%"), a plan's name ("forfait 240"), a
    year after a word that dates it ("in 2027", "à partir de 2027") or part of a phone number
    ("+33 1 23 45 67 89"). None when there is no such number: the retry says why. ``entities``:
    those of ``text`` when the caller has read them already (``text`` within the short-answer
    cap), so they are not read again. With it, whether it was said approximately ("about 40",
    "une cinquantaine")."""
    if entities is None or len(text) > _SHORT_ANSWER_CHARS:
        text = text[:_SHORT_ANSWER_CHARS]
        entities = extract_entities(text)
    work = digits(text)
    # a phone number typed ("+33 1 23 45 67 89"), not a count written with separators ("1 200 000")
    phones = [(at, at + len(n), n) for n in entities.numbers if (at := work.find(n)) >= 0]
    words = slot_words()
    plan_words, year_words = frozenset(words["count_not_after"]), frozenset(words["year_before"])
    for value, start, end in integers(text):
        if any(a < end and start < b and number != work[start:end] for a, b, number in phones):
            continue
        after, before = words_of(work[end : end + 30])[:1], words_of(work[max(0, start - 30) : start])[-1:]
        symbol_after, symbol_before = work[end:].lstrip()[:1], work[:start].rstrip()[-1:]
        if set(after) & _not_people_units() or symbol_after in _SYMBOLS or symbol_before in _SYMBOLS:
            continue
        if set(before) & plan_words or (end - start == 4 and 1900 <= value <= 2099 and set(before) & year_words):
            continue
        return value, approximate_at(work, start)
    return None


#: Signs next to a number that make it money or a percentage, not a count.
_SYMBOLS = frozenset("$€£%")


def why_not_users(answer: Answer) -> tuple[str, dict[str, Any]] | None:
    """Why a typed count is not one: out of range ("0", "5000000", "-3"), "no" (how to cancel),
    or no number of users at all ("lots", "120 minutes"): the retry says so rather than only
    asking again."""
    if answer.value is not None or not answer.text:
        return None
    text = answer.text[:40]
    if _negative(text):
        return "reason.users_range", {"count": -(first_integer(text.lstrip(" -\u2212")) or 0), "max": MAX_USERS}
    entities = answer.entities_of(text)
    if _said_no(answer):
        return "reason.said_no", {}
    count = typed_count(text, entities)
    if count is not None and not 1 <= count <= MAX_USERS:
        return "reason.users_range", {"count": count, "max": MAX_USERS}
    if count is None and entities.vague_count:
        return "reason.vague_count", {"text": entities.vague_count}
    if count is None:
        return "reason.not_a_count", {"text": text}
    return None


def read_country(answer: Answer) -> str | None:
    """One country (the caller's usage location)."""
    slots = read_countries(answer)
    return slots["countries"][0] if slots else None


def read_users(answer: Answer, countries: list[str] | None = None) -> dict[str, Any] | None:
    """A number of users (per country), or one count per country ("30 in France, 10 in Germany")."""
    if answer.value is not None:
        value = answer.value
        count = value if isinstance(value, int) and not isinstance(value, bool) else first_integer(str(value))
        approximate = False
    else:
        counts = counts_per_country(answer.text)
        if countries and len(countries) > 1 and set(counts) >= set(countries):
            return {"users_per_country": {c: counts[c] for c in countries}, "users": None}
        if _negative(answer.text):  # "minus 5": no count, the retry says the range
            return None
        short = len(answer.text) <= _SHORT_ANSWER_CHARS
        count, approximate = typed_count_said(answer.text, answer.entities_of(answer.text) if short else None) or (
            None,
            False,
        )
    if count is None or not 1 <= count <= MAX_USERS:
        return None
    return {"users": count, "users_approx": True} if approximate else {"users": count}


def read_yes_no(answer: Answer) -> bool | None:
    if isinstance(answer.value, bool):
        return answer.value
    if answer.value is not None:
        return None
    entities = answer.entities_of(answer.text)
    # What the words say of the calls wins over a yes/no word that only opens them ("ok - they
    # have E3 and only call locally" is no).
    said = international_need(answer.text[:200], [], []) if entities.line is not None else None
    if said is not None:  # "internationally", "only domestic", "no international calls"
        return said
    if states_scope(answer.text[:200]):  # "they only call within France", "appels nationaux seulement"
        return False
    return entities.yes_no


def read_calls_abroad(answer: Answer, countries: list[str]) -> bool | None:
    """Yes or no to "do these users call abroad?" (:func:`read_yes_no`), and yes when the answer
    says they call countries other than theirs ("yeah they call the UK and the US a lot", "ils
    appellent l'Allemagne"): a call word and a country that is none of ``countries``."""
    said = read_yes_no(answer)
    if said is not None or answer.value is not None:
        return said
    text = answer.text[:_SHORT_ANSWER_CHARS]
    called = set(known_countries(answer.entities_of(text).countries)) - set(countries)
    return True if called and not compiled().call_words.isdisjoint(words_of(text)) else None


def read_number(answer: Answer) -> str | None:
    """The phone number as written (or a Teams user's UPN: a Teams-to-Teams call)."""
    if answer.value is not None:
        return str(answer.value) if str(answer.value).strip() else None
    entities = answer.entities_of(answer.text)
    if entities.numbers:
        return entities.numbers[0]
    if _DIALLED.match(answer.text) and sum(c.isdigit() for c in answer.text) >= 2:
        return answer.text.strip()
    # "is 112 free?", "and 15?": a short message around one short code is that number.
    codes = _SHORT_CODE.findall(answer.text[:_SHORT_ANSWER_CHARS])
    if len(codes) == 1 and len(answer.text.split()) <= _SHORT_ANSWER_WORDS:
        return str(codes[0])
    if entities.users and "@" in entities.users[0] and not names_the_caller(answer.text):
        return entities.users[0]
    return None


def names_the_caller(text: str) -> bool:
    """Whether ``text`` says the person it names is the caller ("the caller is alice@contoso.com",
    slots.json ``caller_words``): at the number question, not a Teams user to call."""
    folded = f" {key(text[:_SHORT_ANSWER_CHARS])} "
    return any(f" {word} " in folded for word in slot_words()["caller_words"])


def read_plan(answer: Answer) -> str | None:
    """A Calling Plan SKU (from a click, a name, a SKU or "domestic"/"international"), or PAYG."""
    catalog = load_catalog()
    if answer.value is not None:
        plan = catalog.find_plan(str(answer.value))
        return plan.sku if plan else None
    entities = answer.entities_of(answer.text)
    if entities.plan:
        return entities.plan
    plan = catalog.calling_plan_for(answer.text)
    if plan is not None:
        return plan.sku
    if entities.line == "international":
        return "MCOPSTN2"
    if entities.line == "domestic":
        return "MCOPSTN1"
    return None
