"""Queries live in repositories: a module of the two apps that builds a statement (`select`, `update`,
`delete`, `insert`) or runs one on a session is a repository, or is listed below with its reason."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "carinho"
STATEMENTS = {"select", "update", "delete", "insert"}
RUNS = {"execute", "scalar", "scalars"}

# module -> why its statements stay where they are
KNOWN = {
    "atendimento/inbox/listing.py": "holds ListingRepository beside the list's row types",
    "atendimento/inbox/text_search.py": "builds the text-search SQL expression, runs nothing",
    "atendimento/incidents/access.py": "builds the visibility clause (a subquery), runs nothing",
    "atendimento/live/feed.py": "the live feed's poller: its own read of the change table",
    "atendimento/live/recorder.py": "writes the change rows on the flushing connection",
    "atendimento/live/tasks.py": "prunes the change table",
}


def statement_uses(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found |= {alias.name for alias in node.names if alias.name in STATEMENTS}
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in RUNS:
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if "session" in name:
                found.add(f".{node.func.attr}()")
    return found


def offenders() -> list[str]:
    found = []
    for package in ("atendimento", "integracoes"):
        for path in sorted((SRC / package).rglob("*.py")):
            name = path.relative_to(SRC).as_posix()
            if path.name.endswith("repository.py") or name in KNOWN:
                continue
            if uses := statement_uses(path):
                found.append(f"{name}: {sorted(uses)}")
    return found


def test_queries_live_in_repositories() -> None:
    assert offenders() == []


def test_every_known_exception_still_exists() -> None:
    assert [name for name in KNOWN if not (SRC / name).exists()] == []


def test_the_check_sees_a_query_in_a_service(tmp_path: Path) -> None:
    module = tmp_path / "service.py"
    module.write_text(
        "from sqlalchemy import select\n\nasync def f(session):\n    await session.execute(select(1))\n",
        encoding="utf-8",
    )
    assert statement_uses(module) == {"select", ".execute()"}
