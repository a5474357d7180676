"""A demo tenant, written as the files Microsoft's tools export, then imported like real data.

Why files and not rows in the store: the demo then exercises exactly what an admin's data goes
through (detection, the three importers, dedupe, the summary), and the files under
``DATA_DIR/demo/`` show a new user what to export themselves:

* ``active-users.csv``: the Microsoft 365 admin center *Active users* export (31 columns,
  usage location as a country name, ``contoso:SKU+contoso:SKU`` licences);
* ``Calls.Export.<date>.zip``: the Teams admin center PSTN usage export (``PSTN.calls.*.csv``
  with the 20 documented columns, ``DirectRouting.calls.*.csv`` and ``parameters.json``);
* ``graph/getPstnCalls.page-N.json``: Graph ``getPstnCalls`` pages for the last two days,
  which the admin center export (24-48 h behind) does not have yet.

Users sit in France, the UK, Germany and the US on Domestic (MCOPSTN1), Domestic and
International (MCOPSTN2) and 120-minute (MCOPSTN5) plans. The calls cover the previous full
UTC month and the current one up to ``now`` (the store's clock), so pools, history and
forecasts look real even on the 1st. Each month is drawn from a seeded generator keyed on the
month, so a later run writes the same calls (same ids) plus the newer ones, and the import adds
only those. The UK 120-minute pool is the one near exhaustion: a campaign burns 45% of it on
the 1st and its pace runs it out before the month ends. The organization is in France, so
external numbers are masked to 4 digits.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import random
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from knowledge.clock import as_utc
from knowledge.importers.pstn_csv import PSTN_COLUMNS
from knowledge.importers.summary import ImportSummary
from knowledge.store.usage_store import DEFAULT_TENANT_ID, Store

DEMO_SEED = 4242
TENANT_PREFIX = "contoso"
DOMAIN = "contoso.com"

ADMIN_CENTER_COLUMNS = (
    "Block credential",
    "City",
    "Country/Region",
    "Department",
    "DirSyncEnabled",
    "Display name",
    "Fax",
    "First name",
    "Last dirsync time",
    "Last name",
    "Last password change time stamp",
    "License assignment details",
    "Licenses",
    "Mobile Phone",
    "ObjectId",
    "Office",
    "Password never expires",
    "Phone number",
    "Postal code",
    "Preferred data location",
    "Preferred language",
    "Proxy addresses",
    "Release track",
    "Soft deletion time stamp",
    "State",
    "Street address",
    "Strong password required",
    "Title",
    "Usage location",
    "User principal name",
    "When created",
)
DIRECT_ROUTING_COLUMNS = (
    "CorrelationId",
    "AAD ObjectId",
    "UPN",
    "Display Name",
    "User country",
    "Invite time",
    "Start time",
    "Failure time",
    "End time",
    "Duration (seconds)",
    "Success",
    "Caller Number",
    "Callee Number",
    "Call type",
    "Azure region for Media",
    "Azure region for Signaling",
    "Final SIP code",
    "Final Microsoft subcode",
    "Final SIP Phrase",
    "SBC FQDN",
    "Media bypass",
    "Shared correlation ID",
)
GRAPH_CONTEXT = "https://graph.microsoft.com/v1.0/$metadata#Collection(microsoft.graph.callRecords.pstnCallLogRow)"


@dataclass(frozen=True)
class _Office:
    country: str  # ISO
    name: str  # as the admin center writes it
    city: str
    prefix: str  # E.164 prefix of local numbers
    digits: int  # digits after the prefix
    currency: str

    def number(self, rng: random.Random) -> str:
        return f"{self.prefix}{rng.randrange(10 ** (self.digits - 1), 10**self.digits)}"


OFFICES = {
    "FR": _Office("FR", "France", "Paris", "+3314", 7, "EUR"),
    "GB": _Office("GB", "United Kingdom", "London", "+44207", 7, "GBP"),
    "DE": _Office("DE", "Germany", "Berlin", "+4930", 8, "EUR"),
    "US": _Office("US", "United States", "Seattle", "+1206", 7, "USD"),
}

#: (country, plan, how many users, base licences, share of the domestic / international
#: allowance used over the whole month). MCOPSTN5 in GB is the pool near exhaustion.
TEAMS = (
    ("FR", "MCOPSTN1", 8, "SPE_E5", 0.55, 0.0),
    ("FR", "MCOPSTN2", 2, "SPE_E5", 0.40, 0.50),
    ("GB", "MCOPSTN1", 3, "ENTERPRISEPACK+MCOEV", 0.35, 0.0),
    ("GB", "MCOPSTN5", 5, "SPE_E5", 1.10, 0.0),
    ("DE", "MCOPSTN1", 4, "SPE_E5", 0.30, 0.0),
    ("DE", "MCOPSTN2", 1, "SPE_E5", 0.25, 0.60),
    ("US", "MCOPSTN1", 3, "SPE_E5", 0.45, 0.0),
    ("US", "MCOPSTN2", 2, "SPE_E5", 0.30, 0.70),
)
MINUTES = {
    ("MCOPSTN1", "US"): 3000,
    ("MCOPSTN2", "US"): 3000,
    "MCOPSTN1": 1200,
    "MCOPSTN2": 1200,
    "MCOPSTN5": 120,
    "international": 600,
}
BURST_SHARE = 0.45  # of the near-exhaustion pool, spent on the 1st

FIRST_NAMES = (
    "Alice",
    "Bastien",
    "Camille",
    "Dorian",
    "Elodie",
    "Fabien",
    "Gaelle",
    "Hugo",
    "Ines",
    "Jules",
    "Keith",
    "Laura",
    "Megan",
    "Nathan",
    "Olivia",
    "Priya",
    "Quentin",
    "Rachel",
    "Sophie",
    "Tobias",
    "Ulrike",
    "Volker",
    "Wendy",
    "Xavier",
    "Yasmin",
    "Zoe",
    "Aaron",
    "Brooke",
    "Carlos",
    "Dana",
)
LAST_NAMES = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Wilson",
    "Patel",
    "Evans",
    "Walker",
    "Muller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Johnson",
    "Williams",
    "Garcia",
    "Miller",
    "Davis",
)


@dataclass(frozen=True)
class _User:
    upn: str
    object_id: str
    first: str
    last: str
    office: _Office
    plan: str | None
    licences: str
    number: str

    @property
    def display_name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(frozen=True)
class _Call:
    id: str
    call_id: str
    user: _User | None  # None: a call to the auto attendant
    call_type: str
    scope: str | None  # Domestic / International / None for inbound
    destination: str  # country dialled (or of the caller for inbound)
    external: str  # the other party's number, masked
    start: datetime
    seconds: int
    capability: str
    charge: float


def _users() -> list[_User]:
    rng = random.Random(DEMO_SEED)
    users: list[_User] = []
    serial = 0
    for country, plan, count, base, _, _ in TEAMS:
        for _ in range(count):
            users.append(_make_user(rng, serial, OFFICES[country], plan, f"{base}+{plan}"))
            serial += 1
    users.append(_make_user(rng, serial, OFFICES["DE"], None, "SPE_E5"))
    users.append(_make_user(rng, serial + 1, OFFICES["US"], None, "ENTERPRISEPACK"))
    return users


def _make_user(rng: random.Random, serial: int, office: _Office, plan: str | None, licences: str) -> _User:
    first, last = FIRST_NAMES[serial % len(FIRST_NAMES)], LAST_NAMES[(serial * 7) % len(LAST_NAMES)]
    return _User(
        upn=f"{first.lower()}.{last.lower()}@{DOMAIN}",
        object_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        first=first,
        last=last,
        office=office,
        plan=plan,
        licences=licences,
        number=office.number(rng),
    )


def _mask(number: str) -> str:
    return number[:-4] + "****"


def _external(rng: random.Random, office: _Office) -> str:
    return _mask(office.number(rng))


def _month_calls(year: int, month: int) -> list[_Call]:
    """Every call of the demo month, whatever ``now`` is (filtered later)."""
    rng = random.Random(f"{DEMO_SEED}:{year:04d}-{month:02d}")
    days = calendar.monthrange(year, month)[1]
    users = _users()
    calls: list[_Call] = []

    def ident() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    def moment(day: int, first_hour: int = 7, last_hour: int = 18) -> datetime:
        return datetime(
            year, month, day, rng.randint(first_hour, last_hour), rng.randrange(60), rng.randrange(60), tzinfo=UTC
        )

    def add(
        user: _User | None,
        call_type: str,
        scope: str | None,
        office: _Office,
        start: datetime,
        seconds: int,
        capability: str,
        charge: float = 0.0,
    ) -> None:
        calls.append(
            _Call(
                ident(),
                ident(),
                user,
                call_type,
                scope,
                office.name,
                _external(rng, office),
                start,
                seconds,
                capability,
                charge,
            )
        )

    teams = {(c, p): (dom, intl) for c, p, _, _, dom, intl in TEAMS}
    abroad = {"FR": "DE", "GB": "FR", "DE": "GB", "US": "GB"}
    for user in users:
        if user.plan is None:
            continue
        home = user.office
        dom_share, intl_share = teams[(home.country, user.plan)]
        allowance = MINUTES.get((user.plan, home.country), MINUTES[user.plan])
        budgets = [("Domestic", home, round(allowance * dom_share))]
        if intl_share:
            budgets.append(
                ("International", OFFICES[abroad[home.country]], round(MINUTES["international"] * intl_share))
            )
        for scope, office, budget in budgets:
            if user.plan == "MCOPSTN5":  # the campaign on the 1st
                burst = round(allowance * BURST_SHARE)
                while burst > 0:
                    minutes = min(burst, rng.randint(3, 12))
                    add(user, "user_out", scope, office, moment(1, 7, 11), minutes * 60 - rng.randrange(60), user.plan)
                    burst -= minutes
                    budget -= minutes
            while budget > 0:
                minutes = min(budget, rng.randint(1, 15))
                kind = rng.choices(
                    ("user_out", "user_out_transfer", "user_out_forwarding", "user_out_conf"), (80, 10, 6, 4)
                )[0]
                add(
                    user, kind, scope, office, moment(rng.randint(1, days)), minutes * 60 - rng.randrange(60), user.plan
                )
                budget -= minutes
        for _ in range(rng.randint(8, 20)):  # inbound: unlimited, never in a pool
            add(user, "user_in", None, home, moment(rng.randint(1, days)), rng.randint(20, 900), user.plan)
        if user.plan == "MCOPSTN1" and rng.random() < 0.5:  # abroad on a Domestic plan: credits
            minutes = rng.randint(2, 9)
            add(
                user,
                "user_out",
                "International",
                OFFICES[abroad[home.country]],
                moment(rng.randint(1, days)),
                minutes * 60,
                user.plan,
                round(0.12 * minutes, 2),
            )
    for _ in range(40):  # the Paris auto attendant and the conference bridge
        add(
            None,
            "ucap_in",
            None,
            OFFICES["FR"],
            moment(rng.randint(1, days)),
            rng.randint(15, 240),
            "MCOEV_VIRTUALUSER",
        )
    calls.sort(key=lambda call: (call.start, call.id))
    return calls


def _pstn_row(call: _Call) -> dict[str, str]:
    user = call.user
    outbound = "_out" in call.call_type
    own = user.number if user else "+33187650000"
    return {
        "UsageId": call.id,
        "Call ID": call.call_id,
        "Conference ID": "",
        "User Location": user.office.country if user else "FR",
        "AAD ObjectId": user.object_id if user else "",
        "UPN": user.upn if user else "",
        "User Display Name": user.display_name if user else "Main line (auto attendant)",
        "Caller ID": call.external,
        "Call Type": call.call_type,
        "Number Type": "Subscriber" if user else "Service",
        "Domestic/International": call.scope or "",
        "Destination Dialed": call.destination,
        "Destination Number": call.external if outbound else own,
        "Start Time": _iso7(call.start),
        "End Time": _iso7(call.start + timedelta(seconds=call.seconds)),
        "Duration Seconds": str(call.seconds),
        "Connection Fee": "0.00",
        "Charge": f"{call.charge:.2f}",
        "Currency": user.office.currency if user else "EUR",
        "Capability": call.capability,
    }


def _graph_row(call: _Call) -> dict[str, object]:
    user = call.user
    outbound = "_out" in call.call_type
    own = user.number if user else "+33187650000"
    return {
        "id": call.id,
        "callId": call.call_id,
        "userId": user.object_id if user else None,
        "userPrincipalName": user.upn if user else None,
        "userDisplayName": user.display_name if user else "Main line (auto attendant)",
        "startDateTime": call.start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "endDateTime": (call.start + timedelta(seconds=call.seconds)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration": call.seconds,
        "charge": call.charge,
        "callType": call.call_type,
        "currency": user.office.currency if user else "EUR",
        "calleeNumber": call.external if outbound else own,
        "usageCountryCode": user.office.country if user else "FR",
        "tenantCountryCode": "FR",
        "connectionCharge": 0.0,
        "callerNumber": own if outbound else call.external,
        "destinationContext": call.scope,
        "destinationName": call.destination,
        "conferenceId": None,
        "licenseCapability": call.capability,
        "inventoryType": "Subscriber" if user else "Service",
        "operator": "Microsoft",
        "callDurationSource": "microsoft",
    }


def _iso7(moment: datetime) -> str:
    """The admin center's export style: seven fractional digits and a Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.0000000Z")


def _csv_bytes(columns: tuple[str, ...], rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _roster_bytes(users: list[_User]) -> bytes:
    rows = []
    for user in users:
        row = {column: "" for column in ADMIN_CENTER_COLUMNS}
        row.update(
            {
                "Block credential": "False",
                "City": user.office.city,
                "Country/Region": user.office.name,
                "Department": "Sales",
                "Display name": user.display_name,
                "First name": user.first,
                "Last name": user.last,
                "Licenses": "+".join(f"{TENANT_PREFIX}:{sku}" for sku in user.licences.split("+")),
                "ObjectId": user.object_id,
                "Password never expires": "False",
                "Phone number": user.number,
                "Preferred language": "en-US",
                "Proxy addresses": f"SMTP:{user.upn}",
                "Strong password required": "True",
                "Usage location": user.office.name,
                "User principal name": user.upn,
                "When created": "1/10/2023 8:00:00 AM",
            }
        )
        rows.append(row)
    room = {column: "" for column in ADMIN_CENTER_COLUMNS}
    room.update(
        {
            "Block credential": "True",
            "Display name": "Board room",
            "Licenses": "Unlicensed",
            "ObjectId": "00000000-0000-4000-8000-00000000b0a4",
            "User principal name": f"boardroom@{DOMAIN}",
            "When created": "1/10/2023 8:00:00 AM",
        }
    )
    rows.append(room)
    return _csv_bytes(ADMIN_CENTER_COLUMNS, rows)


def previous_month(moment: datetime) -> tuple[int, int]:
    """(year, month) of the month before ``moment``'s."""
    return (moment.year - 1, 12) if moment.month == 1 else (moment.year, moment.month - 1)


def demo_calls(now: datetime) -> list[_Call]:
    """The previous full month's calls and this month's up to ``now``, oldest first."""
    calls = _month_calls(*previous_month(now)) + _month_calls(now.year, now.month)
    return [call for call in calls if call.start < now]


def write_demo_files(folder: Path | str, now: datetime) -> list[Path]:
    """Write the demo exports into ``folder`` (replacing earlier ones) as they would be at
    ``now``; returns their paths. The previous month and this month up to two days ago are in
    the Teams admin center export; the last two days in Graph pages."""
    folder = Path(folder)
    now = as_utc(now)
    calls = demo_calls(now)
    graph_since = now - timedelta(days=2)
    tac = [call for call in calls if call.start < graph_since]
    recent = [call for call in calls if call.start >= graph_since]
    stamp = (graph_since if tac else now).strftime("%Y-%m-%d")

    from knowledge.store.atomic import atomic_write_bytes  # the one way to write a file

    for old in folder.glob("Calls.Export.*.zip"):
        old.unlink()
    for old in (folder / "graph").glob("getPstnCalls.page-*.json"):
        old.unlink()
    roster = folder / "active-users.csv"
    atomic_write_bytes(roster, _roster_bytes(_users()))

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr(f"PSTN.calls.{stamp}.csv", _csv_bytes(PSTN_COLUMNS, [_pstn_row(c) for c in tac]))
        zipped.writestr(f"DirectRouting.calls.{stamp}.csv", _csv_bytes(DIRECT_ROUTING_COLUMNS, []))
        zipped.writestr(
            "parameters.json",
            json.dumps(
                {
                    "From": "{:04d}-{:02d}-01T00:00:00Z".format(*previous_month(now)),
                    "To": graph_since.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "Capabilities": sorted({team[1] for team in TEAMS}),
                },
                indent=2,
            ),
        )
    export = folder / f"Calls.Export.{now:%Y%m%d}.zip"
    atomic_write_bytes(export, archive.getvalue())

    rows = [_graph_row(call) for call in recent]
    half = (len(rows) + 1) // 2
    pages = [rows[:half], rows[half:]]
    paths = [roster, export]
    for number, page_rows in enumerate(pages, start=1):
        page: dict[str, object] = {"@odata.context": GRAPH_CONTEXT, "@odata.count": len(page_rows), "value": page_rows}
        if number < len(pages):
            page["@odata.nextLink"] = (
                "https://graph.microsoft.com/v1.0/communications/callRecords/"
                f"getPstnCalls(fromDateTime={graph_since:%Y-%m-%dT%H:%M:%SZ},"
                f"toDateTime={now:%Y-%m-%dT%H:%M:%SZ})?$skip={half}"
            )
        path = folder / "graph" / f"getPstnCalls.page-{number}.json"
        atomic_write_bytes(path, json.dumps(page, indent=2, ensure_ascii=False).encode("utf-8"))
    paths.append(folder / "graph")
    return paths


def load_demo(store: Store, now: datetime | None = None) -> ImportSummary:
    """Write the demo files under ``DATA_DIR/demo`` as of ``now`` (default: the store's clock)
    and import them as ``DEFAULT_TENANT_ID``."""
    paths = write_demo_files(store.layout.data_dir / "demo", now or store.clock())
    return store.import_paths(paths, tenant_id=DEFAULT_TENANT_ID)
