"""Every ``callplan`` command line of the README works verbatim after ``callplan demo``.

The lines are read from the README's ``sh`` code blocks and run as written by ``bash``, from a
fresh folder where ``.venv`` is this test run's virtual environment and ``data/`` is empty
(the default ``DATA_DIR``), after ``.venv/bin/callplan demo``, with the clock pinned
(``CALLPLAN_NOW``) so the run does not depend on today's date. Excluded, with the reason:
``make`` lines (``make run``/``test``/``package``/``bench``/``e2e`` start servers, browsers or
whole suites; they have their own tests) and inline mentions in the prose (they carry
placeholders such as ``<files>``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from testkit.narrow import present

README = Path(__file__).resolve().parents[2] / "README.md"
NOW = "2026-12-02T08:00:00Z"  # the day the README examples were last checked by hand


def readme_commands() -> list[str]:
    """The ``callplan`` lines of the README's shell blocks, in order."""
    text = README.read_text("utf-8")
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            command = line.split(" #", 1)[0].strip()
            if ".venv/bin/callplan" in command:
                lines.append(command)
    return lines


def test_the_readme_lists_the_store_commands_for_the_demo_tenant():
    commands = readme_commands()
    assert len(commands) >= 8
    for verb in ("advise", "check", "demo", "import", "pools", "users"):
        assert any(f"callplan {verb}" in c for c in commands), verb
    # The demo tenant's id as `callplan demo` writes it: no other tenant a fresh clone lacks.
    assert all(present(re.search(r"--tenant (\S+)", c)).group(1) == "demo-tenant" for c in commands if "--tenant" in c)


def test_every_readme_callplan_line_runs_verbatim_after_the_demo(tmp_path):
    # The venv of this run, where the README expects it (``sys.prefix`` is the venv's root).
    (tmp_path / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in (
            "DATA_DIR",
            "MicrosoftAppId",
            "MicrosoftAppPassword",
            "MicrosoftAppType",
            "MicrosoftAppTenantId",
            "ALLOWED_TENANTS",
        )
    }
    env["CALLPLAN_NOW"] = NOW

    def bash(command: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )

    seeded = bash(".venv/bin/callplan demo")
    assert seeded.returncode == 0, seeded.stderr
    assert (tmp_path / "data" / "demo" / "active-users.csv").is_file()
    outputs = {}
    for command in readme_commands():
        done = bash(command)
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr
        outputs[command] = done.stdout
    # Not just exit codes: the pool lines show the demo tenant's pools with data behind them.
    pools = [out for command, out in outputs.items() if "callplan pools" in command and "--json" not in command]
    assert pools and all("Minute pools of demo-tenant" in out and "demo data" in out for out in pools)
    imports = [out for command, out in outputs.items() if "callplan import" in command]
    assert imports and all("0 rejected" in out and " 0 imported" in out for out in imports)  # all known already
