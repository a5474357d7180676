"""Generate the ``corpus`` part of ``router.json``: the requests the router learns from.

Run again when a tuning set changes (and commit the JSON)::

    .venv/bin/python -m dialogs.locales.build_router

The learned router (:mod:`dialogs.nlu.router`) tells a question of fact from a request. It
learns the facts from the fact base's question forms (read at run time) and the requests from
``router.json``: the ``written`` examples (by hand, both languages) and the ``corpus`` examples
this script copies from the tuning sets: the recognizer corpus (``tests/dialogs/corpus/{en,fr}.json``,
its request intents) and the request items of the dev sets in :data:`TRAINING_SETS` (single
messages, and a conversation's first turn, whose expected reply is a request's: a
recommendation, verdict, pool or users card or a dialog's first prompt). Copied, not read at
run time: the bot does not ship its tests.

Never read here: the held-out sets (``heldout*``). ``facts_dev6`` is kept out of training so
that its score estimates how the router does on messages it never saw: read only to leave out
a tuning set's message it holds too ("help me pick a calling plan").
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

OUT = Path(__file__).with_name("router.json")
CORPUS = Path(__file__).resolve().parents[2] / "tests" / "dialogs" / "corpus"
LANGS = ("en", "fr")
#: The recognizer corpus's intents that are requests (the rest: help, greetings, yes/no...).
REQUEST_INTENTS = ("purchase", "check", "pool", "users", "alert", "alerts", "alert_stop")
#: The dev sets the router learns requests from: every one but facts_dev6 (held out).
TRAINING_SETS = (
    "dialogs_dev",
    "dialogs_dev2",
    "dialogs_dev3",
    "dialogs_dev4",
    "dialogs_dev5",
    "facts_dev2",
    "facts_dev3",
    "facts_dev4",
    "facts_dev5",
)
#: The dev set kept out of training; a tuning set's message that it also holds is left out too.
HELD_OUT_SET = "facts_dev6"
#: Reply kinds that say a message was a request.
REQUEST_KINDS = frozenset({"recommendation", "verdict", "pool", "users"})


def _kinds(expect: dict) -> list[str]:
    kind = expect["kind"]
    return [kind] if isinstance(kind, str) else list(kind)


def requests_of(data: dict) -> Iterator[str]:
    """The messages of one dev set whose expected reply is a request's (never a fact's)."""
    for item in data["items"]:
        turns = item.get("turns") or [{"text": item["text"], "expect": item["expect"]}]
        kinds = _kinds(turns[0]["expect"])
        if "fact" in kinds or "choice" in kinds:
            continue
        if set(kinds) & REQUEST_KINDS or any(k.startswith("prompt_") for k in kinds):
            yield turns[0]["text"]


def build() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for lang in LANGS:
        texts: list[str] = []
        corpus = json.loads((CORPUS / f"{lang}.json").read_text("utf-8"))
        texts += [item["text"] for item in corpus["items"] if item["intent"] in REQUEST_INTENTS]
        for name in TRAINING_SETS:
            texts += requests_of(json.loads((CORPUS / f"{name}_{lang}.json").read_text("utf-8")))
        held_out = json.loads((CORPUS / f"{HELD_OUT_SET}_{lang}.json").read_text("utf-8"))["items"]
        kept_out = {str(item.get("text", "")).casefold() for item in held_out}
        out[lang] = sorted({text for text in texts if text.casefold() not in kept_out})
    return out


def render(current: dict) -> str:
    """``router.json`` with its ``corpus`` part rebuilt and the rest kept as it is."""
    return json.dumps({**current, "corpus": build()}, ensure_ascii=False, indent=1) + "\n"


def main() -> int:
    OUT.write_text(render(json.loads(OUT.read_text("utf-8"))), "utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
