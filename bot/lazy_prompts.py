"""Load botbuilder-dialogs' recognizer prompts on first use, not at start (botbuilder 4.17.1 only).

WHY: ``import botbuilder.dialogs`` runs ``botbuilder/dialogs/__init__.py``, whose
``from .prompts import *`` and ``from .choices import *`` import ``ChoicePrompt``,
``ConfirmPrompt``, ``DateTimePrompt``, ``NumberPrompt``, ``PromptCultureModels`` and
``ChoiceRecognizers``. Those import Microsoft.Recognizers.Text (``recognizers_text``,
``recognizers_number``, ``recognizers_date_time``, ``recognizers_choice``), which compile hundreds
of regular expressions for a dozen languages at import: about a third of the SDK's import time
and ~0.1-0.15 s of every start. Our dialogs use none of them: every question is an
``AnswerPrompt`` (a subclass of the base ``Prompt``, ``dialogs/prompts.py``) that reads clicks and
typed text with our own entity extraction. A turn never calls a recognizer.

WHAT: :func:`install` puts one finder on ``sys.meta_path`` for three SDK packages:

* ``botbuilder.dialogs.prompts`` and ``botbuilder.dialogs.choices``: their own ``__init__.py`` is
  executed as shipped except for the ``from .<module> import ...`` lines of :data:`LAZY_MODULES`;
  the names those lines bound are served by a module ``__getattr__`` (PEP 562) that imports the
  SDK module the first time the name is asked for (``from botbuilder.dialogs import
  DateTimePrompt`` still works and gives the SDK's own class). Their ``__all__`` leaves the lazy
  names out, so the parent's ``from .prompts import *`` does not pull them in;
* ``botbuilder.dialogs``: executed as shipped, then given the same ``__getattr__`` for the lazy
  names its ``__all__`` re-exports.

Every class stays the SDK's own, from the SDK's own module: only *when* six modules load changes.

GUARD: the three ``__init__.py`` files are compared with the SHA-256 of botbuilder-dialogs
4.17.1's (:data:`SDK_INIT_SHA256`, the final release: https://github.com/microsoft/botbuilder-python,
``libraries/botbuilder-dialogs/botbuilder/dialogs/{,prompts/,choices/}__init__.py`` at tag
4.17.1). Any other file (another release, a local edit) is loaded as shipped, untouched, and
:func:`install` logs one line saying so. The finder must be installed before anything imports
``botbuilder.dialogs``: the serve and dev commands call :func:`install` first
(:func:`bot.commands.host.start_bot`); it is not a side effect of importing anything.
``tests/bot/test_lazy_prompts.py`` checks the classes, the guard, and that a served turn never
loads a recognizer.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from importlib.abc import Loader, MetaPathFinder
from importlib.machinery import ModuleSpec, PathFinder
from pathlib import Path
from types import ModuleType
from typing import Any

log = logging.getLogger(__name__)

#: The SDK modules loaded on first use, per package: each imports Recognizers-Text at its top.
LAZY_MODULES: dict[str, frozenset[str]] = {
    "botbuilder.dialogs.prompts": frozenset(
        {"choice_prompt", "confirm_prompt", "datetime_prompt", "number_prompt", "prompt_culture_models"}
    ),
    "botbuilder.dialogs.choices": frozenset({"choice_recognizers"}),
}
#: The package that re-exports the lazy names of its two sub-packages.
PARENT = "botbuilder.dialogs"

#: SHA-256 of the three ``__init__.py`` files of botbuilder-dialogs 4.17.1.
SDK_INIT_SHA256: dict[str, str] = {
    "botbuilder.dialogs": "334d02ae81d506d8d1937b0ecf6e673fe7646998981a5c0cf1995beda6e0d10f",
    "botbuilder.dialogs.prompts": "9d1452574ce757c85b9579a2e8af1c9f0da33d4ddd99539b49d4d2d5889d552e",
    "botbuilder.dialogs.choices": "f696bc018845c5935c225297191214bada3ccf3f10d97fed65d655962676e5dc",
}
#: The recognizer packages a served turn must not load (what this module is for).
RECOGNIZER_PACKAGES = ("recognizers_text", "recognizers_number", "recognizers_date_time", "recognizers_choice")


def _lazy_getattr(module_name: str, lazy: dict[str, str]) -> Callable[[str], Any]:
    """A PEP 562 ``__getattr__``: ``name`` -> import its SDK module (once) and return its value."""

    def __getattr__(name: str) -> Any:
        target = lazy.get(name)
        if target is None:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(target), name)
        setattr(sys.modules[module_name], name, value)  # later lookups are plain attributes
        return value

    return __getattr__


def _split_init(source: str, package: str, lazy_modules: frozenset[str]) -> tuple[ast.Module, dict[str, str]]:
    """The package's ``__init__`` without the imports of ``lazy_modules``, and the names they bound
    (name -> the module that defines it)."""
    tree = ast.parse(source)
    lazy: dict[str, str] = {}
    kept: list[ast.stmt] = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module in lazy_modules:
            for alias in node.names:
                lazy[alias.asname or alias.name] = f"{package}.{node.module}"
            continue
        kept.append(node)
    tree.body = kept
    return tree, lazy


class _LazyPackageLoader(Loader):
    """Executes a guarded SDK package ``__init__`` with some of its imports made lazy."""

    def __init__(self, shipped: Loader, source: str, origin: str) -> None:
        self.shipped = shipped
        self.source = source
        self.origin = origin

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return None  # the default module object

    def exec_module(self, module: ModuleType) -> None:
        name = module.__name__
        if name == PARENT:
            self.shipped.exec_module(module)
            # What its ``from .prompts import *`` / ``from .choices import *`` would have bound.
            lazy = {
                attr: target
                for package in LAZY_MODULES
                for attr, target in getattr(sys.modules.get(package), "__lazy_exports__", {}).items()
            }
        else:
            tree, lazy = _split_init(self.source, name, LAZY_MODULES[name])
            exec(compile(tree, self.origin, "exec"), module.__dict__)
            shipped_all: list[str] = list(getattr(module, "__all__", ()))
            setattr(module, "__all__", [attr for attr in shipped_all if attr not in lazy])  # noqa: B010
            setattr(module, "__lazy_exports__", {attr: lazy[attr] for attr in shipped_all if attr in lazy})  # noqa: B010
        setattr(module, "__getattr__", _lazy_getattr(name, lazy))  # noqa: B010  (PEP 562)


class LazyPromptsFinder(MetaPathFinder):
    """Finds the three SDK packages as usual, then swaps in :class:`_LazyPackageLoader` when
    their ``__init__.py`` is the guarded 4.17.1 file; anything else is left to the usual finders."""

    def __init__(self) -> None:
        self.refused: list[str] = []

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname not in SDK_INIT_SHA256:
            return None
        spec = PathFinder.find_spec(fullname, path)
        if spec is None or spec.origin is None or spec.loader is None:
            return None
        try:
            data = Path(spec.origin).read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != SDK_INIT_SHA256[fullname]:
            self.refused.append(fullname)
            log.warning("%s is not botbuilder-dialogs 4.17.1's: its recognizer prompts load at start", spec.origin)
            return None
        spec.loader = _LazyPackageLoader(spec.loader, data.decode("utf-8"), spec.origin)
        return spec


def installed() -> LazyPromptsFinder | None:
    return next((f for f in sys.meta_path if isinstance(f, LazyPromptsFinder)), None)


def install() -> bool:
    """Put the finder first on ``sys.meta_path`` (once). False when ``botbuilder.dialogs`` is
    already imported: then it loaded as shipped, and nothing changes."""
    if PARENT in sys.modules:
        log.debug("botbuilder.dialogs is already imported: its prompts were loaded as shipped")
        return False
    if installed() is None:
        sys.meta_path.insert(0, LazyPromptsFinder())
    return True


def uninstall() -> None:
    """Remove the finder (already-imported modules keep what they have)."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, LazyPromptsFinder)]
