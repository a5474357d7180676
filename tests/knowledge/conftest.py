"""Shared fixtures for the store and importer tests: real-format export files and a fresh store.

The sample exports live in ``fixtures/`` as the files Microsoft's tools produce (the Teams
admin center PSTN export with its zip layout, Graph getPstnCalls pages and a plain array, the
Microsoft 365 admin center user export and a plain roster). The tests' expected pool figures
are computed by hand in the tests from these files; see ``test_store.py``.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from knowledge.store import Store
from knowledge.store.shared import SharedStore
from testkit.clock import SettableClock

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def clock() -> SettableClock:
    """The store's clock: early July 2025, after the June 2025 fixtures (tests may move it)."""
    return SettableClock(datetime(2025, 7, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def store(request: pytest.FixtureRequest, tmp_path: Path, clock: SettableClock) -> Iterator[Store]:
    """The local store; ``@both_backends`` runs a test on the Azure Blob store too (Azurite)."""
    if getattr(request, "param", "local") == "blob":
        store: Store = blob_store(request.getfixturevalue("azurite"), tmp_path / "data", clock)
    else:
        store = Store(tmp_path / "data", clock)
    yield store
    store.close()


#: Runs a test that uses ``store`` on the local store and on the Azure Blob store (Azurite).
both_backends = pytest.mark.parametrize("store", ["local", "blob"], indirect=True)
_containers = iter(range(1_000_000))


def blob_store(azurite, data_dir: Path, clock, *, container: str | None = None) -> SharedStore:
    """A :class:`SharedStore` in a container of its own (or ``container``) of ``azurite``,
    its requests counted (``store.objects.counts``)."""
    from bot.blob_objects import AzureBlobObjects
    from knowledge.store.objects import CountingObjects

    name = container or f"usage-{os.getpid()}-{next(_containers)}"
    return SharedStore(CountingObjects(AzureBlobObjects(azurite.connection_string, name)), data_dir, clock)


@pytest.fixture
def export_zip(tmp_path: Path) -> Path:
    """``Calls.Export.<id>.zip`` as the Teams admin center's "Export to Excel" builds it."""
    path = tmp_path / "Calls.Export.3f2c9a.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in sorted((FIXTURES / "Calls.Export").iterdir()):
            archive.write(member, member.name)
    return path


PSTN_HEADER = (
    "UsageId,Call ID,Conference ID,User Location,AAD ObjectId,UPN,User Display Name,Caller ID,"
    "Call Type,Number Type,Domestic/International,Destination Dialed,Destination Number,"
    "Start Time,End Time,Duration Seconds,Connection Fee,Charge,Currency,Capability"
)


def write_pstn_csv(
    path: Path, rows: int, *, tag: int = 0, seconds: int = 120, month: str = "2025-06", start_row: int = 0
) -> Path:
    """A PSTN usage export of ``rows`` outbound domestic calls of French MCOPSTN1 users.

    Every call lasts ``seconds`` (120 s = 2 billable minutes), so the pool use it adds is
    ``rows * ceil(seconds / 60)``: easy to compute by hand. ``tag`` keeps the calls of two files
    apart (ids and Call IDs); ``start_row`` continues the numbering of an earlier file (same ids = duplicates).
    """
    lines = [PSTN_HEADER]
    for n in range(start_row, start_row + rows):
        day = 1 + n % 27
        minute = n % 1440
        start = f"{month}-{day:02d}T{minute // 60:02d}:{minute % 60:02d}:00.0000000Z"
        lines.append(
            f"0c5e{tag:04d}-0000-4000-8000-{n:012d},call-{tag}-{n},,FR,,user{n % 7}@contoso.com,"
            f"User {n % 7},+3314{n % 10000:04d}****,user_out,Subscriber,Domestic,France,"
            f"+3314{n % 10000:04d}****,{start},,{seconds},0.00,0.00,EUR,MCOPSTN1"
        )
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


@pytest.fixture
def make_pstn_csv(tmp_path: Path):
    """``make_pstn_csv(rows, **options) -> Path`` (see :func:`write_pstn_csv`)."""
    counter = iter(range(10_000))

    def make(rows: int, **options) -> Path:
        return write_pstn_csv(tmp_path / f"PSTN.calls.gen-{next(counter)}.csv", rows, **options)

    return make
