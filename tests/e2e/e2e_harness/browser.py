"""Debian's Chromium, headless and offline, through Playwright for Python.

Why this way (verified, see ../shared/notes/teams-tooling.md): ``playwright install``
downloads a browser and fails here, so Playwright drives the system ``chromium``.
Playwright gives every ``launch()`` a fresh temporary profile (it refuses a
``--user-data-dir`` flag), so no state leaks between runs. The playground UI asks a CDN
for fonts: every request that does not go to loopback is aborted (and remembered, so a
test can show what was blocked), which keeps the run offline and fast.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:  # Playwright is imported lazily: see e2e_harness/__init__.py
    from playwright.sync_api import Browser, BrowserContext, Playwright, Route, ViewportSize

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # /dev/shm is small in containers; Debian's wrapper script means to add this too.
    "--disable-dev-shm-usage",
)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
VIEWPORT: ViewportSize = {"width": 1400, "height": 1000}


def chromium_path() -> str:
    path = shutil.which("chromium")
    if not path:
        raise RuntimeError(
            "Debian's chromium is not installed: `apt-get install -y chromium` "
            "(`make e2e` does it); never `playwright install`"
        )
    return path


def launch_chromium(playwright: Playwright, timeout_ms: float = 30_000) -> Browser:
    return playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=list(CHROMIUM_ARGS), timeout=timeout_ms
    )


def is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return (parts.hostname or "") in LOOPBACK_HOSTS


@dataclass
class OfflineContext:
    """A browser context that only reaches loopback; ``blocked`` lists what it refused."""

    context: BrowserContext
    blocked: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.context.close()


def offline_context(
    browser: Browser, *, default_timeout_ms: float = 15_000, locale: str | None = None
) -> OfflineContext:
    """A fresh context (own cookies/storage) with every non-loopback request aborted and
    every Playwright wait bounded by ``default_timeout_ms`` unless told otherwise."""
    context = browser.new_context(viewport=VIEWPORT, locale=locale)
    context.set_default_timeout(default_timeout_ms)
    context.set_default_navigation_timeout(max(default_timeout_ms, 30_000))
    result = OfflineContext(context)

    def route(route: Route) -> None:
        url = route.request.url
        if is_loopback(url):
            route.continue_()
        else:
            result.blocked.append(url)
            route.abort()

    context.route("**/*", route)
    return result
