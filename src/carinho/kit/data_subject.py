"""Who a data-subject request (LGPD art. 18) is about: a phone, an e-mail or a CPF, checked and
normalised the same way in both systems, masked for the records that outlive an erasure, and found
in stored JSON documents (the hub's event payloads, raw bodies, step outputs)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from carinho.errors import BadRequest
from carinho.kit.phones import normalize_br_phone

_NON_DIGITS = re.compile(r"\D+")
# A phone written inside a text: '+55 (11) 91234-5678', '11912345678', '5511912345678@c.us'.
_PHONE_IN_TEXT = re.compile(r"\+?\d[\d\s().-]{8,18}\d")
_CPF_IN_TEXT = re.compile(r"(?<!\d)\d{3}\.?\d{3}\.?\d{3}-?\d{2}(?!\d)")
KINDS_LABEL = {"phone": "o telefone", "email": "o e-mail", "cpf": "o CPF"}


def phone_variants(phone: str) -> tuple[str, ...]:
    """A Brazilian mobile with and without the ninth digit: WhatsApp reports either."""
    if phone.startswith("55") and len(phone) == 13 and phone[4] == "9":
        return (phone, phone[:4] + phone[5:])
    if phone.startswith("55") and len(phone) == 12 and phone[4] in "6789":
        return (phone, phone[:4] + "9" + phone[4:])
    return (phone,)


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def mask_phone(phone: str) -> str:
    return f"{phone[:4]}*****{phone[-2:]}" if len(phone) > 6 else "***"


def mask_cpf(cpf: str) -> str:
    return f"***.***.***-{cpf[-2:]}"


def valid_cpf(digits: str) -> bool:
    """Eleven digits with both check digits right (and not all equal, which passes the check)."""
    if len(digits) != 11 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    for size in (9, 10):
        total = sum(int(d) * (size + 1 - i) for i, d in enumerate(digits[:size]))
        check = (total * 10) % 11 % 10
        if check != int(digits[size]):
            return False
    return True


@dataclass(frozen=True)
class Subject:
    kind: str  # phone | email | cpf
    phones: tuple[str, ...] = ()
    email: str | None = None
    cpf: str | None = None

    @property
    def masked(self) -> str:
        if self.kind == "phone":
            return mask_phone(self.phones[0])
        if self.kind == "cpf":
            return mask_cpf(self.cpf or "")
        return mask_email(self.email or "")

    @property
    def value(self) -> str:
        """The identifier itself (to pass on to the other system; never to store)."""
        if self.kind == "phone":
            return self.phones[0]
        return (self.cpf if self.kind == "cpf" else self.email) or ""

    def appears_in(self, document: Any) -> bool:
        """Whether this person's identifier is anywhere in a JSON-like document (keys or values,
        whole or written inside a text)."""
        return any(self._in_text(text) for text in _texts(document))

    def _in_text(self, text: str) -> bool:
        if self.kind == "email":
            return self.email is not None and self.email != "" and self.email in text.lower()
        if self.kind == "cpf":
            return any(_NON_DIGITS.sub("", m) == self.cpf for m in _CPF_IN_TEXT.findall(text))
        candidates = [text, *_PHONE_IN_TEXT.findall(text)] if len(text) < 100_000 else []
        return any(normalize_br_phone(c) in self.phones for c in candidates if any(ch.isdigit() for ch in c))


def _texts(document: Any) -> Iterable[str]:
    if isinstance(document, dict):
        for key, value in document.items():
            yield str(key)
            yield from _texts(value)
    elif isinstance(document, list | tuple):
        for value in document:
            yield from _texts(value)
    elif isinstance(document, str):
        yield document
    elif isinstance(document, int) and not isinstance(document, bool):
        yield str(document)


def subject_of(
    phone: str | None, email: str | None, cpf: str | None = None, *, allow_cpf: bool = False
) -> Subject:
    """The one identifier given, checked; a clear pt-BR BadRequest otherwise."""
    given = [v for v in (phone, email, cpf) if v]
    if len(given) != 1:
        kinds = ["o telefone", "o e-mail"] + (["o CPF"] if allow_cpf else [])
        raise BadRequest(f"Informe {' ou '.join(kinds)} do titular (apenas um).")
    if phone:
        normalised = normalize_br_phone(phone)
        if normalised is None:
            raise BadRequest("Telefone inválido: informe DDD e número, ex.: (11) 91234-5678.")
        return Subject("phone", phones=phone_variants(normalised))
    if cpf:
        if not allow_cpf:
            raise BadRequest("Informe o telefone ou o e-mail do titular (apenas um).")
        digits = _NON_DIGITS.sub("", cpf)
        if not valid_cpf(digits):
            raise BadRequest("CPF inválido: informe os 11 dígitos, ex.: 123.456.789-09.")
        return Subject("cpf", cpf=digits)
    assert email is not None
    if "@" not in email or len(email) > 190:
        raise BadRequest("E-mail inválido.")
    return Subject("email", email=email.strip().lower())
