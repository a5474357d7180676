"""The validated catalog kept between processes, as Python keeps bytecode in ``__pycache__``.

Why: validating the seven catalog files imports pydantic and builds a validator for each file
model of :mod:`knowledge.catalog`, and that, not the reading, is most of what ``callplan check``
paid before printing anything. The first process that loads a catalog folder pickles the
:class:`~knowledge.catalog.Catalog` it validated into ``<folder>/__pycache__/catalog-<key>.pickle``;
later processes unpickle it (no validation, no pydantic: the catalog holds plain dataclasses)
as long as the key matches.

The key is a hash of everything the result depends on: each data file's name and bytes, the
source of the module that validates them, and the Python and pydantic versions (pydantic's
read from its ``version.py``, not imported). It is the hash CPython checks hash-based ``.pyc``
files with (``importlib.util.source_hash``, a 64-bit keyed SipHash, built in): ``hashlib``'s
SHA-256 would load OpenSSL, ~3 ms of ``callplan check``'s start (issue 14), and the key only
has to tell an edited catalog from the cached one, as a ``.pyc``'s does. Any edit gives a new
key, so a stale cache is never read; a broken data file raises before anything is
written. A cache file that cannot be read (truncated, another version) is ignored and
rewritten; a folder that cannot be written (a read-only install) just means no cache. The file
is written as a temp file renamed into place; older ``catalog-*.pickle`` files of the folder are
removed. Trust: the file sits next to the data and to the package's ``.pyc`` files, and is as
trusted as they are.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pickle
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import logging


def _log() -> logging.Logger:
    """This module's logger, imported when there is something to say (a broken or unwritable
    cache): reading a good cache, as ``callplan check`` does, imports neither logging nor
    tempfile (issue 14: ~5 ms of its start)."""
    import logging

    return logging.getLogger(__name__)


T = TypeVar("T")

CACHE_FOLDER = "__pycache__"
PREFIX = "catalog-"


def cache_key(data_dir: Path, filenames: Iterable[str], code: Iterable[Path]) -> str:
    """The hash (hex) of the data files (name and bytes), the validating code and the versions.
    A missing file hashes as missing: loading then raises, and nothing is cached."""
    parts = [f"{sys.version}\0{_pydantic_version()}\0".encode()]
    for name in sorted(filenames):
        path = data_dir / name
        parts.append(name.encode() + b"\0")
        try:
            parts.append(path.read_bytes())
        except OSError:
            parts.append(b"\0missing\0")
        parts.append(b"\0")
    for module in code:
        parts.append(module.read_bytes())
    return importlib.util.source_hash(b"".join(parts)).hex()


def _pydantic_version() -> str:
    """pydantic's version without importing pydantic (``callplan check`` must not): the text of
    its ``version.py``, found on the path like an import would."""
    spec = importlib.util.find_spec("pydantic")
    if spec is None or spec.origin is None:
        return "no pydantic"
    try:
        return (Path(spec.origin).parent / "version.py").read_text(encoding="utf-8")
    except OSError:
        return spec.origin


def cache_path(data_dir: Path, key: str) -> Path:
    return data_dir / CACHE_FOLDER / f"{PREFIX}{key[:32]}.pickle"


def load_or_build(data_dir: Path, key: str, build: Callable[[Path], T], kind: type[T]) -> T:
    """The object cached for ``key`` in ``data_dir``, else ``build(data_dir)`` (then cached)."""
    path = cache_path(data_dir, key)
    try:
        cached = pickle.loads(path.read_bytes())
    except FileNotFoundError:
        pass
    except (
        pickle.UnpicklingError,
        EOFError,
        AttributeError,
        ImportError,
        IndexError,
        TypeError,
        ValueError,
        OSError,
    ) as exc:  # a truncated or foreign file: rebuild it
        _log().info("ignoring the catalog cache %s: %s", path, type(exc).__name__)
    else:
        if isinstance(cached, kind):
            return cached
    built = build(data_dir)
    _store(path, built)
    return built


def _store(path: Path, value: object) -> None:
    """Temp file + rename, without fsync (a cache: a torn file fails to unpickle and is
    rebuilt), and without ``knowledge.store.atomic``, whose module loads TinyDB: `check` must not."""
    import tempfile

    tmp_name = None
    try:
        path.parent.mkdir(exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp_name, path)
    except OSError as exc:  # read-only install, full disk: no cache, nothing else changes
        _log().debug("cannot write the catalog cache %s: %s", path, exc)
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
        return
    for old in path.parent.glob(f"{PREFIX}*.pickle"):
        if old != path:
            with contextlib.suppress(OSError):
                old.unlink()
