"""A job package for the TUI's warm-run tests (kept apart so the snapshots' tree stays put)."""
