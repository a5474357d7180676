"""The harness's promise that it stops what it starts and fails with a reason, not a hang.
No browser here: these are quick."""

from __future__ import annotations

import os
import socket
import sys

import pytest

from e2e_harness.bots import REAL, STUB, BotSpec, start_bot
from e2e_harness.playground import start_playground
from e2e_harness.processes import Service, ServiceError, free_port, port_is_open

pytestmark = pytest.mark.e2e


def group_exists(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def test_stop_ends_the_whole_process_group_even_children_that_ignore_sigterm(tmp_path):
    # The child shell ignores SIGTERM and starts a grandchild: both must go.
    service = Service(
        "stubborn", ["sh", "-c", "trap '' TERM; sleep 300 & sleep 300"], log_path=tmp_path / "stubborn.log"
    )
    assert group_exists(service.pid)
    service.stop(grace=0.5)
    assert not group_exists(service.pid)
    assert service.proc.returncode is not None
    service.stop()  # idempotent


def test_a_bot_that_dies_at_start_fails_fast_with_its_output(tmp_path):
    spec = BotSpec(
        name="broken",
        command=("{python}", "-c", "import sys; print('settings: PORT is {port}, boom'); sys.exit(3)"),
        start_timeout=60,
    )
    with pytest.raises(ServiceError) as caught:
        start_bot(spec, free_port(), tmp_path / "data", tmp_path / "logs")
    message = str(caught.value)
    assert "exited with code 3" in message
    assert "boom" in message


def test_a_failing_prepare_step_stops_before_the_bot_starts(tmp_path):
    spec = BotSpec(
        name="noprep",
        command=("{python}", "-c", "raise SystemExit('never run')"),
        prepare=(("{python}", "-c", "print('no demo data'); raise SystemExit(2)"),),
    )
    with pytest.raises(ServiceError, match=r"(?s)prepare #1: failed.*no demo data"):
        start_bot(spec, free_port(), tmp_path / "data", tmp_path / "logs")
    assert not (tmp_path / "logs" / "bot-noprep.log").exists()


def test_the_playground_reports_the_port_it_really_took_and_stops(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        playground = start_playground("http://127.0.0.1:9/api/messages", tmp_path / "pg", port=taken, timeout=30)
        try:
            assert playground.port != taken
            assert port_is_open(playground.port)
            assert f"Listening on {playground.port}" in playground.log_text()
        finally:
            playground.stop()
    assert not group_exists(playground.service.pid)
    assert not port_is_open(playground.port)


def test_bot_commands_use_this_interpreter_and_fill_port_and_data_dir(tmp_path):
    # The stub and the real bot run with the project's interpreter, not a system one.
    for spec in (STUB, REAL):
        assert spec.argv(1234, tmp_path)[0] == sys.executable
        assert spec.environment(1234, tmp_path)["PORT"] == "1234"
    assert REAL.environment(1234, tmp_path)["DATA_DIR"] == str(tmp_path)
    assert REAL.environment(1234, tmp_path)["MicrosoftAppId"] == ""
