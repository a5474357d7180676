"""The usage store and the scheduler lock the settings ask for (``STORE_BACKEND``).

``local`` (default): the store's folders under ``DATA_DIR/store`` with a file lock per tenant,
and a file lock electing the one scheduler of this machine. ``azure-blob``: the same store in
the ``STORE_CONTAINER`` container (:class:`knowledge.store.shared.SharedStore` over
:class:`bot.blob_objects.AzureBlobObjects`), and a blob lease electing the one scheduler of
all replicas. The bot (``create_app``) and the command line (``callplan import``, ``pools``,
``users``, ``demo``, ``sync``) open the store here, so they always agree. The Azure SDK is
imported only for ``azure-blob``: the local commands start without it.
"""
from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from bot.sync_lock import FileSchedulerLock, SchedulerLock, sync_lock_path
from knowledge.store import Store


def uses_blob(settings: Settings) -> bool:
    return settings.STORE_BACKEND == "azure-blob"


def open_usage_store(settings: Settings, data_dir: Path | str | None = None) -> Store:
    """The calling-plan store of ``settings`` (``data_dir`` overrides ``DATA_DIR``: local files,
    and the demo's export files in either backend)."""
    folder = settings.DATA_DIR if data_dir is None else data_dir
    if not uses_blob(settings):
        return Store(folder, settings.clock)
    from bot.blob_objects import AzureBlobObjects
    from knowledge.store.shared import SharedStore

    objects = AzureBlobObjects(settings.AZURE_STORAGE_CONNECTION_STRING.get_secret_value(),
                               settings.STORE_CONTAINER)
    return SharedStore(objects, folder, settings.clock)


def scheduler_lock(settings: Settings) -> SchedulerLock:
    """Who runs the syncs and alerts: one replica per store (see :mod:`bot.scheduler`)."""
    if not uses_blob(settings):
        return FileSchedulerLock(sync_lock_path(settings.DATA_DIR))
    from bot.blob_objects import BlobLeaseSchedulerLock, container_client

    container = container_client(settings.AZURE_STORAGE_CONNECTION_STRING.get_secret_value(),
                                 settings.STORE_CONTAINER)
    return BlobLeaseSchedulerLock(container)
