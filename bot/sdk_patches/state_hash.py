"""Patch: bot state change detection by pickle instead of jsonpickle.

Replaces: ``botbuilder/core/bot_state.py``, ``CachedBotState.compute_hash`` (botbuilder-core
4.17.1): ``str(jsonpickle.Pickler().flatten(obj))``, taken when a state is read and again at
each ``save_changes`` (about five times a turn) to decide whether to write.

Why it misses no change: pickle is a faithful serialization (``loads(dumps(x))`` rebuilds an
equal value: the same types, tuples vs lists, ``1`` vs ``1.0`` vs ``True``, int vs str keys,
key order, the same sharing of objects), so two states whose pickles are equal have equal
jsonpickle flattenings too. It can only find *more* differences (an equal string that is now
a different object): an extra write, never a lost one. A state pickle cannot encode falls back
to the SDK's hash; the two kinds (bytes, str) never compare equal, so a switch counts as a change.
"""

from __future__ import annotations

import pickle

from botbuilder.core.bot_state import CachedBotState

_SDK_HASH = CachedBotState.__dict__["compute_hash"]


def _pickle_hash(self: CachedBotState, obj: object) -> bytes | str:
    try:
        return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # not picklable: the SDK's own hash (a str, never equal to bytes)
        return _SDK_HASH(self, obj)


def apply() -> bool:
    if is_applied():
        return False
    CachedBotState.compute_hash = _pickle_hash
    return True


def revert() -> bool:
    if not is_applied():
        return False
    CachedBotState.compute_hash = _SDK_HASH
    return True


def is_applied() -> bool:
    return CachedBotState.__dict__["compute_hash"] is _pickle_hash
