"""Replies whose cards the SDK does not deep-copy, copied without a step per empty field, no
trace copied to be dropped, and no reference cycle left by a send.

Why: ``TurnContext.send_activities`` (botbuilder-core 4.17.1, ``turn_context.py``) sends a
``deepcopy`` of every activity, so that stamping the copy with the conversation reference
(``apply_conversation_reference``: ids, channel, service URL, conversation, from, recipient)
never changes the caller's activity, which a prompt keeps in dialog state. That copy walks
every node of every Adaptive Card too: for a pool table (~15 KB of JSON) it was about a
quarter of the turn's CPU. The stamping never touches an attachment, and nothing changes a
card once it is sent, so the card itself need not be copied.

:class:`CardSharingTurnContext` hands the SDK a shallow copy of each activity whose
attachments are :class:`_SharedAttachment`: the SDK's ``deepcopy`` of one returns a plain
``Attachment`` with the same fields (copied) and *the same* content object. Everything else is copied
as the SDK copies it; the caller's activity is not changed (its attachments list is not
touched either); what is sent, buffered for ``expectReplies`` or serialized contains only the
SDK's own types. No SDK code is replaced: the adapter builds its turn contexts with this class
(:meth:`bot.adapter.CallingPlanAdapter._create_turn_context`).

The same ``deepcopy`` of the activity itself walked its ~45 fields one ``copy.deepcopy`` call each
(``_reconstruct`` -> ``_deepcopy_dict``), although nearly all of them are ``None`` or a string,
which ``deepcopy`` returns as they are: ~86 Python-level calls per reply, ~5% of a number check's
CPU when it sent two replies (one since issue 14's ``checkturn``). The shallow copy handed to the
SDK is a :class:`_CheapCopyActivity`, whose ``__deepcopy__`` builds the plain ``Activity`` the SDK's
copy would: ``None``, ``str``, ``bool``, ``int`` and ``float`` values (exact types) and the schema's
enum members put in as they are (what ``deepcopy`` returns for them), every other value
deep-copied as before (lists, dicts, accounts, suggested actions, entities). The result is
equal to the SDK's copy, field by field, with the same sharing: nothing the caller holds can
change through it.
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable
from enum import Enum
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes, Attachment, ResourceResponse
from botframework.connector import Channels
from msrest.serialization import Model

#: Enum members read once, at import: in Python 3.11 every ``EnumClass.member`` read is a
#: Python-level descriptor call (``enum.property.__get__``, ~0.4 us), and every send tests two.
_TRACE, _EMULATOR = ActivityTypes.trace, Channels.emulator

#: Values ``copy.deepcopy`` returns unchanged (``copy._deepcopy_atomic``), by exact type.
_ATOMIC = frozenset({type(None), str, bool, int, float})

#: How :func:`_deepcopy` copies a value, by its exact type.
_AS_IS, _LIST, _MODEL, _DEEPCOPY, _DICT = range(5)
_HOW: dict[type, int] = {**dict.fromkeys(_ATOMIC, _AS_IS), list: _LIST, dict: _DICT}


def _how_to_copy(kind: type) -> int:
    how = _HOW.get(kind)
    if how is None:
        how = _HOW[kind] = _MODEL if _is_schema_model(kind) else _AS_IS if _is_plain_enum(kind) else _DEEPCOPY
    return how


def _is_schema_model(kind: type) -> bool:
    """A botbuilder schema model class that copies as msrest's ``Model`` does: no
    ``__deepcopy__``, ``__reduce__``, ``__reduce_ex__``, ``__getstate__`` or ``__setstate__`` of its own, so
    ``deepcopy`` rebuilds it as ``cls.__new__(cls)`` with a deep copy of its ``__dict__``."""
    return (
        issubclass(kind, Model)
        and kind.__module__.startswith("botbuilder.schema")
        and not any(hasattr(kind, name) for name in ("__deepcopy__", "__setstate__"))
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
    if how == _DEEPCOPY or (how == _DICT and value):
        return copy.deepcopy(value, memo)
    found = memo.get(id(value))
    if found is not None:
        return found
    if how == _DICT:
        # Empty (every model's ``additional_properties``): what ``copy._deepcopy_dict`` makes of
        # it, without ``deepcopy``'s dispatch (~1 us, twice a reply).
        new: dict[Any, Any] = {}
        memo[id(value)] = new
        copy._keep_alive(value, memo)  # type: ignore[attr-defined]  # as deepcopy does
        return new
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
    # Nearly every field is None (tested first: no ``type`` call) or a string: put in without a call.
    model.__dict__.update(
        {
            key: item if item is None or type(item) in _ATOMIC else _deepcopy(item, memo)
            for key, item in value.__dict__.items()
        }
    )
    copy._keep_alive(value, memo)  # type: ignore[attr-defined]
    return model


class _CheapCopyActivity(Activity):
    """A shallow copy of an ``Activity`` whose deep copy is a plain ``Activity``, built without
    a ``deepcopy`` call per atomic field (see the module's docstring)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> Activity:
        return _copy_model(Activity, self, memo)


class _SharedAttachment(Attachment):
    """An attachment whose deep copy is a plain ``Attachment`` sharing its content (its other
    fields copied as ``deepcopy`` copies them)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> Attachment:
        plain = Attachment.__new__(Attachment)
        memo[id(self)] = plain
        fields = self.__dict__
        plain.__dict__.update(
            {
                key: item if key == "content" or item is None or type(item) in _ATOMIC else _deepcopy(item, memo)
                for key, item in fields.items()
            }
        )
        return plain

    @classmethod
    def of(cls, attachment: Attachment) -> _SharedAttachment:
        shared = cls.__new__(cls)
        shared.__dict__.update(attachment.__dict__)
        return shared


def sharing_cards(activity: Any) -> Any:
    """What to hand ``send_activities`` for ``activity`` (an ``Activity``, not a subclass): a
    shallow copy whose deep copy skips its atomic fields (:class:`_CheapCopyActivity`) and whose
    (plain) attachments share their content when copied. Anything else is left to the SDK."""
    if type(activity) is not Activity:
        return activity  # a subclass (or not an activity) may copy itself its own way
    if activity.attachments and not all(type(a) is Attachment for a in activity.attachments):
        return activity  # an attachment subclass may copy itself its own way: the SDK's copy
    shallow = _CheapCopyActivity.__new__(_CheapCopyActivity)
    shallow.__dict__.update(activity.__dict__)
    if activity.attachments:
        shallow.attachments = [_SharedAttachment.of(a) for a in activity.attachments]
    return shallow


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
            return await super().send_activities([sharing_cards(a) for a in activities])
        sent = iter(await super().send_activities([sharing_cards(a) for a in kept]) if kept else [])
        return [ResourceResponse() if _dropped_trace(a, channel_id) else next(sent) for a in activities]

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
