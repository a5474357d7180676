"""Runs an import: detected sources in, batches to the writer, one summary line per file out.

Rows stream from the importers in batches of ``BATCH_ROWS`` (memory stays flat whatever the
file size); each batch is one commit, so a kill loses at most the batch in flight and a
re-import skips what was committed (duplicates). A roster is one batch (see
:meth:`TenantWriter.merge_users`). A file that fails half-way (bad encoding, truncated CSV)
keeps its committed batches and says where it stopped.
"""
from __future__ import annotations

import csv
import json
import sys
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from tinydb import TinyDB

from knowledge.atomic import AtomicJSONStorage
from knowledge.clock import Clock, system_clock
from knowledge.importers.detect import Source, open_text
from knowledge.importers.graph import graph_rows, read_graph_rows
from knowledge.importers.pstn_csv import read_pstn_csv
from knowledge.importers.roster import read_roster
from knowledge.importers.summary import FileImport, ImportSummary, RowError
from knowledge.records import CallRecord, UserRecord
from knowledge.store_layout import IMPORT_LOG_NAME, Layout, writer_lock
from knowledge.store_writer import TenantWriter

#: Rows per commit: big enough that per-batch costs vanish, small enough for flat memory.
BATCH_ROWS = 10_000


def run_import(layout: Layout, sources: list[Source], tenant_id: str, progress: bool,
               clock: Clock = system_clock) -> ImportSummary:
    summary = ImportSummary(tenant_id=tenant_id)
    show_progress = progress and sys.stderr.isatty()
    with writer_lock(layout):
        writer = TenantWriter(layout, tenant_id, clock)
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
            _log(layout, tenant_id, result, clock)
    return summary


def _import_source(writer: TenantWriter, source: Source, binary: IO[bytes],
                   result: FileImport, show_progress: bool) -> None:
    if source.kind == "roster":
        users: list[UserRecord] = []
        for item in read_roster(open_text(binary), writer.tenant_id):
            result.rows_read += 1
            if isinstance(item, RowError):
                result.reject(item)
            else:
                users.append(item)
        result.imported, result.duplicates = writer.merge_users(users)
        return

    if source.kind == "pstn_csv":
        rows: Iterator[CallRecord | RowError] = read_pstn_csv(open_text(binary), writer.tenant_id)
    elif source.kind == "graph":
        document: Any = json.load(binary)
        found = graph_rows(document)
        if found is None:
            raise ValueError("not a Graph getPstnCalls page or array")
        rows = read_graph_rows(found, writer.tenant_id)
    else:  # pragma: no cover - detect only yields the kinds above
        raise ValueError(f"cannot import {source.kind}")

    bar = _progress_bar(source) if show_progress else None
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
                if bar is not None:
                    bar.update(_position(binary) - bar.n)
        _flush(writer, batch, result)
    finally:
        if bar is not None:
            bar.update(max(0, (source.size or 0) - bar.n))
            bar.close()


def _flush(writer: TenantWriter, batch: list[CallRecord], result: FileImport) -> None:
    if batch:
        imported, duplicates = writer.add_calls(batch)
        result.imported += imported
        result.duplicates += duplicates
        batch.clear()


def _progress_bar(source: Source) -> Any:
    from tqdm import tqdm  # imported only for a terminal

    name = source.label.rsplit("/", 1)[-1]
    return tqdm(total=source.size, unit="B", unit_scale=True, desc=name[-40:], file=sys.stderr,
                leave=False)


def _position(binary: IO[bytes]) -> int:
    try:
        return binary.tell()
    except (OSError, ValueError):
        return 0


def _describe(exc: BaseException) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "the file is not UTF-8 text"
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror or exc}{where}"
    return str(exc) or exc.__class__.__name__


def _log(layout: Layout, tenant_id: str, result: FileImport, clock: Clock) -> None:
    """Append the file's outcome to the tenant's import log (after its last commit)."""
    entry = result.model_dump(mode="json", exclude={"errors"})
    entry["at"] = clock().isoformat()
    entry["error_sample"] = [e.model_dump() for e in result.errors[:5]]
    db = TinyDB(layout.tenant_dir(tenant_id) / IMPORT_LOG_NAME, storage=AtomicJSONStorage)
    try:
        db.table("imports").insert(entry)
    finally:
        db.close()
