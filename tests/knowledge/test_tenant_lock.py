"""One tenant's import never waits on another's; a second import of the same tenant says so.

Issue 13 row 8: one store-wide lock made another tenant's import wait silently behind a huge
one. The lock is now per tenant, in this process (threads) and across processes (flock).
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.cli import main
from knowledge.store import Store, StoreError
from knowledge.store import lock as store_lock
from knowledge.store.layout import Layout
from knowledge.store.lock import lock_path, tenant_lock
from testkit.narrow import present

from .conftest import write_pstn_csv

HOLD_LOCK = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def short_wait(monkeypatch):
    # A regression (a store-wide lock again) fails fast with StoreError instead of hanging.
    monkeypatch.setattr(store_lock, "LOCK_WAIT_SECONDS", 0.5)


def test_another_tenant_imports_while_one_is_locked(store: Store, tmp_path: Path, short_wait) -> None:
    export = write_pstn_csv(tmp_path / "PSTN.calls.csv", 20)
    waited: list[str] = []
    with tenant_lock(store.layout, "fabrikam"):  # a long import of fabrikam is running
        summary = store.import_paths([export], "contoso", on_wait=waited.append)
    assert summary.imported == 20 and waited == []


def test_the_same_tenant_in_another_process_waits_visibly_then_is_refused(capsys, tmp_path: Path, short_wait) -> None:
    data = tmp_path / "data"
    path = Path(lock_path(Layout(data), "contoso"))
    path.parent.mkdir(parents=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert present(holder.stdout).readline().strip() == "locked"
        export = write_pstn_csv(tmp_path / "PSTN.calls.csv", 5)
        code = main(["import", str(export), "--tenant", "contoso", "--data-dir", str(data)])
        err = capsys.readouterr().err
        assert code == 2
        assert "waiting for another import of contoso..." in err
        assert "another import of contoso is still running (waited 0.5 s)" in err
        # Another tenant of the same store goes straight through, no waiting line.
        assert main(["import", str(export), "--tenant", "fabrikam", "--data-dir", str(data)]) == 0
        assert "waiting" not in capsys.readouterr().err
    finally:
        present(holder.stdin).close()
        holder.wait(timeout=10)
    # Once the other import is over, the same tenant imports.
    assert main(["import", str(export), "--tenant", "contoso", "--data-dir", str(data)]) == 0


def test_the_same_tenant_in_this_process_waits_then_goes_on(store: Store, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(store_lock, "LOCK_WAIT_SECONDS", 30)
    export = write_pstn_csv(tmp_path / "PSTN.calls.csv", 10)
    waited = threading.Event()
    release = threading.Event()
    held = threading.Event()

    def other_import() -> None:
        with tenant_lock(store.layout, "contoso"):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=other_import)
    thread.start()
    held.wait(10)

    def on_wait(tenant: str) -> None:
        assert tenant == "contoso"
        waited.set()
        release.set()  # the other import finishes once we are seen waiting

    summary = store.import_paths([export], "contoso", on_wait=on_wait)
    thread.join(10)
    assert waited.is_set() and summary.imported == 10


def test_refusal_after_the_wait_in_this_process(store: Store, tmp_path: Path, short_wait) -> None:
    export = write_pstn_csv(tmp_path / "PSTN.calls.csv", 3)
    with tenant_lock(store.layout, "contoso"), pytest.raises(StoreError, match="still running"):
        store.import_paths([export], "contoso")
    assert store.import_paths([export], "contoso").imported == 3
