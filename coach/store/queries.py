"""Read queries of the session store: ORM rows in, frozen records out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from coach.auth.viewer import Viewer
from coach.core.errors import StorageError
from coach.core.flags import Flag, Verdict
from coach.store.codec import angles_from_json, keypoints_from_json, nan_if_none
from coach.store.models import (
    AthleteRow,
    FlagRow,
    FrameRow,
    RepRow,
    SessionBarRow,
    SessionRow,
    VerdictRow,
)
from coach.store.records import FrameRecord, RepRecord, SessionDetail, SessionKind, SessionSummary
from coach.store.visibility import athlete_filter


def session_summaries(
    orm: OrmSession, viewer: Viewer, *, athlete: str | None, since: datetime | None,
    until: datetime | None,
) -> list[SessionSummary]:  # fmt: skip
    """Sessions `viewer` may see, newest first, by exact athlete name and [since, until)."""
    frame_count = (
        select(func.count(FrameRow.id)).where(FrameRow.session_id == SessionRow.id)
    ).scalar_subquery()
    flag_count = (
        select(func.count(FlagRow.id)).where(FlagRow.session_id == SessionRow.id)
    ).scalar_subquery()
    stmt = (
        select(SessionRow, AthleteRow.name, frame_count, flag_count)
        .join(AthleteRow, AthleteRow.id == SessionRow.athlete_id)
        .order_by(SessionRow.started_at.desc(), SessionRow.id.desc())
    )
    allowed = athlete_filter(viewer, SessionRow.athlete_id)
    if allowed is not None:
        stmt = stmt.where(allowed)
    if athlete is not None:
        stmt = stmt.where(AthleteRow.name == athlete.strip())
    if since is not None:
        stmt = stmt.where(SessionRow.started_at >= since)
    if until is not None:
        stmt = stmt.where(SessionRow.started_at < until)
    return [
        SessionSummary(
            id=row.id,
            athlete=name,
            kind=cast(SessionKind, row.kind),
            started_at=row.started_at,
            ended_at=row.ended_at,
            lift=row.lift,
            backend=row.backend,
            frame_count=int(frames),
            flag_count=int(flags),
        )
        for row, name, frames, flags in orm.execute(stmt).tuples()
    ]


def session_detail(orm: OrmSession, viewer: Viewer, session_id: int) -> SessionDetail:
    """Everything recorded for one session `viewer` may see.

    Raises:
        StorageError: there is no session with that id that `viewer` may see (the same message
            either way, so ids of other people's sessions cannot be probed).
    """
    stmt = (
        select(SessionRow, AthleteRow.name)
        .join(AthleteRow, AthleteRow.id == SessionRow.athlete_id)
        .where(SessionRow.id == session_id)
    )
    allowed = athlete_filter(viewer, SessionRow.athlete_id)
    found = orm.execute(stmt if allowed is None else stmt.where(allowed)).one_or_none()
    if found is None:
        raise StorageError(f"no session with id {session_id}")
    row, athlete = found.tuple()
    reps = _reps(orm, session_id)
    return SessionDetail(
        id=row.id,
        athlete_id=row.athlete_id,
        athlete=athlete,
        kind=cast(SessionKind, row.kind),
        started_at=row.started_at,
        ended_at=row.ended_at,
        lift=row.lift,
        backend=row.backend,
        notes=row.notes,
        frames=_frames(orm, session_id, {rep.id: rep.index for rep in reps}),
        reps=reps,
        bar=orm.scalar(select(SessionBarRow.document).where(
            SessionBarRow.session_id == session_id)),
    )


def _reps(orm: OrmSession, session_id: int) -> tuple[RepRecord, ...]:
    rows = orm.scalars(
        select(RepRow).where(RepRow.session_id == session_id).order_by(RepRow.rep_index)
    )
    return tuple(
        RepRecord(r.id, r.rep_index, r.start_s, r.bottom_s, r.end_s, r.verdict) for r in rows
    )


def _frames(
    orm: OrmSession, session_id: int, rep_index_by_id: dict[int, int]
) -> tuple[FrameRecord, ...]:
    rows = orm.execute(
        select(FrameRow, FrameRow.thumbnail_jpeg.is_not(None))
        .where(FrameRow.session_id == session_id)
        .order_by(FrameRow.frame_index)
    ).tuples()
    frames = [(row, bool(has_thumb)) for row, has_thumb in rows]
    index_by_id = {row.id: row.frame_index for row, _ in frames}
    flags = _flags_by_frame(orm, session_id, index_by_id, rep_index_by_id)
    return tuple(
        FrameRecord(
            id=row.id,
            index=row.frame_index,
            t_s=row.t_s,
            keypoints=keypoints_from_json(row.keypoints),
            angles_deg=angles_from_json(row.angles_deg),
            lift=row.lift,
            view=row.view,
            has_thumbnail=has_thumb,
            flags=tuple(flags.get(row.id, ())),
        )
        for row, has_thumb in frames
    )


def _flags_by_frame(
    orm: OrmSession, session_id: int, index_by_id: dict[int, int], rep_index_by_id: dict[int, int]
) -> Mapping[int, Sequence[Flag]]:
    rows = orm.execute(
        select(FlagRow, VerdictRow)
        .outerjoin(VerdictRow, VerdictRow.flag_id == FlagRow.id)
        .where(FlagRow.session_id == session_id)
        .order_by(FlagRow.id)
    ).tuples()
    out: dict[int, list[Flag]] = defaultdict(list)
    for flag, verdict in rows:
        out[flag.frame_id].append(
            Flag(
                joint=flag.joint,
                reason=flag.reason,
                confidence=nan_if_none(flag.confidence),
                id=flag.id,
                frame_index=index_by_id.get(flag.frame_id),
                rep_index=None if flag.rep_id is None else rep_index_by_id.get(flag.rep_id),
                verdict=None
                if verdict is None
                else Verdict(verdict.accepted, verdict.note, verdict.decided_at),
            )
        )
    return out


def athlete_names(orm: OrmSession, viewer: Viewer) -> list[tuple[int, str]]:
    """(id, name) of every athlete `viewer` may see, by name."""
    stmt = select(AthleteRow.id, AthleteRow.name).order_by(AthleteRow.name)
    allowed = athlete_filter(viewer, AthleteRow.id)
    return [(i, n) for i, n in orm.execute(stmt if allowed is None else stmt.where(allowed))]
