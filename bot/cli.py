"""The ``callplan`` command line.

Each area of the product registers its subcommands from a module in ``bot.commands``:
``serve``/``dev`` (the host), ``check``/``advise`` (knowledge), ``import``/``pools``/
``users``/``demo`` (the store), ``sync`` (Microsoft Graph) and ``package`` (the Teams app package). A handler returns
the process exit code; :class:`CommandError` becomes a one-line message and exit code 2.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.commands import CommandError, host, knowledge, package, store, sync

COMMAND_MODULES = (host, knowledge, store, sync, package)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="callplan",
        description=(
            "Calling Plan Assistant: a Microsoft Teams bot for Microsoft 365 Calling Plans, "
            "and the tools around it (advice, number checks, minute pools, imports, packaging)."
        ),
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
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
