"""The heldout5 to heldout13 files (issue 12, item 5: a fresh held-out set per language and
round) are well-formed: every entry has what the scorer needs, each file is in its language, the
counts the brief asks for hold, and every country, plan, licence, user and source key they expect
exists. Never the bot's score: that is reported (bench/records/issue12_heldout{5,6,7,8,9,10,11,12,13}_first_score.md),
not asserted.

Only counts, names and catalog lookups are checked here, so whoever tunes the bot learns nothing
from this file about which messages the set holds."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench import heldout_eval as he
from bench.recognizer_accuracy import END_TO_END_SETS, set_names
from knowledge.catalog import load_catalog
from knowledge.store.demo import write_demo_files

#: The sets written to this format (heldout4 predates it: tests/bench/test_heldout_eval.py).
NAMES = he.SET_NAMES[1:]
LANGS = ("en", "fr")
#: Every topic of the fact sheet (shared/domain/calling-plans.md) a question of fact must reach.
FACT_TOPICS = {
    "plans",
    "sku",
    "teams_phone_prereq",
    "teams_phone_e5",
    "teams_phone_a5",
    "teams_phone_g5",
    "minutes_country",
    "countries_callable",
    "countries_sold",
    "pool_how",
    "pool_reset",
    "pool_runs_out",
    "comms_credits",
    "payg",
    "bundle",
    "alternatives",
    "emergency",
    "toll_free",
    "premium",
    "teams_to_teams",
    "incoming",
    "usage_location",
    "reports",
    "graph",
}
#: The kinds of message the brief lists, as item topics per category.
TOPICS = {
    "purchase": {"one_turn", "partial"},
    "check": {
        "upn",
        "display_name",
        "first_name",
        "upn_prefix",
        "emergency",
        "toll_free",
        "premium",
        "not_listed",
        "country_plan",
    },
    "pool": {"country", "plan", "line", "all", "city", "no_pool"},
    "entities": {
        "city",
        "carrier",
        "typo",
        "unknown_country",
        "scope",
        "mixed_case",
        "no_punctuation",
        "short_code",
        "chatty",
        "number_format",
    },
    "conversation": {
        "follow_up_country",
        "follow_up_users",
        "follow_up_pool",
        "follow_up_number",
        "correction_one_turn",
        "correction_in_dialog",
        "aside_fact",
        "out_of_range",
        "unknown_at_prompt",
        "no_at_country_prompt",
        "pool_inside_purchase",
        "same_for_plan",
    },
}
INTENTS = {"fact", "purchase", "check", "pool", "followup", "correction", "answer", "cancel"}
CARRIERS = {"BT", "Orange", "Vodafone", "Telstra", "AT&T", "SFR", "Swisscom", "SoftBank"}
E164_OR_SHORT = re.compile(r"\+[1-9]\d{6,14}|\d{2,3}")
#: Words that only one of the two languages uses, to tell a French message from an English one.
MARKERS = {
    "en": {
        "the",
        "is",
        "can",
        "how",
        "what",
        "which",
        "and",
        "our",
        "we",
        "do",
        "does",
        "users",
        "people",
        "only",
        "calls",
        "with",
        "need",
        "about",
        "want",
        "left",
        "of",
        "to",
        "in",
        "for",
        "are",
        "my",
        "get",
        "many",
        "much",
        "if",
        "call",
        "who",
        "that",
        "it",
        "be",
        "have",
        "this",
        "from",
        "any",
        "i",
        "you",
        "should",
        "still",
        "all",
        "there",
        "when",
        "where",
        "why",
        "or",
        "at",
        "here",
        "ok",
        "help",
        "calling",
    },
    "fr": {
        "le",
        "la",
        "les",
        "des",
        "du",
        "pour",
        "est",
        "quel",
        "quelle",
        "quels",
        "combien",
        "peut",
        "avec",
        "et",
        "nos",
        "notre",
        "il",
        "une",
        "un",
        "appels",
        "utilisateurs",
        "forfait",
        "reste",
        "pays",
        "faut",
        "au",
        "aux",
        "à",
        "ça",
        "mois",
        "de",
        "en",
        "sur",
        "dans",
        "pas",
        "qui",
        "que",
        "ce",
        "sont",
        "par",
        "numéro",
        "vers",
        "nous",
        "je",
        "tous",
        "l",
        "d",
        "qu",
        "c",
        "j",
        "ou",
        "où",
        "quand",
    },
}


@pytest.fixture(scope="module", params=[(name, lang) for name in NAMES for lang in LANGS], ids="-".join)
def heldout(request) -> he.HeldoutSet:
    name, lang = request.param
    return he.load_set(lang, name=name)


def expectations(heldout: he.HeldoutSet) -> Iterator[tuple[he.Item, he.Turn]]:
    for item in heldout.items:
        for turn in item.as_turns():
            yield item, turn


@pytest.fixture(scope="module")
def roster_upns(tmp_path_factory) -> set[str]:
    """The demo tenant's users, read from the roster file the demo writes (the bot's data)."""
    folder = tmp_path_factory.mktemp("demo")
    write_demo_files(folder, datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
    with (folder / "active-users.csv").open(encoding="utf-8-sig", newline="") as fh:
        return {row["User principal name"].casefold() for row in csv.DictReader(fh)}


def test_every_end_to_end_set_on_disk_is_registered_newest_last():
    """A set file (heldout4 onwards) left out of ``SET_NAMES`` would be neither scored nor
    skipped by the recognizer report, which would open and print it."""
    on_disk = {p.name.split("_")[0] for p in Path(he.CORPUS_DIR).glob("heldout*_*.json")}
    numbered = {name: int(name.removeprefix("heldout") or 1) for name in on_disk}
    assert {name for name, n in numbered.items() if n >= 4} == set(he.SET_NAMES)
    assert list(he.SET_NAMES) == sorted(he.SET_NAMES, key=numbered.__getitem__), "oldest first, newest last"


@pytest.mark.parametrize("name", NAMES)
def test_the_set_is_registered_and_never_opened_by_the_recognizer_report(name):
    assert name in END_TO_END_SETS
    for lang in LANGS:
        assert he.set_path(lang, name) == Path(he.CORPUS_DIR) / f"{name}_{lang}.json"
        assert name not in set_names(lang)


@pytest.mark.parametrize("name", NAMES)
def test_each_file_says_its_language_and_a_wrong_one_is_refused(name, tmp_path):
    for lang in LANGS:
        assert he.load_set(lang, name=name).lang == lang
    wrong = tmp_path / "x.json"
    wrong.write_bytes(he.set_path("fr", name).read_bytes())
    with pytest.raises(ValueError, match="expected 'en'"):
        he.load_set("en", path=wrong)


def test_the_counts_the_brief_asks_for(heldout):
    singles = [i for i in heldout.items if i.category != "conversation"]
    conversations = [i for i in heldout.items if i.category == "conversation"]
    assert len(singles) >= 125
    assert len(conversations) >= 18
    assert sum(i.category == "fact" for i in singles) >= 50
    for category, least in (("purchase", 20), ("check", 22), ("pool", 12), ("entities", 20)):
        assert sum(i.category == category for i in singles) >= least, category
    assert all(len(c.as_turns()) >= 2 for c in conversations)


def test_questions_of_fact_cover_every_topic_of_the_fact_sheet_and_cite_it(heldout):
    facts = [i for i in heldout.items if i.category == "fact"]
    assert {i.topic for i in facts} >= FACT_TOPICS
    for item in facts:
        assert item.expect is not None
        assert item.expect.kind == ["fact"] or set(item.expect.kind) == {"fact", "verdict"}, item.id
        assert item.expect.link, item.id
        assert item.expect.sources, item.id


def test_every_kind_of_message_the_brief_lists_is_there(heldout):
    for category, wanted in TOPICS.items():
        have = {i.topic for i in heldout.items if i.category == category}
        assert wanted <= have, (category, wanted - have)
    one_turn = [i for i in heldout.items if i.topic == "one_turn"]
    assert len(one_turn) >= 10 and all(i.expect and i.expect.kind == ["recommendation"] for i in one_turn)
    partial = [i for i in heldout.items if i.topic == "partial"]
    assert len(partial) >= 5 and all(i.expect and any(k.startswith("prompt_") for k in i.expect.kind) for i in partial)
    entities = [t.expect.entities for _, t in expectations(heldout) if t.expect.entities]
    assert {e.carrier for e in entities if e.carrier} & CARRIERS
    assert len({e.carrier for e in entities if e.carrier}) >= 5
    assert len({e.city for e in entities if e.city}) >= 5
    text = "\n".join(t.text for _, t in expectations(heldout))
    assert text != text.lower(), "some messages in capitals"
    assert any(t.text.isupper() for _, t in expectations(heldout)), "a message all in capitals"


def test_every_entry_has_what_the_scorer_needs(heldout):
    singles = [i.text.casefold() for i in heldout.items if i.text]
    assert len(set(singles)) == len(singles), "a message twice measures it twice"
    for item, turn in expectations(heldout):
        expect = turn.expect
        assert expect.kind and set(expect.kind) <= he.KINDS, item.id
        assert expect.has or expect.link, item.id
        for pattern in expect.has + expect.lacks:
            re.compile(pattern)
        assert expect.intent in INTENTS, (item.id, expect.intent)
    assert {i.category for i in heldout.items} == set(he.CATEGORIES)


def test_every_expected_country_plan_licence_and_source_exists(heldout, roster_upns):
    catalog = load_catalog()
    for item, turn in expectations(heldout):
        expect = turn.expect
        for key in expect.sources:
            assert key in catalog.sources, (item.id, key)
        entities = expect.entities
        if entities is None:
            continue
        for iso in entities.countries:
            assert catalog.country(iso) is not None, (item.id, iso)
        if entities.plan:
            assert catalog.find_plan(entities.plan) is not None, (item.id, entities.plan)
        if entities.licence:
            assert catalog.family(entities.licence) is not None, (item.id, entities.licence)
        if entities.unknown_country:
            assert catalog.country_by_name(entities.unknown_country) is None, (item.id, entities.unknown_country)
            assert entities.unknown_country in turn.text
        if entities.user:
            assert entities.user.casefold() in roster_upns, (item.id, entities.user)
        if entities.number:
            assert E164_OR_SHORT.fullmatch(entities.number), (item.id, entities.number)
        if entities.users is not None:
            assert entities.users >= 0


def test_recommendations_name_countries_from_the_catalog(heldout):
    """A recommendation that expects a country also says which: one content check names it."""
    catalog = load_catalog()
    for item, turn in expectations(heldout):
        entities = turn.expect.entities
        if turn.expect.kind != ["recommendation"] or not entities or not entities.countries:
            continue
        names = [catalog.country(iso) for iso in entities.countries]
        checks = "\n".join(turn.expect.has)
        assert any(c is not None and re.escape(c.name["en"]) in checks for c in names), item.id


def test_each_file_is_written_in_its_language(heldout):
    other = "fr" if heldout.lang == "en" else "en"
    wrong = []
    checked = 0
    for item, turn in expectations(heldout):
        words = set(re.findall(r"[a-zà-ÿ]+", turn.text.casefold()))
        if len(words) < 4:
            continue  # "and Luxembourg?", a bare number, a country name: no language to tell
        checked += 1
        if len(words & MARKERS[heldout.lang]) <= len(words & MARKERS[other]):
            wrong.append(item.id)
    assert checked >= 100
    assert not wrong, wrong


@pytest.mark.parametrize("name", NAMES)
def test_the_french_set_is_not_a_translation_of_the_english_one(name):
    en, fr = he.load_set("en", name=name), he.load_set("fr", name=name)
    en_numbers = {
        t.expect.entities.number for _, t in expectations(en) if t.expect.entities and t.expect.entities.number
    }
    fr_numbers = {
        t.expect.entities.number for _, t in expectations(fr) if t.expect.entities and t.expect.entities.number
    }
    assert len(en_numbers) >= 20 and len(fr_numbers) >= 20
    shared = en_numbers & fr_numbers - {"112"}
    assert len(shared) <= 3, shared
    en_countries = [t.expect.entities.countries for _, t in expectations(en) if t.expect.entities]
    fr_countries = [t.expect.entities.countries for _, t in expectations(fr) if t.expect.entities]
    assert en_countries != fr_countries


def test_the_bench_reports_every_set_side_by_side(monkeypatch):
    """``make bench`` (bench/bench_heldout.py) scores every set (heldout4 to 13) each under its
    own rows; the bot is replaced by a scorer that fails everything, so no score is asserted."""
    seen: list[str] = []

    def fake_evaluate(
        langs: Sequence[str] = he.LANGS, sets: dict[str, he.HeldoutSet] | None = None, name: str = he.SET_NAME
    ) -> list[he.ItemScore]:
        seen.append(name)
        heldout = {lang: he.load_set(lang, name=name) for lang in langs}
        return [
            he.ItemScore(lang, item, [he.score_turn(t.text, t.expect, []) for t in item.as_turns()])
            for lang, s in heldout.items()
            for item in s.items
        ]

    monkeypatch.setattr(he, "evaluate", fake_evaluate)
    from bench import bench_heldout

    rows = bench_heldout.run()
    assert seen == ["heldout4", *NAMES]
    benchmarks = {r["benchmark"] for r in rows}
    assert benchmarks == {f"{name}_{lang}" for name in ("heldout4", *NAMES) for lang in LANGS}
    for name in NAMES:
        alls = [r for r in rows if r["benchmark"] == f"{name}_en" and r["metric"] == "all understood"]
        assert len(alls) == 1 and alls[0]["value"] == 0 and alls[0]["note"].endswith(f"({name})")
