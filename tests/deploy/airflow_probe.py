"""Run by the Airflow venv's python (never dwh's): load generated DAGs, report as JSON.

    python airflow_probe.py dagbag FOLDER...
    python airflow_probe.py render FOLDER DAG_ID DATE VARIABLES_JSON
    python airflow_probe.py parse FILE REPEATS

``dagbag`` imports every file of each folder with Airflow's own DagBag and prints, per
folder, the import errors and each DAG's tasks, operators and upstream task ids. ``render`` renders every task's
template fields with the operator's own ``render_template_fields`` for one logical
date, Variables given as JSON, and prints them. ``parse`` times importing one DAG file
(after Airflow itself is imported), the figure the bench reports.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
import time


def dagbag(folder: str) -> dict:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=folder)
    dags = {}
    for dag_id, dag in bag.dags.items():
        dags[dag_id] = {
            "fileloc": dag.fileloc,
            "max_active_runs": dag.max_active_runs,
            "tasks": {
                task.task_id: {
                    "operator": type(task).__name__,
                    "upstream": sorted(task.upstream_task_ids),
                }
                for task in dag.tasks
            },
        }
    return {"import_errors": {str(k): str(v) for k, v in bag.import_errors.items()}, "dags": dags}


def render(folder: str, dag_id: str, day: str, variables: dict) -> dict:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=folder)
    dag = bag.dags[dag_id]
    logical = dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC)
    out = {}
    for task in dag.tasks:
        context = {
            "ds": logical.strftime("%Y-%m-%d"),
            "ts_nodash": logical.strftime("%Y%m%dT%H%M%S"),
            "logical_date": logical,
            "var": {
                "value": dict(variables),
                "json": {k: json.loads(v) for k, v in variables.items() if _is_json(v)},
            },
            "dag": dag,
            "task": task,
        }
        task.render_template_fields(context)
        out[task.task_id] = {
            "operator": type(task).__name__,
            "fields": {name: _plain(getattr(task, name)) for name in task.template_fields},
        }
    return out


def parse(path: str, repeats: int) -> dict:
    """Time importing the file: the first time (its provider imported too), then again.

    Then time Airflow's own ``DagBag`` on the file, which also checks and bags the DAG.
    """
    import airflow.sdk  # noqa: F401  a DAG processor has Airflow loaded already
    from airflow.dag_processing.dagbag import DagBag

    seconds = []
    for i in range(repeats):
        spec = importlib.util.spec_from_file_location(f"dwh_generated_{i}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        started = time.perf_counter()
        spec.loader.exec_module(module)
        seconds.append(time.perf_counter() - started)
    bagged = []
    for _ in range(repeats):
        started = time.perf_counter()
        bag = DagBag(dag_folder=path)
        bagged.append(time.perf_counter() - started)
        assert not bag.import_errors, bag.import_errors
    return {"seconds": seconds, "dagbag_seconds": bagged}


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def main(argv: list[str]) -> int:
    command = argv[0]
    if command == "dagbag":
        result = {folder: dagbag(folder) for folder in argv[1:]}
    elif command == "render":
        result = render(argv[1], argv[2], argv[3], json.loads(argv[4]))
    elif command == "parse":
        result = parse(argv[1], int(argv[2]))
    else:
        raise SystemExit(f"unknown command {command}")
    print("PROBE " + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
