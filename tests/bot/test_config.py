"""Settings: names, defaults, parsing, one-line errors, and what the SDK reads from them."""

from __future__ import annotations

from pathlib import Path

import pytest
from botbuilder.integration.aiohttp import ConfigurationServiceClientCredentialFactory

from bot.config import Settings, SettingsError, is_loopback, load_settings


def test_defaults(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .env here
    s = load_settings()
    assert (
        "127.0.0.1",
        3978,
        Path("data"),
        "INFO",
        56150,
    ) == (s.HOST, s.PORT, s.DATA_DIR, s.LOG_LEVEL, s.PLAYGROUND_PORT)
    assert s.APP_ID == "" and s.APP_TYPE == "MultiTenant" and frozenset() == s.ALLOWED_TENANTS
    assert s.local_mode
    for url in (s.DEVELOPER_WEBSITE_URL, s.DEVELOPER_PRIVACY_URL, s.DEVELOPER_TERMS_URL):
        assert url.startswith("https://")
    assert s.state_dir == Path("data") / "state"


def test_azure_names_map_to_the_attributes_the_sdk_reads(monkeypatch):
    monkeypatch.setenv("MicrosoftAppId", " 11111111-2222-3333-4444-555555555555 ")
    monkeypatch.setenv("MicrosoftAppPassword", "s3cret")
    monkeypatch.setenv("MicrosoftAppType", "singletenant")
    monkeypatch.setenv("MicrosoftAppTenantId", "contoso.onmicrosoft.com")
    s = Settings(_env_file=None)
    assert s.APP_ID == "11111111-2222-3333-4444-555555555555"
    assert (s.APP_PASSWORD, s.APP_TYPE, s.APP_TENANTID) == ("s3cret", "SingleTenant", "contoso.onmicrosoft.com")
    assert not s.local_mode
    assert "s3cret" not in repr(s)
    # The SDK's own factory accepts the settings object as its configuration.
    factory = ConfigurationServiceClientCredentialFactory(s)
    assert factory._inner.app_id == s.APP_ID and factory._inner.tenant_id == s.APP_TENANTID


def test_allowed_tenants_is_a_comma_list(monkeypatch):
    monkeypatch.setenv("ALLOWED_TENANTS", " 72F988BF-86f1-41af-91ab-2d7cd011db47, contoso.com,, ")
    assert (
        frozenset({"72f988bf-86f1-41af-91ab-2d7cd011db47", "contoso.com"}) == Settings(_env_file=None).ALLOWED_TENANTS
    )


def test_dotenv_file_is_read_and_environment_wins(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text("PORT=4000\nLOG_LEVEL=debug\nUNRELATED=1\n")
    monkeypatch.chdir(tmp_path)
    assert (load_settings().PORT, load_settings().LOG_LEVEL) == (4000, "DEBUG")
    monkeypatch.setenv("PORT", "4001")
    assert load_settings().PORT == 4001


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"PORT": "abc"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"PLAYGROUND_PORT": "-1"}, "PLAYGROUND_PORT"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"MicrosoftAppType": "Personal"}, "MicrosoftAppType"),
        ({"DEVELOPER_PRIVACY_URL": "http://contoso.com/privacy"}, "DEVELOPER_PRIVACY_URL"),
        ({"DEVELOPER_TERMS_URL": "terms"}, "DEVELOPER_TERMS_URL"),
        ({"ALLOWED_TENANTS": "contoso.com, not a tenant!"}, "ALLOWED_TENANTS"),
        ({"HOST": "my host"}, "HOST"),
        ({"DATA_DIR": "  "}, "DATA_DIR"),
        ({"MicrosoftAppId": "abc"}, "MicrosoftAppPassword"),
        ({"MicrosoftAppPassword": "abc"}, "MicrosoftAppId"),
        (
            {"MicrosoftAppType": "SingleTenant", "MicrosoftAppId": "a", "MicrosoftAppPassword": "b"},
            "MicrosoftAppTenantId",
        ),
    ],
)
def test_invalid_values_give_one_line_naming_the_variable(monkeypatch, env, named):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    message = str(caught.value)
    assert named in message
    assert "\n" not in message
    assert "pydantic" not in message.lower()


def test_the_password_is_never_echoed(monkeypatch):
    monkeypatch.setenv("MicrosoftAppPassword", "hunter2-very-secret")
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    assert "hunter2" not in str(caught.value)


def test_local_mode_binds_loopback_only():
    s = Settings(_env_file=None, HOST="0.0.0.0")
    assert s.local_mode and s.bind_host == "127.0.0.1"
    assert Settings(_env_file=None, HOST="::1").bind_host == "::1"
    configured = Settings(_env_file=None, HOST="0.0.0.0", APP_ID="a", APP_PASSWORD="b")
    assert configured.bind_host == "0.0.0.0"


def test_is_loopback():
    assert all(map(is_loopback, ["127.0.0.1", "127.8.9.1", "localhost", "::1", "[::1]"]))
    assert not any(map(is_loopback, ["0.0.0.0", "10.0.0.1", "example.com", "::"]))


def test_packaging_needs_the_app_id_but_not_the_password(monkeypatch):
    monkeypatch.setenv("MicrosoftAppId", "c9e8c047-2a74-40a2-b28a-b162d5f5327c")
    with pytest.raises(SettingsError, match="MicrosoftAppPassword"):
        load_settings(_env_file=None)
    settings = load_settings(serving=False, _env_file=None)
    assert settings.APP_ID == "c9e8c047-2a74-40a2-b28a-b162d5f5327c"
    assert settings.credential_problem() == "MicrosoftAppPassword is required when MicrosoftAppId is set"


def test_environment_names_cover_every_setting_and_the_names_users_set():
    """What the tests and the held-out harness clear so the host's settings never leak in."""
    from bot.config import environment_names

    names = set(environment_names())
    assert set(Settings.model_fields) <= names
    assert {"MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppType", "MicrosoftAppTenantId"} <= names
    assert len(names) == len(environment_names())  # each once
