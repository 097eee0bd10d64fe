"""``dwh deploy airflow``: static Airflow DAG files, and the check that they still match.

::

    files = generate(DeployInputs(platform="spark-submit"))   # {file name: Python source}
    write_dags(files, Path("dags"))                           # each replaced atomically
    drift(settings_path)                                      # what dwh check reports

A file is plain Python that imports only Airflow and the platform's provider: no dwh
at parse time, so it parses in milliseconds on a worker that has neither dwh nor
Spark. Its docstring names the command and the inputs that generated it, and a
``# dwh-deploy:`` line records them as JSON, so :func:`drift` can generate the file
again from the same inputs and say what changed: a task, a dependency, a config.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dwh.deploy._platforms import IMPORTS, Artifacts, task_source
from dwh.deploy.dags import PROD_CONFIG, DagPlan, plan_dags
from dwh.deploy.settings import (
    DEFAULT_SETTINGS_NAME,
    DeploySettings,
    check_platform,
)
from dwh.devtools.check import Violation
from dwh.devtools.packaging import artifact_names, project_root
from dwh.errors import DeployError, UsageError
from dwh.registry import examples_dir
from dwh.settings import triggers_path
from dwh.triggers.trigger_map import TriggerMap

DAG_DRIFT = "dag-drift"
"""The rule ``dwh check`` reports a generated DAG under when it no longer matches."""

MANIFEST = "# dwh-deploy: "
"""The line that marks a generated DAG file and records how it was made."""

MANIFEST_VERSION = 1


@dataclass(frozen=True)
class DeployInputs:
    """What one ``dwh deploy airflow`` command generates from.

    Attributes:
        platform: One of :data:`dwh.deploy.settings.PLATFORMS`.
        jobs: The jobs whose chains to generate (empty: every registered job).
        triggers: The trigger map (default: ``$DWH_TRIGGERS``, else
            ``examples/triggers.json``).
        configs: The folder of ``<job>/prod.json`` (default: ``examples/configs``).
        settings: The deploy settings file (default: ``examples/deploy.json``).
        out: The DAG folder (default: the settings' ``airflow.dag_folder``).
    """

    platform: str
    jobs: tuple[str, ...] = ()
    triggers: Path | None = None
    configs: Path | None = None
    settings: Path | None = None
    out: Path | None = None

    def resolved(self) -> DeployInputs:
        """The inputs with every default filled in and paths as recorded (see :func:`shown`).

        Raises:
            DeployError: The platform is unknown, or no DAG folder is given or configured.
        """
        check_platform(self.platform)
        settings = self.settings or examples_dir() / DEFAULT_SETTINGS_NAME
        triggers = self.triggers or Path(triggers_path() or examples_dir() / "triggers.json")
        configs = self.configs or examples_dir() / "configs"
        out = self.out
        if out is None:
            folder = DeploySettings.load(project_path(settings)).dag_folder()
            if folder is None:
                raise DeployError(
                    f"deploy settings {settings}: missing 'airflow.dag_folder' "
                    "(the DAG folder to write to); or pass --out DIR"
                )
            out = project_path(Path(folder))
        return DeployInputs(
            self.platform,
            tuple(self.jobs),
            shown(triggers),
            shown(configs),
            shown(settings),
            shown(out),
        )

    def command(self) -> list[str]:
        """The command line that generates exactly these files."""
        argv = ["dwh", "deploy", "airflow", *self.jobs, "--platform", self.platform]
        for flag, path in (
            ("--triggers", self.triggers),
            ("--configs", self.configs),
            ("--settings", self.settings),
            ("--out", self.out),
        ):
            if path is not None:
                argv += [flag, str(path)]
        return argv

    def to_dict(self) -> dict[str, Any]:
        """The JSON form the manifest line records."""
        return {
            "platform": self.platform,
            "jobs": list(self.jobs),
            "triggers": str(self.triggers),
            "configs": str(self.configs),
            "settings": str(self.settings),
            "out": str(self.out),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DeployInputs:
        """Inputs from the manifest's JSON form."""
        return cls(
            platform=str(data["platform"]),
            jobs=tuple(str(job) for job in data.get("jobs", [])),
            triggers=Path(data["triggers"]),
            configs=Path(data["configs"]),
            settings=Path(data["settings"]),
            out=Path(data["out"]),
        )


def shown(path: Path) -> Path:
    """A path as a header records it: relative to the project root when inside it."""
    absolute = path.resolve()
    try:
        root = project_root(absolute if absolute.is_dir() else absolute.parent)
        return absolute.relative_to(root)
    except (UsageError, ValueError):
        return absolute


def project_path(path: Path) -> Path:
    """A path as recorded, as a file to open: a relative one is under the project root."""
    if path.is_absolute():
        return path
    try:
        return project_root() / path
    except UsageError:
        return path


def generate(inputs: DeployInputs) -> dict[str, str]:
    """Return every DAG file the inputs give, by file name; nothing is written.

    Raises:
        UsageError: Any bad input (see :class:`~dwh.errors.DeployError`): nothing was
            written and the message names it.
    """
    inputs = inputs.resolved()
    assert inputs.settings is not None and inputs.triggers is not None
    assert inputs.configs is not None
    settings = DeploySettings.load(project_path(inputs.settings))
    airflow = settings.section("airflow")
    platform = settings.section(inputs.platform)
    stored = settings.section("artifacts")
    trigger_map = TriggerMap.load(project_path(inputs.triggers))
    plans = plan_dags(
        inputs.jobs,
        trigger_map=trigger_map,
        configs=project_path(inputs.configs),
        dag_id_prefix=str(airflow["dag_id_prefix"]),
        variable_prefix=str(airflow["variable_prefix"]),
    )
    root = str(stored["root"])
    root = root if root.endswith("/") else root + "/"
    names = artifact_names()
    artifacts = Artifacts(
        entry=root + str(stored["entry"]), zip=root + names.zip, wheel=root + names.wheel
    )
    return {
        f"{plan.dag_id}.py": render_dag(plan, inputs, airflow, platform, artifacts)
        for plan in plans
    }


def render_dag(
    plan: DagPlan,
    inputs: DeployInputs,
    airflow: Mapping[str, Any],
    platform: Mapping[str, Any],
    artifacts: Artifacts,
) -> str:
    """The Python source of one DAG file."""
    from dwh import __version__

    chain = ", ".join(plan.jobs)
    configs = ", ".join(str(Path(str(inputs.configs), job, PROD_CONFIG)) for job in plan.jobs)
    variables = sorted({name for task in plan.tasks for name in task.variables.values()})
    manifest = {
        "version": MANIFEST_VERSION,
        "dag_id": plan.dag_id,
        "inputs": inputs.to_dict(),
        "tasks": {t.task_id: {"job": t.job, "config": t.config_digest} for t in plan.tasks},
        "edges": [list(edge) for edge in plan.edges],
    }
    start = [int(part) for part in str(airflow["start_date"]).split("-")]
    header = [
        f'"""Airflow DAG {plan.dag_id}: the jobs {chain}, on {inputs.platform}.',
        "",
        f"Generated by dwh {__version__}; do not edit: `dwh check` fails when this file no",
        "longer matches what the command below generates from its inputs.",
        "",
        f"    {shlex.join(inputs.command())}",
        "",
        "Inputs:",
        f"    trigger map: {inputs.triggers}",
        f"    configs:     {configs}",
        f"    settings:    {inputs.settings} (airflow, artifacts, {inputs.platform})",
        f"    artifacts:   {artifacts.entry}, {artifacts.zip} (dwh package)",
        "",
        "Secrets are never written here: each task reads them when it runs, from the",
        "Airflow Variables "
        + (", ".join(variables) if variables else "it names (none here)")
        + ".",
        '"""',
        MANIFEST + json.dumps(manifest, sort_keys=True),
        "",
        "from __future__ import annotations",
        "",
        "import datetime",
        "",
        "from airflow.sdk import DAG",
        IMPORTS[inputs.platform],
        "",
        "with DAG(",
        f"    dag_id={plan.dag_id!r},",
        f"    schedule={airflow['schedule']!r},",
        f"    start_date=datetime.datetime({start[0]}, {start[1]}, {start[2]}, "
        "tzinfo=datetime.timezone.utc),",
        f"    catchup={bool(airflow['catchup'])!r},",
        *(["    max_active_runs=1,"] if plan.sequential else []),
        f"    tags={list(airflow['tags'])!r},",
        "    doc_md=__doc__,",
        "):",
    ]
    body = [task_source(inputs.platform, task, platform, artifacts) for task in plan.tasks]
    edges = [f"    {up} >> {down}" for up, down in plan.edges]
    return (
        "\n".join(header)
        + "\n"
        + "\n".join(body)
        + "\n"
        + ("\n" + "\n".join(edges) + "\n" if edges else "")
    )


@dataclass(frozen=True)
class WriteResult:
    """What :func:`write_dags` did.

    Attributes:
        folder: The DAG folder.
        written: The files written (replaced or new).
        unchanged: The files that already held the same text.
        removed: Files this same command had generated, for chains that are gone.
    """

    folder: Path
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def write_dags(files: Mapping[str, str], folder: Path, inputs: DeployInputs) -> WriteResult:
    """Write each file into ``folder``, atomically; remove this command's stale files."""
    from dwh.services.atomic_commit import replace_file

    result = WriteResult(folder)
    for name, text in sorted(files.items()):
        target = folder / name
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            result.unchanged.append(name)
            continue
        replace_file(target, text)
        result.written.append(name)
    command = inputs.resolved().to_dict()
    for path, manifest in generated_files(folder):
        if path.name not in files and manifest.get("inputs") == command:
            path.unlink()
            result.removed.append(path.name)
    return result


def generated_files(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The DAG files in ``folder`` that ``dwh deploy airflow`` wrote, with their manifests."""
    found = []
    for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
        manifest = read_manifest(path)
        if manifest is not None:
            found.append((path, manifest))
    return found


def read_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest of a generated DAG file, or None for any other file."""
    try:
        with path.open(encoding="utf-8") as stream:
            for line in stream:
                if line.startswith(MANIFEST):
                    data = json.loads(line[len(MANIFEST) :])
                    return data if isinstance(data, dict) else None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return None


def describe_difference(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """Say what changed between two manifests: tasks, dependencies, configs, else the text."""
    changes: list[str] = []
    old_tasks, new_tasks = dict(old.get("tasks", {})), dict(new.get("tasks", {}))
    for task in sorted(set(new_tasks) - set(old_tasks)):
        changes.append(f"task {task} added")
    for task in sorted(set(old_tasks) - set(new_tasks)):
        changes.append(f"task {task} removed")
    old_edges = {tuple(e) for e in old.get("edges", [])}
    new_edges = {tuple(e) for e in new.get("edges", [])}
    for up, down in sorted(new_edges - old_edges):
        changes.append(f"dependency {up} >> {down} added")
    for up, down in sorted(old_edges - new_edges):
        changes.append(f"dependency {up} >> {down} removed")
    for task in sorted(set(old_tasks) & set(new_tasks)):
        if old_tasks[task].get("config") != new_tasks[task].get("config"):
            changes.append(f"config of {task} changed")
    return "; ".join(changes) or "the operator arguments or header changed"


@dataclass(frozen=True)
class Drift:
    """A generated DAG file that no longer matches its command's output.

    Attributes:
        dag_id: The DAG's id.
        path: The file.
        message: What differs and how to fix it.
    """

    dag_id: str
    path: Path
    message: str


def drift(folder: Path) -> list[Drift]:
    """Compare every generated DAG file in ``folder`` with what its command gives now.

    Each distinct command recorded in the folder is run again (in memory). A file that
    differs, a file the command no longer generates and a file it generates that is
    missing are each reported.
    """
    found: list[Drift] = []
    by_command: dict[str, list[tuple[Path, dict[str, Any]]]] = {}
    for path, manifest in generated_files(folder):
        by_command.setdefault(json.dumps(manifest.get("inputs"), sort_keys=True), []).append(
            (path, manifest)
        )
    for entries in by_command.values():
        inputs = DeployInputs.from_dict(entries[0][1]["inputs"])
        fix = f"run `{shlex.join(inputs.command())}`"
        try:
            fresh = generate(inputs)
        except UsageError as err:
            for path, manifest in entries:
                found.append(
                    Drift(str(manifest.get("dag_id")), path, f"cannot be generated again: {err}")
                )
            continue
        present = {path.name: (path, manifest) for path, manifest in entries}
        for name, text in sorted(fresh.items()):
            if name not in present:
                found.append(Drift(name[: -len(".py")], folder / name, f"is missing; {fix}"))
                continue
            path, manifest = present[name]
            if path.read_text(encoding="utf-8") != text:
                new = _manifest_of(text)
                what = describe_difference(manifest, new)
                found.append(Drift(str(manifest.get("dag_id")), path, f"differs: {what}; {fix}"))
        for name, (path, manifest) in sorted(present.items()):
            if name not in fresh:
                found.append(
                    Drift(
                        str(manifest.get("dag_id")),
                        path,
                        f"is no longer generated (its chain changed); {fix}, which removes it",
                    )
                )
    return found


def _manifest_of(text: str) -> dict[str, Any]:
    for line in text.splitlines():
        if line.startswith(MANIFEST):
            data: dict[str, Any] = json.loads(line[len(MANIFEST) :])
            return data
    return {}


def drift_violations(examples: Path) -> list[Violation]:
    """``dwh check``'s ``dag-drift`` violations: the DAG folder ``<examples>/deploy.json`` names.

    None when there is no settings file or it names no ``airflow.dag_folder``.
    """
    settings = examples / DEFAULT_SETTINGS_NAME
    try:
        folder = configured_dag_folder(settings)
    except UsageError as err:
        return [Violation("deploy", DAG_DRIFT, str(settings), 1, str(err))]
    if folder is None:
        return []
    return [Violation(d.dag_id, DAG_DRIFT, str(d.path), 1, d.message) for d in drift(folder)]


def configured_dag_folder(settings: Path) -> Path | None:
    """The ``airflow.dag_folder`` of a settings file, or None when there is none to check."""
    if not settings.is_file():
        return None
    folder = DeploySettings.load(settings).dag_folder()
    return project_path(Path(folder)) if folder else None
