"""The calling-plan domain: catalog, advisor, number rules, pools, store and importers.

This package imports nothing from ``bot`` or ``dialogs`` and no bot SDK, so the CLI, the
tests or a future host (Microsoft 365 Agents SDK) can use it unchanged.
"""
