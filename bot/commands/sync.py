"""``callplan sync``: read users, licences and PSTN calls from Microsoft Graph into the store.

Exit codes: 0 every tenant synced, 1 a tenant failed or rows were rejected (the summary lines
say which), 2 a usage mistake (no tenant, a missing GRAPH_* setting).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime

from bot.commands import CommandError
from bot.commands.common import add_command, add_data_dir, cli_settings
from bot.sync_lock import kept


def register(subparsers: argparse._SubParsersAction) -> None:
    sync = add_command(
        subparsers,
        "sync",
        sync_command,
        description=(
            "Read a tenant's users and licences (/users, /subscribedSkus) and its PSTN calls "
            "(getPstnCalls, in windows of at most 90 days) from Microsoft Graph into the store. "
            "Incremental: each sync starts two days before the end of the previous one; calls "
            "already stored (from a sync or a file import) are counted once. Settings: "
            "GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET (or GRAPH_CERTIFICATE_PATH and "
            "GRAPH_CERTIFICATE_THUMBPRINT), GRAPH_AUTHORITY, GRAPH_ENDPOINT, GRAPH_CA_BUNDLE."
        ),
    )
    sync.add_argument(
        "--tenant",
        action="append",
        metavar="TENANT_ID",
        help="an Entra tenant id (repeatable; default: the SYNC_TENANTS setting)",
    )
    sync.add_argument(
        "--since", metavar="YYYY-MM-DD", help="read calls from this day (UTC) instead of where the last sync ended"
    )
    sync.add_argument("--json", action="store_true", help="print the results as JSON")
    add_data_dir(sync)


#: How long ``callplan sync`` waits for a sync already running (the bot's scheduler).
LOCK_WAIT_SECONDS = 300.0


def sync_command(args: argparse.Namespace) -> int:
    # The Graph client (msal, requests) is loaded by this command only: the others start without it.
    from bot.graph import SyncNotConfigured, sync_all
    from bot.usage_store import scheduler_lock, uses_blob
    from knowledge.graph.sync import results_json

    overrides = {"DATA_DIR": args.data_dir} if args.data_dir else {}
    settings = cli_settings(**overrides)
    tenants = [t.strip().lower() for t in (args.tenant or []) if t.strip()] or sorted(settings.SYNC_TENANTS)
    if not tenants:
        raise CommandError("no tenant: give --tenant <tenant id> or set SYNC_TENANTS")
    since = None
    if args.since:
        try:
            since = datetime.strptime(args.since, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise CommandError(f"--since {args.since!r}: expected YYYY-MM-DD") from None

    def progress(tenant: str, message: str) -> None:
        print(f"  {tenant}: {message}", file=sys.stderr, flush=True)

    # The bot's scheduler's own lock: DATA_DIR/sync.lock locally; with STORE_BACKEND=azure-blob
    # the shared container's lease, which every replica's scheduler takes (a local file would
    # not keep a replica on another machine from syncing at the same time).
    lock = scheduler_lock(settings)
    held_by = (
        f"the scheduler lease of container {settings.STORE_CONTAINER}"
        if uses_blob(settings)
        else str(getattr(lock, "path", "the sync lock"))
    )
    waited = 0.0
    while not lock.try_acquire():
        unavailable = getattr(lock, "unavailable", None)
        if unavailable:  # no one holds it: the storage did not answer (waiting would not help)
            raise CommandError(f"cannot take {held_by}: the storage did not answer ({unavailable}); check it and retry")
        if not waited:
            print(
                "waiting for the sync in progress (the bot's, or another callplan sync)...", file=sys.stderr, flush=True
            )
        if waited >= LOCK_WAIT_SECONDS:
            raise CommandError(f"another sync still holds {held_by} after {waited:.0f} s; try again later")
        time.sleep(0.5)
        waited += 0.5
    try:
        with kept(lock):  # a lease expires: renewed while a long sync runs
            results = sync_all(settings, tenants, settings.clock, since=since, progress=progress)
    except SyncNotConfigured as exc:
        raise CommandError(str(exc)) from None
    finally:
        lock.release()
    if args.json:
        print(results_json(results))
    for result in results:
        print(result.line(), file=sys.stderr if args.json else sys.stdout)
        for error in result.errors[:10]:
            print(f"    row {error.line}: {error.reason}", file=sys.stderr if args.json else sys.stdout)
    return 0 if all(r.ok for r in results) else 1
