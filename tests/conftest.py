"""Fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.azurite import Azurite, running_azurite


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    """One Azurite for the session (start ~1 s); tests isolate themselves by container name."""
    with running_azurite(Path(tmp_path_factory.mktemp("azurite"))) as service:
        yield service


@pytest.fixture
def own_azurite(tmp_path: Path) -> Iterator[Azurite]:
    """An Azurite of the test's own, for tests that stop and restart it."""
    with running_azurite(tmp_path / "azurite") as service:
        yield service
