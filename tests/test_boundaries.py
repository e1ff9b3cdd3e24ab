"""The layering of docs/arquitetura.md ("Layers"), checked on the source's import graph.

No module imports itself back through others (no import loop), and no package reaches one it must
not: integracoes and atendimento never import each other (they talk through connectors, over HTTP);
the ground floor (kit, config, logging, errors) imports nothing above it; the worker no context; and
atendimento's inbox none of the packages that react to its signals (their tables aside).
Function-level imports count too: a lazy import is still a dependency (tests/support/import_graph.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.import_graph import Edge, cycles, import_graph

GRAPH = import_graph()
EDGES = [edge for edges in GRAPH.values() for edge in edges]

CONTEXTS = ("carinho.integracoes", "carinho.atendimento")
ABOVE_THE_WORKER = (*CONTEXTS, "carinho.connectors", "carinho.sandbox", "carinho.backups", "carinho.cli")

# package -> what it must never import
FORBIDDEN = {
    "carinho.integracoes": ("carinho.atendimento", "carinho.sandbox"),
    "carinho.atendimento": ("carinho.integracoes", "carinho.sandbox"),
    "carinho.connectors": (*CONTEXTS, "carinho.sandbox"),
    "carinho.sandbox": CONTEXTS,  # it simulates the systems the connectors call, not our contexts
    "carinho.worker": ABOVE_THE_WORKER,
    "carinho.runtime": ABOVE_THE_WORKER,
}
# The ground floor: what it may import, itself included.
FLOOR = ("carinho.kit", "carinho.config", "carinho.settings_check", "carinho.logging", "carinho.errors")
# atendimento's packages that react to the inbox's signals: the inbox reads their tables (a
# conversation's funnel stage, its SLA status) and calls nothing of theirs.
LISTENERS = ("automations", "crm", "funnel", "sla", "triage")


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")


def leaving(package: str) -> list[Edge]:
    return [e for e in EDGES if within(e.source, package) and not within(e.target, package)]


def test_no_module_imports_itself_back() -> None:
    loops = cycles(GRAPH)
    assert not loops, "import loops:\n" + "\n\n".join("\n".join(map(str, loop)) for loop in loops)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_package_never_imports_what_it_must_not(package: str) -> None:
    crossings = [e for e in leaving(package) if any(within(e.target, p) for p in FORBIDDEN[package])]
    assert list(map(str, crossings)) == []


@pytest.mark.parametrize("package", FLOOR)
def test_the_ground_floor_imports_nothing_above_it(package: str) -> None:
    above = [e for e in leaving(package) if not any(within(e.target, p) for p in FLOOR)]
    assert list(map(str, above)) == []


def test_the_inbox_calls_none_of_the_packages_that_listen_to_it() -> None:
    listeners = [f"carinho.atendimento.{name}" for name in LISTENERS]
    # Their tables aside, and their packages' empty __init__ files, which run on the way to them.
    tables = [
        e for e in EDGES if e.target.endswith(".models") or (e.target in listeners and not GRAPH[e.target])
    ]
    calls = [
        e
        for e in leaving("carinho.atendimento.inbox")
        if any(within(e.target, p) for p in listeners) and e not in tables
    ]
    assert list(map(str, calls)) == []


def _graph_of(tmp_path: Path, files: dict[str, str]) -> dict[str, list[Edge]]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return import_graph(tmp_path)


def test_the_check_sees_a_loop_closed_by_a_function_level_import(tmp_path: Path) -> None:
    graph = _graph_of(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg.b import thing\n",
            "pkg/b.py": "thing = 1\n\ndef later():\n    from pkg import a\n",
            "pkg/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import thing\n",
        },
    )
    [loop] = cycles(graph)
    assert sorted(str(edge) for edge in loop) == [
        "pkg.a -> pkg.b (line 1, at module level)",
        "pkg.b -> pkg.a (line 4, inside a function)",
    ]
    assert graph["pkg.c"] == []  # only for the type checker: never runs


def test_the_check_sees_a_loop_through_a_package_init(tmp_path: Path) -> None:
    """`from pkg.sub.leaf import x` runs `pkg/sub/__init__.py` first, and whatever that imports."""
    graph = _graph_of(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/sub/__init__.py": "from pkg.sub.jobs import job\n",
            "pkg/sub/jobs.py": "def job():\n    from pkg import runner\n",
            "pkg/sub/leaf.py": "x = 1\n",
            "pkg/runner.py": "from pkg.sub.leaf import x\n",
        },
    )
    [loop] = cycles(graph)
    assert sorted(str(edge) for edge in loop) == [
        "pkg.runner -> pkg.sub (line 1, at module level)",
        "pkg.sub -> pkg.sub.jobs (line 1, at module level)",
        "pkg.sub.jobs -> pkg.runner (line 2, inside a function)",
    ]
