"""The Graph sync as the host runs it: settings -> clients, and one call that syncs every tenant.

Shared by ``callplan sync`` (:mod:`bot.commands.sync`) and the bot's scheduler
(:mod:`bot.scheduler`), so both read the same ``GRAPH_*`` settings the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from bot.config import Settings
from knowledge.clock import Clock
from knowledge.graph.client import GraphClient, GraphConfig
from knowledge.graph.sync import Progress, SyncResult, sync_tenants


class SyncNotConfigured(ValueError):
    """A setting the sync needs is missing; ``str()`` names it."""


def graph_config(settings: Settings) -> GraphConfig:
    if not settings.GRAPH_CLIENT_ID:
        raise SyncNotConfigured("GRAPH_CLIENT_ID is required to sync (the app registration's client id)")
    if not settings.GRAPH_CLIENT_SECRET.get_secret_value() and settings.GRAPH_CERTIFICATE_PATH is None:
        raise SyncNotConfigured("GRAPH_CLIENT_SECRET or GRAPH_CERTIFICATE_PATH is required to sync")
    return GraphConfig(
        client_id=settings.GRAPH_CLIENT_ID,
        client_secret=settings.GRAPH_CLIENT_SECRET,
        certificate_path=settings.GRAPH_CERTIFICATE_PATH,
        certificate_thumbprint=settings.GRAPH_CERTIFICATE_THUMBPRINT,
        authority=settings.GRAPH_AUTHORITY,
        endpoint=settings.GRAPH_ENDPOINT,
        ca_bundle=settings.GRAPH_CA_BUNDLE,
        bundle_dir=settings.DATA_DIR,
    )


def sync_all(
    settings: Settings,
    tenants: Iterable[str],
    now: Clock,
    *,
    since: datetime | None = None,
    progress: Progress | None = None,
    sleep: Callable[[float], None] | None = None,
) -> list[SyncResult]:
    """Sync ``tenants`` one after the other (one failing never stops the others)."""
    config = graph_config(settings)
    clients = (
        GraphClient(config, tenant) if sleep is None else GraphClient(config, tenant, sleep=sleep)
        for tenant in sorted(tenants)
    )
    from bot.usage_store import open_usage_store, sync_marks, uses_blob
    from knowledge.store.shared import SharedStore

    store = open_usage_store(settings) if uses_blob(settings) else None  # local: DATA_DIR's store
    # The marks go where the rows go: the shared container with azure-blob, DATA_DIR locally.
    marks = sync_marks(settings, store.objects if isinstance(store, SharedStore) else None)
    try:
        return sync_tenants(settings.DATA_DIR, clients, now, since=since, progress=progress, store=store, marks=marks)
    finally:
        if store is not None:
            store.close()
