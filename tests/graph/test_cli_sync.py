"""``callplan sync``: the command line against the fake Graph (settings from the environment)."""

from __future__ import annotations

import pytest

from bot.cli import main
from knowledge.store import Store
from testkit.fake_graph import NOW, T1, T2, FakeTenant, calls_in_november, graph_user, tenant_with

SECRET = "Kx7-graph-secret-value"


@pytest.fixture
def env(monkeypatch, fake_graph, tmp_path):
    for name, value in fake_graph.env([T1, T2], secret=SECRET).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv("CALLPLAN_NOW", NOW.isoformat())
    return tmp_path / "data"


def test_sync_prints_progress_and_a_summary_line(capsys, fake_graph, env):
    fake_graph.tenants[T1] = tenant_with(calls_in_november(12), secret=SECRET)
    code = main(["sync", "--tenant", T1])
    out, err = capsys.readouterr()
    assert code == 0, (out, err)
    assert f"tenant {T1}: 2 users, 12 calls, 12 new, 0 duplicates, 0 rejected rows" in out
    assert "calls read" in err  # progress on stderr
    assert Store(env).call_count(T1, "2026-11") == 12
    assert main(["sync", "--tenant", T1]) == 0  # incremental: only the last two days again
    assert "0 calls, 0 new" in capsys.readouterr().out
    assert main(["sync", "--tenant", T1, "--since", "2026-11-01"]) == 0  # a re-read adds nothing
    assert "12 calls, 0 new, 12 duplicates" in capsys.readouterr().out


def test_sync_all_configured_tenants_one_failing(capsys, fake_graph, env):
    fake_graph.tenants[T1] = tenant_with(calls_in_november(3), secret="another-secret")
    fake_graph.tenants[T2] = FakeTenant(
        secret=SECRET, users=[graph_user("zoe@fabrikam.com")], calls=calls_in_november(4)
    )
    code = main(["sync"])  # SYNC_TENANTS
    out, err = capsys.readouterr()
    assert code == 1
    assert f"tenant {T1}: 0 users" in out and "FAILED" in out and "client secret" in out
    assert f"tenant {T2}: 1 users, 4 calls, 4 new" in out
    assert SECRET not in out + err and "another-secret" not in out + err


def test_sync_without_a_client_id_is_a_usage_error(capsys, monkeypatch, env):
    monkeypatch.delenv("GRAPH_CLIENT_ID")
    assert main(["sync", "--tenant", T1]) == 2
    assert "GRAPH_CLIENT_ID is required" in capsys.readouterr().err


def test_a_bad_setting_never_echoes_the_secret(capsys, monkeypatch, env):
    monkeypatch.setenv("GRAPH_ENDPOINT", "http://graph.example.com")
    assert main(["sync", "--tenant", T1]) == 2
    err = capsys.readouterr().err
    assert "GRAPH_ENDPOINT" in err and SECRET not in err


def test_sync_waits_for_a_running_sync_then_gives_up(capsys, monkeypatch, fake_graph, env):
    from bot.sync_lock import FileSchedulerLock, sync_lock_path

    fake_graph.tenants[T1] = tenant_with(calls_in_november(1), secret=SECRET)
    monkeypatch.setattr("bot.commands.sync.LOCK_WAIT_SECONDS", 1.0)
    held = FileSchedulerLock(sync_lock_path(env))
    assert held.try_acquire()
    try:
        assert main(["sync", "--tenant", T1]) == 2
        err = capsys.readouterr().err
        assert "waiting for the sync in progress" in err and "try again later" in err
        assert not fake_graph.requests  # nothing was read while the other sync ran
    finally:
        held.release()
    assert main(["sync", "--tenant", T1]) == 0


def test_sync_into_the_blob_store(capsys, fake_graph, env, monkeypatch, azurite, tmp_path):
    """STORE_BACKEND=azure-blob: the rows go to the container, the sync marks stay in DATA_DIR."""
    from bot.blob_objects import AzureBlobObjects
    from knowledge.store.shared import SharedStore

    monkeypatch.setenv("STORE_BACKEND", "azure-blob")
    monkeypatch.setenv("STORE_CONTAINER", "sync-blob")
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", azurite.connection_string)
    fake_graph.tenants[T1] = tenant_with(calls_in_november(12), secret=SECRET)
    assert main(["sync", "--tenant", T1]) == 0
    assert f"tenant {T1}: 2 users, 12 calls, 12 new" in capsys.readouterr().out
    shared = SharedStore(AzureBlobObjects(azurite.connection_string, "sync-blob"), tmp_path / "reader")
    assert shared.call_count(T1, "2026-11") == 12 and len(shared.users(T1)) == 2
    assert Store(env).tenants() == []  # nothing in the local store
    assert main(["sync", "--tenant", T1, "--since", "2026-11-01"]) == 0
    assert "12 calls, 0 new, 12 duplicates" in capsys.readouterr().out
    shared.close()


def test_sync_on_the_blob_store_takes_the_replicas_lease_not_a_local_file(
    capsys, fake_graph, env, monkeypatch, azurite
):
    """STORE_BACKEND=azure-blob: `callplan sync` is coordinated with the bot replicas through the
    container's scheduler lease (what their schedulers take), not through this machine's file."""
    from bot.blob_objects import BlobLeaseSchedulerLock, container_client
    from bot.sync_lock import FileSchedulerLock, sync_lock_path

    monkeypatch.setenv("STORE_BACKEND", "azure-blob")
    monkeypatch.setenv("STORE_CONTAINER", "sync-lease")
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", azurite.connection_string)
    monkeypatch.setattr("bot.commands.sync.LOCK_WAIT_SECONDS", 1.0)
    fake_graph.tenants[T1] = tenant_with(calls_in_november(2), secret=SECRET)
    replica = BlobLeaseSchedulerLock(container_client(azurite.connection_string, "sync-lease"))
    assert replica.try_acquire()  # a bot replica elsewhere is syncing
    try:
        assert main(["sync", "--tenant", T1]) == 2
        err = capsys.readouterr().err
        assert "another sync still holds the scheduler lease of container sync-lease" in err
        assert not fake_graph.requests
    finally:
        replica.release()

    local = FileSchedulerLock(sync_lock_path(env))  # this machine's file: not the blob store's lock
    assert local.try_acquire()
    try:
        assert main(["sync", "--tenant", T1]) == 0
    finally:
        local.release()
    assert "2 calls, 2 new" in capsys.readouterr().out
    assert replica.try_acquire()  # the command gave the lease back when it finished
    replica.release()


def test_sync_on_an_unreachable_blob_store_says_so_at_once(capsys, fake_graph, env, monkeypatch):
    """A storage that does not answer is not "another sync holds the lease": the command says
    the storage failed and does not wait out LOCK_WAIT_SECONDS (a closed loopback port)."""
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    connection = (
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
        f"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;"
    )
    monkeypatch.setenv("STORE_BACKEND", "azure-blob")
    monkeypatch.setenv("STORE_CONTAINER", "sync-down")
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", connection)
    monkeypatch.setattr("bot.commands.sync.LOCK_WAIT_SECONDS", 30.0)  # old code: waited, then blamed a sync
    fake_graph.tenants[T1] = tenant_with(calls_in_november(2), secret=SECRET)
    assert main(["sync", "--tenant", T1]) == 2
    err = capsys.readouterr().err
    assert "cannot take the scheduler lease of container sync-down: the storage did not answer" in err
    assert "another sync" not in err and not fake_graph.requests
