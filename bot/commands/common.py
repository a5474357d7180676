"""What several ``callplan`` subcommands share: how they load the settings, name the data
folder and lay out their help.

One place for each, so ``callplan serve --data-dir X`` and ``callplan pools --data-dir X``
cannot come to mean different folders, and every bad setting reads the same one line.
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.commands import CommandError
from bot.config import Settings, SettingsError, load_settings

#: A subcommand handler: the parsed arguments in, the process exit code out.
Handler = Callable[[argparse.Namespace], int]


def wrap(text: str) -> str:
    """A help paragraph at the width the other help text uses."""
    return textwrap.fill(text, width=88)


def add_command(
    subparsers: argparse._SubParsersAction, name: str, handler: Handler, *, description: str, epilog: str | None = None
) -> argparse.ArgumentParser:
    """A subcommand whose ``--help`` shows ``description`` wrapped and ``epilog`` as written
    (its one-line summary is in :data:`bot.cli.COMMANDS`)."""
    parser = subparsers.add_parser(
        name, description=wrap(description), epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.set_defaults(func=handler)
    return parser


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    """``--data-dir``: the folder the bot and the store commands share (bot state, imports)."""
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="the data folder (overrides DATA_DIR; default: $DATA_DIR, else ./data)",
    )


def cli_settings(*, serving: bool = False, **overrides: Any) -> Settings:
    """The settings (environment, ``.env``, then ``overrides``); a bad one is a CommandError.

    Only ``serve``/``dev`` (``serving=True``) need the app credentials to pair up; the data
    commands read ``DATA_DIR`` and nothing else.
    """
    try:
        return load_settings(serving=serving, **overrides)
    except SettingsError as exc:
        raise CommandError(str(exc)) from None
