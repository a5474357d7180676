"""The catalog: the fact sheet's figures as data, validated on load, with lookups."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from knowledge.catalog import DATA_DIR, Catalog, CatalogError, Line, load_catalog
from testkit.narrow import present


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_load_catalog_is_cached_and_shared() -> None:
    assert load_catalog() is load_catalog()
    assert load_catalog(DATA_DIR) is load_catalog()


# --- plans and minutes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "sku, country, line, minutes",
    [
        ("MCOPSTN1", "US", "domestic", 3000),
        ("MCOPSTN1", "PR", "domestic", 3000),  # decision: the English figure, shared US pool
        ("MCOPSTN1", "CA", "domestic", 3000),
        ("MCOPSTN1", "FR", "domestic", 1200),
        ("MCOPSTN1", "MX", "domestic", 1200),
        ("MCOPSTN2", "US", "domestic", 3000),
        ("MCOPSTN2", "US", "international", 600),
        ("MCOPSTN2", "DE", "domestic", 1200),
        ("MCOPSTN2", "DE", "international", 600),
        ("MCOPSTN5", "FR", "domestic", 120),
        ("MCOPSTN6", "FR", "domestic", 240),
        ("MCOPSTN8", "FR", "domestic", 120),
        ("MCOPSTN_PAYG_1", "GB", "domestic", 0),
        ("MCOPSTN_PAYG_2", "FR", "domestic", 0),
        ("MCOTEAMS_ESSENTIALS", "US", "domestic", None),  # not documented by Microsoft
        ("MCOTEAMS_ESSENTIALS", "FR", "domestic", None),
        ("MCOPSTN1", "FR", "international", None),
        ("TELSTRA_CALLING", "AU", "domestic", None),
    ],
)
def test_minutes_per_user_per_month(catalog: Catalog, sku: str, country: str, line: Line, minutes: int | None) -> None:
    assert catalog.plan(sku).minutes_for(country, line) == minutes


@pytest.mark.parametrize(
    "sku, pool, international",
    [
        ("MCOPSTN1", "shared", False),
        ("MCOPSTN2", "shared", True),
        ("MCOPSTN5", "shared", False),
        ("MCOPSTN6", "shared", False),
        ("MCOPSTN8", "per_user", False),
        ("MCOPSTN_PAYG_1", "none", True),
        ("MCOPSTN_PAYG_2", "none", True),
        ("MCOTEAMS_ESSENTIALS", "shared", False),
        ("MCOPSTN9", "none", True),
    ],
)
def test_pooling_and_scope(catalog: Catalog, sku: str, pool: str, international: bool) -> None:
    plan = catalog.plan(sku)
    assert (plan.pool, plan.international) == (pool, international)
    assert plan.name_en and plan.name_fr and plan.name_en != sku


def test_plan_lookup_is_case_insensitive_and_unknown_plans_are_key_errors(catalog: Catalog) -> None:
    assert catalog.plan("mcopstn2").sku == "MCOPSTN2"
    assert catalog.find_plan("NOPE") is None
    with pytest.raises(KeyError, match="NOPE"):
        catalog.plan("NOPE")


def test_every_figure_cites_known_sources(catalog: Catalog) -> None:
    for plan in catalog.plans:
        assert plan.sources and set(plan.sources) <= set(catalog.sources)
        for minutes in (plan.domestic_minutes, plan.international_minutes):
            if minutes is not None:
                assert minutes.sources and set(minutes.sources) <= set(catalog.sources)
    for country in catalog.calling_plan_countries:
        assert set(present(country.calling_plans).sources) <= set(catalog.sources)


def test_conflicts_carry_a_decision(catalog: Catalog) -> None:
    assert "Puerto Rico" in present(present(catalog.plan("MCOPSTN1").domestic_minutes).decision)
    south_africa = present(present(catalog.country("ZA")).calling_plans)
    assert south_africa.decision and south_africa.payg_listed_without_zone
    assert "SPE_E5_CALLINGMINUTES" in present(catalog.plan("MCOPSTN8").decision)
    assert "not documented" in present(catalog.plan("MCOTEAMS_ESSENTIALS").decision)


# --- countries --------------------------------------------------------------------------------


def test_35_calling_plan_countries_and_198_destinations(catalog: Catalog) -> None:
    providers = [present(c.calling_plans).provider for c in catalog.calling_plan_countries]
    assert len(providers) == 35
    assert providers.count("microsoft") == 33
    assert present(present(catalog.country("AU")).calling_plans).provider == "telstra"
    assert present(present(catalog.country("JP")).calling_plans).provider == "softbank"
    assert len(catalog.callable_destinations.isos) == 198
    assert len(catalog.zone_a.isos) == 44


@pytest.mark.parametrize(
    "iso, zone, plans_in, plans_out",
    [
        ("US", None, ["MCOPSTN1", "MCOPSTN2", "MCOTEAMS_ESSENTIALS"], ["MCOPSTN5", "MCOPSTN_PAYG_1"]),
        ("CA", "zone1", ["MCOPSTN1", "MCOPSTN5", "MCOPSTN_PAYG_1"], ["MCOPSTN_PAYG_2"]),
        ("GB", "zone1", ["MCOPSTN_PAYG_1"], ["MCOPSTN_PAYG_2"]),
        ("FR", "zone2", ["MCOPSTN1", "MCOPSTN2", "MCOPSTN5", "MCOPSTN_PAYG_2"], []),
        ("MX", "mexico", ["Microsoft_Teams_Domestic_Calling_Plan_(Mexico)"], ["MCOPSTN1", "MCOPSTN5"]),
        ("ZA", None, ["MCOPSTN1"], ["MCOPSTN_PAYG_1", "MCOPSTN_PAYG_2"]),
    ],
)
def test_plans_sold_by_country(
    catalog: Catalog, iso: str, zone: str | None, plans_in: list[str], plans_out: list[str]
) -> None:
    cp = present(present(catalog.country(iso)).calling_plans)
    assert cp.payg_zone == zone
    assert set(plans_in) <= set(cp.plans)
    assert not set(plans_out) & set(cp.plans)


@pytest.mark.parametrize(
    "text, lang, iso",
    [
        ("FR", None, "FR"),
        ("fr", None, "FR"),
        ("France", "en", "FR"),
        ("Allemagne", "fr", "DE"),
        ("Germany", None, "DE"),
        ("UK", None, "GB"),
        ("United Kingdom", None, "GB"),
        ("Royaume-Uni", "fr", "GB"),
        ("USA", None, "US"),
        ("États-Unis", "fr", "US"),
        ("etats unis", None, "US"),
        ("ETATS-UNIS", None, "US"),
        ("United States", None, "US"),
        ("Porto Rico", "fr", "PR"),
        ("Puerto Rico", None, "PR"),
        ("Mexique", "fr", "MX"),
        ("Japon", "fr", "JP"),
        ("South Korea", None, "KR"),
        ("Korea, Republic of", None, "KR"),
        ("Côte d'Ivoire", None, "CI"),
        ("Ivory Coast", None, "CI"),
        ("St. Kitts and Nevis", None, "KN"),
        ("the Netherlands", None, "NL"),
        ("Pays-Bas", "fr", "NL"),
        ("Suisse", "fr", "CH"),
        ("Brésil", "fr", "BR"),
        ("Netherlands Antilles", None, "AN"),
        ("  afrique du sud  ", None, "ZA"),
    ],
)
def test_country_by_name(catalog: Catalog, text: str, lang: str | None, iso: str) -> None:
    country = catalog.country_by_name(text, lang)
    assert country is not None and country.iso == iso


@pytest.mark.parametrize("text", ["", "   ", "Atlantis", "XX", "Fr4nce"])
def test_unknown_country_names_give_none(catalog: Catalog, text: str) -> None:
    assert catalog.country_by_name(text) is None


def test_every_country_has_english_and_french_names(catalog: Catalog) -> None:
    isos = set(catalog.callable_destinations.isos) | {c.iso for c in catalog.calling_plan_countries}
    for iso in isos:
        country = present(catalog.country(iso))
        assert country.name_en and country.name_fr, iso
    assert present(catalog.country("DE")).name_fr == "Allemagne"
    assert present(catalog.country("US")).name_fr == "États-Unis"
    assert present(catalog.country("GB")).name_en == "United Kingdom"


@pytest.mark.parametrize(
    "iso, expected",
    [
        ("SS", True),
        ("FR", True),
        ("AN", True),
        ("BR", True),
        ("CU", False),
        ("KP", False),
        ("XX", False),
        (None, False),
    ],
)
def test_is_callable_destination(catalog: Catalog, iso: str | None, expected: bool) -> None:
    assert catalog.is_callable_destination(iso) is expected


@pytest.mark.parametrize(
    "caller, destination, domestic",
    [
        ("US", "PR", True),
        ("PR", "US", True),
        ("US", "CA", True),
        ("CA", "US", True),
        ("CA", "PR", True),
        ("US", "MX", False),
        ("US", "VI", False),
        ("FR", "FR", True),
        ("FR", "MC", False),
        ("GB", "IE", False),
    ],
)
def test_domestic_areas(catalog: Catalog, caller: str, destination: str, domestic: bool) -> None:
    assert catalog.is_domestic(caller, destination) is domestic


@pytest.mark.parametrize(
    "iso, number",
    [
        ("FR", "112"),
        ("FR", "15"),
        ("FR", "17"),
        ("FR", "18"),
        ("US", "911"),
        ("GB", "999"),
        ("DE", "112"),
        ("AU", "000"),
    ],
)
def test_emergency_numbers_per_country(catalog: Catalog, iso: str, number: str) -> None:
    assert number in present(catalog.country(iso)).emergency_numbers


# --- licences ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sku, teams_phone, calling_plan",
    [
        ("SPE_E5", True, None),
        ("ENTERPRISEPREMIUM", True, None),
        ("M365EDU_A5_FACULTY", True, None),
        ("M365EDU_A5_STUDENT", True, None),
        ("SPE_E5_CALLINGMINUTES", True, "MCOPSTN8"),
        ("SPE_E3", False, None),
        ("ENTERPRISEPACK", False, None),
        ("SPB", False, None),
        ("O365_BUSINESS_ESSENTIALS", False, None),
        ("MCOEV", True, None),
        ("PHONESYSTEM_VIRTUALUSER", True, None),
        ("MCOTEAMS_ESSENTIALS", True, "MCOTEAMS_ESSENTIALS"),
        ("MCOPSTN1", False, "MCOPSTN1"),
        ("MCOPSTN2", False, "MCOPSTN2"),
        ("MCOPSTN5", False, "MCOPSTN5"),
        ("MCOPSTN6", False, "MCOPSTN6"),
        ("MCOPSTN8", False, "MCOPSTN8"),
        ("MCOPSTN9", False, "MCOPSTN9"),
        ("MCOPSTN_PAYG_1", False, "MCOPSTN_PAYG_1"),
        ("MCOPSTN_PAYG_2", False, "MCOPSTN_PAYG_2"),
        ("MCOPSTNC", False, None),
        ("MCOPSTNPP", False, None),
    ],
)
def test_licence_aliases(catalog: Catalog, sku: str, teams_phone: bool, calling_plan: str | None) -> None:
    licence = catalog.licence(sku)
    assert licence is not None
    assert (licence.teams_phone, licence.calling_plan) == (teams_phone, calling_plan)


def test_communications_credits_skus_are_credits(catalog: Catalog) -> None:
    assert present(catalog.licence("MCOPSTNC")).credits and present(catalog.licence("MCOPSTNPP")).credits
    assert present(catalog.calling_plan_for("MCOTEAMS_ESSENTIALS")).capability == "MCOPSTN1"
    assert catalog.licence("UNKNOWN") is None and catalog.calling_plan_for("SPE_E3") is None


@pytest.mark.parametrize(
    "text, family, teams_phone",
    [
        ("E5", "E5", True),
        ("e5", "E5", True),
        ("A5", "A5", True),
        ("G5", "G5", True),
        ("SPE_E5", "E5", True),
        ("E3", "E3", False),
        ("SPE_E3", "E3", False),
        ("Business Premium", "BUSINESS_PREMIUM", False),
        ("business basic", "BUSINESS_BASIC", False),
        ("Teams Essentials", "TEAMS_ESSENTIALS", False),
        ("ENTERPRISEPACK", "E3", False),
    ],
)
def test_base_licence_families(catalog: Catalog, text: str, family: str, teams_phone: bool) -> None:
    found = catalog.family(text)
    assert found is not None and (found.id, found.teams_phone) == (family, teams_phone)


def test_text_renders_codes_with_params(catalog: Catalog) -> None:
    assert catalog.text("emergency_allowed", {"emergency_number": "112"}) == "Emergency number 112 is always allowed."
    assert "{destination}" in catalog.text("international_included", {})  # a missing param stays visible
    assert catalog.text("no_such_code") == "no_such_code"


# --- broken files: the message names the file and the field ------------------------------------


def _broken_copy(tmp_path: Path, filename: str, edit) -> Path:
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir)
    path = data_dir / filename
    doc = json.loads(path.read_text(encoding="utf-8"))
    edit(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return data_dir


def _set(path: list, value):
    def edit(doc):
        node = doc
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return edit


def _delete(path: list):
    def edit(doc):
        node = doc
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return edit


@pytest.mark.parametrize(
    "filename, edit, field",
    [
        ("plans.json", _set(["plans", 0, "domestic_minutes", "default"], "lots"), "plans.0.domestic_minutes.default"),
        ("plans.json", _set(["plans", 1, "pool"], "pooled"), "plans.1.pool"),
        ("plans.json", _delete(["plans", 2, "name"]), "plans.2.name"),
        ("plans.json", _set(["plans", 0, "minutes"], 3000), "plans.0.minutes"),  # typo'd extra field
        ("plans.json", _set(["plans", 0, "sources"], ["NO_SUCH_SOURCE"]), "plans.0.sources.0"),
        (
            "plans.json",
            _set(["plans", 0, "domestic_minutes", "by_country", "PR"], 1200),
            "plans.0.domestic_minutes.by_country",
        ),
        ("plans.json", _set(["plans", 0, "sources"], []), "plans.0.sources"),
        ("countries.json", _set(["callable_destinations", "isos", 3], "QQ"), "callable_destinations.isos.3"),
        ("countries.json", _delete(["names", "entries", "FR", "fr"]), "names.entries.FR.fr"),
        ("countries.json", _set(["names", "entries", "FR", "en"], ""), "names.entries.FR.en"),
        ("calling_plan_countries.json", _set(["countries", 0, "plans", 0], "MCOPSTN77"), "countries.0.plans.0"),
        ("calling_plan_countries.json", _set(["countries", 0, "provider"], "vodafone"), "countries.0.provider"),
        ("calling_plan_countries.json", _set(["count", "value"], 36), "count.value"),
        (
            "number_rules.json",
            _set(["premium", "by_country", "GB", "prefixes", 0, "prefix"], "8x3"),
            "premium.by_country.GB.prefixes.0.prefix",
        ),
        ("number_rules.json", _set(["premium", "default", "premium_rate"], "maybe"), "premium.default.premium_rate"),
        ("number_rules.json", _set(["masking", "replacement_digit"], "12"), "masking.replacement_digit"),
        ("plans.json", _set(["plans", 0, "domestic_minutes", "default"], -5), "plans.0.domestic_minutes.default"),
        ("plans.json", _set(["plans", 0, "sku"], ""), "plans.0.sku"),
        ("licences.json", _set(["licences", 0, "family"], "E7"), "licences.0.family"),
        ("licences.json", _set(["licences", 0, "teams_phone"], "sometimes"), "licences.0.teams_phone"),
        ("texts.json", _set(["texts", "emergency_allowed"], 42), "texts.emergency_allowed"),
    ],
)
def test_broken_file_names_file_and_field(tmp_path: Path, filename: str, edit, field: str) -> None:
    data_dir = _broken_copy(tmp_path, filename, edit)
    with pytest.raises(CatalogError) as info:
        load_catalog(data_dir)
    message = str(info.value)
    assert filename in message
    assert f"field {field}" in message


def test_invalid_json_and_missing_file_name_the_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir)
    (data_dir / "plans.json").write_text('{"plans": [', encoding="utf-8")
    with pytest.raises(CatalogError, match=r"plans\.json: line 1 column \d+: not valid JSON"):
        load_catalog(data_dir)
    (data_dir / "plans.json").unlink()
    with pytest.raises(CatalogError, match=r"plans\.json: file is missing"):
        load_catalog(data_dir)


def test_a_good_copy_loads_from_another_folder(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir)
    other = load_catalog(data_dir)
    assert other is not load_catalog()
    assert other.plan("MCOPSTN1").minutes_for("US") == 3000


# --- the data says what the fact sheet says ------------------------------------------------------

#: The fact sheet the data was built from, kept in the repo so the cross-checks run on any clone;
#: ``../shared`` (beside every checkout and CI's clone) holds the current one.
FACT_SHEET = Path(__file__).resolve().parent / "fixtures" / "calling-plans.json"
SHARED_SHEET = Path(__file__).resolve().parents[3] / "shared" / "domain" / "calling-plans.json"


def test_the_copied_fact_sheet_is_the_shared_one() -> None:
    """When ../shared has a newer sheet, refresh the copy and rebuild the data from it."""
    current = SHARED_SHEET if SHARED_SHEET.exists() else FACT_SHEET
    assert json.loads(FACT_SHEET.read_text(encoding="utf-8")) == json.loads(current.read_text(encoding="utf-8"))


def test_minutes_match_the_fact_sheet_country_table(catalog: Catalog) -> None:
    sheet = json.loads(FACT_SHEET.read_text(encoding="utf-8"))
    rows = sheet["availability"]["calling_plan_countries"]
    assert {row["iso"] for row in rows} == {c.iso for c in catalog.calling_plan_countries}
    checked = 0
    for row in rows:
        minutes = row["minutes_per_user_per_calendar_month"]
        if not isinstance(minutes, dict):  # partner offers (AU, JP)
            assert present(present(catalog.country(row["iso"])).calling_plans).provider != "microsoft"
            continue
        iso = row["iso"]
        assert catalog.plan("MCOPSTN1").minutes_for(iso) == minutes["domestic"], iso
        assert catalog.plan("MCOPSTN2").minutes_for(iso) == minutes["domestic_and_international"]["domestic"], iso
        assert (
            catalog.plan("MCOPSTN2").minutes_for(iso, "international")
            == minutes["domestic_and_international"]["international"]
        ), iso
        if "domestic_120" in minutes:
            assert catalog.plan("MCOPSTN5").minutes_for(iso) == minutes["domestic_120"], iso
            assert catalog.plan("MCOPSTN6").minutes_for(iso) == minutes["domestic_240"], iso
        checked += 1
    assert checked == 33


def test_destinations_zones_and_sources_match_the_fact_sheet(catalog: Catalog) -> None:
    sheet = json.loads(FACT_SHEET.read_text(encoding="utf-8"))
    assert list(catalog.callable_destinations.isos) == [e["iso"] for e in sheet["outbound_callable"]["entries"]]
    assert list(catalog.zone_a.isos) == sheet["audio_conferencing_zone_a"]["countries"]
    assert set(sheet["sources"]) <= set(catalog.sources)
    zones = next(plan for plan in sheet["plans"] if plan["id"] == "payg")["zones"]
    for iso in zones["Zone 2"]:
        assert present(present(catalog.country(iso)).calling_plans).payg_zone == "zone2", iso
    for iso in ("CA", "GB"):
        assert present(present(catalog.country(iso)).calling_plans).payg_zone == "zone1"


def test_generated_files_are_what_the_build_script_produces() -> None:
    """countries.json and sources.json are generated: a hand edit would be lost on rebuild."""
    from knowledge.catalog_build import build_countries, build_sources

    sheet = json.loads(FACT_SHEET.read_text(encoding="utf-8"))
    assert build_sources(sheet) == json.loads((DATA_DIR / "sources.json").read_text(encoding="utf-8"))
    assert build_countries(sheet) == json.loads((DATA_DIR / "countries.json").read_text(encoding="utf-8"))
