"""Batched statements on a synchronous connection: a multi-row INSERT … RETURNING, and a SELECT of the
rows whose key is among many (the fast ingest's storing of a batch; the outbox rows use it too).

On SQLite both are written here and run on the driver's cursor, inside the connection's transaction:
for the small batches of the webhook group commit, Core's execution machinery (compiling the expanding
IN, building the execution context and result) cost more than SQLite's own work. The types still
decide what is bound and what comes back (their bind and result processors run here), so what is
written and read is what Core would write and read. A processor runs once per distinct value of a
column in the batch (by identity: the rows share one `now`, one status, one lane). Elsewhere, and on
a connection with the `PLAIN_SQL` execution option (the plain ingest path, `INGEST_FAST_PATH=false`),
Core does the job (`insertmanyvalues`, an expanding IN).
"""

from __future__ import annotations

import collections
import functools
import itertools
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.engine import Connection, Dialect

from carinho.kit.db import execute_on_driver

# SQLITE_MAX_VARIABLE_NUMBER's default (999 before SQLite 3.32).
_SQLITE_MAX_VARIABLES = 32766 if sqlite3.sqlite_version_info >= (3, 32, 0) else 999

Processor = Callable[[Any], Any]

# Execution option: this connection's statements go through Core even on SQLite.
PLAIN_SQL = "carinho_plain_sql"


def _on_driver(connection: Connection) -> bool:
    return connection.dialect.name == "sqlite" and not connection.get_execution_options().get(PLAIN_SQL)


def insert_returning(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]], returning: Sequence[str]
) -> list[Any]:
    """Insert `rows` (all with the same keys; other columns take their defaults) and return the
    `returning` columns of each new row (named tuples, attribute access as with Core's rows), in no
    particular order."""
    if not rows:
        return []
    if not _on_driver(connection):
        return list(connection.execute(_core_insert(table, tuple(returning)), list(rows)))
    dialect = connection.dialect
    given = tuple(rows[0])
    defaults = _defaults(table, given)
    columns = given + tuple(defaults)
    values = [_bound(table, dialect, key, [row[key] for row in rows]) for key in given]
    values += [_bound(table, dialect, key, [value] * len(rows)) for key, value in defaults.items()]
    bound_rows = list(zip(*values, strict=True))
    returned = _returned_row(dialect, table, tuple(returning))
    per_statement = max(1, _SQLITE_MAX_VARIABLES // len(columns))
    found: list[Any] = []
    for start in range(0, len(bound_rows), per_statement):
        chunk = bound_rows[start : start + per_statement]
        sql = _insert_sql(dialect, table, columns, tuple(returning), len(chunk))
        found.extend(
            map(returned, execute_on_driver(connection, sql, list(itertools.chain.from_iterable(chunk))))
        )
    return found


@functools.lru_cache(maxsize=1024)
def _insert_sql(
    dialect: Dialect, table: Table, columns: tuple[str, ...], returning: tuple[str, ...], rows: int
) -> str:
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(table.c[key].name) for key in columns)
    placeholders = "(" + ", ".join("?" * len(columns)) + ")"
    returned = ", ".join(quote(table.c[name].name) for name in returning)
    values = ", ".join([placeholders] * rows)
    return f"INSERT INTO {quote(table.name)} ({names}) VALUES {values} RETURNING {returned}"  # noqa: S608 - our metadata, quoted


def select_in(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    equal: tuple[str, Any],
    among: tuple[str, Iterable[Any]],
) -> list[Any]:
    """The `columns` (named tuples) of the rows where `equal` = (column, value) holds and the `among`
    column is one of the given values."""
    (equal_column, equal_value), (among_column, values) = equal, among
    values = list(values)
    if not values:
        return []
    if not _on_driver(connection):
        statement = _core_select(table, tuple(columns), equal_column, among_column)
        return list(connection.execute(statement, {"equal": equal_value, "among": values}))
    dialect = connection.dialect
    returned = _returned_row(dialect, table, tuple(columns))
    found: list[Any] = []
    per_statement = _SQLITE_MAX_VARIABLES - 1
    for start in range(0, len(values), per_statement):
        chunk = values[start : start + per_statement]
        sql = _select_sql(dialect, table, tuple(columns), equal_column, among_column, len(chunk))
        params = _bound(table, dialect, equal_column, [equal_value]) + _bound(
            table, dialect, among_column, chunk
        )
        found.extend(map(returned, execute_on_driver(connection, sql, params)))
    return found


# Core's statements, built once per shape: Core caches their compiled form, not their construction.
@functools.cache
def _core_insert(table: Table, returning: tuple[str, ...]) -> Any:
    return insert(table).returning(*(table.c[name] for name in returning))


@functools.cache
def _core_select(table: Table, columns: tuple[str, ...], equal: str, among: str) -> Any:
    return select(*(table.c[name] for name in columns)).where(
        table.c[equal] == bindparam("equal"), table.c[among].in_(bindparam("among", expanding=True))
    )


@functools.lru_cache(maxsize=1024)
def _select_sql(
    dialect: Dialect, table: Table, columns: tuple[str, ...], equal: str, among: str, count: int
) -> str:
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(table.c[name].name) for name in columns)
    placeholders = ", ".join("?" * count)
    return (
        f"SELECT {names} FROM {quote(table.name)} "  # noqa: S608 - our metadata, quoted
        f"WHERE {quote(table.c[equal].name)} = ? AND {quote(table.c[among].name)} IN ({placeholders})"
    )


def _defaults(table: Table, given: tuple[str, ...]) -> dict[str, Any]:
    """Python-side column defaults for the columns the rows leave out, evaluated once per batch."""
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
    return defaults


def _bound(table: Table, dialect: Dialect, key: str, values: list[Any]) -> list[Any]:
    """One column's values as bound: its bind processor runs once per run of the same object."""
    processor = _bind_processor(dialect, table, key)
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


@functools.cache
def _bind_processor(dialect: Dialect, table: Table, key: str) -> Processor | None:
    processor: Processor | None = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
    return processor


@functools.cache
def _returned_row(dialect: Dialect, table: Table, names: tuple[str, ...]) -> Callable[[Sequence[Any]], Any]:
    """A driver row of these columns → a named tuple of their Python values."""
    row_type = collections.namedtuple("Row", names)  # type: ignore[misc]
    processors = [table.c[name].type.dialect_impl(dialect).result_processor(dialect, None) for name in names]
    if not any(processors):
        return row_type._make

    def convert(raw: Sequence[Any]) -> Any:
        return row_type._make(
            value if processor is None else processor(value)
            for value, processor in zip(raw, processors, strict=True)
        )

    return convert


_UNSET = object()
