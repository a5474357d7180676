"""The usage store on Azure Blob Storage (Azurite): concurrent writers, crashes, the ETag cache.

The behaviour the local store has (pools, dedupe, rejected rows, tenants) is checked on both
backends in ``test_store.py`` (``@both_backends``). Here: what only a shared store has to
prove. Two *processes* import into one tenant at once through the real ``callplan import``;
a process is SIGKILLed just before a commit; two writers race deterministically in one
process; and a repeated pool lookup downloads no body (requests counted by the wrapper).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

from bot.blob_objects import AzureBlobObjects
from knowledge.store.layout import SUMMARY_NAME
from knowledge.store.objects import CountingObjects
from knowledge.store.shared import SharedTenantWriter, tenant_prefix
from knowledge.store.writer import KILL_AT_ENV
from testkit.narrow import present

from .conftest import blob_store, write_pstn_csv

TENANT = "contoso"
AS_OF = date(2025, 6, 28)


def _fr_used(store) -> int:
    """Minutes used by the FR MCOPSTN1 domestic pool (every generated call: 2 minutes)."""
    return sum(
        b.used_minutes
        for b in store.pools(TENANT, "2025-06", AS_OF)
        if (b.country, b.plan, b.line) == ("FR", "MCOPSTN1", "domestic")
    )


def _cli(azurite, container: str, data_dir: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    script = Path(sys.executable).with_name("callplan")
    environ = {key: value for key, value in os.environ.items() if key not in {KILL_AT_ENV, "DATA_DIR"}}
    environ.update(
        STORE_BACKEND="azure-blob",
        STORE_CONTAINER=container,
        AZURE_STORAGE_CONNECTION_STRING=azurite.connection_string,
        CALLPLAN_NOW="2025-06-28T12:00:00Z",
        **env,
    )
    return subprocess.Popen(
        [str(script), *args, "--data-dir", str(data_dir)],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _roster(tmp_path: Path) -> Path:
    """Seven French MCOPSTN1 users (the generated calls' user0..user6): one 8,400-minute pool."""
    path = tmp_path / "roster.csv"
    path.write_text(
        "upn,usage_location,licenses\n"
        + "".join(f"user{n}@contoso.com,FR,ENTERPRISEPACK+MCOPSTN1\n" for n in range(7)),
        encoding="utf-8",
    )
    return path


def _committed_names(store) -> set[str]:
    """Every object under the tenant, relative to it."""
    prefix = tenant_prefix(TENANT)
    return {name[len(prefix) :] for name in store.objects.list(prefix)}


def test_two_processes_importing_into_one_tenant_lose_nothing(azurite, tmp_path, clock) -> None:
    container = f"race-{os.getpid()}"
    roster = _roster(tmp_path)
    # Overlapping files: rows 6,000-11,999 are in both (same ids), so the union is 18,000 calls.
    first = write_pstn_csv(tmp_path / "PSTN.calls.a.csv", 12_000)
    second = write_pstn_csv(tmp_path / "PSTN.calls.b.csv", 12_000, start_row=6_000)
    runs = [
        _cli(azurite, container, tmp_path / f"replica-{n}", "import", str(path), str(roster), "--tenant", TENANT)
        for n, path in enumerate((first, second))
    ]
    outputs = [run.communicate(timeout=110) for run in runs]
    for run, (out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err + out

    store = blob_store(azurite, tmp_path / "reader", clock, container=container)
    assert store.call_count(TENANT) == 18_000
    assert _fr_used(store) == 18_000 * 2
    ids = {call.id for call in store.calls(TENANT, "2025-06")}
    assert len(ids) == 18_000  # each call once
    imported = [int(n) for out, _ in outputs for n in re.findall(r"PSTN usage export: \d+ rows, (\d+) imported", out)]
    assert len(imported) == 2 and sum(imported) == 18_000  # the processes' own counts: no row counted twice
    balances = store.pools(TENANT, "2025-06", AS_OF)
    assert [(b.users, b.total_minutes) for b in balances] == [(7, 7 * 1200)]
    log = json.loads(present(store.objects.get(tenant_prefix(TENANT) + "imports.json")).data)
    assert len(log["imports"]) == 4  # both files of both processes: no log line lost either
    shown = _cli(
        azurite, container, tmp_path / "replica-2", "pools", "--tenant", TENANT, "--month", "2025-06", "--json"
    )
    out, err = shown.communicate(timeout=60)
    assert shown.returncode == 0, err
    assert [p["used_minutes"] for p in json.loads(out)["pools"]] == [36_000]  # the CLI reads the container too


def test_a_writer_that_loses_the_race_merges_again(azurite, tmp_path, clock) -> None:
    store = blob_store(azurite, tmp_path / "data", clock)
    calls = list(_calls(tmp_path, 30))
    early, late = SharedTenantWriter(store.objects, TENANT, clock), SharedTenantWriter(store.objects, TENANT, clock)
    try:  # both read the (empty) tenant before either commits
        assert early.add_calls(calls[:20]) == (20, 0)
        assert late.add_calls(calls[10:]) == (10, 10)  # its first commit got 412: merged again
        assert late.retries == 1
        assert late.add_calls(calls[25:]) == (0, 5)
        assert early.add_calls(calls) == (0, 30)  # a stale writer retries too, and adds nothing
    finally:
        early.close()
        late.close()
    assert store.call_count(TENANT) == 30 and _fr_used(store) == 60
    summary = json.loads(present(store.objects.get(tenant_prefix(TENANT) + SUMMARY_NAME)).data)
    listed = {f"calls/2025-06/{c['name']}" for c in summary["chunks"]["2025-06"]}
    listed |= {name.removesuffix(".json") + ".ids" for name in listed}
    assert _committed_names(store) == listed | {SUMMARY_NAME}  # the losers' objects were deleted


def _calls(tmp_path: Path, rows: int):
    from knowledge.importers.pstn_csv import read_pstn_csv
    from knowledge.importers.text import open_text

    with write_pstn_csv(tmp_path / "rows.csv", rows).open("rb") as handle:
        yield from read_pstn_csv(open_text(handle), TENANT)


def test_a_kill_mid_import_leaves_the_old_summary_and_no_leftovers(azurite, tmp_path, clock) -> None:
    container = f"crash-{os.getpid()}"
    export = write_pstn_csv(tmp_path / "PSTN.calls.big.csv", 25_000)  # three batches
    killed = _cli(
        azurite,
        container,
        tmp_path / "a",
        "import",
        str(export),
        "--tenant",
        TENANT,
        **{KILL_AT_ENV: "before-commit:2"},
    )
    killed.communicate(timeout=110)
    assert killed.returncode == -9  # SIGKILLed with its second batch written, not committed

    store = blob_store(azurite, tmp_path / "reader", clock, container=container)
    assert store.call_count(TENANT) == 10_000  # the first batch: the old summary, readable
    assert _fr_used(store) == 20_000
    assert len(list(store.calls(TENANT, "2025-06"))) == 10_000
    leftovers = _committed_names(store) - {SUMMARY_NAME, "imports.json"}
    assert len(leftovers) > 2  # the killed batch's objects, listed by no summary

    again = _cli(azurite, container, tmp_path / "b", "import", str(export), "--tenant", TENANT)
    out, err = again.communicate(timeout=110)
    assert again.returncode == 0, err
    assert "15000 imported, 10000 duplicates" in out
    assert store.call_count(TENANT) == 25_000 and _fr_used(store) == 50_000
    # The next writer removes what the killed one left (its generation is now committed).
    SharedTenantWriter(store.objects, TENANT, clock).close()
    summary = json.loads(present(store.objects.get(tenant_prefix(TENANT) + SUMMARY_NAME)).data)
    listed = {f"calls/2025-06/{c['name']}" for c in summary["chunks"]["2025-06"]}
    listed |= {name.removesuffix(".json") + ".ids" for name in listed}
    assert _committed_names(store) == listed | {SUMMARY_NAME, "imports.json"}


def test_a_repeated_pool_lookup_downloads_no_body(azurite, tmp_path, clock, fixtures) -> None:
    store = blob_store(azurite, tmp_path / "data", clock)
    store.import_paths([fixtures / "users.admin-center.csv", fixtures / "getPstnCalls.array.json"], TENANT)
    counted = store.objects
    assert isinstance(counted, CountingObjects) and isinstance(counted.inner, AzureBlobObjects)
    counts = counted.counts
    first = store.pools(TENANT, "2025-06", AS_OF)
    before = dict(counts)
    for _ in range(5):
        assert store.pools(TENANT, "2025-06", AS_OF) == first
    assert counts["get"] - before["get"] == 5  # one conditional GET per lookup
    assert counts["not_modified"] - before.get("not_modified", 0) == 5
    assert counts["get_body"] == before["get_body"]  # and never a body
    # Another replica commits: the next lookup downloads the new summary, once.
    other = blob_store(azurite, tmp_path / "other", clock, container=counted.inner.container.container_name)
    other.import_paths([write_pstn_csv(tmp_path / "PSTN.calls.more.csv", 3)], TENANT)
    body_before = counts["get_body"]
    changed = store.pools(TENANT, "2025-06", AS_OF)
    assert changed != first and counts["get_body"] == body_before + 1
    assert store.pools(TENANT, "2025-06", AS_OF) == changed and counts["get_body"] == body_before + 1
