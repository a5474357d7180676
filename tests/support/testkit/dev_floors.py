"""A dev set scored over HTTP against its floors (the fact dev sets' tests share it)."""

from __future__ import annotations

from typing import Any

from bench import dev_sets
from bench import heldout_eval as he

#: An optional thousands separator in a figure a check expects ("12,000", "12 000", "12\u202f000").
THOUSANDS = r"[\s\u00a0\u202f,.]?"


async def below_floors(lang: str, name: str, understood_floor: float, correct_floor: float) -> str | None:
    """Score dev set ``name`` in ``lang`` on the real bot; None when both shares reach their
    floors, else the list of misses (the assertion message a reader needs)."""
    scores = await he.evaluate_async([lang], {lang: dev_sets.load(lang, name)})
    understood = sum(s.understood for s in scores) / len(scores)
    correct = sum(s.correct for s in scores) / len(scores)
    if understood >= understood_floor and correct >= correct_floor:
        return None
    return f"understood {understood:.0%}, correct {correct:.0%}\n" + he.format_misses(
        [s for s in scores if not s.correct]
    )


#: One case of a fact test: (language, message, expected kinds, ``has`` regexes, ``lacks`` regexes).
Case = tuple[str, str, list[str], list[str], list[str]]


def cases_set(lang: str, cases: list[Case]) -> he.HeldoutSet:
    """The ``lang`` cases of a test's table as a one-turn set the held-out harness scores (a
    fact card must carry its Learn link)."""
    items = [
        {
            "id": f"case-{lang}-{i}",
            "category": "fact",
            "text": text,
            "expect": {"kind": kinds, "has": has, "lacks": lacks, "link": kinds == ["fact"]},
        }
        for i, (case_lang, text, kinds, has, lacks) in enumerate(cases)
        if case_lang == lang
    ]
    return he.HeldoutSet.model_validate({"lang": lang, "items": items})


async def case_misses(lang: str, cases: list[Case]) -> str | None:
    """Score the ``lang`` cases of a test's table on the real bot over HTTP; None when every
    case is answered right, else what a reader needs (the misses, or that there were no cases)."""
    return await set_misses(cases_set(lang, cases))


async def items_misses(lang: str, items: list[dict]) -> str | None:
    """:func:`case_misses` for items written in the held-out sets' own format (conversations
    included)."""
    return await set_misses(he.HeldoutSet.model_validate({"lang": lang, "items": items}))


async def set_misses(dataset: he.HeldoutSet) -> str | None:
    """Score every item of ``dataset`` on the real bot over HTTP; None when all are answered
    right, else the misses (or that the set was empty or not all scored)."""
    scores = await he.evaluate_async([dataset.lang], {dataset.lang: dataset})
    if len(scores) != len(dataset.items) or not scores:
        return f"{len(scores)} of {len(dataset.items)} {dataset.lang} items scored"
    missed = [s for s in scores if not s.correct]
    return he.format_misses(missed) if missed else None


def one_item(
    item_id: str, category: str, text: str, kind: str | list[str], has: list[str], link: bool = False
) -> dict[str, Any]:
    """A one-message item in the held-out sets' format (for :func:`items_misses`): the reply's
    kind(s), the regexes it must have, and whether it must carry a Learn link."""
    expect: dict[str, Any] = {"kind": kind, "has": has}
    if link:
        expect["link"] = True
    return {"id": item_id, "category": category, "text": text, "expect": expect}


def conversation_item(item_id: str, *turns: tuple[str, str | list[str], list[str]]) -> dict[str, Any]:
    """A conversation item in the held-out sets' format: (message, kind(s), ``has`` regexes) a turn."""
    return {
        "id": item_id,
        "category": "conversation",
        "turns": [{"text": text, "expect": {"kind": kind, "has": has}} for text, kind, has in turns],
    }
