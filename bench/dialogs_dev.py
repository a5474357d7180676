"""The h-dialogs dev sets (``tests/dialogs/corpus/dialogs_dev_{en,fr}.json``) scored on the real
bot over HTTP, with the held-out harness (:mod:`bench.heldout_eval`: same format, same kinds,
same scoring). Unlike the held-out sets these are tuned on: they measure issue 12's one-turn
answers, follow-ups, corrections, interruptions and entities while they are built, and
``tests/dialogs/test_dialogs_dev.py`` keeps them passing. ``dialogs_dev2`` is the second round's
set, written before that round's changes (its first score is in ``bench/REPORT.md``).

    .venv/bin/python -m bench.dialogs_dev [--set dialogs_dev2] [--lang en] [--quiet]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from bench import heldout_eval

SET_NAME = "dialogs_dev"
#: Every dev set of the dialogs, oldest first.
SET_NAMES = (SET_NAME, "dialogs_dev2", "dialogs_dev3")


def load(lang: str, name: str = SET_NAME) -> heldout_eval.HeldoutSet:
    return heldout_eval.load_set(lang, heldout_eval.set_path(lang, name))


def evaluate(langs: Sequence[str] = heldout_eval.LANGS, name: str = SET_NAME) -> list[heldout_eval.ItemScore]:
    return heldout_eval.evaluate(langs, {lang: load(lang, name) for lang in langs})


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=SET_NAMES, default=SET_NAME, dest="name")
    parser.add_argument("--lang", choices=heldout_eval.LANGS, action="append")
    parser.add_argument("--quiet", action="store_true", help="the table only, not the misses")
    args = parser.parse_args(argv)
    heldout_eval.clean_env()
    scores = evaluate(args.lang or heldout_eval.LANGS, args.name)
    print(heldout_eval.format_table(scores))
    if not args.quiet:
        print(heldout_eval.format_misses(scores))


if __name__ == "__main__":
    main()
