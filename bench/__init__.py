"""Benchmarks: each ``bench_<name>.py`` has ``run(quick=False) -> list[dict]`` (see __main__)."""
