"""The routing package stays a pure layer: no import circles, nothing from the service or the catalogue.

Read from the source with `ast`, so imports under `if TYPE_CHECKING:` count as well: a circle that
only the type checker sees still means two modules that cannot be understood one without the other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import routing

PACKAGE = Path(routing.__file__).parent
ALLOWED_OUTSIDE = {"knowledge.calendar", "knowledge.counties"}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    return {f"routing.{path.stem}": _imports(path) for path in sorted(PACKAGE.glob("*.py"))}


def _circle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle as a path of module names, or None when the graph has none."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str] | None:
        for imported in sorted(graph.get(module, set()) & graph.keys()):
            if imported in path:
                return [*path[path.index(imported) :], imported]
            if imported not in done and (circle := visit(imported, [*path, imported])):
                return circle
        done.add(module)
        return None

    for module in graph:
        if module not in done and (circle := visit(module, [module])):
            return circle
    return None


def test_the_routing_modules_import_each_other_without_a_circle() -> None:
    graph = _graph()
    assert "routing.engine" in graph and "routing.selection" in graph
    assert _circle(graph) is None


def test_the_circle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert _circle(graph) == ["a", "b", "c", "a"]


def test_routing_imports_nothing_of_the_service_or_the_catalogue_but_the_calendar() -> None:
    outside = {
        module: sorted(name for name in imported if name.split(".")[0] in {"knowledge", "servicecenter"})
        for module, imported in _graph().items()
    }
    assert {module: names for module, names in outside.items() if set(names) - ALLOWED_OUTSIDE} == {}
