"""Imports check what they are given: every rejected-row reason, unknown licences, every encoding.

Real files in the real formats, through the real detection and the real store (issue 11 item 7).
"""

from __future__ import annotations

import codecs
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from knowledge.importers.graph import parse_graph_row, read_graph_rows
from knowledge.importers.summary import RowError
from knowledge.store import Store
from knowledge.store.records import CallRecord

from .conftest import PSTN_HEADER

AS_OF = date(2025, 6, 28)


def _call(
    n: int,
    *,
    upn: str = "ann@contoso.com",
    oid: str = "",
    kind: str = "user_out",
    start: str = "2025-06-02T09:00:00Z",
    end: str = "",
    seconds: str = "120",
) -> str:
    return (
        f"u-{n},call-{n},,FR,{oid},{upn},Ann,+3314{n:04d}****,{kind},Subscriber,Domestic,France,"
        f"+3314{n:04d}****,{start},{end},{seconds},0.00,0.00,EUR,MCOPSTN1"
    )


def _write(path: Path, lines: list[str], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    text = "\r\n".join(line.replace(",", delimiter) for line in lines) + "\r\n"
    if encoding == "utf-16-le-bom":
        data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    elif encoding == "utf-16-be-bom":
        data = codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    else:
        data = text.encode(encoding)
    path.write_bytes(data)
    return path


# --- calls -------------------------------------------------------------------------------------------


def test_impossible_calls_are_rejected_with_line_and_reason(store: Store, tmp_path: Path) -> None:
    export = _write(
        tmp_path / "PSTN.calls.csv",
        [
            PSTN_HEADER,
            _call(1),  # line 2: good
            _call(2, seconds="99999999"),  # line 3: 99,999,999 s (seen in the field)
            _call(3, upn=""),  # line 4: no UPN and no object id
            _call(4, start="2025-06-02T09:00:00Z", end="2025-06-02T08:59:00Z"),  # line 5
            _call(5, upn="", oid="2c5b7a4e-1111-4222-8333-944455556666"),  # line 6: object id only: fine
            _call(6, upn="", kind="conf_out"),  # line 7: not a user call: fine
            _call(7, seconds="86400"),  # line 8: exactly 24 h: fine
        ],
    )
    summary = store.import_paths([export], "contoso")
    result = summary.files[0]
    assert (result.rows_read, result.imported, result.rejected) == (7, 4, 3)
    assert {(e.line, e.code) for e in result.errors} == {
        (3, "duration_over_limit"),
        (4, "no_user"),
        (5, "end_before_start"),
    }
    reasons = {e.line: e.reason for e in result.errors}
    assert "99999999" in reasons[3] and "24 hours" in reasons[3]
    assert "UPN" in reasons[4] and "AAD ObjectId" in reasons[4]
    assert "End Time" in reasons[5]
    assert summary.rejected_by == {"duration_over_limit": 1, "no_user": 1, "end_before_start": 1}
    # The 99,999,999 s call added nothing: pool use is lines 2 and 6 (2 min each) and the
    # 24 h call of line 8; the conf_out call of line 7 does not draw on a user pool.
    used = sum(b.used_minutes for b in store.pools("contoso", "2025-06", AS_OF))
    assert used == 2 + 2 + 1440
    assert store.call_count("contoso") == 4


def test_graph_rows_are_checked_the_same_way() -> None:
    good = {
        "id": "g-1",
        "callType": "user_out",
        "startDateTime": "2025-06-01T10:00:00Z",
        "endDateTime": "2025-06-01T10:02:00Z",
        "duration": 120,
        "userPrincipalName": "Ann@Contoso.com",
    }
    rows = [
        good,
        {**good, "id": "g-2", "duration": 99_999_999},
        {**good, "id": "g-3", "userPrincipalName": None},
        {**good, "id": "g-4", "endDateTime": "2025-06-01T09:00:00Z"},
        [1, 2],
    ]
    out = list(read_graph_rows(iter(rows), "t1"))  # any iterable: a Graph sync streams rows
    assert isinstance(out[0], CallRecord) and out[0].upn == "ann@contoso.com"
    assert [(e.line, e.code) for e in out[1:] if isinstance(e, RowError)] == [
        (2, "duration_over_limit"),
        (3, "no_user"),
        (4, "end_before_start"),
        (5, "not_an_object"),
    ]
    assert parse_graph_row(good, "t1") == out[0]
    with pytest.raises(ValueError, match="userPrincipalName nor userId"):
        parse_graph_row(rows[2], "t1")


# --- rosters -----------------------------------------------------------------------------------------


def test_roster_rows_checked_and_unknown_licences_reported_not_counted(store: Store, tmp_path: Path) -> None:
    base = _write(tmp_path / "base.csv", ["upn,usage_location,licenses", "ann@contoso.com,FR,MCOPSTN1"])
    store.import_paths([base], "contoso")
    before = {(b.country, b.plan, b.line): b.total_minutes for b in store.pools("contoso", "2025-06", AS_OF)}

    roster = _write(
        tmp_path / "users.csv",
        [
            "upn,usage_location,licenses",
            "bad-row-no-at,ZZ,NOT_A_SKU",  # line 2: the row found in the field
            "bob@contoso.com,ZZ,MCOPSTN1",  # line 3: unknown country
            "carl@contoso.com,FR,NOT_A_SKU",  # line 4: kept, warned, no pool
            "dora@contoso.com,FR,SPE_E5+NOT_A_SKU+OTHER_SKU",  # line 5: kept, warned
            "dora@contoso.com,FR,MCOPSTN1",  # line 6: twice in the file
            "@contoso.com,FR,MCOPSTN1",  # line 7: no name before @
            "eve@localhost,FR,MCOPSTN1",  # line 8: no domain
        ],
    )
    summary = store.import_paths([roster], "contoso")
    result = summary.files[0]
    assert {(e.line, e.code) for e in result.errors} == {
        (2, "bad_upn"),
        (3, "unknown_country"),
        (6, "duplicate_user"),
        (7, "bad_upn"),
        (8, "bad_upn"),
    }
    assert result.rejected_by == {"bad_upn": 3, "unknown_country": 1, "duplicate_user": 1}
    assert (result.imported, result.warnings) == (2, 2)
    assert result.unknown_licences == {"NOT_A_SKU": 2, "OTHER_SKU": 1}
    kept = {u.upn: u.licenses for u in store.users("contoso")}
    assert kept["carl@contoso.com"] == ("NOT_A_SKU",) and "bad-row-no-at" not in kept
    after = {(b.country, b.plan, b.line): b.total_minutes for b in store.pools("contoso", "2025-06", AS_OF)}
    assert after == before  # unknown SKUs never size a Calling Plan pool


def test_cli_counts_rejections_per_reason_and_warnings(capsys, tmp_path: Path) -> None:
    roster = _write(
        tmp_path / "users.csv",
        [
            "upn,usage_location,licenses",
            "bad-row-no-at,ZZ,NOT_A_SKU",
            "nope,FR,MCOPSTN1",
            "ann@contoso.com,ZZ,MCOPSTN1",
            "bob@contoso.com,FR,NOT_A_SKU",
        ],
    )
    code = main(["import", str(roster), "--tenant", "contoso", "--data-dir", str(tmp_path / "data")])
    out = capsys.readouterr().out
    assert code == 1
    assert "Rejected by reason: user principal name not an address: 2; usage location not a known country: 1" in out
    assert "warning: 1 users kept with licences the catalog does not know" in out and "NOT_A_SKU (1)" in out


# --- encodings ---------------------------------------------------------------------------------------


ENCODINGS = [
    ("utf-8", ","),
    ("utf-8-sig", ","),
    ("utf-16-le-bom", "\t"),
    ("utf-16-be-bom", ","),
    ("utf-16-le-bom", ";"),
]


@pytest.mark.parametrize("encoding, delimiter", ENCODINGS)
def test_pstn_export_in_every_encoding(tmp_path: Path, encoding: str, delimiter: str) -> None:
    lines = [PSTN_HEADER, _call(1), _call(2, seconds="99999999"), _call(3, upn="Zoé@contoso.com")]
    export = _write(tmp_path / "PSTN.calls.txt", lines, encoding, delimiter)
    store = Store(tmp_path / "data")
    try:
        summary = store.import_paths([export], "contoso")
        result = summary.files[0]
        assert result.kind == "pstn_csv" and result.error is None
        assert (result.imported, [(e.line, e.code) for e in result.errors]) == (2, [(3, "duration_over_limit")])
        assert {c.upn for c in store.calls("contoso", "2025-06")} == {"ann@contoso.com", "zoé@contoso.com"}
    finally:
        store.close()


@pytest.mark.parametrize("encoding, delimiter", ENCODINGS)
def test_admin_center_roster_in_every_encoding(tmp_path: Path, encoding: str, delimiter: str) -> None:
    roster = _write(
        tmp_path / "users.txt",
        [
            "Display name,User principal name,Usage location,Licenses,ObjectId",
            "Zoé Martin,zoe@contoso.com,France,contoso:MCOPSTN1+contoso:SPE_E5,1",
            "Bad,not-an-address,France,contoso:MCOPSTN1,2",
        ],
        encoding,
        delimiter,
    )
    store = Store(tmp_path / "data")
    try:
        result = store.import_paths([roster], "contoso").files[0]
        assert (result.kind, result.imported, result.rejected_by) == ("roster", 1, {"bad_upn": 1})
        (user,) = store.users("contoso")
        assert (user.display_name, user.usage_location, user.licenses) == ("Zoé Martin", "FR", ("MCOPSTN1", "SPE_E5"))
    finally:
        store.close()


def test_rows_from_no_file_import_through_the_same_checks(store: Store) -> None:
    # What a Graph sync does: rows straight from the API, validated one by one, committed in batches.
    from knowledge.store.importing import import_rows

    good = {
        "id": "g-1",
        "callId": "c-1",
        "callType": "user_out",
        "startDateTime": "2025-06-01T10:00:00Z",
        "duration": 120,
        "userPrincipalName": "ann@contoso.com",
        "usageCountryCode": "FR",
        "licenseCapability": "MCOPSTN1",
        "destinationContext": "Domestic",
    }
    stream = iter([good, {**good, "id": "g-2", "callId": "c-2", "duration": 10**8}, good])
    result = import_rows(store.layout, "contoso", "graph sync", read_graph_rows(stream, "contoso"))
    assert (result.rows_read, result.imported, result.duplicates) == (3, 1, 1)
    assert result.rejected_by == {"duration_over_limit": 1}
    assert [c.id for c in store.calls("contoso", "2025-06")] == ["g-1"]
