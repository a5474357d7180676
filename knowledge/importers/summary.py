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
#: At most this many distinct unknown licence names are listed per file (all are counted).
MAX_UNKNOWN_LICENCES = 20

#: Why a row was rejected: code -> what the CLI prints for the count of that reason.
REJECTION_REASONS = {
    "bad_upn": "user principal name not an address",
    "unknown_country": "usage location not a known country",
    "duplicate_user": "user listed twice in the file",
    "duration_over_limit": "call longer than 24 hours",
    "no_user": "user call without UPN or object id",
    "end_before_start": "call ends before it starts",
    "field_count": "wrong number of fields",
    "not_an_object": "row not a JSON object",
    "invalid_value": "a value that cannot be read",
}


class RowError(BaseModel):
    """One rejected row: where it is and why, in words an admin can act on."""

    line: int  # CSV: physical line where the record starts (header = 1); JSON: row position
    reason: str
    code: str = "invalid_value"  # a key of REJECTION_REASONS, counted per file


class FileImport(BaseModel):
    """The outcome for one file (or one member of a zip, or one page in a folder)."""

    path: str  # "export.zip!PSTN.calls.2025-06-30.csv" for zip members
    kind: str  # pstn_csv | graph | roster | skipped
    rows_read: int = 0
    imported: int = 0  # new rows (roster: new or changed users)
    duplicates: int = 0  # rows already in the store (or twice in this file)
    rejected: int = 0
    rejected_by: dict[str, int] = Field(default_factory=dict)  # RowError.code -> rows
    errors: list[RowError] = Field(default_factory=list)
    #: Roster rows kept with a licence the catalog does not know (never a Calling Plan).
    warnings: int = 0
    unknown_licences: dict[str, int] = Field(default_factory=dict)  # SKU -> users (first few SKUs)
    note: str | None = None  # why a file was skipped, or a hint (e.g. more Graph pages exist)
    error: str | None = None  # a file-level failure (rows before it were kept)

    def reject(self, error: RowError) -> None:
        """Count a bad row, keeping its details while under ``MAX_ROW_ERRORS``."""
        self.rejected += 1
        self.rejected_by[error.code] = self.rejected_by.get(error.code, 0) + 1
        if len(self.errors) < MAX_ROW_ERRORS:
            self.errors.append(error)

    def warn_unknown_licences(self, skus: list[str]) -> None:
        """Count a kept row whose licences include SKUs the catalog does not know."""
        if not skus:
            return
        self.warnings += 1
        for sku in skus:
            if sku in self.unknown_licences or len(self.unknown_licences) < MAX_UNKNOWN_LICENCES:
                self.unknown_licences[sku] = self.unknown_licences.get(sku, 0) + 1

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
    def rejected_by(self) -> dict[str, int]:
        """Rejected rows per reason code (see :data:`REJECTION_REASONS`), over every file."""
        totals: dict[str, int] = {}
        for item in self.files:
            for code, count in item.rejected_by.items():
                totals[code] = totals.get(code, 0) + count
        return totals

    @property
    def warnings(self) -> int:
        return sum(f.warnings for f in self.files)

    @property
    def ok(self) -> bool:
        """True when every row of every file was either imported or a harmless duplicate."""
        return all(f.ok for f in self.files)
