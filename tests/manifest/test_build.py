"""Building the package: the zip layout, the ids and version filled from settings, the command
lists, reproducible output, and failures that write nothing."""

from __future__ import annotations

import importlib.metadata
import json
import re

import pytest

from manifest import packaging as teams_package


def test_zip_has_manifest_icons_and_french_file_at_the_root(built_zip, read_zip):
    import zipfile

    with zipfile.ZipFile(built_zip) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
    assert names[0] == "manifest.json"
    assert sorted(names) == ["color.png", "fr.json", "manifest.json", "outline.png"]
    assert all("/" not in name for name in names)
    manifest = json.loads(read_zip(built_zip)["manifest.json"])
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}


def test_ids_version_and_developer_come_from_settings(manifest, settings, app_id):
    assert manifest["id"] == app_id
    assert [bot["botId"] for bot in manifest["bots"]] == [app_id]
    assert manifest["version"] == importlib.metadata.version("calling-plan-assistant")
    assert manifest["developer"] == {
        "name": settings.DEVELOPER_NAME,
        "websiteUrl": settings.DEVELOPER_WEBSITE_URL,
        "privacyUrl": settings.DEVELOPER_PRIVACY_URL,
        "termsOfUseUrl": settings.DEVELOPER_TERMS_URL,
    }
    assert "${{" not in json.dumps(manifest)


def test_other_app_id_lands_in_both_ids(make_settings, read_zip, tmp_path):
    other = "ABCDEF01-2345-6789-abcd-ef0123456789"
    path = teams_package.build_package(make_settings(APP_ID=f"  {other}\n"), tmp_path / "p.zip")
    manifest = json.loads(read_zip(path)["manifest.json"])
    assert manifest["id"] == manifest["bots"][0]["botId"] == other


def test_bot_scopes_and_one_command_list_per_scope(manifest):
    bot = manifest["bots"][0]
    assert sorted(bot["scopes"]) == ["groupChat", "personal", "team"]
    lists = bot["commandLists"]
    assert sorted(scope for command_list in lists for scope in command_list["scopes"]) == sorted(bot["scopes"])
    for command_list in lists:
        assert len(command_list["scopes"]) == 1
        assert [c["title"] for c in command_list["commands"]] == ["plan", "check", "pool", "help"]
        assert all(0 < len(c["description"]) <= 80 for c in command_list["commands"])


def test_names_and_accent_colour(manifest):
    assert 0 < len(manifest["name"]["short"]) <= 30
    assert 0 < len(manifest["description"]["full"]) <= 4000
    for word in ("Calling Plan", "minute pool", "number"):
        assert word in manifest["description"]["full"]
    assert manifest["accentColor"].startswith("#") and len(manifest["accentColor"]) == 7
    assert manifest["$schema"].startswith("https://developer.microsoft.com/json-schemas/teams/v1.")


def test_builds_are_reproducible(settings, built_zip, tmp_path):
    again = teams_package.build_package(settings, tmp_path / "again.zip")
    assert again.read_bytes() == built_zip.read_bytes()


def test_out_folder_gets_the_default_file_name(settings, tmp_path):
    path = teams_package.build_package(settings, tmp_path)
    assert path == tmp_path / "calling-plan-assistant.zip" and path.is_file()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"APP_ID": ""}, r"^MicrosoftAppId is not set"),
        ({"APP_ID": None}, r"^MicrosoftAppId is not set"),
        ({"APP_ID": "   "}, r"^MicrosoftAppId is not set"),
        ({"APP_ID": "my-bot"}, r"^MicrosoftAppId 'my-bot' is not a GUID"),
        ({"APP_ID": "0f8d6a4e2b1c4d3e9f101a2b3c4d5e6f"}, r"is not a GUID"),
        ({"DEVELOPER_NAME": ""}, r"^DEVELOPER_NAME is not set"),
        ({"DEVELOPER_NAME": "C" * 33}, r"^DEVELOPER_NAME .* longer than the 32 characters"),
        ({"DEVELOPER_TERMS_URL": "http://contoso.example/terms"}, r"^DEVELOPER_TERMS_URL .* not an https:// URL"),
        ({"DEVELOPER_WEBSITE_URL": "contoso.example"}, r"^DEVELOPER_WEBSITE_URL .* not an https:// URL"),
    ],
)
def test_bad_settings_are_refused_and_the_old_package_survives(make_settings, built_zip, override, message):
    before = built_zip.read_bytes()
    with pytest.raises(teams_package.PackageError, match=message):
        teams_package.build_package(make_settings(**override), built_zip)
    assert built_zip.read_bytes() == before


def test_two_bad_settings_are_reported_together(make_settings, tmp_path):
    with pytest.raises(teams_package.PackageError) as caught:
        teams_package.build_package(make_settings(APP_ID="", DEVELOPER_PRIVACY_URL=""), tmp_path / "p.zip")
    assert "MicrosoftAppId" in str(caught.value) and "DEVELOPER_PRIVACY_URL" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_non_semver_version_is_refused(settings, tmp_path):
    with pytest.raises(teams_package.PackageError, match=re.escape("'0.1.0.dev3' is not MAJOR.MINOR.PATCH")):
        teams_package.build_package(settings, tmp_path / "p.zip", version="0.1.0.dev3")


def _copy_manifest_dir(tmp_path):
    import shutil

    target = tmp_path / "manifest"
    shutil.copytree(teams_package.MANIFEST_DIR, target, ignore=shutil.ignore_patterns("node_modules"))
    return target


def test_invalid_template_is_refused_and_nothing_is_written(settings, tmp_path):
    manifest_dir = _copy_manifest_dir(tmp_path)
    template = json.loads((manifest_dir / "manifest.json").read_text())
    template["accentColor"] = "purple"
    template["bots"][0]["scopes"][2] = "groupchat"
    (manifest_dir / "manifest.json").write_text(json.dumps(template))
    out = tmp_path / "p.zip"
    with pytest.raises(teams_package.PackageError) as caught:
        teams_package.build_package(settings, out, manifest_dir=manifest_dir)
    message = str(caught.value)
    assert message.startswith("the package is not valid (")
    assert "accentColor" in message and "'groupchat'" in message
    assert not out.exists()


def test_unknown_placeholder_and_missing_icon_are_named(settings, tmp_path):
    manifest_dir = _copy_manifest_dir(tmp_path)
    text = (manifest_dir / "manifest.json").read_text()
    (manifest_dir / "manifest.json").write_text(text.replace("${{DEVELOPER_NAME}}", "${{PUBLISHER}}"))
    with pytest.raises(teams_package.PackageError, match=r"uses \$\{\{PUBLISHER\}\}, which the build does not fill"):
        teams_package.build_package(settings, tmp_path / "p.zip", manifest_dir=manifest_dir)
    (manifest_dir / "manifest.json").write_text(text)
    (manifest_dir / "icons" / "outline.png").unlink()
    with pytest.raises(teams_package.PackageError, match=r"outline.png is missing.*draw_icons.py"):
        teams_package.build_package(settings, tmp_path / "p.zip", manifest_dir=manifest_dir)
    (manifest_dir / "manifest.json").write_text("{not json")
    with pytest.raises(teams_package.PackageError, match="is not valid JSON"):
        teams_package.build_package(settings, tmp_path / "p.zip", manifest_dir=manifest_dir)


def test_unwritable_out_path_is_a_clear_error(settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(teams_package.PackageError, match="cannot write"):
        teams_package.build_package(settings, blocker / "p.zip")
