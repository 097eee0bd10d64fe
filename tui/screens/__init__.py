"""The TUI's screens: the main workspace, help and small dialogs."""
