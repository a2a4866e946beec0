"""Accounts, teams and the audit log, in the session database, checked against the viewer.

    accounts = Accounts(store)                       # store bound to the signed-in viewer
    accounts.create_first_admin("root", "a long passphrase")   # only while no account exists
    viewer = accounts.authenticate("ada", password)  # a Viewer, or None ("wrong name or password")

Who may do what: admins create any account and team and put anyone on a team; a coach creates
athlete accounts and invites athletes onto the teams they coach; athletes manage nothing.
Every account has an athlete row named after its username, which holds that person's own
sessions (an athlete row made earlier by `python -m coach analyze --save NAME`, with the same
name in any case, becomes theirs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from coach.auth.names import check_team_name, check_username, shown
from coach.auth.passwords import hash_password, needs_rehash, verify_password
from coach.auth.viewer import ROLES, NotAllowed, Role, Viewer
from coach.core.errors import BadInput, StorageError
from coach.store.models import AthleteRow, AuditRow, MembershipRow, TeamRow, UserRow
from coach.store.store import Store

# Sign-in throttle: this many failures for one username within the window lock it for the rest
# of the window (a slow online guess; Argon2 makes offline guessing slow too).
MAX_FAILED_SIGN_INS = 10
FAILED_SIGN_IN_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Account:
    """One account as the Accounts page lists it."""

    id: int
    username: str
    role: str
    disabled: bool
    teams: tuple[str, ...]


@dataclass(frozen=True)
class Team:
    """One team and who is on it (usernames)."""

    id: int
    name: str
    coaches: tuple[str, ...]
    athletes: tuple[str, ...]


class Accounts:
    """Account and team operations for the viewer `store` is bound to."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._viewer = store.viewer

    # -- sign-in ----------------------------------------------------------------------------

    def has_accounts(self) -> bool:
        """Whether any account exists (no account: the first visit creates the admin)."""
        with self._store.read("count accounts") as orm:
            return bool(orm.scalar(select(func.count(UserRow.id))))

    def create_first_admin(self, username: str, password: str) -> Viewer:
        """Create the first account, an admin; refused once any account exists.

        Raises:
            BadInput: a bad username or password.
            NotAllowed: an account exists already (someone else set the server up).
        """
        name, digest = check_username(username), hash_password(password)
        with self._store.write("create the first admin") as orm:
            if orm.scalar(select(func.count(UserRow.id))):
                raise NotAllowed("the first admin account exists already; sign in instead")
            user = _new_user(orm, name, Role.ADMIN, digest)
            _audit(orm, user.id, "create_first_admin", name)
            return _viewer_of(orm, user)

    def authenticate(self, username: str, password: str) -> Viewer | None:
        """The viewer for a correct username and password, else None.

        The same None, after the same Argon2 work, for an unknown name, a wrong password, a
        disabled account and a throttled one, so a failed sign-in reveals nothing.
        """
        try:
            name = check_username(username)
        except BadInput:
            verify_password(None, password)
            return None
        with self._store.write("sign in") as orm:
            user = orm.scalar(select(UserRow).where(UserRow.username == name))
            ok = verify_password(user.password_hash if user else None, password)
            if user is None or user.disabled or not ok or _throttled(orm, name):
                _audit(orm, None, "sign_in_failed", name)
                return None
            if user.password_hash and needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            _audit(orm, user.id, "sign_in", name)
            return _viewer_of(orm, user)

    def oidc_viewer(self, subject: str, preferred_name: str) -> Viewer | None:
        """The viewer for an identity-provider sign-in, creating the account on first visit.

        The first account ever becomes admin; later ones are athletes until an admin changes
        their role. None when the account is disabled.
        """
        with self._store.write("sign in") as orm:
            user = orm.scalar(select(UserRow).where(UserRow.oidc_subject == subject))
            if user is None:
                first = not orm.scalar(select(func.count(UserRow.id)))
                user = _new_user(orm, _free_username(orm, preferred_name),
                                 Role.ADMIN if first else Role.ATHLETE, None)  # fmt: skip
                user.oidc_subject = subject
                _audit(orm, user.id, "create_oidc_account", user.username)
            return None if user.disabled else _viewer_of(orm, user)

    def refresh(self, viewer: Viewer) -> Viewer | None:
        """The viewer as the database has them now (role, teams); None if disabled or gone."""
        if viewer.user_id is None:
            return viewer
        with self._store.read("check the account") as orm:
            user = orm.get(UserRow, viewer.user_id)
            return None if user is None or user.disabled else _viewer_of(orm, user)

    # -- accounts and teams -----------------------------------------------------------------

    def create_user(self, username: str, password: str, role: str, team_id: int | None = None
                    ) -> int:  # fmt: skip
        """Create an account (admin: any role; coach: athletes, onto a team they coach).

        Raises:
            BadInput: a bad name, password or role, or a name that is taken.
            NotAllowed: the viewer may not create this account.
        """
        if role not in ROLES:
            raise BadInput(f"unknown role {shown(role)}; expected one of {ROLES}")
        self._viewer.require(Role.COACH, to="create accounts")
        if not self._viewer.is_admin and (role != Role.ATHLETE or team_id is None):
            raise NotAllowed("a coach creates athlete accounts on a team they coach")
        name, digest = check_username(username), hash_password(password)
        with self._store.write(f"create account {shown(name)}") as orm:
            if orm.scalar(select(UserRow.id).where(UserRow.username == name)) is not None:
                raise BadInput(f"the username {shown(name)} is taken")
            user = _new_user(orm, name, Role(role), digest)
            if team_id is not None:
                self._add(orm, team_id, user, "athlete" if role == Role.ATHLETE else "coach")
            _audit(orm, self._viewer.user_id, "create_user", name, role)
            return user.id

    def create_team(self, name: str, coach: str | None = None) -> int:
        """Create a team (admin only), optionally with its first coach."""
        self._viewer.require(to="create teams")
        clean = check_team_name(name)
        with self._store.write(f"create team {shown(clean)}") as orm:
            if orm.scalar(select(TeamRow.id).where(TeamRow.name == clean)) is not None:
                raise BadInput(f"the team name {shown(clean)} is taken")
            team = TeamRow(name=clean, created_at=_now())
            orm.add(team)
            orm.flush()
            if coach:
                self._add(orm, team.id, _user_named(orm, coach), "coach")
            _audit(orm, self._viewer.user_id, "create_team", clean)
            return team.id

    def add_member(self, team_id: int, username: str, role: str = "athlete") -> None:
        """Put an account on a team (admin: as coach or athlete; coach: invite an athlete)."""
        self._viewer.require(Role.COACH, to="invite athletes")
        with self._store.write(f"add {shown(username)} to a team") as orm:
            self._add(orm, team_id, _user_named(orm, username), role)

    def set_role(self, username: str, role: str) -> None:
        """Change an account's role (admin only)."""
        self.change_account(username, role=role)

    def set_disabled(self, username: str, disabled: bool) -> None:
        """Disable (or enable again) an account (admin only); it loses access at once."""
        self.change_account(username, disabled=disabled)

    def change_account(self, username: str, *, role: str | None = None,
                       disabled: bool | None = None) -> None:  # fmt: skip
        """Change an account's role and whether it is disabled (admin only), in one
        transaction: both changes are saved, or neither (an admin who may not disable their own
        account keeps their old role too). None leaves that part as it is."""
        self._viewer.require(to="change accounts")
        if role is not None and role not in ROLES:
            raise BadInput(f"unknown role {shown(role)}; expected one of {ROLES}")
        with self._store.write(f"change the account {shown(username)}") as orm:
            user = _user_named(orm, username)
            if disabled and user.id == self._viewer.user_id:
                raise NotAllowed("you cannot disable your own account")
            if role is not None:
                user.role = role
                _audit(orm, self._viewer.user_id, "set_role", user.username, role)
            if disabled is not None:
                user.disabled = disabled
                _audit(orm, self._viewer.user_id, "disable" if disabled else "enable",
                       user.username)

    def accounts(self) -> list[Account]:
        """Every account (admin), or the athletes on the coach's teams."""
        self._viewer.require(Role.COACH, to="list accounts")
        with self._store.read("list accounts") as orm:
            teams = {t.id: t for t in self._teams(orm)}
            names: dict[int, list[str]] = {}
            for team_id, user_id in orm.execute(
                select(MembershipRow.team_id, MembershipRow.user_id)
            ).tuples():
                if team_id in teams:
                    names.setdefault(user_id, []).append(teams[team_id].name)
            users = orm.scalars(select(UserRow).order_by(UserRow.username))
            return [Account(u.id, u.username, u.role, u.disabled, tuple(names.get(u.id, ())))
                    for u in users if self._viewer.is_admin or u.id in names]  # fmt: skip

    def teams(self) -> list[Team]:
        """Teams the viewer is on (admin: all), with their coaches and athletes."""
        with self._store.read("list teams") as orm:
            return [
                Team(t.id, t.name, *_members(orm, t.id)) for t in self._teams(orm)
            ]

    def _teams(self, orm: OrmSession) -> list[TeamRow]:
        stmt = select(TeamRow).order_by(TeamRow.name)
        if not self._viewer.is_admin:
            mine = select(MembershipRow.team_id).where(
                MembershipRow.user_id == self._viewer.user_id
            )
            stmt = stmt.where(TeamRow.id.in_(mine))
        return list(orm.scalars(stmt))

    def _add(self, orm: OrmSession, team_id: int, user: UserRow, role: str) -> None:
        if role not in {"athlete", "coach"}:
            raise BadInput("a team member is a coach or an athlete")
        if orm.get(TeamRow, team_id) is None or not self._coaches(orm, team_id):
            raise NotAllowed("you can only add people to a team you coach")
        if not self._viewer.is_admin and (role != "athlete" or user.role != Role.ATHLETE):
            raise NotAllowed("a coach invites athletes; an admin adds coaches")
        if orm.get(MembershipRow, (team_id, user.id)) is None:
            orm.add(MembershipRow(team_id=team_id, user_id=user.id, role=role, added_at=_now()))
            _audit(orm, self._viewer.user_id, "add_member", user.username, f"team {team_id}")

    def _coaches(self, orm: OrmSession, team_id: int) -> bool:
        """Whether the viewer may manage this team (admin, or its coach)."""
        if self._viewer.is_admin:
            return True
        row = orm.get(MembershipRow, (team_id, self._viewer.user_id or -1))
        return row is not None and row.role == "coach"


def coached_team_ids(orm: OrmSession, user_id: int) -> tuple[int, ...]:
    """Teams this account coaches."""
    return tuple(orm.scalars(
        select(MembershipRow.team_id)
        .where(MembershipRow.user_id == user_id, MembershipRow.role == "coach")
        .order_by(MembershipRow.team_id)
    ))  # fmt: skip


def _viewer_of(orm: OrmSession, user: UserRow) -> Viewer:
    return Viewer(user.id, user.username, Role(user.role), user.athlete_id,
                  coached_team_ids(orm, user.id))  # fmt: skip


def _new_user(orm: OrmSession, name: str, role: Role, digest: str | None) -> UserRow:
    """A user and their own athlete row (an unowned one with the same name is adopted)."""
    owned = select(UserRow.athlete_id).where(UserRow.athlete_id.is_not(None))
    athlete_id = orm.scalar(
        select(AthleteRow.id)
        .where(func.lower(AthleteRow.name) == name, AthleteRow.id.not_in(owned))
        .order_by(AthleteRow.id).limit(1)
    )
    if athlete_id is None:
        if orm.scalar(select(AthleteRow.id).where(AthleteRow.name == name)) is not None:
            raise StorageError(f"the athlete {shown(name)} belongs to another account")
        athlete = AthleteRow(name=name, created_at=_now())
        orm.add(athlete)
        orm.flush()
        athlete_id = athlete.id
    user = UserRow(username=name, role=role.value, password_hash=digest, athlete_id=athlete_id,
                   disabled=False, created_at=_now())  # fmt: skip
    orm.add(user)
    orm.flush()
    return user


def _free_username(orm: OrmSession, preferred: str) -> str:
    base = "".join(c for c in preferred.split("@")[0] if c.isalnum() or c in "._-")[:48] or "user"
    base = check_username(base if base[0].isalnum() else f"u{base}")
    name, n = base, 1
    while orm.scalar(select(UserRow.id).where(UserRow.username == name)) is not None:
        n += 1
        name = f"{base}{n}"
    return name


def _user_named(orm: OrmSession, username: str) -> UserRow:
    name = check_username(username)
    user = orm.scalar(select(UserRow).where(UserRow.username == name))
    if user is None:
        raise BadInput(f"no account named {shown(name)}")
    return user


def _members(orm: OrmSession, team_id: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    rows = orm.execute(
        select(UserRow.username, MembershipRow.role)
        .join(MembershipRow, MembershipRow.user_id == UserRow.id)
        .where(MembershipRow.team_id == team_id)
        .order_by(UserRow.username)
    ).tuples()
    pairs = list(rows)
    return (tuple(n for n, r in pairs if r == "coach"), tuple(n for n, r in pairs if r != "coach"))


def _throttled(orm: OrmSession, name: str) -> bool:
    since = _now() - FAILED_SIGN_IN_WINDOW
    failures = orm.scalar(
        select(func.count(AuditRow.id))
        .where(AuditRow.action == "sign_in_failed", AuditRow.target == name, AuditRow.at >= since)
    )
    return int(failures or 0) >= MAX_FAILED_SIGN_INS


def _audit(orm: OrmSession, user_id: int | None, action: str, target: str, detail: str = ""
           ) -> None:  # fmt: skip
    orm.add(AuditRow(at=_now(), user_id=user_id, action=action, target=target[:200],
                     detail=detail))  # fmt: skip


def _now() -> datetime:
    return datetime.now(UTC)
