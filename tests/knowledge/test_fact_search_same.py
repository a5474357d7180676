"""The fact search keeps its searches per folded message and ranks exactly as it did (issue 14).

The reference is :func:`fact_search.search` as it was before it kept its searches: the ranker
computed on every call, the named and country facts first read from the raw text (the kept
search reads the folded one). :func:`fact_search.search` is run
over every question form of the fact base and every message of every corpus set
(tests/dialogs/corpus/*.json; the fresh held-out set heldout13_* is never opened), computed and
then kept, and must give the same ranking: same facts, same order, same scores, so the same
top-k and the same decision (answer / offer / not a fact).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from knowledge import fact_search
from knowledge.facts import load_facts

CORPUS = Path(__file__).parents[1] / "dialogs" / "corpus"
FRESH_HELD_OUT = "heldout13_"  # never opened, never scored


def _texts_in(node: Any) -> list[str]:
    """Every ``text`` of a corpus file (one-turn items and the turns of conversations)."""
    if isinstance(node, dict):
        return [t for key, value in node.items() for t in ([value] if key == "text" else _texts_in(value))]
    if isinstance(node, list):
        return [t for value in node for t in _texts_in(value)]
    return []


def _all_texts() -> list[str]:
    forms = [form for fact in load_facts().facts for lang in ("en", "fr") for form in fact.questions[lang]]
    paths = [p for p in sorted(CORPUS.glob("*.json")) if not p.name.startswith(FRESH_HELD_OUT)]
    messages = [t for p in paths for t in _texts_in(json.loads(p.read_text(encoding="utf-8")))]
    assert len(paths) >= 40 and len(messages) >= 4000  # the corpus is read, not skipped
    return sorted(set(forms + [m for m in messages if isinstance(m, str)]))


# --- the reference: search() as it was before it kept its results --------------------------------


def _old_search(text: str, method: str = "blend") -> list[tuple[str, float]]:
    folded = fact_search.fold((text or "")[: fact_search.MAX_QUERY_CHARS])
    query = fact_search._query(folded, fact_search.index())
    ranked = fact_search._RANKERS[method](query)  # computed every time, from the raw text
    return fact_search.named_first(text, fact_search.country_first(text, ranked, query), folded)


def _decision(ranked: list[tuple[str, float]]) -> str:
    best = ranked[0][1] if ranked else 0.0
    if best >= fact_search.ANSWER_FLOOR:
        return "answer"
    return "offer" if best >= fact_search.SUGGEST_FLOOR else "none"


# --- the comparison ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _all_texts()


def test_search_gives_the_same_top_k_and_decision_as_before_computed_and_kept(texts):
    """Whole :func:`fact_search.search` (named and country facts first), computed and then from
    the kept searches (in chunks the cache holds): the same full ranking as the reference, so
    the same top 3 and the same decision."""
    chunk = fact_search.SEARCHES_KEPT
    decisions = set()
    for start in range(0, len(texts), chunk):
        part = texts[start : start + chunk]
        fact_search.forget_searches()
        before = [_old_search(text) for text in part]
        for round_ in ("computed", "kept"):
            hits = fact_search._ranked.cache_info().hits
            for text, old in zip(part, before, strict=True):
                new = fact_search.search(text)
                assert new == old, (round_, text)
                assert [f for f, _ in new[:3]] == [f for f, _ in old[:3]] and _decision(new) == _decision(old)
                decisions.add(_decision(new))
            if round_ == "kept":  # every search of this round was a kept one
                assert fact_search._ranked.cache_info().hits - hits == len(part)
    assert decisions == {"answer", "offer", "none"}  # every decision is exercised


def test_bm25_method_ranks_as_before(texts):
    for text in texts[::7]:
        assert fact_search.search(text, "bm25") == _old_search(text, "bm25"), text


def test_a_kept_search_is_a_fresh_list_its_caller_may_change():
    first = fact_search.search("pool balance")
    first.append(("nothing", 0.0))
    first[0] = ("changed", 1.0)
    assert fact_search.search("pool balance") == _old_search("pool balance")
    assert fact_search.search("Pool Balance?") == fact_search.search("pool balance")  # one folded key


def test_the_kept_searches_are_bounded():
    fact_search.forget_searches()
    for i in range(fact_search.SEARCHES_KEPT + 50):
        fact_search.search(f"pool balance {i}")
    assert fact_search._ranked.cache_info().currsize == fact_search.SEARCHES_KEPT
    fact_search.forget_searches()
    assert fact_search._ranked.cache_info().currsize == 0
