"""Patch: the copy ``TurnContext.send_activities`` makes of each reply, without generic dispatch.

Replaces: ``botbuilder/core/turn_context.py``, the module-level ``deepcopy`` that
``TurnContext.send_activities`` calls on every outgoing activity (botbuilder-core 4.17.1;
it then stamps the copy with the conversation reference, so the caller's activity, which a
prompt keeps in dialog state, never changes). The copy must stay; what goes is
``copy.deepcopy``'s generic dispatch for each of a card's nodes. :func:`deepcopy_activity` is
``copy.deepcopy`` with the same semantics (shared objects stay shared, the same memo and
keep-alive protocol) and a fast path for plain dicts, lists, atomic values and msrest models
that keep copy's default protocol; everything else goes to ``copy.deepcopy`` with the same memo.
"""
from __future__ import annotations

import copy
import copyreg
from typing import Any

import botbuilder.core.turn_context as turn_context_module
from msrest.serialization import Model

_SDK_DEEPCOPY = turn_context_module.deepcopy

_PLAIN_MODELS: dict[type, bool] = {}

#: Types ``copy.deepcopy`` returns as they are, without a memo entry.
_ATOMIC = frozenset({type(None), str, int, float, bool})
#: What ``copy.deepcopy`` would also find on the instance itself.
_COPY_HOOKS = frozenset({"__deepcopy__", "__reduce_ex__", "__reduce__", "__getstate__", "__setstate__"})


def _is_plain_model(cls: type) -> bool:
    """An msrest model that ``copy.deepcopy`` copies by the default protocol: a new instance
    whose ``__dict__`` is a deep copy of the original's."""
    plain = _PLAIN_MODELS.get(cls)
    if plain is None:
        plain = (
            issubclass(cls, Model)
            and copyreg.dispatch_table.get(cls) is None
            and getattr(cls, "__deepcopy__", None) is None
            and cls.__reduce_ex__ is object.__reduce_ex__
            and cls.__reduce__ is object.__reduce__
            and cls.__getstate__ is object.__getstate__  # type: ignore[comparison-overlap]
            and getattr(cls, "__setstate__", None) is None
            and cls.__new__ is object.__new__
            and not any("__slots__" in vars(base) for base in cls.__mro__)
        )
        _PLAIN_MODELS[cls] = plain
    return plain


def _keep_alive(x: Any, memo: dict[int, Any]) -> None:
    # As copy._keep_alive: the originals stay referenced until the copy is done, so no id in
    # the memo can be reused by a new object mid-copy.
    try:
        memo[id(memo)].append(x)
    except KeyError:
        memo[id(memo)] = [x]


def deepcopy_activity(x: Any, memo: dict[int, Any] | None = None) -> Any:
    """``copy.deepcopy(x, memo)``, faster for activities: the same result, the same memo."""
    if memo is None:
        memo = {}
    kind = type(x)
    if kind in _ATOMIC:
        return x
    if kind is dict:
        y = memo.get(id(x), memo)
        if y is not memo:
            return y
        y = {}
        memo[id(x)] = y
        for key, value in x.items():
            if type(key) not in _ATOMIC:
                key = deepcopy_activity(key, memo)
            y[key] = value if type(value) in _ATOMIC else deepcopy_activity(value, memo)
        _keep_alive(x, memo)
        return y
    if kind is list:
        y = memo.get(id(x), memo)
        if y is not memo:
            return y
        y = []
        memo[id(x)] = y
        append = y.append
        for value in x:
            append(value if type(value) in _ATOMIC else deepcopy_activity(value, memo))
        _keep_alive(x, memo)
        return y
    if _is_plain_model(kind) and _COPY_HOOKS.isdisjoint(x.__dict__):
        y = memo.get(id(x), memo)
        if y is not memo:
            return y
        y = kind.__new__(kind)
        memo[id(x)] = y
        state = deepcopy_activity(x.__dict__, memo)
        if state:
            y.__dict__.update(state)
        _keep_alive(x, memo)
        return y
    return copy.deepcopy(x, memo)


def apply() -> bool:
    if is_applied():
        return False
    turn_context_module.deepcopy = deepcopy_activity  # type: ignore[attr-defined]
    return True


def revert() -> bool:
    if not is_applied():
        return False
    turn_context_module.deepcopy = _SDK_DEEPCOPY  # type: ignore[attr-defined]
    return True


def is_applied() -> bool:
    return turn_context_module.deepcopy is deepcopy_activity  # type: ignore[attr-defined]
