"""What a tenant's pool figures rest on: which exports, how fresh, and whether it is demo data.

WHY: a pool balance is only as good as the files behind it (a TAC export lags 24-48 h, Graph
pages cover what was fetched, sizes come from the last roster). Cards and ``callplan pools
--json`` state it next to the figures. It is read from the tenant's summary, which every
import commit updates, so stating it costs no extra file read per lookup.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from knowledge.store.layout import DEFAULT_TENANT_ID, TenantSummary

SourceKind = Literal["pstn_csv", "graph", "roster"]

#: The order kinds are named in (calls first, then the roster that sizes the pools).
KIND_ORDER: tuple[str, ...] = ("pstn_csv", "graph", "roster")


class DataProvenance(BaseModel):
    """The data behind one tenant's pools, as of its last committed import."""

    model_config = ConfigDict(frozen=True)

    tenant_id: str
    #: File kinds imported: ``pstn_csv`` (Teams admin center export), ``graph`` (getPstnCalls),
    #: ``roster`` (user list). Empty for a store written before they were recorded.
    source_kinds: list[SourceKind]
    newest_call: datetime | None
    last_import: datetime | None
    #: The demo tenant (``callplan demo``, ``make run``): generated data, not a real tenant's.
    demo: bool

    @classmethod
    def from_summary(cls, summary: TenantSummary) -> DataProvenance:
        kinds = [kind for kind in KIND_ORDER if kind in summary.source_kinds]
        return cls(
            tenant_id=summary.tenant_id,
            source_kinds=kinds,
            newest_call=summary.newest_call,
            last_import=summary.updated_at,
            demo=summary.tenant_id == DEFAULT_TENANT_ID,
        )
