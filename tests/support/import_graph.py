"""The import graph of our own modules, read from the source (nothing is imported).

Every import statement is an edge, at module level or inside a function: a lazy import is still a
dependency, and a loop closed by one is still a loop. Only imports under `if TYPE_CHECKING:` are
left out: they never run, they only name types for mypy.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    lazy: bool  # inside a function

    def __str__(self) -> str:
        where = "inside a function" if self.lazy else "at module level"
        return f"{self.source} -> {self.target} (line {self.line}, {where})"


def modules_under(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module and package below `root` (a sys.path entry)."""
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported_names(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    """Every dotted name the statement may load: `from a import b` may mean module a.b or name b of a."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
        base = ".".join([*parent, *([node.module] if node.module else [])])
    return [f"{base}.{alias.name}" for alias in node.names]


def _loaded_by(target: str, importer: str, known: dict[str, Path]) -> list[str]:
    """What importing `target` runs: the module and each package above it (`import a.b.c` runs
    `a/__init__.py` and `a/b/__init__.py` first) — save the importer itself and its own packages,
    which are already loaded when its import statements run."""
    if target in ("", importer):
        return []
    parts = target.split(".")
    loaded = [".".join(parts[:n]) for n in range(1, len(parts))] + [target]
    mine = {".".join(importer.split(".")[:n]) for n in range(1, importer.count(".") + 2)}
    return [name for name in loaded if name in known and name not in mine]


def edges_of(module: str, path: Path, known: dict[str, Path]) -> list[Edge]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    edges: list[Edge] = []

    def resolve(name: str) -> str:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name

    def visit(nodes: Iterable[ast.AST], lazy: bool) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                visit(node.orelse, lazy)
                continue
            if isinstance(node, ast.Import | ast.ImportFrom):
                for name in _imported_names(node, package):
                    for target in _loaded_by(resolve(name), module, known):
                        edge = Edge(module, target, node.lineno, lazy)
                        if edge not in edges:
                            edges.append(edge)
            inside_function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            visit(ast.iter_child_nodes(node), lazy or inside_function)

    visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)).body, False)
    return edges


def import_graph(root: Path = SRC) -> dict[str, list[Edge]]:
    """Module -> the edges leaving it (one per imported module and statement)."""
    known = modules_under(root)
    return {module: edges_of(module, path, known) for module, path in known.items()}


def cycles(graph: dict[str, list[Edge]]) -> list[list[Edge]]:
    """The import loops: for each group of modules that reach each other (a strongly connected
    component, found by Tarjan's algorithm), the edges inside it."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def connect(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for edge in graph.get(module, []):
            if edge.target not in index:
                connect(edge.target)
                low[module] = min(low[module], low[edge.target])
            elif edge.target in on_stack:
                low[module] = min(low[module], index[edge.target])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(group)

    for module in sorted(graph):
        if module not in index:
            connect(module)
    return [
        [edge for module in sorted(group) for edge in graph[module] if edge.target in group]
        for group in groups
    ]
