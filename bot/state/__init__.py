"""Bot state (dialog stacks, per-user data) behind the SDK's ``Storage`` contract, split by job:

- :mod:`bot.state.base`: the contract both backends keep (:class:`StateStorage`, e_tag
  conflicts, unavailable state, the new-key e_tag);
- :mod:`bot.state.local`: ``STATE_BACKEND=local``, :class:`TinyDBStorage`: one process, small
  TinyDB files under ``DATA_DIR/state`` fed through a group-commit journal, with
  :mod:`~bot.state.journal` (segments), :mod:`~bot.state.keyfiles` (one file per key),
  :mod:`~bot.state.codec` (pickle in memory, jsonpickle on disk) and :mod:`~bot.state.lock`
  (one process per folder);
- :mod:`bot.state.blob`: ``STATE_BACKEND=azure-blob``, shared by replicas (imported only
  when configured: it brings the Azure SDK);
- :mod:`bot.state.scopes`: conversation and user state whose new keys save conditionally,
  saved only when their encoding differs from the one read.
"""

from bot.state.base import (
    NEW_KEY_E_TAG,
    ETagConflictError,
    StateStorage,
    StateUnavailableError,
)
from bot.state.local import Timer, TimerHandle, TinyDBStorage
from bot.state.lock import StateFolderBusyError

__all__ = [
    "NEW_KEY_E_TAG",
    "ETagConflictError",
    "StateFolderBusyError",
    "StateStorage",
    "StateUnavailableError",
    "Timer",
    "TimerHandle",
    "TinyDBStorage",
]
