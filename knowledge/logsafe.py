"""One helper for every log field that comes from a request or a file: escaped and length-capped.

Why: an activity id, a tenant id or an exception message is attacker-controlled text. Logged
as is, a newline in it forges a log line ("...\\n2026-... INFO bot: admin logged in"), NULs and
other control characters confuse log tooling, and a 100 KB field floods the log. ``clean``
returns a single printable line: control characters, lone surrogates and other non-printable
code points become ``\\xNN`` / ``\\uNNNN`` escapes (backslashes too, so an escape can't be faked),
and anything beyond ``limit`` characters is cut with a note of how much was dropped.
"""

from __future__ import annotations

from typing import Any

#: Longest field kept whole. Bot Framework ids are < 200 characters; a tenant id is 36.
FIELD_LIMIT = 200


def clean(value: Any, limit: int = FIELD_LIMIT) -> str:
    """``value`` as one printable, bounded log field (``str()`` of it, escaped, capped)."""
    if value is None:
        return "(none)"
    text = value if isinstance(value, str) else _str(value)
    # Cap before escaping, so the work is bounded by `limit`, not by the input size.
    dropped = max(0, len(text) - limit)
    if dropped:
        text = text[:limit]
    out = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char.isprintable():
            out.append(char)
        else:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    if dropped:
        out.append(f"...(+{dropped} chars)")
    return "".join(out)


def _str(value: Any) -> str:
    try:
        return str(value)
    except Exception:  # a broken __str__ must not break the log line
        return f"<{type(value).__name__}>"
