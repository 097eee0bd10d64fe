"""``did_you_mean``: the hint the one-line errors give for a misspelt key, field or job."""

from __future__ import annotations

from dwh.errors import did_you_mean


def test_the_closest_choice_is_suggested_after_the_lead() -> None:
    assert did_you_mean("run_dat", ["run_date", "out_dir"]) == "; did you mean 'run_date'?"
    assert did_you_mean("out_dr", ["run_date", "out_dir"], lead=": ") == (
        ": did you mean 'out_dir'?"
    )


def test_nothing_close_gives_no_hint() -> None:
    assert did_you_mean("zzz", ["run_date", "out_dir"]) == ""
    assert did_you_mean("run_date", []) == ""
