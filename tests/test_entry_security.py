"""Property: whatever string it is given, the entry imports nothing outside the allowed packages."""

from __future__ import annotations

import sys

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dwh.entry import load_job_main
from dwh.errors import JobModuleError, ModuleRefusedError

ALLOWED = ("dwh.jobs",)
SEGMENT = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True)
DOTTED = st.lists(SEGMENT, min_size=1, max_size=5).map(".".join)
NAMES = st.one_of(
    st.text(max_size=60),
    DOTTED,
    st.builds(
        lambda prefix, rest: prefix + rest,
        st.sampled_from(["dwh.jobs.", "dwh.", "dwh.jobs", "", "."]),
        st.text(max_size=30),
    ),
    st.builds(lambda rest: "dwh.jobs." + rest, DOTTED),
    st.sampled_from(
        ["os", "subprocess", "antigravity", "this", "dwh.jobs..x", "../dwh/jobs", "dwh/jobs/noop"]
    ),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NAMES)
@example("antigravity")  # opens a web browser when imported
@example("dwh.jobs.noop.noop_job_factory\u0430")  # Cyrillic look-alike
@example("dwh.jobs.noop.noop_job_factory")
def test_nothing_outside_the_allowed_packages_is_ever_imported(name: str) -> None:
    before = set(sys.modules)
    try:
        main = load_job_main(name, ALLOWED)
    except (ModuleRefusedError, JobModuleError):
        pass
    else:
        assert callable(main)
        assert name.startswith("dwh.jobs.")
    new = set(sys.modules) - before
    assert all(module.startswith("dwh.jobs.") for module in new), new
