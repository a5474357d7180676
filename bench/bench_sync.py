"""Graph sync benchmark: 100k calls read from a loopback fake Graph into the store, in rows/s,
against a file import of the same rows (the same pages saved as getPstnCalls JSON files).

* ``sync_rows_per_s``: :func:`knowledge.graph.sync.sync_tenant` (msal token, TLS, 1000-row
  pages following ``@odata.nextLink``, the Graph importer, batched commits) into an empty store.
  Baseline: ``Store.import_paths`` of the folder of the same pages into another empty store.
  The ratio is the sync's share of the file import's rate (1.0 = as fast).
* ``fetch_rows_per_s``: the client alone (pages fetched and parsed, nothing stored), against
  the same baseline: how much of the sync's time is the network side.

The fake Graph (``tests/support/testkit/fake_graph.py``) runs in this process on its own
thread, so its JSON encoding competes with the client for the GIL: the sync figure is a floor.
Run: ``python -m bench.bench_sync`` (``--quick`` for 20k rows).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bench.common import main, result
from knowledge.graph.client import GraphClient, GraphConfig
from knowledge.graph.sync import sync_tenant
from knowledge.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "support"))
from testkit.fake_graph import SKU_DOMESTIC, FakeGraph, FakeTenant, graph_user, pstn_row

TENANT = "0f6b1a2c-3d4e-4f50-8a1b-2c3d4e5f6a7b"
SINCE = datetime(2026, 11, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
PAGE = 1000


def make_rows(count: int) -> list[dict[str, Any]]:
    step = (NOW - SINCE - timedelta(hours=1)) / count
    users = [f"user{n}@contoso.com" for n in range(500)]
    return [
        pstn_row(
            n,
            SINCE + step * n,
            upn=users[n % len(users)],
            duration=30 + n % 600,
            call_type="user_in" if n % 4 == 0 else "user_out",
        )
        for n in range(count)
    ]


def run(quick: bool = False) -> list[dict[str, Any]]:
    count = 20_000 if quick else 100_000
    rows = make_rows(count)
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        work = Path(tmp)
        pages = work / "pages"
        pages.mkdir()
        for n in range(0, count, PAGE):
            (pages / f"page-{n // PAGE:04d}.json").write_text(
                json.dumps(
                    {
                        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(microsoft.graph.callRecords.pstnCallLogRow)",
                        "value": rows[n : n + PAGE],
                    }
                )
            )
        started = time.perf_counter()
        summary = Store(work / "file").import_paths([pages], TENANT)
        file_seconds = time.perf_counter() - started
        assert summary.imported == count, summary.imported
        file_rate = count / file_seconds

        fake = FakeGraph(work, page_size=PAGE).start()
        try:
            fake.tenants[TENANT] = FakeTenant(
                users=[graph_user(f"user{n}@contoso.com", n=n) for n in range(500)], skus=[SKU_DOMESTIC], calls=rows
            )
            config = GraphConfig(
                client_id="bench",
                client_secret=SecretStr("s3cret"),
                authority=fake.authority,
                endpoint=fake.endpoint,
                ca_bundle=fake.ca_file,
                bundle_dir=work,
            )
            client = GraphClient(config, TENANT)
            started = time.perf_counter()
            fetched = sum(len(page["value"]) for page in client.pstn_call_pages(SINCE, NOW))
            fetch_rate = fetched / (time.perf_counter() - started)

            started = time.perf_counter()
            synced = sync_tenant(work / "sync", GraphClient(config, TENANT), lambda: NOW, since=SINCE, users=False)
            sync_seconds = time.perf_counter() - started
        finally:
            fake.close()
        assert synced.error is None and synced.new == count, synced.line()
        sync_rate = count / sync_seconds
    note = f"{count:,} calls, {count // PAGE} pages of {PAGE}; baseline: file import of the same pages"
    return [
        result("sync", "sync_rows_per_s", sync_rate, "rows/s", file_rate, note),
        result("sync", "fetch_rows_per_s", fetch_rate, "rows/s", file_rate, "client only: token, TLS, paging, JSON"),
        result("sync", "file_import_rows_per_s", file_rate, "rows/s", None, "Store.import_paths of the saved pages"),
    ]


if __name__ == "__main__":
    sys.exit(main(run, description=__doc__.splitlines()[0]))
