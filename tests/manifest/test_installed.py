"""The packaging code ships with what it reads: it works from an installed project, not only
from a checkout (``manifest`` is a package; the template, fr.json and icons its package data)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import manifest
from bot import config
from manifest import packaging as teams_package

ROOT = Path(__file__).resolve().parents[2]


def test_the_manifest_folder_is_the_package_not_a_checkout_path():
    assert Path(manifest.__file__).resolve().parent == teams_package.MANIFEST_DIR
    assert not teams_package.DEFAULT_OUT.is_absolute()  # under the working folder


def test_package_data_holds_every_file_the_build_reads(package_files):
    """Every file of a real package (the template and what it references) is package data."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    assert "manifest" in setuptools["packages"]["find"]["include"]
    shipped = {
        path.relative_to(teams_package.MANIFEST_DIR).as_posix()
        for pattern in setuptools["package-data"]["manifest"]
        for path in teams_package.MANIFEST_DIR.glob(pattern)
    }
    template = teams_package.read_json(teams_package.MANIFEST_DIR / teams_package.MANIFEST_NAME)
    referenced = teams_package.referenced_files(template)
    read = {teams_package.MANIFEST_NAME} | {
        f"{teams_package.ICONS_SUBDIR}/{name}" if kind == "icon" else name for name, kind in referenced.items()
    }
    assert read <= shipped
    assert set(package_files) == {teams_package.MANIFEST_NAME, *referenced}  # nothing read from elsewhere


def test_settings_and_package_share_the_developer_rules(make_settings, tmp_path):
    """One rule each, in bot/config.py: https developer URLs and the publisher name's length."""
    assert teams_package.is_https_url is config.is_https_url
    for url in ("http://fabrikam.example", "https://", "https://fab rikam.example", "ftp://x"):
        assert not config.is_https_url(url)
        try:
            teams_package.build_package(make_settings(DEVELOPER_TERMS_URL=url), tmp_path / "p.zip")
        except teams_package.PackageError as exc:
            assert "DEVELOPER_TERMS_URL" in str(exc)
        else:
            raise AssertionError(f"{url!r} was accepted")
    too_long = "x" * (config.DEVELOPER_NAME_MAX_CHARS + 1)
    try:
        teams_package.build_package(make_settings(DEVELOPER_NAME=too_long), tmp_path / "p.zip")
    except teams_package.PackageError as exc:
        assert f"{config.DEVELOPER_NAME_MAX_CHARS} characters" in str(exc)
    else:
        raise AssertionError("a too long developer name was accepted")
