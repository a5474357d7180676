"""Source keys -> Microsoft Learn links: the path rule, checked against the key table."""

from __future__ import annotations

import json
import re

import pytest

from knowledge.catalog import DATA_DIR, _files, _load_file, _walk_sources, load_catalog
from knowledge.learn import source_link, source_links, sources_json, teams_page
from testkit.narrow import present

LEARN = re.compile(r"^https://learn\.microsoft\.com/(en-us|fr-fr)/[a-z0-9/._?=-]+$")
FR_REPO = "MicrosoftDocs/OfficeDocs-SkypeForBusiness-pr.fr-FR"


def keys_used_by_catalog_figures() -> set[str]:
    """Every source key cited anywhere in the catalog's data files (walked like the loader does)."""
    used: set[str] = set()
    for name, (filename, model) in _files().items():
        if name != "sources":
            used |= {key for _, key in _walk_sources(_load_file(DATA_DIR / filename, model), "")}
    return used


def test_every_key_of_the_table_has_a_link_entry_and_no_stray_entries() -> None:
    links = json.loads((DATA_DIR / "learn_links.json").read_text(encoding="utf-8"))["links"]
    assert set(links) == set(load_catalog().sources)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_key_used_by_a_catalog_figure_resolves(lang: str) -> None:
    used = keys_used_by_catalog_figures()
    assert {"FR_AV_PAGES", "FR_CP", "MS_SKU_REF", "EN_OUTBOUND"} <= used  # the walk finds figures
    for key in used:
        link = source_link(key, lang)
        assert link.title and link.key == key
        if key == "DECISION":  # the project's own choice: no public page, the README says why
            assert link.url is None
        else:
            assert link.url and link.url.startswith("https://"), key


def test_teams_paths_follow_the_learn_rule() -> None:
    """``Teams/<name>.md`` -> ``https://learn.microsoft.com/<locale>/microsoftteams/<name>``."""
    checked = 0
    for key, meta in load_catalog().sources.items():
        name = teams_page(meta.get("path"))
        if name is None or "*" in meta.get("path", ""):
            continue
        expected_locale = {"en": "en-us", "fr": "fr-fr" if meta.get("repo") == FR_REPO else "en-us"}
        for lang, locale in expected_locale.items():
            assert source_link(key, lang).url == f"https://learn.microsoft.com/{locale}/microsoftteams/{name}", key
        checked += 1
    assert checked >= 30  # nearly every key is a Teams docs page


def test_keys_outside_teams_get_their_explicit_learn_url() -> None:
    assert source_link("MS_SKU_REF").url == (
        "https://learn.microsoft.com/en-us/entra/identity/users/licensing-service-plan-reference"
    )
    assert source_link("G_PSTN_API").url == (
        "https://learn.microsoft.com/en-us/graph/api/callrecords-callrecord-getpstncalls?view=graph-rest-1.0"
    )
    assert source_link("M365_PAYG", "fr").url == (  # an English-docs key links en-us, even in French
        "https://learn.microsoft.com/en-us/microsoft-365/commerce/subscriptions/manage-pay-as-you-go-services"
    )
    # A wildcard path (one page per country) links the availability index explicitly.
    assert present(source_link("FR_AV_PAGES", "fr").url).endswith(
        "/country-and-region-availability-for-audio-conferencing-and-calling-plans/"
        "country-and-region-availability-for-audio-conferencing-and-calling-plans"
    )
    for key, meta in load_catalog().sources.items():
        link = source_link(key)
        if link.url and "learn.microsoft.com" in link.url:
            assert LEARN.match(link.url), (key, link.url)
        if meta.get("repo", "").startswith("MicrosoftDocs/") and key != "EN_SMS_OLD":
            assert link.url and "learn.microsoft.com" in link.url, key


def test_french_keys_link_the_localized_page_in_french_and_english_keys_stay_en_us() -> None:
    fr = source_link("FR_CP", "fr")
    assert fr.url == "https://learn.microsoft.com/fr-fr/microsoftteams/calling-plans-for-office-365"
    assert fr.title == "Forfaits d'appels Teams" and fr.date == "2023-01-11"
    assert (
        source_link("FR_CP", "en").url
        == "https://learn.microsoft.com/en-us/microsoftteams/calling-plans-for-office-365"
    )
    assert present(source_link("EN_ASSIGN", "fr").url).startswith("https://learn.microsoft.com/en-us/microsoftteams/")
    assert source_link("EN_ASSIGN", "en").date == "2024-03-26"


def test_links_are_listed_once_per_page_and_json_once_per_key() -> None:
    links = source_links(["FR_CP", "EN_CP_OLD", "FR_CP", "EN_ASSIGN"], "en")
    assert [link.key for link in links] == ["FR_CP", "EN_ASSIGN"]  # EN_CP_OLD: the same page
    data = sources_json(["FR_CP", "EN_CP_OLD", "FR_CP"])
    assert [item["key"] for item in data] == ["FR_CP", "EN_CP_OLD"]
    assert all(set(item) == {"key", "title", "url"} for item in data)
    with pytest.raises(KeyError):
        source_link("NOT_A_KEY")


def test_every_verdict_reason_source_is_a_known_key() -> None:
    catalog = load_catalog()
    assert catalog.number_rules.reasons  # loaded, and cross-checked by the loader
    for reason, rule in catalog.number_rules.reasons.items():
        assert catalog.text(reason) != reason, reason  # a real reason code with an English text
        for key in rule.sources:
            assert source_link(key).url, (reason, key)
