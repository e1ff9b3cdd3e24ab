"""People's passwords (atendimento's agents, the hub console's operators): argon2id, and new ones
generated for first logins and resets."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
# argon2-cffi's defaults (RFC 9106, low-memory profile: 64 MiB, 3 passes).
_STANDARD = PasswordHasher()
# Only for a runtime configured with CARINHO_ENV=test: the smallest cost argon2 accepts, so that the
# thousands of accounts the tests create and log in cost microseconds instead of a tenth of a second
# each. A hash carries its own parameters, so either hasher verifies the other's hashes.
_CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
# Verified when the login is unknown, so a wrong e-mail costs as much time as a wrong password.
_DUMMY = {False: _STANDARD.hash("carinho-dummy-password"), True: _CHEAP.hash("carinho-dummy-password")}


_cheap_for_tests = False


def use_test_cost(enabled: bool) -> None:
    """Called by `runtime.configure()`: a runtime configured with CARINHO_ENV=test hashes cheaply."""
    global _cheap_for_tests
    _cheap_for_tests = enabled


def _cheap() -> bool:
    return _cheap_for_tests


def hash_password(password: str) -> str:
    return (_CHEAP if _cheap() else _STANDARD).hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with no hash (unknown account) a dummy is verified, same cost."""
    hasher = _CHEAP if _cheap() else _STANDARD
    try:
        return bool(hasher.verify(password_hash or _DUMMY[_cheap()], password)) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    """16 URL-safe characters, shown once to the person who will change it."""
    return secrets.token_urlsafe(12)
