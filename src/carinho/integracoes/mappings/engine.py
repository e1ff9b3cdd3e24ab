"""The mapping language: JMESPath plus a few pure, bounded custom functions (docs/mapeamentos.md).

JMESPath has no loops, recursion, user-defined functions or I/O: an expression only reads the input
document and builds JSON from it, so evaluation always terminates and a stored mapping can never run
code. The custom functions below are the only additions, each a small pure function.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import jmespath
from jmespath import exceptions as jp_errors
from jmespath import functions

from carinho.kit.names import first_name
from carinho.kit.phones import normalize_br_phone

MAX_SPEC_CHARS = 20_000
BRAZIL = ZoneInfo("America/Sao_Paulo")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_NON_DIGITS = re.compile(r"\D+")


class MappingError(Exception):
    """A spec that does not compile, or an evaluation that failed; `kind` says which."""

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


class CarinhoFunctions(functions.Functions):
    """Custom functions: `concat`, `default`, `coalesce`, `digits`, `phone_br`, `lower`, `upper`, `trim`,
    `first_name`, `template`, `compact`, `cents`, `rescale`, `date_br`, `to_int`."""

    @functions.signature({"types": []}, {"types": [], "variadic": True})
    def _func_concat(self, *values: Any) -> str:
        return "".join(_text(v) for v in values)

    @functions.signature({"types": []}, {"types": []})
    def _func_default(self, value: Any, fallback: Any) -> Any:
        return fallback if _empty(value) else value

    @functions.signature({"types": []}, {"types": [], "variadic": True})
    def _func_coalesce(self, *values: Any) -> Any:
        return next((v for v in values if not _empty(v)), None)

    @functions.signature({"types": ["string", "number", "null"]})
    def _func_digits(self, value: Any) -> str | None:
        return None if value is None else _NON_DIGITS.sub("", _text(value))

    @functions.signature({"types": ["string", "number", "null"]})
    def _func_phone_br(self, value: Any) -> str | None:
        return None if value is None else normalize_br_phone(_text(value))

    @functions.signature({"types": ["string", "null"]})
    def _func_lower(self, value: str | None) -> str | None:
        return None if value is None else value.lower()

    @functions.signature({"types": ["string", "null"]})
    def _func_upper(self, value: str | None) -> str | None:
        return None if value is None else value.upper()

    @functions.signature({"types": ["string", "null"]})
    def _func_trim(self, value: str | None) -> str | None:
        return None if value is None else " ".join(value.split())

    @functions.signature({"types": ["string", "null"]})
    def _func_first_name(self, value: str | None) -> str | None:
        return first_name(value)

    @functions.signature({"types": ["string"]}, {"types": ["object"]})
    def _func_template(self, text: str, values: dict[str, Any]) -> str:
        """`template('Olá, {nome}!', {nome: name})`: named placeholders only (no attribute access)."""
        return _PLACEHOLDER.sub(lambda m: _text(values.get(m.group(1))), text)

    @functions.signature({"types": ["object"]})
    def _func_compact(self, value: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in value.items() if v is not None}

    @functions.signature({"types": ["string", "number", "null"]})
    def _func_cents(self, value: Any) -> int | None:
        """Reais ("1850.00", 1850.5) to integer centavos."""
        if value is None or value == "":
            return None
        try:
            amount = Decimal(_text(value).replace(",", "."))
        except InvalidOperation:
            raise jp_errors.JMESPathError(f"cents(): {value!r} is not an amount") from None
        return int((amount * 100).to_integral_value(ROUND_HALF_UP))

    @functions.signature({"types": ["number", "null"]}, {"types": ["number"]}, {"types": ["number"]})
    def _func_rescale(self, value: Any, from_max: Any, to_max: Any) -> int | None:
        """A rating on 0..from_max as 0..to_max, rounded (a 1–5 star rating as 0–10)."""
        if value is None:
            return None
        if not from_max:
            raise jp_errors.JMESPathError("rescale(): from_max must not be 0")
        scaled = Decimal(str(value)) * Decimal(str(to_max)) / Decimal(str(from_max))
        return int(scaled.to_integral_value(ROUND_HALF_UP))

    @functions.signature({"types": ["string", "null"]})
    def _func_date_br(self, value: str | None) -> str | None:
        """An ISO date or timestamp as dd/mm/aaaa (timestamps in Brazil time)."""
        if not value:
            return None
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        if moment.tzinfo is not None:
            moment = moment.astimezone(BRAZIL)
        return moment.strftime("%d/%m/%Y")

    @functions.signature({"types": ["string", "number", "null"]})
    def _func_to_int(self, value: Any) -> int | None:
        """An integer, or null when the value is not a number (ids like "C-1001")."""
        if value is None or value == "":
            return None
        try:
            return int(Decimal(_text(value)))
        except (InvalidOperation, ValueError):
            return None


_OPTIONS = jmespath.Options(custom_functions=CarinhoFunctions(), dict_cls=dict)


@lru_cache(maxsize=512)
def compile_spec(spec: str) -> Any:
    """A parsed expression (cached per process); MappingError(kind="syntax") when it is invalid."""
    if not spec or not spec.strip():
        raise MappingError("the mapping spec is empty", kind="syntax")
    if len(spec) > MAX_SPEC_CHARS:
        raise MappingError(f"the mapping spec is longer than {MAX_SPEC_CHARS} characters", kind="syntax")
    try:
        return jmespath.compile(spec)
    except jp_errors.JMESPathError as exc:
        raise MappingError(f"invalid JMESPath: {_describe(exc)}", kind="syntax") from None


def evaluate(spec: str, document: dict[str, Any]) -> Any:
    expression = compile_spec(spec)
    try:
        return expression.search(document, options=_OPTIONS)
    except jp_errors.JMESPathError as exc:
        raise MappingError(f"evaluation failed: {_describe(exc)}", kind="evaluation") from None
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise MappingError(f"evaluation failed: {type(exc).__name__}: {exc}", kind="evaluation") from None


def _describe(exc: Exception) -> str:
    return " ".join(str(exc).split())[:500]


def validate_spec(spec: str) -> None:
    """Compile and check every function the spec calls exists (JMESPath only notices at run time)."""
    expression = compile_spec(spec)
    known = set(_OPTIONS.custom_functions.FUNCTION_TABLE)
    unknown = sorted(name for name in _function_names(expression.parsed) if name not in known)
    if unknown:
        raise MappingError(f"unknown function(s): {', '.join(unknown)}", kind="syntax")


def _function_names(node: Any) -> set[str]:
    names: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if not isinstance(current, dict):
            continue
        if current.get("type") == "function_expression":
            names.add(str(current.get("value")))
        stack.extend(current.get("children") or [])
    return names
