"""Benchmarks for dwh: framework overhead, Spark jobs, light paths, the TUI, scale.

Run them with ``make bench`` (or ``python -m benchmarks --quick``). Every comparison is
interleaved A, B, A, B after a warm-up, and reports the median and the min-max; the
ratio of medians is the headline. Results go to ``benchmarks/results/latest.json``.
"""
