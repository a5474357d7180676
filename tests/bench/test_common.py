"""bench.common: the result row every benchmark returns, percentiles, the printed table."""

from __future__ import annotations

import math

import pytest

from bench.__main__ import Result
from bench.common import (
    format_table,
    main,
    median,
    median_seconds,
    percentile,
    result,
    sample_seconds,
    significant,
)


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (0, 0),
        (123456.789, 123500),
        (1.23456, 1.235),
        (0.000123456, 0.0001235),
        (-98.7654, -98.77),
        (5, 5),
    ],
)
def test_significant_keeps_four_digits(value, rounded):
    assert significant(value) == pytest.approx(rounded, rel=1e-12)


def test_result_follows_the_contract_and_the_one_ratio_rule():
    row = result("pool_lookup", "10,000 calls stored", 12.345678, "us", 8.0, "p99 15 us")
    assert Result.model_validate(row)  # exactly the keys the aggregator accepts
    assert row["value"] == 12.35 and row["baseline"] == 8.0
    assert row["ratio"] == pytest.approx(1.543)  # value / baseline

    rate = result("import", "rows", 50_000, "rows/s", 200_000)
    assert rate["ratio"] == 0.25  # a rate: the fraction of the baseline's

    for baseline in (None, 0):
        assert result("x", "y", 1.0, "ms", baseline)["ratio"] is None
    assert result("x", "y", 1.0, "ms")["baseline"] is None


def test_percentile_interpolates_between_ranks():
    hundred = list(range(1, 101))
    assert percentile(hundred, 0.99) == pytest.approx(99.01)
    assert percentile(hundred, 1.0) == 100 and percentile(hundred, 0) == 1
    assert median([4, 1, 3, 2]) == 2.5  # even count: the usual median
    assert median([7]) == 7
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0  # not sorted: sorted inside
    with pytest.raises(ValueError):
        percentile([], 0.5)
    with pytest.raises(ValueError):
        percentile([1.0], 1.5)


def test_sampling_calls_the_function_once_per_sample():
    calls = []
    samples = sample_seconds(lambda: calls.append(1), 7)
    assert len(samples) == 7 and len(calls) == 7
    assert all(s >= 0 and math.isfinite(s) for s in samples)
    assert median_seconds(lambda: calls.append(1), 3) >= 0 and len(calls) == 10


def test_the_table_aligns_columns_and_prints_each_note():
    rows = [
        result("turn: pool lookup", "p50_ms_c1", 5.5024, "ms", 0.2, "every reply carried a card"),
        result("memory", "rss", 92.6, "MB", None, ""),
    ]
    text = format_table(rows)
    lines = text.splitlines()
    assert lines[0].split() == ["benchmark", "metric", "value", "unit", "baseline", "ratio"]
    assert "5.502" in lines[1] and "27.51x" in lines[1]
    assert lines[2] == "    every reply carried a card"
    assert lines[3].split()[-2:] == ["-", "-"]  # no baseline, no ratio
    assert len(lines) == 4  # an empty note prints no line
    assert lines[1].index(" ms ") == lines[3].index(" MB ")  # the unit column lines up


def test_main_passes_quick_and_prints_the_table(capsys):
    seen = []

    def run(quick=False):
        seen.append(quick)
        return [result("b", "m", 1.0, "s", 2.0, "n")]

    assert main(run, ["--quick"]) == 0
    assert main(run, []) == 0
    assert seen == [True, False]
    out = capsys.readouterr().out
    assert out.count("benchmark") == 2 and "0.5x" in out
    with pytest.raises(SystemExit) as caught:
        main(run, ["--fast"])
    assert caught.value.code == 2
