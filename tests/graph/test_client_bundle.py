"""The combined CA bundle (usual roots + the extra CA) is written where the client is told
(the bot's DATA_DIR), not in the shared temp folder, and trusted by the session."""

from __future__ import annotations

import tempfile
from pathlib import Path

import certifi
import requests

from bot.config import Settings
from bot.graph import graph_config
from knowledge.graph.client import GraphClient


def test_the_bundle_is_written_in_the_folder_given_and_holds_both_roots(make_client, fake_graph, tmp_path) -> None:
    client = make_client()
    try:
        assert isinstance(client.session, requests.Session)
        bundle = Path(str(client.session.verify))
        assert bundle.parent == tmp_path
        data = bundle.read_bytes()
        assert data.startswith(Path(certifi.where()).read_bytes())
        assert data.endswith(fake_graph.ca_file.read_bytes())
        # the session trusts it: a real TLS request to the fake (loopback) succeeds
        assert client.session.get(fake_graph.endpoint + "/users", timeout=5).status_code in (200, 401, 403, 404)
    finally:
        client.close()


def test_the_bot_puts_the_bundle_in_its_data_dir_not_in_temp(fake_graph, tmp_path) -> None:
    data_dir = tmp_path / "data"
    settings = Settings(
        DATA_DIR=data_dir,
        GRAPH_CLIENT_ID="11111111-2222-3333-4444-555555555555",
        GRAPH_CLIENT_SECRET="s3cret",
        GRAPH_CA_BUNDLE=fake_graph.ca_file,
    )
    client = GraphClient(graph_config(settings), "t1")
    try:
        assert client.session is not None
        bundle = Path(str(client.session.verify))
        assert bundle.parent == data_dir
        assert bundle.is_file()
        assert not (Path(tempfile.gettempdir()) / bundle.name).exists()
    finally:
        client.close()
