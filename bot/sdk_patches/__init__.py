"""Process-wide patches of Bot Framework SDK 4.17.1 internals, applied explicitly at start-up.

Each patch is one small module here that names the SDK code it replaces (file, function,
version) and offers ``apply()`` / ``revert()`` / ``is_applied()``; each gives the same results
as the SDK, only sooner (``tests/bot/test_sdk_patches.py`` compares them with the SDK's own
code). Only patches that bought at least 10% on a real turn in ``bench/bench_patches.py``
(patch on vs off, same run, on ``expectReplies`` turns or on replies posted to the Bot
Connector) are here; see :data:`PATCHES` and ``bench/REPORT.md``.

Nothing imports this package as a side effect: the entry points call
:func:`apply_sdk_patches` (``callplan serve`` / ``callplan dev``, the benchmark servers), so
``bot.app.create_app`` runs the SDK as shipped unless its caller chose otherwise. The patches
reach into the SDK's internals, so they are applied only on the botbuilder version they were
written against (:data:`SDK_VERSION`); on any other version none is applied and one warning
line says so.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from types import ModuleType

log = logging.getLogger(__name__)

#: The botbuilder release every patch here was written against and checked with.
SDK_VERSION = "4.17.1"
#: The SDK distributions whose internals the patches touch, all pinned together.
SDK_DISTRIBUTIONS = ("botbuilder-core", "botbuilder-dialogs", "botbuilder-schema", "botframework-connector")

#: Every patch, by name (the module of this package that holds it). Measured with
#: ``bench/bench_patches.py`` (CPU per turn of the bot's process, every patch vs every patch but
#: one, same run, full run of 2026-12-02; gain = turns per CPU second):
#:
#: * ``state_hash``: on ``expectReplies`` turns +54% (purchase step), +30% (help), +15% (pool
#:   lookup), -6% (number check, noise); on the Bot Connector path +1% (pool) and -4% (check):
#:   the same ~0.5 ms saved is lost in the noise of turns that cost twice as much there. Kept
#:   (re-run after :mod:`bot.connector`: +21% purchase step, +11% number check).
#:
#: Dropped: ``msrest_object`` (msrest's serialization of ``object`` attributes for plain JSON),
#: +68% on the pool lookup via the Bot Connector while replies went through the SDK's connector
#: client; since :mod:`bot.connector` posts them without msrest, -7% / -1% / -1% / -17% on the
#: pool lookup, number check, purchase step and help card, -6% / -5% on the pool lookup and
#: number check via the Bot Connector (full run of 2026-12-02, after the change: noise). And,
#: each under 10% on every turn once
#: connector clients are reused (:mod:`bot.client_reuse`): the msrest retry-list frozenset
#: (clients are no longer built per turn), the Emulator-only state snapshot trace (2-9%),
#: the per-class plan for msrest model serialization (<= 8%) and the faster reply deep copy
#: (<= 10%, within the noise, negative on one turn).
PATCHES: tuple[str, ...] = ("state_hash",)


def _module(name: str) -> ModuleType:
    if name not in PATCHES:
        raise ValueError(f"unknown SDK patch {name!r} (one of {', '.join(PATCHES)})")
    return importlib.import_module(f"{__name__}.{name}")


def sdk_version_problem() -> str | None:
    """Why the patches must not be applied here (another SDK version), or None."""
    for distribution in SDK_DISTRIBUTIONS:
        try:
            found = version(distribution)
        except PackageNotFoundError:
            return f"{distribution} is not installed"
        if found != SDK_VERSION:
            return f"{distribution} is {found}, the patches were written for {SDK_VERSION}"
    return None


def apply_sdk_patches(names: Iterable[str] | None = None) -> list[str]:
    """Apply the named patches (default: all of them); returns the names now applied.

    On another SDK version nothing is applied and one warning line says why: the SDK then
    runs as shipped, slower but correct.
    """
    wanted = tuple(PATCHES if names is None else names)
    modules = [_module(name) for name in wanted]  # an unknown name fails before any patching
    problem = sdk_version_problem()
    if problem:
        log.warning("SDK speed patches not applied: %s", problem)
        return []
    for module in modules:
        module.apply()
    return list(wanted)


def revert_sdk_patches(names: Iterable[str] | None = None) -> None:
    """Put the SDK's own code back (tests run the conversation suite with and without)."""
    for name in PATCHES if names is None else names:
        _module(name).revert()


def applied_sdk_patches() -> list[str]:
    """The names of the patches in effect in this process."""
    return [name for name in PATCHES if _module(name).is_applied()]
