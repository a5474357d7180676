"""The long-lived heap kept out of the garbage collector's full passes (``gc.freeze``).

Why: a bot process holds ~120,000 tracked objects that live as long as it does (the SDK, the
catalog, the recognizer's vocabulary and index, string tables). Every full (generation 2)
collection walked all of them: measured 100-190 ms on one core, a pause every few hundred turns
that every turn in flight waited out (the p99 of 32 conversations at once). ``gc.freeze()``
moves the objects alive at that moment to a permanent generation that collections skip; new
objects are collected as before. What a process loads lazily (the recognizer on the first
message, phone metadata on the first number check...) is frozen by the later freezes, after
the 1st, 10th, 100th and 1,000th turn; after that nothing more is frozen, so at most the few
garbage cycles alive at those four moments are never reclaimed.

Applied by the entry points that serve (``callplan serve`` / ``callplan dev``, the benchmark
servers) through ``create_app(freeze_heap=True)``, like the SDK patches: tests that start many
apps in one process keep the collector as it is. ``unfreeze`` when the app stops.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable

#: Turns after which the heap is frozen again (what the first turns of each kind loaded).
FREEZE_AFTER_TURNS = (1, 10, 100, 1000)


class HeapFreezer:
    """Freezes the heap when the app has started and after the turns of :data:`FREEZE_AFTER_TURNS`."""

    def __init__(
        self,
        after_turns: Iterable[int] = FREEZE_AFTER_TURNS,
        freeze: Callable[[], None] = gc.freeze,
        unfreeze: Callable[[], None] = gc.unfreeze,
    ) -> None:
        self._after = frozenset(after_turns)
        self._freeze = freeze
        self._unfreeze = unfreeze
        self.turns = 0
        self.freezes = 0

    def _do_freeze(self) -> None:
        self._freeze()
        self.freezes += 1

    def started(self) -> None:
        self._do_freeze()

    def turn_done(self) -> None:
        self.turns += 1
        if self.turns in self._after:
            self._do_freeze()

    def stopped(self) -> None:
        self._unfreeze()
