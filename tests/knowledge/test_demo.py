"""The demo tenant: real export formats on disk, imported through the importers, live numbers."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import Counter
from datetime import UTC, datetime

from knowledge.importers.pstn_csv import PSTN_COLUMNS
from knowledge.store import DEFAULT_TENANT_ID, Store
from knowledge.store.demo import load_demo, write_demo_files

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


def test_demo_files_are_real_export_formats(tmp_path) -> None:
    paths = write_demo_files(tmp_path / "demo", NOW)
    names = sorted(p.name for p in paths)
    assert names == ["Calls.Export.20250615.zip", "active-users.csv", "graph"]

    roster = list(csv.DictReader(io.StringIO((tmp_path / "demo" / "active-users.csv").read_text("utf-8-sig"))))
    assert {"User principal name", "Display name", "Usage location", "Licenses", "ObjectId"} <= set(roster[0])
    assert {r["Usage location"] for r in roster} == {"France", "United Kingdom", "Germany", "United States", ""}
    assert any(r["Licenses"] == "contoso:SPE_E5+contoso:MCOPSTN5" for r in roster)

    with zipfile.ZipFile(tmp_path / "demo" / "Calls.Export.20250615.zip") as archive:
        members = sorted(archive.namelist())
        assert members == ["DirectRouting.calls.2025-06-13.csv", "PSTN.calls.2025-06-13.csv", "parameters.json"]
        pstn = archive.read("PSTN.calls.2025-06-13.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(pstn)))
    assert tuple(rows[0]) == PSTN_COLUMNS
    assert all(row[7].endswith("****") for row in rows[1:])  # French org: 4 digits masked
    assert all(row[13].endswith(".0000000Z") for row in rows[1:])

    pages = sorted((tmp_path / "demo" / "graph").glob("*.json"))
    first, last = (json.loads(p.read_text()) for p in (pages[0], pages[-1]))
    assert "@odata.nextLink" in first and "@odata.nextLink" not in last
    assert first["value"] and {"id", "callType", "startDateTime", "duration", "licenseCapability"} <= set(
        first["value"][0]
    )


def test_demo_is_deterministic(tmp_path) -> None:
    write_demo_files(tmp_path / "a", NOW)
    write_demo_files(tmp_path / "b", NOW)
    for path in sorted((tmp_path / "a").rglob("*")):
        if path.is_file() and path.suffix != ".zip":  # zip entries carry the write time
            assert path.read_bytes() == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes()


def test_demo_loads_live_pools(tmp_path) -> None:
    store = Store(tmp_path / "data")
    summary = load_demo(store, NOW)
    assert summary.ok and summary.tenant_id == DEFAULT_TENANT_ID and summary.imported > 500
    assert (tmp_path / "data" / "demo" / "active-users.csv").is_file()

    pools = store.pools(DEFAULT_TENANT_ID, "2025-06", NOW.date())
    assert {b.country for b in pools} == {"FR", "GB", "DE", "US"}
    assert {b.plan for b in pools} == {"MCOPSTN1", "MCOPSTN2", "MCOPSTN5"}
    assert any(b.plan == "MCOPSTN2" and b.line == "international" and b.used_minutes for b in pools)
    near = [b for b in pools if b.plan == "MCOPSTN5"]
    assert len(near) == 1 and near[0].country == "GB"
    assert 60 <= near[0].percent_used < 100 and near[0].runs_out_on is not None
    assert near[0].runs_out_on.month == 6 and near[0].runs_out_on > NOW.date()
    others = [b for b in pools if b.plan != "MCOPSTN5"]
    assert all(0 < b.percent_used < 50 and b.runs_out_on is None for b in others)

    calls = list(store.calls(DEFAULT_TENANT_ID, "2025-06"))
    kinds = Counter(c.call_type for c in calls)
    assert kinds["user_in"] and kinds["user_out_transfer"] and kinds["user_out_forwarding"] and kinds["ucap_in"]
    assert any(c.destination_context == "International" and c.capability == "MCOPSTN1" for c in calls)
    assert max(c.start for c in calls) < NOW
    assert {c.source for c in calls} == {"pstn_csv", "graph"}


def test_demo_rerun_adds_only_newer_calls(tmp_path) -> None:
    store = Store(tmp_path / "data")
    load_demo(store, NOW)
    count = store.call_count(DEFAULT_TENANT_ID)
    again = load_demo(store, NOW)
    assert again.imported == 0 and again.duplicates == count + 31  # calls + roster rows
    later = load_demo(store, NOW.replace(day=20))
    assert later.imported > 0
    calls = [c for month in store.months(DEFAULT_TENANT_ID) for c in store.calls(DEFAULT_TENANT_ID, month)]
    assert len(calls) == len({c.id for c in calls}) == count + later.imported
    assert store.months(DEFAULT_TENANT_ID) == ["2025-05", "2025-06"]


def test_demo_in_the_first_minutes_of_a_month(tmp_path) -> None:
    """On the 1st the current month is empty, but last month is whole: pools look real."""
    store = Store(tmp_path / "data")
    summary = load_demo(store, datetime(2025, 7, 1, 0, 5, tzinfo=UTC))
    assert summary.ok and summary.imported > 1000  # June's calls and the roster
    assert store.months(DEFAULT_TENANT_ID) == ["2025-06"]
    pools = store.pools(DEFAULT_TENANT_ID, "2025-07", datetime(2025, 7, 1).date())
    assert pools and all(b.used_minutes == 0 for b in pools)
    june = store.pools(DEFAULT_TENANT_ID, "2025-06", datetime(2025, 7, 1).date())
    assert all(b.used_minutes for b in june)


def test_the_previous_month_is_in_the_admin_center_export(tmp_path) -> None:
    paths = write_demo_files(tmp_path / "demo", NOW)
    with zipfile.ZipFile(paths[1]) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("PSTN.calls.2025-06-13.csv").decode("utf-8-sig"))))
        parameters = json.loads(archive.read("parameters.json"))
    months = Counter(row["Start Time"][:7] for row in rows)
    assert set(months) == {"2025-05", "2025-06"} and months["2025-05"] > 1000
    assert parameters["From"] == "2025-05-01T00:00:00Z"
    assert max(row["Start Time"] for row in rows) < "2025-06-13T12:00:00"
    graph = [
        row
        for page in sorted((tmp_path / "demo" / "graph").glob("*.json"))
        for row in json.loads(page.read_text())["value"]
    ]
    assert graph and min(row["startDateTime"] for row in graph) >= "2025-06-13T12:00:00Z"


async def test_demo_on_an_empty_store_from_the_bot(tmp_path) -> None:
    """What the host does at start-up (make run): demo data when the store is empty."""
    from knowledge.store import AsyncStore

    store = AsyncStore(tmp_path / "data")
    try:
        assert await store.is_empty()
        summary = await store.call(load_demo, store.sync, NOW)
        assert summary.ok and not await store.is_empty()
        assert await store.tenants() == [DEFAULT_TENANT_ID]
        assert await store.pools(DEFAULT_TENANT_ID, "2025-06", NOW.date())
    finally:
        store.close()
