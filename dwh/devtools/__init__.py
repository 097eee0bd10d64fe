"""Developer tools behind ``dwh new``, ``dwh check`` and ``dwh package``.

- :mod:`dwh.devtools.scaffold`: ``dwh new``, from the templates in ``templates/job``.
- :mod:`dwh.devtools.check`: ``dwh check``, the job contract checks; its child-process
  half is :mod:`dwh.devtools._probe` (the rules), which imports job code inside
  :mod:`dwh.devtools._sandbox` (every side effect, with its line).
- :mod:`dwh.devtools.project`: the project root, the nearest folder with a
  ``pyproject.toml`` (``dwh new``, ``dwh package``, the notebooks' working directory).
- :mod:`dwh.devtools.packaging`: ``dwh package``, the wheel and the ``--py-files`` zip.
- :mod:`dwh.devtools.production`: the ``spark-submit`` and papermill commands that run a
  config, for the TUI's ctrl+l and the notebook form.
"""

__all__: list[str] = []
