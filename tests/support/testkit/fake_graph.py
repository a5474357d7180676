"""A loopback fake of Microsoft Graph and the Entra identity endpoint, over TLS (trustme).

msal accepts only an https authority, so the fake speaks TLS with a throw-away CA whose PEM
the client trusts through ``GRAPH_CA_BUNDLE`` (see ../shared/notes/graph-sync.md). It runs an
aiohttp server on its own thread and loop, so synchronous code (the sync, the CLI in a
subprocess, the bench) and async tests can all use it.

Per tenant: a secret, users, subscribed SKUs and getPstnCalls rows. It pages like Graph
(``@odata.nextLink``), refuses windows over 90 days (400), can throttle (429 + Retry-After),
refuses a wrong secret (401 invalid_client) and an unconsented tenant (400 AADSTS700016), and
records every request so tests can assert what the client asked.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import trustme
from aiohttp import web

_WINDOW = re.compile(r"getPstnCalls\(fromDateTime=([^,]+),toDateTime=([^)]+)\)")


@dataclass
class FakeTenant:
    secret: str = "s3cret"
    consented: bool = True
    users: list[dict[str, Any]] = field(default_factory=list)
    skus: list[dict[str, Any]] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    #: Answer this many Graph requests with 429 before serving them.
    throttle: int = 0
    retry_after: str = "3"
    #: Fail a getPstnCalls page request (500) once this many pages were served (-1: never).
    fail_after_pages: int = -1
    #: The app lacks CallRecords.Read.All here: getPstnCalls answers 403.
    calls_forbidden: bool = False


class FakeGraph:
    def __init__(self, tmp: Path, page_size: int = 1000) -> None:
        self.tenants: dict[str, FakeTenant] = {}
        self.page_size = page_size
        self.requests: list[tuple[str, str]] = []  # (method, path with query)
        self.windows: list[tuple[str, str]] = []
        self.throttled = 0
        self.pages_served = 0
        self._windows_cache: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        self.ca_file = tmp / "fake-graph-ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_file))
        self._ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(self._ssl)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.base = ""

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeGraph:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._openid)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_get("/v1.0/users", self._users)
        app.router.add_get("/v1.0/subscribedSkus", self._skus)
        app.router.add_get("/v1.0/communications/callRecords/{fn:getPstnCalls.*}", self._calls)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self._ssl)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"https://127.0.0.1:{port}"

    def close(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    @property
    def authority(self) -> str:
        return self.base

    @property
    def endpoint(self) -> str:
        return f"{self.base}/v1.0"

    def env(self, tenants: list[str], secret: str = "s3cret") -> dict[str, str]:
        """The bot/CLI settings that point a client at this fake."""
        return {
            "GRAPH_CLIENT_ID": "11111111-2222-3333-4444-555555555555",
            "GRAPH_CLIENT_SECRET": secret,
            "GRAPH_AUTHORITY": self.authority,
            "GRAPH_ENDPOINT": self.endpoint,
            "GRAPH_CA_BUNDLE": str(self.ca_file),
            "SYNC_TENANTS": ",".join(tenants),
        }

    # --- identity -----------------------------------------------------------------------------

    async def _openid(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        self.requests.append(("GET", request.path_qs))
        return web.json_response(
            {
                "token_endpoint": f"{self.base}/{tenant}/oauth2/v2.0/token",
                "authorization_endpoint": f"{self.base}/{tenant}/oauth2/v2.0/authorize",
                "issuer": f"{self.base}/{tenant}/v2.0",
            }
        )

    async def _token(self, request: web.Request) -> web.Response:
        tenant_id = request.match_info["tenant"]
        self.requests.append(("POST", request.path_qs))
        form = await request.post()
        tenant = self.tenants.get(tenant_id)
        if tenant is None or not tenant.consented:
            return web.json_response(
                {
                    "error": "unauthorized_client",
                    "error_description": f"AADSTS700016: Application with identifier '{form.get('client_id')!s}' "
                    f"was not found in the directory '{tenant_id}'.",
                },
                status=400,
            )
        if form.get("client_secret") != tenant.secret:
            return web.json_response(
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                },
                status=401,
            )
        return web.json_response({"token_type": "Bearer", "expires_in": 3599, "access_token": f"token-{tenant_id}"})

    # --- graph ----------------------------------------------------------------------------------

    def _tenant(self, request: web.Request) -> tuple[str, FakeTenant] | web.Response:
        self.requests.append(("GET", request.path_qs))
        auth = request.headers.get("Authorization", "")
        tenant_id = auth.removeprefix("Bearer token-")
        tenant = self.tenants.get(tenant_id) if auth.startswith("Bearer token-") else None
        if tenant is None:
            return web.json_response(
                {"error": {"code": "InvalidAuthenticationToken", "message": "Access token is empty."}}, status=401
            )
        if tenant.throttle > 0:
            tenant.throttle -= 1
            self.throttled += 1
            return web.json_response(
                {"error": {"code": "TooManyRequests", "message": "throttled"}},
                status=429,
                headers={"Retry-After": tenant.retry_after},
            )
        return tenant_id, tenant

    def _page(self, request: web.Request, rows: list[dict[str, Any]], context: str) -> web.Response:
        skip = int(request.query.get("$skiptoken", "0"))
        page = rows[skip : skip + self.page_size]
        body: dict[str, Any] = {"@odata.context": context, "value": page}
        if skip + self.page_size < len(rows):
            query = dict(request.query)
            query["$skiptoken"] = str(skip + self.page_size)
            body["@odata.nextLink"] = str(request.url.with_query(query).with_scheme("https"))
        return web.json_response(body)

    async def _users(self, request: web.Request) -> web.Response:
        found = self._tenant(request)
        if isinstance(found, web.Response):
            return found
        return self._page(request, found[1].users, f"{self.endpoint}/$metadata#users")

    async def _skus(self, request: web.Request) -> web.Response:
        found = self._tenant(request)
        if isinstance(found, web.Response):
            return found
        return web.json_response({"value": found[1].skus})

    async def _calls(self, request: web.Request) -> web.Response:
        found = self._tenant(request)
        if isinstance(found, web.Response):
            return found
        _, tenant = found
        if tenant.calls_forbidden:
            return web.json_response(
                {
                    "error": {
                        "code": "Authorization_RequestDenied",
                        "message": "Insufficient privileges to complete the operation.",
                    }
                },
                status=403,
            )
        match = _WINDOW.search(unquote(request.path))
        if not match:
            return web.json_response({"error": {"code": "BadRequest", "message": "no window"}}, status=400)
        start, end = (datetime.fromisoformat(part.replace("Z", "+00:00")) for part in match.groups())
        if end - start > timedelta(days=90) or end < start:
            return web.json_response(
                {"error": {"code": "BadRequest", "message": "The date range cannot exceed 90 days."}}, status=400
            )
        if tenant.fail_after_pages >= 0 and self.pages_served >= tenant.fail_after_pages:
            tenant.fail_after_pages = -1
            return web.json_response({"error": {"code": "InternalServerError", "message": "boom"}}, status=500)
        if "$skiptoken" not in request.query:
            self.windows.append((match.group(1), match.group(2)))
        key = (id(tenant), start, end, len(tenant.calls), id(tenant.calls))
        rows = self._windows_cache.get(key)
        if rows is None:  # one filter per window, not per page (the bench serves 100k rows)
            rows = self._windows_cache[key] = [row for row in tenant.calls if _in_window(row, start, end)]
        self.pages_served += 1
        return self._page(
            request, rows, f"{self.endpoint}/$metadata#Collection(microsoft.graph.callRecords.pstnCallLogRow)"
        )


def _in_window(row: Any, start: datetime, end: datetime) -> bool:
    """A malformed row (the tests' bad input) is served in every window."""
    try:
        return start <= datetime.fromisoformat(row["startDateTime"].replace("Z", "+00:00")) <= end
    except (TypeError, KeyError, ValueError, AttributeError):
        return True


def pstn_row(
    n: int,
    start: datetime,
    *,
    upn: str = "adele@contoso.com",
    duration: int = 125,
    call_type: str = "user_out",
    country: str = "FR",
    capability: str = "MCOPSTN1",
) -> dict[str, Any]:
    """A pstnCallLogRow as Graph v1.0 returns it (fields of the fact sheet §9.3)."""
    end = start + timedelta(seconds=duration)
    return {
        "id": f"9c4984c7-6c3c-427d-a30c-{n:012d}",
        "callId": f"1835317186_{n}",
        "userId": "db03c14b-06eb-4189-939b-7cbf3a20ba27",
        "userPrincipalName": upn,
        "userDisplayName": upn.split("@")[0].title(),
        "startDateTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "endDateTime": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration": duration,
        "charge": 0.0,
        "callType": call_type,
        "currency": "EUR",
        "calleeNumber": "+33145678901",
        "usageCountryCode": country,
        "tenantCountryCode": country,
        "connectionCharge": 0.0,
        "callerNumber": "+33123456789",
        "destinationContext": "Domestic",
        "destinationName": "France",
        "conferenceId": None,
        "licenseCapability": capability,
        "inventoryType": "Subscriber",
        "operator": "Microsoft",
        "callDurationSource": "microsoft",
    }


#: Two tenant ids and the tests' clock (no test reads the wall clock).
T1 = "0f6b1a2c-3d4e-4f50-8a1b-2c3d4e5f6a7b"
T2 = "9e8d7c6b-5a49-4382-b1a0-f9e8d7c6b5a4"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def calls_in_november(count: int, first: int = 0) -> list[dict[str, Any]]:
    """``count`` outbound calls of 125 s, seven minutes apart from 2 November 2026."""
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    return [pstn_row(first + n, start + timedelta(minutes=7 * n)) for n in range(count)]


def tenant_with(calls: list[dict[str, Any]], **kwargs: Any) -> FakeTenant:
    """Two French users with E5 + Domestic Calling Plan, and ``calls``."""
    users = [graph_user("adele@contoso.com", n=1), graph_user("bob@contoso.com", n=2)]
    return FakeTenant(users=users, skus=[SKU_DOMESTIC, SKU_E5], calls=calls, **kwargs)


SKU_E5 = {"skuId": "06ebc4ee-1bb5-47dd-8120-11324bc54e06", "skuPartNumber": "SPE_E5"}
SKU_DOMESTIC = {"skuId": "0dab259f-bf13-4952-b7f8-7db8f131b28d", "skuPartNumber": "MCOPSTN1"}


def graph_user(
    upn: str, country: str | None = "FR", skus: tuple[dict[str, Any], ...] = (SKU_E5, SKU_DOMESTIC), n: int = 1
) -> dict[str, Any]:
    return {
        "id": f"aaaaaaaa-0000-0000-0000-{n:012d}",
        "userPrincipalName": upn,
        "displayName": upn.split("@")[0].title(),
        "usageLocation": country,
        "assignedLicenses": [{"skuId": s["skuId"], "disabledPlans": []} for s in skus],
    }
