"""Replies whose cards the SDK does not deep-copy, and no trace copied to be dropped.

Why: ``TurnContext.send_activities`` (botbuilder-core 4.17.1, ``turn_context.py``) sends a
``deepcopy`` of every activity, so that stamping the copy with the conversation reference
(``apply_conversation_reference``: ids, channel, service URL, conversation, from, recipient)
never changes the caller's activity, which a prompt keeps in dialog state. That copy walks
every node of every Adaptive Card too: for a pool table (~15 KB of JSON) it was about a
quarter of the turn's CPU. The stamping never touches an attachment, and nothing changes a
card once it is sent, so the card itself need not be copied.

:class:`CardSharingTurnContext` hands the SDK a shallow copy of each activity whose
attachments are :class:`_SharedAttachment`: the SDK's ``deepcopy`` of one returns a plain
``Attachment`` with the same fields and *the same* content object. Everything else is copied
as the SDK copies it; the caller's activity is not changed (its attachments list is not
touched either); what is sent, buffered for ``expectReplies`` or serialized contains only the
SDK's own types. No SDK code is replaced: the adapter builds its turn contexts with this class
(:meth:`bot.adapter.CallingPlanAdapter._create_turn_context`).
"""

from __future__ import annotations

import copy
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes, Attachment, ResourceResponse
from botframework.connector import Channels


class _SharedAttachment(Attachment):
    """An attachment whose deep copy is a plain ``Attachment`` sharing its content."""

    def __deepcopy__(self, memo: dict[int, Any]) -> Attachment:
        plain = Attachment.__new__(Attachment)
        plain.__dict__.update(self.__dict__)
        memo[id(self)] = plain
        return plain

    @classmethod
    def of(cls, attachment: Attachment) -> _SharedAttachment:
        shared = cls.__new__(cls)
        shared.__dict__.update(attachment.__dict__)
        return shared


def sharing_cards(activity: Any) -> Any:
    """What to hand ``send_activities`` for ``activity``: a shallow copy whose (plain)
    attachments share their content when copied; the activity itself when it has none."""
    if not isinstance(activity, Activity) or not activity.attachments:
        return activity
    if not all(type(a) is Attachment for a in activity.attachments):
        return activity  # a subclass may copy itself its own way: leave it to the SDK
    shallow = copy.copy(activity)
    shallow.attachments = [_SharedAttachment.of(a) for a in activity.attachments]
    return shallow


def _dropped_trace(activity: Any, channel_id: str | None) -> bool:
    return isinstance(activity, Activity) and activity.type == ActivityTypes.trace and channel_id != Channels.emulator


class CardSharingTurnContext(TurnContext):
    """A ``TurnContext`` whose ``send_activities`` does not deep-copy Adaptive Cards, and drops
    trace activities outside the Bot Framework Emulator before copying them.

    Why the traces: ``DialogExtensions.run_dialog`` (botbuilder-dialogs 4.17.1) sends a "Bot
    State" trace with a snapshot of the dialog memory every turn; the SDK deep-copies it and
    then sends it nowhere but to the Emulator (``CloudAdapterBase.send_activities`` skips
    traces on every other channel; our ``expectReplies`` answers leave them out too). Each
    dropped trace gets the empty ``ResourceResponse`` the adapter would have returned."""

    async def send_activities(self, activities: list[Activity]) -> list[ResourceResponse]:
        channel_id = self.activity.channel_id if self.activity is not None else None
        kept = [a for a in activities if not _dropped_trace(a, channel_id)]
        if len(kept) == len(activities):
            return await super().send_activities([sharing_cards(a) for a in activities])
        sent = iter(await super().send_activities([sharing_cards(a) for a in kept]) if kept else [])
        return [ResourceResponse() if _dropped_trace(a, channel_id) else next(sent) for a in activities]
