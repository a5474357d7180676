"""Pool alerts in chat: subscribe ("alert me when a pool hits 80%", "préviens-moi à 90 %", the
pool card's button), list and unsubscribe; and the proactive alert card itself.

The subscription keeps this conversation's reference (what the host needs to write here later)
and its language, so an alert arrives in the language the admin subscribed in. The alerts are
evaluated by the host's scheduler after each sync or import (:mod:`bot.alerts`); the rule and
the files are in :mod:`knowledge.alerts`.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import Activity

from dialogs.cards import CardReply, _pool_block, _pool_title, adaptive_card, text_block
from dialogs.nlu.i18n import format_date, format_percent, t
from dialogs.nlu.recognizer import Intent
from dialogs.nlu.render import join
from dialogs.turn import TenantData, tenant_id_of
from knowledge.alerts import RUNOUT, Alert, AlertBook, Subscription
from knowledge.store.layout import StoreError, normalize_tenant_id

#: "80%", "80 %", "80 percent", "80 pour cent", "à 80" is not enough (could be a count).
_PERCENT = re.compile(
    r"(?<!\d)(\d{1,3})(?:[.,]\d+)?\s?(?:%|percent\b|per cent\b|pour\s?cent\b|pourcent\b)", re.IGNORECASE
)


def percent_in(text: str) -> int | None:
    """The first percentage 1-100 in the message (the text is size-capped by the host)."""
    for match in _PERCENT.finditer(text[:2000]):
        value = int(match.group(1))
        if 1 <= value <= 100:
            return value
    return None


def thresholds_text(thresholds: tuple[int, ...], lang: str) -> str:
    return join([format_percent(n / 100, lang) for n in thresholds], lang)


async def alert_activities(
    context: TurnContext, intent: Intent, book: AlertBook, tenants: TenantData, lang: str
) -> list[Activity]:
    """The reply to an alert request (subscribe, list or unsubscribe) in this conversation."""
    activity = context.activity
    tenant = await _tenant(context, tenants)
    if tenant is None:
        return [MessageFactory.text(t(lang, "alerts.no_tenant"))]
    conversation_id = activity.conversation.id
    if intent == Intent.ALERT:
        reference = TurnContext.get_conversation_reference(activity).serialize()
        value = activity.value if isinstance(activity.value, dict) else {}
        percent = value.get("percent") if isinstance(value.get("percent"), int) else percent_in(activity.text or "")
        sub = await asyncio.to_thread(book.subscribe, tenant, conversation_id, reference, lang, percent)
        return [MessageFactory.text(t(lang, "alerts.subscribed", thresholds=thresholds_text(sub.thresholds, lang)))]
    if intent == Intent.ALERT_STOP:
        await asyncio.to_thread(book.unsubscribe, tenant, conversation_id)
        return [MessageFactory.text(t(lang, "alerts.removed"))]
    current: Subscription | None = await asyncio.to_thread(book.subscription, tenant, conversation_id)
    if current is None:
        return [MessageFactory.text(t(lang, "alerts.none"))]
    return [MessageFactory.text(t(lang, "alerts.list", thresholds=thresholds_text(current.thresholds, lang)))]


async def _tenant(context: TurnContext, tenants: TenantData) -> str | None:
    """The tenant whose pools this chat sees; else the chat's own tenant (data may come later)."""
    tenant = await tenants.resolve(context)
    if tenant:
        return tenant
    asked = tenant_id_of(context.activity)
    try:
        return normalize_tenant_id(asked) if asked else None
    except StoreError:
        return None


def alert_card(alert: Alert) -> CardReply:
    """The proactive card: what happened to which pool, the pool's figures, how to stop."""
    lang, pool = alert.lang, alert.pool
    name = _pool_title(pool, lang)
    if alert.kind == RUNOUT:
        title = t(lang, "alert.runout_title", pool=name, date=format_date(pool.runs_out_on, lang))
    elif pool.exhausted:
        title = t(lang, "alert.exhausted_title", pool=name)
    else:
        title = t(lang, "alert.threshold_title", pool=name, percent=format_percent(pool.percent_used / 100, lang))
    hint = t(lang, "alert.stop_hint")
    color: dict[str, Any] = {"color": "Attention"} if pool.exhausted else {"color": "Warning"}
    body = [
        text_block(title, weight="Bolder", size="Medium", **color),
        _pool_block(pool, lang),
        text_block(hint, isSubtle=True, size="Small"),
    ]
    return CardReply(attachment=adaptive_card(body), text=title)


__all__ = ["alert_activities", "alert_card", "percent_in", "thresholds_text"]
