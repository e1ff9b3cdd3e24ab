"""Payload encryption at rest (LGPD): Fernet with key rotation, off unless keys are configured.

`PAYLOAD_ENCRYPTION_KEYS` is a comma-separated list of Fernet keys; the first encrypts, all decrypt,
so a key is rotated by putting the new one first and dropping the old one once `rotate()` has
re-encrypted the stored rows. Encrypted values are text with the `enc:` prefix, so encrypted and plain
rows live side by side in the same column.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

PREFIX = "enc:"


class PayloadDecryptionError(Exception):
    """An `enc:` value that no configured key opens."""


class PayloadCipher:
    def __init__(self, keys: list[str]) -> None:
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys]) if keys else None

    @property
    def enabled(self) -> bool:
        return self._fernet is not None

    def encrypt(self, plaintext: str) -> str:
        if self._fernet is None:
            return plaintext
        return PREFIX + self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, stored: str) -> str:
        if not stored.startswith(PREFIX):
            return stored
        if self._fernet is None:
            raise PayloadDecryptionError("encrypted payload but PAYLOAD_ENCRYPTION_KEYS is empty")
        try:
            return self._fernet.decrypt(stored[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            raise PayloadDecryptionError("no configured key decrypts this payload") from None

    def rotate(self, stored: str) -> str:
        """Re-encrypt with the first key (plain values get encrypted)."""
        if self._fernet is None:
            return stored
        if not stored.startswith(PREFIX):
            return self.encrypt(stored)
        try:
            return PREFIX + self._fernet.rotate(stored[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            raise PayloadDecryptionError("no configured key decrypts this payload") from None


def parse_keys(value: str) -> list[str]:
    return [key.strip() for key in value.split(",") if key.strip()]


@lru_cache(maxsize=8)
def cipher_for(keys: str) -> PayloadCipher:
    """The cipher of a PAYLOAD_ENCRYPTION_KEYS value (cached: building Fernets is not free)."""
    return PayloadCipher(parse_keys(keys))


def new_key() -> str:
    return Fernet.generate_key().decode()
