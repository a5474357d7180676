"""The loopback fake Graph (TLS via trustme) and clients pointed at it."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone

import pytest
from pydantic import SecretStr
from testkit.fake_graph import FakeGraph

from knowledge.graph.client import GraphClient, GraphConfig

T1 = "0f6b1a2c-3d4e-4f50-8a1b-2c3d4e5f6a7b"
T2 = "9e8d7c6b-5a49-4382-b1a0-f9e8d7c6b5a4"
#: The injected clock: no test reads the wall clock.
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def fake_graph(tmp_path) -> Iterator[FakeGraph]:
    fake = FakeGraph(tmp_path).start()
    yield fake
    fake.close()


@pytest.fixture
def make_client(fake_graph) -> Callable[..., GraphClient]:
    def make(tenant: str = T1, secret: str = "s3cret", sleeps: list[float] | None = None) -> GraphClient:
        config = GraphConfig(client_id="11111111-2222-3333-4444-555555555555",
                             client_secret=SecretStr(secret), authority=fake_graph.authority,
                             endpoint=fake_graph.endpoint, ca_bundle=fake_graph.ca_file)
        recorded = sleeps if sleeps is not None else []
        return GraphClient(config, tenant, sleep=recorded.append)

    return make
