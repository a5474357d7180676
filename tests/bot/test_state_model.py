"""Both bot-state backends against a plain dict (hypothesis ``RuleBasedStateMachine``): writes
with the e_tag just read, races of two writers holding the same e_tag (exactly one wins), stale
writes (refused, nothing changes), overwrites, deletes, restarts (a new process over the same
folder or container) and, for the local backend, checkpoints. After every step the storage
reads exactly what the model holds."""

from __future__ import annotations

import asyncio
import itertools
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from bot.state import NEW_KEY_E_TAG, ETagConflictError, StateStorage, TinyDBStorage
from bot.state.blob import BlobStateStorage

KEYS = st.sampled_from(["msteams/conversations/a:1", "msteams/users/29:x", "odd key ü/\\?#"])
VALUES = st.integers(min_value=0, max_value=10**6)
_containers = itertools.count()


class StateModel(RuleBasedStateMachine):
    """Subclasses say how to open the storage (and whether it checkpoints)."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.model: dict[str, int] = {}
        self.storage = self.run(self.open())

    # --- plumbing --------------------------------------------------------------------------

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    async def open(self) -> StateStorage:
        raise NotImplementedError

    def teardown(self) -> None:
        try:
            self.run(self.storage.close())
        finally:
            self.loop.close()

    def read(self, key: str) -> dict[str, Any] | None:
        return self.run(self.storage.read([key])).get(key)

    def tag_of(self, key: str) -> str:
        item = self.read(key)
        return item["e_tag"] if item is not None else NEW_KEY_E_TAG

    # --- rules -----------------------------------------------------------------------------

    @rule(key=KEYS, value=VALUES)
    def write_what_was_read(self, key: str, value: int) -> None:
        self.run(self.storage.write({key: {"v": value, "e_tag": self.tag_of(key)}}))
        self.model[key] = value

    @rule(key=KEYS, first=VALUES, second=VALUES)
    def two_writers_race_with_one_e_tag(self, key: str, first: int, second: int) -> None:
        tag = self.tag_of(key)

        async def race() -> list[Any]:
            return list(
                await asyncio.gather(
                    self.storage.write({key: {"v": first, "e_tag": tag}}),
                    self.storage.write({key: {"v": second, "e_tag": tag}}),
                    return_exceptions=True,
                )
            )

        outcomes = self.run(race())
        assert sorted(type(o).__name__ for o in outcomes) == ["ETagConflictError", "NoneType"], outcomes
        self.model[key] = first if outcomes[0] is None else second

    @rule(key=KEYS, value=VALUES)
    def a_stale_write_is_refused(self, key: str, value: int) -> None:
        stale = self.tag_of(key)
        self.run(self.storage.write({key: {"v": -1, "e_tag": stale}}))  # someone else saves first
        try:
            self.run(self.storage.write({key: {"v": value, "e_tag": stale}}))
        except ETagConflictError:
            pass
        else:
            raise AssertionError("a write with a stale e_tag was accepted")
        self.model[key] = -1

    @rule(key=KEYS, value=VALUES)
    def overwrite(self, key: str, value: int) -> None:
        self.run(self.storage.write({key: {"v": value, "e_tag": "*"}}))
        self.model[key] = value

    @rule(key=KEYS)
    def delete(self, key: str) -> None:
        self.run(self.storage.delete([key]))
        self.model.pop(key, None)

    @rule()
    def restart(self) -> None:
        self.run(self.storage.close())
        self.storage = self.run(self.open())

    @invariant()
    def reads_what_the_model_holds(self) -> None:
        keys = ["msteams/conversations/a:1", "msteams/users/29:x", "odd key ü/\\?#"]
        items = self.run(self.storage.read(keys))
        assert {key: item["v"] for key, item in items.items()} == self.model
        assert all(item["e_tag"] and item["e_tag"] != NEW_KEY_E_TAG for item in items.values())


class LocalModel(StateModel):
    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="state-model-"))
        super().__init__()

    async def open(self) -> StateStorage:
        # cache_size=1: most reads go to the key files, so checkpoints and restarts matter.
        return TinyDBStorage(self.folder / "state", cache_size=1)

    @rule()
    def checkpoint(self) -> None:
        assert isinstance(self.storage, TinyDBStorage)
        self.run(self.storage.checkpoint())

    def teardown(self) -> None:
        try:
            super().teardown()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


# Modest counts: the whole file runs in a few seconds (the blob backend's steps are HTTP calls).
LOCAL_SETTINGS = settings(
    max_examples=12, stateful_step_count=12, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
BLOB_SETTINGS = settings(
    max_examples=6, stateful_step_count=10, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def test_local_backend_against_a_dict():
    run_state_machine_as_test(LocalModel, settings=LOCAL_SETTINGS)


@pytest.fixture
def blob_model(azurite):
    class BlobModel(StateModel):
        def __init__(self) -> None:
            self.container = f"model-{next(_containers)}"
            super().__init__()

        async def open(self) -> StateStorage:
            storage = BlobStateStorage.from_connection_string(azurite.connection_string, self.container)
            await storage.ensure_container()
            return storage

    return BlobModel


def test_blob_backend_against_a_dict(blob_model):
    run_state_machine_as_test(blob_model, settings=BLOB_SETTINGS)
