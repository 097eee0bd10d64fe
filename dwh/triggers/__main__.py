"""``python -m dwh.triggers JOB --config ...``: run a job and follow its triggers."""

import sys

from dwh.triggers.runner import main

sys.exit(main())
