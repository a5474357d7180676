"""What ``callplan check`` prints, from the real console script in a fresh process (the one that
starts without pydantic and reads the cached catalog), is what the same verdict gives when the
catalog is validated from its files: the text and ``--json`` outputs byte for byte, and the
verdict and reason code the chat's number check gives for the same question
(tests/bot/test_verdicts_http.py). Guards the start-up work of issue 14 (lazy imports, the
catalog cache): a start made faster must not change a word.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.commands.knowledge import format_verdict, verdict_json
from knowledge import catalog as catalog_module
from knowledge.numbers import check_call

CALLPLAN = str(Path(sys.executable).parent / "callplan")
#: This checkout first on the child's path (the console script's own folder is the venv's bin).
ROOT = Path(__file__).resolve().parents[2]

# (number, country, plan, extra options) -> (verdict, reason), as the chat answers them for a
# user in France on the Domestic Calling Plan, plus a masked number, an emergency number, a
# per-user plan, no plan and a dial-out policy.
CASES = [
    (("01 23 45 67 89", "FR", "MCOPSTN1", []), ("included", "domestic_included")),
    (("+44 20 7946 0958", "FR", "MCOPSTN1", []), ("per_minute", "international_needs_credits")),
    (("+44 843 123 4567", "FR", "MCOPSTN1", []), ("per_minute", "premium_needs_credits")),
    (("+44 909 879 0000", "FR", "MCOPSTN1", []), ("not_callable", "premium_blocked")),
    (("+53 7 8123456", "FR", "MCOPSTN1", []), ("not_callable", "destination_not_included")),
    (("+44 7911 123456", "FR", "MCOPSTN1", []), ("not_callable", "destination_shares_code")),
    (("+33 1 23 45 ****", "FR", "MCOPSTN1", []), ("included", "domestic_included")),
    (("112", "FR", "MCOPSTN1", []), ("included", "emergency_allowed")),
    (
        ("+49 30 123456", "FR", "MCOPSTN1", ["--dial-out", "domestic"]),
        ("not_callable", "international_blocked_by_policy"),
    ),
]


def _dial_out(extra: list[str]) -> str:
    return extra[1] if extra[:1] == ["--dial-out"] else "international"


@pytest.fixture
def validated(monkeypatch: pytest.MonkeyPatch) -> catalog_module.Catalog:
    """This process answers from a catalog validated from the files (pydantic), not the cache."""
    catalog = catalog_module._load(catalog_module.DATA_DIR)
    monkeypatch.setattr(catalog_module, "_cached", lambda data_dir: catalog)
    return catalog


def _cli(args: list[str], tmp_path: Path) -> str:
    result = subprocess.run(
        [sys.executable, CALLPLAN, "check", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr == ""
    return result.stdout


@pytest.mark.parametrize("question, expected", CASES, ids=[c[1][1] + "-" + c[0][0] for c in CASES])
def test_check_prints_what_the_validated_catalog_gives(validated, tmp_path, question, expected):
    number, country, plan, extra = question
    verdict = check_call(number, country, plan, dial_out=_dial_out(extra))
    assert (verdict.verdict, verdict.reason) == expected  # the chat's verdict for this question

    args = [number, "--country", country, "--plan", plan, *extra]
    assert _cli(args, tmp_path) == format_verdict(verdict) + "\n"
    printed = _cli([*args, "--json"], tmp_path)
    assert printed == json.dumps(verdict_json(verdict), ensure_ascii=False, indent=2) + "\n"
    assert (json.loads(printed)["verdict"], json.loads(printed)["reason"]) == expected


def test_the_fixture_answers_from_the_validated_catalog(validated):
    """The in-process side of the comparison really uses the catalog validated above."""
    assert catalog_module.load_catalog() is validated
