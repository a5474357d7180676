"""The layout's rules, checked on the source (every import statement) and at run time.

Imports flow one way, ``bot -> dialogs -> knowledge``; ``dialogs/nlu`` (understanding what was
typed) is SDK-free and uses nothing of ``dialogs`` outside itself.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SDK = ("botbuilder", "botframework", "aiohttp", "msrest")


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in one file, relative ones resolved."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            # ``from dialogs import cards`` imports dialogs.cards: name the submodule too
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def offenders(folder: str, bad) -> list[str]:
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for line, module in imports_of(path):
            if bad(module):
                found.append(f"{path.relative_to(ROOT)}:{line}: {module}")
    return found


def _within(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def test_imports_of_resolves_what_a_file_says():
    path = ROOT / "dialogs" / "nlu" / "slots.py"
    modules = {module for _, module in imports_of(path)}
    assert "dialogs.nlu.entities.extract_entities" in modules  # a real import of that file


def test_nlu_imports_no_sdk_and_nothing_of_dialogs_outside_nlu():
    def bad(module: str) -> bool:
        return _within(module, *SDK, "bot") or (_within(module, "dialogs") and not _within(module, "dialogs.nlu"))

    assert offenders("dialogs/nlu", bad) == []


def test_nlu_loads_without_the_sdk():
    """At run time too: nothing nlu imports (knowledge included) pulls the SDK in."""
    code = (
        "import sys\n"
        "import dialogs.nlu.answers, dialogs.nlu.entities, dialogs.nlu.i18n\n"
        "import dialogs.nlu.recognizer, dialogs.nlu.render, dialogs.nlu.slots\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:])))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, *SDK, "bot"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert run.stdout.strip() == "[]"


def test_knowledge_imports_no_sdk_and_nothing_above_it():
    assert offenders("knowledge", lambda module: _within(module, *SDK, "bot", "dialogs")) == []


def test_the_host_uses_dialogs_only_through_dialogs_api():
    def bad(module: str) -> bool:
        return _within(module, "dialogs") and not _within(module, "dialogs.api")

    assert offenders("bot", bad) == []


def test_dialogs_api_exports_what_it_lists():
    import dialogs.api

    assert sorted(dialogs.api.__all__) == sorted(set(dialogs.api.__all__))
    assert all(getattr(dialogs.api, name, None) is not None for name in dialogs.api.__all__)
    used = {
        module.rsplit(".", 1)[1]
        for folder in ("bot",)
        for path in (ROOT / folder).rglob("*.py")
        for _, module in imports_of(path)
        if _within(module, "dialogs.api")
    }
    assert used <= set(dialogs.api.__all__)
