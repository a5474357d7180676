"""Issue 12's held-out sets scored end to end on the real bot, in the benchmark report.

A wrapper only: the harness and its sets live in :mod:`bench.heldout_eval` (run it on its own
to see every miss: ``python -m bench.heldout_eval --set heldout5``). Every set of
``heldout_eval.SET_NAMES`` is scored, each under its own rows (``heldout4_en``, ``heldout5_en``...),
so rounds can be read side by side. The rows are scores in percent, not speeds, so they have
no baseline; each set's first score is kept in ``bench/records/`` and printed under the tables.

Run: ``python -m bench.bench_heldout`` (the report's rows as a table).
"""

from __future__ import annotations

import sys
from typing import Any

from bench import heldout_eval
from bench.common import main


def run(quick: bool = False) -> list[dict[str, Any]]:
    return heldout_eval.run(quick=quick)


if __name__ == "__main__":
    sys.exit(main(run, description=__doc__.splitlines()[0]))
