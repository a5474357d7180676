"""Reading export bytes safely: encoding and delimiter sniffing, bounded lines, bounded JSON.

An export is a file an admin downloaded, renamed, re-saved in Excel, or received from someone
else, so nothing about its size or shape is trusted:

* **Encoding.** UTF-8 with or without a BOM (the admin center, Excel "CSV UTF-8"), and UTF-16
  LE/BE with a BOM (Excel's "Unicode text", which is also TAB-separated): told by the BOM.
* **Delimiter.** Counted on the header line (comma, TAB or semicolon): the header of every
  format we read has several columns, so the most frequent of the three is the delimiter.
* **Lines.** :class:`LineReader` hands ``csv.reader`` one line at a time, refuses a line over
  :data:`MAX_LINE_CHARS` (a 1 GiB "line" of zeros is an error after 1 MiB, not 2 GB of memory),
  and skips runs of blank lines in C (``str.lstrip``/``str.count``), so a file of a billion
  newlines takes seconds, not minutes of one Python iteration per line. It also tracks the
  physical line each CSV record starts on, for the error messages.
* **JSON.** A Graph page is parsed whole (1000 rows, ~0.7 MB), so it is read with a size cap
  (:data:`MAX_JSON_BYTES`) and its nesting is limited (:data:`MAX_JSON_DEPTH`): a document
  nested 100,000 deep is a one-line error, not a ``RecursionError`` traceback.

The limits are module constants so tests can lower them; the README lists the defaults.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

#: Longest physical line of a CSV export, in characters. A PSTN export row is under 1 KB and
#: a roster row a few KB; 1 MiB leaves room for any real export and bounds the memory.
MAX_LINE_CHARS = 1024 * 1024
#: Largest CSV record (one field can span lines when quoted): ``csv.field_size_limit``.
MAX_FIELD_CHARS = 1024 * 1024
#: Largest JSON document (a Graph page or a plain array), in bytes. A getPstnCalls page holds
#: at most 1000 rows (~0.7 MB); 16 MiB (~23,000 rows) parses into ~65 MB of objects, which keeps an
#: import under its memory goal. Bigger arrays must be saved as several pages.
MAX_JSON_BYTES = 16 * 1024 * 1024
#: Deepest JSON nesting accepted. A Graph page is 3 deep (page, rows, row); 64 is generous.
MAX_JSON_DEPTH = 64
#: Characters read at a time by :class:`LineReader`.
_BLOCK_CHARS = 8 * 1024  # as TextIOWrapper decodes: a bad byte stops the file close to it

_DELIMITERS = (",", "\t", ";")


class InputLimitError(ValueError):
    """An input over one of this module's limits (line length, JSON size or depth)."""


def sniff_encoding(head: bytes) -> str:
    """The codec for a file starting with ``head``: by its BOM; UTF-8 (BOM optional) otherwise."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Python's utf-16 codec reads the BOM and drops it
    return "utf-8-sig"


def decode_head(head: bytes) -> str:
    """The first bytes of a file as text (a character cut at the end is replaced, not fatal)."""
    return head.decode(sniff_encoding(head), errors="replace").lstrip("\ufeff")


def sniff_delimiter(head_text: str) -> str:
    """The delimiter of a CSV whose text starts with ``head_text``: the commonest on line 1."""
    first = head_text.lstrip("\r\n").split("\n", 1)[0]
    counts = {delimiter: first.count(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])  # ties keep the comma (listed first)
    return best if counts[best] else ","


def _peekable(binary: IO[bytes]) -> IO[bytes]:
    if hasattr(binary, "peek"):
        return binary
    # Any binary file object works (BufferedReader only calls readinto); typeshed wants a RawIOBase.
    return io.BufferedReader(binary)  # type: ignore[type-var]


def open_text(binary: IO[bytes]) -> io.TextIOWrapper:
    """``binary`` as text in its encoding (see :func:`sniff_encoding`), newlines as ``\\n``.

    Universal newlines are fine for ``csv``: a quoted cell's ``\\r\\n`` simply reads as ``\\n``.
    """
    binary = _peekable(binary)
    head = binary.peek(4)[:4]  # type: ignore[attr-defined]
    return io.TextIOWrapper(binary, encoding=sniff_encoding(head), newline=None)


class LineReader:
    """Lines of ``text`` for ``csv.reader``: bounded, blank runs skipped, physical numbers kept.

    ``record_start`` is the physical line (1-based) of the first line handed out since
    :meth:`mark` was called: the line a CSV record starts on.
    """

    def __init__(self, text: IO[str], max_line: int | None = None) -> None:
        self._text = text
        self._max = max_line if max_line is not None else MAX_LINE_CHARS
        self._buffer = ""
        self._pos = 0
        self._eof = False
        self.line = 0  # physical number of the last line handed out (or skipped)
        self.record_start = 0
        self._marked = False

    def mark(self) -> None:
        self._marked = True

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        while True:
            if self._pos >= len(self._buffer) and not self._fill():
                raise StopIteration
            buffer, pos = self._buffer, self._pos
            if buffer[pos] == "\n":  # a run of blank lines: skip it in C
                rest = buffer[pos:].lstrip("\n")  # bounded by the block size
                skipped = len(buffer) - pos - len(rest)
                self.line += skipped
                self._pos = pos + skipped
                continue
            end = buffer.find("\n", pos)
            if end < 0:
                if len(buffer) - pos > self._max:
                    self._too_long()
                if self._fill():
                    continue
                buffer, pos = self._buffer, self._pos
                end = len(buffer) - 1  # the last line, without a newline
            elif end - pos > self._max:
                self._too_long()
            self._pos = end + 1
            self.line += 1
            if self._marked:
                self.record_start = self.line
                self._marked = False
            return buffer[pos : end + 1]

    def _fill(self) -> bool:
        """Append one more block to what is left; False at the end of the file."""
        if self._eof:
            return False
        block = self._text.read(_BLOCK_CHARS)
        if not block:
            self._eof = True
            return False
        self._buffer = self._buffer[self._pos :] + block
        self._pos = 0
        return True

    def _too_long(self) -> None:
        raise InputLimitError(
            f"line {self.line + 1} is longer than {self._max:,} characters: not a CSV export (or a damaged one)"
        )


def csv_reader(lines: Iterable[str], delimiter: str) -> Any:
    """``csv.reader`` over ``lines`` with the record size bounded (:data:`MAX_FIELD_CHARS`)."""
    if csv.field_size_limit() != MAX_FIELD_CHARS:
        csv.field_size_limit(MAX_FIELD_CHARS)  # process-wide; every caller wants the same bound
    return csv.reader(lines, delimiter=delimiter)


def read_bounded(binary: IO[bytes], limit: int, what: str) -> bytes:
    """All of ``binary``, refusing more than ``limit`` bytes (reads at most ``limit + 1``)."""
    data = binary.read(limit + 1)
    if len(data) > limit:
        raise InputLimitError(f"{what} is larger than {limit:,} bytes")
    return data


def load_json(binary: IO[bytes], limit: int | None = None) -> Any:
    """A JSON document from ``binary``, bounded in size and nesting (see the module doc).

    Raises :class:`InputLimitError` over a limit, ``json.JSONDecodeError`` / ``ValueError`` when
    it is not JSON.
    """
    cap = limit if limit is not None else MAX_JSON_BYTES
    return loads_json(read_bounded(binary, cap, "the JSON document"))


def loads_json(data: bytes) -> Any:
    try:
        document = json.loads(data)
    except RecursionError:
        raise _too_deep() from None
    check_depth(document)
    return document


def check_depth(document: Any, limit: int | None = None) -> None:
    """Raise :class:`InputLimitError` when ``document`` nests deeper than ``limit``.

    Iterative (no recursion to overflow); it visits every container once.
    """
    cap = limit if limit is not None else MAX_JSON_DEPTH
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > cap:
            raise _too_deep(cap)
        if isinstance(node, dict):
            stack.extend((value, depth + 1) for value in node.values() if isinstance(value, (dict, list)))
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node if isinstance(value, (dict, list)))


def _too_deep(cap: int | None = None) -> InputLimitError:
    return InputLimitError(
        f"the JSON is nested deeper than {cap or MAX_JSON_DEPTH} levels: not a Graph getPstnCalls page"
    )
