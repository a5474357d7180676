"""The bot-state commit (:meth:`bot.state.local.TinyDBStorage._commit`), as issue 14's
``stepcost`` round pinned it: a write returns only once its record is on disk (a purchase step's
reply is sent after that, over real HTTP), a cancelled writer cancels only its own wait, ``close``
waits for the commits in flight, and a write staged after ``close`` fails instead of hanging."""

from __future__ import annotations

import asyncio
import pickle

import pytest

from bot.app import STORAGE_KEY
from bot.state import TinyDBStorage
from bot.state.codec import decode
from bot.state.journal import read_journal_file
from dialogs.nlu.i18n import t
from testkit.chat import Chat


def _on_disk(folder) -> dict[str, tuple[str | None, object]]:
    """Each key's newest committed (e_tag, value) as the journal files on disk hold it."""
    newest: dict[str, tuple[str | None, object]] = {}
    for path in sorted((folder / "journal").glob("*.json")):
        read = read_journal_file(path.read_bytes())
        assert read.tail is None and read.damage is None, path
        for _, changes in read.records:
            for key, (e_tag, value) in changes.items():
                newest[key] = (e_tag, None if value is None else decode(value))
    return newest


def _journal_records(folder) -> list[int]:
    return [
        seq
        for path in sorted((folder / "journal").glob("*.json"))
        for seq, _ in read_journal_file(path.read_bytes()).records
    ]


@pytest.fixture
async def storage(tmp_path):
    store = TinyDBStorage(tmp_path / "state", checkpoint_idle_s=3600)
    yield store
    await store.close()


async def test_a_purchase_step_is_on_disk_when_its_reply_arrives(demo_bot, h):
    """Real HTTP turns of the purchase dialog: after each reply, the journal on disk (not the
    process's memory) holds the conversation's state exactly as the storage serves it, with
    its e_tag: the reply was not sent before the commit was durable."""
    storage = demo_bot.app[STORAGE_KEY]
    assert isinstance(storage, TinyDBStorage)
    storage.checkpoint_idle_s = 3600  # the journal must stay on disk to be read back here
    chat = Chat(demo_bot, h, conversation_id="a:stepcost-durable")
    key = "msteams/conversations/a:stepcost-durable"
    seen = []
    for message in ("which calling plan should we buy?", "France", "40"):
        replies = await chat.say(message)
        e_tag, value = _on_disk(storage.folder)[key]
        served = (await storage.read([key]))[key]
        assert e_tag == served["e_tag"]
        assert isinstance(value, dict) and "DialogState" in value
        as_served = {k: v for k, v in served.items() if k != "e_tag"}
        assert pickle.dumps(as_served) == pickle.dumps(value)  # the same dialog stack, slots and all
        seen.append((e_tag, replies[-1]["said"]))
    assert len({e_tag for e_tag, _ in seen}) == 3  # every step wrote its own commit
    assert seen[1][1] == t("en", "prompt.users_in", country="France")


async def test_a_cancelled_writer_does_not_cancel_the_commit_of_the_others(storage):
    await storage.write({"a": {"n": 0}, "b": {"n": 0}})  # known: the writes below stage at once
    first = asyncio.ensure_future(storage.write({"a": {"n": 1}}))
    second = asyncio.ensure_future(storage.write({"b": {"n": 2}}))
    await asyncio.sleep(0)  # both staged, waiting for the same record
    first.cancel()
    await second
    with pytest.raises(asyncio.CancelledError):
        await first
    on_disk = _on_disk(storage.folder)
    assert on_disk["a"][1] == {"n": 1} and on_disk["b"][1] == {"n": 2}  # one batch: both landed
    assert len(storage.segments()) == 1 and len(_journal_records(storage.folder)) == 2


async def test_close_waits_for_the_commits_in_flight(tmp_path):
    storage = TinyDBStorage(tmp_path / "state")
    await storage.write({f"k{i}": {"n": -1} for i in range(5)})  # known: the writes stage at once
    writes = [asyncio.ensure_future(storage.write({f"k{i}": {"n": i}})) for i in range(5)]
    await asyncio.sleep(0)
    await storage.close()  # while the batch is being written
    assert all(w.done() and w.exception() is None for w in writes)
    reopened = TinyDBStorage(tmp_path / "state")
    try:
        items = await reopened.read([f"k{i}" for i in range(5)])
        assert [items[f"k{i}"]["n"] for i in range(5)] == list(range(5))
    finally:
        await reopened.close()


async def test_a_write_that_stages_after_close_fails_instead_of_hanging(tmp_path):
    """A write whose key file was still being read when ``close`` stopped the threads stages
    afterwards: it is refused with an error (as the committer task refused it), not left waiting
    for a record that no thread will ever write."""
    storage = TinyDBStorage(tmp_path / "state")
    write = asyncio.ensure_future(storage.write({"unknown": {"n": 1}}))
    await asyncio.sleep(0)  # reading the key's file on a storage thread
    await storage.close()
    with pytest.raises(RuntimeError):
        await write
    assert storage.cached_keys == 1 and (await storage.read(["unknown"])) == {}  # rolled back
