"""`EmailAddress`: pydantic's `EmailStr` rules at a fraction of the cost for everyday addresses.

`email-validator` costs ~20 µs per address (IDNA and Unicode work), most of a webhook's validation.
Plain ASCII addresses — a dot-atom local part at an ordinary host name — are checked here by pattern and
give exactly what `EmailStr` gives (the domain lower-cased); anything else (non-ASCII, punycode,
quoted or bracketed parts, special-use domains, or an invalid address) goes to `email-validator`
unchanged, so its answer and its error messages stay the reference.
"""

from __future__ import annotations

import re
from typing import Annotated

from email_validator import SPECIAL_USE_DOMAIN_NAMES
from pydantic import AfterValidator, WithJsonSchema
from pydantic.networks import validate_email

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PLAIN = re.compile(rf"({_ATOM}(?:\.{_ATOM})*)@((?:{_LABEL}\.)+{_LABEL})")
_SPECIAL_USE = frozenset(SPECIAL_USE_DOMAIN_NAMES)


def _plain_domain(domain: str) -> bool:
    labels = domain.split(".")
    return (
        labels[-1][-1].isalpha()  # every top-level domain ends with a letter
        and labels[-1] not in _SPECIAL_USE
        and not any(label[2:4] == "--" for label in labels)  # punycode and reserved forms
    )


def normalize_email(value: str) -> str:
    match = _PLAIN.fullmatch(value)
    if match is not None and len(value) <= 254 and len(match[1]) <= 64:
        domain = match[2].lower()
        if _plain_domain(domain):
            return f"{match[1]}@{domain}"
    return validate_email(value)[1]


EmailAddress = Annotated[
    str,
    AfterValidator(normalize_email),
    WithJsonSchema({"type": "string", "format": "email"}),
]
