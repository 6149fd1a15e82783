"""Password hashing with Argon2id (argon2-cffi's recommended parameters)."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2Passwords:
    """Implements ``domain.ports.PasswordHasher``."""

    def __init__(self) -> None:
        self._hasher = PasswordHasher()
        # made once, at start-up: checking an unknown email's password against it costs what a wrong
        # password for a known account costs (one Argon2 verification, same parameters)
        self._dummy = self._hasher.hash(secrets.token_urlsafe(24))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, hashed: str, password: str) -> bool:
        try:
            return self._hasher.verify(hashed, password)
        except (VerificationError, InvalidHashError):
            return False

    def verify_dummy(self, password: str) -> bool:
        """The work of ``verify``, against a hash no password matches: always False."""
        self.verify(self._dummy, password)
        return False
