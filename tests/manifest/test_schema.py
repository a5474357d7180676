"""The built manifest and its French localization validate against the official Teams schemas,
offline, from the pinned npm package (Python's jsonschema, and the npm package's own validator)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from manifest import packaging as teams_package


def test_built_package_has_no_problems(package_files):
    assert teams_package.validate_package(package_files) == []


def test_manifest_validates_against_the_bundled_official_schema(manifest):
    url = manifest["$schema"]
    path = teams_package.schema_path(url)
    # A GA version (v1.19 or newer), never devPreview, read from the pinned npm package.
    assert path.is_relative_to(teams_package.SCHEMA_ROOT)
    assert path.parent.name.startswith("v1.")
    assert int(path.parent.name.split(".")[1]) >= 19
    assert manifest["manifestVersion"] == path.parent.name[1:]
    assert teams_package.schema_problems(manifest, url, "manifest.json") == []


def test_french_localization_validates_against_the_localization_schema(manifest, package_files):
    info = manifest["localizationInfo"]
    assert info["defaultLanguageTag"] == "en-us"
    files = {lang["languageTag"]: lang["file"] for lang in info["additionalLanguages"]}
    assert files == {"fr": "fr.json"}
    french = json.loads(package_files["fr.json"])
    assert teams_package.schema_path(french["$schema"]).name == "MicrosoftTeams.Localization.schema.json"
    assert teams_package.schema_problems(french, french["$schema"], "fr.json") == []
    # It really is a translation: the names and every command description differ from English.
    assert french["name.short"] != manifest["name"]["short"]
    for c, command_list in enumerate(manifest["bots"][0]["commandLists"]):
        for i, command in enumerate(command_list["commands"]):
            assert french[f"bots[0].commandLists[{c}].commands[{i}].description"] != command["description"]


NODE_VALIDATE = """
const { AppManifestUtils } = require("@microsoft/app-manifest");
const fs = require("fs");
AppManifestUtils.validateAgainstSchema(JSON.parse(fs.readFileSync(process.argv[1], "utf8")))
  .then(errors => console.log(JSON.stringify(errors)))
  .catch(e => { console.error(e.message); process.exit(3); });
"""


def _node_errors(manifest_path: Path) -> list[str]:
    node = shutil.which("node")
    assert node, "Node.js is needed: the manifest schemas come from npm (`make schemas`)"
    result = subprocess.run(
        [node, "-e", NODE_VALIDATE, str(manifest_path)],
        cwd=teams_package.MANIFEST_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_npm_validator_agrees_on_the_built_manifest(package_files, tmp_path):
    """A second opinion: the npm package's own (ajv) validation, which resolves $schema offline."""
    path = tmp_path / "manifest.json"
    path.write_bytes(package_files["manifest.json"])
    assert _node_errors(path) == []
    bad = json.loads(package_files["manifest.json"])
    bad["accentColor"] = "purple"
    path.write_text(json.dumps(bad))
    errors = _node_errors(path)
    assert len(errors) == 1 and "accentColor" in errors[0]


def test_missing_schema_files_say_to_run_make_schemas(package_files, tmp_path):
    with pytest.raises(teams_package.SchemaFilesMissing, match=r"make schemas.*npm ci"):
        teams_package.validate_package(package_files, schema_root=tmp_path / "node_modules-not-installed")


def test_build_fails_without_schema_files_and_writes_nothing(settings, tmp_path):
    out = tmp_path / "package.zip"
    with pytest.raises(teams_package.SchemaFilesMissing, match="make schemas"):
        teams_package.build_package(settings, out, schema_root=tmp_path / "missing")
    assert not out.exists()


@pytest.mark.parametrize(
    "url",
    [
        "https://developer.microsoft.com/json-schemas/teams/v1.22/MicrosoftTeams.schema.json",
        "https://developer.microsoft.com/en-us/json-schemas/teams/v1.22/MicrosoftTeams.schema.json",
        "https://developer.microsoft.com/fr-fr/json-schemas/teams/v1.22/MicrosoftTeams.schema.json",
    ],
)
def test_schema_url_forms_resolve_to_the_bundled_file(url):
    path = teams_package.schema_path(url)
    assert path == teams_package.SCHEMA_ROOT / "v1.22" / "MicrosoftTeams.schema.json"
    assert path.is_file()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://example.com/json-schemas/teams/v1.22/MicrosoftTeams.schema.json", "not an official"),
        ("http://developer.microsoft.com/json-schemas/teams/v1.22/MicrosoftTeams.schema.json", "not an official"),
        ("https://developer.microsoft.com/json-schemas/teams/v1.18/MicrosoftTeams.schema.json", "not bundled"),
    ],
)
def test_unknown_schema_urls_are_refused(url, message):
    with pytest.raises(teams_package.PackageError, match=message):
        teams_package.schema_path(url)


def test_chosen_schemas_compile_entirely_with_python_re(manifest, package_files):
    """v1.22 is the newest GA schema whose every pattern Python's re compiles (v1.23+ use \\p{L});
    check_schema compiles them all, so a bump to a schema with that problem shows up here."""
    from jsonschema import Draft7Validator

    for url in (manifest["$schema"], json.loads(package_files["fr.json"])["$schema"]):
        Draft7Validator.check_schema(teams_package.load_schema(url))
