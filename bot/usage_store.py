"""The usage store and the scheduler lock the settings ask for (``STORE_BACKEND``).

``local`` (default): the store's folders under ``DATA_DIR/store`` with a file lock per tenant,
and a file lock electing the one scheduler of this machine. ``azure-blob``: the same store in
the ``STORE_CONTAINER`` container (:class:`knowledge.store.shared.SharedStore` over
:class:`bot.blob_objects.AzureBlobObjects`), and a blob lease electing the one scheduler of
all replicas. The bot (``create_app``) and the command line (``callplan import``, ``pools``,
``users``, ``demo``, ``sync``) open the store here, so they always agree. The Azure SDK is
imported only for ``azure-blob``: the local commands start without it.

The pool-alert subscriptions (:class:`knowledge.alerts.AlertBook`) and the Graph sync marks
(:class:`knowledge.graph.sync.SyncMarks`) follow the same setting: files under ``DATA_DIR``
locally, objects of ``STORE_CONTAINER`` with ``azure-blob`` (so whichever replica is elected
sees every subscription and goes on from the last sync).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.sync_lock import FileSchedulerLock, SchedulerLock, sync_lock_path
from knowledge.alerts import AlertBook
from knowledge.store import Store
from knowledge.store.objects import ObjectStore

if TYPE_CHECKING:
    from knowledge.graph.sync import SyncMarks


def uses_blob(settings: Settings) -> bool:
    return settings.STORE_BACKEND == "azure-blob"


def open_usage_store(settings: Settings, data_dir: Path | str | None = None) -> Store:
    """The calling-plan store of ``settings`` (``data_dir`` overrides ``DATA_DIR``: local files,
    and the demo's export files in either backend)."""
    folder = settings.DATA_DIR if data_dir is None else data_dir
    if not uses_blob(settings):
        return Store(folder, settings.clock)
    from knowledge.store.shared import SharedStore

    objects = open_objects(settings)
    assert objects is not None
    return SharedStore(objects, folder, settings.clock)


def open_objects(settings: Settings) -> ObjectStore | None:
    """The object store of ``STORE_CONTAINER`` with ``azure-blob`` (a new client: close it),
    None locally."""
    if not uses_blob(settings):
        return None
    from bot.blob_objects import AzureBlobObjects

    return AzureBlobObjects(settings.AZURE_STORAGE_CONNECTION_STRING.get_secret_value(), settings.STORE_CONTAINER)


def open_alert_book(settings: Settings, objects: ObjectStore | None = None) -> AlertBook:
    """The alert subscriptions: ``objects`` (or a new client of ``STORE_CONTAINER``) with
    ``azure-blob``, ``DATA_DIR/alerts`` locally."""
    if uses_blob(settings) and objects is None:
        objects = open_objects(settings)
    return AlertBook(settings.DATA_DIR, objects=objects if uses_blob(settings) else None)


def sync_marks(settings: Settings, objects: ObjectStore | None = None) -> SyncMarks:
    """The Graph sync marks, kept as the alert subscriptions are (see :func:`open_alert_book`).
    Imported here, not at the top: the Graph sync loads only when a sync runs."""
    from knowledge.graph.sync import SyncMarks

    if uses_blob(settings) and objects is None:
        objects = open_objects(settings)
    return SyncMarks(settings.DATA_DIR, objects=objects if uses_blob(settings) else None)


def scheduler_lock(settings: Settings) -> SchedulerLock:
    """Who runs the syncs and alerts: one replica per store (see :mod:`bot.scheduler`)."""
    if not uses_blob(settings):
        return FileSchedulerLock(sync_lock_path(settings.DATA_DIR))
    from bot.blob_objects import BlobLeaseSchedulerLock, container_client

    container = container_client(settings.AZURE_STORAGE_CONNECTION_STRING.get_secret_value(), settings.STORE_CONTAINER)
    return BlobLeaseSchedulerLock(container)
