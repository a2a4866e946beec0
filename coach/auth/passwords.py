"""Password hashing with Argon2id (argon2-cffi), and the rules a new password must meet.

`verify_password` spends the same time whether or not the account exists (`DUMMY_HASH`), so a
failed sign-in does not reveal which usernames are taken.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from coach.core.errors import BadInput

MIN_PASSWORD_LEN = 10
MAX_PASSWORD_LEN = 256  # Argon2 accepts more; a cap keeps one sign-in from costing seconds.
_HASHER = PasswordHasher()  # argon2-cffi's RFC 9106 low-memory profile (Argon2id)
DUMMY_HASH = _HASHER.hash("liftcoach-dummy-password")


def check_password(password: str) -> str:
    """The password if it meets the rules (10 to 256 characters, not all spaces).

    Raises:
        BadInput: too short or too long (the message never repeats the password).
    """
    if len(password.strip()) < MIN_PASSWORD_LEN or len(password) > MAX_PASSWORD_LEN:
        raise BadInput(
            f"a password needs {MIN_PASSWORD_LEN} to {MAX_PASSWORD_LEN} characters"
        )
    return password


def hash_password(password: str) -> str:
    """An Argon2id hash string (salt and parameters included) of a checked password."""
    return _HASHER.hash(check_password(password))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches; a None hash (unknown user, OIDC-only) still costs a verify."""
    if len(password) > MAX_PASSWORD_LEN:
        return False
    try:
        return _HASHER.verify(stored_hash or DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(stored_hash)
