"""bot.lazy_prompts: botbuilder-dialogs without its recognizer prompts at import, the same classes later.

The import cases run in a fresh interpreter: this process imported botbuilder.dialogs long ago.
That a served turn loads no recognizer is tests/bot/test_serve_start.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.machinery import PathFinder

import pytest

from bot import lazy_prompts

SHIPPED_NAMES = (
    "ChoicePrompt",
    "ConfirmPrompt",
    "DateTimePrompt",
    "NumberPrompt",
    "PromptCultureModels",
    "ChoiceRecognizers",
)


def _fresh(code: str) -> dict:
    """Run ``code`` after lazy_prompts.install() in a new interpreter; it prints one JSON object."""
    prologue = "import json, sys\nfrom bot import lazy_prompts\nassert lazy_prompts.install()\n"
    run = subprocess.run(
        [sys.executable, "-c", prologue + code], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout)


def _recognizers() -> str:
    return f"sorted(m for m in sys.modules if m.split('.')[0] in {lazy_prompts.RECOGNIZER_PACKAGES!r})"


def test_importing_the_sdk_dialogs_loads_no_recognizer_and_what_our_dialogs_use_is_there():
    found = _fresh(
        "import botbuilder.dialogs\n"
        "from botbuilder.dialogs import ComponentDialog, DialogExtensions, PromptOptions, WaterfallDialog\n"
        "from botbuilder.dialogs.prompts import Prompt, PromptRecognizerResult, TextPrompt\n"
        "from botbuilder.dialogs.choices import Choice, ChoiceFactory, ListStyle\n"
        "import dialogs.api\n"
        f"print(json.dumps({{'recognizers': {_recognizers()}}}))\n"
    )
    assert found == {"recognizers": []}


def test_the_lazy_names_are_the_sdks_own_classes_once_asked_for():
    found = _fresh(
        "import importlib\n"
        "import botbuilder.dialogs as d, botbuilder.dialogs.prompts as p, botbuilder.dialogs.choices as c\n"
        "before = " + _recognizers() + "\n"
        "from botbuilder.dialogs import ChoicePrompt, ConfirmPrompt, DateTimePrompt, NumberPrompt\n"
        "from botbuilder.dialogs.prompts import PromptCultureModels\n"
        "from botbuilder.dialogs.choices import ChoiceRecognizers\n"
        "got = dict(ChoicePrompt=ChoicePrompt, ConfirmPrompt=ConfirmPrompt, DateTimePrompt=DateTimePrompt,\n"
        "           NumberPrompt=NumberPrompt, PromptCultureModels=PromptCultureModels,\n"
        "           ChoiceRecognizers=ChoiceRecognizers)\n"
        "same = {name: value is getattr(importlib.import_module(value.__module__), name) and\n"
        "        value.__module__.startswith('botbuilder.dialogs.') for name, value in got.items()}\n"
        "star = {}\n"
        "exec('from botbuilder.dialogs import *', star)\n"
        "print(json.dumps({'before': before, 'same': same, 'after': bool(" + _recognizers() + "),\n"
        "  'parent': d.ChoicePrompt is ChoicePrompt and p.ConfirmPrompt is ConfirmPrompt,\n"
        "  'choice': ChoiceRecognizers.recognize_choices('2', ['a', 'b'])[0].resolution.value,\n"
        "  'english': PromptCultureModels.English.locale, 'star': sorted(n for n in d.__all__ if n not in star)}))\n"
    )
    assert found["before"] == []
    assert found["same"] == dict.fromkeys(SHIPPED_NAMES, True)
    assert found["after"] is True  # now they are loaded: on first use
    assert found["parent"] is True
    assert found["choice"] == "b"  # the SDK's recognizer, working
    assert found["english"] == "en-us"
    assert found["star"] == []  # `from botbuilder.dialogs import *` still binds all of __all__


def test_another_sdk_file_is_loaded_as_shipped(monkeypatch):
    finder = lazy_prompts.LazyPromptsFinder()
    import botbuilder.dialogs

    path = botbuilder.dialogs.__path__
    spec = finder.find_spec("botbuilder.dialogs.prompts", path)
    assert spec is not None and isinstance(spec.loader, lazy_prompts._LazyPackageLoader)  # 4.17.1: guarded

    monkeypatch.setitem(lazy_prompts.SDK_INIT_SHA256, "botbuilder.dialogs.prompts", "0" * 64)  # "another release"
    assert finder.find_spec("botbuilder.dialogs.prompts", path) is None  # left to the usual finders
    assert finder.refused == ["botbuilder.dialogs.prompts"]
    assert finder.find_spec("botbuilder.core", None) is None  # only the three packages
    assert PathFinder.find_spec("botbuilder.dialogs.prompts", path) is not None


def test_install_after_the_sdk_was_imported_changes_nothing():
    import botbuilder.dialogs  # noqa: F401  (this process has it: tests import the SDK)

    before = list(sys.meta_path)
    assert lazy_prompts.install() is False
    assert sys.meta_path == before
    assert lazy_prompts.installed() is None


@pytest.mark.parametrize("package", sorted(lazy_prompts.LAZY_MODULES))
def test_every_lazy_module_is_one_the_sdk_init_imports(package):
    """The table names real lines of the guarded __init__ (a typo would silently make nothing lazy)."""
    spec = PathFinder.find_spec(package, __import__("botbuilder.dialogs").dialogs.__path__)
    assert spec is not None and spec.origin is not None
    with open(spec.origin, encoding="utf-8") as handle:
        _tree, lazy = lazy_prompts._split_init(handle.read(), package, lazy_prompts.LAZY_MODULES[package])
    assert {target.rsplit(".", 1)[1] for target in lazy.values()} == lazy_prompts.LAZY_MODULES[package]
