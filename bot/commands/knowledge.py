"""`callplan` subcommands for this area (to be filled in)."""
from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add this area's subcommands."""
