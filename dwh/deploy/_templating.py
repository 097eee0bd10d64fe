"""A job config as Airflow Jinja: the logical date, the upstream run id, secrets by name.

A task's config is JSON text that Airflow renders when the task runs, never when the
DAG file is parsed. Three kinds of value are Jinja expressions, everything else is
literal (and any ``{{``, ``{%`` or ``{#`` in it is escaped, so Jinja leaves it alone):

- a date placeholder (``{run_date}``, ``{run_date:%Y/%m/%d}``), by the backfill's own
  rules (:func:`dwh.backfill.template.fill_placeholders`), and the date field itself:
  ``{{ ds }}`` or ``{{ logical_date.strftime('%Y/%m/%d') }}``;
- ``triggered_by_run_id``: the upstream task's run id (:func:`run_id_template`);
- a value under a secret key (:func:`dwh.redaction.is_secret_key`): read from an Airflow
  Variable when the task runs, ``{{ var.value.<name> | tojson }}``.

Each expression is held in a slot while the JSON is built, a private-use character
pair that JSON leaves as it is, then put in place of the slot.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dwh.errors import DeployError
from dwh.redaction import is_secret_key

_OPEN, _CLOSE = "\ue000", "\ue001"
_SLOT = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
_QUOTED_SLOT = re.compile(f'"{_OPEN}(\\d+){_CLOSE}"')
_JINJA_START = re.compile(f"\\{{(?=[{{%#{_OPEN}])")
_NAME = re.compile(r"[^A-Za-z0-9_]+")
_UNSAFE_FORMAT = frozenset("'\"\\{}")

DS = "{{ ds }}"
"""Airflow's logical date as ``YYYY-MM-DD``: what a date field and ``{run_date}`` become."""


def run_id_template(dag_id: str, task_id: str) -> str:
    """The dwh run id a task's run gets: one per task and logical date.

    ``airflow-<dag_id>.<task_id>-<logical date as YYYYMMDDTHHMMSS>``: the downstream task
    names it as its ``triggered_by_run_id``, ``dwh runs`` and the lineage events carry
    it, and it says which Airflow task instance ran it.
    """
    return f"airflow-{dag_id}.{task_id}-{{{{ ts_nodash }}}}"


def date_expression(spec: str) -> str:
    """The Jinja for one date placeholder: ``{{ ds }}``, or its strftime format applied.

    Raises:
        DeployError: The format holds a quote, backslash or brace, which would break
            the JSON or the Jinja it is written into.
    """
    if not spec:
        return DS
    if _UNSAFE_FORMAT & set(spec):
        raise DeployError(
            f"date placeholder format {spec!r} holds a quote, backslash or brace; "
            "a generated DAG can't template it (use plain strftime codes such as %Y/%m/%d)"
        )
    return f"{{{{ logical_date.strftime('{spec}') }}}}"


def variable_name(prefix: str, job: str, path: str) -> str:
    """The Airflow Variable a secret is read from: ``<prefix><job>_<path>``, lower case.

    With the default prefix ``dwh_secret_`` the name holds "secret", so Airflow masks
    the value in task logs and in the rendered-template view.
    """
    return _NAME.sub("_", f"{prefix}{job}_{path}").strip("_").lower()


@dataclass
class JinjaConfig:
    """Builds one task's config text; :meth:`slot` stands in for an expression.

    Attributes:
        job: The job, for Variable names and messages.
        variable_prefix: The Variables' name prefix.
        variables: The Variables the config reads, by config path.
    """

    job: str
    variable_prefix: str
    variables: dict[str, str] = field(default_factory=dict)
    _expressions: list[tuple[str, bool]] = field(default_factory=list)

    def slot(self, expression: str, *, whole_value: bool = False) -> str:
        """Return a placeholder for ``expression`` (inside a string, or the whole value)."""
        self._expressions.append((expression, whole_value))
        return f"{_OPEN}{len(self._expressions) - 1}{_CLOSE}"

    def transfer(self, value: Any, source: JinjaConfig) -> Any:
        """Return ``value`` (built by ``source``) with its slots made this builder's."""
        if isinstance(value, str):
            return _SLOT.sub(lambda m: self._copy(source, int(m.group(1))), value)
        if isinstance(value, Mapping):
            return {k: self.transfer(v, source) for k, v in value.items()}
        if isinstance(value, list):
            return [self.transfer(v, source) for v in value]
        return value

    def _copy(self, source: JinjaConfig, index: int) -> str:
        expression, whole = source._expressions[index]
        return self.slot(expression, whole_value=whole)

    def hide_secrets(self, value: Any, path: str = "") -> Any:
        """Return ``value`` with every value under a secret key replaced by a Variable slot."""
        if isinstance(value, Mapping):
            out: dict[str, Any] = {}
            for key, item in value.items():
                where = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and is_secret_key(key):
                    name = variable_name(self.variable_prefix, self.job, where)
                    self.variables[where] = name
                    kind = "value" if isinstance(item, str) or item is None else "json"
                    out[key] = self.slot(f"{{{{ var.{kind}.{name} | tojson }}}}", whole_value=True)
                else:
                    out[key] = self.hide_secrets(item, where)
            return out
        if isinstance(value, list):
            return [self.hide_secrets(item, f"{path}[{i}]") for i, item in enumerate(value)]
        return value

    def text(self, config: Mapping[str, Any]) -> str:
        """The config as one line of JSON, with each slot's Jinja put in place.

        Raises:
            DeployError: A config string holds the private-use characters slots use.
        """
        raw = json.dumps(config, separators=(",", ":"), ensure_ascii=False)
        if not raw.count(_OPEN) == raw.count(_CLOSE) == len(_SLOT.findall(raw)):
            raise DeployError(f"config of job '{self.job}' holds U+E000/U+E001 characters")
        escaped = _JINJA_START.sub("{{ '{' }}", raw)

        def quoted(match: re.Match[str]) -> str:
            expression, whole = self._expressions[int(match.group(1))]
            return expression if whole else f'"{expression}"'

        text = _QUOTED_SLOT.sub(quoted, escaped)
        return _SLOT.sub(lambda match: self._expressions[int(match.group(1))][0], text)
