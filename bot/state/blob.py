"""Bot state in Azure Blob Storage (``STATE_BACKEND=azure-blob``): one blob per storage key in
``STATE_CONTAINER``, shared by every replica of the bot.

The SDK's ``Storage`` contract with e_tag optimistic concurrency, on ``azure-storage-blob``'s
async client used directly. Why not ``botbuilder.azure.BlobStorage``: it has the traps listed
in ``../shared/notes/azure-storage.md``, each fixed here:

1. A failed read (throttled, refused, timed out) raises :class:`~bot.state.base.StateUnavailableError`:
   the turn fails with an apology. It never reads as empty state, which the next save would
   write over the real one.
2. The first save of a new key is conditional on the blob not existing (``If-None-Match: *``):
   two replicas starting the same conversation cannot both win. A new key is one whose item
   carries :data:`~bot.state.base.NEW_KEY_E_TAG` (``bot.state.scopes`` puts it on the state of a
   conversation or user that has none yet); an update carries the blob's ETag (``If-Match``);
   ``"*"`` or no e_tag overwrite, as the SDK's storages do.
3. A lost race (412, or 409 for a new key) is :class:`~bot.state.base.ETagConflictError`, a
   ``KeyError`` like ``MemoryStorage``'s; ``bot.turn_retry`` re-runs the turn once on fresh
   state, then apologizes.
4. Values are jsonpickle JSON as the SDK's storages (and our local key files) write them: the
   container must stay private (decoding hostile data can build any object).
5. Every call is bounded (:data:`CALL_TIMEOUT_S`, few quick retries), and :meth:`close` closes
   the client's HTTP session (the app's cleanup awaits it).

Blob names are the SHA-256 of the key (any string is safe, the name never grows); the blob
keeps the key itself, checked on read. A blob that does not parse is logged and reads as
absent (the conversation starts over, as with a damaged local file); its ETag is remembered so
the next save replaces exactly that blob.

Writes of several keys are not one transaction (blobs have none): each key is conditional on
its own e_tag. ``BotState`` writes one key per save, so nothing relies on more.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from collections.abc import Awaitable, Iterable, Mapping
from typing import Any, TypeVar

from azure.core import MatchConditions
from azure.core.exceptions import (
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
)
from azure.storage.blob.aio import ContainerClient, LinearRetry
from jsonpickle.pickler import Pickler
from jsonpickle.unpickler import Unpickler

from bot.state.base import (
    NEW_KEY_E_TAG,
    ETagConflictError,
    StateStorage,
    StateUnavailableError,
    get_e_tag,
    set_e_tag,
    without_e_tag,
)
from knowledge.logsafe import clean

log = logging.getLogger(__name__)

#: Seconds one storage call may take, retries included: a turn that cannot reach the
#: storage apologizes within a few seconds instead of hanging.
CALL_TIMEOUT_S = 5.0
#: The client's own bounds under that: connect, read, and two quick retries.
CONNECT_TIMEOUT_S = 2.0
READ_TIMEOUT_S = 4.0
RETRIES = 2
RETRY_BACKOFF_S = 0.3

T = TypeVar("T")


class BlobStateStorage(StateStorage):
    """A botbuilder ``Storage`` over one blob container (see the module docstring)."""

    concurrent_reads = True  # each read is an HTTP round trip

    def __init__(self, container: ContainerClient, *, call_timeout_s: float = CALL_TIMEOUT_S) -> None:
        self.container = container
        self.call_timeout_s = call_timeout_s
        self._container_ready = False
        self._damaged: dict[str, str] = {}  # key -> ETag of a blob that did not parse
        self.set_aside: set[str] = set()
        #: Why the last storage call failed, None once one succeeds (for ``/healthz``).
        self.write_problem: str | None = None

    @classmethod
    def from_connection_string(cls, connection_string: str, container: str, **kwargs: Any) -> BlobStateStorage:
        # A ContainerClient of its own (not one from a BlobServiceClient, which shares the
        # service's transport and leaves its HTTP session open when closed).
        client = ContainerClient.from_connection_string(
            connection_string,
            container,
            retry_policy=LinearRetry(backoff=RETRY_BACKOFF_S, retry_total=RETRIES, random_jitter_range=0),
            connection_timeout=CONNECT_TIMEOUT_S,
            read_timeout=READ_TIMEOUT_S,
        )
        return cls(client, **kwargs)

    # --- lifecycle ------------------------------------------------------------------------

    async def ensure_container(self) -> None:
        """Create the container if it is missing (at start-up, and before the first call if
        the storage could not be reached then)."""
        if self._container_ready:
            return
        with contextlib.suppress(ResourceExistsError):
            await self._bounded(self.container.create_container())
        self._container_ready = True

    async def close(self) -> None:
        await self.container.close()

    async def probe(self) -> str | None:
        """None if the container answers, else why not (``/healthz``)."""
        try:
            await self.ensure_container()
            await self._bounded(self.container.get_container_properties())
        except Exception as exc:
            self.write_problem = f"bot state storage (Azure Blob) cannot be reached: {_reason(exc)}"
            return self.write_problem
        self.write_problem = None
        return None

    def take_set_aside(self, key: str) -> bool:
        """True (once) if ``key``'s blob could not be parsed and reads as absent since the last call."""
        if key in self.set_aside:
            self.set_aside.discard(key)
            return True
        return False

    @staticmethod
    def blob_name(key: str) -> str:
        """Safe for any key (even lone surrogates): hashed, never used as a name."""
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()

    # --- botbuilder Storage API -------------------------------------------------------------

    async def read(self, keys: Iterable[str]) -> dict[str, Any]:
        if keys is None:
            raise Exception("Keys are required when reading")
        keys = list(dict.fromkeys(keys))
        if not keys:
            return {}
        await self._ensure_for("read")
        items = await asyncio.gather(*(self._read_one(key) for key in keys))
        return {key: item for key, item in zip(keys, items, strict=True) if item is not None}

    async def write(self, changes: Mapping[str, Any]) -> None:
        if changes is None:
            raise Exception("Changes are required when writing")
        if not changes:
            return
        for key, change in changes.items():
            if get_e_tag(change) == "":
                raise ValueError(f"state write for {key!r}: empty e_tag")
        await self._ensure_for("write")
        new_tags = await asyncio.gather(*(self._write_one(key, change) for key, change in changes.items()))
        for key, e_tag in zip(changes, new_tags, strict=True):
            set_e_tag(changes[key], e_tag)

    async def delete(self, keys: Iterable[str]) -> None:
        keys = list(keys or ())
        if not keys:
            return
        await self._ensure_for("delete")
        await asyncio.gather(*(self._delete_one(key) for key in keys))

    # --- one blob -------------------------------------------------------------------------

    async def _read_one(self, key: str) -> Any:
        blob = self.container.get_blob_client(self.blob_name(key))

        async def download() -> tuple[bytes, str]:
            stream = await blob.download_blob()
            return await stream.readall(), stream.properties.etag

        try:
            payload, e_tag = await self._bounded(download())
        except ResourceNotFoundError:
            return None
        except Exception as exc:
            raise self._unavailable("read", key, exc) from exc
        self.write_problem = None
        try:
            doc = json.loads(payload)
            if not isinstance(doc, dict) or doc.get("key") != key:
                raise ValueError("the blob holds another key")
            item = Unpickler(keys=True).restore(doc["state"])
        except Exception as exc:
            log.error(
                "bot state: the blob of key %s is unreadable (%s: %s); the key starts over",
                clean(key),
                type(exc).__name__,
                clean(exc),
            )
            self._damaged[key] = e_tag
            self.set_aside.add(key)
            return None
        self._damaged.pop(key, None)
        set_e_tag(item, e_tag)
        return item

    async def _write_one(self, key: str, change: Any) -> str:
        wanted = get_e_tag(change)
        doc = {"key": key, "state": Pickler(keys=True).flatten(without_e_tag(change))}
        payload = json.dumps(doc, separators=(",", ":")).encode("utf-8")
        conditions: dict[str, Any]
        if wanted == NEW_KEY_E_TAG:
            damaged = self._damaged.get(key)
            if damaged is not None:  # replaces the damaged blob it read, nothing newer
                conditions = {"etag": damaged, "match_condition": MatchConditions.IfNotModified}
            else:
                conditions = {"match_condition": MatchConditions.IfMissing}  # If-None-Match: *
        elif wanted in (None, "*"):
            conditions = {}
        else:
            conditions = {"etag": wanted, "match_condition": MatchConditions.IfNotModified}  # If-Match
        blob = self.container.get_blob_client(self.blob_name(key))
        try:
            result = await self._bounded(blob.upload_blob(payload, overwrite=True, **conditions))
        except HttpResponseError as exc:
            if exc.status_code in (409, 412):
                raise ETagConflictError(f"state for {key!r} changed since it was read (e_tag {wanted!r})") from None
            raise self._unavailable("write", key, exc) from exc
        except Exception as exc:
            raise self._unavailable("write", key, exc) from exc
        self.write_problem = None
        self._damaged.pop(key, None)
        return str(result["etag"])

    async def _delete_one(self, key: str) -> None:
        blob = self.container.get_blob_client(self.blob_name(key))
        try:
            await self._bounded(blob.delete_blob())
        except ResourceNotFoundError:
            return
        except Exception as exc:
            raise self._unavailable("delete", key, exc) from exc

    # --- helpers --------------------------------------------------------------------------

    async def _ensure_for(self, what: str) -> None:
        try:
            await self.ensure_container()
        except Exception as exc:
            raise self._unavailable(what, None, exc) from exc

    async def _bounded(self, call: Awaitable[T]) -> T:
        return await asyncio.wait_for(call, timeout=self.call_timeout_s)

    def _unavailable(self, what: str, key: str | None, exc: BaseException) -> StateUnavailableError:
        self.write_problem = f"bot state storage (Azure Blob) cannot be reached: {_reason(exc)}"
        log.error("bot state: %s of key %s failed: %s: %s", what, clean(key), type(exc).__name__, clean(exc))
        return StateUnavailableError(f"bot state {what} failed: {_reason(exc)}")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, asyncio.TimeoutError):
        return "no answer in time"
    if isinstance(exc, HttpResponseError) and exc.status_code:
        return f"HTTP {exc.status_code} {exc.reason or ''}".strip()
    return type(exc).__name__
