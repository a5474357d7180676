"""Recognizer accuracy per language (and its speed), in the benchmark report.

A wrapper only: the measurement lives in :mod:`bench.recognizer_accuracy` (and, for questions
of fact, :mod:`bench.fact_retrieval`), next to the
recognizer and its corpus files and kept by whoever owns them (it also lists every miss when
run on its own: ``python -m bench.recognizer_accuracy``). The aggregator runs ``bench_*.py``
modules; this one hands it the same rows.

Run: ``python -m bench.bench_recognizer`` (the report's rows as a table).
"""

from __future__ import annotations

import sys
from typing import Any

from bench import fact_retrieval, recognizer_accuracy
from bench.common import main


def run(quick: bool = False) -> list[dict[str, Any]]:
    # The recognizer first (its cold pass must be cold), then understanding with fact
    # retrieval next to the same recognizer without it, and the retrieval methods compared.
    return recognizer_accuracy.run(quick=quick) + fact_retrieval.run(quick=quick)


if __name__ == "__main__":
    sys.exit(main(run, description=__doc__.splitlines()[0]))
