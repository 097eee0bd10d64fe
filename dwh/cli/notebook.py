"""``dwh notebook``: JupyterLab on the project's notebooks, loopback only, with a token."""

from __future__ import annotations

import signal
from types import FrameType

import click


@click.command()
@click.option(
    "--port", type=int, default=0, show_default=True, help="Loopback port; 0 picks a free one."
)
@click.option("--token", default=None, help="The access token; default a fresh random one.")
def notebook(port: int, token: str | None) -> None:
    """Start JupyterLab on notebooks/ (127.0.0.1 only) and print its URL with the token.

    The kernel is this environment's python3; notebooks resolve relative paths against
    the project root. Stop it with Ctrl+C.
    """
    from dwh.notebook.lab import LabServer, lab_settings

    settings = lab_settings(port=port, token=token)
    server = LabServer.start(settings)
    # A plain `kill` must stop the server too, not orphan it: treat SIGTERM as Ctrl+C.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.wait_ready()
        click.echo(f"JupyterLab on {settings.notebooks} (kernel: this venv's python3)")
        click.echo(f"open {settings.url}")
        click.echo("stop it with Ctrl+C")
        server.process.wait()
    except KeyboardInterrupt:
        click.echo("stopping JupyterLab")
    finally:
        server.stop()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
