"""The import-memory benchmark measures what it says: a valid export, a real import, real peaks."""

from __future__ import annotations

from pathlib import Path

from bench.bench_import_memory import measure, write_export
from knowledge.importers.detect import detect_sources
from knowledge.store import Store


def test_generated_export_is_a_clean_pstn_export(tmp_path: Path) -> None:
    export = tmp_path / "PSTN.calls.csv"
    rows = write_export(export, 300_000)
    assert 300_000 <= export.stat().st_size < 301_000
    assert [s.kind for s in detect_sources([export])] == ["pstn_csv"]
    store = Store(tmp_path / "data")
    try:
        summary = store.import_paths([export], "bench")
        assert (summary.imported, summary.rejected, summary.duplicates) == (rows, 0, 0)
    finally:
        store.close()


def test_measure_reports_the_import_peak_against_a_csv_reader_pass(tmp_path: Path) -> None:
    (row,) = measure(tmp_path, 200_000, "small")
    assert row["benchmark"] == "import_peak_rss_small" and row["unit"] == "MB"
    # A fresh interpreter that loads pydantic and the catalog holds more than one that only
    # runs csv.reader: both are real peaks of their own process.
    assert row["value"] > row["baseline"] > 1
    assert "csv.reader" in row["note"]
    assert not list(tmp_path.glob("*.csv"))  # the export is not kept
