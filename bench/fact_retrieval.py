"""Fact retrieval: which method finds the right fact, and how fast (w2-facts, issue 12).

Scores each retrieval method of :mod:`knowledge.fact_search` (rapidfuzz fuzzy matching, BM25
by ``bm25s``, their blend) on the dev sets ``tests/dialogs/corpus/facts_dev_{en,fr}.json``
(written for tuning; the held-out sets are never read here):

* ``top1``: share of fact questions whose best fact is the right one;
* ``answered``: share answered right at the answer floor (best score >= ANSWER_FLOOR);
* ``offered``: share where the right fact is among the 3 buttons offered (floor band);
* ``false_answer``: share of non-fact messages that would be answered as a fact;
* ``us_per_query``: median microseconds per query (index built before timing).

    .venv/bin/python -m bench.fact_retrieval
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import median, result
from knowledge import fact_search

CORPUS_DIR = Path(__file__).resolve().parent.parent / "tests" / "dialogs" / "corpus"
LANGS = ("en", "fr")
METHODS: tuple[fact_search.Method, ...] = ("fuzzy", "bm25", "blend")


def load_dev(lang: str) -> list[dict[str, Any]]:
    return json.loads((CORPUS_DIR / f"facts_dev_{lang}.json").read_text("utf-8"))["items"]


def evaluate(
    method: fact_search.Method, lang: str, answer_floor: float | None = None, suggest_floor: float | None = None
) -> dict[str, Any]:
    answer_floor = fact_search.ANSWER_FLOOR if answer_floor is None else answer_floor
    suggest_floor = fact_search.SUGGEST_FLOOR if suggest_floor is None else suggest_floor
    items = load_dev(lang)
    facts = [i for i in items if i["fact"]]
    others = [i for i in items if not i["fact"]]
    top1 = answered = offered = false_answer = 0
    misses = []
    for item in facts:
        ranked = fact_search.search(item["text"], method)
        best, score = ranked[0] if ranked else (None, 0.0)
        top1 += best == item["fact"]
        if score >= answer_floor:
            answered += best == item["fact"]
        elif score >= suggest_floor:
            offered += item["fact"] in [f for f, _ in ranked[:3]]
        if best != item["fact"] or score < answer_floor:
            misses.append((item["text"], item["fact"], ranked[:2]))
    for item in others:
        ranked = fact_search.search(item["text"], method)
        if ranked and ranked[0][1] >= answer_floor:
            false_answer += 1
            misses.append((item["text"], None, ranked[:1]))
    samples = []
    texts = [i["text"] for i in items]
    for _ in range(5):
        fact_search.forget_searches()  # each round computes its searches (not the kept ones)
        start = time.perf_counter()
        for text in texts:
            fact_search.search(text, method)
        samples.append((time.perf_counter() - start) / len(texts) * 1e6)
    return {
        "method": method,
        "lang": lang,
        "n": len(facts),
        "top1": top1 / len(facts),
        "answered": answered / len(facts),
        "offered": offered / len(facts),
        "false_answer": false_answer / max(1, len(others)),
        "us_per_query": median(samples),
        "misses": misses,
    }


def _per_message_us(fn: Any, texts: list[str], rounds: int) -> list[float]:
    """Each text's median time over ``rounds`` rounds, in microseconds (one value per text)."""
    per_text: list[list[float]] = [[] for _ in texts]
    for _ in range(rounds):
        fact_search.forget_searches()  # each round computes its searches (not the kept ones)
        for i, text in enumerate(texts):
            started = time.perf_counter()
            fn(text)
            per_text[i].append((time.perf_counter() - started) * 1e6)
    return [median(samples) for samples in per_text]


def routing(lang: str) -> dict[str, Any]:
    """How the whole recognizer routes the dev set (not retrieval alone): ``routed`` is the
    share of fact questions whose intent is FACT, ``routed_right`` those whose best fact is
    also the right one, ``false_fact`` the non-fact messages taken as FACT. Lists the misses
    with the intent that won."""
    from dialogs.nlu.recognizer import Intent, recognize

    items = load_dev(lang)
    facts = [i for i in items if i["fact"]]
    others = [i for i in items if not i["fact"]]
    routed = right = false_fact = 0
    misses = []
    for item in facts:
        rec = recognize(item["text"], lang)
        is_fact = rec.intent == Intent.FACT
        routed += is_fact
        right += is_fact and bool(rec.facts) and rec.facts[0][0] == item["fact"]
        if not is_fact:
            misses.append((item["text"], item["fact"], rec.intent.value))
    for item in others:
        rec = recognize(item["text"], lang)
        if rec.intent == Intent.FACT:
            false_fact += 1
            misses.append((item["text"], None, "fact"))
    return {
        "lang": lang,
        "n": len(facts),
        "routed": routed,
        "routed_right": right,
        "others": len(others),
        "false_fact": false_fact,
        "misses": misses,
    }


def understanding_speed(quick: bool = False) -> dict[str, float]:
    """Median microseconds to understand one message (recognizer + fact retrieval) over the
    corpus and the fact dev sets, next to the same recognizer with retrieval switched off in
    the same run (the cost retrieval adds), and over the fact questions alone."""
    from dialogs.nlu import recognizer

    corpus = [
        item["text"] for lang in LANGS for item in json.loads((CORPUS_DIR / f"{lang}.json").read_text("utf-8"))["items"]
    ]
    questions = [item["text"] for lang in LANGS for item in load_dev(lang) if item["fact"]]
    texts = corpus + questions
    rounds = 3 if quick else 9
    for text in texts:  # warm the word caches and the index: the steady state is measured
        recognizer.recognize(text)
    with_retrieval = _per_message_us(recognizer.recognize, texts, rounds)
    real_search = fact_search.search
    fact_search.search = lambda text, method=None: []
    try:
        without = _per_message_us(recognizer.recognize, texts, rounds)
    finally:
        fact_search.search = real_search
    return {
        "median_us": median(with_retrieval),
        "baseline_us": median(without),
        "questions_us": median(with_retrieval[len(corpus) :]),
        "messages": len(texts),
    }


def run(quick: bool = False) -> list[dict[str, Any]]:
    rows = []
    speed = understanding_speed(quick)
    rows.append(
        result(
            "understanding_speed",
            "median_us_per_message",
            speed["median_us"],
            "us",
            baseline=speed["baseline_us"],
            note=f"recognize() with fact retrieval vs without, {speed['messages']:.0f} messages "
            "(corpus + fact dev sets); goal <= 1000 us median",
        )
    )
    rows.append(
        result(
            "understanding_speed",
            "median_us_per_fact_question",
            speed["questions_us"],
            "us",
            baseline=speed["baseline_us"],
            note="fact dev questions only (each runs retrieval)",
        )
    )
    for lang in LANGS:
        r = routing(lang)
        rows.append(
            result(
                f"fact_routing_{lang}",
                "routed",
                round(100 * r["routed"] / r["n"], 1),
                "%",
                note=f"{r['routed']}/{r['n']} dev fact questions routed to FACT "
                f"({r['routed_right']} to the right fact); {r['false_fact']}/{r['others']} "
                "non-fact dev messages taken as FACT",
            )
        )
    for method in METHODS:
        for lang in LANGS:
            fact_search.search("warm up", method)  # builds the index outside the timing
            r = evaluate(method, lang)
            note = (
                f"top1 {r['top1']:.0%}, answered {r['answered']:.0%}, offered {r['offered']:.0%}, "
                f"false answer {r['false_answer']:.0%} on {r['n']} dev questions"
            )
            rows.append(
                result(f"fact_retrieval_{method}_{lang}", "top1_accuracy", round(100 * r["top1"], 1), "%", note=note)
            )
            rows.append(result(f"fact_retrieval_{method}_{lang}", "us_per_query", r["us_per_query"], "us"))
    return rows


def main() -> int:
    speed = understanding_speed()
    print(
        f"understanding: median {speed['median_us']:.0f} us/message with retrieval, {speed['baseline_us']:.0f} "
        f"without; fact questions {speed['questions_us']:.0f} us ({speed['messages']:.0f} messages)"
    )
    for lang in LANGS:
        r = routing(lang)
        print(
            f"routing {lang}  {r['routed']}/{r['n']} fact questions routed to FACT ({r['routed_right']} right fact)"
            f"  {r['false_fact']}/{r['others']} non-fact taken as FACT"
        )
        if "-v" in sys.argv:
            for miss in r["misses"]:
                print("    ", miss)
    for method in METHODS:
        for lang in LANGS:
            fact_search.search("warm up", method)
            r = evaluate(method, lang)
            print(
                f"{method:6} {lang}  top1 {r['top1']:.0%}  answered {r['answered']:.0%}  offered {r['offered']:.0%}"
                f"  false-answer {r['false_answer']:.0%}  {r['us_per_query']:.0f} us/query"
            )
            if "-v" in sys.argv:
                for miss in r["misses"]:
                    print("    ", miss)
    return 0


if __name__ == "__main__":
    sys.exit(main())
