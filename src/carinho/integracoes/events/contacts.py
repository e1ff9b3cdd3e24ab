"""Finding events by a person's phone or e-mail without storing either in clear (LGPD).

At ingest the first phone and the first e-mail found in the payload are stored as keyed hashes
(HMAC-SHA256, the key derived from `SESSION_SECRET`): a search hashes what the operator typed the
same way and looks the hash up on an index. A bare SHA-256 would not do — Brazilian phone numbers
are few enough to hash them all — and the payload itself may be encrypted at rest.

Phones are compared in one canonical form: 55 + DDD + the number without a mobile's leading 9
(Z-API writes `554499999999` and `5544999999999` for the same phone). Changing `SESSION_SECRET`
makes the events stored before unfindable by contact (every other filter still finds them).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from carinho.kit.phones import normalize_br_phone

PHONE_KEYS = frozenset({"phone", "telefone", "whatsapp", "celular"})
EMAIL_KEYS = frozenset({"email", "e_mail"})
MAX_DEPTH = 4  # a payload's people are near its top (`data.client.phone` at most)


@dataclass(frozen=True)
class ContactHashes:
    phone: str | None = None
    email: str | None = None


def canonical_phone(value: str | int | None) -> str | None:
    digits = normalize_br_phone(value)
    if digits is None:
        return None
    if digits.startswith("55") and len(digits) == 13 and digits[4] == "9":
        digits = digits[:4] + digits[5:]
    return digits


def canonical_email(value: str | None) -> str | None:
    text = (value or "").strip().lower()
    return text if "@" in text and len(text) <= 254 and " " not in text else None


@lru_cache(maxsize=8)
def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"integracoes.contact-lookup", hashlib.sha256).digest()


def _digest(secret: str, kind: str, canonical: str) -> str:
    return hmac.digest(_key(secret), f"{kind}:{canonical}".encode(), "sha256").hex()


def phone_hash(secret: str, value: str | int | None) -> str | None:
    phone = canonical_phone(value)
    return _digest(secret, "phone", phone) if phone else None


def email_hash(secret: str, value: str | None) -> str | None:
    email = canonical_email(value)
    return _digest(secret, "email", email) if email else None


@lru_cache(maxsize=4096)  # a payload's keys: the same few names event after event
def _key_kind(key: str) -> str | None:
    name = key.lower().replace("-", "_")
    if name in PHONE_KEYS or name.endswith("_phone") or name.endswith("_telefone"):
        return "phone"
    if name in EMAIL_KEYS or name.endswith("_email"):
        return "email"
    return None


def _walk(value: Any, found: dict[str, str], depth: int) -> None:
    # dict and list, not Mapping: a JSON document's types, and an ABC's isinstance cost more than
    # the rest of the walk (it runs at ingest, for every event).
    if depth > MAX_DEPTH or len(found) == 2:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            kind = _key_kind(str(key))
            if kind and kind not in found and isinstance(item, (str, int)) and not isinstance(item, bool):
                text = str(item)
                canonical = canonical_phone(text) if kind == "phone" else canonical_email(text)
                if canonical is not None:
                    found[kind] = canonical
        for item in value.values():
            if isinstance(item, (dict, list)):
                _walk(item, found, depth + 1)
    elif isinstance(value, list):
        for item in value[:20]:
            _walk(item, found, depth + 1)


def contact_hashes(secret: str, payload: Mapping[str, Any] | str) -> ContactHashes:
    """The hashes of the first phone and e-mail of a payload (its JSON text, or the document)."""
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            return ContactHashes()
    found: dict[str, str] = {}  # kind → canonical value
    _walk(payload, found, 0)
    return ContactHashes(
        phone=_digest(secret, "phone", found["phone"]) if "phone" in found else None,
        email=_digest(secret, "email", found["email"]) if "email" in found else None,
    )


def lookup_hashes(secret: str, query: str) -> ContactHashes:
    """What an operator typed in "Telefone ou e-mail": an e-mail if it has an @, else a phone."""
    query = query.strip()
    if "@" in query:
        return ContactHashes(email=email_hash(secret, query))
    return ContactHashes(phone=phone_hash(secret, query))
