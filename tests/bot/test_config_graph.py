"""The Graph sync settings: defaults, parsing, and a secret that never shows."""

from __future__ import annotations

import logging

import pytest

from bot.config import Settings, SettingsError, load_settings
from bot.graph import SyncNotConfigured, graph_config

SECRET = "Gq8~graph-client-secret"


def test_defaults():
    s = Settings(_env_file=None)
    assert s.GRAPH_AUTHORITY == "https://login.microsoftonline.com"
    assert s.GRAPH_ENDPOINT == "https://graph.microsoft.com/v1.0"
    assert s.SYNC_INTERVAL_MINUTES == 30 and frozenset() == s.SYNC_TENANTS
    with pytest.raises(SyncNotConfigured, match="GRAPH_CLIENT_ID"):
        graph_config(s)


def test_tenants_are_a_comma_list_and_the_secret_stays_hidden(monkeypatch, caplog):
    monkeypatch.setenv("SYNC_TENANTS", " 0F6B1A2C-3D4E-4F50-8A1B-2C3D4E5F6A7B, contoso.onmicrosoft.com ,")
    monkeypatch.setenv("GRAPH_CLIENT_ID", "11111111-2222-3333-4444-555555555555")
    monkeypatch.setenv("GRAPH_CLIENT_SECRET", SECRET)
    s = load_settings(_env_file=None)
    assert {"0f6b1a2c-3d4e-4f50-8a1b-2c3d4e5f6a7b", "contoso.onmicrosoft.com"} == s.SYNC_TENANTS
    config = graph_config(s)
    assert config.credential() == SECRET
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").info("settings %s %r %s", s, s, config)
    shown = repr(s) + str(s) + str(s.model_dump()) + repr(config) + caplog.text
    assert SECRET not in shown


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SYNC_INTERVAL_MINUTES", "-5"),
        ("SYNC_TENANTS", "contoso.com, not a tenant!"),
        ("GRAPH_ENDPOINT", "http://graph.microsoft.com/v1.0"),
        ("GRAPH_AUTHORITY", "login.microsoftonline.com"),
    ],
)
def test_invalid_values_name_the_variable(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    monkeypatch.setenv("GRAPH_CLIENT_SECRET", SECRET)
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    assert name in str(caught.value) and SECRET not in str(caught.value)
