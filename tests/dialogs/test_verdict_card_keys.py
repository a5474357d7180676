"""Issue 14 (branch fastcheck3): a verdict card's headline and summary template are chosen once
per language, reason and verdict (``dialogs.cards._verdict_keys``), not looked up on every check.
These tests hold them to the locale look-ups the card made each time, for every reason the
number rules know and every verdict, and count the look-ups over several cards."""

from __future__ import annotations

import pytest

from dialogs.cards import _verdict_keys, verdict_card
from dialogs.nlu.i18n import has_string, t
from knowledge.catalog import load_catalog
from knowledge.numbers import check_call


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_headline_and_summary_key_are_the_locales(lang):
    reasons = sorted(load_catalog().number_rules.reasons)
    assert len(reasons) > 20
    for reason in reasons:
        for verdict in ("included", "per_minute", "not_callable"):
            title_key, text_key = f"verdict.title.{reason}", f"verdict.text.{reason}"
            expected = (
                t(lang, title_key if has_string(lang, title_key) else f"verdict.{verdict}"),
                text_key if has_string(lang, text_key) else f"verdict.text_{verdict}",
            )
            assert _verdict_keys(lang, reason, verdict) == expected, (reason, verdict)


def test_checks_of_one_reason_choose_the_keys_once():
    _verdict_keys.cache_clear()
    numbers = ["01 23 45 67 89", "+33 4 72 00 00 00", "03 87 65 43 21"]
    for number in numbers:
        card = verdict_card(check_call(number, "FR", "MCOPSTN1"), "en")
        assert card.card["body"][0]["text"] == t("en", "verdict.included")
    info = _verdict_keys.cache_info()
    assert (info.misses, info.hits) == (1, len(numbers) - 1)
