"""``python -m dwh.notebook strip-outputs [--check] NOTEBOOK...``."""

from dwh.notebook.outputs import main

raise SystemExit(main())
