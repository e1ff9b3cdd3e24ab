"""A server-sorted table's order and page, read from the URL (`ordem`, `pagina`) the way every table
of the pages writes them: `ordem` is a column key, with `-` in front for descending; a value that is
not a sortable column, or a page that is not a number, falls back instead of failing.

The columns are the triples the kit's `tables.header` macro draws: (URL key, header, sortable).
A table sorted by its repository maps each sortable key to the repository's sort name (`sort_of`);
a short table held in memory (the team, today's breaches) sorts its rows by a key function per column
(`sorted_rows`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

Row = TypeVar("Row")
Column = tuple[str, str, bool]

_MAX_PAGE_DIGITS = 6


@dataclass(frozen=True)
class TableOrder:
    columns: Sequence[Column]
    default: str

    @property
    def sortable(self) -> frozenset[str]:
        return frozenset(key for key, _, sortable in self.columns if sortable)

    def pick(self, value: str | None) -> str:
        """The `ordem` a request asked for, when it names a sortable column; else the default."""
        text = value or ""
        return text if text.removeprefix("-") in self.sortable else self.default

    def sort_of(self, ordem: str, names: Mapping[str, str]) -> tuple[str, bool]:
        """(the repository's sort name, descending) for a picked `ordem`."""
        return names[ordem.removeprefix("-")], ordem.startswith("-")

    def sorted_rows(
        self, rows: Iterable[Row], ordem: str, keys: Mapping[str, Callable[[Row], Any]]
    ) -> list[Row]:
        """The rows in the picked order; ties keep the order they came in (a stable sort)."""
        key = keys[ordem.removeprefix("-")]
        return sorted(rows, key=key, reverse=ordem.startswith("-"))


def page_number(value: str | None) -> int:
    text = value or ""
    return max(1, int(text)) if text.isdigit() and len(text) <= _MAX_PAGE_DIGITS else 1


def page_count(total: int, size: int) -> int:
    return max(1, -(-total // size))
