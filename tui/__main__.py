"""``python -m tui`` starts the TUI."""

from __future__ import annotations

import sys

from tui.app import main

if __name__ == "__main__":
    sys.exit(main())
