"""Patch: msrest's retry list built from a frozenset.

Replaces: ``msrest/universal_http/requests.py``, ``ClientRetryPolicy.safe_codes`` (msrest 0.7.1,
as pinned by botframework-connector 4.17.1). ``ClientRetryPolicy.__init__`` builds
``[i for i in range(999) if i not in self.safe_codes]`` with ``safe_codes`` a ~500-item list:
~2.8 ms for each msrest configuration, i.e. for each new ``ConnectorClient`` and
``UserTokenClient``. A frozenset with the same members gives the identical retry list.
"""
from __future__ import annotations

from msrest.universal_http.requests import ClientRetryPolicy

_SDK_SAFE_CODES = ClientRetryPolicy.safe_codes


def apply() -> bool:
    """True if this call changed it."""
    if is_applied():
        return False
    ClientRetryPolicy.safe_codes = frozenset(_SDK_SAFE_CODES)  # type: ignore[assignment]
    return True


def revert() -> bool:
    if not is_applied():
        return False
    ClientRetryPolicy.safe_codes = _SDK_SAFE_CODES
    return True


def is_applied() -> bool:
    return isinstance(ClientRetryPolicy.safe_codes, frozenset)
