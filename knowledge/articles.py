"""English country names with their article in running text: "calling the United Kingdom".

The catalog and CLDR name a country as a label does ("United Kingdom", "Netherlands"); in a
sentence some take "the" ("users in the United Kingdom"). The names and the words after which
the article goes are data (``data/articles.json``). WHY here: one wording, from one place, for
the catalog's English texts (``Catalog.text``: what ``callplan check`` and ``--json`` print) and
the dialogs' English strings (``dialogs.nlu.i18n`` fills its templates through this too).

One regex pass over a filled sentence, with fixed alternatives (no backtracking); a label
("Destination United Kingdom") keeps the bare name. Loads no pydantic or babel (``callplan check``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

#: Next to this module, as the catalog's files are (a plain path: ``importlib.resources`` costs
#: ``callplan check`` ~5 ms of imports, zipfile and tempfile among them).
_FILE = Path(__file__).resolve().parent / "data" / "articles.json"


@cache
def _data() -> dict[str, list[str]]:
    return json.loads(_FILE.read_text(encoding="utf-8"))


def _names_alternation() -> str:
    return "|".join(re.escape(n) for n in sorted(_data()["names"], key=len, reverse=True))


@cache
def _names() -> re.Pattern[str]:
    """The names, ending at a word boundary; the boundary before a name is tested apart
    (:func:`names_such_a_country`). WHY: a leading ``\\b`` keeps ``re`` from skipping ahead to
    the letters a name can start with, and it tried all 25 names at every position of a
    sentence-long value (~6 us a reason sentence; ~1.5 us without it)."""
    return re.compile(rf"(?:{_names_alternation()})\b")


#: A word boundary, matched at a position (``re`` looks at the character before it too).
_BOUNDARY = re.compile(r"\b")


@cache
def _pattern() -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in _data()["prepositions"])
    return re.compile(rf"\b({words}) ({_names_alternation()})\b")


def names_such_a_country(values: Iterable[object]) -> bool:
    """True if one of ``values`` (a template's params) is text naming a country that takes "the":
    only then is a filled sentence worth the article pass (a cheap test first)."""
    return any(isinstance(v, str) and _names_a_country(v) for v in values)


def _names_a_country(text: str) -> bool:
    """``re.search(r"\\b(?:names)\\b", text)``: the first name found that starts a word, else the
    next one after it (so a name inside a longer word is passed over, as that pattern does)."""
    names = _names()
    match = names.search(text)
    while match is not None:
        if _BOUNDARY.match(text, match.start()):
            return True
        match = names.search(text, match.start() + 1)
    return False


def with_english_articles(text: str) -> str:
    """ "users in United Kingdom" -> "users in the United Kingdom" (see the module docstring)."""
    return _pattern().sub(r"\1 the \2", text)
