"""Commands that do not serve start without the host: no aiohttp, botbuilder or bot app.

Each case runs the real ``callplan`` console script in a fresh interpreter with
``-X importtime``, which lists every module the process imported, and looks for the host's.
(How fast they start is measured in bench/bench_startup.py, as ratios, not asserted here.)
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

CALLPLAN = str(Path(sys.executable).parent / "callplan")
#: This checkout, first on the path of every process these tests start: the console script's own
#: folder is the venv's ``bin``, so without it the packages would come from wherever the venv's
#: editable install points (another worktree sharing the venv), not from the code under test.
ROOT = Path(__file__).resolve().parents[2]
# The web host and the SDK: only `serve` and `dev` need them.
HOST_PACKAGES = {"aiohttp", "botbuilder", "botframework", "msrest"}
HOST_MODULES = {
    "bot.app",
    "bot.messages",
    "bot.adapter",
    "bot.teams_bot",
    "bot.client_reuse",
    "bot.state",
    "bot.outbound",
    "bot.scheduler",
    "bot.token_gate",
}
_IMPORTED = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)\s*$", re.MULTILINE)


def imported_modules(args: list[str], tmp_path: Path) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", CALLPLAN, *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    modules = set(_IMPORTED.findall(result.stderr))
    assert "bot.cli" in modules  # the real entry point ran, and -X importtime listed it
    return modules


def host_modules(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in HOST_PACKAGES or m in HOST_MODULES}


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["check", "+44 20 7946 0958", "--country", "FR", "--plan", "MCOPSTN1"],
        ["advise", "--country", "FR", "--users", "40", "--international", "--base", "E5"],
        ["pools", "--help"],
        ["users", "--help"],
        ["import", "--help"],
        ["demo", "--help"],
        ["package", "--help"],
        ["sync", "--help"],
    ],
    ids=lambda args: args[0],
)
def test_commands_that_do_not_serve_do_not_load_the_host(args, tmp_path):
    assert host_modules(imported_modules(args, tmp_path)) == set()


def test_help_and_check_do_not_load_the_graph_client_or_the_store(tmp_path):
    for args in (["--help"], ["check", "0033 1 23 45 67 89", "--country", "FR", "--plan", "MCOPSTN1"]):
        modules = imported_modules(args, tmp_path)
        assert not {m for m in modules if m.split(".")[0] in {"msal", "requests", "tinydb"}}, args


def test_the_check_sees_the_host_when_it_is_loaded(tmp_path):
    """`serve --help` loads the host module of the CLI but not the app; the detector itself
    works: `python -X importtime -c 'import bot.app'` lists aiohttp and bot.app."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import bot.app"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert {"aiohttp", "bot.app"} <= host_modules(set(_IMPORTED.findall(result.stderr)))


def test_check_loads_no_pydantic(tmp_path):
    """`check` reads the validated catalog kept between processes and answers with plain
    dataclasses: pydantic is imported only to validate the catalog, so neither it nor its core
    is in the import set (issue 14: it was most of `check`'s start)."""
    args = ["check", "+44 20 7946 0958", "--country", "FR", "--plan", "MCOPSTN1"]
    imported_modules(args, tmp_path)  # the first may write the catalog cache
    modules = imported_modules(args, tmp_path)
    assert "knowledge.numbers" in modules and "knowledge.catalog" in modules  # the real check ran
    assert not {m for m in modules if m.split(".")[0] in {"pydantic", "pydantic_core", "pydantic_settings", "tinydb"}}


def test_check_loads_only_what_reading_the_cached_catalog_needs(tmp_path):
    """Neither the constraint types the catalog's validation reads (annotated_types,
    typing_extensions), nor logging and tempfile (a good catalog cache is read, not written,
    and nothing is logged), nor importlib.resources (the data files are read by path), nor
    hashlib (the cache key is the built-in hash of .pyc files), nor the file models
    (knowledge.catalog_files: ten dataclasses the cached catalog does not hold): each was
    milliseconds of `check`'s start (issue 14). Validating still finds the constraints: see
    tests/knowledge/test_catalog.py and the probe below."""
    args = ["check", "+44 20 7946 0958", "--country", "FR", "--plan", "MCOPSTN1"]
    imported_modules(args, tmp_path)  # the first may write the catalog cache
    modules = imported_modules(args, tmp_path)
    assert "knowledge.catalog_cache" in modules and "knowledge.articles" in modules  # the real check ran
    unwanted = {"annotated_types", "typing_extensions", "logging", "tempfile", "importlib.resources", "hashlib"}
    unwanted.add("knowledge.catalog_files")  # the file models: validation only, not in the cached catalog
    assert modules & unwanted == set()


def test_check_reads_the_cached_catalog_and_validates_nothing(tmp_path):
    """The second ``check`` of a process tree unpickles the validated catalog kept in
    ``knowledge/data/__pycache__`` (``knowledge.catalog_cache``) instead of validating the
    seven files: no validator of ``knowledge.catalog`` is built and pydantic is never imported.
    The probe detects a validation: it imports pydantic itself, then counts the validators."""
    probe = (
        "import sys; from bot.cli import main; main(sys.argv[1:]);"
        "import knowledge.catalog as c;"
        "print('PYDANTIC', 'pydantic' in sys.modules, 'VALIDATORS', c._adapter.cache_info().currsize)"
    )
    args = ["check", "+44 20 7946 0958", "--country", "FR", "--plan", "MCOPSTN1"]
    for _ in range(2):  # the first may write the cache; the second must read it
        result = subprocess.run(
            [sys.executable, "-c", probe, *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            env={"PATH": "/usr/bin:/bin", "DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)},
        )
        assert result.returncode == 0, result.stderr[-2000:]
    assert "CALLABLE" in result.stdout or "PER MINUTE" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "PYDANTIC False VALIDATORS 0"


def test_the_probe_sees_a_validation(tmp_path):
    """The counter of the test above moves when the catalog is validated (a fresh folder)."""
    probe = (
        "import sys, shutil; import knowledge.catalog as c;"
        "shutil.copytree(c.DATA_DIR, sys.argv[1], ignore=shutil.ignore_patterns('__pycache__'));"
        "c.load_catalog(sys.argv[1]);"
        "print('PYDANTIC', 'pydantic' in sys.modules, 'VALIDATORS', c._adapter.cache_info().currsize)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "data")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "PYDANTIC True VALIDATORS 7"
