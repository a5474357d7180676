"""The ``callplan`` command line.

Each area of the product registers its subcommands from a module in ``bot.commands``:
``serve``/``dev`` (the host), ``check``/``advise`` (knowledge), ``import``/``pools``/
``users``/``demo`` (the store), ``sync`` (Microsoft Graph) and ``package`` (the Teams app package). A handler returns
the process exit code; :class:`CommandError` becomes a one-line message and exit code 2.

Only the module of the subcommand being run is imported: ``callplan check`` does not load
aiohttp, the bot host or the Graph client, and ``callplan --help`` lists every subcommand from
:data:`COMMANDS` without importing any of them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from bot.commands import CommandError

#: Each subcommand: the ``bot.commands`` module that registers and runs it, and its one-line
#: summary in ``callplan --help`` (the module's ``register`` adds the full parser).
COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("host", "run the bot: POST /api/messages for Teams, GET /healthz"),
    "dev": ("host", "run the bot and the Microsoft 365 Agents Playground (what `make run` does)"),
    "check": ("knowledge", "can a user call this number?"),
    "advise": ("knowledge", "which Calling Plan to buy, the steps and the resulting pools"),
    "import": ("store", "import PSTN usage exports, Graph getPstnCalls pages and user rosters"),
    "pools": ("store", "show the minute pools of a month: total, used, left, when they run out"),
    "users": ("store", "list a tenant's users with their usage location and licences"),
    "demo": ("store", "write a demo tenant as real export files and import it"),
    "sync": ("sync", "read users, licences and PSTN calls from Microsoft Graph (app-only)"),
    "package": ("package", "build the Teams app package (zip) to upload in Teams"),
}


def _chosen(argv: Sequence[str]) -> str | None:
    """The subcommand named on the command line (the first argument that is not an option)."""
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    return first if first in COMMANDS else None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for ``argv``: the module of the chosen subcommand registers its full parsers;
    the other subcommands are summaries only (enough for ``callplan --help`` and "invalid
    choice" errors). ``argv=None`` builds every subcommand in full."""
    parser = argparse.ArgumentParser(
        prog="callplan",
        description=(
            "Calling Plan Assistant: a Microsoft Teams bot for Microsoft 365 Calling Plans, "
            "and the tools around it (advice, number checks, minute pools, imports, packaging)."
        ),
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    if argv is None:
        modules = {module for module, _ in COMMANDS.values()}
    else:
        chosen = _chosen(argv)
        modules = {COMMANDS[chosen][0]} if chosen else set()
    for name, (module, summary) in COMMANDS.items():
        if module not in modules:
            subparsers.add_parser(name, help=summary)
    for module in sorted(modules):
        importlib.import_module(f"bot.commands.{module}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CommandError as exc:
        print(f"callplan {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
