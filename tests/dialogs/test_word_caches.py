"""The recognizer's per-word caches stay bounded under a stream of made-up words (a hostile
client, pasted logs), and recognition still holds after they evict."""

from __future__ import annotations

import random
import string

from dialogs.nlu import recognizer
from dialogs.nlu.limits import WORDS_KEPT
from dialogs.nlu.recognizer import Intent, recognize

PER_MESSAGE = 150


def _made_up_words(count: int, seed: int = 14) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(string.ascii_lowercase, k=9)) for _ in range(count)]


def test_made_up_words_never_grow_the_word_caches_past_their_bound():
    words = _made_up_words(WORDS_KEPT + 2 * PER_MESSAGE)
    for start in range(0, len(words), PER_MESSAGE):
        recognize(" ".join(words[start : start + PER_MESSAGE]), "en")
    for cached in (recognizer._tokens_of, recognizer._word_cues, recognizer._is_known):
        info = cached.cache_info()
        assert info.maxsize == WORDS_KEPT
        assert 0 < info.currsize <= WORDS_KEPT
    # The stream went past the bound, so the words of an earlier message were evicted ...
    assert recognizer._word_cues.cache_info().misses > WORDS_KEPT
    # ... and the words of a real question are worked out again, to the same answer.
    assert recognize("how many minutes are left in our pool", "en").intent == Intent.POOL
