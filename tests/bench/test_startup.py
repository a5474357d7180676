"""bench.bench_startup: starting a server and polling /healthz, reading a process's RSS."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bench.bench_startup import CLI_COMMANDS, Started, bare_interpreter_seconds, command_seconds, free_port, healthz_ok
from bench.loadgen import rss_mb


def test_a_started_server_answers_healthz_and_is_stopped_with_its_group(tmp_path):
    server = Started(
        [sys.executable, "-m", "bench.servers", "raw", str(tmp_path / "raw")], {}, tmp_path, tmp_path / "raw.log"
    )
    try:
        assert server.seconds > 0
        assert healthz_ok(server.port)
        assert 5 < server.rss_mb() < 1000
    finally:
        server.stop()
    assert server.proc.returncode is not None
    assert not healthz_ok(server.port)
    with pytest.raises(ProcessLookupError):
        os.killpg(server.proc.pid, 0)


def test_a_server_that_never_answers_is_a_clear_error(tmp_path):
    with pytest.raises(RuntimeError, match="did not answer /healthz"):
        Started([sys.executable, "-c", "import sys; sys.exit(3)"], {}, tmp_path, tmp_path / "x.log")


def test_nothing_listening_is_not_healthy_and_rss_reads_proc():
    assert healthz_ok(free_port()) is False
    assert rss_mb(os.getpid()) > 5
    assert bare_interpreter_seconds() > 0


def test_the_cli_commands_timed_run_and_a_failing_one_is_an_error(tmp_path):
    for command in CLI_COMMANDS.values():
        assert command_seconds(command, cwd=tmp_path) > 0
    with pytest.raises(subprocess.CalledProcessError):
        command_seconds([*CLI_COMMANDS["callplan check"], "--carrier", "nope"], cwd=tmp_path)
