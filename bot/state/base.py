"""What every bot-state backend keeps: the SDK's ``Storage`` contract with e_tag optimistic
concurrency, plus what the host needs (a probe for ``/healthz``, ``close`` at cleanup, and
state set aside when it could not be read).

Concurrency (``botbuilder.testing.StorageBaseTests``): every write gets a new ``e_tag``; a
write carrying an ``e_tag`` other than ``*`` that no longer matches the stored one raises
:class:`ETagConflictError` and changes nothing; :data:`NEW_KEY_E_TAG` matches no stored
e_tag (a key created since it was read as absent conflicts); no e_tag, or ``*``, overwrites;
an empty ``e_tag`` is refused.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Mapping, Set
from typing import Any

from botbuilder.core import Storage


class ETagConflictError(KeyError):
    """The item changed since it was read (optimistic concurrency). A KeyError like MemoryStorage's."""


class StateUnavailableError(RuntimeError):
    """The state backend could not be read or written (not a conflict): the turn fails with an
    apology, and nothing is cleared or overwritten on the strength of a read that failed."""


#: The e_tag of the state of a key that had none when it was read (``bot.state.scopes`` puts
#: it there): its first save is refused if the key was created meanwhile (``If-None-Match: *``
#: on Azure Blob), where no e_tag at all would overwrite, as the SDK's contract says.
NEW_KEY_E_TAG = "new-key"


class StateStorage(Storage):
    """A bot-state ``Storage`` the host can probe (``/healthz``) and close (app cleanup):
    :class:`TinyDBStorage` (local) or ``bot.state.blob.BlobStateStorage`` (Azure Blob)."""

    #: Why the last write failed, None once one succeeds.
    write_problem: str | None = None
    #: True when a read waits on the network (Azure Blob): a turn then reads its conversation
    #: and user state at once, one round trip instead of two (``bot.teams_bot``). Local reads
    #: are file or memory work with nothing to overlap: one after the other.
    concurrent_reads: bool = False
    #: Keys whose stored state could not be read and now reads as absent, until taken
    #: (:meth:`take_set_aside`). Empty on nearly every turn: the host then works out no key to ask.
    set_aside: Set[str] = frozenset()

    async def probe(self) -> str | None:
        """None if the storage can be written now, else why not."""
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError

    def take_set_aside(self, key: str) -> bool:
        """True (once) if ``key``'s stored state could not be read and now reads as absent."""
        return False


def get_e_tag(item: Any) -> str | None:
    if isinstance(item, Mapping):
        return item.get("e_tag")
    return getattr(item, "e_tag", None)


def set_e_tag(item: Any, e_tag: str | None) -> None:
    if isinstance(item, dict):
        item["e_tag"] = e_tag
    elif item is not None and not isinstance(item, (str, int, float, bool, list, tuple)):
        with contextlib.suppress(AttributeError):  # pragma: no cover - objects with __slots__
            item.e_tag = e_tag


def without_e_tag(item: Any) -> Any:
    if isinstance(item, Mapping):
        return {k: v for k, v in item.items() if k != "e_tag"}
    if hasattr(item, "__dict__") and "e_tag" in vars(item):
        clone = copy.copy(item)
        del clone.e_tag
        return clone
    return item
