"""What a viewer may see: the athlete ids whose sessions they can read, as one SQL subquery.

Every read and write in `coach.store` filters through `athlete_filter`, so no page can forget it:
- admin: every athlete;
- athlete: their own athlete row;
- coach: their own row plus the athletes on every team they coach.

Roles and teams are read from the database on each call (a disabled account, or an athlete
taken off a team, loses access at once), never from what the sign-in remembered.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, select, union
from sqlalchemy.orm import InstrumentedAttribute

from coach.auth.viewer import Role, Viewer
from coach.store.models import MembershipRow, UserRow


def visible_athlete_ids(viewer: Viewer) -> Select[Any] | None:
    """A SELECT of the athlete ids `viewer` may see, or None when they may see all (admin)."""
    if viewer.is_admin:
        return None  # admins, the CLI operator and single-user mode see everything
    if viewer.user_id is None:
        return select(UserRow.athlete_id).where(false())
    me = and_(UserRow.id == viewer.user_id, UserRow.disabled.is_(False))
    own = select(UserRow.athlete_id).where(me, UserRow.athlete_id.is_not(None))
    if viewer.role is Role.ATHLETE:
        return own
    coached = (
        select(MembershipRow.team_id)
        .join(UserRow, UserRow.id == MembershipRow.user_id)
        .where(me, MembershipRow.role == "coach")
    )
    team_athletes = (
        select(UserRow.athlete_id)
        .join(MembershipRow, MembershipRow.user_id == UserRow.id)
        .where(MembershipRow.team_id.in_(coached), MembershipRow.role == "athlete")
        .where(UserRow.athlete_id.is_not(None), UserRow.disabled.is_(False))
    )
    return select(union(own, team_athletes).subquery().c[0])


def athlete_filter(
    viewer: Viewer, column: InstrumentedAttribute[int]
) -> ColumnElement[bool] | None:
    """A WHERE clause limiting `column` (an athlete id) to what `viewer` may see; None = all."""
    ids = visible_athlete_ids(viewer)
    return None if ids is None else column.in_(ids)
