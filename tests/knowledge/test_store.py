"""The store on real files: pools against hand-computed figures, dedupe, tenants, reading.

Hand computation for the fixture files, June 2025, as of 2025-06-20 (20 of 30 days elapsed).
Every call is rounded up to the whole minute; only outbound user calls (user_out,
user_out_transfer, user_out_forwarding, user_out_conf) of a Calling Plan count.

Pool sizes (users.admin-center.csv):
  FR MCOPSTN1 domestic       alice, bob            2 x 1200 = 2400
  FR MCOPSTN2 domestic       chloe                 1 x 1200 = 1200
  FR MCOPSTN2 international  chloe                 1 x  600 =  600
  GB MCOPSTN5 domestic       dave, erin            2 x  120 =  240
  US MCOPSTN1 domestic       frank                 1 x 3000 = 3000
  (grace has E5 only, henry is unlicensed: no pool)

Use (zip: PSTN.calls.2025-06-30.csv; graph_pages/; getPstnCalls.array.json):
  FR MCOPSTN1 dom   r1 600 s=10, r2 61 s=2, r3 transfer 120 s=2, r14 180 s=3       = 17 (4 calls)
                    (r4 inbound, r9 international on a Domestic plan, r12 conf_out: none;
                     r13 started 2025-05-31 23:59:30Z: May, 5 min)
  FR MCOPSTN2 intl  r5 300 s=5, array 630 s=11                                       = 16 (2 calls)
  FR MCOPSTN2 dom   r6 59 s=1, array user_out_conf 240 s=4                           =  5 (2 calls)
  GB MCOPSTN5 dom   r7 3600 s=60, r8 forwarding 4200 s=70, page-1 3000 s=50, 1200 s=20 = 200 (4)
  US MCOPSTN1 dom   r10 1800 s=30, page-2 3600 s=60                                  = 90 (2 calls)
GB runs out: 200 min in 20 days -> 240 reached on day ceil(240 * 20 / 200) = 24.
"""

from __future__ import annotations

import io
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from knowledge.importers.detect import ImportFileError
from knowledge.store import DEFAULT_TENANT_ID, Store, StoreError
from knowledge.store.records import CallRecord
from testkit.narrow import all_of

from .conftest import both_backends

AS_OF = date(2025, 6, 20)

# (country, plan, line): (users, total, used, remaining, percent, calls, runs_out_on)
EXPECTED_JUNE = {
    ("FR", "MCOPSTN1", "domestic"): (2, 2400, 17, 2383, 0.71, 4, None),
    ("FR", "MCOPSTN2", "domestic"): (1, 1200, 5, 1195, 0.42, 2, None),
    ("FR", "MCOPSTN2", "international"): (1, 600, 16, 584, 2.67, 2, None),
    ("GB", "MCOPSTN5", "domestic"): (2, 240, 200, 40, 83.33, 4, date(2025, 6, 24)),
    ("US", "MCOPSTN1", "domestic"): (1, 3000, 90, 2910, 3.0, 2, None),
}


def _figures(balances) -> dict:
    return {
        (b.country, b.plan, b.line): (
            b.users,
            b.total_minutes,
            b.used_minutes,
            b.remaining_minutes,
            b.percent_used,
            b.calls,
            b.runs_out_on,
        )
        for b in balances
    }


def _import_everything(store: Store, fixtures: Path, export_zip: Path):
    return store.import_paths(
        [
            fixtures / "users.admin-center.csv",
            export_zip,
            fixtures / "graph_pages",
            fixtures / "getPstnCalls.array.json",
        ],
        tenant_id="contoso",
    )


@both_backends
def test_pools_from_every_format_match_hand_computed_figures(store, fixtures, export_zip) -> None:
    summary = _import_everything(store, fixtures, export_zip)
    assert summary.ok and summary.tenant_id == "contoso"
    per_kind = [(f.kind, f.rows_read, f.imported, f.duplicates, f.rejected) for f in summary.files]
    assert per_kind == [
        ("roster", 8, 8, 0, 0),
        ("skipped", 0, 0, 0, 0),  # DirectRouting.calls (zip members in name order)
        ("pstn_csv", 14, 14, 0, 0),
        ("skipped", 0, 0, 0, 0),  # parameters.json
        ("graph", 2, 2, 0, 0),
        ("graph", 2, 2, 0, 0),
        ("graph", 2, 2, 0, 0),
    ]
    assert (summary.rows_read, summary.imported, summary.duplicates, summary.rejected) == (28, 28, 0, 0)

    june = store.pools("contoso", "2025-06", AS_OF)
    assert _figures(june) == EXPECTED_JUNE
    gb = next(b for b in june if b.plan == "MCOPSTN5")
    assert not gb.exhausted and gb.overage_minutes == 0 and gb.month == "2025-06"

    may = {(b.country, b.plan, b.line): b.used_minutes for b in store.pools("contoso", "2025-05", AS_OF)}
    assert may[("FR", "MCOPSTN1", "domestic")] == 5 and sum(may.values()) == 5

    assert store.call_count("contoso") == 20 and store.months("contoso") == ["2025-05", "2025-06"]
    assert store.tenants() == ["contoso"] and not store.is_empty()


def test_reimporting_adds_nothing(store, fixtures, export_zip, tmp_path) -> None:
    _import_everything(store, fixtures, export_zip)
    files_before = sorted(
        p.relative_to(tmp_path) for p in (tmp_path / "data" / "store").rglob("*.json") if p.name != "imports.json"
    )
    again = _import_everything(store, fixtures, export_zip)
    assert (again.rows_read, again.imported, again.duplicates, again.rejected) == (28, 0, 28, 0)
    # The loose CSV holds the same calls as the zip: duplicates too.
    loose = store.import_paths([fixtures / "Calls.Export" / "PSTN.calls.2025-06-30.csv"], "contoso")
    assert (loose.imported, loose.duplicates) == (0, 14)
    assert _figures(store.pools("contoso", "2025-06", AS_OF)) == EXPECTED_JUNE
    assert store.call_count("contoso") == 20
    files_after = sorted(
        p.relative_to(tmp_path) for p in (tmp_path / "data" / "store").rglob("*.json") if p.name != "imports.json"
    )
    assert files_after == files_before  # nothing was even rewritten


def _graph_time(tac: str) -> str:
    """A TAC time (``...T08:01:13.0000000Z`` or ``...T10:00:00+02:00``) as Graph prints it (UTC)."""
    from datetime import datetime

    whole, offset = tac[:19], tac[19:].lstrip(".0123456789") or "Z"
    moment = datetime.fromisoformat(whole + ("+00:00" if offset == "Z" else offset))
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _as_graph_page(csv_path: Path, out: Path, *, keep=lambda row: True) -> Path:
    """The calls of a TAC PSTN export as Graph ``getPstnCalls`` returns them: the same calls
    under Graph's names, with Graph's own ids (never the TAC UsageId) and whole-second times."""
    import csv
    import json

    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if keep(row)]
    value = [
        {
            "id": f"9b7e4d21-0000-4000-8000-{n:012d}",
            "callId": row["Call ID"],
            "userId": row["AAD ObjectId"] or None,
            "userPrincipalName": row["UPN"].upper(),  # Graph and TAC may differ in case
            "userDisplayName": row["User Display Name"],
            "startDateTime": _graph_time(row["Start Time"]),
            "endDateTime": _graph_time(row["End Time"]) if row["End Time"] else None,
            "duration": int(row["Duration Seconds"]),
            "charge": 0.0,
            "connectionCharge": 0.0,
            "currency": row["Currency"],
            "callType": row["Call Type"],
            "calleeNumber": row["Destination Number"],
            "callerNumber": "+33100000000",
            "usageCountryCode": row["User Location"],
            "destinationContext": row["Domestic/International"],
            "destinationName": row["Destination Dialed"],
            "licenseCapability": row["Capability"],
            "conferenceId": None,
            "inventoryType": "Subscriber",
            "operator": "Microsoft",
            "callDurationSource": "microsoft",
        }
        for n, row in enumerate(rows)
    ]
    out.write_text(
        json.dumps(
            {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection("
                "microsoft.graph.callRecords.pstnCallLogRow)",
                "@odata.count": len(value),
                "value": value,
            }
        ),
        encoding="utf-8",
    )
    return out


@both_backends
def test_a_call_in_both_the_tac_export_and_graph_counts_once(store, fixtures, export_zip, tmp_path) -> None:
    _import_everything(store, fixtures, export_zip)
    csv_path = fixtures / "Calls.Export" / "PSTN.calls.2025-06-30.csv"
    graph = store.import_paths([_as_graph_page(csv_path, tmp_path / "overlap.json")], "contoso")
    assert (graph.rows_read, graph.imported, graph.duplicates, graph.rejected) == (14, 0, 14, 0)
    assert _figures(store.pools("contoso", "2025-06", AS_OF)) == EXPECTED_JUNE
    assert store.call_count("contoso") == 20


@both_backends
def test_graph_first_then_the_tac_export_counts_once_too(store, fixtures, export_zip, tmp_path) -> None:
    """Either order; and a batch holding both copies keeps one."""
    csv_path = fixtures / "Calls.Export" / "PSTN.calls.2025-06-30.csv"
    page = _as_graph_page(csv_path, tmp_path / "first.json", keep=lambda row: row["UPN"].startswith("alice"))
    first = store.import_paths([fixtures / "users.admin-center.csv", page], "contoso").files[1]
    assert first.imported > 0
    rest = store.import_paths([export_zip, fixtures / "graph_pages", fixtures / "getPstnCalls.array.json"], "contoso")
    assert rest.imported + first.imported == 20 and rest.duplicates == first.imported
    assert _figures(store.pools("contoso", "2025-06", AS_OF)) == EXPECTED_JUNE


@both_backends
def test_calls_sharing_a_call_id_are_not_merged(store, make_pstn_csv, tmp_path) -> None:
    """Call ID alone is "not unique" (a conference, a transfer): other users or other legs count."""
    path = make_pstn_csv(3)
    text = path.read_text(encoding="utf-8").replace("call-0-1,", "call-0-0,").replace("call-0-2,", "call-0-0,")
    path.write_text(text, encoding="utf-8")
    summary = store.import_paths([path], "contoso")
    assert (summary.imported, summary.duplicates) == (3, 0)


def test_a_store_from_before_match_keys_still_matches(store, fixtures, export_zip, tmp_path) -> None:
    """Sidecars written before match keys held ids only: their keys are computed from the calls."""
    _import_everything(store, fixtures, export_zip)
    store.close()
    for sidecar in (tmp_path / "data" / "store").rglob("*.ids"):
        lines = sidecar.read_text("utf-8").split("\n")
        assert "# match keys" in lines
        sidecar.write_text("\n".join(lines[: lines.index("# match keys")]), "utf-8")
    reopened = Store(tmp_path / "data")
    try:
        csv_path = fixtures / "Calls.Export" / "PSTN.calls.2025-06-30.csv"
        graph = reopened.import_paths([_as_graph_page(csv_path, tmp_path / "overlap.json")], "contoso")
        assert (graph.imported, graph.duplicates) == (0, 14)
    finally:
        reopened.close()


def test_each_month_is_sized_by_the_roster_of_its_time(store, clock, fixtures, tmp_path) -> None:
    """Rosters imported in May and in July: June keeps May's sizes, July has its own, and a
    month before the first roster uses May's and says it is later."""
    clock.set(datetime(2025, 5, 20, 9, 0, tzinfo=UTC))
    store.import_paths([fixtures / "users.admin-center.csv"], "contoso")
    fr_may = {(b.country, b.plan, b.line): b for b in store.pools("contoso", "2025-05", AS_OF)}
    fr_users = fr_may[("FR", "MCOPSTN1", "domestic")].users
    assert fr_users >= 2

    clock.set(datetime(2025, 7, 3, 9, 0, tzinfo=UTC))
    changed = tmp_path / "july.csv"
    changed.write_text("upn,usage_location,licenses\nbob@contoso.com,FR,SPE_E5\n")  # Bob loses his plan
    store.import_paths([changed], "contoso")

    def fr(month):
        balance = next(
            b
            for b in store.pools("contoso", month, AS_OF)
            if (b.country, b.plan, b.line) == ("FR", "MCOPSTN1", "domestic")
        )
        return balance.users, balance.roster_month, balance.roster_is_later

    assert fr("2025-06") == (fr_users, "2025-05", False)
    assert fr("2025-07") == (fr_users - 1, "2025-07", False)
    assert fr("2025-12") == (fr_users - 1, "2025-07", False)
    assert fr("2025-04") == (fr_users, "2025-05", True)
    store.close()
    reopened = Store(tmp_path / "data")  # the history is in the committed summary
    try:
        june = next(b for b in reopened.pools("contoso", "2025-06", AS_OF) if b.country == "FR")
        assert (june.users, june.roster_month) == (fr_users, "2025-05")
    finally:
        reopened.close()


def test_a_store_from_before_roster_history_uses_its_one_roster(store, fixtures, tmp_path) -> None:
    import json

    store.import_paths([fixtures / "users.admin-center.csv"], "contoso")
    expected = {(b.country, b.plan, b.line): b.total_minutes for b in store.pools("contoso", "2025-06", AS_OF)}
    store.close()
    summary_path = next((tmp_path / "data" / "store").rglob("summary.json"))
    summary = json.loads(summary_path.read_text())
    # What the store wrote before roster history: one set of sizes, no months.
    summary["pool_sizes"] = next(iter(summary.pop("roster_sizes").values()))
    summary_path.write_text(json.dumps(summary))
    reopened = Store(tmp_path / "data")
    try:
        balances = reopened.pools("contoso", "2025-06", AS_OF)
        assert {(b.country, b.plan, b.line): b.total_minutes for b in balances} == expected
        assert all(b.roster_month is None and not b.roster_is_later for b in balances)
    finally:
        reopened.close()


@both_backends
def test_bad_rows_are_reported_and_good_rows_count(store, fixtures, export_zip) -> None:
    _import_everything(store, fixtures, export_zip)
    summary = store.import_paths([fixtures / "PSTN.calls.bad-rows.csv"], "contoso")
    result = summary.files[0]
    assert (result.rows_read, result.imported, result.rejected) == (8, 3, 5)
    assert [e.line for e in result.errors] == [3, 4, 7, 8, 11]
    assert not summary.ok
    figures = _figures(store.pools("contoso", "2025-06", AS_OF))
    # Good rows: alice 120 s = 2 and bob 60 s = 1 (FR), frank 600 s = 10 (US).
    assert figures[("FR", "MCOPSTN1", "domestic")][2] == 17 + 3
    assert figures[("US", "MCOPSTN1", "domestic")][2] == 90 + 10


@both_backends
def test_roster_updates_change_pool_sizes(store, fixtures, tmp_path) -> None:
    store.import_paths([fixtures / "users.admin-center.csv"], "contoso")
    plain = store.import_paths([fixtures / "users.plain.csv"], "contoso").files[0]
    assert (plain.imported, plain.rejected) == (2, 3)
    sizes = {(b.country, b.plan, b.line): (b.users, b.total_minutes) for b in store.pools("contoso", "2025-06", AS_OF)}
    assert sizes[("DE", "MCOPSTN1", "domestic")] == (1, 1200)  # ivan
    assert sizes[("US", "MCOPSTN2", "domestic")] == (1, 3000)  # judy
    assert sizes[("US", "MCOPSTN2", "international")] == (1, 600)

    # Bob loses his Calling Plan: one changed user, the French pool halves.
    changed = tmp_path / "bob.csv"
    changed.write_text("upn,usage_location,licenses\nbob@contoso.com,FR,SPE_E5\nalice@contoso.com,FR,SPE_E5+MCOPSTN1\n")
    result = store.import_paths([changed], "contoso").files[0]
    assert (result.imported, result.duplicates) == (1, 1)
    sizes = {(b.country, b.plan, b.line): (b.users, b.total_minutes) for b in store.pools("contoso", "2025-06", AS_OF)}
    assert sizes[("FR", "MCOPSTN1", "domestic")] == (1, 1200)
    bob = store.find_user("contoso", "bob")
    assert bob.licenses == ("SPE_E5",)
    assert bob.display_name == "Bob Bernard"  # the plain roster has no names: kept
    assert len(store.users("contoso")) == 10


def test_pool_lookup_reads_only_the_summary(store, fixtures, export_zip, tmp_path) -> None:
    _import_everything(store, fixtures, export_zip)
    tenant_dir = tmp_path / "data" / "store" / "tenants" / "contoso"
    shutil.move(tenant_dir / "calls", tmp_path / "calls-away")
    fresh = Store(tmp_path / "data")  # no cache: must come from the summary alone
    assert _figures(fresh.pools("contoso", "2025-06", AS_OF)) == EXPECTED_JUNE
    assert (tenant_dir / "summary.json").stat().st_size < 8 * 1024


@both_backends
def test_stored_calls_read_back_exactly(store, fixtures, export_zip) -> None:
    from knowledge.importers.detect import open_text
    from knowledge.importers.pstn_csv import read_pstn_csv

    store.import_paths([export_zip], "contoso")
    with (fixtures / "Calls.Export" / "PSTN.calls.2025-06-30.csv").open("rb") as handle:
        expected = {c.id: c for c in all_of(CallRecord, read_pstn_csv(open_text(handle), "contoso"))}
    stored = {c.id: c for m in store.months("contoso") for c in store.calls("contoso", m)}
    assert stored == expected


@both_backends
def test_tenants_are_isolated(store, fixtures, export_zip, make_pstn_csv) -> None:
    _import_everything(store, fixtures, export_zip)
    other = make_pstn_csv(10)
    store.import_paths([other], "fabrikam.onmicrosoft.com")
    store.import_paths([fixtures / "users.plain.csv"], "fabrikam.onmicrosoft.com")
    assert store.tenants() == ["contoso", "fabrikam.onmicrosoft.com"]
    assert {u.upn for u in store.users("fabrikam.onmicrosoft.com")} == {"ivan@contoso.com", "judy@contoso.com"}
    assert store.find_user("fabrikam.onmicrosoft.com", "alice@contoso.com") is None
    assert store.find_user("contoso", "ivan") is None
    fabrikam = _figures(store.pools("fabrikam.onmicrosoft.com", "2025-06", AS_OF))
    assert fabrikam[("FR", "MCOPSTN1", "domestic")][2] == 20  # its 10 calls x 2 min, nobody else's
    assert _figures(store.pools("contoso", "2025-06", AS_OF)) == EXPECTED_JUNE
    assert store.call_count("fabrikam.onmicrosoft.com") == 10
    # Tenant ids are case-insensitive and never a path.
    assert store.call_count("CONTOSO") == 20
    for bad in ("../contoso", "a/b", "", ".hidden", "x" * 200):
        with pytest.raises(StoreError, match="not a tenant id"):
            store.pools(bad)
    assert store.users("unknown-tenant") == [] and store.pools("unknown-tenant", "2025-06") == []


@both_backends
def test_tenant_resolution(store, fixtures, make_pstn_csv) -> None:
    assert store.is_empty() and store.resolve_tenant(None) == DEFAULT_TENANT_ID
    first = store.import_paths([make_pstn_csv(3)])
    assert first.tenant_id == DEFAULT_TENANT_ID
    assert store.resolve_tenant(None) == DEFAULT_TENANT_ID  # the only one
    store.import_paths([make_pstn_csv(3, tag=1)], tenant_id="Contoso")
    assert store.resolve_tenant("Contoso") == "contoso"
    with pytest.raises(StoreError, match=r"2 tenants .*--tenant"):
        store.resolve_tenant(None)
    with pytest.raises(StoreError, match="--tenant"):
        store.import_paths([make_pstn_csv(3, tag=2)])


@both_backends
def test_unrecognized_path_imports_nothing(store, fixtures, tmp_path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("just some notes\n")
    with pytest.raises(ImportFileError, match=r"notes\.txt"):
        store.import_paths([fixtures / "users.admin-center.csv", junk], "contoso")
    assert store.is_empty() and store.users("contoso") == []


@both_backends
def test_find_user(store, fixtures) -> None:
    store.import_paths([fixtures / "users.admin-center.csv"], "contoso")
    assert store.find_user("contoso", "ALICE@contoso.com").upn == "alice@contoso.com"
    assert store.find_user("contoso", " alice ").upn == "alice@contoso.com"  # mail nickname
    assert store.find_user("contoso", "chloé dubois").upn == "chloe@contoso.com"  # display name
    assert store.find_user("contoso", "Frank Miller").usage_location == "US"
    assert store.find_user("contoso", "nobody") is None and store.find_user("contoso", "") is None


def test_ping_and_a_damaged_summary(tmp_path, fixtures) -> None:
    store = Store(tmp_path / "data")
    assert store.ping()  # an empty store that can be created is healthy
    store.import_paths([fixtures / "users.admin-center.csv"], "contoso")
    assert store.ping()
    (tmp_path / "data" / "store" / "tenants" / "contoso" / "summary.json").write_text("{ half a file")
    assert not store.ping()
    with pytest.raises(StoreError, match="damaged"):
        store.pools("contoso")
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    assert not Store(blocked).ping()


def test_import_log(store, fixtures, export_zip, tmp_path) -> None:
    import json

    _import_everything(store, fixtures, export_zip)
    log = json.loads((tmp_path / "data" / "store" / "tenants" / "contoso" / "imports.json").read_text())
    entries = list(log["imports"].values())
    # One entry per imported file (skipped zip members are not logged).
    assert [e["kind"] for e in entries] == ["roster", "pstn_csv", "graph", "graph", "graph"]
    assert entries[1]["imported"] == 14 and entries[1]["at"].endswith("+00:00")
    assert entries[1]["path"].endswith("!PSTN.calls.2025-06-30.csv")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(tmp_path, make_pstn_csv, monkeypatch) -> None:
    export = make_pstn_csv(50)
    quiet = _Terminal()
    monkeypatch.setattr("sys.stderr", quiet)
    Store(tmp_path / "a").import_paths([export], "contoso", progress=False)
    assert quiet.getvalue() == ""

    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    Store(tmp_path / "b").import_paths([export], "contoso", progress=True)
    assert export.name[-30:] in terminal.getvalue()  # tqdm drew the file's bar

    piped = __import__("io").StringIO()  # not a terminal: no bar even when asked
    monkeypatch.setattr("sys.stderr", piped)
    Store(tmp_path / "c").import_paths([export], "contoso", progress=True)
    assert piped.getvalue() == ""
