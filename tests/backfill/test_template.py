"""Each date's config: the date field set, placeholders filled, bad placeholders refused."""

from __future__ import annotations

import datetime as dt

import pytest

from dwh.backfill.template import (
    MAX_DATES,
    check_date_field,
    check_templates,
    date_range,
    parse_date,
    resolve_config,
)
from dwh.errors import ExitCode, UsageError

DAY = dt.date(2026, 11, 4)


def test_iso_and_strftime_placeholders_fill_nested_strings_and_the_date_field_is_set() -> None:
    config = {
        "path": "data/{run_date}",
        "nested": {"parts": ["y={run_date:%Y}/m={run_date:%m}", "plain"], "n": 3},
        "literal": "{{not a placeholder}}",
        "run_date": "1999-01-01",
    }
    resolved = resolve_config(config, DAY, date_field="run_date")
    assert resolved == {
        "path": "data/2026-11-04",
        "nested": {"parts": ["y=2026/m=11", "plain"], "n": 3},
        "literal": "{not a placeholder}",
        "run_date": "2026-11-04",
    }
    assert config["path"] == "data/{run_date}"  # the template is left alone


def test_another_date_field_is_set_and_may_be_named_in_placeholders() -> None:
    resolved = resolve_config({"a": "{day:%Y/%m/%d}", "b": "{run_date}"}, DAY, date_field="day")
    assert resolved == {"a": "2026/11/04", "b": "2026-11-04", "day": "2026-11-04"}


@pytest.mark.parametrize(
    ("value", "shown"),
    [("out/{date}", "{date}"), ("{run_date.year}", "{run_date.year}"), ("{run_date!r}", "!r")],
)
def test_a_placeholder_naming_no_date_field_is_refused_listing_the_valid_ones(
    value: str, shown: str
) -> None:
    with pytest.raises(UsageError) as caught:
        check_templates({"outer": {"path": value}}, date_field="day")
    message = str(caught.value)
    assert caught.value.exit_code == ExitCode.USAGE
    assert "config field 'outer.path'" in message and shown in message
    assert "valid placeholders: {day}, {run_date}" in message


def test_an_unbalanced_brace_is_refused_with_how_to_write_a_literal_one() -> None:
    with pytest.raises(UsageError, match=r"'paths\[1\]': malformed placeholder.*literal braces"):
        check_templates({"paths": ["ok", "out/{run_date"]}, date_field="run_date")


def test_dates_are_inclusive_oldest_first_or_backwards() -> None:
    start, end = dt.date(2026, 11, 30), dt.date(2026, 12, 2)
    forward = [dt.date(2026, 11, 30), dt.date(2026, 12, 1), dt.date(2026, 12, 2)]
    assert date_range(start, end) == forward
    assert date_range(start, end, backwards=True) == forward[::-1]
    assert date_range(start, start) == [start]
    with pytest.raises(UsageError, match="--to 2026-11-29 is before --from 2026-11-30"):
        date_range(start, dt.date(2026, 11, 29))


def test_a_malformed_date_names_its_option() -> None:
    with pytest.raises(UsageError, match=r"--from must be a date as YYYY-MM-DD, got '2026-13-01'"):
        parse_date("2026-13-01", name="--from")


def test_a_config_without_the_date_field_is_refused_listing_its_fields() -> None:
    with pytest.raises(UsageError) as caught:
        check_date_field(["message", "sleep_seconds"], "run_date", job="noop")
    assert caught.value.exit_code == ExitCode.USAGE
    assert str(caught.value) == (
        "job 'noop' cannot be backfilled by date: its config has no field 'run_date'; "
        "pass --date-field with one of: message, sleep_seconds"
    )


def test_a_range_of_more_than_max_dates_is_refused_at_once() -> None:
    start = dt.date(1, 1, 1)

    assert len(date_range(start, start + dt.timedelta(days=MAX_DATES - 1))) == MAX_DATES
    with pytest.raises(UsageError, match=r"spans 3,652,059 dates; a backfill takes at most 10,000"):
        date_range(start, dt.date(9999, 12, 31))
