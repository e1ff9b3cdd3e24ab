"""`EmailAddress` must answer exactly as pydantic's `EmailStr` (email-validator) does, only faster."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import EmailStr, TypeAdapter, ValidationError

from carinho.kit.emails import EmailAddress

reference = TypeAdapter(EmailStr)
ours = TypeAdapter(EmailAddress)


def _answer(adapter: TypeAdapter[str], value: str) -> str:
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        return "invalid: " + exc.errors()[0]["msg"]


CASES = [
    "maria.souza@example.com.br",
    "Maria@Example.COM",
    "a+tag@sub.domain.org",
    "a..b@x.com",
    ".a@x.com",
    "a.@x.com",
    "a@b",
    "a@localhost",
    "x@ex.test",
    "x@foo.local",
    "é@x.com",
    "a@xn--bcher-kva.com",
    "a@bücher.com",
    "a b@x.com",
    '"a"@x.com',
    "a@-x.com",
    "a@x-.com",
    "a@x.c0m",
    "a@x.123",
    "a@x.com0",
    "a@x.co.",
    "a@1.2.3.4",
    "a@[1.2.3.4]",
    "a@ab--cd.com",
    "Maria <maria@x.com>",
    "a" * 64 + "@x.com",
    "a" * 65 + "@x.com",
    "a@" + "b" * 63 + ".com",
    "a@" + "b" * 64 + ".com",
    "a@" + ".".join(["b" * 60] * 5) + ".com",
    "",
    "@x.com",
    "a@",
]


@pytest.mark.parametrize("value", CASES)
def test_same_answer_as_email_str(value: str) -> None:
    assert _answer(ours, value) == _answer(reference, value)


_email_alphabet = st.sampled_from([*"abcXYZ09.-_+@é\"' []<>", "xn--", "..", "@x.com", ".test"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_email_alphabet, max_size=12).map("".join))
def test_same_answer_for_generated_strings(value: str) -> None:
    assert _answer(ours, value) == _answer(reference, value)


def test_json_schema_says_email() -> None:
    assert ours.json_schema() == {"type": "string", "format": "email"}
