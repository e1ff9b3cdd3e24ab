"""Endpoint secrets at rest: encrypted with the payload keys (`PAYLOAD_ENCRYPTION_KEYS`) when set."""

from __future__ import annotations

from carinho import runtime
from carinho.kit.crypto import PayloadCipher, cipher_for


def _cipher() -> PayloadCipher:
    return cipher_for(runtime.current().settings.payload_encryption_keys.get_secret_value())


def seal(secret: str) -> str:
    return _cipher().encrypt(secret)


def unseal(stored: str) -> str:
    return _cipher().decrypt(stored)
