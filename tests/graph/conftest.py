"""The loopback fake Graph (TLS via trustme) and clients pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pydantic import SecretStr

from knowledge.graph.client import GraphClient, GraphConfig
from testkit.fake_graph import T1, FakeGraph


@pytest.fixture
def fake_graph(tmp_path) -> Iterator[FakeGraph]:
    fake = FakeGraph(tmp_path).start()
    yield fake
    fake.close()


@pytest.fixture
def make_client(fake_graph, tmp_path) -> Callable[..., GraphClient]:
    def make(tenant: str = T1, secret: str = "s3cret", sleeps: list[float] | None = None) -> GraphClient:
        config = GraphConfig(
            client_id="11111111-2222-3333-4444-555555555555",
            client_secret=SecretStr(secret),
            authority=fake_graph.authority,
            endpoint=fake_graph.endpoint,
            ca_bundle=fake_graph.ca_file,
            bundle_dir=tmp_path,
        )
        recorded = sleeps if sleeps is not None else []
        return GraphClient(config, tenant, sleep=recorded.append)

    return make
