"""Spark Connect remotes: the session a URL names, and dwh's local server's token.

A remote is ``sc://host:port`` (a new server-side session per client), optionally
naming a session (``sc://host:port/;session_id=ID``: attach to that one), or
``local[*]`` (pyspark's own reusable local server). Light: no pyspark import.
"""

from __future__ import annotations

from dwh.spark._discovery import recorded_at

__all__ = ["client_token", "remote_session_id", "with_session_id"]


def remote_session_id(remote: str | None) -> str | None:
    """Return the session id a Spark Connect remote names, if it names one.

    ``sc://host:port/;session_id=ID`` attaches to the server-side session ``ID``; a run
    on such a remote leaves that session open for whoever named it (a backfill shares
    one across its dates, so the server's Python workers start once).
    """
    if not remote or not remote.startswith("sc://") or "/;" not in remote:
        return None
    for param in remote.split("/;", 1)[1].split(";"):
        key, _, value = param.partition("=")
        if key == "session_id" and value:
            return value
    return None


def with_session_id(remote: str, session_id: str) -> str:
    """Return ``remote`` naming ``session_id`` (a ``sc://`` remote without one).

    Other remotes (``local[*]``) are returned as they are.
    """
    if not remote.startswith("sc://") or remote_session_id(remote):
        return remote
    if "/;" in remote:
        return f"{remote};session_id={session_id}"
    return f"{remote.rstrip('/')}/;session_id={session_id}"


def client_token(url: str) -> str | None:
    """Return the auth token of the recorded local server at ``url``, if it is that one."""
    recorded = recorded_at(url)
    return recorded.token if recorded is not None else None
