"""Benchmarks: each ``bench_<name>.py`` has ``run(quick=False) -> list[dict]`` (see __main__).

Shared pieces: :mod:`bench.common` (the result row, timing, percentiles, the printed table),
:mod:`bench.loadgen` (Teams-shaped turns over loopback HTTP) and :mod:`bench.servers` (the
servers under load, each in its own process).
"""
