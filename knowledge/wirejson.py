"""JSON on the wire, on every turn: each request body parsed (:func:`loads`), each reply encoded
(:func:`dumps`), with orjson, to the values the standard library's ``json`` gives.

Why: on a number check (issue 14) the stdlib's ``json`` was ~38 us of the turn's CPU:
``json.loads`` of the 1.4 KB Teams activity ~10 us, ``json.dumps`` of the 3.3 KB reply ~28 us.
orjson alone takes ~3.5 and ~2 us; with the checks below that keep the stdlib's values,
:func:`loads` takes ~5.5 us and :func:`dumps` ~4.5 us (``bench/records/issue14_orjson.md``).

Why a fallback to ``json`` at all: orjson and ``json`` disagree at the edges, and what the bot
accepts, refuses and answers must not change. The rule is the same values, not the same bytes:

- :func:`loads` gives ``json.loads(raw)``'s value, or raises its error (the caller's 400
  messages stay as they were). orjson refuses some texts ``json`` takes (``NaN``,
  ``Infinity``, a number that overflows a double such as ``1e400``, lone surrogates, a UTF-8
  BOM, UTF-16 or UTF-32 text, nesting past 1,024): every refusal is parsed again by
  ``json.loads``, which takes it or refuses it as before. orjson takes one kind of text
  ``json`` reads differently: an integer beyond 64 bits comes out a float (``json``: the exact
  int). Such an integer has at least 19 digits in a row, so a text with 19 digits in a row
  anywhere (in a string too: counted over, never under) goes to ``json.loads`` alone
  (:func:`_long_digit_run`, ~1.7 us for a Teams activity, whose ids have at most 16). The rest
  agrees: duplicate keys (the last value, at the first key's place), floats (both correctly
  rounded, ``tests/knowledge/test_wirejson.py`` compares them), ``-0``, escapes. Left as it
  is: nesting past what ``json`` can parse (the recursion limit, ~1,000 levels less the
  caller's stack) but within orjson's 1,024 levels is parsed where ``json`` raised
  ``RecursionError``; the host refuses anything past 64 levels either way, with the same 400
  (``bot/messages.py``), and counting brackets first to tell would cost ~1.4 us a turn.
- :func:`dumps` gives UTF-8 bytes that parse to what ``json.dumps(value)`` gave. orjson's are
  compact and carry non-ASCII as UTF-8 where ``json`` wrote ``\\u`` escapes (what the bot
  sends says ``charset=utf-8``). orjson refuses, and ``json.dumps`` encodes as before (or
  refuses as before): integers beyond 64 bits, non-string keys (``json`` makes strings of
  them), lone surrogates, nesting past 254, subclasses of ``str``, ``int``, ``dict`` and
  ``list`` (``OPT_PASSTHROUGH_SUBCLASS``: ``json`` reads a dict subclass through its own
  ``items()``), dates and dataclasses (``json`` refuses them too). orjson writes a NaN or an
  infinite float as ``null`` where ``json`` writes ``NaN`` / ``Infinity``: a text holding
  ``null`` at all is encoded by ``json.dumps`` (no reply of the dev and held-out sets carries
  one; the check is one C-level search, ~2.5 us for a number check's reply: orjson has no
  option to refuse NaN, and a walk for floats would cost more). Left as it is: orjson encodes
  a ``uuid.UUID`` and a member of an ``Enum`` that is not a ``str`` or ``int`` enum (its
  value), both of which ``json.dumps`` refuses; no reply holds one
  (:func:`bot.activity_json.dump_activity` writes the schema's enums as strings).

Only the per-turn path uses this (``bot/messages.py``, ``bot/replies.py``, ``bot/connector.py``,
a shared card's text in ``dialogs/cards.py``); files, state and the CLI keep ``json``. It
lives in ``knowledge`` because both the host and the dialogs use it and imports flow down.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

#: orjson's options: refuse (to ``json.dumps``) what it would encode otherwise than ``json``.
_DUMPS_OPTIONS = orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
#: Every digit as ``0``, so a run of digits is a run of ``0`` found by one ``bytes`` search.
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
#: The shortest run of digits an integer beyond 64 bits is written with (-9223372036854775809).
_LONG_RUN = b"0" * 19


def _long_digit_run(raw: bytes) -> bool:
    """True if ``raw`` has 19 digits in a row somewhere: it may hold an integer orjson would
    make a float of. Two C-level passes (translate, search), no per-byte Python step."""
    return _LONG_RUN in raw.translate(_DIGITS_AS_ZERO)


def loads(raw: bytes) -> Any:
    """``json.loads(raw)``: the same value, or the same exception (``ValueError``,
    ``UnicodeDecodeError``, ``RecursionError``), parsed by orjson whenever it gives that value."""
    if not _long_digit_run(raw):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass  # json decides: it may take what orjson refuses (NaN, 1e400, lone surrogates...)
    return json.loads(raw)


def dumps(value: Any) -> bytes:
    """UTF-8 JSON of ``value`` that parses to what ``json.dumps(value)`` gave, encoded by orjson
    unless it would write something else (then ``json.dumps``, its errors included:
    ``TypeError``, ``ValueError``)."""
    try:
        encoded = orjson.dumps(value, option=_DUMPS_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError is one
        return json.dumps(value).encode()
    if b"null" in encoded:  # a None, or a NaN/infinity orjson wrote as null: json tells them apart
        return json.dumps(value).encode()
    return encoded
