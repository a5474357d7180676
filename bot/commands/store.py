"""``callplan import``, ``pools``, ``users`` and ``demo``: the calling-plan store from a shell.

Every command takes ``--data-dir`` (default: the ``DATA_DIR`` setting, i.e. the environment or
``.env``, else ``./data``), the same folder the bot reads, so an import is visible to a running
bot at its next lookup. ``--tenant`` may be left out when the store holds one tenant (or none:
then the demo tenant id is used). Exit codes: 0 done, 1 imported with rejected rows or a failed
file (the summary says which), 2 a usage mistake (nothing was imported).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bot.commands import CommandError
from bot.commands.common import add_command, add_data_dir, cli_settings
from knowledge.clock import month_of
from knowledge.importers.summary import REJECTION_REASONS, FileImport, ImportSummary
from knowledge.provenance import DataProvenance
from knowledge.store import DEFAULT_TENANT_ID, ImportFileError, Store, StoreError

FORMATS_HELP = """\
formats (recognized by content, not by file name):
  Teams admin center PSTN usage export: PSTN.calls.*.csv, or the Calls.Export.*.zip holding it
  Microsoft Graph getPstnCalls: a response page, a plain JSON array of rows, or a folder of pages
  user roster: the Microsoft 365 admin center Active users export, or a CSV with the columns
    upn,usage_location,licenses   (licences as SKU part numbers joined by '+')
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``import``, ``pools``, ``users`` and ``demo``."""
    importer = add_command(
        subparsers,
        "import",
        import_command,
        description=(
            "Import exports into the calling-plan store. Files, zips and folders are accepted "
            "and recognized by their content. Importing the same file again adds nothing; a "
            "bad row is reported with its line number while the good rows are imported."
        ),
        epilog=FORMATS_HELP,
    )
    importer.add_argument(
        "paths", nargs="+", metavar="PATH", type=Path, help="an export file, a Calls.Export zip, or a folder of exports"
    )
    _add_common(importer, tenant=True)

    pools = add_command(
        subparsers,
        "pools",
        pools_command,
        description=(
            "Show each minute pool (usage location x plan x line) for a month: its size, the "
            "minutes used, what is left and, at the month's pace so far, the day it runs out "
            "(for a pool already exhausted: the day its use crossed the total), with the data "
            "the figures rest on (kinds of export imported, newest call, last import)."
        ),
    )
    _add_common(pools, tenant=True)
    pools.add_argument("--month", metavar="YYYY-MM", help="the calendar month (UTC); default: the current month")
    pools.add_argument(
        "--json", action="store_true", help='print JSON instead of a table: {"tenant", "month", "data", "pools": [...]}'
    )

    users = add_command(
        subparsers,
        "users",
        users_command,
        description="List the users imported from rosters, with usage location and licences.",
    )
    _add_common(users, tenant=True)
    users.add_argument("--json", action="store_true", help="print a JSON list instead of a table")

    demo = add_command(
        subparsers,
        "demo",
        demo_command,
        description=(
            "Write a realistic demo tenant (users in France, the UK, Germany and the US; last "
            "month's calls and this month's up to now) as the files Microsoft's tools export, "
            "under DATA_DIR/demo/, then import them like any export. Running it again adds only "
            "the calls made since. CALLPLAN_NOW=2027-01-01T08:00:00Z writes it as of that moment."
        ),
    )
    _add_common(demo, tenant=False)


# --- handlers -----------------------------------------------------------------------------------


def _user_errors(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Store problems (bad tenant id, unknown format, damaged or read-only store) are one line."""

    @functools.wraps(handler)
    def wrapper(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except (ImportFileError, StoreError) as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            raise CommandError(f"{exc.strerror or exc}{where}") from None

    return wrapper


@_user_errors
def import_command(args: argparse.Namespace) -> int:
    store = _store(args)
    summary = store.import_paths(args.paths, tenant_id=args.tenant, progress=True, on_wait=_say_waiting)
    _print_summary(summary)
    return 0 if summary.ok else 1


@_user_errors
def pools_command(args: argparse.Namespace) -> int:
    store = _store(args)
    tenant = _tenant(store, args.tenant)
    balances = store.pools(tenant, args.month)
    month = args.month or month_of(store.clock())
    data = store.provenance(tenant)
    if args.json:
        document = {
            "tenant": tenant,
            "month": month,
            "data": data.model_dump(mode="json"),
            "pools": [b.model_dump(mode="json") for b in balances],
        }
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return 0
    if not balances:
        print(
            f"No minute pools for {tenant} in {month}: import a user roster with Calling Plan "
            "licences (callplan import)."
        )
        return 0
    print(f"Minute pools of {tenant}, {month}")
    print(_data_line(data))
    later = next((b.roster_month for b in balances if b.roster_is_later), None)
    if later:
        print(f"Pool sizes come from the user list imported in {later}: licences may have changed since.")
    rows = [
        (
            b.country,
            b.plan,
            b.line,
            str(b.users),
            f"{b.total_minutes:,}",
            f"{b.used_minutes:,}",
            f"{b.remaining_minutes:,}",
            f"{b.percent_used:.1f}%",
            _run_out(b),
        )
        for b in balances
    ]
    _table(
        ("Country", "Plan", "Line", "Users", "Total min", "Used", "Left", "Used %", "Runs out"),
        rows,
        right={3, 4, 5, 6, 7},
    )
    return 0


_KIND_NAMES = {"pstn_csv": "Teams admin center PSTN export", "graph": "Graph getPstnCalls", "roster": "user roster"}


def _data_line(data: DataProvenance) -> str:
    """What the figures rest on, in one line (the cards say the same, see dialogs.provenance)."""
    kinds = ", ".join(_KIND_NAMES[kind] for kind in data.source_kinds) or "sources not recorded"
    parts = [f"Data: {kinds}"]
    if data.newest_call:
        parts.append(f"newest call {data.newest_call:%Y-%m-%d %H:%M} UTC")
    if data.last_import:
        parts.append(f"last import {data.last_import:%Y-%m-%d %H:%M} UTC")
    if data.demo:
        parts.append("demo data")
    return "; ".join(parts)


def _run_out(balance: Any) -> str:
    """The "Runs out" cell: the forecast day, or the day an exhausted pool crossed its total."""
    if balance.exhausted:
        return f"ran out {balance.runs_out_on.isoformat()}" if balance.runs_out_on else "exhausted"
    return balance.runs_out_on.isoformat() if balance.runs_out_on else "-"


@_user_errors
def users_command(args: argparse.Namespace) -> int:
    store = _store(args)
    tenant = _tenant(store, args.tenant)
    users = store.users(tenant)
    if args.json:
        print(json.dumps([u.model_dump(mode="json") for u in users], indent=2, ensure_ascii=False))
        return 0
    if not users:
        print(f"No users for {tenant}: import a user roster (callplan import).")
        return 0
    print(f"Users of {tenant} ({len(users)})")
    _table(
        ("UPN", "Display name", "Location", "Licences"),
        [(u.upn, u.display_name, u.usage_location or "-", " ".join(u.licenses) or "-") for u in users],
    )
    return 0


@_user_errors
def demo_command(args: argparse.Namespace) -> int:
    from knowledge.store.demo import load_demo

    store = _store(args)
    summary = load_demo(store)
    print(f"Demo files written to {store.layout.data_dir / 'demo'}")
    _print_summary(summary)
    print(f"Try: callplan pools --tenant {DEFAULT_TENANT_ID} --data-dir {store.layout.data_dir}")
    return 0 if summary.ok else 1


# --- helpers ------------------------------------------------------------------------------------


def _add_common(parser: argparse.ArgumentParser, tenant: bool) -> None:
    add_data_dir(parser)
    if tenant:
        parser.add_argument(
            "--tenant",
            metavar="ID",
            help="tenant id (a GUID or domain); may be left out when the store "
            f"holds one tenant (an empty store uses {DEFAULT_TENANT_ID})",
        )


def _store(args: argparse.Namespace) -> Store:
    """The store of ``--data-dir`` (else ``DATA_DIR``), on the settings' clock (``CALLPLAN_NOW``)."""
    settings = cli_settings()
    data_dir = args.data_dir if args.data_dir is not None else settings.DATA_DIR
    if Path(data_dir).exists() and not Path(data_dir).is_dir():
        raise CommandError(f"--data-dir {data_dir} is not a folder")
    from bot.usage_store import open_usage_store

    return open_usage_store(settings, data_dir)


def _tenant(store: Store, tenant_id: str | None) -> str:
    tenant = store.resolve_tenant(tenant_id)
    if tenant not in store.tenants():
        if store.is_empty():
            raise CommandError(
                f"the store in {store.layout.data_dir} is empty: run `callplan import PATH...` or `callplan demo` first"
            )
        raise CommandError(f"no data for tenant {tenant}; the store holds: {', '.join(store.tenants())}")
    return tenant


def _say_waiting(tenant: str) -> None:
    print(f"waiting for another import of {tenant}...", file=sys.stderr, flush=True)


def _print_summary(summary: ImportSummary) -> None:
    print(f"Tenant {summary.tenant_id}")
    for item in summary.files:
        print(f"  {item.path}")
        print(f"    {_outcome(item)}")
        for error in item.errors:
            where = "row" if item.kind == "graph" else "line"
            print(f"    {where} {error.line}: {error.reason}")
        if item.rejected > len(item.errors):
            print(f"    ... and {item.rejected - len(item.errors)} more rejected rows")
        if item.warnings:
            names = ", ".join(f"{sku} ({count})" for sku, count in item.unknown_licences.items())
            print(
                f"    warning: {item.warnings} users kept with licences the catalog does not know, "
                f"never counted as Calling Plans: {names}"
            )
    print(
        f"Total: {summary.rows_read} rows read, {summary.imported} imported, "
        f"{summary.duplicates} duplicates, {summary.rejected} rejected."
    )
    if summary.rejected:
        reasons = sorted(summary.rejected_by.items(), key=lambda item: (-item[1], item[0]))
        print(
            "Rejected by reason: "
            + "; ".join(f"{REJECTION_REASONS.get(code, code)}: {count}" for code, count in reasons)
        )


def _outcome(item: FileImport) -> str:
    if item.kind == "skipped":
        return item.note or "skipped"
    label = {"pstn_csv": "PSTN usage export", "graph": "Graph getPstnCalls", "roster": "user roster"}
    text = (
        f"{label.get(item.kind, item.kind)}: {item.rows_read} rows, {item.imported} imported, "
        f"{item.duplicates} duplicates, {item.rejected} rejected"
    )
    if item.error:
        text += f"\n    error: {item.error}"
    if item.note:
        text += f"\n    note: {item.note}"
    return text


def _table(
    headers: tuple[str, ...], rows: Sequence[tuple[object, ...]], right: frozenset[int] | set[int] = frozenset()
) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: tuple[object, ...]) -> str:
        return "  ".join(
            str(c).rjust(w) if i in right else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    print(line(headers))
    for row in rows:
        print(line(row))
