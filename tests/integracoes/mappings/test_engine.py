"""The mapping language: the custom functions, and what is refused."""

from typing import Any

import pytest

from carinho.integracoes.mappings.defaults import DEFAULT_MAPPINGS
from carinho.integracoes.mappings.engine import MappingError, evaluate, validate_spec


@pytest.mark.parametrize(
    ("spec", "document", "expected"),
    [
        ("concat(a, ' ', b, c)", {"a": "Ana", "b": 7, "c": None}, "Ana 7"),
        ("default(a, 'x')", {"a": ""}, "x"),
        ("coalesce(a, b, c)", {"a": None, "b": [], "c": "ok"}, "ok"),
        ("template('Olá, {nome}! {x}', {nome: first_name(n)})", {"n": "  Maria  da Silva"}, "Olá, Maria! "),
        ("phone_br(p)", {"p": "(11) 91234-5678"}, "5511912345678"),
        ("digits(p)", {"p": "000.001.101-00"}, "00000110100"),
        ("cents(v)", {"v": "1850.05"}, 185005),
        ("to_int(v)", {"v": "C-1001"}, None),
        ("to_int(v)", {"v": "42"}, 42),
        ("rescale(r, `5`, `10`)", {"r": 4}, 8),
        ("date_br(t)", {"t": "2026-11-28T01:30:00Z"}, "27/11/2026"),
        ("compact({a: a, b: b})", {"a": 1, "b": None}, {"a": 1}),
        ("x && {y: x} || null", {"x": None}, None),
    ],
)
def test_functions(spec: str, document: dict[str, Any], expected: Any) -> None:
    validate_spec(spec)
    assert evaluate(spec, document) == expected


@pytest.mark.parametrize("spec", ["", "{a: ", "eval(a)", "a.[", "x" * 20_001])
def test_invalid_specs_are_refused(spec: str) -> None:
    with pytest.raises(MappingError) as error:
        validate_spec(spec)
    assert error.value.kind == "syntax"


def test_an_evaluation_error_is_reported_as_such() -> None:
    with pytest.raises(MappingError) as error:
        evaluate("cents(a)", {"a": "muito"})
    assert error.value.kind == "evaluation"


def test_every_default_mapping_is_valid() -> None:
    for mapping in DEFAULT_MAPPINGS:
        validate_spec(mapping.spec)
