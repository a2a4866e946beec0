"""`Viewer`: the person a store call is made for, and what their role lets them do.

Roles (README "Sign-in and roles"):
- athlete: uploads, and sees only their own sessions;
- coach: sees the athletes on the teams they coach, reviews flags, manages their team's gold;
- admin: manages accounts and teams, and sees everything.

The command line and single-user mode act as `Viewer.operator()`, an admin with no account:
whoever can run the CLI can already read the database file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from coach.core.errors import LiftCoachError


class Role(StrEnum):
    """An account's role; the value is what the database stores."""

    ATHLETE = "athlete"
    COACH = "coach"
    ADMIN = "admin"


ROLES: tuple[str, ...] = tuple(r.value for r in Role)


class NotAllowed(LiftCoachError):
    """The signed-in person's role does not allow this (exit code 6 in the CLI)."""

    exit_code = 6


@dataclass(frozen=True)
class Viewer:
    """A signed-in person.

    Attributes:
        user_id: the account's row id; None for the operator (CLI, single-user mode).
        username: the sign-in name (shown as plain text, never as Markdown).
        role: what they may do.
        athlete_id: the athlete row holding this person's own sessions, if any.
        coached_team_ids: teams this person coaches (filled in at sign-in, refreshed per call
            by the store, which never trusts this tuple for filtering).
    """

    user_id: int | None
    username: str
    role: Role
    athlete_id: int | None = None
    coached_team_ids: tuple[int, ...] = field(default=())

    @classmethod
    def operator(cls) -> Viewer:
        """The command line / single-user owner: an admin without an account."""
        return cls(user_id=None, username="operator", role=Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_coach(self) -> bool:
        return self.role is Role.COACH

    @property
    def is_athlete(self) -> bool:
        return self.role is Role.ATHLETE

    def require(self, *roles: Role, to: str) -> None:
        """Raise NotAllowed unless this viewer has one of `roles` (admins always pass)."""
        if self.is_admin or self.role in roles:
            return
        raise NotAllowed(f"your role ({self.role.value}) cannot {to}")
