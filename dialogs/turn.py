"""Per-turn facts every dialog needs: the reply language, the tenant whose data to use, and
the entities of the turn's message (:func:`turn_extraction`).

The language is decided once per turn by the root dialog and kept in ``turn_state``, so every
prompt and card of the turn agrees. It is REMEMBERED: in conversation state (the conversation's
language) and in user state (the admin's, used when a new conversation starts with a neutral
message). WHY: Teams clients and the Agents Playground send ``locale: en-US`` with card clicks
and short answers ("40", "E5") carry no language, so a French conversation must not flip to
English on them; :func:`dialogs.nlu.i18n.detect_language` keeps the current language unless the
text is clearly in the other one.

The tenant of a turn is ``channelData.tenant.id`` (else ``conversation.tenantId``). Its data is
used when the store holds it; otherwise the host's ``tenant_fallback`` (the demo tenant in local
mode); otherwise None, and the caller explains how to import data.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from botbuilder.core import ConversationState, TurnContext, UserState

from dialogs.nlu.entities import Extraction, extract
from dialogs.nlu.i18n import Lang, Score, detect_language, french_score, normalize_lang
from knowledge.clock import Clock, system_clock
from knowledge.store.api import UsageStoreApi
from knowledge.store.layout import StoreError, normalize_tenant_id

log = logging.getLogger(__name__)

LANG_KEY = "callplan.lang"
TENANT_KEY = "callplan.tenant"
EXTRACTION_KEY = "callplan.extraction"
LANG_SCORE_KEY = "callplan.lang_score"
_UNRESOLVED = object()


def lang_of(context: TurnContext) -> Lang:
    """The reply language of this turn (set by :meth:`TurnLanguage.decide`)."""
    lang = context.turn_state.get(LANG_KEY)
    return lang if lang else normalize_lang(context.activity.locale)


def turn_extraction(context: TurnContext, text: str) -> tuple[str, Extraction]:
    """``text`` and its entities (:func:`dialogs.nlu.entities.extract`), extracted once per turn:
    the recognizer (router or a dialog's interruption check), the open question's read of a
    typed answer and the dialog's ``also_said`` are handed the same extraction (issue 14: a typed
    "40" was extracted three times in one purchase step, ~60 us each). Kept in ``turn_state``,
    so it lives as long as the turn; keyed by the exact text (a rule that reads another text,
    a part of the message, extracts its own). Nobody changes an extraction: the recognizer
    and the answers make new values from it."""
    memo: dict[str, Extraction] = context.turn_state.setdefault(EXTRACTION_KEY, {})
    found = memo.get(text)
    if found is None:
        found = memo[text] = extract(text)
    return text, found


def turn_language_score(context: TurnContext, text: str | None) -> Score:
    """The language evidence of ``text`` (:func:`dialogs.nlu.i18n.french_score`), scored once
    per turn: :meth:`TurnLanguage.decide` and the recognizer read the same message (issue 14:
    it was scored twice on every typed turn). Kept in ``turn_state``, keyed by the exact text,
    like :func:`turn_extraction`; it lives as long as the turn, nothing is kept across turns."""
    memo: dict[str, Score] = context.turn_state.setdefault(LANG_SCORE_KEY, {})
    key = text or ""
    found = memo.get(key)
    if found is None:
        found = memo[key] = french_score(key)
    return found


class TurnLanguage:
    """Decides and remembers the conversation's language (conversation and user state)."""

    def __init__(self, conversation_state: ConversationState | None, user_state: UserState | None) -> None:
        self._conversation = conversation_state.create_property("ConversationLanguage") if conversation_state else None
        self._user = user_state.create_property("UserProfile") if user_state else None

    async def decide(self, context: TurnContext) -> Lang:
        if context.turn_state.get(LANG_KEY):
            return context.turn_state[LANG_KEY]
        activity = context.activity
        current = await self._conversation.get(context) if self._conversation else None
        profile = (await self._user.get(context) if self._user else None) or {}
        if current is None:
            current = profile.get("lang")
        score = turn_language_score(context, activity.text) if activity.text else None
        lang = detect_language(activity.locale, activity.text, current=current, score=score)
        context.turn_state[LANG_KEY] = lang
        if self._conversation and current != lang:
            await self._conversation.set(context, lang)
        if self._user and profile.get("lang") != lang:
            await self._user.set(context, {**profile, "lang": lang})
        return lang

    async def remembered(self, context: TurnContext) -> Lang:
        """The language the HOST speaks in this turn (turn-error apology, welcome card): this
        turn's if the dialogs decided it, else the conversation's remembered language, else the
        admin's, read through :func:`detect_language` like a dialog turn (so a card click sent
        as ``en-US`` in a French conversation gets French). Reads state, never writes it; if the
        state cannot be read (the turn may have failed on exactly that), the activity decides."""
        if context.turn_state.get(LANG_KEY):
            return context.turn_state[LANG_KEY]
        activity = context.activity
        current = None
        try:
            current = await self._conversation.get(context) if self._conversation else None
            if current is None and self._user:
                current = ((await self._user.get(context)) or {}).get("lang")
        except Exception:  # a failed read must not stop the host from answering
            current = None
        return detect_language(activity.locale, activity.text, current=current)


def tenant_id_of(activity: Any) -> str | None:
    """The Entra tenant id Teams put on the activity (``channelData.tenant.id`` first)."""
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = channel_data.get("tenant")
    tenant_id = tenant.get("id") if isinstance(tenant, dict) else None
    conversation = activity.conversation
    if not tenant_id and conversation is not None:
        # msrest maps the SDK's "tenantID"; Teams sends "tenantId" (kept in additional_properties).
        extra = conversation.additional_properties or {}
        tenant_id = conversation.tenant_id or extra.get("tenantId")
    return tenant_id.strip().lower() if isinstance(tenant_id, str) and tenant_id.strip() else None


class DataUnavailable(Exception):
    """The store could not be read; the message names the kind of failure only (no path)."""


class TenantData:
    """Which tenant's imported data answers this turn (see the module docstring), and what day
    it is: ``clock`` defaults to the store's, so a dialog's "this month" is the store's."""

    def __init__(self, store: UsageStoreApi | None, fallback: str | None, clock: Clock | None = None) -> None:
        self._store = store
        self.fallback = _normalized(fallback)
        self.clock: Clock = clock or (store.clock if store is not None else system_clock)

    @property
    def store(self) -> UsageStoreApi:
        """The store, for a turn whose tenant :meth:`resolve` found (so there is one)."""
        if self._store is None:
            raise RuntimeError("no usage store: resolve() finds no tenant without one")
        return self._store

    def today(self) -> date:
        """Today (UTC) by the injected clock."""
        return self.clock().date()

    async def resolve(self, context: TurnContext) -> str | None:
        cached = context.turn_state.get(TENANT_KEY, _UNRESOLVED)
        if cached is not _UNRESOLVED:
            return cached
        tenant = None
        if self._store is not None:
            try:
                # a list of a few ids: two ``in`` tests on it cost less than building a set
                known = await self._store.tenants()
            except (StoreError, OSError) as exc:  # e.g. Azure Blob Storage does not answer
                log.error("the calling-plan store cannot be read: %s", type(exc).__name__)
                raise DataUnavailable(type(exc).__name__) from exc
            asked = _normalized(tenant_id_of(context.activity))
            if asked in known:
                tenant = asked
            elif self.fallback in known:
                tenant = self.fallback
        context.turn_state[TENANT_KEY] = tenant
        return tenant


def _normalized(tenant_id: str | None) -> str | None:
    if not tenant_id:
        return None
    try:
        return normalize_tenant_id(tenant_id)
    except StoreError:
        return None
