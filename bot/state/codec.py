"""Two encodings of a state value, for two jobs: pickle for the hot path (the cache and the
journal a turn touches, ~0.01 ms), jsonpickle JSON for the key files (readable, the format of
the SDK's own storages; ~0.25 ms, paid once per checkpoint). A value pickle refuses is kept
jsonpickle-flattened. jsonpickle runs with ``keys=True`` so non-string dict keys come back
as they went in, as pickle gives them. Both formats can build any object: the data they read
must be trusted."""

from __future__ import annotations

import json
import pickle
import sys
from typing import Any

from jsonpickle.pickler import Pickler
from jsonpickle.unpickler import Unpickler

from bot.state.base import without_e_tag

#: The first byte of an encoded value: how the rest is encoded.
_PICKLED, _FLATTENED = b"P", b"J"


def _interned_keys(value: Any) -> Any:
    """``value`` with the string keys of a dict interned (a new dict), else ``value`` itself.

    Why: a state's encoding is its change fingerprint (:mod:`bot.state.scopes`), so a state
    must encode to the same bytes before and after a round trip. Pickle writes a string once
    per object and refers back to it: a property named ``"DialogState"`` set from code is the
    same (interned) string as the class name pickle writes for the ``DialogState`` in it, but
    one read back, or restored from a key file, is a copy, and the bytes differ (an extra
    write on a turn that changed nothing). Interning the top-level keys (property names) on
    both sides makes them agree; a mismatch elsewhere only costs an extra write, never a lost
    one."""
    if type(value) is not dict:
        return value
    return {sys.intern(key) if type(key) is str else key: item for key, item in value.items()}


def encode(value: Any) -> bytes:
    """A value as the cache and the journal keep it: pickled, else jsonpickle-flattened JSON."""
    return _pickled(_interned_keys(value))


def encode_state(state: Any) -> bytes:
    """``encode(without_e_tag(state))``: a state as it is compared and stored, without its
    e_tag. A dict (every scope's state) is copied once, e_tag left out and keys interned in the
    same pass, instead of once by ``without_e_tag`` and again by :func:`encode`."""
    if type(state) is not dict:
        return encode(without_e_tag(state))
    return _pickled(
        {sys.intern(key) if type(key) is str else key: item for key, item in state.items() if key != "e_tag"}
    )


def _pickled(value: Any) -> bytes:
    try:
        return _PICKLED + pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return _FLATTENED + json.dumps(Pickler(keys=True).flatten(value), separators=(",", ":")).encode("utf-8")


def decode(blob: bytes) -> Any:
    """A new copy of the value :func:`encode` encoded (each read gets its own objects)."""
    if blob[:1] == _PICKLED:
        return _interned_keys(pickle.loads(blob[1:]))
    return _interned_keys(Unpickler(keys=True).restore(json.loads(blob[1:])))


def flatten(blob: bytes) -> Any:
    """The value as a key file holds it: jsonpickle's JSON-ready structure."""
    if blob[:1] == _PICKLED:
        return Pickler(keys=True).flatten(pickle.loads(blob[1:]))
    return json.loads(blob[1:])
