"""Reading a CSV export row by row with the line number an admin can find in an editor.

Both CSV importers (the PSTN usage export and the user rosters) need the same two things from
``csv.reader``: the header as column positions by name, and each data row with the physical
line it starts on (a quoted cell may span lines, so counting rows is not enough). Lines come
through :class:`~knowledge.importers.text.LineReader` (bounded length, blank runs skipped
cheaply, as Excel leaves them at the end of a saved file); the delimiter is read off the
header line (Excel's "Unicode text" is TAB-separated).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any, TextIO

from knowledge.importers.fields import header_index
from knowledge.importers.text import LineReader, csv_reader, sniff_delimiter


def open_csv(text: TextIO) -> tuple[Iterator[tuple[int, list[str]]], dict[str, int]]:
    """(the data rows as ``(line, cells)``, the header's column positions by casefolded name).

    Raises ``ValueError`` when the file has no header row or a line is too long.
    """
    lines = LineReader(text)
    first = next(lines, None)
    if first is None:
        raise ValueError("the file is empty (no header row)")
    reader = csv_reader(itertools.chain((first,), lines), sniff_delimiter(first))
    header = next(reader, None)
    if header is None:
        raise ValueError("the file is empty (no header row)")
    return _numbered_rows(reader, lines), header_index(header)


def _numbered_rows(reader: Any, lines: LineReader) -> Iterator[tuple[int, list[str]]]:
    """``reader`` is a ``csv.reader`` past its header (its type is private to ``_csv``)."""
    while True:
        lines.mark()
        row = next(reader, None)
        if row is None:
            return
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        yield lines.record_start, row
