"""Answers read from the imported data: pool balances, the user list, a user, a pool.

Single-turn requests (pool balance, list users) are plain functions returning the activities to
send: they ask nothing, so they need no dialog. The store is a ``knowledge.store.UsageStoreApi``
(its file work runs on the store's own thread); a damaged store is one sentence, never a
traceback, and a tenant without data gets told how to import it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import Activity

from dialogs.cards import pool_table_card, users_card
from dialogs.nlu.entities import MAX_CHARS, Entities, resolve_month
from dialogs.nlu.i18n import fold, format_month, t
from dialogs.nlu.render import country_name, join, line_name, plan_name
from dialogs.nlu.slots import known_countries
from dialogs.turn import DataUnavailable, TenantData, tenant_id_of
from knowledge.catalog import load_catalog
from knowledge.logsafe import clean
from knowledge.pools import PoolBalance, PoolKey
from knowledge.provenance import DataProvenance
from knowledge.store.layout import StoreError
from knowledge.store.records import UserRecord

log = logging.getLogger(__name__)


def no_data_activity(context: TurnContext, lang: str) -> Activity:
    """How to import data, for a tenant the store does not hold."""
    tenant = tenant_id_of(context.activity)
    text = t(lang, "data.none", tenant=tenant) if tenant else t(lang, "data.none_no_tenant")
    return MessageFactory.text(f"{text}\n\n{t(lang, 'data.demo_hint')}")


def error_activity(error: Exception, lang: str) -> Activity:
    """The store could not be read. The details (a server path, a parser's message) went to the
    log in :func:`_read`; the chat only says it is unavailable."""
    return MessageFactory.text(t(lang, "data.error"))


async def _read(call: Any) -> Any:
    try:
        return await call
    except (StoreError, OSError, ValueError) as exc:  # a damaged or unreadable store
        log.error("the calling-plan store cannot be read: %s: %s", type(exc).__name__, clean(exc, limit=500))
        raise DataUnavailable(type(exc).__name__) from exc


# --- users --------------------------------------------------------------------------------------


def calling_plan_of(user: UserRecord) -> str | None:
    """The Calling Plan SKU the user's licences give (the catalog's licence -> plan mapping)."""
    catalog = load_catalog()
    for sku in user.licenses:
        plan = catalog.calling_plan_for(sku)
        if plan is not None:
            return plan.sku
    return None


async def find_user(tenants: TenantData, tenant: str, query: str) -> UserRecord | None:
    """A user by UPN, mail nickname or display name; a bare first name ("@Alice") when only one
    user has it. A different UPN is never taken for another person."""
    store = tenants.store
    user = await _read(store.find_user(tenant, query))
    if user is not None or "@" in query:
        return user
    wanted = query.strip().casefold()
    matches = [
        u
        for u in await _read(store.users(tenant))
        if u.display_name.casefold().split()[:1] == [wanted] or u.upn.partition("@")[0].split(".")[0] == wanted
    ]
    return matches[0] if len(matches) == 1 else None


#: Words that are first names of someone but mostly something else in a question.
_NOT_NAMES = frozenset({"can", "call", "will", "may", "june", "april", "pool", "user", "users"})
#: At most this many people are offered on a "which one?" card.
WHICH_ONE = 5


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", fold(text[:MAX_CHARS]))


async def users_named(tenants: TenantData, tenant: str, text: str) -> list[UserRecord]:
    """The roster's people a message names without a UPN: by display name ("Alice Martin"),
    else by first name or UPN prefix ("Alice", "alice.martin"). One user when it is clear,
    several when a first name is shared (the caller asks "which one?"), none otherwise.
    Cost: one pass over the roster with set lookups (no search per character of the text)."""
    words = _words(text)
    if not words:
        return []
    joined = f" {' '.join(words)} "
    present = set(words)
    roster = await _read(tenants.store.users(tenant))
    by_name = [u for u in roster if u.display_name and f" {' '.join(_words(u.display_name))} " in joined]
    if by_name:
        return by_name[:WHICH_ONE]
    by_first = []
    for user in roster:
        names = _words(user.display_name or "")
        prefix = _words(user.upn.partition("@")[0].split(".")[0])
        first = names[0] if names else (prefix[0] if prefix else "")
        if len(first) >= 3 and first in present and first not in _NOT_NAMES:
            by_first.append(user)
    return by_first[: WHICH_ONE + 1]


def name_words(people: list[UserRecord]) -> set[str]:
    """The folded words of these people's display names and UPN prefixes ("olivia", "leroy")."""
    words: set[str] = set()
    for user in people:
        words.update(_words(user.display_name or ""))
        words.update(_words(user.upn.partition("@")[0].replace(".", " ")))
    return words


def _user_filter(users: list[UserRecord], entities: Entities) -> list[UserRecord]:
    """The users a lookup asks for: by country, plan, and the UPNs it names ("and for alice?"
    after a purchase shows alice's line)."""
    named = {u.lower() for u in entities.users if "@" in u}
    users = [u for u in users if u.upn.lower() in named] if named else users
    countries = set(known_countries(entities.countries))
    catalog = load_catalog()
    plan = catalog.find_plan(entities.plan) if entities.plan else None
    selected = []
    for user in users:
        if countries and user.usage_location not in countries:
            continue
        if entities.plan:
            held = calling_plan_of(user)
            if plan is None and not (held and catalog.plan(held).is_payg):
                continue  # PAYG asked
            if plan is not None and held != plan.sku:
                continue
        selected.append(user)
    return selected


async def users_activities(context: TurnContext, tenants: TenantData, entities: Entities, lang: str) -> list[Activity]:
    try:
        tenant = await tenants.resolve(context)
        if tenant is None:
            return [no_data_activity(context, lang)]
        users = await _read(tenants.store.users(tenant))
    except DataUnavailable as exc:
        return [error_activity(exc, lang)]
    return [users_card(_user_filter(users, entities), lang).to_activity()]


# --- pools --------------------------------------------------------------------------------------


async def pool_balance(
    tenants: TenantData, tenant: str | None, key: PoolKey | None
) -> tuple[PoolBalance | None, DataProvenance | None]:
    """This month's balance of the pool ``key`` and what it rests on (None, None when unknown or
    no data): one store read, which the memo answers with one look at the tenant's summary."""
    if tenant is None or key is None:
        return None, None
    balances, data = await _read(tenants.store.pools_and_provenance(tenant))
    # The fields compared as they are, not ``b.key == key``: that built (and checked) a PoolKey
    # for every pool of the tenant on every check (a per-user plan has one pool per user). The
    # same answer: the store files each balance under a PoolKey's own fields
    # (``knowledge.pools.compute_pools``), so a balance's key holds them unchanged.
    wanted = (key.country, key.plan, key.line, key.upn)
    balance = next((b for b in balances if (b.country, b.plan, b.line, b.upn) == wanted), None)
    return balance, data if balance is not None else None


def _pool_filters(entities: Entities, user: UserRecord | None) -> tuple[set[str], str | None, str | None, str | None]:
    """(pool countries, plan capability or "PAYG", line, upn) asked for."""
    catalog = load_catalog()
    countries = {catalog.pool_country(c) for c in known_countries(entities.countries)}
    capability = None
    if entities.plan:
        plan = catalog.find_plan(entities.plan)
        capability = plan.capability if plan else entities.plan
    upn = None
    if user is not None:
        if user.usage_location:
            countries.add(catalog.pool_country(user.usage_location))
        sku = calling_plan_of(user)
        if sku and capability is None:
            capability = catalog.plan(sku).capability
            upn = user.upn if catalog.plan(sku).pool == "per_user" else None
    return countries, capability, entities.line, upn


def _describe(countries: set[str], capability: str | None, line: str | None, lang: str) -> str:
    parts = [country_name(c, lang) for c in sorted(countries)]
    if capability:
        parts.append(plan_name(capability, lang))
    if line:
        parts.append(line_name(line, lang))
    return join(parts, lang)


async def pool_activities(context: TurnContext, tenants: TenantData, entities: Entities, lang: str) -> list[Activity]:
    """The pool table of the pools the message asks about (all of them when it names none)."""
    try:
        tenant = await tenants.resolve(context)
        if tenant is None:
            return [no_data_activity(context, lang)]
        day = tenants.today()
        this_month = day.strftime("%Y-%m")
        month = resolve_month(entities.month, day) or this_month
        balances, data = await _read(tenants.store.pools_and_provenance(tenant, month))
        user = await find_user(tenants, tenant, entities.users[0]) if entities.users else None
    except DataUnavailable as exc:
        return [error_activity(exc, lang)]
    as_of = day if month == this_month else None
    if not balances:
        return [MessageFactory.text(t(lang, "pools.none_month", month=format_month(month, lang)))]
    countries, capability, line, upn = _pool_filters(entities, user)
    matched: Sequence[PoolBalance]
    if not countries and upn is None and entities.unknown_places:
        matched = []  # a place the bot does not know: no pool of it, whatever else is named
    elif not countries and capability is None and line is None and upn is None:
        matched = balances  # "pool balance": every pool, no pass over them to keep them all
    else:
        matched = [
            b
            for b in balances
            if (not countries or b.country in countries)
            and (capability is None or b.plan == capability)
            and (line is None or b.line == line)
            and (upn is None or b.upn == upn)
        ]
    if matched:
        return [pool_table_card(matched, lang, month=month, as_of=as_of, data=data).to_activity()]
    # Nothing matches: every pool, the card saying why (one answer, not a text and a card).
    notice = t(lang, "pools.no_match", filter=_describe(countries, capability, line, lang))
    if not countries and entities.unknown_places:  # "minutes left in Atlantis": said back, never dropped
        notice = " ".join(t(lang, "reason.unknown_country", name=name) for name in entities.unknown_places)
    return [pool_table_card(balances, lang, month=month, as_of=as_of, data=data).with_notice(notice).to_activity()]
