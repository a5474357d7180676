"""``callplan serve`` / ``python -m bot`` / ``callplan dev`` as real processes, all bounded."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from knowledge.store import DEFAULT_TENANT_ID, Store
from testkit.clock import DEMO_NOW_ENV
from testkit.narrow import present

BIN = Path(sys.executable).parent
CALLPLAN = str(BIN / "callplan")
URL_LINE = re.compile(r"(http://[\w.\[\]:]+?:\d+)/api/messages")


def base_env(tmp_path: Path, path: str | None = None) -> dict[str, str]:
    """A clean environment: no bot settings from the machine, PATH as given."""
    return {
        "PATH": path if path is not None else os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "CALLPLAN_NOW": DEMO_NOW_ENV,  # the processes' clock (the demo they seed): never the wall clock
    }


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=tmp_path, env={**base_env(tmp_path), **env}, capture_output=True, text=True, timeout=60
    )


class Running:
    """A started bot process; ``url`` is read from its first output line."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self.url = ""

    def wait_for(self, pattern: str, timeout: float = 60) -> re.Match:
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while time.monotonic() < deadline:
            line = present(self.proc.stdout).readline()
            if not line:
                break
            self.lines.append(line)
            match = regex.search(line)
            if match:
                return match
        self.stop()
        raise AssertionError(
            f"{pattern!r} not printed; output: {''.join(self.lines)}\nstderr: {present(self.proc.stderr).read()}"
        )

    def wait_for_bot(self) -> str:
        self.url = self.wait_for(URL_LINE.pattern).group(1)
        return self.url

    def stop(self, sig: int = signal.SIGINT, timeout: float = 20) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise


def get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def refuses_connections(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2)
    except (urllib.error.URLError, ConnectionError, OSError):
        return True
    return False


# --- help and one-line errors ---------------------------------------------------------------


def test_serve_help_is_useful(tmp_path):
    result = run([CALLPLAN, "serve", "--help"], tmp_path)
    assert result.returncode == 0
    for word in ("/api/messages", "/healthz", "MicrosoftAppId", "ALLOWED_TENANTS", "DATA_DIR", "--port", "local mode"):
        assert word in result.stdout, word
    module = run([sys.executable, "-m", "bot", "--help"], tmp_path)
    assert module.returncode == 0 and module.stdout == result.stdout


def test_dev_help_mentions_the_playground(tmp_path):
    result = run([CALLPLAN, "dev", "--help"], tmp_path)
    assert result.returncode == 0
    assert "Agents" in result.stdout and "0.2.28" in result.stdout and "--no-playground" in result.stdout


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"PORT": "abc"}, "callplan serve: invalid setting PORT"),
        ({"MicrosoftAppId": "c9e8c047"}, "callplan serve: invalid settings: MicrosoftAppPassword is required"),
        ({"LOG_LEVEL": "chatty"}, "callplan serve: invalid setting LOG_LEVEL"),
    ],
)
def test_invalid_setting_stops_serve_with_one_line(tmp_path, env, expected):
    result = run([CALLPLAN, "serve"], tmp_path, **env)
    assert result.returncode == 2
    assert result.stderr.startswith(expected)
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_unusable_data_dir_and_busy_port_are_one_line_errors(tmp_path):
    (tmp_path / "afile").write_text("not a folder")
    result = run([CALLPLAN, "serve", "--data-dir", "afile/data"], tmp_path)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("callplan serve: DATA_DIR")

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run([CALLPLAN, "serve", "--port", str(port)], tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].startswith(f"callplan serve: cannot listen on 127.0.0.1:{port}")
    assert "Traceback" not in result.stderr


def test_a_second_bot_on_the_same_data_dir_is_a_one_line_error(tmp_path):
    """Bot state is cached in the process that owns the folder: a second one must not start."""
    import asyncio

    from bot.state import TinyDBStorage

    holder = TinyDBStorage(tmp_path / "data" / "state")  # what a running bot holds
    try:
        result = run([CALLPLAN, "serve", "--port", "0"], tmp_path)
    finally:
        asyncio.run(holder.close())
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"callplan serve: bot state folder {tmp_path / 'data' / 'state'} is in use by process "
        f"{os.getpid()}: run one bot per DATA_DIR"
    )


# --- serve ------------------------------------------------------------------------------------


def test_python_m_bot_serves_and_stops_on_ctrl_c(tmp_path):
    bot = Running([sys.executable, "-m", "bot", "--port", "0"], tmp_path, base_env(tmp_path))
    try:
        url = bot.wait_for_bot()
        status, body = get_json(f"{url}/healthz")
        assert status == 200 and body["status"] == "ok" and body["store"] is True
        assert (tmp_path / "data" / "state").is_dir()
    finally:
        code = bot.stop()
    assert code == 0
    assert "local mode" in present(bot.proc.stderr).read()
    assert refuses_connections(f"{url}/healthz")


def test_local_mode_refuses_to_listen_beyond_loopback(tmp_path):
    bot = Running([CALLPLAN, "serve", "--port", "0"], tmp_path, {**base_env(tmp_path), "HOST": "0.0.0.0"})
    try:
        url = bot.wait_for_bot()
        assert url.startswith("http://127.0.0.1:")
        assert get_json(f"{url}/healthz")[0] == 200
    finally:
        bot.stop(signal.SIGTERM)
    assert "refusing to listen on 0.0.0.0" in present(bot.proc.stderr).read()


# --- dev ----------------------------------------------------------------------------------------


def test_dev_without_node_prints_the_hint_and_serves(tmp_path):
    # PATH holds only the virtualenv: no node, no npm.
    bot = Running([CALLPLAN, "dev", "--port", "0"], tmp_path, base_env(tmp_path, path=str(BIN)))
    try:
        url = bot.wait_for_bot()
        bot.wait_for("Node.js was not found")
        assert get_json(f"{url}/healthz")[0] == 200
    finally:
        code = bot.stop()
    assert code == 0
    assert not (tmp_path / ".playground").exists()
    # An empty store was seeded with the demo tenant before serving, through the importers.
    demo = Store(tmp_path / "data")
    assert demo.tenants() == [DEFAULT_TENANT_ID]
    assert len(demo.users(DEFAULT_TENANT_ID)) > 0 and demo.pools(DEFAULT_TENANT_ID)


def test_dev_leaves_a_store_with_data_alone(tmp_path, monkeypatch):
    from bot.commands.host import ensure_demo_data
    from bot.config import load_settings

    roster = Path(__file__).parents[1] / "knowledge" / "fixtures" / "users.plain.csv"
    Store(tmp_path).import_paths([roster], tenant_id="contoso")
    ensure_demo_data(load_settings(_env_file=None, DATA_DIR=tmp_path))
    assert Store(tmp_path).tenants() == ["contoso"]


FAKE_PLAYGROUND = """\
#!{python}
# Stands in for agentsplayground: records how it was started, says where it listens.
import json, os, sys, time
json.dump({{"args": sys.argv[1:], "browser": os.environ.get("TEAMSAPPTESTER_BROWSER"),
           "pid": os.getpid(), "cwd": os.getcwd()}}, open({record!r}, "w"))
print("Starting...", flush=True)
print("Listening on 56199", flush=True)
time.sleep(float(os.environ.get("FAKE_PLAYGROUND_LIFETIME", "600")))
"""


def _fake_node(tmp_path: Path, npm_exit: int = 0) -> str:
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    for name, code in (("node", 0), ("npm", npm_exit)):
        tool = bin_dir / name
        tool.write_text(f"#!{sys.executable}\nimport sys\nprint('npm ERR! offline')\nsys.exit({code})\n")
        tool.chmod(0o755)
    return f"{bin_dir}{os.pathsep}{BIN}"


def _fake_playground(tmp_path: Path) -> Path:
    record = tmp_path / "playground.json"
    folder = tmp_path / ".playground" / "node_modules"
    (folder / ".bin").mkdir(parents=True)
    binary = folder / ".bin" / "agentsplayground"
    binary.write_text(FAKE_PLAYGROUND.format(python=sys.executable, record=str(record)))
    binary.chmod(0o755)
    package = folder / "@microsoft" / "m365agentsplayground"
    package.mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"name": "@microsoft/m365agentsplayground", "version": "0.2.28"}))
    return record


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_dev_starts_the_playground_reports_its_port_and_ctrl_c_stops_both(tmp_path):
    record = _fake_playground(tmp_path)
    env = {**base_env(tmp_path, path=_fake_node(tmp_path)), "PLAYGROUND_PORT": "56150"}
    bot = Running([CALLPLAN, "dev", "--port", "0"], tmp_path, env)
    try:
        url = bot.wait_for_bot()
        # The port it actually uses (56199), not the one it was asked for (56150).
        bot.wait_for(r"Agents Playground: http://localhost:56199")
        started = json.loads(record.read_text())
        assert started["args"] == ["-e", f"{url}/api/messages", "-c", "msteams", "-p", "56150", "--disable-telemetry"]
        assert started["browser"] == "none"
        assert Path(started["cwd"]) == tmp_path / ".playground"
        assert get_json(f"{url}/healthz")[0] == 200
    finally:
        code = bot.stop()
    assert code == 0
    deadline = time.monotonic() + 5
    while _alive(started["pid"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(started["pid"])
    assert refuses_connections(f"{url}/healthz")


def test_dev_stops_the_bot_when_the_playground_dies(tmp_path):
    _fake_playground(tmp_path)
    env = {**base_env(tmp_path, path=_fake_node(tmp_path)), "FAKE_PLAYGROUND_LIFETIME": "1.5"}
    bot = Running([CALLPLAN, "dev", "--port", "0"], tmp_path, env)
    url = bot.wait_for_bot()
    bot.wait_for("The Agents Playground exited")
    assert bot.proc.wait(timeout=20) == 1
    assert refuses_connections(f"{url}/healthz")


def test_dev_runs_the_bot_alone_when_the_install_fails(tmp_path):
    env = base_env(tmp_path, path=_fake_node(tmp_path, npm_exit=1))
    bot = Running([CALLPLAN, "dev", "--port", "0"], tmp_path, env)
    try:
        url = bot.wait_for_bot()
        bot.wait_for("Could not install the Agents Playground")
        assert get_json(f"{url}/healthz")[0] == 200
        assert (tmp_path / ".playground" / ".gitignore").read_text().splitlines()[-1] == "*"
    finally:
        assert bot.stop() == 0


def test_dev_does_not_start_the_playground_when_asked_not_to(tmp_path):
    record = _fake_playground(tmp_path)
    bot = Running(
        [CALLPLAN, "dev", "--port", "0", "--no-playground"], tmp_path, base_env(tmp_path, path=_fake_node(tmp_path))
    )
    try:
        url = bot.wait_for_bot()
        assert get_json(f"{url}/healthz")[0] == 200
    finally:
        assert bot.stop() == 0
    assert not record.exists()
