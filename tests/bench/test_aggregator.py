"""``python -m bench``: discovery, isolation, failures recorded not fatal, the report files.

Benchmarks here are throwaway modules written into a temporary package, run for real in
child interpreters exactly like bench/bench_*.py are.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bench.__main__ import Report, discover, fmt_number, fmt_ratio, main, render_markdown, run_benchmark
from testkit.narrow import present

REPO = Path(__file__).resolve().parents[2]

OK = """
import os
def run(quick=False):
    return [
        {"benchmark": "ok: lookup", "metric": "p50 latency", "value": 1.5, "unit": "ms",
         "baseline": 3.0, "ratio": 0.5, "note": f"quick={quick} pid={os.getpid()}"},
        {"benchmark": "ok: lookup", "metric": "throughput", "value": 12345.0, "unit": "turns/s",
         "baseline": None, "ratio": None, "note": "a | pipe"},
        {"benchmark": "ok: memory", "metric": "rss", "value": 40.25, "unit": "MB",
         "baseline": 20.0, "ratio": 2.0125, "note": ""},
    ]
"""
BOOM = """
def run(quick=False):
    raise RuntimeError("the fixture file is missing")
"""
BAD_CONTRACT = """
def run(quick=False):
    return [{"benchmark": "bad", "metric": "m", "value": 1.0, "unit": "s", "baseline": None,
             "ratio": None, "note": "", "baseline_value": 2.0}]
"""
HANG = """
import subprocess, sys, time, pathlib
def run(quick=False):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    pathlib.Path(__file__).with_name("hang.pid").write_text(str(child.pid))
    time.sleep(300)
"""


def make_bench_dir(tmp_path: Path, modules: dict[str, str], package: str = "fakebench") -> Path:
    bench_dir = tmp_path / package
    bench_dir.mkdir()
    (bench_dir / "__init__.py").write_text("")
    for name, source in modules.items():
        (bench_dir / f"{name}.py").write_text(textwrap.dedent(source))
    return bench_dir


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead; init reaps it shortly.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def test_discover_takes_only_bench_modules(tmp_path):
    bench_dir = make_bench_dir(
        tmp_path,
        {
            "bench_ok": OK,
            "bench_boom": BOOM,
            "recognizer_accuracy": OK,
            "_helpers": "",
        },
    )
    assert discover(bench_dir) == ["boom", "ok"]


def test_a_failing_benchmark_is_recorded_and_the_others_still_run(tmp_path, capsys):
    bench_dir = make_bench_dir(tmp_path, {"bench_a_boom": BOOM, "bench_b_bad": BAD_CONTRACT, "bench_c_ok": OK})
    out = tmp_path / "out"
    assert main(["--out-dir", str(out)], bench_dir=bench_dir) == 1

    report = Report.model_validate_json((out / "report.json").read_text())
    by_name = {o.module: o for o in report.outcomes}
    assert list(by_name) == ["a_boom", "b_bad", "c_ok"]
    assert not by_name["a_boom"].ok
    assert by_name["a_boom"].error == "RuntimeError: the fixture file is missing"
    assert "Traceback" in present(by_name["a_boom"].details)
    assert not by_name["b_bad"].ok
    assert "broke the result contract" in present(by_name["b_bad"].error)
    assert "baseline_value" in present(by_name["b_bad"].error)
    ok = by_name["c_ok"]
    assert ok.ok and not ok.quick
    assert [r.metric for r in ok.results] == ["p50 latency", "throughput", "rss"]
    assert ok.results[0].note.startswith("quick=False pid=")

    markdown = (out / "REPORT.md").read_text()
    assert markdown == capsys.readouterr().out  # the same table is printed
    assert "## a_boom: FAILED" in markdown
    assert "Error: RuntimeError: the fixture file is missing" in markdown
    assert "## ok: lookup" in markdown and "## ok: memory" in markdown
    assert "| p50 latency | 1.5 | ms | 3 | 0.5x | quick=False" in markdown
    assert "| throughput | 12,345 | turns/s | - | - | a \\| pipe |" in markdown
    assert "| rss | 40.25 | MB | 20 | 2.013x |" in markdown


def test_each_benchmark_runs_in_its_own_process(tmp_path):
    bench_dir = make_bench_dir(tmp_path, {"bench_ok": OK})
    first = run_benchmark("ok", quick=True, bench_dir=bench_dir)
    second = run_benchmark("ok", quick=True, bench_dir=bench_dir)
    pids = {outcome.results[0].note.split("pid=")[1] for outcome in (first, second)}
    assert len(pids) == 2 and str(os.getpid()) not in pids
    assert first.ok and first.quick and first.results[0].note.startswith("quick=True")


def test_a_hung_benchmark_is_stopped_with_its_children(tmp_path):
    bench_dir = make_bench_dir(tmp_path, {"bench_hang": HANG})
    outcome = run_benchmark("hang", quick=True, timeout=3, bench_dir=bench_dir)
    assert not outcome.ok
    assert outcome.error == "timed out after 3 s"
    grandchild = int((bench_dir / "hang.pid").read_text())
    deadline = time.monotonic() + 10
    while pid_alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not pid_alive(grandchild)


def test_only_reruns_one_and_keeps_the_others_previous_entries(tmp_path):
    bench_dir = make_bench_dir(tmp_path, {"bench_boom": BOOM, "bench_ok": OK})
    out = tmp_path / "out"
    assert main(["--out-dir", str(out), "--quick"], bench_dir=bench_dir) == 1
    before = Report.model_validate_json((out / "report.json").read_text())

    (bench_dir / "bench_boom.py").write_text(textwrap.dedent(OK))  # fixed meanwhile
    assert main(["--out-dir", str(out), "--only", "bench_ok"], bench_dir=bench_dir) == 0
    after = Report.model_validate_json((out / "report.json").read_text())
    by_name = {o.module: o for o in after.outcomes}
    assert by_name["boom"] == before.outcomes[0]  # untouched: it did not run
    assert by_name["ok"].ok and not by_name["ok"].quick
    assert by_name["ok"].ran_at >= before.outcomes[1].ran_at


def test_usage_errors_exit_2_and_write_nothing(tmp_path, capsys):
    bench_dir = make_bench_dir(tmp_path, {"bench_ok": OK})
    out = tmp_path / "out"
    assert main(["--out-dir", str(out), "--only", "turbo"], bench_dir=bench_dir) == 2
    assert "no benchmark named 'turbo' (available: ok)" in capsys.readouterr().err
    assert main(["--out-dir", str(out), "--timeout", "0"], bench_dir=bench_dir) == 2
    empty = make_bench_dir(tmp_path, {}, package="emptybench")
    assert main(["--out-dir", str(out)], bench_dir=empty) == 2
    assert not out.exists()
    with pytest.raises(SystemExit) as caught:
        main(["--quick", "--frobnicate"], bench_dir=bench_dir)
    assert caught.value.code == 2


def test_an_unreadable_previous_report_does_not_stop_a_run(tmp_path):
    bench_dir = make_bench_dir(tmp_path, {"bench_ok": OK})
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.json").write_text("{not json")
    assert main(["--out-dir", str(out), "--only", "ok"], bench_dir=bench_dir) == 0
    assert json.loads((out / "report.json").read_text())["outcomes"][0]["module"] == "ok"


def test_command_line_help_and_list():
    help_text = subprocess.run(
        [sys.executable, "-m", "bench", "--help"], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert help_text.returncode == 0
    for option in ("--quick", "--only", "--timeout", "--out-dir", "--list"):
        assert option in help_text.stdout
    listed = subprocess.run(
        [sys.executable, "-m", "bench", "--list"], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert listed.returncode == 0
    assert listed.stdout.split() == discover()


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "-"),
        (0, "0"),
        (0.000123456, "0.000123"),
        (0.5, "0.5"),
        (1.23456, "1.235"),
        (99.999, "100"),
        (123.456, "123.5"),
        (1234.5, "1,234"),
        (-2.5, "-2.5"),
    ],
)
def test_numbers_are_readable(value, text):
    assert fmt_number(value) == text


def test_ratio_cells():
    assert fmt_ratio(None) == "-"
    assert fmt_ratio(0.0123) == "0.0123x"


def test_render_groups_rows_by_benchmark_in_first_seen_order(tmp_path):
    bench_dir = make_bench_dir(tmp_path, {"bench_ok": OK})
    outcome = run_benchmark("ok", quick=True, bench_dir=bench_dir)
    report = Report(
        generated_at="2026-01-01T00:00:00+00:00", python="3.11", platform="x", cpu_count=2, outcomes=[outcome]
    )
    markdown = render_markdown(report)
    assert markdown.index("## ok: lookup") < markdown.index("## ok: memory")
    assert markdown.count("| metric | value | unit | baseline | ratio | note |") == 2


def test_each_outcome_records_the_machine_load_and_the_report_shows_it(tmp_path):
    bench_dir = make_bench_dir(tmp_path, {"bench_ok": OK})
    out = tmp_path / "out"
    assert main(["--out-dir", str(out), "--quick"], bench_dir=bench_dir) == 0
    outcome = Report.model_validate_json((out / "report.json").read_text()).outcomes[0]
    assert outcome.load is not None and len(outcome.load) == 3 and min(outcome.load) >= 0
    markdown = (out / "REPORT.md").read_text()
    assert "machine load {:.2f}/{:.2f}/{:.2f}".format(*outcome.load) in markdown
    assert "`ratio` = value / baseline" in markdown


def test_the_records_survive_every_regeneration_of_the_report(tmp_path):
    """bench/records/*.md (a first score, measured once) are appended to REPORT.md, in name order."""
    bench_dir = make_bench_dir(tmp_path, {"bench_ok": OK})
    (bench_dir / "records").mkdir()
    (bench_dir / "records" / "b.md").write_text("## Second record\n\nfigure B\n")
    (bench_dir / "records" / "a.md").write_text("## First record\n\nfigure A\n")
    out = tmp_path / "out"
    for _ in range(2):
        assert main(["--out-dir", str(out), "--quick"], bench_dir=bench_dir) == 0
    markdown = (out / "REPORT.md").read_text()
    assert markdown.count("## First record") == 1
    assert markdown.index("## ok: memory") < markdown.index("## First record") < markdown.index("## Second record")
    assert markdown.endswith("figure B\n")


def test_the_real_benchmarks_follow_the_contract():
    """Every bench_*.py in bench/ has run(quick=...) and a __main__ block (imports only)."""
    import importlib
    import inspect

    names = discover()
    assert {"chat", "knowledge", "recognizer", "startup", "store", "turn"} <= set(names)
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        assert "quick" in inspect.signature(module.run).parameters, name
        source = (REPO / "bench" / f"bench_{name}.py").read_text()
        assert 'if __name__ == "__main__":' in source, name


def test_the_recognizer_accuracy_rows_reach_the_report(tmp_path):
    """The wrapper, run by the aggregator in its own process like `make bench` does."""
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--only", "recognizer", "--out-dir", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    outcome = Report.model_validate_json((out / "report.json").read_text()).outcomes[0]
    benchmarks = {r.benchmark for r in outcome.results}
    assert any(b.startswith("recognizer_en") for b in benchmarks)
    assert any(b.startswith("recognizer_fr") for b in benchmarks)
    accuracy = [r for r in outcome.results if r.metric == "intent_accuracy"]
    assert accuracy and all(0 <= r.value <= 100 and r.unit == "%" for r in accuracy)
