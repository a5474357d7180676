"""One tenant's Microsoft Graph session: an app-only token, then paged, throttled GETs.

Why msal + requests rather than ``azure-identity`` + ``msgraph-sdk``: the sync needs three
GETs; msal is the token library both of those build on, and it already brings ``requests``.
Everything here is synchronous: the bot runs a sync on a worker thread (``asyncio.to_thread``).

Faults are :class:`GraphError` s that name the tenant, in words an admin can act on:

* a wrong secret or an app not consented in the tenant is a :class:`GraphAuthError`, raised on
  the first attempt (no retry: retrying a refused credential only fills the sign-in logs);
* 429 and 503 are retried after their ``Retry-After`` (seconds), capped at ``MAX_RETRY_AFTER``
  per wait and ``MAX_ATTEMPTS`` per request, then a :class:`GraphError`;
* every request has a timeout (connect, read).
"""

from __future__ import annotations

import hashlib
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import msal
import requests
from pydantic import SecretStr

from knowledge.store.atomic import atomic_write_bytes

#: getPstnCalls refuses a range over 90 days (fact sheet §9.3, G_PSTN_API).
MAX_WINDOW = timedelta(days=90)
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
DEFAULT_ENDPOINT = "https://graph.microsoft.com/v1.0"
#: (connect, read) seconds for every request.
TIMEOUT = (10.0, 60.0)
#: Tries per request when Graph throttles (429) or is unavailable (503).
MAX_ATTEMPTS = 5
#: The longest single wait we honour; a longer Retry-After fails the request instead.
MAX_RETRY_AFTER = 120.0
#: The hosts whose authority msal may check with instance discovery (Microsoft clouds).
_MICROSOFT_LOGIN_HOSTS = (
    "login.microsoftonline.com",
    "login.microsoftonline.us",
    "login.chinacloudapi.cn",
    "login.microsoftonline.de",
)
#: Entra error codes that mean "this tenant has not consented / does not know the app".
_CONSENT_CODES = ("AADSTS700016", "AADSTS65001", "AADSTS90002", "AADSTS500011")
USER_FIELDS = "id,userPrincipalName,displayName,usageLocation,assignedLicenses"


class GraphError(RuntimeError):
    """A Graph or sign-in failure for one tenant; ``str()`` names the tenant."""

    def __init__(self, tenant_id: str, message: str) -> None:
        super().__init__(f"tenant {tenant_id}: {message}")
        self.tenant_id = tenant_id


class GraphAuthError(GraphError):
    """The tenant refused the app's credentials or has not consented: not retried."""


@dataclass(frozen=True)
class GraphConfig:
    """What a client needs; built from the bot's settings (``GRAPH_*``)."""

    client_id: str
    client_secret: SecretStr | None = None
    #: PEM file holding the certificate's private key (and the certificate), instead of a secret.
    certificate_path: Path | None = None
    certificate_thumbprint: str = ""
    authority: str = DEFAULT_AUTHORITY
    endpoint: str = DEFAULT_ENDPOINT
    #: An extra CA file to trust (TLS-inspecting proxy, tests), on top of the usual roots.
    ca_bundle: Path | None = None
    #: Where the usual roots and ``ca_bundle`` are written as one file (the bot's DATA_DIR):
    #: a folder the process owns, so nothing is left behind in the shared temp folder; None:
    #: the temp folder.
    bundle_dir: Path | None = None
    timeout: tuple[float, float] = TIMEOUT
    max_attempts: int = MAX_ATTEMPTS
    max_retry_after: float = MAX_RETRY_AFTER

    def credential(self) -> Any:
        if self.certificate_path is not None:
            return {"private_key": self.certificate_path.read_text("utf-8"), "thumbprint": self.certificate_thumbprint}
        if self.client_secret is None or not self.client_secret.get_secret_value():
            raise ValueError("GRAPH_CLIENT_SECRET or GRAPH_CERTIFICATE_PATH is required to sync")
        return self.client_secret.get_secret_value()

    def __repr__(self) -> str:  # never show the secret, even in a traceback's locals
        return f"GraphConfig(client_id={self.client_id!r}, authority={self.authority!r}, endpoint={self.endpoint!r})"


def build_session(ca_bundle: Path | None, bundle_dir: Path | None = None) -> requests.Session:
    """A session that trusts the usual roots plus ``ca_bundle`` (their file in ``bundle_dir``).

    ``trust_env = False``: otherwise ``REQUESTS_CA_BUNDLE`` silently replaces our ``verify``
    (see the graph-sync notes); proxies from the environment are applied by hand instead.
    """
    session = requests.Session()
    session.trust_env = False
    session.proxies.update({k: v for k, v in urllib.request.getproxies().items() if k in ("http", "https")})
    if ca_bundle is not None:
        session.verify = str(_combined_bundle(ca_bundle, bundle_dir))
    return session


def _combined_bundle(extra: Path, folder: Path | None) -> Path:
    """The default roots (certifi, as requests uses) and ``extra`` in one file, named by its
    content, in ``folder`` (the extra CA's own folder may be read-only), else the temp folder.

    Why a file: a ``verify`` path is how requests takes its roots (an ``ssl.SSLContext`` of our
    own would need an adapter overriding requests' connection-pool keys). Why not the temp
    folder when the bot has a folder of its own: each new CA (every test run makes some) left a
    230 KB file there that nothing removed."""
    import certifi

    data = Path(certifi.where()).read_bytes() + b"\n" + extra.read_bytes()
    name = f"callplan-ca-{hashlib.sha256(data).hexdigest()[:16]}.pem"
    combined = (folder or Path(tempfile.gettempdir())) / name
    if not combined.is_file():
        combined.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(combined, data)
    return combined


@dataclass
class GraphClient:
    """Graph for one tenant. ``sleep`` is injectable so tests never wait on a real clock."""

    config: GraphConfig
    tenant_id: str
    sleep: Callable[[float], None] = time.sleep
    session: requests.Session | None = None
    requests_made: int = 0
    _app: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.session is None:
            self.session = build_session(self.config.ca_bundle, self.config.bundle_dir)

    def close(self) -> None:
        if self.session is not None:
            self.session.close()

    # --- token ---------------------------------------------------------------------------

    def token(self) -> str:
        """An app-only access token (msal caches it in memory until shortly before expiry)."""
        if self._app is None:
            authority = f"{self.config.authority.rstrip('/')}/{self.tenant_id}"
            microsoft = any(host in authority for host in _MICROSOFT_LOGIN_HOSTS)
            try:
                credential = self.config.credential()
                self._app = msal.ConfidentialClientApplication(
                    self.config.client_id,
                    client_credential=credential,
                    authority=authority,
                    http_client=self.session,
                    timeout=self.config.timeout,
                    instance_discovery=microsoft,
                    validate_authority=microsoft,
                )
            except ValueError as exc:  # msal: unknown tenant / bad authority; us: no credential
                raise GraphAuthError(self.tenant_id, f"cannot sign in: {exc}") from None
            except requests.RequestException as exc:
                raise GraphError(self.tenant_id, f"the sign-in service is unreachable ({_short(exc)})") from None
        try:
            result = self._app.acquire_token_for_client(scopes=[GRAPH_SCOPE])
        except requests.RequestException as exc:
            raise GraphError(self.tenant_id, f"the sign-in service is unreachable ({_short(exc)})") from None
        except ValueError as exc:  # e.g. an HTML error page where JSON was expected
            raise GraphError(
                self.tenant_id, f"the sign-in service answered something unexpected ({_short(exc)})"
            ) from None
        if "access_token" in result:
            return str(result["access_token"])
        raise GraphAuthError(self.tenant_id, _describe_token_error(result))

    # --- requests --------------------------------------------------------------------------

    def get(self, url: str) -> dict[str, Any]:
        """GET a Graph URL (absolute, or a path under the endpoint) as JSON, throttling honoured."""
        if not url.startswith("https://") and not url.startswith("http://"):
            url = f"{self.config.endpoint.rstrip('/')}/{url.lstrip('/')}"
        elif _origin(url) != _origin(self.config.endpoint):
            # An @odata.nextLink elsewhere would receive our bearer token: never follow it.
            raise GraphError(self.tenant_id, f"refusing a link outside {_origin(self.config.endpoint)}")
        assert self.session is not None
        for attempt in range(1, self.config.max_attempts + 1):
            headers = {"Authorization": f"Bearer {self.token()}", "Accept": "application/json"}
            try:
                response = self.session.get(url, headers=headers, timeout=self.config.timeout)
            except requests.RequestException as exc:
                raise GraphError(self.tenant_id, f"Graph is unreachable ({_short(exc)})") from None
            self.requests_made += 1
            if response.status_code in (429, 503):
                wait = _retry_after(response.headers.get("Retry-After"), attempt)
                if attempt == self.config.max_attempts or wait > self.config.max_retry_after:
                    raise GraphError(
                        self.tenant_id,
                        f"Graph is still throttling ({response.status_code}) "
                        f"after {attempt} tries; the next sync will resume",
                    )
                self.sleep(wait)
                continue
            if response.status_code in (401, 403):
                raise GraphAuthError(
                    self.tenant_id,
                    _describe_graph_error(response) + "; grant the application permissions listed in the README "
                    "and an admin consent in this tenant",
                )
            if response.status_code >= 400:
                raise GraphError(self.tenant_id, _describe_graph_error(response))
            try:
                document = response.json()
            except ValueError:
                raise GraphError(self.tenant_id, f"Graph answered something that is not JSON ({url})") from None
            if not isinstance(document, dict):
                raise GraphError(self.tenant_id, "Graph answered JSON that is not an object")
            return document
        raise AssertionError("unreachable")  # pragma: no cover

    def pages(self, url: str) -> Iterator[dict[str, Any]]:
        """Every page of a collection, following ``@odata.nextLink``."""
        seen: set[str] = set()
        next_url: str | None = url
        while next_url:
            if next_url in seen:  # a server that links a page to itself must not loop us forever
                raise GraphError(self.tenant_id, "Graph returned the same @odata.nextLink twice")
            seen.add(next_url)
            page = self.get(next_url)
            yield page
            link = page.get("@odata.nextLink")
            next_url = link if isinstance(link, str) and link else None

    # --- the three things the sync reads --------------------------------------------------

    def users(self) -> Iterator[dict[str, Any]]:
        for page in self.pages(f"users?$select={USER_FIELDS}&$top=999"):
            yield from _rows(page)

    def subscribed_skus(self) -> dict[str, str]:
        """skuId (lower case) -> skuPartNumber."""
        skus: dict[str, str] = {}
        for page in self.pages("subscribedSkus"):
            for row in _rows(page):
                if isinstance(row, dict) and row.get("skuId") and row.get("skuPartNumber"):
                    skus[str(row["skuId"]).lower()] = str(row["skuPartNumber"])
        return skus

    def pstn_call_pages(self, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
        """getPstnCalls pages for one window of at most 90 days (both ends inclusive)."""
        if end - start > MAX_WINDOW:
            raise ValueError("a getPstnCalls window is at most 90 days")
        path = f"communications/callRecords/getPstnCalls(fromDateTime={_iso(start)},toDateTime={_iso(end)})"
        yield from self.pages(path)


def windows(start: datetime, end: datetime, size: timedelta = MAX_WINDOW) -> list[tuple[datetime, datetime]]:
    """``[start, end]`` cut into windows of at most ``size``, oldest first."""
    cuts = []
    cursor = start
    while cursor < end:
        stop = min(cursor + size, end)
        cuts.append((cursor, stop))
        cursor = stop
    return cuts


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.netloc or "").lower()


def _rows(page: dict[str, Any]) -> list[Any]:
    value = page.get("value")
    return value if isinstance(value, list) else []


def _iso(moment: datetime) -> str:
    return quote(moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), safe=":-TZ")


def _retry_after(header: str | None, attempt: int) -> float:
    """Seconds to wait: the header's, else exponential back-off (1, 2, 4, ... s)."""
    try:
        return max(0.0, float(header)) if header is not None else float(2 ** (attempt - 1))
    except ValueError:  # an HTTP date: rare from Graph; back off instead of parsing it
        return float(2 ** (attempt - 1))


def _describe_token_error(result: dict[str, Any]) -> str:
    error = str(result.get("error", "unknown_error"))
    description = str(result.get("error_description", "")).split("\r\n")[0].split("\n")[0]
    if error == "invalid_client":
        hint = "the client secret or certificate is wrong or expired (GRAPH_CLIENT_SECRET)"
    elif any(code in description for code in _CONSENT_CODES) or error == "unauthorized_client":
        hint = "the app is not consented in this tenant: an admin of the tenant must grant it"
    elif error == "invalid_request" and "AADSTS90002" in description:
        hint = "no such tenant"
    else:
        hint = "sign-in refused"
    return f"{hint} ({error}: {description[:200]})"


def _describe_graph_error(response: requests.Response) -> str:
    code = message = ""
    try:
        body = response.json()
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            code = str(body["error"].get("code", ""))
            message = str(body["error"].get("message", ""))
    except ValueError:
        pass
    detail = f"{code}: {message[:200]}" if code or message else response.reason or ""
    return f"Graph answered {response.status_code} ({detail})"


def _short(exc: BaseException) -> str:
    return exc.__class__.__name__
