"""``python -m bench`` (``make bench``): run every benchmark, write one report.

The contract a benchmark follows: ``bench/bench_<name>.py`` exposes
``run(quick: bool = False) -> list[dict]``; each dict has ``benchmark``, ``metric``,
``value``, ``unit``, ``baseline`` (float or None), ``ratio`` (float or None), ``note``.
Speed is measured side by side with a baseline in the same run and reported as a ratio.

Why each benchmark runs in its own child process: start time and memory are only
meaningful in a fresh interpreter; a benchmark may patch libraries at import (the msrest
speed-up) or start servers, which must not leak into the next one; and a hung or crashed
benchmark is bounded by a timeout (its whole process group is killed) and recorded as an
error while the others still run.

Writes ``bench/REPORT.md`` (one table per benchmark) and ``bench/report.json``. With
``--only``, the other benchmarks' previous entries are kept from ``report.json`` (each
entry says when it ran and whether it was quick). Exit code: 0 all ran, 1 a benchmark
failed (the report is still written), 2 usage error.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bench.common import fmt_number, fmt_ratio
from bench.goals import goal_lines
from knowledge.store.atomic import atomic_write_bytes

BENCH_DIR = Path(__file__).resolve().parent
PREFIX = "bench_"
DEFAULT_TIMEOUT = 240.0  # seconds per benchmark; the goal is < 120 s each


class Result(BaseModel):
    """One measured row, exactly as the contract says (unknown keys are a mistake)."""

    model_config = ConfigDict(extra="forbid")

    benchmark: str
    metric: str
    value: float = Field(allow_inf_nan=False)
    unit: str
    baseline: float | None = Field(allow_inf_nan=False)
    ratio: float | None = Field(allow_inf_nan=False)
    note: str


class Outcome(BaseModel):
    """One benchmark module's run."""

    module: str
    ok: bool
    quick: bool
    ran_at: str
    seconds: float
    results: list[Result] = []
    error: str | None = None
    details: str | None = None
    #: The machine's 1/5/15-minute load average when the benchmark started: other work on a
    #: 2-core machine moves every figure, so the report says how busy it was.
    load: tuple[float, float, float] | None = None


class Report(BaseModel):
    generated_at: str
    python: str
    platform: str
    cpu_count: int | None
    outcomes: list[Outcome]


class UsageError(Exception):
    """A mistake on the command line: one line, exit code 2."""


# ------------------------------------------------------------------ discovery
def discover(bench_dir: Path = BENCH_DIR) -> list[str]:
    """Benchmark names (``bench_turn.py`` -> ``turn``), sorted."""
    return sorted(p.stem[len(PREFIX) :] for p in bench_dir.glob(f"{PREFIX}*.py") if p.stem != PREFIX)


def select(available: Sequence[str], only: Sequence[str] | None) -> list[str]:
    """The names to run: all, or those given by ``--only`` (``turn`` or ``bench_turn``)."""
    if not only:
        return list(available)
    chosen: list[str] = []
    for raw in only:
        for name in filter(None, (n.strip() for n in raw.split(","))):
            name = name.removeprefix(PREFIX).removesuffix(".py")
            if name not in available:
                known = ", ".join(available) or "none"
                raise UsageError(f"no benchmark named {name!r} (available: {known})")
            if name not in chosen:
                chosen.append(name)
    return chosen


# ------------------------------------------------------------------ running
_CHILD = r"""
import importlib, json, sys, traceback
sys.path.insert(0, sys.argv[1])
out = sys.argv[4]
try:
    module = importlib.import_module(sys.argv[2])
    rows = module.run(quick=sys.argv[3] == "1")
    payload = {"rows": rows}
except BaseException as exc:
    payload = {"error": f"{type(exc).__name__}: {exc}", "details": traceback.format_exc()}
with open(out, "w", encoding="utf-8") as handle:
    json.dump(payload, handle, default=lambda o: float(o) if hasattr(o, "__float__") else str(o))
"""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


#: Benchmarks that are long by design: the 1 GiB import (about 4M rows, minutes on a loaded
#: 2-core machine) gets 20 minutes.
LONG_TIMEOUTS = {"import_memory": 1200.0, "chat": 480.0}  # chat: closed loop, open loop, 1,000 conversations


def _timeout_for(name: str, timeout: float) -> float:
    """The soak runs for ``SOAK_SECONDS`` (5 minutes by default): its bound is that plus 2 minutes."""
    if name == "soak":
        return max(timeout, float(os.environ.get("SOAK_SECONDS", 300)) + 120)
    return max(timeout, LONG_TIMEOUTS.get(name, 0.0))


def run_benchmark(name: str, *, quick: bool, timeout: float = DEFAULT_TIMEOUT, bench_dir: Path = BENCH_DIR) -> Outcome:
    """Run ``bench_<name>.run(quick)`` in a child interpreter; never raises for a
    benchmark's own failure (it becomes ``ok=False`` with the error)."""
    started, ran_at, load = time.monotonic(), _now(), os.getloadavg()
    module = f"{bench_dir.name}.{PREFIX}{name}"

    def outcome(**fields: Any) -> Outcome:
        return Outcome(
            module=name, quick=quick, ran_at=ran_at, load=load, seconds=round(time.monotonic() - started, 2), **fields
        )

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        out = Path(tmp) / "out.json"
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(bench_dir.parent), module, "1" if quick else "0", str(out)],
            stdin=subprocess.DEVNULL,
            stdout=2,
            start_new_session=True,
        )  # progress -> stderr
        try:
            code = child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(child)
            return outcome(ok=False, error=f"timed out after {timeout:.0f} s")
        finally:
            _kill_group(child)  # servers a benchmark forgot to stop
        if not out.exists():
            return outcome(ok=False, error=f"the benchmark process died (exit code {code})")
        payload = json.loads(out.read_text(encoding="utf-8"))
    if "error" in payload:
        return outcome(ok=False, error=payload["error"], details=payload.get("details"))
    try:
        rows = payload["rows"]
        if not isinstance(rows, list):
            raise TypeError(f"run() returned {type(rows).__name__}, not a list")
        results = [Result.model_validate(row) for row in rows]
    except (TypeError, ValidationError) as exc:
        return outcome(ok=False, error=f"broke the result contract: {_one_line(exc)}", details=str(exc))
    if not results:
        return outcome(ok=False, error="run() returned no results")
    return outcome(ok=True, results=results)


def _kill_group(child: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):  # pragma: no cover - SIGKILL cannot be ignored
        child.wait(timeout=10)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


# ------------------------------------------------------------------ report
def merge(previous: Report | None, fresh: list[Outcome], available: Sequence[str]) -> Report:
    """This run's outcomes, plus earlier ones for benchmarks that still exist and did
    not run now; in ``available`` order."""
    by_name = {o.module: o for o in (previous.outcomes if previous else [])}
    by_name.update({o.module: o for o in fresh})
    outcomes = [by_name[name] for name in available if name in by_name]
    return Report(
        generated_at=_now(),
        python=platform.python_version(),
        platform=platform.platform(),
        cpu_count=os.cpu_count(),
        outcomes=outcomes,
    )


def load_report(path: Path) -> Report | None:
    """The previous report, or None if there is none or it is unreadable (it is only
    used to keep other benchmarks' rows; a broken file must not stop a new run)."""
    try:
        return Report.model_validate_json(path.read_bytes())
    except (FileNotFoundError, ValidationError, ValueError):
        return None


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def load_records(bench_dir: Path = BENCH_DIR) -> list[str]:
    """The hand-written records of ``bench/records/*.md`` (e.g. a held-out set's first score,
    before the change it judges), in name order: measured once, they must survive every
    regeneration of REPORT.md, so they live in their own files and are appended to it."""
    return [path.read_text("utf-8").strip() for path in sorted((bench_dir / "records").glob("*.md"))]


def render_markdown(report: Report, records: Sequence[str] = ()) -> str:
    """REPORT.md: a header, then one table per benchmark (grouped by the ``benchmark``
    field, in order of first appearance), each failed module with its error, then the
    records (:func:`load_records`)."""
    lines = [
        "# Benchmark report",
        "",
        f"Generated {report.generated_at} by `python -m bench` (`make bench`) on Python "
        f"{report.python}, {report.cpu_count} CPUs, {report.platform}.",
        "",
        "`ratio` = value / baseline, the baseline measured in the same run (each note says "
        "what it is): for a time or a size, how many times the baseline's; for a rate "
        "(turns/s, rows/s), the fraction of the baseline's rate.",
        "",
        *goal_lines(r for o in report.outcomes if o.ok for r in o.results),
    ]
    for outcome in report.outcomes:
        mode = "quick" if outcome.quick else "full"
        source = f"`bench/{PREFIX}{outcome.module}.py`, {mode} run at {outcome.ran_at}, {outcome.seconds:.1f} s"
        if outcome.load is not None:
            source += ", machine load {:.2f}/{:.2f}/{:.2f} (1/5/15 min) at its start".format(*outcome.load)
        if not outcome.ok:
            lines += [
                f"## {outcome.module}: FAILED",
                "",
                f"{source}.",
                "",
                f"Error: {_cell(outcome.error or 'unknown')}",
                "",
            ]
            continue
        groups: dict[str, list[Result]] = {}
        for result in outcome.results:
            groups.setdefault(result.benchmark, []).append(result)
        for benchmark, results in groups.items():
            lines += [
                f"## {benchmark}",
                "",
                f"{source}.",
                "",
                "| metric | value | unit | baseline | ratio | note |",
                "|---|---:|---|---:|---:|---|",
            ]
            lines += [
                f"| {_cell(r.metric)} | {fmt_number(r.value)} | {_cell(r.unit)} | "
                f"{fmt_number(r.baseline)} | {fmt_ratio(r.ratio)} | {_cell(r.note)} |"
                for r in results
            ]
            lines.append("")
    for record in records:
        lines += [record, ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def write_report(report: Report, out_dir: Path, records: Sequence[str] = ()) -> tuple[Path, Path]:
    markdown, data = out_dir / "REPORT.md", out_dir / "report.json"
    atomic_write_bytes(data, report.model_dump_json(indent=2).encode("utf-8") + b"\n")
    atomic_write_bytes(markdown, render_markdown(report, records).encode("utf-8"))
    return markdown, data


# ------------------------------------------------------------------ command line
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Run the benchmarks in bench/ (bench_<name>.py, each in its own process) "
        "and write bench/REPORT.md and bench/report.json.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smaller sizes and shorter runs (a smoke test, not for the record)"
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="run only this benchmark (e.g. turn or bench_turn); repeat or "
        "comma-separate for several; the others keep their last entry",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"stop a benchmark after this long (default {DEFAULT_TIMEOUT:.0f})",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=BENCH_DIR,
        metavar="DIR",
        help="where REPORT.md and report.json go (default: bench/)",
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    return parser


def main(argv: Sequence[str] | None = None, *, bench_dir: Path = BENCH_DIR) -> int:
    args = build_parser().parse_args(argv)
    available = discover(bench_dir)
    if args.list:
        print("\n".join(available) if available else "no benchmarks found")
        return 0
    try:
        if args.timeout <= 0:
            raise UsageError("--timeout must be more than 0 seconds")
        names = select(available, args.only)
        if not names:
            raise UsageError(f"no {PREFIX}*.py benchmarks in {bench_dir}")
    except UsageError as exc:
        print(f"python -m bench: {exc}", file=sys.stderr)
        return 2
    fresh = []
    for name in names:
        print(f"bench: running {name}{' (quick)' if args.quick else ''} ...", file=sys.stderr, flush=True)
        outcome = run_benchmark(name, quick=args.quick, timeout=_timeout_for(name, args.timeout), bench_dir=bench_dir)
        status = "ok" if outcome.ok else f"FAILED: {outcome.error}"
        print(f"bench: {name}: {status} ({outcome.seconds:.1f} s)", file=sys.stderr, flush=True)
        fresh.append(outcome)
    previous = load_report(args.out_dir / "report.json") if args.only else None
    report = merge(previous, fresh, available)
    records = load_records(bench_dir)
    markdown, data = write_report(report, args.out_dir, records)
    print(render_markdown(report, records), end="")
    print(f"bench: wrote {markdown} and {data}", file=sys.stderr)
    return 0 if all(o.ok for o in fresh) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception:  # pragma: no cover - a bug here, not a benchmark failure
        traceback.print_exc()
        sys.exit(1)
