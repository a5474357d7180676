"""Proactive pool alerts: due alerts (:func:`knowledge.alerts.due_alerts`) sent as cards to the
subscribed conversations with ``CloudAdapter.continue_conversation`` and the stored reference.

An alert is recorded as sent only after the connector accepted it, so a failed post (the
connector down, the bot removed from the chat) is tried again at the next tick, and one that
went out is never repeated (per pool, threshold, month and conversation; persisted).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import ConversationReference

from dialogs.api import alert_card
from knowledge.alerts import Alert, AlertBook, covered_keys, due_alerts
from knowledge.store import UsageStoreApi

log = logging.getLogger(__name__)

#: Seconds a proactive post may take before we give up on it (tried again at the next tick).
SEND_TIMEOUT = 30.0


async def send_due_alerts(
    adapter: BotAdapter, bot_app_id: str, store: UsageStoreApi, book: AlertBook, now: Callable[[], datetime]
) -> list[Alert]:
    """Send every due alert of every subscribed tenant; returns the alerts sent."""
    today = now().date()
    month = today.strftime("%Y-%m")
    sent_now: list[Alert] = []
    known = set(await store.tenants())
    for tenant in await asyncio.to_thread(book.tenants):
        if tenant not in known:
            continue
        balances = await store.pools(tenant, month, today)
        subscriptions = await asyncio.to_thread(book.subscriptions, tenant)
        sent = await asyncio.to_thread(book.sent, tenant)
        for alert in due_alerts(tenant, balances, subscriptions.values(), sent):
            subscription = subscriptions[alert.conversation_id]
            reference = ConversationReference.deserialize(subscription.reference)
            card = alert_card(alert).to_activity()

            async def post(context: TurnContext, card=card) -> None:
                await context.send_activity(card)

            try:
                await asyncio.wait_for(adapter.continue_conversation(reference, post, bot_app_id), SEND_TIMEOUT)
            except Exception as exc:  # one conversation failing never stops the others
                log.warning(
                    "pool alert for tenant %s to conversation %s not delivered (%s); will retry",
                    tenant,
                    alert.conversation_id,
                    exc.__class__.__name__,
                )
                continue
            keys = covered_keys(alert, subscription)
            sent.update(keys)
            await asyncio.to_thread(book.mark_sent, tenant, keys, month)
            sent_now.append(alert)
            log.info("pool alert sent: tenant %s, %s %s, %s", tenant, alert.pool.country, alert.pool.plan, alert.kind)
    return sent_now
