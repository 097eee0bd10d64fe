"""The scale benchmark's per-program peak RSS: a real child tree, read from /proc."""

from __future__ import annotations

import sys

from benchmarks.common import run_process

GRANDCHILD = "import time; block = bytearray(150 * 1024 * 1024); time.sleep(1.0)"
CHILD = f"""
import subprocess, sys
subprocess.run([sys.executable, "-c", {GRANDCHILD!r}], check=True)
"""


def test_the_sampler_finds_a_grandchild_and_keeps_its_peak() -> None:
    """wait4 only knows the largest process; the sampler names it and sees it while alive."""
    result = run_process([sys.executable, "-c", CHILD], sample=True)

    assert set(result.peak_mb) == {"python"}
    assert 150 <= result.peak_mb["python"] <= result.rss_mb + 1


def test_without_sampling_there_are_no_peaks() -> None:
    assert run_process([sys.executable, "-c", "pass"]).peak_mb == {}
