"""Helpers of the pool-alert tests: a roster, a page of calls, a chat turn, the posted alerts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from testkit.fake_graph import pstn_row

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CONV_EN = "a:conversation-en"
CONV_FR = "a:conversation-fr"


def roster(path, users: int) -> None:
    lines = ["upn,usage_location,licenses"] + [f"user{n}@contoso.com,FR,SPE_E5+MCOPSTN1" for n in range(users)]
    path.write_text("\n".join(lines) + "\n")


def calls_page(path, minutes: int, first: int) -> None:
    """``minutes`` one-minute outbound calls in November, as a Graph getPstnCalls page."""
    start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    rows = [
        pstn_row(first + n, start + timedelta(minutes=2 * n), upn="user0@contoso.com", duration=60)
        for n in range(minutes)
    ]
    path.write_text(
        json.dumps(
            {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#"
                "Collection(microsoft.graph.callRecords.pstnCallLogRow)",
                "value": rows,
            }
        )
    )


async def say(client, h, connector, text: str, conversation_id: str, locale: str = "en-US") -> list[str]:
    activity = h.activity(text, conversation_id=conversation_id, service_url=connector.url, locale=locale)
    return h.texts(await h.replies(client, activity))


def alerts_of(connector, conversation_id: str) -> list[dict]:
    return [p["activity"] for p in connector.posts if p["conversation_id"] == conversation_id]


def title_of(activity: dict) -> str:
    return activity["attachments"][0]["content"]["body"][0]["text"]
