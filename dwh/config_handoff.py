"""Configs that travel as files: ``@PATH`` arguments, and handing one to a child process.

``--<job>_job @PATH`` reads the config from a file (:func:`read_config_file`).

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

from dwh.errors import ConfigError
from dwh.settings import MAX_CONFIG_BYTES


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


def read_config_file(name: str, *, job: str) -> bytes:
    """Read the file a ``@PATH`` config names (``name`` is the PATH).

    At most the size limit and one byte are read, so an endless file is refused too.

    Raises:
        ConfigError: The file is missing, a folder, unreadable or over the limit.
    """
    if not name.strip():
        raise ConfigError(job, ["config file name is missing after '@': expected @PATH"])
    try:
        with open(name, "rb") as file:
            data = file.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(job, [f"config file {name} does not exist"]) from None
    except IsADirectoryError:
        raise ConfigError(job, [f"config file {name} is a folder, not a file"]) from None
    except OSError as exc:
        raise ConfigError(job, [f"cannot read config file {name}: {exc.strerror}"]) from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(
            job,
            [
                f"config file {name} is over the limit of {MAX_CONFIG_BYTES:,} bytes (1 MiB)",
            ],
        )
    return data
