"""The crunch job again, under another name: the downstream end of a trigger chain."""

from __future__ import annotations

from typing import Any

from tuiwarmjobs.crunch.crunch_job_factory import CrunchJobFactory


class RecrunchJobFactory(CrunchJobFactory):
    """Builds the crunch job, named ``recrunch``."""

    job_name = "recrunch"


def main(**kwargs: Any) -> Any:
    return RecrunchJobFactory(**kwargs).run(**kwargs)
