"""Patch: msrest's serialization of ``object``-typed attributes, fast for plain JSON.

Replaces: ``msrest/serialization.py``, ``Serializer.serialize_object`` (msrest 0.7.1, as pinned
by botframework-connector 4.17.1). msrest walks every node of an Adaptive Card's content,
``channelData`` or ``value`` through generic, keyword-heavy code. The fast path handles exactly
the JSON types it returns unchanged (``dict``, ``list``, ``str``, ``int``, ``float``, ``bool``,
None) with msrest's own ``ValueError`` handling (a dict value becomes None, a list item is
dropped) and hands everything else (models, dates, enums, tuples, subclasses, XML) to the
original. What it buys is on the production path: every reply posted to the Bot Connector
goes through ``Serializer.body`` (``reply_to_activity``); for the 14.8 KB pool table card
msrest's walk costs ~5.4 ms CPU, this ~0.6 ms (+68% pool lookups per CPU second in
``bench/bench_patches.py``). ``expectReplies`` answers no longer use msrest (:mod:`bot.replies`).
"""

from __future__ import annotations

import contextlib
from typing import Any

from msrest.serialization import Serializer

_SDK_SERIALIZE_OBJECT = Serializer.__dict__["serialize_object"]


def _serialize_object(self: Serializer, attr: Any, **kwargs: Any) -> Any:
    if kwargs.get("is_xml") or kwargs.get("basic_types_serializers"):
        return _SDK_SERIALIZE_OBJECT(self, attr, **kwargs)

    def walk(value: Any) -> Any:
        kind = type(value)
        # What msrest returns for these is the value itself (str(s), int(i), ...).
        if value is None or kind is str or kind is int or kind is float or kind is bool:
            return value
        if kind is dict:
            out = {}
            for key, item in value.items():
                key = key if type(key) is str else self.serialize_unicode(key)
                try:
                    out[key] = walk(item)
                except ValueError:  # as msrest: a value it cannot serialize becomes None
                    out[key] = None
            return out
        if kind is list:
            out_list = []
            for item in value:
                with contextlib.suppress(ValueError):  # as msrest: dropped from the list
                    out_list.append(walk(item))
            return out_list
        return _SDK_SERIALIZE_OBJECT(self, value, **kwargs)

    return walk(attr)


def apply() -> bool:
    if is_applied():
        return False
    Serializer.serialize_object = _serialize_object  # type: ignore[method-assign]
    return True


def revert() -> bool:
    if not is_applied():
        return False
    Serializer.serialize_object = _SDK_SERIALIZE_OBJECT  # type: ignore[method-assign]
    return True


def is_applied() -> bool:
    return Serializer.__dict__["serialize_object"] is _serialize_object
