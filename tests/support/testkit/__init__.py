"""Helpers the test files share. ``pythonpath = ["tests/support"]`` (pyproject) makes this package
importable as ``testkit``: with ``--import-mode=importlib`` a test file cannot import a
conftest, and fixtures suit state, not plain functions."""
