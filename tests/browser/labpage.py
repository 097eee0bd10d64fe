"""Driving a notebook in JupyterLab from playwright: open it, run all cells, read it back.

The server is started with ``--LabApp.expose_app_in_browser=True``, so the page has
``window.jupyterapp``: the tests run JupyterLab's own commands (what the Run menu does)
and read the notebook model (outputs included) without saving it.
"""

from __future__ import annotations

import time
from typing import Any

from dwh.notebook.lab import LabServer

KERNEL_IDLE = """() => {
  const app = window.jupyterapp;
  const widget = app && app.shell.currentWidget;
  const session = widget && widget.sessionContext && widget.sessionContext.session;
  const kernel = session && session.kernel;
  return !!kernel && kernel.status === 'idle' && !!widget.content;
}"""

NOTEBOOK_JSON = "() => window.jupyterapp.shell.currentWidget.context.model.toJSON()"

RUN_ALL = """() => {
  const app = window.jupyterapp;
  const w = app.shell.currentWidget;
  if (w) { app.shell.activateById(w.id); }
  return app.commands.execute('notebook:run-all-cells');
}"""

KERNEL_STATUS = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  return w.sessionContext.session.kernel.status;
}"""


def open_notebook(page: Any, lab: LabServer, name: str) -> None:
    """Open ``notebooks/<name>`` and wait until its kernel is idle."""
    page.goto(f"{lab.settings.base_url}/lab/tree/{name}?token={lab.settings.token}")
    page.wait_for_function(KERNEL_IDLE, timeout=120_000)


def run_all_cells(page: Any, timeout: float = 240) -> dict[str, Any]:
    """Run every cell (Run > Run All Cells) and return the notebook once they have run.

    It returns early when a cell fails (JupyterLab stops running the rest there).
    """
    deadline = time.monotonic() + timeout
    nb: dict[str, Any] = {}
    # JupyterLab runs the command on the current widget; once (on CI, idle machine) it
    # was a no-op and no cell ever started. Until a cell has run, ask again every 20 s.
    asked = 0.0
    while time.monotonic() < deadline:
        nb = page.evaluate(NOTEBOOK_JSON)
        code = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
        started = any(cell.get("execution_count") for cell in code)
        busy = page.evaluate(KERNEL_STATUS) != "idle"
        if not started and not busy and time.monotonic() - asked > 20:
            page.evaluate(RUN_ALL)
            asked = time.monotonic()
        if errors(nb):
            return nb
        if all(cell.get("execution_count") for cell in code):
            if page.evaluate(KERNEL_STATUS) == "idle":
                return nb
        time.sleep(0.5)
    raise AssertionError(f"the cells did not finish in {timeout}s: {summary(nb)}")


def errors(nb: dict[str, Any]) -> list[str]:
    """Every error output: ``ename: evalue``."""
    return [
        f"{out['ename']}: {out['evalue']}"
        for cell in nb["cells"]
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]


def mime_types(nb: dict[str, Any]) -> set[str]:
    """The mime types of every rich output."""
    return {
        mime
        for cell in nb["cells"]
        for out in cell.get("outputs", [])
        for mime in out.get("data", {})
    }


def output_text(nb: dict[str, Any]) -> str:
    """Every output's text, from the notebook model: streams, plain text and HTML.

    Read from the model, not the page: JupyterLab renders only the cells near the
    viewport, so the page's text misses the outputs of cells scrolled out of it.
    """
    parts: list[str] = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            text = out.get("text")
            data = out.get("data", {})
            for chunk in (text, data.get("text/plain"), data.get("text/html")):
                if chunk:
                    parts.append("".join(chunk) if isinstance(chunk, list) else str(chunk))
    return "\n".join(parts)


def summary(nb: dict[str, Any]) -> str:
    """Which code cells ran, for a failure message."""
    counts = [
        cell.get("execution_count") for cell in nb.get("cells", []) if cell["cell_type"] == "code"
    ]
    return f"execution counts {counts}; errors {errors(nb)}"
