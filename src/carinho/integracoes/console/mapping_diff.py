"""Comparing two versions of a mapping: each spec laid out one object key per line (the defaults are
stored on one line), then a line diff a screen reader can follow (each changed line says whether it
was added or removed, not only by its colour)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

QUOTES = "'\"`"
INDENT = "  "


def layout(spec: str) -> list[str]:
    """The spec's lines: whitespace outside string literals collapsed, a line break after `{`, after
    each `,` directly inside an object, and before its `}`."""
    lines: list[str] = []
    current: list[str] = []
    stack: list[str] = []
    quote: str | None = None
    pending_space = False

    def push_line() -> None:
        text = "".join(current).rstrip()
        if text.strip():
            lines.append(text)
        current.clear()
        current.append(INDENT * len([c for c in stack if c == "{"]))

    current.append("")
    for char in spec:
        if quote:
            current.append(char)
            if char == quote:
                quote = None
            continue
        if char.isspace():
            pending_space = True
            continue
        if pending_space and "".join(current).strip() and char not in ",)]}" and current[-1] not in "([{":
            current.append(" ")
        pending_space = False
        if char in QUOTES:
            quote = char
            current.append(char)
        elif char == "{":
            current.append(char)
            stack.append(char)
            push_line()
        elif char == "}":
            if stack and stack[-1] == "{":
                stack.pop()
            push_line()
            current.append(char)
        elif char in "([":
            stack.append(char)
            current.append(char)
        elif char in ")]":
            if stack and stack[-1] in "([":
                stack.pop()
            current.append(char)
        elif char == "," and stack and stack[-1] == "{":
            current.append(char)
            push_line()
        else:
            current.append(char)
    push_line()
    return lines


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same" | "added" | "removed"
    text: str


@dataclass(frozen=True)
class Diff:
    lines: list[DiffLine]

    @property
    def added(self) -> int:
        return sum(1 for line in self.lines if line.kind == "added")

    @property
    def removed(self) -> int:
        return sum(1 for line in self.lines if line.kind == "removed")


def diff(old: str, new: str) -> Diff:
    before, after = layout(old), layout(new)
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines.extend(DiffLine("same", text) for text in before[i1:i2])
            continue
        lines.extend(DiffLine("removed", text) for text in before[i1:i2])
        lines.extend(DiffLine("added", text) for text in after[j1:j2])
    return Diff(lines)
