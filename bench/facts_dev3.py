"""The third fact dev sets (``tests/dialogs/corpus/facts_dev3_{en,fr}.json``) scored on the real
bot over HTTP, with the held-out harness (:mod:`bench.heldout_eval`). Written blind from the
fact sheet (round 2 of issue 12, before reading the fact base) to measure whether the round 1
answers generalize: each item checks the figure that makes it THE answer (plan, country, seat
count, SKU asked), not only that a fact card came back. Tuned on afterwards, with facts_dev2.

    .venv/bin/python -m bench.facts_dev3 [--lang en] [--quiet]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from bench import heldout_eval

SET_NAME = "facts_dev3"


def load(lang: str) -> heldout_eval.HeldoutSet:
    return heldout_eval.load_set(lang, heldout_eval.set_path(lang, SET_NAME))


def evaluate(langs: Sequence[str] = heldout_eval.LANGS) -> list[heldout_eval.ItemScore]:
    return heldout_eval.evaluate(langs, {lang: load(lang) for lang in langs})


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=heldout_eval.LANGS, action="append")
    parser.add_argument("--quiet", action="store_true", help="the table only, not the misses")
    args = parser.parse_args(argv)
    heldout_eval.clean_env()
    scores = evaluate(args.lang or heldout_eval.LANGS)
    print(heldout_eval.format_table(scores))
    if not args.quiet:
        print(heldout_eval.format_misses(scores))


if __name__ == "__main__":
    main()
