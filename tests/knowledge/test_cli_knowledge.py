"""`callplan check` and `callplan advise`: human output, JSON, and one-line errors with exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse errors and --help
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


# --- check -------------------------------------------------------------------------------------


def test_check_json_has_the_contract_fields(capsys) -> None:
    code, out, err = run(capsys, "check", "+49 30 123456", "--country", "FR", "--plan", "MCOPSTN2", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert (data["callable"], data["reason"], data["destination_country"], data["scope"]) == (
        True,
        "international_included",
        "DE",
        "international",
    )
    assert data["pool_key"] == "FR|MCOPSTN2|international"
    assert data["normalized"] == "+4930123456"
    # the English text after the reason, as the contract has always listed it (made when asked)
    assert list(data)[:5] == ["verdict", "callable", "reason", "message", "number"]
    assert data["message"].startswith("An international call to Germany: included in ")


@pytest.mark.parametrize(
    "argv, verdict, reason",
    [
        (["0845 123 4567", "--country", "GB", "--plan", "MCOPSTN1"], "per_minute", "premium_needs_credits"),
        (["0845 123 4567", "--country", "GB", "--plan", "MCOPSTN1", "--credits"], "per_minute", "premium_via_credits"),
        (
            ["+49 30 123456", "--country", "France", "--plan", "MCOPSTN1", "--overage"],
            "per_minute",
            "international_via_credits",
        ),
        (["+55 11 3123 4567", "--country", "BR", "--carrier", "direct_routing"], "included", "via_carrier"),
        (["+33 1 23 45 67 89", "--country", "FR"], "not_callable", "no_pstn_option"),
        (
            ["+33 1 23 45 67 89", "--country", "FR", "--plan", "MCOPSTN1", "--dial-out", "none"],
            "not_callable",
            "blocked_by_dial_out_policy",
        ),
        (["112", "--country", "FR", "--plan", "MCOPSTN1"], "included", "emergency_allowed"),
        (["not a number", "--country", "FR", "--plan", "MCOPSTN1"], "not_callable", "not_a_number"),
    ],
)
def test_check_flags_reach_the_rules(capsys, argv, verdict, reason) -> None:
    code, out, _ = run(capsys, "check", *argv, "--json")
    data = json.loads(out)
    assert code == 0
    assert (data["verdict"], data["callable"], data["reason"]) == (verdict, verdict == "included", reason)


def test_check_human_output(capsys) -> None:
    code, out, _ = run(capsys, "check", "+49 30 123456", "--country", "FR", "--plan", "MCOPSTN1")
    assert code == 0
    assert out.startswith("PER MINUTE ONLY (Communications Credits or overage): ")
    assert "destination: Germany (DE)" in out
    assert "scope:       international" in out
    assert "Communications Credits" in out and "reason code: international_needs_credits" in out
    code, out, _ = run(capsys, "check", "+33 1 23 45 ****", "--country", "FR", "--plan", "MCOPSTN1")
    assert out.startswith("CALLABLE: ") and "masked" in out and "pool:        FR|MCOPSTN1|domestic" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["123", "--country", "Atlantis", "--plan", "MCOPSTN1"], "callplan check: I don't know the country 'Atlantis'"),
        (["123", "--country", "FR", "--plan", "MCOPSTN77"], "callplan check: Unknown plan or licence 'MCOPSTN77'"),
    ],
)
def test_check_bad_arguments_are_one_line_and_exit_2(capsys, argv, message) -> None:
    code, out, err = run(capsys, "check", *argv)
    assert code == 2 and out == ""
    assert err.startswith(message) and err.count("\n") == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["123", "--plan", "MCOPSTN1"],
        ["123", "--country", "FR", "--carrier", "pigeon"],
        ["123", "--country", "FR", "--dial-out", "sometimes"],
    ],
)
def test_check_argparse_errors_exit_2(capsys, argv) -> None:
    code, _, err = run(capsys, "check", *argv)
    assert code == 2 and "error:" in err


# --- advise ------------------------------------------------------------------------------------


def test_advise_json_has_the_contract_fields(capsys) -> None:
    code, out, err = run(
        capsys, "advise", "--country", "FR", "--users", "40", "--international", "--base", "E5", "--json"
    )
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["calling_plan"] == "MCOPSTN2" and data["needs_teams_phone"] is False
    assert isinstance(data["steps"], list) and data["steps"][0]["code"] == "buy_calling_plan"
    assert {(p["country"], p["plan"], p["line"], p["minutes"]) for p in data["pools"]} == {
        ("FR", "MCOPSTN2", "domestic", 48_000),
        ("FR", "MCOPSTN2", "international", 24_000),
    }


def test_advise_users_per_country_in_order(capsys) -> None:
    code, out, _ = run(
        capsys,
        "advise",
        "--country",
        "US",
        "--users",
        "10",
        "--country",
        "PR",
        "--users",
        "5",
        "--country",
        "BR",
        "--users",
        "2",
        "--base",
        "E5",
        "--json",
    )
    data = json.loads(out)
    assert code == 0
    assert data["pools"] == [
        {
            "country": "US",
            "plan": "MCOPSTN1",
            "sku": "MCOPSTN1",
            "line": "domestic",
            "users": 15,
            "minutes_per_user": 3000,
            "minutes": 45_000,
            "per_user": False,
        }
    ]
    assert data["alternatives"] == {"BR": ["operator_connect", "teams_phone_mobile", "direct_routing"]}


def test_advise_human_output(capsys) -> None:
    code, out, _ = run(
        capsys, "advise", "--country", "FR", "--users", "100", "--minutes-per-user", "100", "--base", "E3"
    )
    assert code == 0
    assert "Calling Plan: Domestic Calling Plan (120 minutes) (MCOPSTN5)" in out
    assert "Teams Phone: buy Teams Phone Standard" in out
    assert "1. Buy 100 Teams Phone Standard licences" in out
    assert "FR MCOPSTN5 domestic: 100 users x 120 = 12,000 minutes" in out
    assert "dial pad" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--country", "Atlantis", "--users", "3"], "callplan advise: unknown country 'Atlantis'"),
        (["--country", "FR", "--users", "3", "--base", "E9"], "callplan advise: unknown base licence 'E9'"),
        (
            ["--country", "FR", "--country", "DE", "--country", "IT", "--users", "3", "--users", "4"],
            "callplan advise: give --users once, or once per --country (3), not 2 times",
        ),
    ],
)
def test_advise_bad_arguments_are_one_line_and_exit_2(capsys, argv, message) -> None:
    code, out, err = run(capsys, "advise", *argv)
    assert code == 2 and out == ""
    assert err.startswith(message) and err.count("\n") == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["--country", "FR"],
        ["--users", "3"],
        ["--country", "FR", "--users", "0"],
        ["--country", "FR", "--users", "x"],
        ["--country", "FR", "--users", "3", "--carrier", "pigeon"],
        ["--country", "FR", "--users", "3", "--minutes-per-user", "-5"],
    ],
)
def test_advise_argparse_errors_exit_2(capsys, argv) -> None:
    code, _, err = run(capsys, "advise", *argv)
    assert code == 2 and "error:" in err


def test_help_is_useful(capsys) -> None:
    code, out, _ = run(capsys, "check", "--help")
    assert code == 0 and "--country" in out and "--plan" in out and "example" in out
    code, out, _ = run(capsys, "advise", "--help")
    assert code == 0 and "--international" in out and "--base" in out and "--carrier" in out


def test_console_script_end_to_end() -> None:
    """The real process: exit codes and streams as a shell sees them."""
    ok = subprocess.run(
        [sys.executable, "-m", "bot.cli", "check", "999", "--country", "GB", "--plan", "MCOPSTN1", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["reason"] == "emergency_allowed"
    bad = subprocess.run(
        [sys.executable, "-m", "bot.cli", "advise", "--country", "Narnia", "--users", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and bad.stdout == ""
    assert (
        bad.stderr.strip() == "callplan advise: unknown country 'Narnia': use a two-letter code (FR) or a name (France)"
    )
    assert "Traceback" not in bad.stderr
