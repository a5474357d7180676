"""The TinyDB bot-state storage: the SDK's conformance suite, partitioning, the group-commit
journal and its checkpoints, crashes, the folder lock, threads."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from unittest.mock import ANY

import pytest
from botbuilder.core import StoreItem
from botbuilder.dialogs import DialogInstance, DialogState
from botbuilder.testing import StorageBaseTests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bot.state.journal
import knowledge.store.atomic
from bot.state import ETagConflictError, StateFolderBusyError, TinyDBStorage
from testkit.narrow import present

ROOT = Path(__file__).resolve().parents[2]


def _journal_seqs(storage) -> list[int]:
    """The commits the journal holds on disk, oldest first (every line a whole record)."""
    from bot.state.journal import read_journal_file

    seqs = []
    for path in storage.segments():
        try:
            payload = path.read_bytes()
        except FileNotFoundError:  # a checkpoint (a storage thread) dropped it meanwhile
            continue
        read = read_journal_file(payload)
        assert read.tail is None and read.damage is None, path
        seqs += [seq for seq, _ in read.records]
    return seqs


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


# --- one value, two encodings: memory (pickle) and the key files (jsonpickle) agree -----------


def _canon(value):
    """A comparable form that keeps types apart (1 / 1.0 / True, list / tuple, -0.0 / 0.0)."""
    if isinstance(value, dict):
        return ("dict", sorted((_canon(k), _canon(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_canon(v) for v in value])
    if isinstance(value, (set, frozenset)):
        return ("set", sorted(_canon(v) for v in value))
    if isinstance(value, (StoreItem, DialogState, DialogInstance)):
        return (type(value).__name__, _canon(vars(value)))
    return (type(value).__name__, repr(value))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_value_reads_back_the_same_from_memory_and_after_a_restart(data, state_values):
    value = data.draw(state_values)

    async def hot_and_cold(folder: Path):
        storage = TinyDBStorage(folder)
        try:
            await storage.write({"k": {"v": value}})
            hot = (await storage.read(["k"]))["k"]["v"]
        finally:
            await storage.close()  # checkpoints the value into its key file (jsonpickle)
        return hot, (await _reopened(folder, ["k"]))["k"]["v"]

    with tempfile.TemporaryDirectory() as tmp:
        hot, cold = asyncio.run(hot_and_cold(Path(tmp) / "state"))
    assert _canon(hot) == _canon(value)
    assert _canon(cold) == _canon(value)


async def test_a_value_pickle_refuses_is_kept_flattened(storage):
    """A local class cannot be pickled by name; jsonpickle flattens it like the SDK does."""

    class Local:
        def __init__(self):
            self.n = 3

    await storage.write({"k": {"v": Local(), "lock": "x"}})
    item = (await storage.read(["k"]))["k"]
    assert item["lock"] == "x" and "v" in item


# --- partitioning: a write touches its own file only -----------------------------------------


async def test_a_write_does_not_rewrite_other_conversations(storage):
    keys = [f"msteams/conversations/a:{i}" for i in range(50)]
    await storage.write({key: {"n": i} for i, key in enumerate(keys)})
    await storage.checkpoint()
    paths = {key: storage.path_for(key) for key in keys}
    assert len(set(paths.values())) == len(keys)
    before = {key: (p.stat().st_ino, p.stat().st_mtime_ns) for key, p in paths.items()}
    await storage.write({keys[7]: {"n": 700}})
    await storage.checkpoint()
    after = {key: (p.stat().st_ino, p.stat().st_mtime_ns) for key, p in paths.items()}
    changed = [key for key in keys if before[key] != after[key]]
    assert changed == [keys[7]]
    # Each file is a TinyDB database holding one document.
    doc = json.loads(paths[keys[7]].read_text())
    assert list(doc) == ["state"] and doc["state"]["1"]["key"] == keys[7]


async def test_delete_removes_the_file(storage):
    await storage.write({"conv": {"n": 1}})
    await storage.checkpoint()
    path = storage.path_for("conv")
    assert path.exists()
    await storage.delete(["conv"])
    assert await storage.read(["conv"]) == {}
    await storage.checkpoint()
    assert not path.exists()
    assert await storage.read(["conv"]) == {}


# --- crashes --------------------------------------------------------------------------------


async def _reopened(folder: Path, keys: list[str]) -> dict:
    """What a new process would read (the first storage must be closed)."""
    storage = TinyDBStorage(folder)
    try:
        return await storage.read(keys)
    finally:
        await storage.close()


async def test_a_commit_that_cannot_be_synced_leaves_the_previous_state(storage, monkeypatch):
    """The journal record's fsync fails (disk full): the write fails, the state is the one
    before, the half-committed record is taken back (the file cut to its acknowledged end), and
    the same write goes through later."""
    await storage.write({"conv": {"step": 1, "country": "France"}})
    first = storage.segments()[0].read_bytes()
    real_fsync, failed = os.fsync, list[int]()

    def full(fd):
        if not failed:  # the commit's fsync; the cut back's goes through
            failed.append(fd)
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    state = (await storage.read(["conv"]))["conv"]
    tag = state["e_tag"]
    state["step"] = 2
    monkeypatch.setattr(bot.state.journal.os, "fsync", full)
    with pytest.raises(OSError, match="No space"):
        await storage.write({"conv": state})
    monkeypatch.undo()
    assert state["e_tag"] == tag  # the caller's object was not given a tag that never landed
    assert (await storage.read(["conv"]))["conv"] == {"step": 1, "country": "France", "e_tag": tag}
    # Nothing of the failed commit is left behind: the journal holds the first commit only.
    assert [p.name for p in storage.journal.iterdir()] == ["000000000001.json"]
    assert storage.segments()[0].read_bytes() == first
    # The failed write is forgotten: the next one, from the same read, goes through, in a new
    # file (none is written to again after a failed fsync).
    await storage.write({"conv": state})
    assert [p.name for p in storage.segments()] == ["000000000001.json", "000000000003.json"]
    assert _journal_seqs(storage) == [1, 3]
    await storage.close()
    assert (await _reopened(storage.folder, ["conv"]))["conv"]["step"] == 2


async def test_a_failed_commit_whose_segment_cannot_be_removed_stops_the_commits(storage, monkeypatch):
    """The record's fsync fails and so does taking it back (the disk remounted read-only): a
    whole record of a failed commit stays in the journal. No later commit is acknowledged until
    it is gone, so a restart never replays it under acknowledged ones; once it can be cut away,
    writes go on."""
    await storage.write({"conv": {"step": 1}})

    def full(fd):
        raise OSError(5, "Input/output error")

    def read_only(*args, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(bot.state.journal.os, "fsync", full)
    monkeypatch.setattr(bot.state.journal.os, "ftruncate", read_only)
    with pytest.raises(OSError, match="could not be removed"):
        await storage.write({"conv": {"step": 2, "e_tag": "*"}})
    monkeypatch.setattr(bot.state.journal.os, "fsync", os.fsync)  # the disk answers, read-only
    assert storage.write_problem is not None
    assert _journal_seqs(storage) == [1, 2]  # the failed commit's record stayed
    with pytest.raises(OSError, match="Read-only"):  # refused while it is there
        await storage.write({"other": {"n": 1}})
    assert _journal_seqs(storage) == [1, 2] and storage.write_problem is not None
    monkeypatch.undo()
    await storage.write({"other": {"n": 2}})  # it can be cut away again: it goes, the write lands
    assert storage.write_problem is None
    assert _journal_seqs(storage) == [1, 4]
    await storage.close()
    assert await _reopened(storage.folder, ["conv", "other"]) == {
        "conv": {"step": 1, "e_tag": ANY},
        "other": {"n": 2, "e_tag": ANY},
    }


async def test_a_failed_first_commit_of_a_file_that_cannot_be_removed_stops_the_commits(storage, monkeypatch):
    """The same when the failed record was the first of a new journal file: the file stays (it
    cannot be removed), nothing is acknowledged until it goes."""
    real_unlink = os.unlink

    def full(fd):
        raise OSError(5, "Input/output error")

    def read_only(path, *args, **kwargs):
        if Path(path).parent == storage.journal:
            raise OSError(30, "Read-only file system")
        return real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(bot.state.journal.os, "fsync", full)
    monkeypatch.setattr(bot.state.journal.os, "unlink", read_only)
    with pytest.raises(OSError, match="could not be removed"):
        await storage.write({"conv": {"step": 1}})
    monkeypatch.setattr(bot.state.journal.os, "fsync", os.fsync)
    assert [p.name for p in storage.segments()] == ["000000000001.json"]
    with pytest.raises(OSError, match="Read-only"):
        await storage.write({"other": {"n": 1}})
    monkeypatch.undo()
    await storage.write({"other": {"n": 2}})
    assert [p.name for p in storage.segments()] == ["000000000003.json"] and _journal_seqs(storage) == [3]
    await storage.close()
    assert await _reopened(storage.folder, ["conv", "other"]) == {"other": {"n": 2, "e_tag": ANY}}


async def test_interrupted_write_leaves_the_previous_state(storage, monkeypatch):
    await storage.write({"conv": {"step": 1}})
    real_write = os.write

    def half_written(fd, payload):
        real_write(fd, bytes(payload[: len(payload) // 2]))
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(bot.state.journal.os, "write", half_written)
    with pytest.raises(OSError):
        await storage.write({"conv": {"step": 2, "e_tag": "*"}})
    monkeypatch.undo()
    assert (await storage.read(["conv"]))["conv"]["step"] == 1
    assert [p.name for p in storage.segments()] == ["000000000001.json"]
    assert _journal_seqs(storage) == [1]  # the half record went
    await storage.close()
    assert (await _reopened(storage.folder, ["conv"]))["conv"]["step"] == 1


async def test_a_failed_commit_of_a_key_written_twice_restores_the_committed_value(storage, monkeypatch):
    """Two writes of one key wait behind a commit in flight and share the next one, which fails:
    the key goes back to its committed value, not to the first of the two."""
    import bot.state.local

    await storage.write({"k": {"n": 0}})
    real = bot.state.local.append_record
    gate = threading.Event()
    commits = []

    def flaky(log_file, record):
        commits.append(record)
        if len(commits) == 1:  # the commit in flight: hold it while two writes queue
            assert gate.wait(10)
            return real(log_file, record)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bot.state.local, "append_record", flaky)
    first = asyncio.ensure_future(storage.write({"other": {"n": 1}}))
    while not commits:
        await asyncio.sleep(0.005)
    second = asyncio.ensure_future(storage.write({"k": {"n": 2, "e_tag": "*"}}))
    third = asyncio.ensure_future(storage.write({"k": {"n": 3, "e_tag": "*"}}))
    await asyncio.sleep(0.02)
    gate.set()
    await first
    for queued in (second, third):
        with pytest.raises(OSError, match="No space"):
            await queued
    monkeypatch.undo()
    assert len(commits) == 2  # the two writes of k shared one (failed) commit
    assert (await storage.read(["k"]))["k"]["n"] == 0
    await storage.close()
    assert (await _reopened(storage.folder, ["k", "other"])) == {
        "k": {"n": 0, "e_tag": ANY},
        "other": {"n": 1, "e_tag": ANY},
    }


async def test_a_checkpoint_during_a_commit_keeps_the_committed_value(storage, monkeypatch):
    """A checkpoint that runs while a newer write of a key is still being committed copies the
    committed value to the key file, and keeps the journal file that write is appended to: a
    crash then loses nothing that was acknowledged. The commit after it starts a new file, and
    the next checkpoint drops the old one."""
    import bot.state.local

    await storage.write({"k": {"n": 1}})
    real = bot.state.local.append_record
    gate = threading.Event()
    held = threading.Event()

    def slow_journal(log_file, record):
        if not held.is_set():
            held.set()
            assert gate.wait(10)
        return real(log_file, record)

    monkeypatch.setattr(bot.state.local, "append_record", slow_journal)
    pending = asyncio.ensure_future(storage.write({"k": {"n": 2, "e_tag": "*"}}))
    while not held.is_set():
        await asyncio.sleep(0.005)
    await storage.checkpoint()  # commit 1 is copied: its value must be in the key file now
    assert [p.name for p in storage.segments()] == ["000000000001.json"]  # commit 2 goes there
    assert json.loads(storage.path_for("k").read_text())["state"]["1"]["state"] == {"n": 1}
    gate.set()
    await pending
    assert _journal_seqs(storage) == [1, 2]
    await storage.write({"k": {"n": 3, "e_tag": "*"}})
    assert [p.name for p in storage.segments()] == ["000000000001.json", "000000000003.json"]
    await storage.checkpoint()
    assert storage.segments() == []
    assert json.loads(storage.path_for("k").read_text())["state"]["1"]["state"] == {"n": 3}
    await storage.write({"k": {"n": 4, "e_tag": "*"}})
    await storage.close()
    assert (await _reopened(storage.folder, ["k"]))["k"]["n"] == 4


async def test_a_failed_checkpoint_keeps_the_journal(storage, monkeypatch):
    """The key file cannot be written: the segment stays, and the next open replays it."""
    await storage.write({"conv": {"step": 1}})

    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(knowledge.store.atomic.os, "replace", crash)
    with pytest.raises(OSError):
        await storage.checkpoint()
    monkeypatch.undo()
    assert len(storage.segments()) == 1 and not storage.path_for("conv").exists()
    assert (await storage.read(["conv"]))["conv"]["step"] == 1


def _child(folder: Path, body: str) -> subprocess.Popen:
    """A Python process that opens the storage over ``folder`` and runs ``body`` in ``main()``."""
    script = textwrap.dedent(
        """
        import asyncio, os, signal, sys
        sys.path.insert(0, {root!r})
        from bot.state import TinyDBStorage

        async def main():
            storage = TinyDBStorage({folder!r})
        {body}

        asyncio.run(main())
        """
    ).format(root=str(ROOT), folder=str(folder), body=textwrap.indent(textwrap.dedent(body), "    "))
    return subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)


def test_a_killed_writer_leaves_readable_state(tmp_path):
    """SIGKILL a process in the middle of writing large states: the state still reads."""
    folder = tmp_path / "state"
    child = _child(
        folder,
        """
        n = 0
        while True:
            n += 1
            await storage.write({"conv": {"n": n, "blob": "x" * 400_000, "e_tag": "*"}})
            if n == 1:
                print("first", flush=True)
    """,
    )
    try:
        assert present(child.stdout).readline().strip() == "first"
        time.sleep(0.4)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)

    item = asyncio.run(_reopened(folder, ["conv"]))["conv"]
    assert item["n"] >= 1 and len(item["blob"]) == 400_000
    assert not list((folder / "journal").iterdir())  # replayed into the key file, then dropped


def test_an_acknowledged_write_survives_a_kill(tmp_path):
    """``write()`` returns only once its change is in a file: kill the writer just after an
    acknowledgement, and that value (or a later one) is what the next process reads."""
    folder = tmp_path / "state"
    child = _child(
        folder,
        """
        for n in range(1, 10_000):
            await asyncio.gather(*(
                storage.write({f"conv-{i}": {"n": n, "e_tag": "*"}}) for i in range(8)
            ))
            print(n, flush=True)
    """,
    )
    acknowledged = 0
    try:
        while acknowledged < 40:
            line = present(child.stdout).readline()
            assert line, "the writer stopped early"
            acknowledged = int(line)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    items = asyncio.run(_reopened(folder, [f"conv-{i}" for i in range(8)]))
    assert len(items) == 8
    assert all(item["n"] >= acknowledged for item in items.values()), (acknowledged, items)


async def test_opening_replays_what_a_crash_left_in_the_journal(tmp_path, caplog):
    folder = tmp_path / "state"
    child = _child(
        folder,
        """
        await storage.write({"conv": {"step": 1}, "user": {"lang": "fr"}})
        await storage.write({"conv": {"step": 2, "e_tag": "*"}})
        await storage.delete(["user"])
        os.kill(os.getpid(), signal.SIGKILL)
    """,
    )
    assert child.wait(timeout=30) == -signal.SIGKILL
    journal = folder / "journal"
    assert [p.name for p in journal.glob("*.json")] == ["000000000001.json"]  # no checkpoint
    assert journal.joinpath("000000000001.json").read_bytes().count(b"\n") == 3  # three commits
    (journal / ".000000000004.json.abc.tmp").write_text('{"seq": 4, "chan')  # an older version's, killed

    with caplog.at_level("WARNING", logger="bot.state"):
        reopened = TinyDBStorage(folder)
    try:
        assert "replayed 3 journal commit(s) from 1 file(s)" in caplog.text
        assert not list(journal.iterdir())
        assert json.loads(reopened.path_for("conv").read_text())["state"]["1"]["state"] == {"step": 2}
        assert not reopened.path_for("user").exists()
        items = await reopened.read(["conv", "user"])
        assert list(items) == ["conv"] and items["conv"]["step"] == 2
    finally:
        await reopened.close()


async def test_an_unreadable_segment_is_set_aside(tmp_path, caplog):
    folder = tmp_path / "state"
    (folder / "journal").mkdir(parents=True)
    (folder / "journal" / "000000000007.json").write_text("not json")
    with caplog.at_level("ERROR", logger="bot.state"):
        storage = TinyDBStorage(folder)
    try:
        assert "000000000007.json is unreadable" in caplog.text
        assert [p.name for p in storage.journal.iterdir()] == ["bad-000000000007.json"]
        await storage.write({"conv": {"n": 1}})
        assert [p.name for p in storage.segments()] == ["000000000008.json"]
    finally:
        await storage.close()


async def test_a_segment_torn_by_a_crash_mid_commit_is_dropped_and_the_rest_replays(tmp_path, caplog):
    """Records are appended in place: a kill mid-commit leaves the newest file's last line
    torn. Its write never returned, so no turn was told it was saved: opening drops it with a
    warning (no ``bad-`` file piling up at every crash) and replays the whole ones. A torn line
    that is not the newest file's last one, or a last line holding something else, is damage:
    the file is set aside, its whole records replayed."""
    folder = tmp_path / "state"
    child = _child(
        folder,
        """
        await storage.write({"conv": {"step": 1}})
        await storage.write({"conv": {"step": 2, "e_tag": "*"}})
        os.kill(os.getpid(), signal.SIGKILL)
    """,
    )
    assert child.wait(timeout=30) == -signal.SIGKILL
    journal = folder / "journal"
    log_file = journal / "000000000001.json"
    whole = log_file.read_bytes()
    second = whole.split(b"\n")[1]
    torn = second.replace(b'"seq":2', b'"seq":3')  # a third commit's record...
    log_file.write_bytes(whole + torn[: len(torn) // 2] + b"\0" * 64)  # ...cut short

    with caplog.at_level("WARNING", logger="bot.state"):
        reopened = TinyDBStorage(folder)
    try:
        assert "000000000001.json: its last commit was cut short" in caplog.text and "unreadable" not in caplog.text
        assert not list(journal.iterdir())
        assert (await reopened.read(["conv"]))["conv"]["step"] == 2
        await reopened.write({"conv": {"step": 3, "e_tag": "*"}})
        assert [p.name for p in reopened.segments()] == ["000000000003.json"]
    finally:
        await reopened.close()


async def test_segments_an_older_version_left_replay(tmp_path):
    """Before the journal appended records, each commit was a file of its own holding one
    unterminated record: what a crash of that version left replays the same."""
    from bot.state.codec import encode
    from bot.state.journal import Entry, segment_bytes

    journal = tmp_path / "state" / "journal"
    journal.mkdir(parents=True)
    first = {"conv": Entry("t1", encode({"step": 1})), "user": Entry("t2", encode({"lang": "fr"}))}
    (journal / "000000000001.json").write_bytes(segment_bytes(1, first))
    (journal / "000000000002.json").write_bytes(segment_bytes(2, {"conv": Entry("t3", encode({"step": 2}))}))
    storage = TinyDBStorage(tmp_path / "state")
    try:
        assert await storage.read(["conv", "user"]) == {
            "conv": {"step": 2, "e_tag": "t3"},
            "user": {"lang": "fr", "e_tag": "t2"},
        }
        await storage.write({"conv": {"step": 3, "e_tag": "t3"}})
        assert [p.name for p in storage.segments()] == ["000000000003.json"]
    finally:
        await storage.close()


@pytest.mark.parametrize("where", ["older file", "another record", "middle"])
async def test_a_damaged_journal_file_is_set_aside_and_its_whole_records_replay(tmp_path, caplog, where):
    folder = tmp_path / "state"
    child = _child(
        folder,
        """
        await storage.write({"a": {"n": 1}})
        await storage.write({"b": {"n": 1}})
        os.kill(os.getpid(), signal.SIGKILL)
    """,
    )
    assert child.wait(timeout=30) == -signal.SIGKILL
    journal = folder / "journal"
    first = journal / "000000000001.json"
    records = first.read_bytes().split(b"\n")[:2]
    if where == "older file":  # a torn line, but not in the newest file
        first.write_bytes(records[0] + b"\n" + records[1][:20])
        (journal / "000000000003.json").write_bytes(records[1].replace(b'"seq":2', b'"seq":3') + b"\n")
    elif where == "another record":  # the newest file's last line: the start of another record
        first.write_bytes(records[0] + b"\n" + records[1] + b"\n" + records[0][:20])
    else:  # a damaged line followed by a whole one
        first.write_bytes(records[0][:20] + b"\n" + records[1] + b"\n")
    with caplog.at_level("ERROR", logger="bot.state"):
        reopened = TinyDBStorage(folder)
    try:
        assert "000000000001.json is unreadable" in caplog.text
        assert [p.name for p in journal.iterdir()] == ["bad-000000000001.json"]
        found = await reopened.read(["a", "b"])
        assert {key: item["n"] for key, item in found.items()} == ({"b": 1} if where == "middle" else {"a": 1, "b": 1})
    finally:
        await reopened.close()


def test_only_the_start_of_its_own_segment_is_a_torn_segment():
    from bot.state.journal import is_torn_segment, segment_bytes

    whole = segment_bytes(7, {})
    assert is_torn_segment(b"", 7) and is_torn_segment(b"\0\0\0", 7) and is_torn_segment(b'{"se', 7)
    assert is_torn_segment(whole[:-1], 7) and is_torn_segment(whole[:-3] + b"\0\0", 7)
    assert not is_torn_segment(whole[:-1], 8)  # another segment's bytes under this name
    assert not is_torn_segment(b"not json", 7) and not is_torn_segment(b'{"seq":7,"other"', 7)
    assert not is_torn_segment(whole.replace(b"[", b"[{"), 7)  # whole, damaged inside


def test_a_record_write_that_fails_leaves_no_trace(tmp_path, monkeypatch):
    """Disk full mid-write: a new file's partial first record is removed with the file, a later
    record is cut away (the file keeps its acknowledged records) and the file is closed; an
    existing name is never written over."""
    from bot.state.journal import JournalFile, append_record, close_file

    path = tmp_path / "000000000001.json"

    def full(fd):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr("bot.state.journal.os.fsync", full)
        with pytest.raises(OSError):
            append_record(JournalFile(path), b'{"seq":1,"changes":[]}\n')
    assert not path.exists()
    log_file = JournalFile(path)
    append_record(log_file, b'{"seq":1,"changes":[]}\n')
    append_record(log_file, b'{"seq":2,"changes":[]}\n')
    assert path.read_bytes() == b'{"seq":1,"changes":[]}\n{"seq":2,"changes":[]}\n'
    real_write = os.write
    with monkeypatch.context() as patched:
        patched.setattr("bot.state.journal.os.write", lambda fd, data: real_write(fd, bytes(data[:5])) and full(fd))
        with pytest.raises(OSError):
            append_record(log_file, b'{"seq":3,"changes":[]}\n')
    assert log_file.fd is None and log_file.size == 46
    assert path.read_bytes() == b'{"seq":1,"changes":[]}\n{"seq":2,"changes":[]}\n'
    with pytest.raises(FileExistsError):
        append_record(JournalFile(path), b"other")
    assert path.read_bytes() == b'{"seq":1,"changes":[]}\n{"seq":2,"changes":[]}\n'
    close_file(log_file)


# --- group commit and checkpoints -------------------------------------------------------------


async def test_concurrent_writes_share_journal_segments(storage, monkeypatch):
    import bot.state.local

    written: list[str] = []
    real = bot.state.local.append_record

    def spy(log_file, record):
        written.append(log_file.path.parent.name)
        return real(log_file, record)

    monkeypatch.setattr(bot.state.local, "append_record", spy)
    keys = [f"msteams/conversations/a:{i}" for i in range(64)]
    await asyncio.gather(*(storage.write({key: {"n": i}}) for i, key in enumerate(keys)))
    commits = written.count("journal")
    assert 1 <= commits <= len(keys) // 4, commits  # one fsynced record per batch, not per write
    assert len(_journal_seqs(storage)) == commits
    await storage.close()
    items = await _reopened(storage.folder, keys)
    assert [items[key]["n"] for key in keys] == list(range(64))


async def test_checkpoints_keep_the_journal_short(tmp_path):
    storage = TinyDBStorage(tmp_path / "state", checkpoint_segments=8)
    try:
        longest = 0
        for n in range(40):
            await storage.write({"conv": {"n": n, "e_tag": "*"}, f"user-{n % 3}": {"n": n, "e_tag": "*"}})
            longest = max(longest, len(_journal_seqs(storage)))
        # A checkpoint starts at the 8th commit; commits go on while it copies four keys, so
        # how far past 8 the journal grows depends on the machine's load: only that it never
        # holds every commit (some were checkpointed and dropped during the run) is asserted.
        assert 8 <= longest < 40, longest
        for _ in range(200):
            if len(_journal_seqs(storage)) < 8 and storage.path_for("conv").exists():
                break
            await asyncio.sleep(0.01)
        assert storage.path_for("conv").exists() and len(_journal_seqs(storage)) < 8
    finally:
        await storage.close()
    assert not list(storage.journal.iterdir())  # close checkpoints the rest
    assert json.loads(storage.path_for("conv").read_text())["state"]["1"]["state"] == {"n": 39}


class FakeTimer:
    """Stands in for ``loop.call_later``: records what is scheduled; the test fires it."""

    class Handle:
        def __init__(self, delay, callback):
            self.delay, self.callback, self.cancelled = delay, callback, False

        def cancel(self):
            self.cancelled = True

    def __init__(self):
        self.handles: list[FakeTimer.Handle] = []

    def __call__(self, delay, callback):
        handle = FakeTimer.Handle(delay, callback)
        self.handles.append(handle)
        return handle

    @property
    def armed(self):
        return [h for h in self.handles if not h.cancelled]

    def fire(self):
        (handle,) = self.armed
        handle.cancelled = True
        handle.callback()


async def test_a_quiet_storage_checkpoints_after_its_last_commit(tmp_path):
    """README: a checkpoint runs ``checkpoint_idle_s`` after the last commit once load stops.
    The timer is injected: each commit re-arms it (one armed at a time), firing it checkpoints."""
    timer = FakeTimer()
    storage = TinyDBStorage(tmp_path / "state", checkpoint_idle_s=5.0, timer=timer)
    try:
        for n in range(3):
            await storage.write({"conv": {"n": n, "e_tag": "*"}})
        assert len(timer.handles) == 3 and len(timer.armed) == 1 and timer.armed[0].delay == 5.0
        assert len(storage.segments()) == 1 and not storage.path_for("conv").exists()
        assert _journal_seqs(storage) == [1, 2, 3]
        timer.fire()  # the load stopped 5 s ago
        await present(storage._checkpointer)  # the checkpoint it started
        assert not storage.segments() and not timer.armed
        assert json.loads(storage.path_for("conv").read_text())["state"]["1"]["state"] == {"n": 2}
    finally:
        await storage.close()


async def test_a_full_journal_whose_file_is_being_written_waits_for_that_commit(tmp_path, monkeypatch):
    """The journal is full and its file gets a commit in flight: the checkpoint copies what was
    committed and keeps the file; it does not start again and again while that commit is
    written (it would find the same busy file each time): the commit, when it lands, starts the
    next one, which drops the file."""
    import bot.state.local

    real = bot.state.local.append_record
    gates: dict[int, threading.Event] = {2: threading.Event(), 3: threading.Event()}
    entered: list[int] = []

    def held(log_file, record):
        seq = json.loads(record)["seq"]
        entered.append(seq)
        if seq in gates:
            assert gates[seq].wait(10)
        return real(log_file, record)

    monkeypatch.setattr(bot.state.local, "append_record", held)
    storage = TinyDBStorage(tmp_path / "state", checkpoint_segments=2, timer=FakeTimer())
    runs = []
    real_checkpoint = storage.checkpoint

    async def counted():
        runs.append(storage._log_busy)  # whether a commit is being appended to the journal file
        await real_checkpoint()

    storage.checkpoint = counted  # type: ignore[method-assign]
    try:
        await storage.write({"a": {"n": 1}})
        second = asyncio.ensure_future(storage.write({"b": {"n": 1}}))
        while entered != [1, 2]:
            await asyncio.sleep(0.005)
        third = asyncio.ensure_future(storage.write({"c": {"n": 1}}))  # waits behind commit 2
        while "c" not in storage._batch:
            await asyncio.sleep(0.005)
        gates[2].set()  # commit 2 lands: the journal is full (2 commits), commit 3 goes out
        await second
        while entered != [1, 2, 3] or storage._checkpointer is not None:
            await asyncio.sleep(0.005)
        assert runs == [True]  # one checkpoint while commit 3 is in flight, not one after another
        assert storage.path_for("b").exists() and [p.name for p in storage.segments()] == ["000000000001.json"]
        gates[3].set()
        await third
        while storage.segments():  # commit 3 landed and started the checkpoint that drops the file
            await asyncio.sleep(0.005)
        assert runs == [True, False] and storage.path_for("c").exists()
    finally:
        for gate in gates.values():
            gate.set()
        await storage.close()


async def test_an_idle_timer_that_fires_during_a_commit_rearms_for_what_is_left(tmp_path):
    """A checkpoint that leaves segments behind (a commit landed while it ran) arms the timer
    again, so the journal never stays unchecked once the load stops."""
    timer = FakeTimer()
    storage = TinyDBStorage(tmp_path / "state", timer=timer)
    try:
        await storage.write({"a": {"n": 1}})
        timer.fire()
        running = storage._checkpointer
        await storage.write({"b": {"n": 1}})  # commits while the checkpoint runs
        await present(running)
        assert len(storage.segments()) == 1 and len(timer.armed) == 1
        timer.fire()
        await present(storage._checkpointer)
        assert not storage.segments() and storage.path_for("b").exists()
    finally:
        await storage.close()


async def test_a_conflict_in_a_multi_key_write_changes_nothing(storage):
    await storage.write({"a": {"n": 1}, "b": {"n": 1}})
    a = (await storage.read(["a"]))["a"]
    stale = (await storage.read(["b"]))["b"]
    await storage.write({"b": {"n": 2, "e_tag": "*"}})
    a["n"], stale["n"] = 10, 10
    with pytest.raises(ETagConflictError):
        await storage.write({"a": a, "b": stale})
    assert {k: v["n"] for k, v in (await storage.read(["a", "b"])).items()} == {"a": 1, "b": 2}


async def test_the_cache_is_bounded_and_forgotten_keys_read_from_their_files(tmp_path):
    storage = TinyDBStorage(tmp_path / "state", cache_size=5)
    try:
        keys = [f"conv-{i}" for i in range(50)]
        await storage.write({key: {"n": i} for i, key in enumerate(keys)})
        assert storage.cached_keys == 50  # not checkpointed yet: all kept
        await storage.checkpoint()
        assert storage.cached_keys == 5
        items = await storage.read(keys)
        assert [items[key]["n"] for key in keys] == list(range(50))
        assert storage.cached_keys == 5
    finally:
        await storage.close()


# --- one process per folder -----------------------------------------------------------------


async def test_a_second_storage_on_the_same_folder_is_refused(tmp_path):
    first = TinyDBStorage(tmp_path / "state")
    try:
        with pytest.raises(StateFolderBusyError, match=f"in use by process {os.getpid()}: run one bot per DATA_DIR"):
            TinyDBStorage(tmp_path / "state")
    finally:
        await first.close()
    second = TinyDBStorage(tmp_path / "state")  # free again once closed
    await second.close()


async def test_a_closed_storage_refuses_writes(tmp_path):
    storage = TinyDBStorage(tmp_path / "state")
    await storage.close()
    with pytest.raises(RuntimeError, match="closed"):
        await storage.write({"conv": {"n": 1}})


# --- the event loop stays free --------------------------------------------------------------


async def test_file_io_runs_on_the_storage_threads(tmp_path, monkeypatch):
    seen: list[str] = []
    real_fsync = os.fsync
    real_read = knowledge.store.atomic.AtomicJSONStorage.read

    def spy_fsync(fd):
        seen.append(threading.current_thread().name)
        return real_fsync(fd)

    def spy_read(self):
        seen.append(threading.current_thread().name)
        return real_read(self)

    storage = TinyDBStorage(tmp_path / "state", cache_size=0)
    monkeypatch.setattr(knowledge.store.atomic.os, "fsync", spy_fsync)
    monkeypatch.setattr(knowledge.store.atomic.AtomicJSONStorage, "read", spy_read)
    try:
        await storage.write({"conv": {"n": 1}})  # a journal segment
        await storage.checkpoint()  # the key file
        assert (await storage.read(["conv"]))["conv"]["n"] == 1  # not cached: from the file
    finally:
        await storage.close()
    assert len(seen) >= 4 and all(name.startswith("bot-state") for name in seen)
    assert threading.current_thread().name not in seen


async def test_close_stops_the_threads(tmp_path):
    storage = TinyDBStorage(tmp_path / "state")
    await storage.write({"conv": {"n": 1}})
    await storage.close()
    assert not [t for t in threading.enumerate() if t.name.startswith("bot-state") and t.is_alive()]


# --- the lost-update race (issue 16) ---------------------------------------------------------


async def test_a_racing_write_of_a_cached_key_is_refused_while_another_key_loads(tmp_path):
    """A write of {A, B} (B not in memory: its file is read first) races a write of {A}, both
    carrying A's e_tag: exactly one may land, the other gets the conflict error. Before the fix
    the first write kept the cache entry of A it took before awaiting B's file, and both landed."""
    folder = tmp_path / "state"
    first = TinyDBStorage(folder)
    await first.write({"A": {"n": 0}, "B": {"n": 0}})
    await first.close()
    storage = TinyDBStorage(folder)
    try:
        a = (await storage.read(["A"]))["A"]  # A is cached now; B is still only in its file
        tag = a["e_tag"]
        both = storage.write({"A": {"n": 1, "e_tag": tag}, "B": {"n": 1, "e_tag": "*"}})
        only_a = storage.write({"A": {"n": 2, "e_tag": tag}})
        outcomes = await asyncio.gather(both, only_a, return_exceptions=True)
        conflicts = [o for o in outcomes if isinstance(o, ETagConflictError)]
        assert len(conflicts) == 1, outcomes
        assert [o for o in outcomes if o is not None and o not in conflicts] == []
        stored = await storage.read(["A", "B"])
        if outcomes[0] is None:  # {A, B} won
            assert (stored["A"]["n"], stored["B"]["n"]) == (1, 1)
        else:  # {A} won and {A, B} changed nothing
            assert (stored["A"]["n"], stored["B"]["n"]) == (2, 0)
    finally:
        await storage.close()


async def test_a_key_file_the_disk_cannot_read_fails_the_read_and_sets_nothing_aside(tmp_path, monkeypatch):
    """Not damage (EIO, permissions): the read fails with StateUnavailableError, so the turn
    apologizes and its error handler keeps the state; the file stays where it is."""
    from bot.state import StateUnavailableError

    folder = tmp_path / "state"
    first = TinyDBStorage(folder)
    await first.write({"conv": {"step": 3}})
    await first.close()
    storage = TinyDBStorage(folder)
    try:

        def eio(path):
            raise OSError(5, "Input/output error")

        monkeypatch.setattr(knowledge.store.atomic.AtomicJSONStorage, "read", lambda self: eio(self))
        with pytest.raises(StateUnavailableError, match="Input/output error"):
            await storage.read(["conv"])
        monkeypatch.undo()
        assert not storage.take_set_aside("conv")
        assert (await storage.read(["conv"]))["conv"]["step"] == 3
    finally:
        await storage.close()
