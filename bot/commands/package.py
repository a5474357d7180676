"""`callplan package`: build the Teams app package an admin uploads ("Upload a custom app").

The build logic lives next to the manifest, in :mod:`manifest.packaging`; it is imported inside
the handler so that ``callplan serve`` never loads Pillow or jsonschema.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.commands import CommandError
from bot.commands.common import cli_settings

DESCRIPTION = """\
Build the Teams app package: fill manifest/manifest.json with the app id (MicrosoftAppId),
the project version and the developer details (DEVELOPER_NAME, DEVELOPER_WEBSITE_URL,
DEVELOPER_PRIVACY_URL, DEVELOPER_TERMS_URL), validate it offline against the official Teams
schema (installed by `make schemas`), check the icons, and write a zip with manifest.json,
color.png, outline.png and fr.json at its root. Upload the zip in Teams: Apps > Manage your
apps > Upload an app > Upload a custom app. Nothing is written if anything is invalid.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``package``."""
    parser = subparsers.add_parser(
        "package",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="PATH",
        default=None,
        help=(
            "where to write the zip (default: build/calling-plan-assistant.zip in the current folder; "
            "an existing folder gets calling-plan-assistant.zip inside it)"
        ),
    )
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    from manifest import packaging as teams_package  # jsonschema and Pillow: only for this command

    settings = cli_settings()
    try:
        path = teams_package.build_package(settings, args.out or teams_package.DEFAULT_OUT)
    except teams_package.PackageError as exc:
        raise CommandError(str(exc)) from exc
    print(f"wrote {path}")
    print("upload it in Teams: Apps > Manage your apps > Upload an app > Upload a custom app")
    return 0
