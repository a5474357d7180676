"""The h-dialogs dev sets (``tests/dialogs/corpus/dialogs_dev_{en,fr}.json``) scored on the real
bot over HTTP, with the held-out harness (:mod:`bench.heldout_eval`: same format, same kinds,
same scoring). Unlike the held-out sets these are tuned on: they measure issue 12's one-turn
answers, follow-ups, corrections, interruptions and entities while they are built, and
``tests/dialogs/test_dialogs_dev.py`` keeps them passing.

    .venv/bin/python -m bench.dialogs_dev [--lang en] [--quiet]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from bench import heldout_eval

SET_NAME = "dialogs_dev"


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
