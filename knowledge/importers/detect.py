"""Find what to import in the paths an admin gives: files, zips and folders, told by content.

File names are not trusted (admins rename exports, browsers add ``(1)``): a CSV is classified
by its header row, JSON by its shape, a zip by its members. Everything is checked *before*
anything is imported, so a typo in the third path does not leave the first two half-done.
A file we cannot recognize is an error when named directly, and skipped with a note when it
merely sits in a zip or folder next to real exports (``parameters.json``, a README).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from knowledge.importers import graph, pstn_csv, roster
from knowledge.importers import text as bounds
from knowledge.importers.fields import header_index
from knowledge.importers.text import (
    InputLimitError,
    decode_head,
    loads_json,
    open_text,
    read_bounded,
    sniff_delimiter,
)

__all__ = ["ImportFileError", "Source", "detect_sources", "open_text"]

#: Bytes read to classify a file: enough for any header row.
SNIFF_BYTES = 64 * 1024
#: Largest zip member we unpack (declared or actual size). A month's PSTN export of a large
#: tenant is a few hundred MB; 4 GiB leaves room and stops a zip bomb.
MAX_MEMBER_BYTES = 4 * 1024**3
#: Largest unpacked/packed ratio of a zip member over :data:`RATIO_FLOOR_BYTES`. Real CSV and
#: JSON exports deflate 5-20x; a member of repeated bytes (a bomb) deflates ~1000x.
MAX_ZIP_RATIO = 100
#: Members smaller than this are never refused for their ratio (tiny files compress oddly).
RATIO_FLOOR_BYTES = 1024 * 1024

DIRECT_ROUTING_NOTE = "skipped: Direct Routing calls do not use Calling Plan minutes"
NEXT_LINK_NOTE = "this page has @odata.nextLink: more rows exist; save every page in one folder and import the folder"
UNKNOWN_NOTE = "skipped: not a PSTN usage export, Graph getPstnCalls JSON or user roster"


class ImportFileError(ValueError):
    """A file that cannot be imported at all (missing, unreadable, not a known export)."""


@dataclass(frozen=True)
class Source:
    """One importable unit: a file, a zip member or a page in a folder."""

    label: str  # what the summary shows: the path, or "export.zip!member.csv"
    kind: str  # pstn_csv | graph | roster | skipped
    opener: Callable[[], AbstractContextManager[IO[bytes]]]
    size: int | None = None  # bytes, for the progress bar
    note: str | None = None


def detect_sources(paths: Sequence[Path | str]) -> list[Source]:
    """Every importable source in ``paths``, in order; raises :class:`ImportFileError`."""
    if not paths:
        raise ImportFileError("no files given")
    sources: list[Source] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = _folder(path)
        elif path.is_file():
            found = _file(path, top_level=True)
        elif path.exists():
            raise ImportFileError(f"{path}: not a regular file or folder")
        else:
            raise ImportFileError(f"{path}: no such file or folder")
        sources.extend(found)
    return sources


def _folder(folder: Path) -> list[Source]:
    found: list[Source] = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts):
            found.extend(_file(path, top_level=False))
    if not any(source.kind != "skipped" for source in found):
        raise ImportFileError(f"{folder}: the folder holds no PSTN usage export, Graph page or roster")
    return found


def _file(path: Path, top_level: bool) -> list[Source]:
    try:
        if zipfile.is_zipfile(path):
            return _zip(path)
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot read it ({exc.strerror or exc})") from None

    @contextmanager
    def opener() -> Iterator[IO[bytes]]:
        with path.open("rb") as handle:
            yield handle

    def read_all() -> bytes:
        with path.open("rb") as handle:
            return read_bounded(handle, bounds.MAX_JSON_BYTES, "the JSON document")

    kind, note = _classify(head, read_all, top_level)
    if kind == "skipped" and top_level and note != DIRECT_ROUTING_NOTE:
        raise ImportFileError(f"{path}: {(note or UNKNOWN_NOTE).removeprefix('skipped: ')}")
    return [Source(str(path), kind, opener, path.stat().st_size, note)]


def _zip(path: Path) -> list[Source]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
            for info in members:
                _check_member(path, info)
            classified = []
            for info in members:
                with archive.open(info) as member:
                    head = member.read(SNIFF_BYTES)

                def read_all(info: zipfile.ZipInfo = info) -> bytes:
                    with archive.open(info) as member:
                        return read_bounded(member, bounds.MAX_JSON_BYTES, "the JSON document")

                kind, note = _classify(head, read_all, False)
                classified.append((info, kind, note))
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, NotImplementedError) as exc:
        raise ImportFileError(f"{path}: not a readable zip ({exc})") from None

    sources = []
    for info, kind, note in classified:

        @contextmanager
        def opener(name: str = info.filename, declared: int = info.file_size) -> Iterator[IO[bytes]]:
            with zipfile.ZipFile(path) as archive, archive.open(name) as member:
                yield io.BufferedReader(_CappedReader(member, min(declared, MAX_MEMBER_BYTES), name))

        sources.append(Source(f"{path}!{info.filename}", kind, opener, info.file_size, note))
    if not any(source.kind != "skipped" for source in sources):
        raise ImportFileError(f"{path}: the zip holds no PSTN usage export, Graph page or roster")
    return sources


def _check_member(path: Path, info: zipfile.ZipInfo) -> None:
    """Refuse a member whose declared size or packing ratio says it is a zip bomb."""
    where = f"{path}!{info.filename}"
    if info.file_size > MAX_MEMBER_BYTES:
        raise ImportFileError(
            f"{where}: unpacks to {info.file_size:,} bytes, over the {MAX_MEMBER_BYTES:,}-byte limit for one zip member"
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > RATIO_FLOOR_BYTES and ratio > MAX_ZIP_RATIO:
        raise ImportFileError(
            f"{where}: packed {ratio:,.0f} to 1, over the {MAX_ZIP_RATIO} to 1 "
            "an export can reach: not an export (a zip bomb?)"
        )


class _CappedReader(io.RawIOBase):
    """A zip member that may yield at most ``cap`` bytes: more is an error, never memory."""

    def __init__(self, member: IO[bytes], cap: int, name: str) -> None:
        self._member, self._cap, self._name, self._read = member, cap, name, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._member.read(len(buffer))
        self._read += len(data)
        if self._read > self._cap:
            raise InputLimitError(f"{self._name} unpacks to more than {self._cap:,} bytes")
        buffer[: len(data)] = data
        return len(data)

    def tell(self) -> int:
        return self._read


def _classify(head: bytes, read_all: Callable[[], bytes], alone: bool) -> tuple[str, str | None]:
    """(kind, note); ``alone`` is true for a file named on its own (not in a zip or folder)."""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"["):
        return _classify_json(read_all, alone)
    return _classify_csv(head)


def _classify_json(read_all: Callable[[], bytes], alone: bool) -> tuple[str, str | None]:
    try:
        document: Any = loads_json(read_all())
    except InputLimitError as exc:
        return "skipped", f"skipped: {exc}"
    except json.JSONDecodeError as exc:
        return "skipped", f"skipped: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
    except (ValueError, UnicodeDecodeError):
        return "skipped", "skipped: not UTF-8 JSON"
    kind = graph.classify(document)
    if kind == "graph":
        if alone and graph.next_link(document):
            return "graph", NEXT_LINK_NOTE
        return "graph", None
    if kind == "direct_routing":
        return "skipped", DIRECT_ROUTING_NOTE
    return "skipped", UNKNOWN_NOTE


def _classify_csv(head: bytes) -> tuple[str, str | None]:
    text = decode_head(head)
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=sniff_delimiter(text)), None)
    except csv.Error:
        return "skipped", UNKNOWN_NOTE
    if not header:
        return "skipped", UNKNOWN_NOTE
    names = header_index(header)
    if pstn_csv.looks_like_pstn(names):
        return "pstn_csv", None
    if pstn_csv.looks_like_direct_routing(names):
        return "skipped", DIRECT_ROUTING_NOTE
    if roster.roster_format(names):
        return "roster", None
    return "skipped", UNKNOWN_NOTE
