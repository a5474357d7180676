"""Bounds on what the language rules read, in one place every rule module imports.

WHY a module of its own: :mod:`dialogs.nlu.entities` imports :mod:`dialogs.nlu.numbers`, so the
cap cannot live in ``entities`` for ``numbers`` to import; two copies of one number drift apart.
"""

from __future__ import annotations

#: Messages are read up to this many characters: an admin's question is a few lines, and the
#: bound keeps a pasted log or a hostile message from costing more than a few milliseconds.
MAX_CHARS = 2000

#: How many distinct words the recognizer's per-word caches keep (what a word's tokens, typo
#: matches and cues are). The admins' vocabulary is a few thousand words; without a bound, a
#: stream of made-up words (a hostile client, pasted logs) would grow the caches for ever.
WORDS_KEPT = 16384

__all__ = ["MAX_CHARS", "WORDS_KEPT"]
