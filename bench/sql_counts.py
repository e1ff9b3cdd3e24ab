"""Counts every SQL statement, transaction and commit a process runs, by context (the database file: hub,
atendimento, sandbox) and by the code path that ran it (the innermost frames of our own code), and
writes the counts as JSON to `CARINHO_SQL_COUNTS` twice a second. For measurement only: it walks
the stack on every statement, so the process runs slower than it would.

    CARINHO_SQL_COUNTS=/tmp/counts.json python -m bench.sql_counts up     # `carinho up`, counted

bench/run_sql_counts.py runs first contacts through it and prints what one costs.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

import greenlet
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

# Our frames that say nothing about who asked (the database plumbing every query goes through).
_PLUMBING = ("/carinho/kit/db.py", "/carinho/kit/repository.py", "/carinho/kit/sqlite_checkpoint.py")
_DEPTH = 3  # how many of our frames name a code path
_TARGET = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+[\"`]?(\w+)", re.I)


class Counts:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statements: Counter[str] = Counter()
        self.commits: Counter[str] = Counter()
        self.transactions: Counter[str] = Counter()  # BEGINs (ours run on the driver: no statement)
        self.paths: Counter[str] = Counter()  # "context|statement|path" and "context|commit|path"


counts = Counts()


def _context(conn: Connection) -> str:
    database = conn.engine.url.database or "?"
    return Path(database).stem or "?"


def _caller_frame() -> FrameType | None:
    """Under SQLAlchemy's asyncio layer a statement runs in a greenlet; the coroutines that awaited
    it are on its parent's (suspended) stack."""
    current = greenlet.getcurrent()
    parent = current.parent
    if parent is not None and parent.gr_frame is not None:
        return parent.gr_frame
    return sys._getframe(2)


def _code_path() -> str:
    names: list[str] = []
    frame = _caller_frame()
    while frame is not None and len(names) < _DEPTH:
        filename = frame.f_code.co_filename
        if "/carinho/" in filename and not filename.endswith(_PLUMBING):
            module = filename.rsplit("/carinho/", 1)[1].removesuffix(".py").replace("/", ".")
            names.append(f"{module}.{frame.f_code.co_name}:{frame.f_lineno}")
        frame = frame.f_back
    return " < ".join(names) or "(outside our code)"


def _verb(statement: str) -> str:
    """ "SELECT table", "UPDATE table", "COMMIT"...: what a statement is, without its parameters."""
    words = statement.split(None, 1)
    verb = words[0].upper() if words else "?"
    match = _TARGET.search(statement) if verb in ("SELECT", "INSERT", "UPDATE", "DELETE") else None
    return f"{verb} {match.group(1)}" if match else verb


def _on_statement(conn: Connection, cursor: Any, statement: str, *_: Any) -> None:
    context = _context(conn)
    path = _code_path()
    with counts.lock:
        counts.statements[context] += 1
        counts.paths[f"{context}|{_verb(statement)}|{path}"] += 1


def _on_begin(conn: Connection) -> None:
    context = _context(conn)
    with counts.lock:
        counts.transactions[context] += 1


def _on_commit(conn: Connection) -> None:
    context = _context(conn)
    path = _code_path()
    with counts.lock:
        counts.commits[context] += 1
        counts.paths[f"{context}|COMMIT|{path}"] += 1


def snapshot() -> dict[str, Any]:
    with counts.lock:
        return {
            "statements": dict(counts.statements),
            "commits": dict(counts.commits),
            "transactions": dict(counts.transactions),
            "paths": dict(counts.paths),
        }


def _writer(path: Path) -> None:
    while True:
        partial = path.with_suffix(".tmp")
        partial.write_text(json.dumps(snapshot()))
        partial.replace(path)
        time.sleep(0.5)


def install(path: Path) -> None:
    event.listen(Engine, "before_cursor_execute", _on_statement)
    event.listen(Engine, "begin", _on_begin)
    event.listen(Engine, "commit", _on_commit)
    threading.Thread(target=_writer, args=(path,), name="sql-counts", daemon=True).start()


def main() -> None:
    install(Path(os.environ["CARINHO_SQL_COUNTS"]))
    from carinho.cli import main as carinho_main

    sys.argv = ["carinho", *sys.argv[1:]]
    carinho_main()


if __name__ == "__main__":
    main()
