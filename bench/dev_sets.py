"""The dev sets of issue 12 scored on the real bot over HTTP, with the held-out harness
(:mod:`bench.heldout_eval`: same format, same kinds, same scoring). Unlike the held-out sets
these are tuned on; each was written before the round that tuned on it, and its first score is
in ``bench/REPORT.md`` / ``bench/records``:

* ``dialogs_dev``, ``dialogs_dev2``, ``dialogs_dev3``: one-turn answers, follow-ups,
  corrections, asides inside a dialog, stated needs and entities (``tests/dialogs/test_dialogs_dev.py``
  keeps them passing); ``dialogs_dev4``-``dialogs_dev6`` the later rounds' (``dialogs_dev6``:
  prices, eligibility, rough counts, the check's questions, shared calling codes), held to floors; ``dialogs_dev7``
  (entfr, French first): entities as admins type them: carriers with a country, scope phrases,
  cities, typos, unknown countries, a seat count before the licence, roster users;
  ``dialogs_dev8`` (factfollow): a question of fact then a follow-up changing its country, plan or
  seat count, greetings before a question, fictional countries close to a real city;
  ``dialogs_dev9`` (dialogs9, written blind from the fact sheet, README and demo roster): purchases
  in one turn and partial, number checks, pool lookups, entities, conversations, and look-alikes
  (questions of fact naming a plan, a country, a number or a seat count, which must get the fact);
  ``dialogs_dev10`` (asides, written blind from the fact sheet, README and demo roster): every prompt
  of the guided purchase and the number check answered with a question of fact, a correction of an
  earlier slot, an out-of-range or nonsense value, a value with extra words or a cancel, then the
  turn that completes the dialog; ``dialogs_dev11`` (dialogs10, written blind from the fact sheet,
  README and demo roster): the borders between kinds: questions of fact naming a plan, a country,
  a number, a user or a seat count, requests that look like facts (purchase, number check, pool),
  a question of another kind inside a dialog, corrections and "please" requests;
* ``facts_dev2``, ``facts_dev3``: questions of fact answered right and specific, the figure for
  the country, plan, seat count or SKU asked (``facts_dev3`` was written blind from the fact
  sheet, to measure whether round 1's answers generalize); ``tests/dialogs/test_facts_dev{2,3}.py``
  keep them from sliding back;
* ``facts_dev4``: written blind from the fact sheet too, every topic of it, plus question-shaped
  requests (purchase, number check, pool) and vague questions whose right answer is the closest
  questions as buttons (``tests/dialogs/test_facts_dev4.py``);
* ``facts_dev5``: written blind too, questions of fact that carry request words (a plan and a
  country, a seat count, pool words, "buy" / "acheter") and look-alike requests that must stay
  requests (``tests/dialogs/test_facts_dev5.py``);
* ``facts_dev6``: written blind too (branch router), questions of fact as admins type them
  (context first, comparisons, typos, no accents, terse fragments) and look-alike requests; held
  out of the router's training (:mod:`knowledge.router`), so it is the router's generalization
  estimate;
* ``facts_dev7``: written blind too (branch facts9), walking the fact sheet section by section
  and asking about every statement, table row and figure in it (~200 questions of fact per
  language) plus 20 look-alike requests; out of the router's training like ``facts_dev6``;
* ``facts_dev8``: written blind too (branch facts10), what ``facts_dev7`` did less: long
  messages with context before the question, scenarios and troubleshooting, a plan and a country
  and/or a seat count asking a fact, "should we / do we need / is it worth", comparisons,
  negations, the rarer sections (reports and columns, Graph, Communications Credits, Teams Phone
  Mobile, SKUs and capability codes, legacy plans, where plans are sold, usage location), ~230
  questions of fact per language plus 20 look-alike requests; out of the router's training;
* ``facts_dev9``: written blind too (branch facts13), 84 questions of fact per language the way
  admins type them when retrieval is hardest: long, context first, places by city or demonym,
  two plans or two countries compared, negations, typos, no accents, over every section of the
  sheet, plus 15 look-alike requests (purchase, number check, pool); out of the router's training.

    .venv/bin/python -m bench.dev_sets [--set facts_dev3] [--lang en] [--quiet]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from bench import heldout_eval

SET_NAME = "dialogs_dev"
#: The dev sets of each kind, oldest first.
DIALOGS_SETS = (
    SET_NAME,
    "dialogs_dev2",
    "dialogs_dev3",
    "dialogs_dev4",
    "dialogs_dev5",
    "dialogs_dev6",
    "dialogs_dev7",
    "dialogs_dev8",
    "dialogs_dev9",
    "dialogs_dev10",
    "dialogs_dev11",
)
FACTS_SETS = (
    "facts_dev2",
    "facts_dev3",
    "facts_dev4",
    "facts_dev5",
    "facts_dev6",
    "facts_dev7",
    "facts_dev8",
    "facts_dev9",
)
SET_NAMES = DIALOGS_SETS + FACTS_SETS


def load(lang: str, name: str = SET_NAME) -> heldout_eval.HeldoutSet:
    return heldout_eval.load_set(lang, heldout_eval.set_path(lang, name))


def evaluate(langs: Sequence[str] = heldout_eval.LANGS, name: str = SET_NAME) -> list[heldout_eval.ItemScore]:
    return heldout_eval.evaluate(langs, {lang: load(lang, name) for lang in langs})


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=SET_NAMES, dest="name", help="one set (default: every set, one after another)")
    parser.add_argument("--lang", choices=heldout_eval.LANGS, action="append")
    parser.add_argument("--quiet", action="store_true", help="the tables only, not the misses")
    args = parser.parse_args(argv)
    heldout_eval.clean_env()
    names = [args.name] if args.name else list(SET_NAMES)
    for name in names:  # WHY every set by default: "no set goes down" is checked over all of them
        scores = evaluate(args.lang or heldout_eval.LANGS, name)
        if len(names) > 1:
            print(f"\n## {name}\n")
        print(heldout_eval.format_table(scores))
        if not args.quiet:
            print(heldout_eval.format_misses(scores))


if __name__ == "__main__":
    main()
