"""`callplan package` in-process through bot.cli.main, with settings from the environment."""

from __future__ import annotations

import json
import re
import zipfile

import pytest

from bot import cli
from bot.config import environment_names
from manifest import packaging as teams_package


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """No settings leak in from the machine: no variables, and no .env in the working folder."""
    for name in environment_names():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_package_command_writes_the_zip(monkeypatch, tmp_path, capsys, app_id, read_zip):
    monkeypatch.setenv("MicrosoftAppId", app_id)
    monkeypatch.setenv("MicrosoftAppPassword", "not-used-by-packaging")
    monkeypatch.setenv("DEVELOPER_NAME", "Fabrikam Telecom Team")
    monkeypatch.setenv("DEVELOPER_PRIVACY_URL", "https://fabrikam.example/privacy")
    out = tmp_path / "dist" / "app.zip"

    assert cli.main(["package", "--out", str(out)]) == 0

    assert str(out) in capsys.readouterr().out
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "fr.json", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["id"] == manifest["bots"][0]["botId"] == app_id
    assert manifest["developer"]["name"] == "Fabrikam Telecom Team"
    assert manifest["developer"]["privacyUrl"] == "https://fabrikam.example/privacy"
    assert teams_package.validate_package(read_zip(out)) == []


def test_package_command_reads_a_dot_env_file(tmp_path, app_id):
    (tmp_path / ".env").write_text(f"MicrosoftAppId={app_id}\nMicrosoftAppPassword=secret\n")
    assert cli.main(["package", "--out", str(tmp_path)]) == 0
    with zipfile.ZipFile(tmp_path / "calling-plan-assistant.zip") as archive:
        assert json.loads(archive.read("manifest.json"))["id"] == app_id


def test_missing_app_id_exits_2_and_names_microsoftappid(tmp_path, capsys):
    out = tmp_path / "app.zip"
    assert cli.main(["package", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("callplan package: MicrosoftAppId is not set")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()


def test_malformed_app_id_exits_2(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("MicrosoftAppId", "calling-plan-bot")
    monkeypatch.setenv("MicrosoftAppPassword", "secret")
    assert cli.main(["package", "--out", str(tmp_path / "app.zip")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("callplan package: MicrosoftAppId 'calling-plan-bot' is not a GUID")
    assert not (tmp_path / "app.zip").exists()


def test_bad_developer_setting_exits_2(monkeypatch, tmp_path, capsys, app_id):
    monkeypatch.setenv("MicrosoftAppId", app_id)
    monkeypatch.setenv("MicrosoftAppPassword", "secret")
    monkeypatch.setenv("DEVELOPER_TERMS_URL", "http://fabrikam.example/terms")
    assert cli.main(["package", "--out", str(tmp_path / "app.zip")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("callplan package: ") and "DEVELOPER_TERMS_URL" in err and "https" in err
    assert "Traceback" not in err


def test_help_explains_the_command(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["package", "--help"])
    assert exited.value.code == 0
    # Undo argparse's line wrapping, which may split a hyphenated word.
    text = re.sub(r"-\s+", "-", " ".join(capsys.readouterr().out.split()))
    for needle in ("--out", "MicrosoftAppId", "make schemas", "Upload a custom app", "calling-plan-assistant.zip"):
        assert needle in text


def test_unknown_option_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["package", "--output", "x.zip"])
    assert exited.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err
