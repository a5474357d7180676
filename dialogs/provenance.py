"""The "Data: ..." line of pool answers: what the figures rest on, in the reply's language.

WHY: a pool balance is only as fresh as the exports behind it (the Teams admin center export
lags 24-48 h; Graph pages cover what was fetched) and the demo tenant is made up. Every card
showing pool figures ends with this one line, built here and nowhere else, from the
:class:`knowledge.provenance.DataProvenance` the store keeps in the tenant's summary.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from dialogs.nlu.i18n import t
from knowledge.provenance import DataProvenance


def data_text(data: DataProvenance, lang: str) -> str:
    """``Data: Teams admin center PSTN export, user list; newest call March 28, 2026; ...``.

    Kept per (what it says, language): every pool answer of a tenant ends with the same line
    until its next import."""
    return _data_text(tuple(data.source_kinds), data.newest_call, data.last_import, data.demo, lang)


@lru_cache(maxsize=256)
def _data_text(
    source_kinds: tuple[str, ...], newest_call: datetime | None, last_import: datetime | None, demo: bool, lang: str
) -> str:
    kinds = [t(lang, f"data.kind.{kind}") for kind in source_kinds]
    parts = [", ".join(kinds) if kinds else t(lang, "data.kinds_unknown")]
    if newest_call is not None:
        parts.append(t(lang, "data.newest_call", date=newest_call.date()))
    if last_import is not None:
        parts.append(t(lang, "data.last_import", date=last_import.date()))
    if demo:
        parts.append(t(lang, "data.demo"))
    return t(lang, "data.line", parts="; ".join(parts))


def data_block(data: DataProvenance, lang: str) -> dict[str, Any]:
    """The line as one small, subtle Adaptive Card TextBlock."""
    return {
        "type": "TextBlock",
        "text": data_text(data, lang),
        "wrap": True,
        "isSubtle": True,
        "size": "Small",
        "spacing": "Medium",
    }
