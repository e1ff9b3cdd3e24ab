"""`insert_returning`: a multi-row INSERT … RETURNING on a synchronous connection.

On SQLite the statement is written here. Core's executemany runs every value of every row through
its bind processors in Python (~40 µs per event in the webhook group commit), while the rows of one
batch share most values: one `now`, one status, one lane. Here each column's processor runs once per
distinct value in a row (by identity: the shared `now` is converted once), the rows go out in as few
statements as SQLite's parameter limit allows, and the types still decide the stored form, so what is
written is what Core would write (and what comes back goes through the types' result processors).
The statements run on the driver's cursor, in the connection's transaction. Elsewhere, Core's
`insertmanyvalues` does the job.
"""

from __future__ import annotations

import collections
import functools
import itertools
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection, Dialect

# SQLITE_MAX_VARIABLE_NUMBER's default (999 before SQLite 3.32).
_SQLITE_MAX_VARIABLES = 32766 if sqlite3.sqlite_version_info >= (3, 32, 0) else 999


def insert_returning(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]], returning: Sequence[str]
) -> list[Any]:
    """Insert `rows` (all with the same keys; other columns take their defaults) and return the
    `returning` columns of each new row (named tuples, attribute access as with Core's rows), in no
    particular order."""
    if not rows:
        return []
    if connection.dialect.name != "sqlite":
        statement = insert(table).returning(*(table.c[name] for name in returning))
        return list(connection.execute(statement, list(rows)))
    rows = _with_defaults(table, rows)
    plan = _sqlite_plan(connection.dialect, table, tuple(rows[0]), tuple(returning))
    columns = [
        _column_values(rows, key, processor)
        for key, processor in zip(plan.columns, plan.processors, strict=True)
    ]
    values = list(zip(*columns, strict=True))
    per_statement = max(1, _SQLITE_MAX_VARIABLES // len(plan.columns))
    found: list[Any] = []
    # Core's execution machinery costs more than SQLite's own work for a small batch.
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        for start in range(0, len(values), per_statement):
            chunk = values[start : start + per_statement]
            sql = plan.prefix + ", ".join([plan.row] * len(chunk)) + plan.suffix
            cursor.execute(sql, list(itertools.chain.from_iterable(chunk)))
            found.extend(map(plan.returned, cursor.fetchall()))
    finally:
        cursor.close()
    return found


def _with_defaults(table: Table, rows: Sequence[dict[str, Any]]) -> Sequence[dict[str, Any]]:
    """Python-side column defaults for the columns the rows leave out, evaluated once per batch."""
    given = rows[0].keys()
    defaults: dict[str, Any] = {}
    for column in table.columns:
        default: Any = column.default
        if column.key in given or default is None:
            continue
        if default.is_callable:
            defaults[column.key] = default.arg(None)
        elif default.is_scalar:
            defaults[column.key] = default.arg
        else:
            raise NotImplementedError(f"{table.name}.{column.key}: SQL-expression defaults")
    return [{**row, **defaults} for row in rows] if defaults else rows


@dataclass(frozen=True)
class _Plan:
    columns: tuple[str, ...]
    prefix: str
    row: str
    suffix: str
    processors: tuple[Callable[[Any], Any] | None, ...]
    returned: Callable[[Sequence[Any]], Any]  # a driver row → a named tuple of Python values


@functools.cache
def _sqlite_plan(
    dialect: Dialect, table: Table, columns: tuple[str, ...], returning: tuple[str, ...]
) -> _Plan:
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(table.c[key].name) for key in columns)
    return _Plan(
        columns=columns,
        prefix=f"INSERT INTO {quote(table.name)} ({names}) VALUES ",  # noqa: S608 - our metadata, quoted
        row="(" + ", ".join("?" * len(columns)) + ")",
        suffix=" RETURNING " + ", ".join(quote(table.c[name].name) for name in returning),
        processors=tuple(table.c[key].type.dialect_impl(dialect).bind_processor(dialect) for key in columns),
        returned=_returned_row(dialect, table, returning),
    )


def _returned_row(
    dialect: Dialect, table: Table, returning: tuple[str, ...]
) -> Callable[[Sequence[Any]], Any]:
    row_type = collections.namedtuple("InsertedRow", returning)  # type: ignore[misc]
    processors = [
        table.c[name].type.dialect_impl(dialect).result_processor(dialect, None) for name in returning
    ]
    if not any(processors):
        return row_type._make

    def convert(raw: Sequence[Any]) -> Any:
        return row_type._make(
            value if processor is None else processor(value)
            for value, processor in zip(raw, processors, strict=True)
        )

    return convert


def _column_values(
    rows: Sequence[dict[str, Any]], key: str, processor: Callable[[Any], Any] | None
) -> list[Any]:
    """One column's bound values. The processor runs once per run of the same object (the rows of a
    batch share one `now`, one status, one lane)."""
    values = [row[key] for row in rows]
    if processor is None:
        return values
    out: list[Any] = []
    last_in: Any = _UNSET
    last_out: Any = None
    for value in values:
        if value is not last_in:
            last_in, last_out = value, processor(value)
        out.append(last_out)
    return out


_UNSET = object()
