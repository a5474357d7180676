"""Recognizer accuracy on the annotated corpora (tests/dialogs/corpus/{en,fr}.json).

Not a speed benchmark: it reports, per language, the share of phrasings whose intent is
recognized, the share of annotated entity fields extracted exactly, and lists every miss, so a
change to the lexicon can be judged on the whole corpus. Also follows the bench contract
(``run(quick) -> list[dict]``) so ``python -m bench`` can include it.

    .venv/bin/python -m bench.recognizer_accuracy
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from dialogs.recognizer import recognize

CORPUS_DIR = Path(__file__).resolve().parent.parent / "tests" / "dialogs" / "corpus"
LANGS = ("en", "fr")


def load_corpus(lang: str) -> list[dict[str, Any]]:
    return json.loads((CORPUS_DIR / f"{lang}.json").read_text("utf-8"))["items"]


def entity_mismatches(expected: dict[str, Any], entities: Any) -> list[str]:
    """Fields of ``expected`` that the recognized entities do not match (countries as sets)."""
    wrong = []
    for field, want in expected.items():
        got = getattr(entities, field)
        if field == "countries":
            same = set(got) == set(want)
        else:
            same = got == want
        if not same:
            wrong.append(f"{field}: expected {want!r}, got {got!r}")
    return wrong


def evaluate(lang: str) -> dict[str, Any]:
    items = load_corpus(lang)
    intent_misses, entity_misses = [], []
    fields_total = fields_ok = 0
    started = time.perf_counter()
    for item in items:
        result = recognize(item["text"], None)
        if result.intent.value != item["intent"]:
            intent_misses.append((item["text"], item["intent"], result.intent.value, result.scores))
        expected = item.get("entities", {})
        wrong = entity_mismatches(expected, result.entities)
        fields_total += len(expected)
        fields_ok += len(expected) - len(wrong)
        if wrong:
            entity_misses.append((item["text"], wrong))
    elapsed = time.perf_counter() - started
    return {
        "lang": lang,
        "items": len(items),
        "intent_accuracy": 1 - len(intent_misses) / len(items),
        "entity_accuracy": fields_ok / fields_total if fields_total else 1.0,
        "entity_fields": fields_total,
        "intent_misses": intent_misses,
        "entity_misses": entity_misses,
        "ms_per_message": 1000 * elapsed / len(items),
    }


def run(quick: bool = False) -> list[dict]:
    rows = []
    for lang in LANGS:
        result = evaluate(lang)
        for metric, unit, value in (
            ("intent_accuracy", "%", round(100 * result["intent_accuracy"], 1)),
            ("entity_accuracy", "%", round(100 * result["entity_accuracy"], 1)),
            ("ms_per_message", "ms", round(result["ms_per_message"], 3)),
        ):
            rows.append({
                "benchmark": f"recognizer_{lang}",
                "metric": metric,
                "value": value,
                "unit": unit,
                "baseline": None,
                "ratio": None,
                "note": f"{result['items']} phrasings; {len(result['intent_misses'])} intent misses",
            })
    return rows


def main() -> int:
    recognize("warm up")  # load the data files once, outside the timing
    for lang in LANGS:
        result = evaluate(lang)
        print(f"[{lang}] {result['items']} phrasings: intent accuracy "
              f"{100 * result['intent_accuracy']:.1f}%, entity fields "
              f"{100 * result['entity_accuracy']:.1f}% of {result['entity_fields']}, "
              f"{result['ms_per_message']:.2f} ms/message")
        for text, want, got, scores in result["intent_misses"]:
            print(f"   intent  {want:>8} -> {got:<8} {text!r}  {scores}")
        for text, wrong in result["entity_misses"]:
            print(f"   entity  {text!r}: {'; '.join(wrong)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
