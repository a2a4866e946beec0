"""`Store`: the session database behind the dashboard, the CLI and live streams.

A `Store` is bound to one `Viewer` (`Store.open(url, viewer=...)`, `store.as_viewer(other)`):
every read and write below filters by what that viewer may see (`coach.store.visibility`), so a
page holding a store cannot forget to filter. A session another viewer owns reads as "no
session with id N", exactly like one that does not exist.

Every call is its own short transaction, committed before it returns, so rows are kept as they
arrive: a dropped stream or a crashed tab loses nothing already written, and a failed write
raises `StorageError` without touching what was committed before it. A `Store` is safe to share
between threads (one per process, e.g. under `st.cache_resource`); several processes may open
the same database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as OrmSession

from coach.auth.names import shown
from coach.auth.viewer import NotAllowed, Role, Viewer
from coach.core.errors import StorageError
from coach.core.flags import Flag
from coach.core.keypoints import Keypoints
from coach.store.checks import (
    check_athlete_name,
    check_thumbnail,
    require_finite,
)
from coach.store.codec import angles_to_json, finite_or_none, keypoints_to_json
from coach.store.engine import READ_OPTION, ensure_schema, open_engine, redact, translate_errors
from coach.store.models import (
    AthleteRow,
    FlagRow,
    FrameRow,
    RepRow,
    SessionRow,
    VerdictRow,
)
from coach.store.reads import StoreReads
from coach.store.records import SESSION_KINDS, SessionDraft
from coach.store.visibility import athlete_filter

if TYPE_CHECKING:
    pass

T = TypeVar("T")


class Store(StoreReads):
    """The session database for one viewer: `Store.open(url, viewer=...)`; `close()` or `with`."""

    def __init__(self, engine: Engine, viewer: Viewer) -> None:
        """Wrap an Engine whose schema is already checked; use `Store.open` instead."""
        self._engine = engine
        self._read_engine = engine.execution_options(**{READ_OPTION: True})
        self._viewer = viewer

    @property
    def viewer(self) -> Viewer:
        """Who this store reads and writes for."""
        return self._viewer

    def as_viewer(self, viewer: Viewer) -> Store:
        """The same database (same connection pool), read and written for `viewer`."""
        return Store(self._engine, viewer)

    @classmethod
    def open(cls, url: str, *, viewer: Viewer) -> Store:
        """Open (and on first use create) the database at a SQLAlchemy URL.

        Args:
            url: e.g. `Settings.resolved_database_url`: `sqlite:////abs/path/liftcoach.sqlite3`
                (its folder is created) or `postgresql+psycopg://user:pass@host/db`.
            viewer: who the store reads and writes for (`Viewer.operator()` for the CLI).

        Raises:
            StorageError: a bad URL, an unreachable server, a file that is not a database, or a
                database written by a newer LiftCoach.
        """
        engine = open_engine(url)
        try:
            ensure_schema(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, viewer)

    @property
    def url(self) -> str:
        """The database URL with any password hidden."""
        return redact(self._engine.url.render_as_string(hide_password=True))

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        self.close()

    @contextmanager
    def write(self, action: str) -> Iterator[OrmSession]:
        """One write transaction for the store's sibling modules (accounts, gold)."""
        with self._write(action) as orm:
            yield orm

    @contextmanager
    def read(self, action: str) -> Iterator[OrmSession]:
        """One read-only transaction for the store's sibling modules (accounts, gold)."""
        with self._read(action) as orm:
            yield orm

    @contextmanager
    def _write(self, action: str) -> Iterator[OrmSession]:
        """One write transaction, committed on leaving the block; failures -> StorageError."""
        with translate_errors(action), OrmSession(self._engine) as orm, orm.begin():
            yield orm

    @contextmanager
    def _read(self, action: str) -> Iterator[OrmSession]:
        with translate_errors(action), OrmSession(self._read_engine) as orm, orm.begin():
            yield orm

    def _retry_on_clash(self, attempt: Callable[[], T]) -> T:
        """Run `attempt` again once when a concurrent insert of the same unique key won."""
        try:
            return attempt()
        except StorageError as exc:
            if not isinstance(exc.__cause__, IntegrityError):
                raise
            return attempt()

    # -- writes ---------------------------------------------------------------------------

    def get_or_create_athlete(self, name: str) -> int:
        """Id of the athlete with this name (surrounding spaces ignored), created if new.

        Athletes may name only themselves, coaches only the athletes on their teams; only an
        admin (or the CLI operator) creates athletes by name.

        Raises:
            BadInput: an empty or over-long name (`check_athlete_name`).
            NotAllowed: the viewer may not save sessions for that athlete.
            StorageError: a failed write.
        """
        clean = check_athlete_name(name)

        def attempt() -> int:
            with self._write(f"save athlete {shown(clean)}") as orm:
                found = orm.scalar(select(AthleteRow.id).where(AthleteRow.name == clean))
                if not self._viewer.is_admin:
                    return self._own_athlete(orm, found, clean)
                if found is not None:
                    return found
                row = AthleteRow(name=clean, created_at=_now())
                orm.add(row)
                orm.flush()
                athlete_id = row.id
            return athlete_id

        return self._retry_on_clash(attempt)

    def start_session(
        self, athlete_id: int, kind: str, *, lift: str | None = None, backend: str | None = None,
        notes: str = "",
    ) -> int:  # fmt: skip
        """Open a session of `kind` ("photo", "video" or "live") starting now; returns its id.

        Raises:
            StorageError: an unknown kind or athlete, or a failed write.
        """
        if kind not in SESSION_KINDS:
            raise StorageError(f"unknown session kind {kind!r}; expected one of {SESSION_KINDS}")
        with self._write(f"start a {kind} session") as orm:
            self._require_athlete(orm, athlete_id)
            row = SessionRow(
                athlete_id=athlete_id, kind=kind, started_at=_now(), lift=lift,
                backend=backend, notes=notes,
            )  # fmt: skip
            orm.add(row)
            orm.flush()
            session_id = row.id
        return session_id

    def record_session(self, draft: SessionDraft) -> int:
        """Write a whole finished session (session, reps, frames, flags) in ONE transaction.

        A crash or a refused row part-way leaves nothing behind, so no half-saved session is
        ever listed. Used for photo batches and video clips; live streams write row by row.

        Raises:
            NotAllowed / StorageError: as `start_session`, `add_rep` and `add_frame`.
        """
        from coach.store.session_write import write_draft

        with self._write(f"save a {draft.kind} session") as orm:
            self._require_athlete(orm, draft.athlete_id)
            return write_draft(orm, draft, _now())

    def add_frame(
        self, session_id: int, *, index: int, t_s: float, keypoints: Keypoints | None,
        angles_deg: Mapping[str, float], lift: str | None = None, view: str | None = None,
        thumbnail_jpeg: bytes | None = None, flags: Sequence[Flag] = (),
    ) -> int:  # fmt: skip
        """Record one frame and its flags together (all or nothing); returns the frame id.

        Args:
            index: frame number within the session, unique per session.
            t_s: seconds since the start of the session (finite).
            keypoints: one frame (T=1) of keypoints, or None when nobody was found.
            angles_deg: angles by name in degrees; NaN is kept (as JSON null).
            thumbnail_jpeg: optional small JPEG (at most MAX_THUMBNAIL_BYTES).
            flags: faults on this frame; only joint, reason and confidence are read. A flag
                belongs to the rep whose [start_s, end_s] holds `t_s`, if one is recorded.

        Raises:
            StorageError: bad values, an unknown session, a repeated index, or a failed write.
        """
        require_finite(t_s=t_s)
        check_thumbnail(thumbnail_jpeg)
        points, angles = keypoints_to_json(keypoints), angles_to_json(angles_deg)
        with self._write(f"save frame {index} of session {session_id}") as orm:
            self._require_session(orm, session_id)
            row = FrameRow(
                session_id=session_id, frame_index=index, t_s=float(t_s), keypoints=points,
                angles_deg=angles, lift=lift, view=view, thumbnail_jpeg=thumbnail_jpeg,
            )  # fmt: skip
            orm.add(row)
            orm.flush()
            rep_id = orm.scalar(
                select(RepRow.id)
                .where(RepRow.session_id == session_id, RepRow.start_s <= t_s, RepRow.end_s >= t_s)
                .order_by(RepRow.rep_index)
                .limit(1)
            )
            orm.add_all(_flag_row(session_id, row.id, rep_id, flag) for flag in flags)
            frame_id = row.id
        return frame_id

    def add_rep(
        self, session_id: int, *, index: int, start_s: float, bottom_s: float, end_s: float,
        verdict: str = "",
    ) -> int:  # fmt: skip
        """Record one rep; flags on frames inside [start_s, end_s] with no rep join it.

        Raises:
            StorageError: non-finite or unordered times, an unknown session, a repeated index.
        """
        require_finite(start_s=start_s, bottom_s=bottom_s, end_s=end_s)
        if not start_s <= bottom_s <= end_s:
            raise StorageError(
                f"a rep needs start_s <= bottom_s <= end_s, got {start_s}, {bottom_s}, {end_s}"
            )
        with self._write(f"save rep {index} of session {session_id}") as orm:
            self._require_session(orm, session_id)
            row = RepRow(
                session_id=session_id, rep_index=index, start_s=start_s, bottom_s=bottom_s,
                end_s=end_s, verdict=verdict,
            )  # fmt: skip
            orm.add(row)
            orm.flush()
            inside = select(FrameRow.id).where(
                FrameRow.session_id == session_id, FrameRow.t_s.between(start_s, end_s)
            )
            orm.execute(
                update(FlagRow)
                .where(FlagRow.session_id == session_id, FlagRow.rep_id.is_(None))
                .where(FlagRow.frame_id.in_(inside))
                .values(rep_id=row.id)
            )
            rep_id = row.id
        return rep_id

    def end_session(
        self, session_id: int, *, lift: str | None = None, notes: str | None = None
    ) -> None:
        """Stamp the end time (the first call wins); optionally set the lift and notes.

        Raises:
            StorageError: an unknown session or a failed write.
        """
        with self._write(f"end session {session_id}") as orm:
            row = self._require_session(orm, session_id)
            if row.ended_at is None:
                row.ended_at = _now()
            if lift is not None:
                row.lift = lift
            if notes is not None:
                row.notes = notes

    def set_verdict(self, flag_id: int, *, accepted: bool, note: str = "") -> None:
        """Set (or replace) the coach's verdict on a flag.

        Raises:
            NotAllowed: the viewer is not a coach (or admin).
            StorageError: an unknown flag (or one the coach may not see) or a failed write.
        """
        self._viewer.require(Role.COACH, to="review flags")

        def attempt() -> None:
            with self._write(f"save the verdict on flag {flag_id}") as orm:
                flag = orm.get(FlagRow, flag_id)
                if flag is None or not self._may_see_session(orm, flag.session_id):
                    raise StorageError(f"no flag with id {flag_id}")
                row = orm.scalar(select(VerdictRow).where(VerdictRow.flag_id == flag_id))
                if row is None:
                    row = VerdictRow(flag_id=flag_id)
                    orm.add(row)
                row.accepted, row.note, row.decided_at = bool(accepted), note, _now()

        self._retry_on_clash(attempt)

    # -- what the viewer may touch -----------------------------------------------------------

    def _may_see_athlete(self, orm: OrmSession, athlete_id: int) -> bool:
        stmt = select(AthleteRow.id).where(AthleteRow.id == athlete_id)
        allowed = athlete_filter(self._viewer, AthleteRow.id)
        return orm.scalar(stmt if allowed is None else stmt.where(allowed)) is not None

    def _may_see_session(self, orm: OrmSession, session_id: int) -> bool:
        stmt = select(SessionRow.id).where(SessionRow.id == session_id)
        allowed = athlete_filter(self._viewer, SessionRow.athlete_id)
        return orm.scalar(stmt if allowed is None else stmt.where(allowed)) is not None

    def _require_athlete(self, orm: OrmSession, athlete_id: int) -> None:
        if not self._may_see_athlete(orm, athlete_id):
            raise StorageError(f"no athlete with id {athlete_id}")

    def _require_session(self, orm: OrmSession, session_id: int) -> SessionRow:
        row = orm.get(SessionRow, session_id)
        if row is None or not self._may_see_session(orm, session_id):
            raise StorageError(f"no session with id {session_id}")
        return row

    def _own_athlete(self, orm: OrmSession, found: int | None, name: str) -> int:
        """An athlete or coach naming an athlete: theirs to name, or NotAllowed."""
        if found is not None and self._may_see_athlete(orm, found):
            return found
        if self._viewer.is_athlete:
            raise NotAllowed(f"you can save sessions only under your own name, not {shown(name)}")
        raise NotAllowed(
            f"{shown(name)} is not an athlete on your team; invite them on the Accounts page"
        )



def _now() -> datetime:
    return datetime.now(UTC)










def _flag_row(session_id: int, frame_id: int, rep_id: int | None, flag: Flag) -> FlagRow:
    return FlagRow(
        session_id=session_id, frame_id=frame_id, rep_id=rep_id, joint=flag.joint,
        reason=flag.reason, confidence=finite_or_none(flag.confidence),
    )  # fmt: skip


