"""``dwh runs log RUN_ID [--grep TEXT]``: the process output the launcher stored for a run."""

from __future__ import annotations

import io

from dwh.launch import launch
from dwh.runs.logs import RunLogWriter


def _store_log(run_id: str, lines: list[str]) -> None:
    writer = RunLogWriter(run_id)
    for line in lines:
        writer.write(line)
    writer.close()


def test_prints_the_log_of_a_launched_run(invoke, state) -> None:
    passed_through = io.StringIO()
    launch("noop", {"message": "hi"}, run_id="run-launched", stderr=passed_through)

    result = invoke("runs", "log", "run-launched")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == passed_through.getvalue()
    assert "dwh: job 'noop' succeeded" in result.stdout
    assert result.stderr == ""


def test_grep_keeps_the_matching_lines_in_any_case_and_counts_them(invoke, state) -> None:
    _store_log(
        "run-grep",
        [
            "INFO SparkContext: Running Spark version 4.3.0",
            "WARN NativeCodeLoader: Unable to load native-hadoop library",
            "[Stage 3:>   (0 + 2) / 4]",
            "info Executor: Finished task 0.0 in stage 3.0",
        ],
    )

    result = invoke("runs", "log", "run-grep", "--grep", "INFO")
    brackets = invoke("runs", "log", "run-grep", "--grep", "[stage")
    none = invoke("runs", "log", "run-grep", "--grep", "OutOfMemory")

    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "INFO SparkContext: Running Spark version 4.3.0",
        "info Executor: Finished task 0.0 in stage 3.0",
    ]
    assert result.stderr == "2 of 4 lines match 'INFO'\n"
    assert brackets.stdout == "[Stage 3:>   (0 + 2) / 4]\n"
    assert (none.exit_code, none.stdout, none.stderr) == (
        0,
        "",
        "0 of 4 lines match 'OutOfMemory'\n",
    )


def test_an_unknown_run_exits_2_naming_it(invoke, state) -> None:
    invoke("run", "noop", "--config", "{}", "--run-id", "run-ok")

    result = invoke("runs", "log", "run-nope")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "dwh: error: no run with id 'run-nope' in the run store"
    ]


def test_a_run_not_started_by_the_launcher_exits_2_saying_so(invoke, state) -> None:
    invoke("run", "noop", "--config", "{}", "--run-id", "run-in-process")

    result = invoke("runs", "log", "run-in-process")

    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "dwh: error: run 'run-in-process' has no stored log: it was not started by the "
        "launcher (the TUI, dwh run --follow, triggers, backfills), or its log was pruned "
        "($DWH_LOG_KEEP)"
    ]
