"""Each team's replacement gold poses, in the database: who set each one and when, revertible.

Every app instance behind one database judges against the same gold. The newest unreverted
override of a lift x view x phase wins; reverting it brings back the one before it, or the
shipped gold when there is none. The documents are validated by `coach.pipeline.gold_photo`
before they reach here (the store does not know the gold schema).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from coach.auth.viewer import NotAllowed, Role
from coach.core.errors import StorageError
from coach.store.models import AuditRow, GoldOverrideRow, MembershipRow, UserRow
from coach.store.store import Store


@dataclass(frozen=True)
class GoldOverride:
    """One team override as the Gold page lists it."""

    id: int
    team_id: int
    lift: str
    view: str
    phase: str
    document: dict[str, Any]
    set_by: str
    set_at: datetime
    reverted_at: datetime | None


class TeamGoldStore:
    """The gold overrides of the teams the viewer of `store` is on."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._viewer = store.viewer

    def team_id(self) -> int | None:
        """The team whose gold judges this viewer: the first team they coach, else the first
        team they are on (lowest id); None for admins and people on no team (shipped gold)."""
        if self._viewer.user_id is None:
            return None
        with self._store.read("find your team") as orm:
            rows = orm.execute(
                select(MembershipRow.team_id, MembershipRow.role)
                .where(MembershipRow.user_id == self._viewer.user_id)
                .order_by(MembershipRow.team_id)
            ).tuples()
            teams = list(rows)
        coached = [t for t, role in teams if role == "coach"]
        ranked = coached or [t for t, _ in teams]
        return ranked[0] if ranked else None

    def current(self, team_id: int, lift: str | None = None) -> list[GoldOverride]:
        """The overrides in force for a team (one per lift x view x phase), newest first."""
        with self._store.read("load the team's gold") as orm:
            self._require_member(orm, team_id)
            rows = self._rows(orm, team_id, lift, include_reverted=False)
        seen: set[tuple[str, str, str]] = set()
        out = []
        for row in rows:
            key = (row.lift, row.view, row.phase)
            if key not in seen:
                seen.add(key)
                out.append(row)
        return out

    def history(self, team_id: int, lift: str | None = None) -> list[GoldOverride]:
        """Every override a team ever set, reverted ones included, newest first."""
        with self._store.read("load the team's gold history") as orm:
            self._require_member(orm, team_id)
            return self._rows(orm, team_id, lift, include_reverted=True)

    def replace(self, team_id: int, document: dict[str, Any]) -> int:
        """Store a validated one-annotation gold document as the team's new gold for its view.

        Raises:
            NotAllowed: the viewer does not coach this team (admins may).
        """
        self._viewer.require(Role.COACH, to="change gold poses")
        ann = document["annotations"][0]
        with self._store.write("save the team's gold") as orm:
            self._require_coach(orm, team_id)
            row = GoldOverrideRow(
                team_id=team_id, lift=ann["lift"], view=ann["view"], phase=ann["phase"],
                document=document, set_by=self._viewer.user_id, set_at=_now(),
            )  # fmt: skip
            orm.add(row)
            orm.flush()
            _audit(orm, self._viewer.user_id, "set_gold", f"{ann['lift']} {ann['view']}",
                   f"team {team_id}, override {row.id}")  # fmt: skip
            return row.id

    def revert(self, override_id: int) -> None:
        """Withdraw one override; the previous one (or the shipped gold) is in force again."""
        self._viewer.require(Role.COACH, to="change gold poses")
        with self._store.write("revert the team's gold") as orm:
            row = orm.get(GoldOverrideRow, override_id)
            if row is None or row.team_id is None:
                raise StorageError(f"no gold override with id {override_id}")
            self._require_coach(orm, row.team_id)
            if row.reverted_at is None:
                row.reverted_at, row.reverted_by = _now(), self._viewer.user_id
                _audit(orm, self._viewer.user_id, "revert_gold", f"{row.lift} {row.view}",
                       f"team {row.team_id}, override {row.id}")  # fmt: skip

    def _rows(self, orm: OrmSession, team_id: int, lift: str | None, *, include_reverted: bool
              ) -> list[GoldOverride]:  # fmt: skip
        stmt = (
            select(GoldOverrideRow, UserRow.username)
            .outerjoin(UserRow, UserRow.id == GoldOverrideRow.set_by)
            .where(GoldOverrideRow.team_id == team_id)
            .order_by(GoldOverrideRow.set_at.desc(), GoldOverrideRow.id.desc())
        )
        if lift is not None:
            stmt = stmt.where(GoldOverrideRow.lift == lift)
        if not include_reverted:
            stmt = stmt.where(GoldOverrideRow.reverted_at.is_(None))
        return [
            GoldOverride(r.id, team_id, r.lift, r.view, r.phase, dict(r.document),
                         name or "operator", r.set_at, r.reverted_at)
            for r, name in orm.execute(stmt).tuples()
        ]  # fmt: skip

    def _role_on(self, orm: OrmSession, team_id: int) -> str | None:
        if self._viewer.user_id is None:
            return None
        row = orm.get(MembershipRow, (team_id, self._viewer.user_id))
        return None if row is None else row.role

    def _require_member(self, orm: OrmSession, team_id: int) -> None:
        if not self._viewer.is_admin and self._role_on(orm, team_id) is None:
            raise NotAllowed("you are not on that team")

    def _require_coach(self, orm: OrmSession, team_id: int) -> None:
        if not self._viewer.is_admin and self._role_on(orm, team_id) != "coach":
            raise NotAllowed("only the team's coach changes its gold")


def _audit(orm: OrmSession, user_id: int | None, action: str, target: str, detail: str) -> None:
    orm.add(AuditRow(at=_now(), user_id=user_id, action=action, target=target, detail=detail))


def _now() -> datetime:
    return datetime.now(UTC)
