"""What an import did, file by file: the answer `callplan import` prints and the bot can show.

One model for every importer, so the CLI, the tests and the import log read the same fields.
Row errors carry the line number an admin can find in a text editor (for JSON files, the
1-based position of the row in the page's ``value`` array or the plain array).
"""
from __future__ import annotations

from pydantic import BaseModel, Field

#: At most this many row errors are kept per file: a million bad rows must not fill memory.
#: ``rejected`` still counts every one of them.
MAX_ROW_ERRORS = 100


class RowError(BaseModel):
    """One rejected row: where it is and why, in words an admin can act on."""

    line: int  # CSV: physical line where the record starts (header = 1); JSON: row position
    reason: str


class FileImport(BaseModel):
    """The outcome for one file (or one member of a zip, or one page in a folder)."""

    path: str  # "export.zip!PSTN.calls.2025-06-30.csv" for zip members
    kind: str  # pstn_csv | graph | roster | skipped
    rows_read: int = 0
    imported: int = 0  # new rows (roster: new or changed users)
    duplicates: int = 0  # rows already in the store (or twice in this file)
    rejected: int = 0
    errors: list[RowError] = Field(default_factory=list)
    note: str | None = None  # why a file was skipped, or a hint (e.g. more Graph pages exist)
    error: str | None = None  # a file-level failure (rows before it were kept)

    def reject(self, error: RowError) -> None:
        """Count a bad row, keeping its details while under ``MAX_ROW_ERRORS``."""
        self.rejected += 1
        if len(self.errors) < MAX_ROW_ERRORS:
            self.errors.append(error)

    @property
    def ok(self) -> bool:
        return self.error is None and self.rejected == 0


class ImportSummary(BaseModel):
    """Every file of one ``import_paths`` call, with totals."""

    tenant_id: str
    files: list[FileImport] = Field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def imported(self) -> int:
        return sum(f.imported for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def ok(self) -> bool:
        """True when every row of every file was either imported or a harmless duplicate."""
        return all(f.ok for f in self.files)
