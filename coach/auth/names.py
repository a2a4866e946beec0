"""Limits on the names people type: usernames and team names, checked before any work."""

from __future__ import annotations

import re

from coach.core.errors import BadInput

USERNAME_LEN = 64
TEAM_NAME_LEN = 100
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]*$")


def shown(text: str, limit: int = 24) -> str:
    """At most `limit` characters of user text, for error messages (quoted with repr)."""
    return repr(text[:limit] + ("..." if len(text) > limit else ""))


def check_username(name: str) -> str:
    """A sign-in name: 1-64 of letters, digits and . _ @ + - (starting with a letter or digit).

    Lower-cased, so "Ada" and "ada" are one account.

    Raises:
        BadInput: the message quotes at most a short prefix of the name.
    """
    clean = name.strip()
    if not clean or len(clean) > USERNAME_LEN or not _USERNAME.match(clean):
        raise BadInput(
            f"a username needs 1 to {USERNAME_LEN} letters, digits or . _ @ + - "
            f"(got {len(clean)} characters: {shown(clean)})"
        )
    return clean.lower()


def check_team_name(name: str) -> str:
    """A team name: 1-100 characters after trimming.

    Raises:
        BadInput: the message quotes at most a short prefix of the name.
    """
    clean = name.strip()
    if not clean or len(clean) > TEAM_NAME_LEN:
        raise BadInput(
            f"a team name needs 1 to {TEAM_NAME_LEN} characters; got {len(clean)} "
            f"({shown(clean)})"
        )
    return clean
