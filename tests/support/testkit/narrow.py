"""Typed views for tests: a value a test expects to be there, or items of one kind.

Each one asserts what it claims (a test that relied on it fails here, with the value shown),
so mypy can check what follows without a cast.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")


def present(value: T | None) -> T:
    """``value``, asserted not None."""
    assert value is not None, "expected a value, got None"
    return value


def all_of(kind: type[T], items: Iterable[object]) -> list[T]:
    """The items as a list, each asserted to be a ``kind``."""
    checked: list[T] = []
    for item in items:
        assert isinstance(item, kind), f"expected {kind.__name__}, got {item!r}"
        checked.append(item)
    return checked
