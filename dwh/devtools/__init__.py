"""Developer tools behind ``dwh new``, ``dwh check`` and ``dwh package``.

- :mod:`dwh.devtools.scaffold`: ``dwh new``, from the templates in ``templates/job``.
- :mod:`dwh.devtools.check`: ``dwh check``, the job contract checks; its child-process
  half is :mod:`dwh.devtools._probe`.
- :mod:`dwh.devtools.packaging`: ``dwh package``, the wheel and the ``--py-files`` zip.
"""

__all__: list[str] = []
