"""Runs an import: detected sources in, batches to the writer, one summary line per file out.

Rows stream from the importers in batches of ``BATCH_ROWS`` (memory stays flat whatever the
file size); each batch is one commit, so a kill loses at most the batch in flight and a
re-import skips what was committed (duplicates). A roster is one batch (see
:meth:`TenantWriter.merge_users`), its rows streamed into the merge. A file that fails
half-way (bad encoding, truncated CSV, a line over the length limit) keeps its committed
batches and says where it stopped. The import holds its tenant's lock only
(:func:`knowledge.store.lock.tenant_lock`): other tenants import at the same time.
"""

from __future__ import annotations

import csv
import json
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, Protocol

from tinydb import TinyDB

from knowledge.clock import Clock, system_clock
from knowledge.importers.detect import Source
from knowledge.importers.graph import graph_rows, read_graph_rows
from knowledge.importers.pstn_csv import read_pstn_csv
from knowledge.importers.roster import read_roster, unknown_licences
from knowledge.importers.summary import FileImport, ImportSummary, RowError
from knowledge.importers.text import load_json, open_text
from knowledge.store.atomic import AtomicJSONStorage
from knowledge.store.layout import IMPORT_LOG_NAME, Layout
from knowledge.store.lock import tenant_lock
from knowledge.store.records import CallRecord, UserRecord
from knowledge.store.writer import TenantWriter

#: Rows per commit: big enough that per-batch costs vanish, small enough for flat memory.
BATCH_ROWS = 10_000


def run_import(
    layout: Layout,
    sources: list[Source],
    tenant_id: str,
    progress: bool,
    on_wait: Callable[[str], None] | None = None,
    clock: Clock = system_clock,
) -> ImportSummary:
    """Import ``sources`` into ``tenant_id``; ``on_wait`` is told when another import of the
    same tenant holds its lock (this one then waits, up to ``knowledge.store.lock.LOCK_WAIT_SECONDS``)."""
    with tenant_lock(layout, tenant_id, on_wait):
        return import_sources(
            TenantWriter(layout, tenant_id, clock),
            sources,
            progress,
            lambda result: _log(layout, tenant_id, result, clock),
        )


class BatchWriter(Protocol):
    """What an import needs of a tenant's writer (:class:`TenantWriter` and its object-store
    subclass)."""

    tenant_id: str

    def add_calls(self, calls: Iterable[CallRecord]) -> tuple[int, int]: ...

    def merge_users(self, users: Iterable[UserRecord]) -> tuple[int, int]: ...

    def close(self) -> None: ...


def import_sources(
    writer: BatchWriter, sources: list[Source], progress: bool, log: Callable[[FileImport], None]
) -> ImportSummary:
    """Import ``sources`` through ``writer`` (closed at the end), ``log`` each file's outcome."""
    summary = ImportSummary(tenant_id=writer.tenant_id)
    show_progress = progress and sys.stderr.isatty()
    try:
        for source in sources:
            result = FileImport(path=source.label, kind=source.kind, note=source.note)
            summary.files.append(result)
            if source.kind == "skipped":
                continue
            try:
                with source.opener() as binary:
                    _import_source(writer, source, binary, result, show_progress)
            except (ValueError, OSError, csv.Error, zipfile.BadZipFile) as exc:
                where = f"stopped after {result.rows_read} rows: " if result.rows_read else ""
                kept = "; the rows before it were kept" if result.imported else ""
                result.error = f"{where}{_describe(exc)}{kept}"
            log(result)
    finally:
        writer.close()
    return summary


def import_rows(
    layout: Layout,
    tenant_id: str,
    label: str,
    rows: Iterable[CallRecord | RowError],
    on_wait: Callable[[str], None] | None = None,
    clock: Clock = system_clock,
) -> FileImport:
    """Commit call rows that come from no file (e.g. a Graph sync feeding
    :func:`knowledge.importers.graph.read_graph_rows`) under the tenant's lock, in batches."""
    result = FileImport(path=label, kind="graph")
    with tenant_lock(layout, tenant_id, on_wait):
        writer = TenantWriter(layout, tenant_id, clock)
        try:
            import_calls(writer, rows, result)
        finally:
            writer.close()
        _log(layout, tenant_id, result, clock)
    return result


def _import_source(
    writer: BatchWriter, source: Source, binary: IO[bytes], result: FileImport, show_progress: bool
) -> None:
    if source.kind == "roster":
        users = _roster_users(read_roster(open_text(binary), writer.tenant_id), result)
        result.imported, result.duplicates = writer.merge_users(users)
        return

    if source.kind == "pstn_csv":
        rows: Iterator[CallRecord | RowError] = read_pstn_csv(open_text(binary), writer.tenant_id)
    elif source.kind == "graph":
        found = graph_rows(load_json(binary))
        if found is None:
            raise ValueError("not a Graph getPstnCalls page or array")
        rows = read_graph_rows(found, writer.tenant_id)
    else:  # pragma: no cover - detect only yields the kinds above
        raise ValueError(f"cannot import {source.kind}")
    import_calls(writer, rows, result, binary, _progress_bar(source) if show_progress else None)


def _roster_users(items: Iterable[UserRecord | RowError], result: FileImport) -> Iterator[UserRecord]:
    """The roster's users, streamed into the merge; rejections and unknown licences counted."""
    for item in items:
        result.rows_read += 1
        if isinstance(item, RowError):
            result.reject(item)
        else:
            result.warn_unknown_licences(unknown_licences(item.licenses))
            yield item


def import_calls(
    writer: BatchWriter,
    rows: Iterable[CallRecord | RowError],
    result: FileImport,
    binary: IO[bytes] | None = None,
    bar: Any = None,
) -> None:
    """Commit ``rows`` (records or row errors, from any importer or a Graph sync) in batches.

    The caller holds the tenant's lock and owns ``writer``; ``result`` counts what happened.
    """
    batch: list[CallRecord] = []
    try:
        for item in rows:
            result.rows_read += 1
            if isinstance(item, RowError):
                result.reject(item)
            else:
                batch.append(item)
            if result.rows_read % BATCH_ROWS == 0:
                _flush(writer, batch, result)
                if bar is not None and binary is not None:
                    bar.update(_position(binary) - bar.n)
        _flush(writer, batch, result)
    finally:
        if bar is not None:
            bar.update(max(0, (bar.total or 0) - bar.n))
            bar.close()


def _flush(writer: BatchWriter, batch: list[CallRecord], result: FileImport) -> None:
    if batch:
        imported, duplicates = writer.add_calls(batch)
        result.imported += imported
        result.duplicates += duplicates
        batch.clear()


def _progress_bar(source: Source) -> Any:
    from tqdm import tqdm  # imported only for a terminal

    name = source.label.rsplit("/", 1)[-1]
    return tqdm(total=source.size, unit="B", unit_scale=True, desc=name[-40:], file=sys.stderr, leave=False)


def _position(binary: IO[bytes]) -> int:
    try:
        return binary.tell()
    except (OSError, ValueError):
        return 0


def _describe(exc: BaseException) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "the file is not UTF-8 or UTF-16 text"
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror or exc}{where}"
    return str(exc) or exc.__class__.__name__


def log_entry(result: FileImport, clock: Clock) -> dict[str, Any]:
    """One line of a tenant's import log."""
    entry = result.model_dump(mode="json", exclude={"errors"})
    entry["at"] = clock().isoformat()
    entry["error_sample"] = [e.model_dump() for e in result.errors[:5]]
    return entry


def _log(layout: Layout, tenant_id: str, result: FileImport, clock: Clock) -> None:
    """Append the file's outcome to the tenant's import log (after its last commit)."""
    entry = log_entry(result, clock)
    db = TinyDB(layout.tenant_dir(tenant_id) / IMPORT_LOG_NAME, storage=AtomicJSONStorage)
    try:
        db.table("imports").insert(entry)
    finally:
        db.close()
