"""Job packages used by the TUI tests: one working job and one that fails to import."""
