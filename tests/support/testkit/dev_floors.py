"""A dev set scored over HTTP against its floors (the fact dev sets' tests share it)."""

from __future__ import annotations

from bench import dev_sets
from bench import heldout_eval as he


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
