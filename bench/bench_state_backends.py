"""Bot state on Azure Blob (Azurite) against the local TinyDB files (issue 16).

* ``state backends: dialog turn``: the one-step dialog turn of ``bench_turn`` (real host,
  conversation state counted every turn, so every turn reads and saves its state) with
  ``STATE_BACKEND=azure-blob`` on a local Azurite, against the same turn with local state
  (baseline), each server in its own process, interleaved (:func:`bench.loadgen.interleave`),
  at 1 and 8 concurrent conversations. Real Azure in-region adds network time (tens of ms)
  that Azurite on loopback does not have.
* ``state backends: replicas``: turns/s of 3 replicas (three server processes sharing one
  container, conversations spread over them) against 1 replica (baseline), both on blob state,
  24 concurrent conversations. On this 2-core machine the three replicas, Azurite and the load
  generator share two cores, so this measures contention, not scale-out: more replicas pay
  off only with more cores or machines.
* ``state backends: storage call``: one state read plus conditional write of a ~2 KB dialog
  state through our ``BlobStateStorage`` against ``botbuilder.azure.BlobStorage`` (baseline),
  in one process on the same Azurite, alternating: why we use the async client directly.

Run: ``python -m bench.bench_state_backends`` (``--quick`` for shorter runs).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import main, median, result
from bench.loadgen import (
    ROOT,
    Case,
    Repeat,
    Script,
    Server,
    Slice,
    drive,
    interleave,
    load_average,
    summarize,
)

sys.path.insert(0, str(ROOT / "tests" / "support"))  # testkit.azurite: the pinned Azurite the tests use

TEXT = "how many minutes are left in the French pool this month?"
TURN = "state backends: dialog turn"
REPLICAS = "state backends: replicas"
CALL = "state backends: storage call"


def _repeat(prefix: str) -> Callable[[int], Script]:
    """Conversation ``i`` of a case: the same lookup every turn."""
    return lambda i: Repeat(f"{prefix}-{i}", TEXT)


def _blob_env(connection_string: str, container: str) -> dict[str, str]:
    return {
        "STATE_BACKEND": "azure-blob",
        "AZURE_STORAGE_CONNECTION_STRING": connection_string,
        "STATE_CONTAINER": container,
        "LOG_LEVEL": "ERROR",
    }


def bench_turn_backends(work: Path, connection_string: str, quick: bool) -> list[dict[str, Any]]:
    rounds, seconds, warmup = (2, 0.6, 0.2) if quick else (4, 1.0, 0.25)
    concurrency = (1, 8)
    load_before = load_average()
    servers = []
    try:
        servers.append(Server("onestep", work / "local" / "data"))
        servers.append(Server("onestep", work / "blob" / "data", env=_blob_env(connection_string, "bench-turn")))
        cases = [
            Case(name, server.url, _repeat(f"a:bench-{name}"))
            for name, server in zip(("local", "blob"), servers, strict=True)
        ]
        measured = interleave(cases, concurrency, rounds=rounds, seconds=seconds, warmup=warmup)
    finally:
        for server in servers:
            server.stop()
    load = f"{load_before} before, {load_average()} after"
    rows = []
    for c in concurrency:
        local, blob = measured["local", c], measured["blob", c]
        errors = f"; {blob.errors} failed requests" if blob.errors else ""
        note = (
            f"one-step dialog turn, blob state on Azurite vs local TinyDB state; {c} concurrent, "
            f"{blob.samples:,} turns{errors}; {load}"
        )
        rows += [
            result(TURN, f"blob_p50_ms_c{c}", blob.p50_ms, "ms", local.p50_ms, note),
            result(TURN, f"blob_p99_ms_c{c}", blob.p99_ms, "ms", local.p99_ms, note),
            result(TURN, f"blob_turns_per_s_c{c}", blob.turns_per_s, "turns/s", local.turns_per_s, note),
        ]
    return rows


def bench_replicas(work: Path, connection_string: str, quick: bool) -> list[dict[str, Any]]:
    rounds, seconds, warmup = (2, 1.0, 0.3) if quick else (4, 1.5, 0.3)
    conversations = 24
    load_before = load_average()
    servers: list[Server] = []
    try:
        for n in range(3):
            servers.append(
                Server("onestep", work / f"replica-{n}" / "data", env=_blob_env(connection_string, "bench-replicas"))
            )
        single: list[Slice] = []
        spread: list[Slice] = []
        counter = [0]
        for _ in range(rounds):
            scripts: list[Script] = [Repeat(f"a:bench-one-{i}", TEXT) for i in range(conversations)]
            single.append(asyncio.run(drive(servers[0].url, scripts, seconds, warmup, counter)))
            spread.append(asyncio.run(_drive_spread(servers, conversations, seconds, warmup, counter)))
    finally:
        for server in servers:
            server.stop()
    one, three = summarize(single), summarize(spread)
    note = (
        f"{conversations} concurrent conversations, blob state on one Azurite; 3 replicas (8 conversations "
        f"each) vs 1; 2 cores shared by the replicas, Azurite and the load generator; "
        f"{load_before} before, {load_average()} after"
    )
    return [
        result(REPLICAS, "three_replicas_turns_per_s", three.all_turns_per_s, "turns/s", one.all_turns_per_s, note),
        result(REPLICAS, "three_replicas_p99_ms", three.p99_ms, "ms", one.p99_ms, note),
    ]


async def _drive_spread(
    servers: list[Server], conversations: int, seconds: float, warmup: float, counter: list[int]
) -> Slice:
    per = conversations // len(servers)
    slices = await asyncio.gather(
        *(
            drive(server.url, [_repeat(f"a:bench-three-{n}")(i) for i in range(per)], seconds, warmup, counter)
            for n, server in enumerate(servers)
        )
    )
    merged = Slice(seconds=seconds)
    for part in slices:
        merged.latencies += part.latencies
        merged.turns += part.turns
        merged.errors += part.errors
    return merged


async def _storage_calls(connection_string: str, cycles: int) -> list[dict[str, Any]]:
    from botbuilder.azure import BlobStorage, BlobStorageSettings
    from botbuilder.dialogs import DialogState

    from bot.state.blob import BlobStateStorage

    ours = BlobStateStorage.from_connection_string(connection_string, "bench-ours")
    await ours.ensure_container()
    theirs = BlobStorage(BlobStorageSettings(container_name="bench-theirs", connection_string=connection_string))
    dialog = DialogState()
    dialog.dialog_stack.append(
        {
            "id": "purchase",
            "state": {"stepIndex": 3, "values": {"countries": ["FR", "DE"], "users": 40, "notes": "x" * 1500}},
        }
    )
    key = "msteams/conversations/a:bench-call/"

    async def cycle(storage: Any) -> float:
        start = time.perf_counter()
        state = (await storage.read([key])).get(key) or {"DialogState": dialog, "n": 0}
        state["n"] = state.get("n", 0) + 1
        await storage.write({key: state})
        return time.perf_counter() - start

    try:
        for storage in (ours, theirs):  # create the blob, warm the connections
            await cycle(storage)
        mine: list[float] = []
        sdk: list[float] = []
        for _ in range(cycles):
            mine.append(await cycle(ours))
            sdk.append(await cycle(theirs))
    finally:
        await ours.close()
        # BlobStorage has no close() (trap 5 of the notes): its container client shares a
        # service client's transport, which only closing that transport itself releases.
        transport = theirs._BlobStorage__container_client._pipeline._transport
        await getattr(transport, "_transport", transport).close()
    note = (
        f"read + conditional write of a ~2 KB dialog state, median of {cycles}, alternating, same Azurite; "
        "ours: one download + one upload with If-Match (If-None-Match: * when new), a failed read raises; "
        "botbuilder-azure BlobStorage: same calls, but a failed read returns empty state and a new key "
        "overwrites"
    )
    return [result(CALL, "blob_state_read_write_ms", 1000 * median(mine), "ms", 1000 * median(sdk), note)]


def run(quick: bool = False) -> list[dict[str, Any]]:
    from testkit.azurite import running_azurite

    with tempfile.TemporaryDirectory(prefix="bench-state-") as tmp:
        work = Path(tmp)
        with running_azurite(work / "azurite") as azurite:
            results = bench_turn_backends(work, azurite.connection_string, quick)
            results += bench_replicas(work, azurite.connection_string, quick)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                results += asyncio.run(_storage_calls(azurite.connection_string, 60 if quick else 200))
    return results


if __name__ == "__main__":
    sys.exit(main(run, description=__doc__.splitlines()[0]))
