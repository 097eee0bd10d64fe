"""dwh-tui: a Textual job browser, config editor and live run console.

Run it with ``dwh-tui`` or ``python -m tui``. The TUI never imports pyspark: jobs run
as subprocesses of the same generic entry production uses, and the TUI follows
their lifecycle events.
"""
