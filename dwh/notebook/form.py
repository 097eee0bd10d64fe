"""A parameters form for a job, built from its config's JSON Schema: ``form("filter_images")``.

The form is the notebook's way to write a job config without editing JSON by hand:

- one input per config field, in the schema's order (:mod:`dwh.notebook.fields` picks
  text, a bounded number box, a checkbox, a dropdown, a date picker or JSON text), with
  the description as tooltip and help line, and the defaults filled in;
- an example config (``examples/configs/<job>/*.json``) can be loaded into it;
- every change is validated by the job's own model, and the problems are shown in the
  exact words ``dwh validate`` prints; Run stays disabled while there are any;
- Run calls the factory module's ``main(**kwargs)`` through :mod:`dwh.notebook.runs`, on
  the warm Spark server when one runs (``dwh spark start``), else in this kernel's
  session, and says which; it shows the events and Spark stages live, then the metrics,
  the outputs and a preview of each (row count, schema, first rows), or the one-line
  error;
- the config is shown as the ``spark-submit`` and papermill commands that run it
  (:mod:`dwh.devtools.production`, the same text as the TUI's ctrl+l).

One source of truth: each valid config is also written to the notebook's ``job_config``
variable, the one its parameters cell defines, so the cells after the form and a
papermill run use the same value. ipywidgets is imported when a form is built.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

from dwh.config import config_schema, load_json_object, parse_config
from dwh.devtools.production import production_commands
from dwh.errors import ConfigError, DwhError
from dwh.notebook.fields import FieldSpec, field_specs
from dwh.registry import example_configs, find_job, load_factory

if TYPE_CHECKING:
    import ipywidgets as w

    from dwh.notebook.runs import NotebookRun


class ConfigForm:
    """An ipywidgets form for one job's config; display it by ending a cell with it.

    Attributes:
        job: The job name.
        module: Its factory module.
        specs: The fields, in the schema's order.
        inputs: The input widget of each field, by field name.
        last_run: The last run started from the form, or None.
        warm: Where Run runs a Spark job: None (the default) on the warm server when
            one runs, else in this kernel's session; True on the warm server, starting
            it if none runs; False always in this kernel's session.
    """

    def __init__(
        self,
        job: str,
        job_config: str | Mapping[str, Any] | None = None,
        *,
        namespace: MutableMapping[str, Any] | None = None,
        target: str = "job_config",
        warm: bool | None = None,
    ) -> None:
        import ipywidgets as widgets

        from dwh.notebook._widgets import RunView, help_line, make_input

        info = find_job(job)
        factory = load_factory(info)
        self.job = info.name
        self.module = info.module
        self._model = factory.config_model
        self._needs_spark = factory.needs_spark
        self.specs: list[FieldSpec] = field_specs(config_schema(self._model))
        self.inputs: dict[str, w.ValueWidget] = {s.name: make_input(s) for s in self.specs}
        self.last_run: NotebookRun | None = None
        self._namespace = namespace if namespace is not None else _user_namespace()
        self._target = target
        self.warm = warm
        self._problems: list[str] = []
        self._loading = False

        self._examples = example_configs(self.job)
        self.example = widgets.Dropdown(
            options=list(self._examples),
            description="example",
            style={"description_width": "190px"},
        )
        self.load_button = widgets.Button(description="Load example", disabled=not self._examples)
        self.load_button.on_click(lambda _: self.load(self._examples[str(self.example.value)]))
        self.problems = widgets.HTML()
        self.problems.add_class("dwh-form-problems")
        self.run_button = widgets.Button(description="Run", button_style="primary", icon="play")
        self.run_button.add_class("dwh-run")
        self.run_button.on_click(lambda _: self.run())
        self.commands = widgets.Textarea(rows=7, layout=widgets.Layout(width="100%"))
        self.commands.add_class("dwh-form-commands")
        copy_out = widgets.Accordion(
            children=[self.commands], titles=("Copy as spark-submit / papermill",)
        )
        self.view = RunView()

        rows: list[w.Widget] = [widgets.HTML(f"<h3>{self.job} <small>{self.module}</small></h3>")]
        if self._examples:
            rows.append(widgets.HBox([self.example, self.load_button]))
        for spec in self.specs:
            rows += [self.inputs[spec.name], help_line(spec)]
        rows += [self.problems, self.run_button, copy_out, self.view.widget]
        self.widget = widgets.VBox(rows)
        self.widget.add_class("dwh-form")
        for widget in self.inputs.values():
            widget.observe(lambda _: self.refresh(), names="value")
        if job_config is not None:
            self.load(load_json_object(job_config, job=self.job))
        else:
            self.refresh()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    @property
    def job_config(self) -> dict[str, Any]:
        """The config the inputs hold now, as the command line would take it."""
        config: dict[str, Any] = {}
        for spec in self.specs:
            present, value = spec.to_config(self.inputs[spec.name].value)
            if present:
                config[spec.name] = value
        return config

    @property
    def errors(self) -> list[str]:
        """The problems, in ``dwh validate``'s lines (empty when the config is valid)."""
        return list(self._problems)

    @property
    def message(self) -> str:
        """The text shown under the form: ``dwh validate``'s report, or "" when valid."""
        return "\n".join(self._problems)

    def set(self, **values: Any) -> None:
        """Set inputs by field name (what typing into them does), then validate once."""
        unknown = sorted(set(values) - set(self.inputs))
        if unknown:
            raise KeyError(f"no field {unknown[0]!r} in the {self.job} form: {sorted(self.inputs)}")
        self._loading = True
        try:
            for name, value in values.items():
                self.inputs[name].value = value
        finally:
            self._loading = False
        self.refresh()

    def load(self, config: Mapping[str, Any]) -> None:
        """Fill every input from ``config`` (fields it lacks get their defaults).

        Raises:
            ConfigError: ``config`` has a key the form has no field for, or a value its
                input cannot hold (out of a box's bounds, not a date), with the model's
                message; nothing is dropped or changed silently.
        """
        data = dict(config)
        if set(data) - set(self.inputs):
            parse_config(self._model, data, job=self.job)
        self.set(**{spec.name: spec.from_config(data) for spec in self.specs})
        # A value an input cannot hold (a bounded box clamps -1 to 0; a date picker drops
        # "2026-13-01") would be changed silently: refuse it with the model's message.
        changed = [
            spec.name
            for spec in self.specs
            if spec.name in data
            and not (data[spec.name] is None and spec.nullable)
            and spec.to_config(self.inputs[spec.name].value) != (True, data[spec.name])
        ]
        if changed:
            parse_config(self._model, data, job=self.job)
            raise ConfigError(
                self.job, [f"'{name}': the form cannot hold the value" for name in changed]
            )

    def refresh(self) -> None:
        """Validate the current config; show the problems or the commands, gate Run."""
        if self._loading:
            return
        config = self.job_config
        try:
            parse_config(self._model, config, job=self.job)
        except ConfigError as err:
            self._problems = err.report()
        else:
            self._problems = []
        self.run_button.disabled = bool(self._problems)
        if self._problems:
            self.problems.value = _pre(self._problems, color="#b00020")
            self.commands.value = "fix the config first: " + self._problems[0]
            return
        self.problems.value = "<span style='color:#2a7d2a'>valid config</span>"
        self.commands.value = production_commands(
            job=self.job, module=self.module, config=config, has_spark=self._needs_spark
        ).as_text()
        if self._namespace is not None:
            self._namespace[self._target] = config

    def run(self) -> NotebookRun | None:
        """Run the current config through ``main(**kwargs)`` and show it live.

        Returns:
            The run, or None when the module or config check refused it (the one-line
            error is shown, as for a failed run).
        """
        from dwh.notebook.runs import prepare_run

        self.refresh()
        if self._problems:
            return None
        self.run_button.disabled = True
        try:
            try:
                prepared = prepare_run(self.module, self.job_config, warm=self.warm)
            except DwhError as err:
                self.view.fail(f"{type(err).__name__}: {err}")
                return None
            self.view.start(self.job, prepared.run_id, prepared.where)
            run = prepared.execute(listener=self.view.on_event)
            self.view.finish(run)
            self.last_run = run
            return run
        finally:
            self.run_button.disabled = bool(self._problems)


def form(
    job: str,
    job_config: str | Mapping[str, Any] | None = None,
    *,
    namespace: MutableMapping[str, Any] | None = None,
    target: str = "job_config",
    warm: bool | None = None,
) -> ConfigForm:
    """Build the parameters form of ``job`` (a job name or its factory module).

    Args:
        job: The job.
        job_config: A config to start from (a dict or JSON text), e.g. the notebook's
            ``job_config`` parameter; None starts from the defaults.
        namespace: Where each valid config is written as ``target``; default the
            notebook's own variables (none outside IPython).
        target: The variable name it is written to.
        warm: Where Run runs a Spark job: None, on the warm server when one runs
            (``dwh spark start``), else in this kernel's session; True, on the warm
            server, starting it if none runs; False, in this kernel's session.

    Raises:
        UsageError: No such job.
        ConfigError: ``job_config`` is not a JSON object.
    """
    return ConfigForm(job, job_config, namespace=namespace, target=target, warm=warm)


def _user_namespace() -> MutableMapping[str, Any] | None:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None:
        return None
    namespace: MutableMapping[str, Any] = shell.user_ns
    return namespace


def _pre(lines: list[str], *, color: str) -> str:
    import html

    text = html.escape("\n".join(lines))
    return f"<pre style='color:{color};white-space:pre-wrap;margin:4px 0'>{text}</pre>"
