"""The first-party import graph keeps the layering DESIGN.md section 2 draws.

Built with ``ast`` over the apps' sources (migrations aside), so nothing is imported to
check it. Two rules:

* No module cycle, counting module-level imports and those under ``TYPE_CHECKING`` (a type
  hint is a dependency too), except an app's models <-> querysets: the model names its
  QuerySet and the QuerySet's type hints name the model.
* Domain apps (reports, annotations, feedback) never import each other, and accounts,
  projects and triage (shared, below the domain apps) never import a domain app. Imports
  inside functions count here as well: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("config", "accounts", "projects", "triage", "reports", "annotations", "feedback")
DOMAIN_APPS = frozenset({"reports", "annotations", "feedback"})
BASE_APPS = frozenset({"accounts", "projects", "triage"})


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    module_level: bool  # False: inside a function or class body's method


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def first_party_modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[module_name(path)] = path
    return modules


def is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_names(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, base] if base else package)
    # ``from a import b`` may name the module a.b or a name in a: resolve() decides.
    return [f"{base}.{alias.name}" for alias in node.names]


def walk_imports(
    body: list[ast.stmt], *, module_level: bool
) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, module_level
        elif isinstance(node, ast.If) and module_level and is_type_checking(node):
            yield from walk_imports(node.body, module_level=True)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from walk_imports(node.body, module_level=False)
        else:
            for field in ("body", "orelse", "finalbody", "handlers"):
                children = getattr(node, field, None)
                if isinstance(children, list):
                    yield from walk_imports(children, module_level=module_level)


def import_edges() -> list[Edge]:
    modules = first_party_modules()

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    edges = []
    for module, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        is_package = path.name == "__init__.py"
        for node, module_level in walk_imports(tree.body, module_level=True):
            for name in imported_names(node, module, is_package):
                target = resolve(name)
                if target is not None and target != module:
                    edges.append(Edge(module, target, node.lineno, module_level))
    return edges


def is_model_queryset_pair(a: str, b: str) -> bool:
    app_a, _, leaf_a = a.rpartition(".")
    app_b, _, leaf_b = b.rpartition(".")
    return app_a == app_b and {leaf_a, leaf_b} == {"models", "querysets"}


def cycles(edges: list[Edge]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        if not is_model_queryset_pair(edge.source, edge.target):
            graph.setdefault(edge.source, set()).add(edge.target)
            graph.setdefault(edge.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def app_of(module: str) -> str:
    return module.partition(".")[0]


def test_import_graph_sees_the_known_dependencies():
    # Guards the walker itself: a parser that found nothing would pass every rule below.
    edges = {(e.source, e.target, e.module_level) for e in import_edges()}
    assert ("reports.selectors", "projects.models", True) in edges
    assert ("projects.querysets", "projects.models", True) in edges  # under TYPE_CHECKING
    assert ("config.api.families", "accounts.authentication", True) in edges
    assert ("feedback.services", "triage.services", True) in edges
    assert ("triage.services", "triage.tasks", True) in edges


def test_triage_tasks_and_services_do_not_import_each_other_back():
    # The old feedback.tasks <-> feedback.triaging pair: a lazy import hid the cycle.
    edges = {(e.source, e.target) for e in import_edges()}
    assert ("triage.services", "triage.tasks") in edges
    assert ("triage.tasks", "triage.services") not in edges
    assert ("triage.llm_pass", "triage.services") not in edges
    assert ("triage.llm_pass", "triage.tasks") not in edges


def test_import_graph_has_no_cycle_but_models_and_querysets():
    module_level = [e for e in import_edges() if e.module_level]
    assert cycles(module_level) == []


def test_cycle_finder_reports_a_cycle_and_allows_models_querysets():
    edges = [
        Edge("a.x", "a.y", 1, True),
        Edge("a.y", "a.x", 1, True),
        Edge("b.models", "b.querysets", 1, True),
        Edge("b.querysets", "b.models", 1, True),
    ]
    assert cycles(edges) == [["a.x", "a.y"]]


def test_domain_apps_never_import_each_other():
    crossing = [
        f"{e.source}:{e.line} imports {e.target}"
        for e in import_edges()
        if app_of(e.source) in DOMAIN_APPS
        and app_of(e.target) in DOMAIN_APPS
        and app_of(e.source) != app_of(e.target)
    ]
    assert crossing == []


def test_accounts_projects_and_triage_never_import_a_domain_app():
    upward = [
        f"{e.source}:{e.line} imports {e.target}"
        for e in import_edges()
        if app_of(e.source) in BASE_APPS and app_of(e.target) in DOMAIN_APPS
    ]
    assert upward == []


def test_shared_api_machinery_never_imports_a_domain_app():
    # config.urls mounts every app; config.api is below them all.
    upward = [
        f"{e.source}:{e.line} imports {e.target}"
        for e in import_edges()
        if e.source.startswith("config.api") and app_of(e.target) in DOMAIN_APPS
    ]
    assert upward == []
