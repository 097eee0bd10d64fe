"""The TUI's modules import each other without cycles, type-only imports included."""

from __future__ import annotations

import ast
from pathlib import Path

TUI = Path(__file__).resolve().parents[2] / "tui"


def _imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in TUI.rglob("*.py"):
        parts = path.relative_to(TUI.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tui"):
                deps.add(str(node.module))
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name.startswith("tui"))
        graph[name] = deps
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> list[str] | None:
        for dep in sorted(graph.get(name, ())):
            if dep in path:
                return [*path[path.index(dep) :], dep]
            if dep in graph and dep not in done:
                found = visit(dep, [*path, dep])
                if found:
                    return found
        done.add(name)
        return None

    for start in sorted(graph):
        found = visit(start, [start])
        if found:
            return found
    return None


def test_no_import_cycles_in_the_tui() -> None:
    graph = _imports()
    assert "tui.screens.main" in graph
    assert _cycle(graph) is None, " → ".join(_cycle(graph) or [])


def test_the_cycle_finder_finds_one() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_the_screen_is_given_its_services_not_the_app() -> None:
    graph = _imports()
    assert "tui.app" not in set().union(
        *(deps for name, deps in graph.items() if name != "tui.__main__")
    )
