"""Replies whose cards the SDK does not deep-copy, copied without a step per empty field, no
trace copied to be dropped, and no reference cycle left by a send.

Why: ``TurnContext.send_activities`` (botbuilder-core 4.17.1, ``turn_context.py``) sends a
``deepcopy`` of every activity, so that stamping the copy with the conversation reference
(``apply_conversation_reference``: ids, channel, service URL, conversation, from, recipient)
never changes the caller's activity, which a prompt keeps in dialog state. That copy walks
every node of every Adaptive Card too: for a pool table (~15 KB of JSON) it was about a
quarter of the turn's CPU. The stamping never touches an attachment, and nothing changes a
card once it is sent, so the card itself need not be copied.

:class:`CardSharingTurnContext` sends what the SDK's ``send_activities`` sends, made cheaper
(:meth:`CardSharingTurnContext._send_copies`, the SDK's method step for step): each reply is
copied by :func:`reply_copy`, a plain ``Activity`` whose attachments are plain ``Attachment``
objects with the same fields (copied) and *the same* content object. Everything else is copied
as ``deepcopy`` copies it; the caller's activity is not changed (its attachments list is not
touched either); what is sent, buffered for ``expectReplies`` or serialized contains only the
SDK's own types. The adapter builds its turn contexts with this class
(:meth:`bot.adapter.CallingPlanAdapter._create_turn_context`); an activity of another class, or
with attachments of another class, is copied by ``deepcopy`` as the SDK copies it.

The SDK's ``deepcopy`` of the activity itself walked its ~45 fields one ``copy.deepcopy`` call
each (``_reconstruct`` -> ``_deepcopy_dict``), although nearly all of them are ``None`` or a
string, which ``deepcopy`` returns as they are: ~86 Python-level calls per reply.
:func:`reply_copy` puts ``None``, ``str``, ``bool``, ``int`` and ``float`` values (exact types) and
the schema's enum members in as they are (what ``deepcopy`` returns for them), and deep-copies
every other value as before (lists, dicts, suggested actions, entities), through one memo:
the result is equal to the SDK's copy, field by field, with the same sharing, and nothing the
caller holds can change through it. The fields the conversation reference then overwrites
(conversation, from, recipient...) are not copied first; and the reference's three
``copy.copy`` of the incoming accounts are done directly (:func:`conversation_reference`).
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable
from enum import Enum
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    ConversationReference,
    DeliveryModes,
    ResourceResponse,
)
from botframework.connector import Channels
from msrest.serialization import Model

#: Enum members read once, at import: in Python 3.11 every ``EnumClass.member`` read is a
#: Python-level descriptor call (``enum.property.__get__``, ~0.4 us), and a turn makes several.
_MESSAGE, _TRACE, _INVOKE_RESPONSE = ActivityTypes.message, ActivityTypes.trace, ActivityTypes.invoke_response
_CONVERSATION_UPDATE, _EXPECT_REPLIES = ActivityTypes.conversation_update, DeliveryModes.expect_replies
_EMULATOR, _DIRECT_LINE, _WEBCHAT = Channels.emulator, Channels.direct_line, Channels.webchat

#: Values ``copy.deepcopy`` returns unchanged (``copy._deepcopy_atomic``), by exact type.
_ATOMIC = frozenset({type(None), str, bool, int, float})

#: How :func:`_deepcopy` copies a value, by its exact type.
_AS_IS, _LIST, _MODEL, _DEEPCOPY = range(4)
_HOW: dict[type, int] = {**dict.fromkeys(_ATOMIC, _AS_IS), list: _LIST}


def _how_to_copy(kind: type) -> int:
    how = _HOW.get(kind)
    if how is None:
        how = _HOW[kind] = _MODEL if _is_schema_model(kind) else _AS_IS if _is_plain_enum(kind) else _DEEPCOPY
    return how


def _is_schema_model(kind: type) -> bool:
    """A botbuilder schema model class that copies as msrest's ``Model`` does: no ``__copy__``,
    ``__deepcopy__``, ``__reduce__``, ``__reduce_ex__``, ``__getstate__`` or ``__setstate__`` of its
    own, so ``deepcopy`` rebuilds it as ``cls.__new__(cls)`` with a deep copy of its ``__dict__``
    (and ``copy.copy`` with its ``__dict__`` as it is)."""
    return (
        issubclass(kind, Model)
        and kind.__module__.startswith("botbuilder.schema")
        and not any(hasattr(kind, name) for name in ("__copy__", "__deepcopy__", "__setstate__"))
        and kind.__reduce_ex__ is object.__reduce_ex__
        and kind.__reduce__ is object.__reduce__
        and kind.__getstate__ is object.__getstate__
    )


def _is_plain_enum(kind: type) -> bool:
    """An enum whose members ``deepcopy`` returns as they are (``Enum.__deepcopy__``, not
    memoized): a reply's type and attachment layout (``ActivityTypes``, ``AttachmentLayoutTypes``)."""
    return issubclass(kind, Enum) and getattr(kind, "__deepcopy__", None) is Enum.__deepcopy__


def _deepcopy(value: Any, memo: dict[int, Any]) -> Any:
    """``copy.deepcopy(value, memo)``, the same result, without a Python-level call per atomic
    value inside schema models and lists (a reply's ~45 fields, mostly ``None``)."""
    kind = type(value)
    how = _how_to_copy(kind)
    if how == _AS_IS:
        return value
    if how == _DEEPCOPY:
        return copy.deepcopy(value, memo)
    found = memo.get(id(value))
    if found is not None:
        return found
    if how == _LIST:
        items: list[Any] = []
        memo[id(value)] = items
        items.extend(_deepcopy(item, memo) for item in value)
        copy._keep_alive(value, memo)  # type: ignore[attr-defined]  # as copy._deepcopy_list does via deepcopy
        return items
    return _copy_model(kind, value, memo)


def _copy_model(kind: Any, value: Any, memo: dict[int, Any]) -> Any:
    model = kind.__new__(kind)
    memo[id(value)] = model
    # Nearly every field is None or a string: put in without a call.
    model.__dict__.update(
        {key: item if type(item) in _ATOMIC else _deepcopy(item, memo) for key, item in value.__dict__.items()}
    )
    copy._keep_alive(value, memo)  # type: ignore[attr-defined]
    return model


#: The reply fields ``TurnContext.apply_conversation_reference`` (botbuilder-core 4.17.1) always
#: overwrites on an outgoing copy (``reply_to_id`` only when the reference has an activity id):
#: not worth copying first.
_ADDRESSED = frozenset({"channel_id", "locale", "service_url", "conversation", "from_property", "recipient"})


def can_copy_cheaply(activity: Any) -> bool:
    """Whether :func:`reply_copy` copies ``activity``: a plain ``Activity`` (not a subclass) whose
    attachments are plain ``Attachment`` objects. Anything else may copy itself its own way:
    the SDK's ``deepcopy``."""
    if type(activity) is not Activity:
        return False
    return not activity.attachments or all(type(a) is Attachment for a in activity.attachments)


def reply_copy(activity: Activity, *, skip: frozenset[str] = frozenset()) -> Activity:
    """``copy.deepcopy(activity)`` (a :func:`can_copy_cheaply` one) with each attachment's content
    shared, not copied (see the module's docstring), and the fields named in ``skip`` left None
    (the caller sets them). Atomic fields are put in without a call; every other value is
    copied as ``deepcopy`` copies it, through one memo, so an object held twice is copied once."""
    memo: dict[int, Any] = {}
    copied = Activity.__new__(Activity)
    memo[id(activity)] = copied
    fields = {}
    for key, item in activity.__dict__.items():
        if type(item) in _ATOMIC:
            fields[key] = item
        elif key in skip:
            fields[key] = None
        elif key == "attachments":
            fields[key] = [_attachment_copy(a, memo) for a in item]
        else:
            fields[key] = _deepcopy(item, memo)
    copied.__dict__.update(fields)
    return copied


def _attachment_copy(attachment: Attachment, memo: dict[int, Any]) -> Attachment:
    """A plain ``Attachment`` with the same content object, its other fields deep-copied."""
    plain = Attachment.__new__(Attachment)
    memo[id(attachment)] = plain
    plain.__dict__.update(
        {key: item if key == "content" else _deepcopy(item, memo) for key, item in attachment.__dict__.items()}
    )
    return plain


def _shallow_copy(value: Any) -> Any:
    """``copy.copy(value)``: for a schema model (:func:`_is_schema_model`: ``copy`` rebuilds it as
    ``cls.__new__(cls)`` updated with its ``__dict__``), done directly; anything else by ``copy``."""
    kind: Any = type(value)
    if value is None or _how_to_copy(kind) != _MODEL:
        return copy.copy(value)
    clone = kind.__new__(kind)
    clone.__dict__.update(value.__dict__)
    return clone


def conversation_reference(activity: Activity) -> ConversationReference:
    """``TurnContext.get_conversation_reference`` (botbuilder-core 4.17.1), the same reference,
    with its three ``copy.copy`` of the accounts done directly (:func:`_shallow_copy`)."""
    return ConversationReference(
        activity_id=(
            activity.id
            if activity.type != _CONVERSATION_UPDATE
            and activity.channel_id != _DIRECT_LINE
            and activity.channel_id != _WEBCHAT
            else None
        ),
        user=_shallow_copy(activity.from_property),
        bot=_shallow_copy(activity.recipient),
        conversation=_shallow_copy(activity.conversation),
        channel_id=activity.channel_id,
        locale=activity.locale,
        service_url=activity.service_url,
    )


def addressed_copy(activity: Any, reference: ConversationReference) -> Any:
    """``TurnContext.apply_conversation_reference(deepcopy(activity), reference)``, what the SDK
    sends for ``activity``: by :func:`reply_copy` when it can (the fields the reference sets are
    not copied first), else the SDK's own two steps."""
    if not can_copy_cheaply(activity):
        return TurnContext.apply_conversation_reference(copy.deepcopy(activity), reference)
    return TurnContext.apply_conversation_reference(reply_copy(activity, skip=_ADDRESSED), reference)


def _dropped_trace(activity: Any, channel_id: str | None) -> bool:
    return isinstance(activity, Activity) and activity.type == _TRACE and channel_id != _EMULATOR


class CardSharingTurnContext(TurnContext):
    """A ``TurnContext`` whose ``send_activities`` does not deep-copy Adaptive Cards, and drops
    trace activities outside the Bot Framework Emulator before copying them.

    Why the traces: ``DialogExtensions.run_dialog`` (botbuilder-dialogs 4.17.1) sends a "Bot
    State" trace with a snapshot of the dialog memory every turn; the SDK deep-copies it and
    then sends it nowhere but to the Emulator (``CloudAdapterBase.send_activities`` skips
    traces on every other channel; our ``expectReplies`` answers leave them out too). Each
    dropped trace gets the empty ``ResourceResponse`` the adapter would have returned.

    Its sends leave no reference cycle behind (:meth:`_emit`).

    It keeps no state of its own (only methods are overridden): the adapter makes the
    context the SDK built into one by setting its class
    (:meth:`bot.adapter.CallingPlanAdapter._create_turn_context`)."""

    async def send_activities(self, activities: list[Activity]) -> list[ResourceResponse]:
        channel_id = self.activity.channel_id if self.activity is not None else None
        kept = [a for a in activities if not _dropped_trace(a, channel_id)]
        if len(kept) == len(activities):
            return await self._send_copies(activities)
        sent = iter(await self._send_copies(kept) if kept else [])
        return [ResourceResponse() if _dropped_trace(a, channel_id) else next(sent) for a in activities]

    async def _send_copies(self, activities: list[Activity]) -> list[ResourceResponse]:
        """``TurnContext.send_activities`` (botbuilder-core 4.17.1, ``turn_context.py``), step for
        step, with its conversation reference and each addressed copy made by
        :func:`conversation_reference` and :func:`addressed_copy` (the same values, cheaper)."""
        sent_non_trace_activity = False
        ref = conversation_reference(self.activity)
        output = []
        for act in activities:
            activity = addressed_copy(act, ref)
            if not getattr(activity, "type", None):
                activity.type = _MESSAGE
            if activity.type != _TRACE:
                sent_non_trace_activity = True
            if not activity.input_hint:
                activity.input_hint = "acceptingInput"
            activity.id = None
            output.append(activity)

        async def logic() -> list[ResourceResponse]:
            if self.activity.delivery_mode == _EXPECT_REPLIES:
                responses = []
                for activity in output:
                    self.buffered_reply_activities.append(activity)
                    # As the SDK: not sent through the adapter, which would put it in turn state.
                    if activity.type == _INVOKE_RESPONSE:
                        self.turn_state[TurnContext._INVOKE_RESPONSE_KEY] = activity
                    responses.append(ResourceResponse())
                if sent_non_trace_activity:
                    self.responded = True
                return responses
            responses = await self.adapter.send_activities(self, output)
            if sent_non_trace_activity:
                self.responded = True
            return responses

        return await self._emit(self._on_send_activities, output, logic())

    async def _emit(self, plugins: list[Any], arg: Any, logic: Awaitable[Any]) -> Any:
        """``TurnContext._emit`` (botbuilder-core 4.17.1) when no send/update/delete handler is
        registered (none of ours registers one): the SDK's own code then runs no handler either,
        and only awaits ``logic``.

        Why: the SDK's version builds ``emit_next``, a closure that refers to itself (a
        reference cycle), on every send. Reference counting never frees a cycle, so each turn's
        whole graph it holds (the context, the activity, the replies and their cards) stayed
        alive until the cyclic garbage collector found it: a number check left 44 container
        objects in cycles a turn, and every young-generation collection (one per ~6 turns) walked
        them. Without it the turn's objects are freed as soon as the turn ends, and a check,
        pool, help or fact turn leaves no cycle (``tests/bot/test_turn_garbage.py``)."""
        if not plugins:
            return await logic
        return await super()._emit(plugins, arg, logic)
