"""The errors dwh raises, each with the exit code the entry point uses.

Every error the framework raises on purpose derives from :class:`DwhError`.
The generic entry catches it, prints one line and exits with ``exit_code``;
anything else that escapes a job is the job's own failure (exit 1).

```
DwhError                      exit 1
├── UsageError                exit 2  bad invocation; no job ran, nothing written
│   ├── ConfigError           exit 2  the job's JSON config is malformed or invalid
│   ├── ModuleRefusedError    exit 2  a module name outside the allowed packages
│   ├── JobModuleError        exit 2  the module is missing, fails to import or has no main
│   ├── TriggerMapError       exit 2  the trigger map is missing, malformed or has a cycle
│   ├── PreviewTargetError    exit 2  nothing to preview: no such path, run or output
│   ├── DeployError           exit 2  dwh deploy: bad platform, job, prod config or setting
│   └── DiffTargetError       exit 2  nothing to diff against: no kept previous version
│       └── DiffKeyError      exit 2  a key column is missing on a side, or not unique
├── JobContractError          exit 1  job code breaks the framework contract
├── JobFailedError            exit 1  the job ran and failed (on_failure ran)
│   ├── SparkConnectUnsupportedError  exit 1  a warm run of a job that needs classic Spark
│   ├── SparkServerLostError  exit 1  the Spark Connect server went away during the run
│   ├── CheckInvalidError     exit 1  an output check can't be evaluated; nothing published
│   └── ChecksFailedError     exit 4  an error-severity output check failed; nothing published
├── SparkServerError          exit 1  the local Spark Connect server could not start
├── DataReadError             exit 1  the data is there but can't be read (corrupt, mixed)
│   └── CsvInputError         exit 1  a CSV's header or a row does not fit the reader's schema
├── JobAlreadyRunningError    exit 3  another live run holds the same output lock
├── RunStoreError             exit 1  the run store is missing, corrupt or unwritable
├── AlertError                exit 1  an alert sink could not deliver an alert
├── PackagingError            exit 1  building an artifact failed, or a job does not import
├── LineageSendError          exit 1  ``dwh lineage --send`` could not deliver the events
└── NotebookServerError       exit 1  JupyterLab (dwh notebook) exited or never answered
```
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from enum import IntEnum
from typing import ClassVar


class ExitCode(IntEnum):
    """Every exit code a dwh process ends with; the one list of them."""

    OK = 0
    JOB_FAILED = 1
    USAGE = 2
    LOCKED = 3
    CHECKS_FAILED = 4
    CANCELLED = 130


class DwhError(Exception):
    """Root of every error dwh raises on purpose.

    Attributes:
        exit_code: The process exit code the generic entry uses for this error.
    """

    exit_code: ClassVar[int] = ExitCode.JOB_FAILED

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(DwhError):
    """The invocation is invalid: no job ran and nothing was written."""

    exit_code: ClassVar[int] = ExitCode.USAGE


class ConfigError(UsageError):
    """A job config is malformed JSON or fails its model's validation.

    Attributes:
        job: The job whose config failed.
        problems: One line per problem, each naming the field path.
    """

    def __init__(self, job: str, problems: list[str]) -> None:
        self.job = job
        self.problems = list(problems)
        count = len(self.problems)
        head = f"invalid config for job '{job}'"
        if count == 1:
            message = f"{head}: {self.problems[0]}"
        else:
            numbered = (f"[{i}] {problem}" for i, problem in enumerate(self.problems, 1))
            message = f"{head} ({count} problems): " + " ".join(numbered)
        super().__init__(message)

    def report(self) -> list[str]:
        """The lines ``dwh validate`` prints for this error: a header, then each problem.

        The command line prefixes the header with ``dwh: ``; the notebook form shows the
        same lines, so both say exactly the same thing about the same config.
        """
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        header = f"invalid config for job '{self.job}' ({count} {noun}):"
        return [header, *(f"  - {problem}" for problem in self.problems)]


class ModuleRefusedError(UsageError):
    """A module name is malformed or outside the allowed package prefixes."""


class JobModuleError(UsageError):
    """A job module is missing, raises on import, or has no ``main``."""


class TriggerMapError(UsageError):
    """The trigger map is missing, malformed, refers to unknown jobs or has a cycle."""


class PreviewTargetError(UsageError):
    """``dwh preview``'s target names nothing to show.

    A missing path, an unknown run id, a run that recorded no outputs, or an output
    name the run does not have.
    """


class DeployError(UsageError):
    """``dwh deploy``'s inputs are invalid; nothing was written.

    An unknown platform or job, a job without a production config, a missing deploy
    setting, or a trigger map that a generated DAG cannot express (a cycle, a value
    known only once the upstream run has ended).
    """


class DiffTargetError(UsageError):
    """``dwh diff`` has nothing to compare with.

    The output has no kept previous version (a first run, ``DWH_KEEP_VERSIONS=0``, a
    remote output), or ``--against`` names a run that wrote no kept version.
    """


class DiffKeyError(DiffTargetError):
    """The diff's key is unusable: a column missing on one side, or repeated values."""


class DataReadError(DwhError):
    """The data is there but can't be read: a corrupt file, mixed formats in a folder."""


class CsvInputError(DataReadError):
    """A CSV input does not fit the schema it is read with: nothing was written.

    Its header names the schema's columns in another order (or other columns), or, in
    ``FAILFAST`` mode, a row does not parse (the message names the file and the line).
    """

    exit_code: ClassVar[int] = ExitCode.JOB_FAILED


class JobContractError(DwhError):
    """Job or factory code breaks the framework contract (a bug in the job)."""


class JobFailedError(DwhError):
    """A job ran and failed; its ``on_failure`` hook has run."""


class SparkConnectUnsupportedError(JobFailedError):
    """A job uses ``sparkContext`` or RDDs, which a Spark Connect (warm) session lacks."""


class SparkServerLostError(JobFailedError):
    """The Spark Connect server a run was using stopped answering during the run."""


class CheckInvalidError(JobFailedError):
    """An output check cannot be evaluated (a missing column, a bad expression)."""


class ChecksFailedError(JobFailedError):
    """An error-severity output check failed: nothing was published."""

    exit_code: ClassVar[int] = ExitCode.CHECKS_FAILED


class SparkServerError(DwhError):
    """The local Spark Connect server for warm runs could not be started."""


class JobAlreadyRunningError(DwhError):
    """Another live run of the same job is writing the same output."""

    exit_code: ClassVar[int] = ExitCode.LOCKED


class RunStoreError(DwhError):
    """The run store is missing, corrupt or cannot be read or written."""


class AlertError(DwhError):
    """An alert sink could not deliver an alert."""


class PackagingError(DwhError):
    """Building an artifact failed, or a job module does not import from it."""


class LineageSendError(DwhError):
    """``dwh lineage --send``: the OpenLineage transport refused or failed to deliver."""


class NotebookServerError(DwhError):
    """JupyterLab, started by ``dwh notebook``, exited or did not answer in time."""


def did_you_mean(
    word: str,
    choices: Sequence[str],
    *,
    lead: str = "; ",
    n: int = 1,
    quote: bool = True,
) -> str:
    """Return ``"<lead>did you mean 'x'?"`` for the closest of ``choices``, or ``""``.

    For the one-line errors that name a wrong key, field, job or module and list the
    valid ones. With ``n`` above 1, up to ``n`` close choices, joined by ``or``; with
    ``quote`` false, they are not quoted (module paths read better bare).
    """
    hints = difflib.get_close_matches(word, choices, n=n, cutoff=0.6)
    if not hints:
        return ""
    shown = [f"'{hint}'" if quote else hint for hint in hints]
    return f"{lead}did you mean {' or '.join(shown)}?"


def one_line(exc: BaseException) -> str:
    """Return ``"<ExceptionType>: <first line of its message>"``, for one-line reports.

    For an exception dwh did not raise on purpose (a library's, or a broken sink's):
    its type says what went wrong, its first line where.
    """
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


def first_line(exc: BaseException) -> str:
    """Return the first line of ``exc``'s message, or its type's name if it has none.

    For a message that already says what failed (Spark's analysis errors), where
    :func:`one_line`'s type name would only add noise.
    """
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
