"""``@PATH`` configs: ``--<job>_job @PATH`` reads the config from a file.

Kept apart from :mod:`dwh.config` so the generic entry can read a file without
importing pydantic.
"""

from __future__ import annotations

from dwh.errors import ConfigError
from dwh.settings import MAX_CONFIG_BYTES


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
