"""Launching a run: the one way a job is started as a child process and watched.

The TUI, the trigger runner and ``dwh run --follow`` all start jobs here.
"""

from __future__ import annotations

from dwh.launch._process import JobRun, run_job

__all__ = ["JobRun", "run_job"]
