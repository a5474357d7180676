"""The rules under branch followups13's corrections, on their own: which short messages say they
correct something wherever the word stands, which number a correction says it replaces, and
which number after an article names a plan (the HTTP conversations are tests/bot/test_followups13.py)."""

from __future__ import annotations

import pytest

from dialogs.context import corrects_in_passing, cue_of
from dialogs.followup import plan_by_number, without_negated_counts
from dialogs.nlu.entities import extract_entities, first_integer


@pytest.mark.parametrize(
    "text", ["we're 45 actually", "45 not 40", "no, 45 users", "on est plutôt 45", "la Roumanie, pas la France"]
)
def test_a_short_message_with_a_correction_word_anywhere(text):
    assert cue_of(text) is None and corrects_in_passing(text)


@pytest.mark.parametrize(
    "text",
    [
        "45 users",  # no correction word (the count alone is decided by the root dialog)
        "we are not sure how many of our users in France actually call abroad",  # too long
        "",
    ],
)
def test_no_correction_word_or_too_long(text):
    assert not corrects_in_passing(text)


@pytest.mark.parametrize(
    ("text", "count"),
    [("45 not 40", 45), ("not 40 but 45", 45), ("pas 40 mais 45", 45), ("c'est 45 et pas 40", 45), ("45", 45)],
)
def test_the_number_a_correction_replaces_is_not_the_count(text, count):
    assert first_integer(without_negated_counts(text)) == count


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("same with the 240 one", 240), ("and the 120 one?", 120), ("pareil avec le 240", 240), ("et le 120 ?", 120)],
)
def test_a_number_after_an_article_names_the_plan_of_those_minutes(text, minutes):
    named = plan_by_number(text, extract_entities(text))
    assert named is not None and not named.numbers
    assert named.plan == extract_entities(f"the {minutes} minute plan").plan is not None


@pytest.mark.parametrize("text", ["same with the 50 one", "and for the 120 users?", "same with 240", "et pour 120 ?"])
def test_other_numbers_name_no_plan(text):
    assert plan_by_number(text, extract_entities(text)) is None
