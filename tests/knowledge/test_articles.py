"""knowledge.articles: English country names take "the" in running text, labels keep the bare name."""

from __future__ import annotations

from knowledge.articles import names_such_a_country, with_english_articles
from knowledge.catalog import load_catalog


def test_the_catalogs_english_text_names_the_country_as_a_sentence_does():
    text = load_catalog().text(
        "international_needs_credits", {"plan_name": "Domestic Calling Plan", "destination": "United Kingdom"}
    )
    assert "calling the United Kingdom needs" in text
    plain = load_catalog().text(
        "international_needs_credits", {"plan_name": "Domestic Calling Plan", "destination": "Germany"}
    )
    assert "calling Germany needs" in plain


def test_labels_keep_the_bare_name_and_the_rule_is_idempotent():
    assert with_english_articles("Destination United Kingdom") == "Destination United Kingdom"
    once = with_english_articles("users in Netherlands and United States")
    assert once == "users in the Netherlands and the United States"
    assert with_english_articles(once) == once


def test_only_params_naming_such_a_country_need_the_pass():
    assert names_such_a_country(["Domestic Calling Plan", "United Kingdom"])
    assert not names_such_a_country(["Germany", 3, None])


def test_a_name_counts_only_where_a_word_starts_and_ends():
    """The same answer as one search for the names between word boundaries: a name inside a
    longer word is passed over, also when the same name starts a word later in the text."""
    assert not names_such_a_country(["XUnited Kingdom", "Bahamasx", "the_Netherlands", "éGambia"])
    assert names_such_a_country(["XUnited Kingdom or United Kingdom"])
    assert names_such_a_country(["AUnited States, (Philippines)"])
    assert names_such_a_country(["United Kingdom"]) and names_such_a_country(["to Gambia."])
