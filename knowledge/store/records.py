"""Normalized records shared by the importers, the store and the pool computation.

Every importer (Teams admin center PSTN export, Graph ``getPstnCalls``, user roster) turns
its rows into these models, so the rest of the domain never sees a source format.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: Call types that draw on a Calling Plan's outbound minutes (an assumption: see README).
OUTBOUND_POOL_CALL_TYPES = frozenset({"user_out", "user_out_conf", "user_out_transfer", "user_out_forwarding"})


class UserRecord(BaseModel):
    """A user of one tenant, with the licences (SKU part numbers) assigned to them."""

    model_config = ConfigDict(frozen=True)

    tenant_id: str
    upn: str
    object_id: str | None = None
    display_name: str = ""
    usage_location: str | None = None  # ISO 3166-1 alpha-2, upper case
    licenses: tuple[str, ...] = ()  # SKU part numbers, e.g. ("SPE_E5", "MCOPSTN1")

    @field_validator("upn")
    @classmethod
    def _lower_upn(cls, value: str) -> str:
        value = value.strip().lower()
        if not value:
            raise ValueError("the user principal name is empty")
        return value

    @field_validator("usage_location")
    @classmethod
    def _upper_country(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().upper()
        if len(value) != 2 or not value.isalpha():
            raise ValueError(f"usage location {value!r} is not a two-letter country code")
        return value


class CallRecord(BaseModel):
    """One PSTN call, normalized from a TAC export row or a Graph ``pstnCallLogRow``."""

    model_config = ConfigDict(frozen=True)

    id: str  # UsageId (TAC export) or id (Graph): the de-duplication key
    tenant_id: str
    source: Literal["pstn_csv", "graph"]
    call_type: str  # user_out, user_in, user_out_transfer, conf_out, ...
    start: datetime  # always timezone-aware UTC
    duration_seconds: int = Field(ge=0)
    end: datetime | None = None
    call_id: str | None = None
    user_id: str | None = None  # AAD object id; null for bots
    upn: str | None = None
    user_display_name: str | None = None
    usage_location: str | None = None  # the user's licence usage location (ISO alpha-2)
    capability: str | None = None  # licence capability code, e.g. MCOPSTN1
    destination_context: str | None = None  # "Domestic" / "International" as reported
    destination_name: str | None = None  # country or region dialled
    number: str | None = None  # the other party (dialled number when outbound); may be masked
    charge: float | None = None
    connection_fee: float | None = None
    currency: str | None = None

    @field_validator("start", "end")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    @field_validator("usage_location")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.strip().upper() or None if value else None

    @property
    def month(self) -> str:
        """The calendar month (UTC) the call started in, as ``YYYY-MM``."""
        return self.start.strftime("%Y-%m")

    @property
    def match_key(self) -> str | None:
        """The call as the *other* export would show it, for de-duplication across sources.

        A TAC export's ``UsageId`` and Graph's ``id`` are not documented to be the same value,
        so an admin importing both for overlapping days would count those calls twice. Both
        carry the same Call ID, user, start and call type (Call ID alone is "not unique": a
        conference or a transfer shares it), so this key matches them; the start is cut to the
        second (a POSIX timestamp) because the two formats print fractions differently. ``None``
        without a Call ID. The space in it can never appear in an id (``parse_id`` refuses spaces).
        """
        if not self.call_id:
            return None
        who = self.upn or self.user_id or ""
        return f"match {self.call_id.lower()}|{who}|{int(self.start.timestamp())}|{self.call_type}"

    @property
    def is_outbound_pool_call(self) -> bool:
        return self.call_type in OUTBOUND_POOL_CALL_TYPES
