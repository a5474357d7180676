"""What the bot and its dialogs need of a usage store, as a type (:class:`UsageStoreApi`).

The host opens a store (today :class:`knowledge.store.usage_store.AsyncStore`, files under
``DATA_DIR/store``; an Azure Blob store is planned) and hands it to the dialogs and the pool
alerts, which only call what is listed here. A second implementation has to offer exactly
this, nothing of the file layout: keep the protocol to what callers use.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from knowledge.clock import Clock
    from knowledge.pools import PoolBalance
    from knowledge.provenance import DataProvenance
    from knowledge.store.records import UserRecord


class UsageStoreApi(Protocol):
    """The asynchronous usage store the host passes around (``bot.app.STORE_KEY``)."""

    @property
    def clock(self) -> Clock:
        """The store's clock: the dialogs' "today", so answers and lookups agree."""
        ...

    async def ping(self) -> bool:
        """Whether the store can be read (``/healthz``)."""
        ...

    async def tenants(self) -> list[str]:
        """The tenant ids the store holds."""
        ...

    async def users(self, tenant_id: str) -> list[UserRecord]:
        """The tenant's roster."""
        ...

    async def find_user(self, tenant_id: str, query: str) -> UserRecord | None:
        """One user by UPN, mail nickname or display name."""
        ...

    async def pools(self, tenant_id: str, month: str | None = None, as_of: date | None = None) -> list[PoolBalance]:
        """The tenant's pool balances for ``month`` (default: the clock's) as of ``as_of``."""
        ...

    async def provenance(self, tenant_id: str) -> DataProvenance:
        """What the tenant's figures rest on (the cards' Data line)."""
        ...

    async def pools_and_provenance(
        self, tenant_id: str, month: str | None = None
    ) -> tuple[list[PoolBalance], DataProvenance]:
        """:meth:`pools` (as of the clock's today) and :meth:`provenance` as one read: what a
        pool card and a number check's card show together, asked once, not twice."""
        ...

    def close(self) -> None:
        """Finish queued work and release what the store holds."""
        ...
