"""Azure Blob Storage as the usage store's object store, and the scheduler's lease.

:class:`AzureBlobObjects` implements :class:`knowledge.store.objects.ObjectStore` with
``azure-storage-blob``'s synchronous client: the store already runs its work on its own worker
thread (``AsyncStore``) and the command line is synchronous, so the sync client keeps one code
path. Every request is bounded: a connect timeout, a read timeout and two quick retries (the
SDK's default is ten retries backing off from 15 s, minutes of silence when the service is
down). SDK errors become the store's typed errors: 409/412 on a conditional write ->
``PreconditionFailed``, 304 -> ``NotModified``, no answer or a 5xx -> ``ObjectStoreUnavailable``.

:class:`BlobLeaseSchedulerLock` is :class:`bot.sync_lock.SchedulerLock` across replicas: a 60 s
lease on the ``scheduler-lease`` blob of the store's container.
"""

from __future__ import annotations

import contextlib
import logging
import threading

from azure.core import MatchConditions
from azure.core.exceptions import (
    AzureError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
    ResourceNotModifiedError,
)
from azure.storage.blob import (
    BlobLeaseClient,
    BlobServiceClient,
    ContainerClient,
    LinearRetry,
)

from knowledge.store.objects import (
    NotModified,
    ObjectStoreUnavailable,
    PreconditionFailed,
    StoredObject,
)

log = logging.getLogger(__name__)

#: Seconds to open a connection, and to wait for an answer, per try.
CONNECT_TIMEOUT_S = 3.0
READ_TIMEOUT_S = 10.0
#: Retries of a failed request (connection refused, 5xx), half a second apart.
RETRIES = 2


def container_client(
    connection_string: str,
    container: str,
    *,
    connect_timeout: float = CONNECT_TIMEOUT_S,
    read_timeout: float = READ_TIMEOUT_S,
    retries: int = RETRIES,
) -> ContainerClient:
    """A container client whose every request is bounded (see the module doc)."""
    service = BlobServiceClient.from_connection_string(
        connection_string,
        connection_timeout=connect_timeout,
        read_timeout=read_timeout,
        retry_policy=LinearRetry(backoff=0.5, random_jitter_range=0.2, retry_total=retries),
    )
    return service.get_container_client(container)


def _unavailable(exc: AzureError) -> ObjectStoreUnavailable:
    status = getattr(exc, "status_code", None)
    what = f"HTTP {status}" if status else type(exc).__name__
    return ObjectStoreUnavailable(f"Azure Blob Storage did not answer ({what})")


class AzureBlobObjects:
    """The objects of one container (created on first write if missing)."""

    def __init__(self, connection_string: str, container: str, **bounds: float) -> None:
        """``bounds``: ``connect_timeout``, ``read_timeout``, ``retries`` (see :func:`container_client`)."""
        self.container = container_client(connection_string, container, **bounds)  # type: ignore[arg-type]
        self._created = False

    def get(self, name: str, *, if_none_match: str | None = None) -> StoredObject | None:
        blob = self.container.get_blob_client(name)
        kwargs = {"etag": if_none_match, "match_condition": MatchConditions.IfModified} if if_none_match else {}
        try:
            downloader = blob.download_blob(**kwargs)
            data = downloader.readall()
        except ResourceNotModifiedError:
            raise NotModified(name) from None
        except ResourceNotFoundError:
            return None
        except HttpResponseError as exc:
            if exc.status_code == 304:
                raise NotModified(name) from None
            raise _unavailable(exc) from None
        except AzureError as exc:
            raise _unavailable(exc) from None
        return StoredObject(data=bytes(data), etag=str(downloader.properties.etag))

    def put(self, name: str, data: bytes, *, if_match: str | None = None, if_none_match: str | None = None) -> str:
        blob = self.container.get_blob_client(name)
        if if_match:
            kwargs: dict[str, object] = {
                "overwrite": True,
                "etag": if_match,
                "match_condition": MatchConditions.IfNotModified,
            }
        elif if_none_match == "*":
            kwargs = {"overwrite": False}
        else:
            kwargs = {"overwrite": True}
        for attempt in (1, 2):
            try:
                result = blob.upload_blob(data, **kwargs)
                return str(result["etag"])
            except ResourceNotFoundError:
                if attempt == 2 or not self._create_container():
                    raise ObjectStoreUnavailable(f"container {self.container.container_name} is missing") from None
            except HttpResponseError as exc:
                if exc.status_code in (409, 412):
                    raise PreconditionFailed(name) from None
                raise _unavailable(exc) from None
            except AzureError as exc:
                raise _unavailable(exc) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def list(self, prefix: str, *, shallow: bool = False) -> list[str]:
        try:
            if shallow:
                return sorted(item.name for item in self.container.walk_blobs(name_starts_with=prefix, delimiter="/"))
            return sorted(item.name for item in self.container.list_blobs(name_starts_with=prefix))
        except ResourceNotFoundError:
            return []  # no container yet: nothing stored
        except AzureError as exc:
            raise _unavailable(exc) from None

    def delete(self, name: str) -> None:
        try:
            self.container.delete_blob(name)
        except ResourceNotFoundError:
            pass
        except AzureError as exc:
            raise _unavailable(exc) from None

    def _create_container(self) -> bool:
        if self._created:
            return False
        with contextlib.suppress(ResourceExistsError):
            self.container.create_container()
        self._created = True
        return True

    def close(self) -> None:
        self.container.close()


#: Seconds a scheduler lease lasts without renewal (Azure allows 15 to 60).
LEASE_SECONDS = 60
LEASE_BLOB = "scheduler-lease"


class BlobLeaseSchedulerLock:
    """One scheduler across replicas: whoever holds the lease on ``scheduler-lease`` runs the
    syncs and alerts. ``try_acquire`` takes the lease, or renews it when this replica holds it
    (every tick, and ``keep`` renews it every 20 s in between); ``release`` gives it up (on
    shutdown), so another replica takes over at its next tick instead of a minute later. A
    replica that dies keeps it at most 60 s. A storage failure reads as "not the holder": no
    replica runs a tick it cannot be sure is its own.
    """

    #: The scheduler keeps this lock between ticks (see :class:`bot.scheduler.Scheduler`).
    keeps_between_ticks = True

    def __init__(self, container: ContainerClient, name: str = LEASE_BLOB, lease_seconds: int = LEASE_SECONDS) -> None:
        self.blob = container.get_blob_client(name)
        self.container = container
        self.lease_seconds = lease_seconds
        self.lease: BlobLeaseClient | None = None
        #: Why the last ``try_acquire`` failed when the storage itself failed (None: it answered).
        self.unavailable: str | None = None
        self._blob_ready = False
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        with self._lock:
            self.unavailable = None
            try:
                if self.lease is not None:
                    try:
                        self.lease.renew()
                        return True
                    except HttpResponseError as exc:
                        if exc.status_code not in (409, 412):
                            raise
                        self.lease = None  # it expired and another replica took it
                        log.warning("scheduler lease lost: another replica now runs syncs and alerts")
                self._ensure_blob()
                try:
                    self.lease = self.blob.acquire_lease(lease_duration=self.lease_seconds)
                except ResourceExistsError:
                    return False  # another replica holds it
                except HttpResponseError as exc:
                    if exc.status_code == 409:
                        return False
                    raise
                log.info("this replica now runs the syncs and alerts (scheduler lease taken)")
                return True
            except AzureError as exc:
                log.warning("scheduler lease: storage unavailable (%s); skipping this tick", type(exc).__name__)
                self.unavailable = type(exc).__name__
                self.lease = None
                return False

    @property
    def renew_seconds(self) -> float:
        """How often the scheduler renews a held lease between ticks (a third of its life)."""
        return self.lease_seconds / 3

    def keep(self) -> None:
        """Renew the lease if this replica holds it (:meth:`Scheduler.keep_lease`); never takes it."""
        if self.lease is not None:
            self.try_acquire()

    def release(self) -> None:
        with self._lock:
            lease, self.lease = self.lease, None
            if lease is None:
                return
            try:
                lease.release()
            except AzureError as exc:  # it expires by itself within LEASE_SECONDS
                log.warning(
                    "scheduler lease not released (%s): it expires within %d s", type(exc).__name__, self.lease_seconds
                )

    def _ensure_blob(self) -> None:
        """The lease needs a blob: create it empty once (it may exist, leased or not)."""
        if self._blob_ready:
            return
        for attempt in (1, 2):
            try:
                self.blob.upload_blob(b"", overwrite=False)
            except ResourceNotFoundError:
                if attempt == 2:
                    raise
                with contextlib.suppress(ResourceExistsError):
                    self.container.create_container()
                continue
            except HttpResponseError as exc:
                if exc.status_code not in (409, 412):  # exists (and maybe leased): fine
                    raise
            break
        self._blob_ready = True
