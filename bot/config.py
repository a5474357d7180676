"""The bot's settings: environment variables and an optional ``.env`` file.

Why pydantic-settings: every value is checked once at start-up, and a wrong one stops the
process with a single line naming the variable (:func:`load_settings`), instead of a
traceback minutes later in the middle of a turn.

The Azure Bot credentials are read from the names the Azure portal and the Teams Toolkit use
(``MicrosoftAppId``, ``MicrosoftAppPassword``, ``MicrosoftAppType``, ``MicrosoftAppTenantId``)
and exposed as ``APP_ID``, ``APP_PASSWORD``, ``APP_TYPE`` and ``APP_TENANTID``: the attribute
names ``ConfigurationBotFrameworkAuthentication`` reads with ``getattr``, so the settings object
is passed to the SDK as is.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from knowledge.clock import Clock, as_utc, clock_from_setting, parse_now

LOOPBACK_HOST = "127.0.0.1"

AppType = Literal["MultiTenant", "SingleTenant", "UserAssignedMSI"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
StorageBackend = Literal["local", "azure-blob"]
#: Azure container names: 3-63 lowercase letters, digits and single hyphens.
CONTAINER_NAME = r"^[a-z0-9]+(-[a-z0-9]+)*$"


#: The longest publisher name Teams accepts (the manifest's ``developer.name``).
DEVELOPER_NAME_MAX_CHARS = 32


def is_https_url(value: str) -> bool:
    """An https:// URL with a host and no white space: what Teams accepts for the developer
    URLs (``manifest.packaging`` checks the manifest with this rule too) and what Graph needs."""
    parts = urlsplit(value)
    return parts.scheme == "https" and bool(parts.hostname) and not any(c.isspace() for c in value)


class SettingsError(ValueError):
    """An invalid setting; ``str(error)`` is one line that names the variable."""


def _alias(env_name: str, field_name: str) -> Any:
    # The environment name first (what users set); the attribute name too, so tests and
    # code can build Settings(APP_ID=...) directly.
    return AliasChoices(env_name, field_name)


class Settings(BaseSettings):
    """Everything the host needs, validated. Build it with :func:`load_settings`."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        frozen=True,
    )

    APP_ID: str = Field("", validation_alias=_alias("MicrosoftAppId", "APP_ID"))
    APP_PASSWORD: str = Field("", validation_alias=_alias("MicrosoftAppPassword", "APP_PASSWORD"), repr=False)
    APP_TYPE: AppType = Field("MultiTenant", validation_alias=_alias("MicrosoftAppType", "APP_TYPE"))
    APP_TENANTID: str = Field("", validation_alias=_alias("MicrosoftAppTenantId", "APP_TENANTID"))

    HOST: str = LOOPBACK_HOST
    PORT: int = Field(3978, ge=0, le=65535)  # 0: any free port (the URL printed says which)
    DATA_DIR: Path = Path("data")
    #: Entra tenant ids allowed to talk to the bot; empty = every tenant.
    ALLOWED_TENANTS: Annotated[frozenset[str], NoDecode] = frozenset()
    LOG_LEVEL: LogLevel = "INFO"

    # For the Teams app manifest (packaged by `callplan package`).
    DEVELOPER_NAME: str = Field("Calling Plan Assistant", min_length=1, max_length=DEVELOPER_NAME_MAX_CHARS)
    DEVELOPER_WEBSITE_URL: str = "https://www.example.com/calling-plan-assistant"
    DEVELOPER_PRIVACY_URL: str = "https://www.example.com/calling-plan-assistant/privacy"
    DEVELOPER_TERMS_URL: str = "https://www.example.com/calling-plan-assistant/terms"

    #: Where `callplan dev` asks the Microsoft 365 Agents Playground to listen.
    PLAYGROUND_PORT: int = Field(56150, ge=1, le=65535)

    # Microsoft Graph sync (`callplan sync`, and the bot every SYNC_INTERVAL_MINUTES).
    GRAPH_CLIENT_ID: str = ""
    #: SecretStr: shown as ********** in any repr, log or error (never echoed).
    GRAPH_CLIENT_SECRET: SecretStr = Field(SecretStr(""), repr=False)
    #: A PEM file with the app's certificate and private key, instead of a secret.
    GRAPH_CERTIFICATE_PATH: Path | None = None
    GRAPH_CERTIFICATE_THUMBPRINT: str = ""
    GRAPH_AUTHORITY: str = "https://login.microsoftonline.com"
    GRAPH_ENDPOINT: str = "https://graph.microsoft.com/v1.0"
    #: An extra CA file to trust (a TLS-inspecting proxy; the tests' fake Graph).
    GRAPH_CA_BUNDLE: Path | None = None
    #: Entra tenant ids to sync (the app must be consented in each).
    SYNC_TENANTS: Annotated[frozenset[str], NoDecode] = frozenset()
    #: Minutes between background syncs in the bot; 0 turns the background sync off.
    SYNC_INTERVAL_MINUTES: int = Field(30, ge=0, le=7 * 24 * 60)
    #: Pins the clock of the bot and the CLI (``2026-03-01T08:00:00Z``; a bare date is midnight
    #: UTC): "this month", the demo's calls up to "now", forecasts. Unset: the system clock.
    #: For demos, tests and subprocesses; a pinned clock does not move.
    CALLPLAN_NOW: datetime | None = None

    # Storage backends (README "Running several replicas"). ``local``: files under DATA_DIR,
    # one process. ``azure-blob``: containers in one storage account, shared by every replica.
    STATE_BACKEND: StorageBackend = "local"
    STORE_BACKEND: StorageBackend = "local"
    #: The storage account (``azure-blob`` only); a secret: never echoed.
    AZURE_STORAGE_CONNECTION_STRING: SecretStr = Field(SecretStr(""), repr=False)
    STATE_CONTAINER: str = Field("bot-state", min_length=3, max_length=63, pattern=CONTAINER_NAME)
    STORE_CONTAINER: str = Field("usage-store", min_length=3, max_length=63, pattern=CONTAINER_NAME)

    # --- validators -------------------------------------------------------------------

    @field_validator("APP_ID", "APP_PASSWORD", "APP_TENANTID", "HOST", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @field_validator("APP_TYPE", mode="before")
    @classmethod
    def _app_type(cls, value: Any) -> Any:
        if isinstance(value, str):
            by_lower = {name.lower(): name for name in ("MultiTenant", "SingleTenant", "UserAssignedMSI")}
            return by_lower.get(value.strip().lower(), value) if value.strip() else "MultiTenant"
        return value

    @field_validator("LOG_LEVEL", mode="before")
    @classmethod
    def _log_level(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("DATA_DIR", mode="before")
    @classmethod
    def _data_dir(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            raise ValueError("must be a folder path, e.g. ./data")
        return value

    @field_validator("CALLPLAN_NOW", mode="before")
    @classmethod
    def _now(cls, value: Any) -> Any:
        if isinstance(value, str):
            return parse_now(value) if value.strip() else None
        return as_utc(value) if isinstance(value, datetime) else value

    @field_validator("STATE_BACKEND", "STORE_BACKEND", mode="before")
    @classmethod
    def _backend(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _blob_needs_account(self) -> Settings:
        uses_blob = "azure-blob" in (self.STATE_BACKEND, self.STORE_BACKEND)
        if uses_blob and not self.AZURE_STORAGE_CONNECTION_STRING.get_secret_value().strip():
            raise ValueError(
                "STATE_BACKEND or STORE_BACKEND is azure-blob but AZURE_STORAGE_CONNECTION_STRING is not set"
            )
        return self

    @field_validator("HOST")
    @classmethod
    def _host(cls, value: str) -> str:
        if not value or any(c.isspace() for c in value) or "/" in value:
            raise ValueError("must be a host name or an IP address, e.g. 127.0.0.1")
        return value

    @field_validator("ALLOWED_TENANTS", "SYNC_TENANTS", mode="before")
    @classmethod
    def _tenants(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, (list, tuple, set, frozenset)):
            tenants = {str(item).strip().lower() for item in value}
            return frozenset(t for t in tenants if t)
        return value

    @field_validator("ALLOWED_TENANTS", "SYNC_TENANTS")
    @classmethod
    def _tenant_shape(cls, value: frozenset[str]) -> frozenset[str]:
        for tenant in value:
            if not all(c.isalnum() or c in "-._" for c in tenant):
                raise ValueError(f"{tenant!r} is not a tenant id (a GUID or a domain name)")
        return value

    @field_validator(
        "DEVELOPER_WEBSITE_URL",
        "DEVELOPER_PRIVACY_URL",
        "DEVELOPER_TERMS_URL",
        "GRAPH_AUTHORITY",
        "GRAPH_ENDPOINT",
        mode="before",
    )
    @classmethod
    def _https_url(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        value = value.strip()
        if not is_https_url(value):
            raise ValueError("must be an https:// URL (Teams rejects anything else)")
        return value

    def credential_problem(self) -> str | None:
        """What is missing for the adapter to authenticate, or None.

        Checked when serving (the SDK would only fail on the first message), not on every load:
        packaging the Teams app needs the app id alone, never the password.
        """
        required: tuple[str, ...]
        if self.APP_TYPE == "SingleTenant":
            required = ("APP_ID", "APP_PASSWORD", "APP_TENANTID")
        elif self.APP_TYPE == "UserAssignedMSI":
            required = ("APP_ID", "APP_TENANTID")
        elif self.APP_ID or self.APP_PASSWORD:
            required = ("APP_ID", "APP_PASSWORD")
        else:
            return None
        for name in required:
            if not getattr(self, name):
                return f"{ENV_NAMES[name]} is required when {self._credential_context(name)}"
        return None

    def _credential_context(self, missing: str) -> str:
        if self.APP_TYPE in ("SingleTenant", "UserAssignedMSI"):
            return f"MicrosoftAppType is {self.APP_TYPE}"
        return "MicrosoftAppPassword is set" if missing == "APP_ID" else "MicrosoftAppId is set"

    # --- derived values -----------------------------------------------------------------

    @property
    def local_mode(self) -> bool:
        """No app id: requests are not authenticated, so only loopback may reach the bot."""
        return not self.APP_ID

    @property
    def bind_host(self) -> str:
        """The address to listen on: ``HOST``, except loopback when in local mode."""
        if self.local_mode and not is_loopback(self.HOST):
            return LOOPBACK_HOST
        return self.HOST

    @property
    def clock(self) -> Clock:
        """The clock everything this process builds uses (``CALLPLAN_NOW`` or the system's)."""
        return clock_from_setting(self.CALLPLAN_NOW)

    @property
    def state_dir(self) -> Path:
        """Bot state (dialog stacks, user preferences): one small file per conversation/user."""
        return self.DATA_DIR / "state"


#: Field name -> the environment variable a user sets (for error messages).
ENV_NAMES = {
    "APP_ID": "MicrosoftAppId",
    "APP_PASSWORD": "MicrosoftAppPassword",
    "APP_TYPE": "MicrosoftAppType",
    "APP_TENANTID": "MicrosoftAppTenantId",
}


_SECRETS = {"app_password", "microsoftapppassword", "graph_client_secret", "azure_storage_connection_string"}


def environment_names() -> tuple[str, ...]:
    """Every environment variable a setting reads: the name users set and the field's name
    (``MicrosoftAppId`` and ``APP_ID``). For whoever must not inherit the host's settings: the
    tests, the held-out harness."""
    names: list[str] = []
    for field_name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names += [choice for choice in alias.choices if isinstance(choice, str)]
        else:
            names.append(field_name)
    return tuple(dict.fromkeys(names))


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def load_settings(*, serving: bool = True, **overrides: Any) -> Settings:
    """Settings from the environment (and ``.env``), with ``overrides`` applied on top.

    Raises :class:`SettingsError` with one line naming each bad variable, never a pydantic
    dump: the CLI prints it as is. A secret's value is never echoed. ``serving=False`` (the
    packaging command) skips the credential pairing check, which only the adapter needs.
    """
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(describe_errors(exc)) from None
    problem = settings.credential_problem() if serving else None
    if problem:
        raise SettingsError(f"invalid settings: {problem}")
    return settings


def describe_errors(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors(include_url=False):
        loc = [str(part) for part in error.get("loc", ()) if part != "__root__"]
        message = error.get("msg", "invalid value")
        message = message.removeprefix("Value error, ")
        if loc:
            field = loc[0]
            name = ENV_NAMES.get(field, field)
            shown = ""
            if name.lower() not in _SECRETS and "input" in error and isinstance(error["input"], (str, int)):
                shown = f" (got {error['input']!r})"
            problems.append(f"invalid setting {name}{shown}: {message}")
        else:
            problems.append(f"invalid settings: {message}")
    return "; ".join(" ".join(p.split()) for p in problems)
