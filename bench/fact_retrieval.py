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
METHODS = ("fuzzy", "bm25", "blend")


def load_dev(lang: str) -> list[dict[str, Any]]:
    return json.loads((CORPUS_DIR / f"facts_dev_{lang}.json").read_text("utf-8"))["items"]


def evaluate(method: str, lang: str, answer_floor: float | None = None,
             suggest_floor: float | None = None) -> dict[str, Any]:
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
        start = time.perf_counter()
        for text in texts:
            fact_search.search(text, method)
        samples.append((time.perf_counter() - start) / len(texts) * 1e6)
    return {"method": method, "lang": lang, "n": len(facts), "top1": top1 / len(facts),
            "answered": answered / len(facts), "offered": offered / len(facts),
            "false_answer": false_answer / max(1, len(others)), "us_per_query": median(samples),
            "misses": misses}


def run(quick: bool = False) -> list[dict[str, Any]]:
    rows = []
    for method in METHODS:
        for lang in LANGS:
            fact_search.search("warm up", method)  # builds the index outside the timing
            r = evaluate(method, lang)
            rows.append(result(f"fact_retrieval_{method}_{lang}", r["us_per_query"], "us/query",
                               top1=round(r["top1"], 3), answered=round(r["answered"], 3),
                               offered=round(r["offered"], 3), false_answer=round(r["false_answer"], 3)))
    return rows


def main() -> int:
    for method in METHODS:
        for lang in LANGS:
            fact_search.search("warm up", method)
            r = evaluate(method, lang)
            print(f"{method:6} {lang}  top1 {r['top1']:.0%}  answered {r['answered']:.0%}  offered {r['offered']:.0%}"
                  f"  false-answer {r['false_answer']:.0%}  {r['us_per_query']:.0f} us/query")
            if "-v" in sys.argv:
                for miss in r["misses"]:
                    print("    ", miss)
    return 0


if __name__ == "__main__":
    sys.exit(main())
