"""Reading a CSV export row by row with the line number an admin can find in an editor.

Both CSV importers (the PSTN usage export and the user rosters) need the same two things from
``csv.reader``: the header as column positions by name, and each data row with the physical
line it starts on (a quoted cell may span lines, so counting rows is not enough). Blank lines
are skipped, as Excel leaves them at the end of a saved file.
"""
from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any, TextIO

from knowledge.importers.fields import header_index


def open_csv(text: TextIO) -> tuple[Iterator[tuple[int, list[str]]], dict[str, int]]:
    """(the data rows as ``(line, cells)``, the header's column positions by casefolded name).

    Raises ``ValueError`` when the file has no header row.
    """
    reader = csv.reader(text)
    header = next(reader, None)
    if header is None:
        raise ValueError("the file is empty (no header row)")
    return _numbered_rows(reader), header_index(header)


def _numbered_rows(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """``reader`` is a ``csv.reader`` past its header (its type is private to ``_csv``)."""
    last_line = reader.line_num
    for row in reader:
        line = last_line + 1  # where this record starts (the header is line 1)
        last_line = reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        yield line, row
