"""A learned router: is a message a question of fact or a request? (issue 12, branch router)

WHY a model next to the rules: the recognizer's rules route requests well, but each round of
hand rules for questions of fact raised its own dev set far more than the next held-out set.
A statistical model learns from every question form of the fact base at once, so it may
generalize where a rule only covers the phrasing it was written for. Measured, not assumed:
``bench/records/facts_dev6_scores.md`` has the union of the dev sets before and after, and
``facts_dev6``, kept out of training, estimates how it does on messages it never saw.

The model: logistic regression over folded words, word pairs and character 3-5-grams of each
word (typos and French endings share most of their grams); numbers, phone numbers, e-mail
addresses and country names become one token each, so "40 users in Spain" and "12 users in
Italy" read alike. Facts: the fact base's question forms, both languages (label 1). Requests:
``locales/router.json`` (label 0), written by hand plus the tuning sets' requests
(``locales/build_router.py``). Trained deterministically (full-batch gradient descent from
zero weights, no randomness) on first use, in a fraction of a second, and cached: no weights
file to go stale when the fact base gains forms. Scoring a message is a few dictionary
lookups (bounded: :data:`MAX_CHARS`).

How the recognizer uses it: :func:`p_fact` is one more piece of evidence, asked only when the
rules read a message as a request and nothing in it is a request's own data (``recognizer._routed``).
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import repeat

from dialogs.nlu.i18n import read_locale_json
from knowledge import fact_search
from knowledge.facts import load_facts

#: A message is read up to this many characters (as fact retrieval reads it).
MAX_CHARS = fact_search.MAX_QUERY_CHARS
_EMAIL = re.compile(r"[^\s@]{1,64}@[^\s@]{1,255}")
_PHONE = re.compile(r"\+?\d[\d ().-]{5,30}\d")
_NUMBER = re.compile(r"\d+")
_GRAMS = (3, 4, 5)


def features(text: str) -> set[str]:
    """The features of one message (see the module docstring)."""
    plain = text[:MAX_CHARS]
    if "@" in plain:  # (an address has one; most messages none, nor a digit: no pass for them)
        plain = _EMAIL.sub(" zmail ", plain)
    if _NUMBER.search(plain):
        plain = _NUMBER.sub(" znum ", _PHONE.sub(" zphone ", plain))
    words = fact_search.countries_as_token(fact_search.fold(plain).split())
    out = {f"b:{a}_{b}" for a, b in zip(["^", *words], [*words, "$"], strict=True)}
    for word in words:
        out.update(_word_features(word))
    if text.rstrip().endswith("?"):
        out.add("q?")
    return out


@lru_cache(maxsize=8192)
def _word_features(word: str) -> frozenset[str]:
    """A word and its character grams (cached: admins reuse their words)."""
    padded = f"<{word}>"
    grams = ("c:" + padded[i : i + n] for n in _GRAMS for i in range(max(1, len(padded) - n + 1)))
    return frozenset(("w:" + word, *grams))


@dataclass(frozen=True)
class Model:
    weights: dict[str, float]
    bias: float
    fact_floor: float  # the probability at which a question-shaped message reads as a fact
    terse_floor: float  # the same for a message not shaped like a question ("I need calling plans")
    overrule_floor: float  # the probability at which a question overrules a strong request
    guarded_floor: float  # the same against a number check or the tenant's own pool data

    def p_fact(self, text: str) -> float:
        found = features(text)
        if not found:
            return 1.0 / (1.0 + math.exp(-self.bias))
        # (map of the dict's own get: the same sum, in the same order, without a generator)
        z = sum(map(self.weights.get, found, repeat(0.0))) / math.sqrt(len(found)) + self.bias
        return 1.0 / (1.0 + math.exp(-z))


def training_set() -> tuple[list[str], list[int]]:
    """The messages the model learns from and their labels (1: a question of fact)."""
    data = read_locale_json("router.json")
    facts = [form for fact in load_facts().facts for lang in ("en", "fr") for form in fact.questions[lang]]
    requests = [text for part in ("written", "corpus") for lang in ("en", "fr") for text in data[part][lang]]
    return facts + requests, [1] * len(facts) + [0] * len(requests)


def train(
    texts: list[str], labels: list[int], epochs: int, rate: float, l2: float, momentum: float = 0.0
) -> tuple[dict[str, float], float]:
    """Logistic regression by full-batch gradient descent with Nesterov momentum (deterministic:
    no sampling, zero start), each class weighing half; every message's features scaled to unit
    length. numpy is imported here, not at start: the bot starts without it and pays for it
    with the first model trained."""
    import numpy as np

    vocab: dict[str, int] = {}
    rows = [[vocab.setdefault(f, len(vocab)) for f in sorted(features(t))] for t in texts]
    lengths = np.array([len(r) for r in rows])
    cols = np.array([i for r in rows for i in r], dtype=np.int64)
    row_of = np.repeat(np.arange(len(rows)), lengths)
    values = np.repeat(1.0 / np.sqrt(np.maximum(lengths, 1)), lengths)
    y = np.array(labels, dtype=float)
    share = y.mean()
    class_weight = np.where(y == 1, 0.5 / share, 0.5 / (1 - share)) / len(y)
    w = np.zeros(len(vocab))
    bias = 0.0
    step_w = np.zeros(len(vocab))
    step_b = 0.0
    for _ in range(epochs):
        ahead_w, ahead_b = w + momentum * step_w, bias + momentum * step_b
        z = np.bincount(row_of, weights=ahead_w[cols] * values, minlength=len(rows)) + ahead_b
        g = (1.0 / (1.0 + np.exp(-z)) - y) * class_weight
        grad = np.bincount(cols, weights=g[row_of] * values, minlength=len(vocab)) + l2 * ahead_w
        step_w = momentum * step_w - rate * grad
        step_b = momentum * step_b - rate * float(g.sum())
        w = w + step_w
        bias += step_b
    names = sorted(vocab, key=vocab.__getitem__)
    return {name: float(w[i]) for i, name in enumerate(names) if w[i] != 0.0}, bias


#: One training at a time: the bot's start warms the router on a thread (:func:`warm`) while a
#: first message may already ask for it on the event loop; it waits for that training, never
#: trains twice.
_TRAINING = threading.Lock()


def model() -> Model:
    """The router, trained on first use (see :func:`training_set`) and kept."""
    with _TRAINING:
        return _trained()


@cache
def _trained() -> Model:
    settings = read_locale_json("router.json")["settings"]
    weights, bias = train(
        *training_set(), settings["epochs"], settings["rate"], settings["l2"], settings.get("momentum", 0.0)
    )
    floors = ("fact_floor", "terse_floor", "overrule_floor", "guarded_floor")
    return Model(weights, bias, *(float(settings[name]) for name in floors))


def p_fact(text: str) -> float:
    """How likely ``text`` is a question of fact rather than a request, in [0, 1]."""
    return model().p_fact(text)


def says_fact(text: str, question: bool) -> bool:
    """Whether the router reads ``text`` as a question of fact: at its ``fact_floor`` when the
    message is shaped like a question (``question``), at its ``terse_floor`` otherwise."""
    current = model()
    return current.p_fact(text) >= (current.fact_floor if question else current.terse_floor)


def overrules(text: str, question: bool, guarded: bool) -> bool:
    """Whether the router is confident enough that ``text`` is a question of fact to overrule
    a request the rules read (``recognizer._router_overrules``): at its ``overrule_floor`` for
    a question, ``guarded_floor`` against a number check or a pool lookup about the tenant's
    own data or naming a country (``guarded``), its ``terse_floor`` for a message not shaped like a question."""
    current = model()
    floor = current.terse_floor if not question else current.guarded_floor if guarded else current.overrule_floor
    return current.p_fact(text) >= floor


def warm() -> None:
    """Train the router now (the bot's start calls it off the event loop), so that the first
    message that reaches it does not pay for the training."""
    model()


__all__ = ["Model", "features", "model", "overrules", "p_fact", "says_fact", "train", "training_set", "warm"]
