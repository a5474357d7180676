"""Patch: run_dialog's "Bot State" memory snapshot only for the Bot Framework Emulator.

Replaces: ``botbuilder/dialogs/dialog_extensions.py``, ``DialogExtensions._send_state_snapshot_trace``
(botbuilder-dialogs 4.17.1), which ``DialogExtensions.run_dialog`` calls on every turn: it
builds a memory snapshot of every dialog scope and sends it as a trace activity (a deep copy
in ``send_activities``, msrest serialization in ``expectReplies`` answers). Trace activities
are for the Emulator: CloudAdapter drops them for every other channel, and our
``/api/messages`` drops them from ``expectReplies`` answers, so nothing a user sees changes.
"""
from __future__ import annotations

from typing import Any

from botbuilder.dialogs import DialogContext, DialogExtensions
from botframework.connector import Channels

_SDK_SEND = DialogExtensions.__dict__["_send_state_snapshot_trace"]


async def _snapshot_trace_for_emulator_only(dialog_context: DialogContext) -> None:
    if dialog_context.context.activity.channel_id == Channels.emulator:
        await _SDK_SEND.__func__(dialog_context)


_PATCHED: Any = staticmethod(_snapshot_trace_for_emulator_only)


def apply() -> bool:
    if is_applied():
        return False
    DialogExtensions._send_state_snapshot_trace = _PATCHED
    return True


def revert() -> bool:
    if not is_applied():
        return False
    DialogExtensions._send_state_snapshot_trace = _SDK_SEND
    return True


def is_applied() -> bool:
    return DialogExtensions.__dict__["_send_state_snapshot_trace"] is _PATCHED
