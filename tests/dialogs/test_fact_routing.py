"""Questions of fact routed by the real recognizer and root dialog, scored on the dev sets.

Every item of ``tests/dialogs/corpus/facts_dev_{en,fr}.json`` (written from the fact sheet for
tuning; NOT a held-out set) is sent as a Teams message to a fresh conversation with the root
dialog the host runs. What the admin gets back is read from the reply:

* a question of fact must get the card of its fact (answered) or a "did you mean" card that
  offers it (offered), and must NEVER start the purchase dialog or a number check;
* asked at a dialog's first prompt (``"at": "purchase"`` or ``"check"``), it is answered aside
  and the same prompt is asked again, the dialog still open;
* a message that is not a question of fact (a purchase, a number check, a pool lookup, a
  greeting, off-topic chat) gets neither a fact card nor fact buttons.

The scores are printed (``pytest -s``) and held to floors; every miss is listed on failure.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botbuilder.core import MemoryStorage

from dialogs.nlu.i18n import t
from knowledge.facts import load_facts
from knowledge.store import DEFAULT_TENANT_ID
from testkit.cards import card_texts, submits

CORPUS = Path(__file__).parent / "corpus"
#: The message that opens each dialog, and so its first prompt ("at" items are asked there).
OPENERS = {
    "purchase": {"en": "I want to buy calling plans", "fr": "je veux acheter des forfaits d'appels"},
    "check": {"en": "check a number", "fr": "vérifier un numéro"},
}
DIALOGS = {"purchase": "PurchaseDialog", "check": "NumberCheckDialog"}
#: Floors on the dev sets, just under what was measured (h-facts, issue 12: first score en 60/124
#: answered and 32 dialogs started, fr 63/124 and 26; then en 106/124 and 6, fr 103/124 and 6;
#: branch facts, the question-of-fact routing: en 111/124 and 2, fr 115/124 and 3).
#: The goal is that no question of fact starts a dialog; STARTED holds the line until it does.
ANSWERED_OR_OFFERED = 0.90
ANSWERED = 0.88
STARTED = 0.03
FALSE_FACT = 0.02


def dev_items(lang: str) -> list[dict[str, Any]]:
    return json.loads((CORPUS / f"facts_dev_{lang}.json").read_text("utf-8"))["items"]


def _dialog_ids(state: Any) -> list[str]:
    """Every dialog id on a (nested) dialog stack."""
    found = []
    for instance in getattr(state, "dialog_stack", None) or []:
        found.append(instance.id)
        inner = (instance.state or {}).get("dialogs") if isinstance(instance.state, dict) else None
        if inner is not None:
            found += _dialog_ids(inner)
    return found


def _open_dialogs(memory: MemoryStorage) -> set[str]:
    ids = {
        i
        for value in memory.memory.values()
        if isinstance(value, dict) and "DialogState" in value
        for i in _dialog_ids(value["DialogState"])
    }
    return {name for name, dialog in DIALOGS.items() if any(i.startswith(dialog) for i in ids)}


def _read(replies: list[Any], lang: str) -> tuple[list[str], list[str], list[str]]:
    """(facts answered by a card, facts offered as buttons, the texts of every reply)."""
    titles = {fact.title[lang]: fact.id for fact in load_facts().facts}
    answered, offered, said = [], [], []
    question = t(lang, "fact.did_you_mean")
    for reply in replies:
        for attachment in reply.attachments or []:
            texts = card_texts(attachment.content)
            said.append(" / ".join(texts))
            if texts and texts[0] in titles:
                answered.append(titles[texts[0]])
            elif texts and texts[0] == question:
                offered += [d["fact_id"] for d in submits(attachment.content) if d.get("intent") == "fact"]
        if not reply.attachments:
            said.append(reply.text or "")
    return answered, offered, said


async def route(lang: str, item: dict[str, Any], store: Any, h: Any) -> dict[str, Any]:
    """One dev item through a fresh conversation: what it got and which dialogs are open."""
    memory = MemoryStorage()
    talk = h.Conversation(memory, store=store, tenant_fallback=DEFAULT_TENANT_ID)
    locale = "fr-FR" if lang == "fr" else "en-US"
    prompt = None
    if item.get("at"):
        prompt = h.texts(await talk.send(OPENERS[item["at"]][lang], locale=locale))[-1]
    replies = await talk.send(item["text"], locale=locale)
    answered, offered, said = _read(replies, lang)
    return {
        "answered": answered,
        "offered": offered,
        "said": said,
        "open": _open_dialogs(memory),
        "reprompted": prompt is not None and bool(h.texts(replies)) and h.texts(replies)[-1] == prompt,
    }


async def score(lang: str, store: Any, h: Any) -> dict[str, Any]:
    counts = {"facts": 0, "answered": 0, "offered": 0, "started": 0, "others": 0, "false_fact": 0}
    misses: list[tuple[Any, ...]] = []
    for item in dev_items(lang):
        got = await route(lang, item, store, h)
        fact = item["fact"]
        if fact is None:
            counts["others"] += 1
            if got["answered"] or got["offered"]:
                counts["false_fact"] += 1
                misses.append(("not a fact", item["text"], got["answered"] or got["offered"]))
            continue
        counts["facts"] += 1
        resumed = item.get("at") is None or (got["reprompted"] and item["at"] in got["open"])
        started = item.get("at") is None and got["open"]
        counts["started"] += bool(started)
        if got["answered"] == [fact] and resumed and not started:
            counts["answered"] += 1
        elif fact in got["offered"] and resumed and not started:
            counts["offered"] += 1
        else:
            misses.append(
                (
                    fact,
                    item["text"],
                    item.get("at"),
                    got["answered"] or got["offered"],
                    sorted(got["open"]),
                    [said[:90] for said in got["said"][:2]],
                )
            )
    return {**counts, "misses": misses}


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_the_dev_questions_of_fact_are_answered_and_never_start_a_dialog(lang, store, h):
    result = await score(lang, store, h)
    facts, others = result["facts"], result["others"]
    assert facts >= 80 and others >= 40  # the brief's size for a dev set
    answered = result["answered"] / facts
    reached = (result["answered"] + result["offered"]) / facts
    false_fact = result["false_fact"] / others
    report = (
        f"{lang}: answered {result['answered']}/{facts} ({answered:.0%}), offered {result['offered']}, "
        f"started a dialog {result['started']}, non-fact taken as fact {result['false_fact']}/{others}"
    )
    print(report)
    misses = "\n".join(map(str, result["misses"]))
    assert result["started"] / facts <= STARTED, f"{report}\n{misses}"
    assert answered >= ANSWERED and reached >= ANSWERED_OR_OFFERED and false_fact <= FALSE_FACT, f"{report}\n{misses}"
