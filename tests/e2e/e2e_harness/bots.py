"""Which bot the e2e run talks to, and how to start it.

Why configurable: the harness was proven against a throwaway stub (``_stub_bot.py``)
before the real bot existed. The real bot is the default for scenario tests once it
lands; the stub stays as the harness's self-test. Choose with the environment variable
``E2E_BOT`` (``stub`` or ``real``); ``DEFAULT_BOT`` says which one is used without it.

A :class:`BotSpec` is data: how to prepare a data directory, the command line and the
environment, with ``{port}``, ``{data_dir}``, ``{python}`` and ``{repo}`` placeholders.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from e2e_harness.processes import Service, run_checked

REPO = Path(__file__).resolve().parents[3]
E2E_DIR = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class BotSpec:
    name: str
    command: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    # Commands run to completion, in order, before the bot starts (e.g. demo data).
    prepare: tuple[tuple[str, ...], ...] = ()
    start_timeout: float = 30.0
    prepare_timeout: float = 120.0
    # The stub records every incoming activity (JSON lines) to $ACTIVITY_LOG.
    records_activities: bool = False

    def _fill(self, text: str, port: int, data_dir: Path) -> str:
        return text.format(port=port, data_dir=data_dir, python=sys.executable, repo=REPO)

    def argv(self, port: int, data_dir: Path) -> list[str]:
        return [self._fill(part, port, data_dir) for part in self.command]

    def environment(self, port: int, data_dir: Path) -> dict[str, str]:
        return {k: self._fill(v, port, data_dir) for k, v in self.env.items()}


STUB = BotSpec(
    name="stub",
    command=("{python}", str(E2E_DIR / "_stub_bot.py")),
    env={"PORT": "{port}", "ACTIVITY_LOG": "{data_dir}/activities.jsonl"},
    records_activities=True,
)

#: The real bot's clock (``CALLPLAN_NOW``), so that the scenarios and the screenshots never
#: depend on the day they run: the demo data, "this month" and "As of" are this moment's.
E2E_NOW = "2026-03-28T10:00:00Z"  # late in the month: the demo has an exhausted pool

# The real bot: local mode (empty app id and password, since the playground sends no
# Authorization header), its own data directory filled with the demo tenant first.
REAL = BotSpec(
    name="real",
    command=("{python}", "-m", "bot"),
    env={
        "PORT": "{port}",
        "DATA_DIR": "{data_dir}",
        "MicrosoftAppId": "",
        "MicrosoftAppPassword": "",
        "CALLPLAN_NOW": E2E_NOW,
    },
    prepare=(("{python}", "-m", "bot.cli", "demo", "--data-dir", "{data_dir}"),),
)

BOTS = {spec.name: spec for spec in (STUB, REAL)}
DEFAULT_BOT = "real"  # the scenarios (test_scenarios.py) need the real bot


def selected_bot() -> BotSpec:
    name = os.environ.get("E2E_BOT", DEFAULT_BOT).strip().lower()
    if name not in BOTS:
        raise ValueError(f"E2E_BOT must be one of {sorted(BOTS)}, not {name!r}")
    return BOTS[name]


@dataclass
class RunningBot:
    spec: BotSpec
    port: int
    data_dir: Path
    service: Service

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/messages"

    @property
    def activity_log(self) -> Path | None:
        return self.data_dir / "activities.jsonl" if self.spec.records_activities else None

    def stop(self) -> None:
        self.service.stop()


def start_bot(spec: BotSpec, port: int, data_dir: Path, logs_dir: Path) -> RunningBot:
    """Prepare ``data_dir``, start the bot on 127.0.0.1:port and wait until it listens.
    Raises :class:`processes.ServiceError` (with the log's tail) if it does not."""
    data_dir.mkdir(parents=True, exist_ok=True)
    env = spec.environment(port, data_dir)
    for index, step in enumerate(spec.prepare):
        run_checked(
            f"{spec.name} bot prepare #{index + 1}",
            [spec._fill(part, port, data_dir) for part in step],
            log_path=logs_dir / f"bot-{spec.name}-prepare-{index + 1}.log",
            timeout=spec.prepare_timeout,
            env=env,
            cwd=REPO,
        )
    service = Service(
        f"{spec.name} bot", spec.argv(port, data_dir), log_path=logs_dir / f"bot-{spec.name}.log", env=env, cwd=REPO
    )
    try:
        service.wait_for_port(port, spec.start_timeout)
    except BaseException:
        service.stop()
        raise
    return RunningBot(spec, port, data_dir, service)
