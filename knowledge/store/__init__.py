"""The usage store and its parts: tenants, users, call records and minute pools on disk.

``api`` (``UsageStoreApi``, what the bot and dialogs call), ``usage_store`` (the files
implementation: ``Store`` / ``AsyncStore``), ``layout`` (files and the summary),
``writer`` (one tenant's commit), ``importing`` (batches from export files), ``lock`` (one
writer per tenant), ``atomic`` (temp file + fsync + rename), ``records`` (validated rows),
``key_index`` (de-duplication keys), ``demo`` (the demo tenant).

The names below are what ``knowledge.store`` exported when it was one module, and the type
of a store the host passes around (``api.UsageStoreApi``). They load on
first use (PEP 562), so importing a light part (``knowledge.store.atomic``,
``knowledge.store.records``) does not import the whole store, and ``knowledge.pools`` can
import ``records`` without a cycle through ``usage_store``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.importers.detect import ImportFileError
    from knowledge.importers.summary import FileImport, ImportSummary, RowError
    from knowledge.store.api import UsageStoreApi
    from knowledge.store.layout import DEFAULT_TENANT_ID, StoreError
    from knowledge.store.usage_store import AsyncStore, Store

__all__ = [
    "DEFAULT_TENANT_ID",
    "AsyncStore",
    "FileImport",
    "ImportFileError",
    "ImportSummary",
    "RowError",
    "Store",
    "StoreError",
    "UsageStoreApi",
]


def __getattr__(name: str) -> object:
    if name in __all__:
        module = "knowledge.store.api" if name == "UsageStoreApi" else "knowledge.store.usage_store"
        return getattr(importlib.import_module(module), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
