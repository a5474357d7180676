"""Our validator rejects what Teams would reject: schema violations (bad scope, bad colour) and
what no schema checks (ids, https URLs, unfilled placeholders, stray translations, layout)."""

from __future__ import annotations

import json

import pytest

from manifest import packaging as teams_package


def _with_manifest(package_files, edit):
    manifest = json.loads(package_files["manifest.json"])
    edit(manifest)
    return {**package_files, "manifest.json": json.dumps(manifest).encode()}


def _problems(package_files, zip_of, edit):
    """Problems of the package after ``edit``, read back through a real zip."""
    return teams_package.validate_package(zip_of(_with_manifest(package_files, edit)))


@pytest.mark.parametrize("colour", ["purple", "#12345", "#1234567", "5B5FC7", "#GGGGGG"])
def test_bad_accent_colour_is_rejected(package_files, zip_of, colour):
    problems = _problems(package_files, zip_of, lambda m: m.update(accentColor=colour))
    assert problems and all(p.startswith("manifest.json accentColor:") for p in problems), problems


def test_bad_bot_scope_is_rejected(package_files, zip_of):
    def edit(m):
        m["bots"][0]["scopes"] = ["personal", "team", "groupchat"]

    problems = _problems(package_files, zip_of, edit)
    assert any(p.startswith("manifest.json bots[0].scopes[2]:") and "'groupchat'" in p for p in problems), problems


def test_bad_command_list_scope_is_rejected(package_files, zip_of):
    def edit(m):
        m["bots"][0]["commandLists"][2]["scopes"] = ["groupchat"]

    problems = _problems(package_files, zip_of, edit)
    assert any(p.startswith("manifest.json bots[0].commandLists[2].scopes[0]:") for p in problems), problems


def test_command_list_for_a_scope_the_bot_lacks_is_rejected(package_files, zip_of):
    def edit(m):
        m["bots"][0]["scopes"] = ["personal", "team"]

    problems = _problems(package_files, zip_of, edit)
    assert problems == [
        "manifest.json bots[0].commandLists[2]: scope 'groupChat' is not one of the bot's scopes ['personal', 'team']"
    ]


def test_bot_id_different_from_app_id_is_rejected(package_files, zip_of):
    other = "11111111-2222-3333-4444-555555555555"
    problems = _problems(package_files, zip_of, lambda m: m["bots"][0].update(botId=other))
    assert len(problems) == 1 and "botId" in problems[0] and other in problems[0]


def test_http_developer_url_is_rejected(package_files, zip_of):
    # The schema accepts http://; Teams does not.
    problems = _problems(
        package_files, zip_of, lambda m: m["developer"].update(privacyUrl="http://contoso.example/privacy")
    )
    assert problems == ["manifest.json developer.privacyUrl 'http://contoso.example/privacy' is not an https:// URL"]


def test_unfilled_placeholder_is_rejected(package_files, zip_of):
    problems = _problems(package_files, zip_of, lambda m: m["name"].update(full="${{APP_NAME}}"))
    assert problems == ["manifest.json name.full: placeholder '${{APP_NAME}}' was not filled"]


def test_non_semver_version_is_rejected(package_files, zip_of):
    problems = _problems(package_files, zip_of, lambda m: m.update(version="0.1.0.dev1"))
    assert "manifest.json version '0.1.0.dev1' is not MAJOR.MINOR.PATCH" in problems


def test_too_long_short_name_is_rejected(package_files, zip_of):
    problems = _problems(package_files, zip_of, lambda m: m["name"].update(short="Calling Plan Assistant for Teams"))
    assert problems and problems[0].startswith("manifest.json name.short:"), problems


def test_translation_of_a_missing_field_is_rejected(package_files, zip_of):
    french = json.loads(package_files["fr.json"])
    french["bots[0].commandLists[0].commands[7].description"] = "Rien"
    french["bots[0].commandLists[0].commands[0].nope"] = "Rien"
    files = {**package_files, "fr.json": json.dumps(french).encode()}
    problems = teams_package.validate_package(zip_of(files))
    assert "fr.json key 'bots[0].commandLists[0].commands[7].description' matches nothing in manifest.json" in problems
    # The second key is caught by the localization schema itself.
    assert any(p.startswith("fr.json (root):") and "nope" in p for p in problems), problems


def test_invalid_french_file_is_rejected(package_files, zip_of):
    french = json.loads(package_files["fr.json"])
    del french["description.full"]
    problems = teams_package.validate_package(zip_of({**package_files, "fr.json": json.dumps(french).encode()}))
    assert problems == ["fr.json (root): 'description.full' is a required property"]


def test_file_in_a_folder_and_stray_file_are_rejected(package_files, zip_of):
    files = dict(package_files)
    files["icons/outline.png"] = files.pop("outline.png")
    files["notes.txt"] = b"hello"
    problems = teams_package.validate_package(zip_of(files))
    assert "icons/outline.png is in a folder; Teams wants every file at the root of the package" in problems
    assert "outline.png is referenced by manifest.json but not in the package" in problems
    assert "notes.txt is in the package but not referenced by manifest.json" in problems


def test_missing_manifest_or_broken_json_is_reported(package_files, zip_of):
    without = {name: data for name, data in package_files.items() if name != "manifest.json"}
    assert teams_package.validate_package(zip_of(without)) == ["manifest.json is not at the root of the package"]
    broken = {**package_files, "manifest.json": b'{"id": '}
    problems = teams_package.validate_package(zip_of(broken))
    assert len(problems) == 1 and problems[0].startswith("manifest.json is not valid JSON")


def test_unusable_schema_urls_are_problems_not_crashes(package_files, zip_of):
    def unofficial(m):
        m["$schema"] = "https://example.com/MicrosoftTeams.schema.json"

    problems = _problems(package_files, zip_of, unofficial)
    assert len(problems) == 1 and problems[0].startswith("manifest.json $schema") and "not an official" in problems[0]

    french = json.loads(package_files["fr.json"])
    french["$schema"] = (
        "https://developer.microsoft.com/json-schemas/teams/v1.18/MicrosoftTeams.Localization.schema.json"
    )
    problems = teams_package.validate_package(zip_of({**package_files, "fr.json": json.dumps(french).encode()}))
    assert len(problems) == 1 and problems[0].startswith("fr.json $schema") and "not bundled" in problems[0]


def test_localization_schema_of_another_version_is_rejected(package_files, zip_of):
    french = json.loads(package_files["fr.json"])
    french["$schema"] = french["$schema"].replace("/v1.22/", "/v1.21/")
    problems = teams_package.validate_package(zip_of({**package_files, "fr.json": json.dumps(french).encode()}))
    assert problems == ["fr.json $schema is not the v1.22 localization schema of manifest.json"]
