"""Shared fixtures: a settings stand-in and a package built for real into a temp folder.

The schema files come from ``manifest/node_modules`` (``make schemas``; ``make test`` runs it
first). When they are missing the build raises ``SchemaFilesMissing`` and the tests FAIL with
its message, which says to run ``make schemas``: nothing here is skipped.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from manifest import packaging as teams_package

APP_ID = "0f8d6a4e-2b1c-4d3e-9f10-1a2b3c4d5e6f"


def make_settings(**overrides: str) -> SimpleNamespace:
    """An object with the attributes ``bot.config.Settings`` exposes for packaging."""
    values = {
        "APP_ID": APP_ID,
        "DEVELOPER_NAME": "Contoso IT",
        "DEVELOPER_WEBSITE_URL": "https://contoso.example/calling-plans",
        "DEVELOPER_PRIVACY_URL": "https://contoso.example/privacy",
        "DEVELOPER_TERMS_URL": "https://contoso.example/terms",
    }
    values.update(overrides)
    return SimpleNamespace(**values)


def read_zip(path: Path | io.BytesIO) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zip_of(files: dict[str, bytes]) -> dict[str, bytes]:
    """Round-trip package content through a real zip, as Teams would read it."""
    return read_zip(io.BytesIO(teams_package.zip_bytes(files)))


# Test modules are imported with --import-mode=importlib, so they cannot import this file:
# the helpers reach them as fixtures.
@pytest.fixture(name="make_settings")
def make_settings_fixture():
    return make_settings


@pytest.fixture(name="read_zip")
def read_zip_fixture():
    return read_zip


@pytest.fixture(name="zip_of")
def zip_of_fixture():
    return zip_of


@pytest.fixture
def app_id() -> str:
    return APP_ID


@pytest.fixture
def settings() -> SimpleNamespace:
    return make_settings()


@pytest.fixture
def built_zip(tmp_path: Path, settings: SimpleNamespace) -> Path:
    return teams_package.build_package(settings, tmp_path / "out" / "package.zip")


@pytest.fixture
def package_files(built_zip: Path) -> dict[str, bytes]:
    return read_zip(built_zip)


@pytest.fixture
def manifest(package_files: dict[str, bytes]) -> dict:
    return json.loads(package_files["manifest.json"])
