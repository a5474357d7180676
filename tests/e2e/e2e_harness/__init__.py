"""The end-to-end harness: a real Teams-like client (Microsoft 365 Agents Playground) in
headless Chromium, driven by Playwright, talking to a bot process on loopback.

Modules: ``processes`` (start/stop children, bounded waits), ``bots`` (which bot, how to
start it), ``playground`` (the client's server), ``browser`` (Chromium, offline),
``chat`` (the page object tests use: send, wait, click card buttons, screenshots).
Nothing here imports Playwright at module level, so collecting tests/e2e in a plain
``make test`` run (where the e2e extra may be missing) never fails.
"""
