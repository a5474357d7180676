"""``callplan import | pools | users | demo``: exit codes, output, and the real console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

#: The CLI's clock (``CALLPLAN_NOW``): early July 2025, after the June 2025 fixtures.
NOW = "2025-07-02T09:00:00Z"


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch) -> None:
    monkeypatch.setenv("CALLPLAN_NOW", NOW)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_then_pools_json_and_users(capsys, tmp_path, fixtures, export_zip) -> None:
    data = str(tmp_path / "data")
    code, out, _ = run(
        capsys,
        "import",
        str(fixtures / "users.admin-center.csv"),
        str(export_zip),
        str(fixtures / "graph_pages"),
        "--tenant",
        "contoso",
        "--data-dir",
        data,
    )
    assert code == 0
    assert "Tenant contoso" in out and "Direct Routing" in out
    assert "Total: 26 rows read, 26 imported, 0 duplicates, 0 rejected." in out

    code, out, _ = run(capsys, "pools", "--month", "2025-06", "--json", "--data-dir", data)
    assert code == 0
    document = json.loads(out)
    pools = {(p["country"], p["plan"], p["line"]): p for p in document["pools"]}
    # What the figures rest on: the three kinds of file, the newest call, the import time.
    assert document["tenant"] == "contoso" and document["month"] == "2025-06"
    assert document["data"]["source_kinds"] == ["pstn_csv", "graph", "roster"]
    assert document["data"]["last_import"] == "2025-07-02T09:00:00Z" and not document["data"]["demo"]
    assert document["data"]["newest_call"].startswith("2025-06-")
    gb = pools[("GB", "MCOPSTN5", "domestic")]
    # 130 min from the TAC export + 70 from the Graph pages, of 2 x 120 (see test_store.py).
    assert (gb["total_minutes"], gb["used_minutes"], gb["remaining_minutes"]) == (240, 200, 40)
    assert gb["percent_used"] == 83.33 and "runs_out_on" in gb
    assert pools[("US", "MCOPSTN1", "domestic")]["used_minutes"] == 90

    code, out, _ = run(capsys, "pools", "--month", "2025-06", "--data-dir", data)
    assert code == 0 and "Minute pools of contoso, 2025-06" in out
    assert (
        "Data: Teams admin center PSTN export, Graph getPstnCalls, user roster; newest call "
        f"{document['data']['newest_call'][:10]} "
    ) in out and "last import 2025-07-02 09:00 UTC" in out
    line = next(row for row in out.splitlines() if "MCOPSTN5" in row)
    assert line.split()[:7] == ["GB", "MCOPSTN5", "domestic", "2", "240", "200", "40"]
    # June 2025 is sized by the roster imported "now" (July 2025): the output says so.
    assert (
        "Pool sizes come from the user list imported in 2025-07: licences may have changed since." in out.splitlines()
    )

    code, out, _ = run(capsys, "users", "--data-dir", data)
    assert code == 0 and "Users of contoso (8)" in out and "chloe@contoso.com" in out
    code, out, _ = run(capsys, "users", "--json", "--data-dir", data)
    assert {u["upn"] for u in json.loads(out)} >= {"alice@contoso.com", "henry@contoso.com"}


def test_import_again_and_bad_rows(capsys, tmp_path, fixtures) -> None:
    data = str(tmp_path / "data")
    assert run(capsys, "import", str(fixtures / "users.plain.csv"), "--data-dir", data)[0] == 1
    code, out, _ = run(capsys, "import", str(fixtures / "PSTN.calls.bad-rows.csv"), "--data-dir", data)
    assert code == 1  # imported, but some rows were rejected
    assert "line 3: Start Time '2025-13-45T00:00:00Z' is not an ISO 8601 date-time" in out
    assert "line 11: User Location 'Narnia'" in out and "3 imported" in out
    code, out, _ = run(capsys, "import", str(fixtures / "PSTN.calls.bad-rows.csv"), "--data-dir", data)
    assert "0 imported, 3 duplicates, 5 rejected" in out


def test_usage_mistakes_exit_2_with_one_line(capsys, tmp_path, fixtures) -> None:
    data = str(tmp_path / "data")
    code, _out, err = run(capsys, "pools", "--data-dir", data)
    assert code == 2 and "is empty" in err and "callplan demo" in err

    junk = tmp_path / "notes.txt"
    junk.write_text("hello\n")
    code, _out, err = run(capsys, "import", str(fixtures / "users.plain.csv"), str(junk), "--data-dir", data)
    assert code == 2 and err.startswith("callplan import: ") and "notes.txt" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "data" / "store" / "tenants").exists()  # nothing imported

    code, _, err = run(capsys, "import", str(tmp_path / "missing.csv"), "--data-dir", data)
    assert code == 2 and "no such file" in err

    run(capsys, "import", str(fixtures / "users.plain.csv"), "--tenant", "a", "--data-dir", data)
    run(capsys, "import", str(fixtures / "users.plain.csv"), "--tenant", "b", "--data-dir", data)
    code, _, err = run(capsys, "pools", "--data-dir", data)
    assert code == 2 and "--tenant" in err
    code, _, err = run(capsys, "pools", "--tenant", "a", "--month", "June", "--data-dir", data)
    assert code == 2 and "YYYY-MM" in err
    code, _, err = run(capsys, "users", "--tenant", "c", "--data-dir", data)
    assert code == 2 and "no data for tenant c" in err
    code, _, err = run(capsys, "import", str(fixtures / "users.plain.csv"), "--tenant", "../x", "--data-dir", data)
    assert code == 2 and "not a tenant id" in err


def test_demo_command_and_data_dir_from_the_environment(capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "envdata"))
    code, out, _ = run(capsys, "demo")
    assert code == 0 and "Demo files written to" in out and "demo-tenant" in out
    assert (tmp_path / "envdata" / "demo" / "active-users.csv").is_file()
    code, out, _ = run(capsys, "pools", "--json")
    document = json.loads(out)
    pools = document["pools"]
    assert code == 0 and pools and all(p["month"] == "2025-07" for p in pools)
    assert document["data"]["demo"] and document["data"]["source_kinds"] == ["pstn_csv", "graph", "roster"]
    # On the 2nd: the newest call is from the last two days (Graph pages), not in the future.
    assert "2025-06-30" <= document["data"]["newest_call"] < NOW
    assert {p["country"] for p in pools} == {"FR", "GB", "DE", "US"}


def test_help_is_useful(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["import", "--help"])
    out = capsys.readouterr().out
    assert exit_.value.code == 0
    for text in ("PSTN.calls", "Calls.Export", "getPstnCalls", "upn,usage_location,licenses", "--tenant", "--data-dir"):
        assert text in out
    with pytest.raises(SystemExit):
        main(["pools", "--help"])
    assert "--month" in capsys.readouterr().out


def test_the_console_script(tmp_path, fixtures) -> None:
    script = Path(sys.executable).with_name("callplan")
    data = str(tmp_path / "data")
    done = subprocess.run(
        [
            str(script),
            "import",
            str(fixtures / "users.admin-center.csv"),
            str(fixtures / "getPstnCalls.array.json"),
            "--data-dir",
            data,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # not a terminal: no progress bar
    done = subprocess.run(
        [str(script), "pools", "--month", "2025-06", "--json", "--data-dir", data],
        capture_output=True,
        text=True,
        timeout=60,
    )
    pools = {(p["country"], p["plan"], p["line"]): p["used_minutes"] for p in json.loads(done.stdout)["pools"]}
    assert pools[("FR", "MCOPSTN2", "international")] == 11 and pools[("FR", "MCOPSTN2", "domestic")] == 4


def test_store_problems_are_one_line_not_a_traceback(capsys, tmp_path, fixtures) -> None:
    data = tmp_path / "data"
    assert run(capsys, "import", str(fixtures / "users.admin-center.csv"), "--data-dir", str(data))[0] == 0
    (data / "store" / "tenants" / "demo-tenant" / "summary.json").write_text("{ torn")
    code, _, err = run(capsys, "pools", "--data-dir", str(data))
    assert code == 2 and "damaged" in err and err.count("\n") == 1
    code, _, err = run(capsys, "users", "--data-dir", str(data))
    assert code == 2 and "damaged" in err

    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "store").write_text("a file where the store folder should be")
    code, _, err = run(capsys, "import", str(fixtures / "users.admin-center.csv"), "--data-dir", str(blocked))
    assert code == 2 and err.startswith("callplan import: ") and "Traceback" not in err


def test_data_commands_need_no_app_password(capsys, tmp_path, fixtures, monkeypatch) -> None:
    # An admin with the bot's app id in their environment can still import and read pools.
    monkeypatch.setenv("MicrosoftAppId", "c9e8c047-2a74-40a2-b28a-b162d5f5327c")
    monkeypatch.delenv("MicrosoftAppPassword", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "import", str(fixtures / "users.plain.csv"), "--tenant", "contoso")
    assert code == 1 and "2 imported" in out and "MicrosoftApp" not in err  # 1: the fixture's bad rows
    code, out, err = run(capsys, "users", "--tenant", "contoso")
    assert code == 0 and "@" in out, err
