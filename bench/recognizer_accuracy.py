"""Recognizer accuracy per language on the tuning corpus and on the held-out sets.

Not a speed benchmark first: it reports, per language and per set, the share of phrasings
whose intent is recognized and the share of annotated entity fields extracted exactly, and
lists every miss, so a change to the lexicon can be judged on everything at once.

The sets (``tests/dialogs/corpus/``):

* ``{en,fr}.json``: the corpus the lexicon was written and tuned against;
* ``heldout_{en,fr}.json``, ``heldout2_...``, ...: phrasings written later and scored once
  before the change they were meant to judge. They are never moved into the corpus; the
  accuracy on them is the honest estimate of how the recognizer does on free text.

It also times recognition (``recognize``) next to a baseline measured in the same run on the
same messages, entity extraction alone (``extract``), so the ratio is the cost of intent
scoring on top of the extraction every message needs anyway. Follows the bench contract
(``run(quick) -> list[dict]``) so ``python -m bench`` can include it.

    .venv/bin/python -m bench.recognizer_accuracy
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import median, result
from bench.heldout_eval import SET_NAMES
from dialogs.nlu.entities import extract
from dialogs.nlu.recognizer import recognize
from knowledge import fact_search

CORPUS_DIR = Path(__file__).resolve().parent.parent / "tests" / "dialogs" / "corpus"
LANGS = ("en", "fr")
#: Held-out sets scored end to end on the real bot by ``bench/heldout_eval.py`` (another
#: format: expected reply kinds and content checks, no intents). Skipped here, so that this
#: report never opens or prints them (whoever tunes the recognizer must not see them).
END_TO_END_SETS = frozenset(SET_NAMES)


def set_names(lang: str) -> list[str]:
    """``corpus`` first, then every held-out set of ``lang`` in order (heldout, heldout2...)."""
    names = [p.name[: -len(f"_{lang}.json")] for p in CORPUS_DIR.glob(f"heldout*_{lang}.json")]
    names = [name for name in names if name not in END_TO_END_SETS]
    return ["corpus", *sorted(names, key=lambda name: int(name.removeprefix("heldout") or 1))]


def set_path(name: str, lang: str) -> Path:
    return CORPUS_DIR / (f"{lang}.json" if name == "corpus" else f"{name}_{lang}.json")


def load_set(name: str, lang: str) -> list[dict[str, Any]]:
    return json.loads(set_path(name, lang).read_text("utf-8"))["items"]


def load_corpus(lang: str) -> list[dict[str, Any]]:
    return load_set("corpus", lang)


def entity_mismatches(expected: dict[str, Any], entities: Any) -> list[str]:
    """Fields of ``expected`` that the recognized entities do not match (countries as sets)."""
    wrong = []
    for field, want in expected.items():
        got = getattr(entities, field)
        same = set(got) == set(want) if field == "countries" else got == want
        if not same:
            wrong.append(f"{field}: expected {want!r}, got {got!r}")
    return wrong


def evaluate(lang: str, name: str = "corpus") -> dict[str, Any]:
    items = load_set(name, lang)
    intent_misses, entity_misses = [], []
    fields_total = fields_ok = 0
    for item in items:
        recognition = recognize(item["text"], None)
        if recognition.intent.value != item["intent"]:
            intent_misses.append((item["text"], item["intent"], recognition.intent.value, recognition.scores))
        expected = item.get("entities", {})
        wrong = entity_mismatches(expected, recognition.entities)
        fields_total += len(expected)
        fields_ok += len(expected) - len(wrong)
        if wrong:
            entity_misses.append((item["text"], wrong))
    return {
        "lang": lang,
        "set": name,
        "items": len(items),
        "intent_accuracy": 1 - len(intent_misses) / len(items),
        "entity_accuracy": fields_ok / fields_total if fields_total else 1.0,
        "entity_fields": fields_total,
        "intent_misses": intent_misses,
        "entity_misses": entity_misses,
    }


def _per_message_ms(fn: Any, texts: list[str], rounds: int) -> tuple[float, float]:
    """(first round, median round) of the mean time of ``fn`` per text, in milliseconds.

    The first round is the cold one (the recognizer caches what it learns about each word),
    so it is what a fresh bot process pays; the median is the steady state. The searches the
    fact search keeps per message are dropped before each round: a round measures messages
    not seen before, not a dictionary lookup (a message asked again costs ~2 us there)."""
    samples = []
    for _ in range(rounds):
        fact_search.forget_searches()  # the steady state of new messages: searches computed
        started = time.perf_counter()
        for text in texts:
            fn(text)
        samples.append((time.perf_counter() - started) / len(texts))
    return 1000 * samples[0], 1000 * median(samples)


def timing(quick: bool = False) -> dict[str, float]:
    """Recognize vs extract, ms per message, on every phrasing of every set. Call it before
    anything else recognizes these texts, or the first round is not cold."""
    texts = [item["text"] for lang in LANGS for name in set_names(lang) for item in load_set(name, lang)]
    extract("warm up")  # load the data files once, outside the timing
    rounds = 3 if quick else 15
    baseline_first, baseline = _per_message_ms(extract, texts, rounds)
    recognize("warm up")
    first, steady = _per_message_ms(recognize, texts, rounds)
    return {
        "first": first,
        "steady": steady,
        "baseline_first": baseline_first,
        "baseline": baseline,
        "messages": len(texts),
    }


def run(quick: bool = False) -> list[dict]:
    speed = timing(quick)  # first, while the caches are cold
    rows = []
    for lang in LANGS:
        for name in set_names(lang):
            outcome = evaluate(lang, name)
            note = f"{outcome['items']} phrasings; {len(outcome['intent_misses'])} intent misses"
            rows.append(
                result(
                    f"recognizer_{lang}_{name}",
                    "intent_accuracy",
                    round(100 * outcome["intent_accuracy"], 1),
                    "%",
                    note=note,
                )
            )
            rows.append(
                result(
                    f"recognizer_{lang}_{name}",
                    "entity_accuracy",
                    round(100 * outcome["entity_accuracy"], 1),
                    "%",
                    note=f"{outcome['entity_fields']} annotated entity fields",
                )
            )
    what = f"recognize() on {speed['messages']:.0f} phrasings vs entity extraction alone; goal < 2 ms"
    rows.append(
        result(
            "recognizer_speed",
            "first_pass_ms_per_message",
            speed["first"],
            "ms",
            baseline=speed["baseline_first"],
            note=f"cold word caches; {what}",
        )
    )
    rows.append(
        result(
            "recognizer_speed",
            "ms_per_message",
            speed["steady"],
            "ms",
            baseline=speed["baseline"],
            note=f"median round; {what}",
        )
    )
    return rows


def main() -> int:
    speed = timing()
    for lang in LANGS:
        for name in set_names(lang):
            outcome = evaluate(lang, name)
            print(
                f"[{lang} {name}] {outcome['items']} phrasings: intent accuracy "
                f"{100 * outcome['intent_accuracy']:.1f}%, entity fields "
                f"{100 * outcome['entity_accuracy']:.1f}% of {outcome['entity_fields']}"
            )
            for text, want, got, scores in outcome["intent_misses"]:
                print(f"   intent  {want:>8} -> {got:<8} {text!r}  {scores}")
            for text, wrong in outcome["entity_misses"]:
                print(f"   entity  {text!r}: {'; '.join(wrong)}")
    print(
        f"speed on {speed['messages']:.0f} phrasings: recognize {speed['first']:.3f} ms/message cold, "
        f"{speed['steady']:.3f} steady; entity extraction alone {speed['baseline_first']:.3f} cold, "
        f"{speed['baseline']:.3f} steady"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
