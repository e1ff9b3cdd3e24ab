"""Time buckets in SQL, the same on SQLite, MariaDB and PostgreSQL.

`epoch_bucket(column, 60)` is the number of whole minutes from 1970-01-01 to the (naive UTC) value
of `column`: group by it to count rows per minute, hour (3600) or any fixed step. Multiply by the
step for the bucket's start in epoch seconds. The WHERE clause still ranges over the column itself
(`column >= since`), so the database walks the column's index and computes the bucket per row.

`elapsed_ms_bucket(start, end)`: the duration between two columns in milliseconds, rounded to three
significant digits, for histograms of durations (percentiles) counted by the database.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement


class epoch_bucket(FunctionElement[int]):
    type = BigInteger()
    # `seconds` is compiled into the SQL text and is not part of a cache key: no statement cache.
    inherit_cache = False
    name = "epoch_bucket"

    def __init__(self, column: ColumnElement[Any] | InstrumentedAttribute[Any], seconds: int) -> None:
        if seconds < 1:
            raise ValueError("a bucket lasts at least one second")
        self.seconds = int(seconds)
        super().__init__(column)

    @property
    def column(self) -> ColumnElement[Any]:
        column: ColumnElement[Any] = next(iter(self.clauses))
        return column


def _column(element: epoch_bucket, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column, **kw)


@compiles(epoch_bucket)
def _sqlite(element: epoch_bucket, compiler: SQLCompiler, **kw: Any) -> str:
    # strftime('%s') reads the stored 'YYYY-MM-DD HH:MM:SS[.ffffff]' text as UTC; integer division floors.
    return f"(CAST(strftime('%s', {_column(element, compiler, **kw)}) AS INTEGER) / {element.seconds})"


@compiles(epoch_bucket, "postgresql")
def _postgresql(element: epoch_bucket, compiler: SQLCompiler, **kw: Any) -> str:
    # EXTRACT(EPOCH) of a timestamp without time zone counts it as UTC.
    return (
        f"CAST(FLOOR(EXTRACT(EPOCH FROM {_column(element, compiler, **kw)}) / {element.seconds}) AS BIGINT)"
    )


@compiles(epoch_bucket, "mysql")
@compiles(epoch_bucket, "mariadb")
def _mysql(element: epoch_bucket, compiler: SQLCompiler, **kw: Any) -> str:
    # TIMESTAMPDIFF does not depend on the session's time zone (UNIX_TIMESTAMP would).
    return (
        f"(TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', {_column(element, compiler, **kw)})"
        f" DIV {element.seconds})"
    )


class elapsed_ms_bucket(FunctionElement[float]):
    """Milliseconds from `start` to `end`, rounded to three significant digits (1 ms below 1 s, 10 ms
    below 10 s, 100 ms below 100 s, whole seconds beyond): group by it for a histogram of durations
    that the database counts, instead of reading every row's two timestamps into Python. The
    constants are in the SQL text, so GROUP BY repeats the very expression (no bound parameters)."""

    type = Float()
    inherit_cache = True
    name = "elapsed_ms_bucket"

    def __init__(
        self,
        start: ColumnElement[Any] | InstrumentedAttribute[Any],
        end: ColumnElement[Any] | InstrumentedAttribute[Any],
    ) -> None:
        super().__init__(start, end)


def _bucketed(ms: str) -> str:
    return (
        f"(CASE WHEN {ms} < 1000 THEN ROUND({ms}) WHEN {ms} < 10000 THEN ROUND({ms} / 10) * 10 "
        f"WHEN {ms} < 100000 THEN ROUND({ms} / 100) * 100 ELSE ROUND({ms} / 1000) * 1000 END)"
    )


def _ends(element: elapsed_ms_bucket, compiler: SQLCompiler, **kw: Any) -> tuple[str, str]:
    start, end = list(element.clauses)
    return compiler.process(start, **kw), compiler.process(end, **kw)


@compiles(elapsed_ms_bucket)
def _sqlite_elapsed(element: elapsed_ms_bucket, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = _ends(element, compiler, **kw)
    return _bucketed(f"((julianday({end}) - julianday({start})) * 86400000.0)")


@compiles(elapsed_ms_bucket, "postgresql")
def _postgresql_elapsed(element: elapsed_ms_bucket, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = _ends(element, compiler, **kw)
    return _bucketed(f"(EXTRACT(EPOCH FROM ({end} - {start})) * 1000)")


@compiles(elapsed_ms_bucket, "mysql")
@compiles(elapsed_ms_bucket, "mariadb")
def _mysql_elapsed(element: elapsed_ms_bucket, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = _ends(element, compiler, **kw)
    return _bucketed(f"(TIMESTAMPDIFF(MICROSECOND, {start}, {end}) / 1000.0)")
