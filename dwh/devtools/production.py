"""The production commands equivalent to a TUI or notebook-form run, ready to paste.

The TUI, the notebook form, ``spark-submit`` and papermill all go through the same
generic entry with the same JSON config, so a config shaped in an editor or a form runs
the same way everywhere. Used by ``tui`` (ctrl+l) and :mod:`dwh.notebook.form`.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dwh.entry import ENTRY_SCRIPT

__all__ = [
    "ENTRY_SCRIPT",
    "NOTEBOOKS",
    "RUN_NOTEBOOK",
    "ProductionCommands",
    "compact_json",
    "production_commands",
]

RUN_NOTEBOOK = "notebooks/run_job.ipynb"
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


@dataclass(frozen=True)
class ProductionCommands:
    """The commands that run one job config outside the TUI.

    Attributes:
        spark_submit: The ``spark-submit`` command production uses.
        papermill: The papermill command for the generic job notebook.
        job_notebook: The papermill command for the job's own notebook, when it has one.
    """

    spark_submit: str
    papermill: str
    job_notebook: str | None = None

    def as_text(self) -> str:
        """All commands, one per line, each preceded by a comment naming it."""
        text = (
            f"# production (spark-submit)\n{self.spark_submit}\n"
            f"# notebook (papermill)\n{self.papermill}\n"
        )
        if self.job_notebook:
            text += f"# the job's own notebook (papermill)\n{self.job_notebook}\n"
        return text


def compact_json(config: dict[str, Any]) -> str:
    """The config as one line of JSON, as it goes on a command line."""
    return json.dumps(config, separators=(",", ":"), ensure_ascii=False)


def production_commands(
    *,
    job: str,
    module: str,
    config: dict[str, Any],
    has_spark: bool,
    notebooks: Path | None = None,
) -> ProductionCommands:
    """Build the equivalent commands for a job config.

    Args:
        job: The job name.
        module: Its factory module.
        config: The validated config.
        has_spark: The ``--has_spark`` value.
        notebooks: The notebooks folder; the job's own notebook command is included
            when ``<notebooks>/<job>.ipynb`` exists. Defaults to the repository's.
    """
    folder = notebooks if notebooks is not None else NOTEBOOKS
    raw = compact_json(config)
    spark = "true" if has_spark else "false"
    spark_submit = shlex.join(
        [
            "spark-submit",
            ENTRY_SCRIPT,
            "--module_name",
            module,
            f"--{job}_job",
            raw,
            "--has_spark",
            spark,
        ]
    )
    # papermill's -p turns True/False into booleans and keeps JSON text a string;
    # the notebooks accept the config as a dict or as JSON text.
    flag = "True" if has_spark else "False"
    papermill = shlex.join(
        [
            "papermill",
            RUN_NOTEBOOK,
            "out/run_job.ipynb",
            "-p",
            "module_name",
            module,
            "-p",
            "job_config",
            raw,
            "-p",
            "has_spark",
            flag,
        ]
    )
    job_notebook = None
    if (folder / f"{job}.ipynb").is_file():
        job_notebook = shlex.join(
            ["papermill", f"notebooks/{job}.ipynb", f"out/{job}.ipynb", "-p", "job_config", raw]
        )
    return ProductionCommands(spark_submit, papermill, job_notebook)
