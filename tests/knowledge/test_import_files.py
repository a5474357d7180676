"""Importers on real-format files: detection by content, row parsing, row errors, file errors."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from knowledge.importers.detect import ImportFileError, detect_sources, open_text
from knowledge.importers.fields import other_party_number, parse_utc
from knowledge.importers.pstn_csv import read_pstn_csv
from knowledge.importers.roster import parse_licenses, read_roster
from knowledge.importers.summary import RowError
from knowledge.store.records import CallRecord, UserRecord
from testkit.narrow import all_of, present


def _kinds(sources) -> list[tuple[str, str]]:
    return [(Path(s.label.split("!")[-1]).name, s.kind) for s in sources]


# --- detection ------------------------------------------------------------------------------------


def test_detects_by_content_not_by_name(fixtures: Path, tmp_path: Path) -> None:
    # Renamed files: names say nothing, content decides.
    shutil.copy(fixtures / "Calls.Export" / "PSTN.calls.2025-06-30.csv", tmp_path / "a.txt")
    shutil.copy(fixtures / "users.admin-center.csv", tmp_path / "b.dat")
    shutil.copy(fixtures / "users.plain.csv", tmp_path / "c")
    shutil.copy(fixtures / "getPstnCalls.array.json", tmp_path / "d.csv")
    sources = detect_sources([tmp_path / name for name in ("a.txt", "b.dat", "c", "d.csv")])
    assert [s.kind for s in sources] == ["pstn_csv", "roster", "roster", "graph"]


def test_zip_members_are_detected_and_others_skipped_with_a_note(export_zip: Path) -> None:
    sources = detect_sources([export_zip])
    kinds = dict(_kinds(sources))
    assert kinds == {
        "DirectRouting.calls.2025-06-30.csv": "skipped",
        "PSTN.calls.2025-06-30.csv": "pstn_csv",
        "parameters.json": "skipped",
    }
    notes = {Path(s.label.split("!")[-1]).name: s.note for s in sources}
    assert "Direct Routing" in present(notes["DirectRouting.calls.2025-06-30.csv"])
    assert all(s.label.startswith(f"{export_zip}!") for s in sources)


def test_folder_of_graph_pages_in_order(fixtures: Path) -> None:
    sources = detect_sources([fixtures / "graph_pages"])
    assert _kinds(sources) == [("getPstnCalls.page-1.json", "graph"), ("getPstnCalls.page-2.json", "graph")]
    # Inside a folder, @odata.nextLink is expected: no note. Alone, the page says more exist.
    assert sources[0].note is None
    alone = detect_sources([fixtures / "graph_pages" / "getPstnCalls.page-1.json"])
    assert "nextLink" in present(alone[0].note)


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"hello,world\n1,2\n", "not a PSTN usage export"),
        (b'{"value": [', "not valid JSON"),
        (b'{"something": "else"}', "not a PSTN usage export"),
        (b"", "not a PSTN usage export"),
    ],
)
def test_unrecognized_file_is_an_error(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "mystery.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=expected):
        detect_sources([path])


def test_missing_path_and_empty_folder_and_bad_zip(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="no such file"):
        detect_sources([tmp_path / "nope.csv"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(ImportFileError, match="holds no"):
        detect_sources([tmp_path / "empty"])
    junk = tmp_path / "Calls.Export.zip"
    with zipfile.ZipFile(junk, "w") as archive:
        archive.writestr("readme.txt", "nothing to see")
    with pytest.raises(ImportFileError, match="zip holds no"):
        detect_sources([junk])
    with pytest.raises(ImportFileError, match="no files"):
        detect_sources([])


# --- TAC PSTN CSV ------------------------------------------------------------------------------------


def _read_csv(path: Path, tenant: str = "t1") -> list[CallRecord | RowError]:
    with path.open("rb") as handle:
        return list(read_pstn_csv(open_text(handle), tenant))


def test_pstn_csv_rows_become_normalized_utc_records(fixtures: Path) -> None:
    rows = all_of(CallRecord, _read_csv(fixtures / "Calls.Export" / "PSTN.calls.2025-06-30.csv"))
    assert len(rows) == 14
    by_id = {r.id[-2:]: r for r in rows}
    first = by_id["01"]
    assert first.id == "5f0c2a10-7d3e-4b8a-9c61-000000000001"
    assert first.start == datetime(2025, 6, 2, 8, 1, 13, tzinfo=UTC)
    assert first.duration_seconds == 600 and first.capability == "MCOPSTN1"
    assert first.usage_location == "FR" and first.upn == "alice@contoso.com"
    assert first.number == "+3314567****"  # masked numbers are kept as they are
    assert first.tenant_id == "t1" and first.source == "pstn_csv"
    # "+02:00" in the file is stored as UTC.
    assert by_id["14"].start == datetime(2025, 6, 15, 8, 0, tzinfo=UTC)
    assert by_id["14"].start.utcoffset() == timedelta(0)
    # Inbound: the other party is the masked caller, not the user's own number.
    assert by_id["04"].call_type == "user_in" and by_id["04"].number == "+3356789****"
    # A bot call has no user.
    assert by_id["11"].upn is None and by_id["11"].user_id is None
    assert by_id["09"].charge == 1.2


def test_pstn_csv_bad_rows_have_line_numbers_and_good_rows_survive(fixtures: Path) -> None:
    rows = _read_csv(fixtures / "PSTN.calls.bad-rows.csv")
    errors = [(r.line, r.reason) for r in rows if isinstance(r, RowError)]
    good = [r.id[-3:] for r in rows if isinstance(r, CallRecord)]
    assert good == ["101", "104", "107"]
    assert [line for line, _ in errors] == [3, 4, 7, 8, 11]
    reasons = dict(errors)
    assert "Start Time '2025-13-45T00:00:00Z'" in reasons[3]
    assert "negative" in reasons[4]
    assert "UsageId is empty" in reasons[7]
    assert "expected 20 fields, found 3" in reasons[8]
    assert "'Narnia'" in reasons[11]
    # The record spanning lines 5-6 (a quoted newline) kept its display name.
    assert [r for r in rows if isinstance(r, CallRecord)][1].user_display_name == "Bob\nBernard (Lyon)"


def test_pstn_csv_columns_in_any_order_extra_columns_tolerated(fixtures: Path, tmp_path: Path) -> None:
    source = (fixtures / "Calls.Export" / "PSTN.calls.2025-06-30.csv").read_text("utf-8-sig").splitlines()
    header = source[0].split(",")
    order = list(reversed(range(len(header))))
    lines = [",".join([header[i] for i in order] + ["Extra"])]
    for line in source[1:]:
        cells = line.split(",")
        lines.append(",".join([cells[i] for i in order] + ["x"]))
    shuffled = tmp_path / "shuffled.csv"
    shuffled.write_text("\n".join(lines) + "\n", encoding="utf-8")
    original = _read_csv(fixtures / "Calls.Export" / "PSTN.calls.2025-06-30.csv")
    assert _read_csv(shuffled) == original


def test_pstn_csv_missing_required_column_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "PSTN.calls.csv"
    path.write_text("UsageId,Call Type,Start Time,Duration Seconds\nabc,user_out,2025-06-01T00:00:00Z,60\n")
    with pytest.raises(ValueError, match="missing columns User Location, UPN, Capability"):
        _read_csv(path)


# --- Graph ------------------------------------------------------------------------------------------


def test_graph_array_rows(fixtures: Path) -> None:
    from knowledge.importers.graph import read_graph_rows

    rows = all_of(CallRecord, read_graph_rows(json.loads((fixtures / "getPstnCalls.array.json").read_text()), "t1"))
    assert [r.call_type for r in rows] == ["user_out", "user_out_conf"]
    international = rows[0]
    assert international.source == "graph" and international.destination_context == "International"
    assert international.number == "+1206555****"  # the callee, not the user's own callerNumber
    assert international.start == datetime(2025, 6, 20, 18, 0, tzinfo=UTC)
    assert international.duration_seconds == 630


def test_graph_bad_rows_report_their_position() -> None:
    from knowledge.importers.graph import read_graph_rows

    good = {
        "id": "A-1",
        "callType": "user_out",
        "startDateTime": "2025-06-01T10:00:00Z",
        "duration": 60,
        "userPrincipalName": "ann@contoso.com",
    }
    rows = [
        good,
        "oops",
        {**good, "id": ""},
        {**good, "id": "A-4", "duration": -1},
        {**good, "id": "A-5", "startDateTime": "yesterday"},
        {**good, "id": "A-6", "duration": 1.5},
    ]
    out = list(read_graph_rows(rows, "t1"))
    assert isinstance(out[0], CallRecord) and out[0].id == "a-1"  # ids compared lower-cased
    errors = [(r.line, r.reason) for r in out if isinstance(r, RowError)]
    assert [line for line, _ in errors] == [2, 3, 4, 5, 6]
    assert "not a JSON object" in errors[0][1]
    assert "id is empty" in errors[1][1]
    assert "negative" in errors[2][1]
    assert "'yesterday'" in errors[3][1]
    assert "whole number" in errors[4][1]


@pytest.mark.parametrize(
    "outbound, caller, callee, expected",
    [
        (True, "+33187650003", "+1206555****", "+1206555****"),  # v1.0 shape, callee masked
        (True, "+1206555****", "+33187650003", "+1206555****"),  # beta reading, caller masked
        (False, "+3314999****", "+33187650003", "+3314999****"),  # inbound: masked caller
        (False, "+33187650003", "+3314999****", "+3314999****"),
        (True, "+33187650003", "+12065550100", "+12065550100"),  # nothing masked: callee
        (False, "+33187650003", "+12065550100", "+33187650003"),  # nothing masked: caller
        (True, None, "", None),
        (True, "+3311", None, "+3311"),
    ],
)
def test_other_party_number(outbound: bool, caller, callee, expected) -> None:
    assert other_party_number(outbound, caller, callee) == expected


def test_times_without_offset_are_utc_and_offsets_are_converted() -> None:
    assert parse_utc("2025-06-01 10:00:00", "t") == datetime(2025, 6, 1, 10, tzinfo=UTC)
    assert parse_utc("2025-06-01T10:00:00-05:00", "t") == datetime(2025, 6, 1, 15, tzinfo=UTC)
    assert parse_utc("2025-06-01T10:00:00.1234567Z", "t").microsecond == 123456
    with pytest.raises(ValueError, match="not an ISO 8601"):
        parse_utc("01/06/2025", "Start Time")


# --- rosters ----------------------------------------------------------------------------------------


def _read_roster(path: Path) -> list[UserRecord | RowError]:
    with path.open("rb") as handle:
        return list(read_roster(open_text(handle), "t1"))


def test_admin_center_roster(fixtures: Path) -> None:
    users = {u.upn: u for u in all_of(UserRecord, _read_roster(fixtures / "users.admin-center.csv"))}
    assert len(users) == 8
    assert users["alice@contoso.com"].licenses == ("MCOPSTN1", "SPE_E5")
    assert users["alice@contoso.com"].usage_location == "FR"  # from "France"
    assert users["chloe@contoso.com"].usage_location == "FR"  # from "FR"
    assert users["chloe@contoso.com"].display_name == "Chloé Dubois"
    assert users["dave@contoso.com"].usage_location == "GB"  # from "United Kingdom"
    assert users["frank@contoso.com"].object_id == "1a1e0f3e-2b52-4c1d-9a6e-000000000006"
    assert users["henry@contoso.com"].licenses == () and users["henry@contoso.com"].usage_location is None


def test_plain_roster_with_bad_rows(fixtures: Path) -> None:
    rows = _read_roster(fixtures / "users.plain.csv")
    users = [r for r in rows if isinstance(r, UserRecord)]
    errors = [(r.line, r.reason) for r in rows if isinstance(r, RowError)]
    assert [(u.upn, u.usage_location, u.licenses) for u in users] == [
        ("ivan@contoso.com", "DE", ("MCOPSTN1", "SPE_E5")),
        ("judy@contoso.com", "US", ("MCOPSTN2",)),
    ]
    assert [line for line, _ in errors] == [4, 5, 6]
    assert "'Atlantis'" in errors[0][1]
    assert "empty" in errors[1][1]
    assert "already on line 2" in errors[2][1]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("contoso:SPE_E5+contoso:MCOPSTN1", ("MCOPSTN1", "SPE_E5")),
        ("Unlicensed", ()),
        ("", ()),
        ("mcopstn2; spe_e3", ("MCOPSTN2", "SPE_E3")),
        ("contoso:MCOPSTN1+contoso:MCOPSTN1", ("MCOPSTN1",)),
    ],
)
def test_parse_licenses(text: str, expected: tuple[str, ...]) -> None:
    assert parse_licenses(text) == expected
