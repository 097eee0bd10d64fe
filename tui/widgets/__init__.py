"""The TUI's widgets: job browser, job detail, config editor, run console, history."""
