"""Writing a finished session (`SessionDraft`) in one transaction: all of it or none of it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session as OrmSession

from coach.core.errors import StorageError
from coach.store.codec import angles_to_json, finite_or_none, keypoints_to_json
from coach.store.models import FlagRow, FrameRow, RepRow, SessionBarRow, SessionRow
from coach.store.records import SESSION_KINDS, FrameDraft, RepDraft, SessionDraft


def check_draft(draft: SessionDraft) -> None:
    """The checks `Store.add_frame` / `add_rep` make, before the transaction opens.

    Raises:
        StorageError: an unknown kind, non-finite times, unordered rep times, a bar
            document the Sessions page could not show.
    """
    import math

    from coach.store.checks import bar_document_problem, check_thumbnail

    if draft.kind not in SESSION_KINDS:
        raise StorageError(f"unknown session kind {draft.kind!r}; expected one of {SESSION_KINDS}")
    for f in draft.frames:
        if not math.isfinite(f.t_s):
            raise StorageError(f"t_s must be a finite number of seconds, got {f.t_s}")
        check_thumbnail(f.thumbnail_jpeg)
    for r in draft.reps:
        times = (r.start_s, r.bottom_s, r.end_s)
        if not all(math.isfinite(t) for t in times) or not r.start_s <= r.bottom_s <= r.end_s:
            raise StorageError(
                f"a rep needs finite start_s <= bottom_s <= end_s, got {times}"
            )
    problem = None if draft.bar is None else bar_document_problem(draft.bar)
    if problem is not None:
        raise StorageError(f"the session's bar cannot be saved: {problem}")


def write_draft(orm: OrmSession, draft: SessionDraft, now: datetime) -> int:
    """Insert the session, its reps, frames and flags on `orm`'s open transaction; its id."""
    check_draft(draft)
    session = SessionRow(
        athlete_id=draft.athlete_id, kind=draft.kind, started_at=now, ended_at=now,
        lift=draft.lift, backend=draft.backend, notes=draft.notes,
    )  # fmt: skip
    orm.add(session)
    orm.flush()
    rep_ids = _insert_reps(orm, session.id, draft.reps)
    frame_ids = _insert_frames(orm, session.id, draft.frames)
    flags = [
        {"session_id": session.id, "frame_id": frame_ids[f.index],
         "rep_id": _rep_of(draft.reps, rep_ids, f.t_s), "joint": flag.joint,
         "reason": flag.reason, "confidence": finite_or_none(flag.confidence)}
        for f in draft.frames for flag in f.flags
    ]  # fmt: skip
    if flags:
        orm.execute(insert(FlagRow), flags)
    if draft.bar is not None:
        orm.add(SessionBarRow(session_id=session.id, document=dict(draft.bar)))
    return session.id


def _insert_reps(orm: OrmSession, session_id: int, reps: tuple[RepDraft, ...]) -> list[int]:
    rows = [
        RepRow(session_id=session_id, rep_index=r.index, start_s=r.start_s,
               bottom_s=r.bottom_s, end_s=r.end_s, verdict=r.verdict)
        for r in reps
    ]  # fmt: skip
    orm.add_all(rows)
    orm.flush()
    return [r.id for r in rows]


def _insert_frames(
    orm: OrmSession, session_id: int, frames: tuple[FrameDraft, ...]
) -> dict[int, int]:
    rows = [
        FrameRow(session_id=session_id, frame_index=f.index, t_s=float(f.t_s),
                 keypoints=keypoints_to_json(f.keypoints), angles_deg=angles_to_json(f.angles_deg),
                 lift=f.lift, view=f.view, thumbnail_jpeg=f.thumbnail_jpeg)
        for f in frames
    ]  # fmt: skip
    orm.add_all(rows)
    orm.flush()
    return {row.frame_index: row.id for row in rows}


def _rep_of(reps: tuple[RepDraft, ...], rep_ids: list[int], t_s: float) -> int | None:
    """The first rep (by index) whose [start_s, end_s] holds t_s, as `Store.add_frame` picks."""
    holding = [(r.index, i) for i, r in enumerate(reps) if r.start_s <= t_s <= r.end_s]
    return rep_ids[min(holding)[1]] if holding else None
