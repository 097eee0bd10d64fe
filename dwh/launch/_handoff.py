"""Handing a config to a child process without putting it on the command line.

Every user of a machine can read every process's command line (``ps``), so a config
with a password must not travel there. The TUI and the trigger runner write the config
to an unnamed temporary file (it has no path, is readable by its owner only, and
vanishes with the last descriptor) and give the child its descriptor and the argument
``@/dev/fd/N``, which :func:`dwh.config.load_json_object` reads like any ``@PATH``::

    with config_handoff({"password": "..."}) as (argument, fd):
        subprocess.Popen([..., "--noop_job", argument], pass_fds=(fd,))
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any


@contextmanager
def config_handoff(config: Mapping[str, Any]) -> Iterator[tuple[str, int]]:
    """Yield ``("@/dev/fd/N", N)`` for an unnamed file holding ``config`` as JSON.

    Start the child inside the ``with`` block, passing ``N`` in ``pass_fds``; the
    parent's descriptor is closed when the block ends. The child keeps its own copy.
    """
    import tempfile  # here, not at the top: the light paths never hand a config over

    with tempfile.TemporaryFile() as file:
        file.write(json.dumps(config, separators=(",", ":")).encode("utf-8"))
        file.flush()
        file.seek(0)
        fd = file.fileno()
        yield f"@/dev/fd/{fd}", fd
