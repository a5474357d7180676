"""The Graph sync against a loopback fake Graph and identity endpoint (TLS, msal for real)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from knowledge.graph.client import GraphAuthError, GraphError
from knowledge.graph.sync import OVERLAP, read_state, sync_tenant, sync_tenants
from knowledge.store import Store
from testkit.fake_graph import NOW, T1, T2, calls_in_november, pstn_row, tenant_with
from testkit.narrow import present


def clock(moment: datetime = NOW):
    return lambda: moment


def test_paging_follows_next_link_and_imports_every_call(tmp_path, fake_graph, make_client):
    fake_graph.page_size = 100
    fake_graph.tenants[T1] = tenant_with(calls_in_november(250))
    result = sync_tenant(tmp_path, make_client(), clock())
    assert result.error is None
    assert (result.calls, result.new, result.duplicates, result.rejected) == (250, 250, 0, 0)
    pages = [path for method, path in fake_graph.requests if "getPstnCalls" in path]
    assert len(pages) == 3 and "$skiptoken=200" in pages[-1]
    store = Store(tmp_path)
    assert store.call_count(T1, "2026-11") == 250
    users = {u.upn: u for u in store.users(T1)}
    assert set(users) == {"adele@contoso.com", "bob@contoso.com"}
    assert users["adele@contoso.com"].licenses == ("MCOPSTN1", "SPE_E5")
    assert users["adele@contoso.com"].usage_location == "FR"
    pool = next(p for p in store.pools(T1, "2026-11", as_of=NOW.date()) if p.plan == "MCOPSTN1")
    assert pool.users == 2 and pool.used_minutes == 250 * 3  # 125 s rounds up to 3 min


def test_throttling_waits_for_retry_after_then_succeeds(tmp_path, fake_graph, make_client):
    fake_graph.tenants[T1] = tenant_with(calls_in_november(5), throttle=2, retry_after="7")
    sleeps: list[float] = []
    result = sync_tenant(tmp_path, make_client(sleeps=sleeps), clock())
    assert result.error is None and result.new == 5
    assert sleeps == [7.0, 7.0] and fake_graph.throttled == 2


def test_throttling_is_bounded(tmp_path, fake_graph, make_client):
    fake_graph.tenants[T1] = tenant_with(calls_in_november(5), throttle=1000, retry_after="1")
    sleeps: list[float] = []
    result = sync_tenant(tmp_path, make_client(sleeps=sleeps), clock())
    assert result.error is not None and "throttling" in result.error
    assert len(sleeps) == 4 and fake_graph.throttled == 5  # MAX_ATTEMPTS tries, no storm


def test_a_long_range_is_cut_into_windows_of_90_days(tmp_path, fake_graph, make_client):
    old = pstn_row(900, datetime(2026, 3, 10, 8, 0, tzinfo=UTC))
    fake_graph.tenants[T1] = tenant_with([old, *calls_in_november(3)])
    since = datetime(2026, 1, 1, tzinfo=UTC)
    result = sync_tenant(tmp_path, make_client(), clock(), since=since)
    assert result.error is None and result.new == 4 and result.windows == 4
    for start, end in fake_graph.windows:
        span = datetime.fromisoformat(end.replace("Z", "+00:00")) - datetime.fromisoformat(start.replace("Z", "+00:00"))
        assert span <= timedelta(days=90)


def test_the_fake_refuses_a_window_over_90_days(fake_graph, make_client):
    fake_graph.tenants[T1] = tenant_with([])
    client = make_client()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    try:
        client.get(
            "communications/callRecords/getPstnCalls(fromDateTime=2026-01-01T00:00:00Z,toDateTime=2026-05-01T00:00:00Z)"
        )
    except GraphError as exc:
        assert "400" in str(exc) and "90 days" in str(exc) and T1 in str(exc)
    else:
        raise AssertionError("a 120-day window was accepted")
    try:
        list(client.pstn_call_pages(start, start + timedelta(days=91)))
    except ValueError as exc:
        assert "90 days" in str(exc)
    else:
        raise AssertionError("the client asked for a 91-day window")


def test_incremental_sync_starts_before_the_last_end_and_counts_once(tmp_path, fake_graph, make_client):
    fake_graph.tenants[T1] = tenant_with(calls_in_november(10))
    first = sync_tenant(tmp_path, make_client(), clock())
    assert first.new == 10
    assert read_state(tmp_path, T1).synced_until == NOW
    later = NOW + timedelta(hours=6)
    fake_graph.tenants[T1].calls += [
        pstn_row(500 + n, NOW - timedelta(hours=30) + timedelta(minutes=n)) for n in range(3)
    ]  # late records, inside the overlap
    fake_graph.windows.clear()
    second = sync_tenant(tmp_path, make_client(), clock(later))
    assert fake_graph.windows == [
        ((NOW - OVERLAP).strftime("%Y-%m-%dT%H:%M:%SZ"), later.strftime("%Y-%m-%dT%H:%M:%SZ"))
    ]
    assert second.new == 3
    assert Store(tmp_path).call_count(T1, "2026-11") == 13


def test_an_interrupted_sync_resumes_without_double_counting(tmp_path, fake_graph, make_client, monkeypatch):
    import knowledge.graph.sync as sync_module

    monkeypatch.setattr(sync_module, "BATCH_ROWS", 100)  # commit every page
    fake_graph.page_size = 100
    fake_graph.tenants[T1] = tenant_with(calls_in_november(400), fail_after_pages=2)
    first = sync_tenant(tmp_path, make_client(), clock())
    assert first.error is not None and "500" in first.error
    assert first.new == 200  # two pages committed before the failure
    assert read_state(tmp_path, T1).synced_until is None  # the window did not complete
    second = sync_tenant(tmp_path, make_client(), clock())
    assert second.error is None and (second.new, second.duplicates) == (200, 200)
    assert Store(tmp_path).call_count(T1, "2026-11") == 400


def test_sync_then_file_import_of_the_same_calls_counts_once(tmp_path, fake_graph, make_client):
    calls = calls_in_november(20)
    fake_graph.tenants[T1] = tenant_with(calls)
    assert sync_tenant(tmp_path, make_client(), clock()).new == 20
    page = tmp_path / "page.json"
    page.write_text(
        json.dumps(
            {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#"
                "Collection(microsoft.graph.callRecords.pstnCallLogRow)",
                "value": calls,
            }
        )
    )
    store = Store(tmp_path)
    summary = store.import_paths([page], T1)
    assert (summary.imported, summary.duplicates) == (0, 20)
    assert store.call_count(T1, "2026-11") == 20


def test_malformed_rows_are_reported_like_bad_import_rows(tmp_path, fake_graph, make_client):
    calls: list[Any] = calls_in_november(5)
    calls[1] = {**calls[1], "startDateTime": "yesterday"}
    calls[3] = "not an object"
    fake_graph.tenants[T1] = tenant_with(calls)
    result = sync_tenant(tmp_path, make_client(), clock())
    assert (result.new, result.rejected) == (3, 2)
    assert [e.line for e in result.errors] == [2, 4]
    assert "not a JSON object" in result.errors[1].reason


def test_a_bad_secret_is_one_clear_error_naming_the_tenant(tmp_path, fake_graph, make_client):
    fake_graph.tenants[T1] = tenant_with(calls_in_november(3))
    client = make_client(secret="Zq9-not-the-secret")
    try:
        client.token()
    except GraphAuthError as exc:
        assert T1 in str(exc) and "secret" in str(exc) and "Zq9-not-the-secret" not in str(exc)
    else:
        raise AssertionError("a wrong secret got a token")
    result = sync_tenant(tmp_path, make_client(secret="wrong"), clock())
    assert result.error is not None and "invalid_client" in result.error
    token_posts = [p for m, p in fake_graph.requests if m == "POST"]
    assert len(token_posts) == 2  # one per attempt above: no retry storm
    assert read_state(tmp_path, T1).last_error == result.error


def test_two_tenants_one_failing_the_other_syncs(tmp_path, fake_graph, make_client):
    fake_graph.tenants[T1] = tenant_with(calls_in_november(4), consented=False)
    fake_graph.tenants[T2] = tenant_with(calls_in_november(6))
    results = sync_tenants(tmp_path, [make_client(T1), make_client(T2)], clock())
    by_tenant = {r.tenant_id: r for r in results}
    assert "not consented" in present(by_tenant[T1].error) and by_tenant[T1].new == 0
    assert by_tenant[T2].error is None and by_tenant[T2].new == 6
    assert Store(tmp_path).tenants() == [T2]


def test_a_next_link_to_another_host_is_not_followed(tmp_path, fake_graph, make_client, monkeypatch):
    fake_graph.tenants[T1] = tenant_with(calls_in_november(3))
    client = make_client()
    page = {"value": [], "@odata.nextLink": "https://attacker.example/v1.0/users?$skiptoken=1"}
    monkeypatch.setattr(client, "get", lambda url, real=client.get: page if url == "first" else real(url))
    try:
        list(client.pages("first"))
    except GraphError as exc:
        assert "refusing a link outside" in str(exc)
    else:
        raise AssertionError("followed a nextLink to another host")
    assert not any("attacker" in path for _, path in fake_graph.requests)


def test_an_unexpected_failure_is_recorded_as_a_run(tmp_path, fake_graph, make_client, monkeypatch):
    import knowledge.graph.sync as sync_module

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(sync_module, "sync_tenant", boom)
    [result] = sync_tenants(tmp_path, [make_client()], clock())
    assert "disk on fire" in present(result.error)
    assert read_state(tmp_path, T1).last_run == NOW  # the scheduler waits an interval before retrying


def test_a_certificate_instead_of_a_secret(tmp_path):
    from knowledge.graph.client import GraphConfig

    pem = tmp_path / "app.pem"
    pem.write_text("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n")
    config = GraphConfig(client_id="app", certificate_path=pem, certificate_thumbprint="AB12")
    assert config.credential() == {"private_key": pem.read_text(), "thumbprint": "AB12"}
    try:
        GraphConfig(client_id="app").credential()
    except ValueError as exc:
        assert "GRAPH_CLIENT_SECRET" in str(exc)
    else:
        raise AssertionError("no credential was accepted")


def test_a_missing_permission_names_the_tenant_and_what_to_grant(tmp_path, fake_graph, make_client):
    fake_graph.tenants[T1] = tenant_with(calls_in_november(2), calls_forbidden=True)
    result = sync_tenant(tmp_path, make_client(), clock())
    error = present(result.error)
    assert "403" in error and "Authorization_RequestDenied" in error
    assert "permissions" in error and "consent" in error
    assert result.users == 2  # the users were synced before the calls were refused
    assert len([p for _, p in fake_graph.requests if "getPstnCalls" in p]) == 1  # not retried


def test_a_damaged_state_file_means_a_fresh_start_not_a_stuck_tenant(tmp_path, fake_graph, make_client):
    from knowledge.graph.sync import state_path

    fake_graph.tenants[T1] = tenant_with(calls_in_november(5))
    assert sync_tenant(tmp_path, make_client(), clock()).new == 5
    state_path(tmp_path, T1).write_text("{not json")
    again = sync_tenant(tmp_path, make_client(), clock())
    assert again.error is None and (again.new, again.duplicates) == (0, 5)
    assert read_state(tmp_path, T1).synced_until == NOW
