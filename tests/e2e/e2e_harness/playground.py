"""Start the Microsoft 365 Agents Playground (the Teams-like client) against a bot.

Facts this relies on (verified with 0.2.28, see ../shared/notes/teams-tooling.md):
- ``-p PORT`` is a wish: a busy port makes it silently take another, so the real port is
  parsed from its ``Listening on N`` line.
- It writes ``./devTools/m365agentsplayground.log`` and reads ``./.m365agentsplayground.yml``
  from its working directory, so each instance runs in its own directory.
- ``--conversation-id`` sets the personal chat's id only with the built-in config; with a
  config file the id is ``personalChat.id``. Both paths are handled here, so each test
  gets its own conversation (bot dialog state is keyed by it).
- The config file is YAML; JSON is valid YAML, so it is written as JSON (no yaml library).
  Config errors only show in the devTools log: ``log_text()`` includes it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from e2e_harness.processes import Service, ServiceError, free_port

E2E_DIR = Path(__file__).resolve().parents[1]
PLAYGROUND_BIN = E2E_DIR / "node_modules" / ".bin" / "agentsplayground"
PLAYGROUND_VERSION = "0.2.28"


class PlaygroundUser(BaseModel):
    """A user as the playground config file spells it (sic: ``userPrincipleName``)."""

    model_config = ConfigDict(populate_by_name=True)

    id: str
    name: str
    user_principal_name: str = Field(alias="userPrincipleName")
    aad_object_id: str = Field(alias="aadObjectId")
    given_name: str = Field(alias="givenName")
    surname: str
    email: str


def _user(n: int, given: str, surname: str) -> PlaygroundUser:
    mail = f"{given.lower()}{surname[0].lower()}@example.com"
    return PlaygroundUser(
        id=f"user-id-{n}",
        name=f"{given} {surname}",
        user_principal_name=mail,
        aad_object_id=f"00000000-0000-0000-0000-00000000000{20 + n}",
        given_name=given,
        surname=surname,
        email=mail,
    )


# The playground's own defaults (it needs at least 5 other users).
DEFAULT_CURRENT_USER = _user(0, "Alex", "Wilber")
DEFAULT_OTHER_USERS = [
    _user(1, "Megan", "Bowen"),
    _user(2, "Adele", "Vance"),
    _user(3, "Isaiah", "Langer"),
    _user(4, "Patti", "Fernandez"),
    _user(5, "Lynne", "Robbins"),
]
DEFAULT_TENANT_ID = "00000000-0000-0000-0000-0000000000001"  # sic: not a valid GUID


class PlaygroundConfig(BaseModel):
    """What the test controls in ``.m365agentsplayground.yml``: tenant, bot, current user."""

    tenant_id: str = DEFAULT_TENANT_ID
    bot_id: str = "00000000-0000-0000-0000-00000000000011"
    bot_name: str = "Test Bot"
    current_user: PlaygroundUser = DEFAULT_CURRENT_USER
    other_users: list[PlaygroundUser] = Field(default_factory=lambda: list(DEFAULT_OTHER_USERS), min_length=5)

    def document(self, conversation_id: str) -> dict:
        return {
            "version": "0.1.1",
            "tenantId": self.tenant_id,
            "bot": {"id": self.bot_id, "name": self.bot_name},
            "currentUser": self.current_user.model_dump(by_alias=True),
            "users": [u.model_dump(by_alias=True) for u in self.other_users],
            "personalChat": {"id": conversation_id},
            "groupChat": {"id": f"group-{conversation_id}", "name": "Group Chat"},
            "team": {
                "id": "team-id",
                "name": "My Team",
                "aadGroupId": "00000000-0000-0000-0000-000000000031",
                "channels": [{"id": "channel-announcements-id", "name": "Announcements"}],
            },
        }


@dataclass
class RunningPlayground:
    port: int
    conversation_id: str
    workdir: Path
    service: Service
    config: PlaygroundConfig | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def log_text(self) -> str:
        """Its stdout plus its devTools log (where config errors go)."""
        devtools = self.workdir / "devTools" / "m365agentsplayground.log"
        extra = devtools.read_text(errors="replace") if devtools.exists() else ""
        return self.service.log_text() + "\n--- devTools log ---\n" + extra

    def stop(self) -> None:
        self.service.stop()


def ensure_installed() -> Path:
    if not PLAYGROUND_BIN.exists():
        raise ServiceError(
            f"the Agents Playground is not installed: run `cd tests/e2e && npm ci` "
            f"(or `make e2e`); expected {PLAYGROUND_BIN}"
        )
    return PLAYGROUND_BIN


def start_playground(
    endpoint: str,
    workdir: Path,
    *,
    conversation_id: str | None = None,
    config: PlaygroundConfig | None = None,
    port: int | None = None,
    delivery_mode: str | None = None,
    timeout: float = 30.0,
) -> RunningPlayground:
    """Start the playground in ``workdir`` pointed at ``endpoint`` (channel msteams) and
    wait for ``Listening on N``. ``conversation_id`` defaults to a fresh ``e2e-<uuid>``."""
    binary = ensure_installed()
    workdir.mkdir(parents=True, exist_ok=True)
    conversation_id = conversation_id or f"e2e-{uuid.uuid4()}"
    if config is not None:
        (workdir / ".m365agentsplayground.yml").write_text(
            json.dumps(config.document(conversation_id), indent=2), encoding="utf-8"
        )
    argv = [
        str(binary),
        "-e",
        endpoint,
        "-c",
        "msteams",
        "-p",
        str(port or free_port()),
        "--conversation-id",
        conversation_id,
        "--disable-telemetry",
    ]
    if delivery_mode:
        argv += ["--delivery-mode", delivery_mode]
    service = Service(
        "playground", argv, log_path=workdir / "playground.log", cwd=workdir, env={"TEAMSAPPTESTER_BROWSER": "none"}
    )
    try:
        match = service.wait_for_log(r"Listening on (\d+)", timeout)
        real_port = int(match.group(1))
        service.wait_for_port(real_port, timeout)
    except BaseException:
        service.stop()
        raise
    return RunningPlayground(real_port, conversation_id, workdir, service, config)
