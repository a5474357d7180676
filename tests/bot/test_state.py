"""The TinyDB bot-state storage: the SDK's conformance suite, partitioning, crashes, threads."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from botbuilder.core import StoreItem
from botbuilder.dialogs import DialogState
from botbuilder.testing import StorageBaseTests

import knowledge.atomic
from bot.state import ETagConflictError, TinyDBStorage

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def storage(tmp_path):
    store = TinyDBStorage(tmp_path / "state")
    yield store
    await store.close()


# --- botbuilder.testing.StorageBaseTests: every case -------------------------------------

BASE_TESTS = [
    "return_empty_object_when_reading_unknown_key",
    "handle_null_keys_when_reading",
    "handle_null_keys_when_writing",
    "does_not_raise_when_writing_no_items",
    "create_object",
    "handle_crazy_keys",
    "update_object",
    "delete_object",
    "delete_unknown_object",
    "perform_batch_operations",
    "proceeds_through_waterfall",
]


def test_the_list_covers_the_whole_suite():
    suite = {name for name in vars(StorageBaseTests) if not name.startswith("_")}
    assert suite == set(BASE_TESTS)


@pytest.mark.parametrize("name", BASE_TESTS)
async def test_storage_base_tests(storage, name):
    assert await getattr(StorageBaseTests, name)(storage) is True


async def test_base_tests_pass_on_a_reopened_storage_too(tmp_path):
    """Values written by one instance are read back by the next (a restart)."""
    first = TinyDBStorage(tmp_path / "state")
    await first.write({"k": {"count": 3, "e_tag": "*"}, "obj": StoreItem(name="x", e_tag="*")})
    await first.close()
    second = TinyDBStorage(tmp_path / "state")
    try:
        items = await second.read(["k", "obj"])
        assert items["k"]["count"] == 3
        assert isinstance(items["obj"], StoreItem) and items["obj"].name == "x"
        assert items["obj"].e_tag and items["obj"].e_tag != "*"
    finally:
        await second.close()


# --- concurrency semantics ----------------------------------------------------------------


async def test_stale_e_tag_is_refused_and_changes_nothing(storage):
    await storage.write({"conv": {"step": 1}})
    first = (await storage.read(["conv"]))["conv"]
    second = (await storage.read(["conv"]))["conv"]
    first["step"] = 2
    await storage.write({"conv": first})
    second["step"] = 99
    with pytest.raises(ETagConflictError):
        await storage.write({"conv": second})
    assert (await storage.read(["conv"]))["conv"]["step"] == 2


async def test_write_gives_the_caller_its_new_e_tag(storage):
    """BotState keeps the dict it saved: saving it twice in one turn must not conflict."""
    state = {"step": 1}
    await storage.write({"conv": state})
    tag = state["e_tag"]
    assert tag == (await storage.read(["conv"]))["conv"]["e_tag"]
    state["step"] = 2
    await storage.write({"conv": state})
    assert state["e_tag"] != tag
    assert (await storage.read(["conv"]))["conv"]["step"] == 2


async def test_dialog_state_objects_round_trip(storage):
    dialog_state = DialogState()
    dialog_state.dialog_stack.append({"id": "plan", "state": {"stepIndex": 1, "values": {"country": "France"}}})
    await storage.write({"conv": {"DialogState": dialog_state}})
    read = (await storage.read(["conv"]))["conv"]["DialogState"]
    assert isinstance(read, DialogState)
    assert read.dialog_stack[0]["state"]["values"]["country"] == "France"


# --- partitioning: a write touches its own file only -----------------------------------------


async def test_a_write_does_not_rewrite_other_conversations(storage):
    keys = [f"msteams/conversations/a:{i}" for i in range(50)]
    await storage.write({key: {"n": i} for i, key in enumerate(keys)})
    paths = {key: storage.path_for(key) for key in keys}
    assert len(set(paths.values())) == len(keys)
    before = {key: (p.stat().st_ino, p.stat().st_mtime_ns) for key, p in paths.items()}
    await storage.write({keys[7]: {"n": 700}})
    after = {key: (p.stat().st_ino, p.stat().st_mtime_ns) for key, p in paths.items()}
    changed = [key for key in keys if before[key] != after[key]]
    assert changed == [keys[7]]
    # Each file is a TinyDB database holding one document.
    doc = json.loads(paths[keys[7]].read_text())
    assert list(doc) == ["state"] and doc["state"]["1"]["key"] == keys[7]


async def test_delete_removes_the_file(storage):
    await storage.write({"conv": {"n": 1}})
    path = storage.path_for("conv")
    assert path.exists()
    await storage.delete(["conv"])
    assert not path.exists()
    assert await storage.read(["conv"]) == {}


# --- crashes --------------------------------------------------------------------------------


async def test_interrupted_rename_leaves_the_previous_state(storage, monkeypatch):
    await storage.write({"conv": {"step": 1, "country": "France"}})

    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(knowledge.atomic.os, "replace", crash)
    state = (await storage.read(["conv"]))["conv"]
    state["step"] = 2
    with pytest.raises(OSError):
        await storage.write({"conv": state})
    monkeypatch.undo()
    assert (await storage.read(["conv"]))["conv"] == {"step": 1, "country": "France", "e_tag": state["e_tag"]}
    # No temporary file is left behind.
    assert [p.name for p in storage.path_for("conv").parent.iterdir()] == [storage.path_for("conv").name]


async def test_interrupted_write_leaves_the_previous_state(storage, monkeypatch):
    await storage.write({"conv": {"step": 1}})
    real_fdopen = os.fdopen

    class HalfWritten:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, payload):
            self.handle.write(payload[: len(payload) // 2])
            raise OSError(5, "Input/output error")

    monkeypatch.setattr(knowledge.atomic.os, "fdopen", lambda fd, mode: HalfWritten(real_fdopen(fd, mode)))
    with pytest.raises(OSError):
        await storage.write({"conv": {"step": 2, "e_tag": "*"}})
    monkeypatch.undo()
    assert (await storage.read(["conv"]))["conv"]["step"] == 1


def test_a_killed_writer_leaves_readable_state(tmp_path):
    """SIGKILL a process in the middle of writing large states: every file still reads."""
    folder = tmp_path / "state"
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        sys.path.insert(0, {str(ROOT)!r})
        from bot.state import TinyDBStorage

        async def main():
            storage = TinyDBStorage({str(folder)!r})
            n = 0
            while True:
                n += 1
                await storage.write({{"conv": {{"n": n, "blob": "x" * 400_000, "e_tag": "*"}}}})
                if n == 1:
                    print("first", flush=True)

        asyncio.run(main())
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "first"
        time.sleep(0.4)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)

    async def read_back():
        storage = TinyDBStorage(folder)
        try:
            return await storage.read(["conv"])
        finally:
            await storage.close()

    import asyncio

    item = asyncio.run(read_back())["conv"]
    assert item["n"] >= 1 and len(item["blob"]) == 400_000


# --- the event loop stays free --------------------------------------------------------------


async def test_file_io_runs_on_the_storage_threads(storage, monkeypatch):
    seen: list[str] = []
    real_write = knowledge.atomic.AtomicJSONStorage.write
    real_read = knowledge.atomic.AtomicJSONStorage.read

    def spy_write(self, data):
        seen.append(threading.current_thread().name)
        return real_write(self, data)

    def spy_read(self):
        seen.append(threading.current_thread().name)
        return real_read(self)

    monkeypatch.setattr(knowledge.atomic.AtomicJSONStorage, "write", spy_write)
    monkeypatch.setattr(knowledge.atomic.AtomicJSONStorage, "read", spy_read)
    await storage.write({"conv": {"n": 1}})
    await storage.read(["conv"])
    assert seen and all(name.startswith("bot-state") for name in seen)
    assert threading.current_thread().name not in seen


async def test_close_stops_the_threads(tmp_path):
    storage = TinyDBStorage(tmp_path / "state")
    await storage.write({"conv": {"n": 1}})
    await storage.close()
    assert not [t for t in threading.enumerate() if t.name.startswith("bot-state") and t.is_alive()]
