"""Issue 14 (branch checkcost3): a verdict card's reason and notes are rendered once per code,
params and language when the params are codes only (countries, plan, number kind, funding), and
rendered every time when a verdict carries anything typed (a number, a text the catalog does
not know), so no sentence is kept per number or per text. Either way the card says the same."""

from __future__ import annotations

import json
from typing import Any

import pytest

import dialogs.cards
from dialogs.cards import verdict_card
from dialogs.nlu.render import render
from knowledge.numbers import check_call


@pytest.fixture
def rendered(monkeypatch) -> list[tuple[str, dict[str, Any]]]:
    """Every sentence ``dialogs.cards`` renders from a knowledge code, with its params."""
    seen: list[tuple[str, dict[str, Any]]] = []

    def counted(code: str, params: Any, lang: str) -> str:
        seen.append((code, dict(params or {})))
        return render(code, params, lang)

    monkeypatch.setattr(dialogs.cards, "render", counted)
    dialogs.cards._ITEM_TEXTS.clear()
    return seen


def card_json(reply: Any) -> str:
    return json.dumps(reply.attachment.content, sort_keys=True) + reply.text


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_checks_of_different_numbers_of_one_country_render_the_reason_once(rendered, lang):
    first = check_call("01 23 45 67 89", "FR", "MCOPSTN1")
    second = check_call("04 72 10 30 30", "FR", "MCOPSTN1")
    assert first.reason == second.reason and first.params == second.params and first.number != second.number
    cards = [verdict_card(first, lang), verdict_card(second, lang)]
    assert [code for code, _ in rendered] == [first.reason]  # the second card renders nothing
    assert render(first.reason, first.params, lang) in card_json(cards[1])
    assert second.number in card_json(cards[1])  # the number itself is the card's, never kept


def test_each_language_has_its_own_sentence(rendered):
    verdict = check_call("01 23 45 67 89", "FR", "MCOPSTN1")
    english, french = verdict_card(verdict, "en"), verdict_card(verdict, "fr")
    assert [code for code, _ in rendered] == [verdict.reason, verdict.reason]
    assert render(verdict.reason, verdict.params, "fr") in card_json(french)
    assert render(verdict.reason, verdict.params, "en") in card_json(english)


def test_a_verdict_carrying_typed_text_is_rendered_every_time(rendered):
    verdict = check_call("01 23 45 67 89", "Wakanda", "MCOPSTN1")  # a country the catalog does not know
    assert verdict.params["caller_text"] == "Wakanda"
    for _ in range(2):
        verdict_card(verdict, "en")
    assert [code for code, _ in rendered] == [verdict.reason, verdict.reason]
    assert not any("Wakanda" in key[2] for key in dialogs.cards._ITEM_TEXTS)


def test_a_number_of_no_country_is_never_a_key(rendered):
    """A premium number of no country names the number as its destination (no ISO code beside
    it): rendered, not kept."""
    params = {"destination": "+80012345678", "number_kind": "premium-rate"}
    for _ in range(2):
        dialogs.cards._verdict_sentence("premium_blocked", params, "en")
    assert len(rendered) == 2 and dialogs.cards._ITEM_TEXTS == {}


def test_kept_and_fresh_cards_are_the_same(monkeypatch):
    verdicts = [
        check_call(number, caller, plan, upn="alice.martin@contoso.com")
        for number, caller, plan in [
            ("01 23 45 67 89", "FR", "MCOPSTN1"),
            ("+44 20 7946 0958", "FR", "MCOPSTN1"),
            ("+44 20 7946 0958", "FR", "MCOPSTN2"),
            ("+1 212 555 0123", "CA", "MCOPSTN1"),
            ("112", "FR", "MCOPSTN1"),
            ("01 23 45 67 89", "Wakanda", "MCOPSTN1"),
        ]
    ]
    dialogs.cards._ITEM_TEXTS.clear()
    kept = [card_json(verdict_card(v, lang)) for _ in range(2) for v in verdicts for lang in ("en", "fr")]
    assert dialogs.cards._ITEM_TEXTS  # some were kept
    monkeypatch.setattr(dialogs.cards, "_kept_sentence", render)  # every sentence made afresh
    dialogs.cards._ITEM_TEXTS.clear()
    fresh = [card_json(verdict_card(v, lang)) for _ in range(2) for v in verdicts for lang in ("en", "fr")]
    assert dialogs.cards._ITEM_TEXTS == {}
    assert kept == fresh
