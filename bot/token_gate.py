"""What a Bot Framework token's shape alone rules out, refused before any key is fetched.

Why: the SDK fetches the Bot Framework signing keys before it looks at the token's algorithm,
so a token signed with ``alg: none``, HS256 or ES256 (never valid for the Bot Framework), one
that names its own key (``jku``, ``jwk``, ``x5u``), or one that expired long ago each cost a
key-service round trip, and a 500 with a traceback when the service was unreachable. These
checks read the token unverified; they only ever refuse. Acceptance is still the SDK's full
validation (signature, issuer, audience, endorsements), unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeGuard

import jwt
from botframework.connector.auth import AuthenticationConstants

#: The algorithms the SDK accepts (RS256/384/512).
ALLOWED_ALGORITHMS = frozenset(AuthenticationConstants.ALLOWED_SIGNING_ALGORITHMS)
#: Header fields by which a token names or carries its own key: the SDK never uses them, and
#: no Bot Framework token has them.
SELF_KEYED_HEADERS = frozenset({"jku", "jwk", "x5u"})
#: The SDK's clock tolerance on ``exp`` / ``nbf``.
CLOCK_TOLERANCE_S = 5 * 60
#: A Bot Framework token is ~1.5 KB; anything far bigger is not one.
MAX_HEADER_CHARS = 16 * 1024


def token_problem(auth_header: str, now: Callable[[], float] = time.time) -> str | None:
    """Why the ``Authorization`` header's token can be refused now, or None to let the SDK decide.

    An empty header is None: the SDK decides (local mode accepts it, a configured bot refuses).
    """
    if not auth_header:
        return None
    if len(auth_header) > MAX_HEADER_CHARS:
        return "the Authorization header is too long"
    scheme, _, token = auth_header.partition(" ")
    if scheme != "Bearer" or not token or " " in token:
        return "not a Bearer token"
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except (jwt.PyJWTError, ValueError, TypeError):
        return "not a JWT"
    alg = header.get("alg")
    if alg not in ALLOWED_ALGORITHMS:
        return "signing algorithm not allowed"
    if SELF_KEYED_HEADERS & header.keys():
        return "the token names its own key"
    if not isinstance(header.get("kid"), str) or not header["kid"]:
        return "the token has no key id"
    return _time_problem(claims, now())


def _time_problem(claims: dict[str, Any], now: float) -> str | None:
    exp, nbf = claims.get("exp"), claims.get("nbf")
    if not _is_number(exp):
        return "the token has no expiry"
    if exp + CLOCK_TOLERANCE_S < now:
        return "the token has expired"
    if nbf is not None and (not _is_number(nbf) or nbf - CLOCK_TOLERANCE_S > now):
        return "the token is not valid yet"
    return None


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
