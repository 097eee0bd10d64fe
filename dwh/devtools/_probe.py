"""The child side of ``dwh check``: import each job's modules and inspect them.

Run as ``python -m dwh.devtools._probe REQUEST RESULT`` by :mod:`dwh.devtools.check`.
It appends one JSON line per finding to RESULT as it goes (``start``, ``violation``,
``done``), so a module that kills the interpreter is still pinned on the right job.

This module holds the rules a job's modules must keep (the contract checks); the
watching of side effects while they are imported is :mod:`dwh.devtools._sandbox`.
Each finding points at the innermost line of job code that caused it.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import IO, Any

from dwh.devtools._sandbox import WATCH, watching
from dwh.errors import one_line


class Probe:
    """Checks one job at a time and streams the findings to ``out``."""

    def __init__(self, out: IO[str], examples: Path, notebooks: Path | None = None) -> None:
        self.out, self.examples = out, examples
        self.notebooks = notebooks
        self.job = ""

    def emit(self, kind: str, **data: Any) -> None:
        self.out.write(json.dumps({"kind": kind, "job": self.job, **data}) + "\n")
        self.out.flush()

    def violation(self, rule: str, path: str | Path, line: int, message: str) -> None:
        self.emit("violation", rule=rule, path=str(path), line=line, message=message)

    def check(self, name: str, module_name: str, path: Path) -> None:
        self.job = name
        self.emit("start")
        factory_module = self.import_watched(module_name, path)
        if factory_module is not None:
            self.check_main(factory_module, path)
            model = self.check_factory(factory_module, path)
            self.check_job_module(module_name.rsplit(".", 1)[0] + f".{name}_job", path)
            if model is not None:
                self.check_examples(model)
                self.check_notebooks(model, module_name)
                self.check_notebook_markdown(model, module_name)
        self.emit("done")

    def import_watched(self, module_name: str, path: Path) -> ModuleType | None:
        folder = path.parent
        try:
            with watching(folder):
                module = importlib.import_module(module_name)
        except BaseException as exc:
            where = _traceback_line(exc, folder) or (str(path), 1)
            self.violation("import", where[0], where[1], f"fails to import: {one_line(exc)}")
            return None
        finally:
            for what, file, line in WATCH.effects:
                self.violation("import", file, line, f"importing {module_name} {what}")
        return module

    def check_main(self, module: ModuleType, path: Path) -> None:
        main = getattr(module, "main", None)
        if not callable(main):
            self.violation("main", path, 1, "the factory module has no main(**kwargs) function")
            return
        params = inspect.signature(main).parameters.values()
        if not any(p.kind is p.VAR_KEYWORD for p in params):
            self.violation("main", path, _line_of(main), "main() must accept **kwargs")

    def check_factory(self, module: ModuleType, path: Path) -> type[Any] | None:
        from dwh.config import JobConfig
        from dwh.jobs.abstract_job_factory import AbstractJobFactory

        classes = _own_classes(module)
        factories = [c for c in classes if issubclass(c, AbstractJobFactory)]
        misnamed = [c for c in classes if c.__name__.endswith("Factory") and c not in factories]
        for cls in misnamed:
            self.violation(
                "factory", path, _line_of(cls), f"{cls.__name__} must subclass AbstractJobFactory"
            )
        if not factories:
            if not misnamed:
                self.violation("factory", path, 1, "defines no AbstractJobFactory subclass")
            return None
        model: type[Any] | None = None
        for cls in factories:
            line = _line_of(cls)
            if "create_job" in getattr(cls, "__abstractmethods__", ()):
                self.violation(
                    "factory", path, line, f"{cls.__name__} does not implement create_job()"
                )
            job_name = getattr(cls, "job_name", None)
            if job_name != self.job:
                self.violation(
                    "factory",
                    path,
                    line,
                    f"{cls.__name__}.job_name is {job_name!r}; it must be the folder name "
                    f"{self.job!r} (its config argument is --{self.job}_job)",
                )
            candidate = getattr(cls, "config_model", None)
            if not (isinstance(candidate, type) and issubclass(candidate, JobConfig)):
                self.violation(
                    "config-schema",
                    path,
                    line,
                    f"{cls.__name__}.config_model must be a dwh.config.JobConfig subclass, "
                    f"got {candidate!r}",
                )
                continue
            model = candidate
            self.check_schema(candidate)
        return model

    def check_schema(self, model: type[Any]) -> None:
        from dwh.config import config_schema

        try:
            schema = config_schema(model)
            json.dumps(schema)
        except Exception as exc:
            self.violation(
                "config-schema",
                inspect.getsourcefile(model) or "<unknown>",
                _line_of(model),
                f"{model.__name__} does not export a JSON Schema: {one_line(exc)}",
            )

    def check_job_module(self, module_name: str, factory_path: Path) -> None:
        from dwh.jobs.abstract_job import AbstractJob

        expected = factory_path.parent / f"{self.job}_job.py"
        if importlib.util.find_spec(module_name) is None:
            self.violation(
                "job", factory_path, 1, f"no job module {expected.name} next to the factory"
            )
            return
        module = self.import_watched(module_name, expected)
        if module is None:
            return
        classes = _own_classes(module)
        jobs = [c for c in classes if issubclass(c, AbstractJob)]
        misnamed = [c for c in classes if c.__name__.endswith("Job") and c not in jobs]
        for cls in misnamed:
            self.violation(
                "job", expected, _line_of(cls), f"{cls.__name__} must subclass AbstractJob"
            )
        if not jobs and not misnamed:
            self.violation("job", expected, 1, "defines no AbstractJob subclass")
        for cls in jobs:
            missing = sorted(
                {"execute_job", "on_success", "on_failure"} & set(cls.__abstractmethods__)
            )
            if missing:
                self.violation(
                    "job",
                    expected,
                    _line_of(cls),
                    f"{cls.__name__} does not implement {', '.join(m + '()' for m in missing)}",
                )
            for klass in cls.__mro__:
                if klass is AbstractJob:
                    break
                if "run" in klass.__dict__:
                    self.violation(
                        "run-override",
                        inspect.getsourcefile(klass) or str(expected),
                        _line_of(klass.__dict__["run"]),
                        f"{klass.__name__} overrides run(), which is final: put the work in "
                        "execute_job() and react in on_success()/on_failure()",
                    )

    def check_examples(self, model: type[Any]) -> None:
        from dwh.config import parse_config
        from dwh.errors import ConfigError

        folder = self.examples / "configs" / self.job
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            text = path.read_text(encoding="utf-8")
            try:
                parse_config(model, text, job=self.job)
            except ConfigError as err:
                for problem in err.problems:
                    self.violation("example", path, _problem_line(text, problem), problem)

    def check_notebooks(self, model: type[Any], module_name: str) -> None:
        """Validate the default ``job_config`` of each notebook that runs this job."""
        from dwh.config import parse_config
        from dwh.errors import ConfigError

        folder = self.notebooks
        for path in sorted(folder.glob("*.ipynb")) if folder and folder.is_dir() else []:
            default = _notebook_default(path, module_name)
            if default is None:
                continue
            text = default if isinstance(default, str) else json.dumps(default)
            try:
                parse_config(model, text, job=self.job)
            except ConfigError as err:
                for problem in err.problems:
                    self.violation(
                        "notebook",
                        path,
                        1,
                        f"the default job_config of the parameters cell is stale: {problem} "
                        f"(update it, or set it to None to read the example config)",
                    )

    def check_notebook_markdown(self, model: type[Any], module_name: str) -> None:
        """Refuse config fields that a notebook's text shows but the model no longer has."""
        folder = self.notebooks
        fields = sorted(model.model_fields)
        for path in sorted(folder.glob("*.ipynb")) if folder and folder.is_dir() else []:
            cells = _cells_running(path, module_name)
            markdown = [
                "".join(c.get("source", "")) for c in cells if c.get("cell_type") == "markdown"
            ]
            for config in _markdown_configs("\n".join(markdown)):
                for key in sorted(set(config) - set(fields)):
                    self.violation(
                        "notebook",
                        path,
                        1,
                        f"the notebook's text shows config field '{key}', which {self.job}'s "
                        f"config does not have (fields: {', '.join(fields)}); update the "
                        "markdown, or point it at examples/configs/ instead",
                    )


def _cells_running(path: Path, module_name: str) -> list[dict[str, Any]]:
    """The cells of a notebook whose code names ``module_name``; [] for any other."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return []
    cells = [c for c in cells if isinstance(c, dict)]
    sources = ["".join(c.get("source", "")) for c in cells]
    return cells if any(module_name in source for source in sources) else []


_QUOTED_JSON = re.compile(r"'(\{[^']*\})'")


def _markdown_configs(text: str) -> list[dict[str, Any]]:
    """The job configs a notebook's text shows: ``-p job_config '{...}'`` and ``-y`` dicts."""
    configs: list[dict[str, Any]] = []
    for match in _QUOTED_JSON.finditer(text):
        try:
            value = json.loads(match.group(1))
        except ValueError:
            continue
        if isinstance(value, dict) and isinstance(value.get("job_config"), dict):
            configs.append(value["job_config"])  # -y '{"job_config": {...}}'
        elif isinstance(value, dict) and "job_config" in text[: match.start()].rsplit("\n", 1)[-1]:
            configs.append(value)  # -p job_config '{...}'
    return configs


def _notebook_default(path: Path, module_name: str) -> Any:
    """The literal default ``job_config`` of a notebook that runs ``module_name``, or None."""
    cells = _cells_running(path, module_name)
    if not cells:
        return None
    sources = ["".join(c.get("source", "")) for c in cells]
    tagged = [
        source
        for cell, source in zip(cells, sources, strict=True)
        if "parameters" in cell.get("metadata", {}).get("tags", [])
    ]
    try:
        tree = ast.parse(tagged[0]) if tagged else None
    except SyntaxError:
        return None
    for node in tree.body if tree else []:
        target: ast.expr | None = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        value = getattr(node, "value", None)
        if isinstance(target, ast.Name) and target.id == "job_config" and value is not None:
            try:
                return ast.literal_eval(value)
            except ValueError:
                return None  # computed at run time: nothing to check here
    return None


def _own_classes(module: ModuleType) -> list[type[Any]]:
    return [
        obj
        for _, obj in inspect.getmembers(module, inspect.isclass)
        if obj.__module__ == module.__name__
    ]


def _line_of(obj: Callable[..., Any] | type[Any]) -> int:
    try:
        return inspect.getsourcelines(obj)[1]
    except (OSError, TypeError):
        return 1


def _problem_line(text: str, problem: str) -> int:
    """The line of the key a problem names, or of a JSON syntax error; else 1."""
    syntax = re.search(r"line (\d+)", problem)
    if problem.startswith("config is not valid JSON") and syntax:
        return int(syntax.group(1))
    key = re.match(r"(?:unknown key )?'([^'.\[]+)", problem)
    if key:
        found = re.search(rf'"{re.escape(key.group(1))}"\s*:', text)
        if found:
            return text.count("\n", 0, found.start()) + 1
    return 1


def _traceback_line(exc: BaseException, folder: Path) -> tuple[str, int] | None:
    """The innermost traceback entry in ``folder`` (or a SyntaxError's own line)."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return exc.filename, exc.lineno or 1
    found = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.startswith(str(folder) + os.sep):
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def main(argv: list[str]) -> int:
    """Check the jobs named in the request file; write findings to the result file."""
    request = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    sys.dont_write_bytecode = True
    sys.addaudithook(WATCH.audit)
    sys.meta_path.insert(0, WATCH)
    with Path(argv[1]).open("a", encoding="utf-8") as out:
        notebooks = request.get("notebooks")
        probe = Probe(out, Path(request["examples"]), Path(notebooks) if notebooks else None)
        for job in request["jobs"]:
            probe.check(job["name"], job["module"], Path(job["path"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
