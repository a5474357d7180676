"""Subcommands of ``callplan``: one module per area, each with ``register(subparsers)``."""


class CommandError(Exception):
    """A user mistake: printed as one line on stderr (``callplan CMD: message``), exit code 2."""
