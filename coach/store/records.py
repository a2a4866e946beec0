"""Frozen result types of the session store: what pages render and exports serialise.

Conventions:
- Times of day are timezone-aware UTC `datetime`s; offsets into a clip are seconds (`_s`).
- A missing number (an angle, a confidence) is NaN in these records; the database holds it as
  NULL / JSON null, so NaN written is NaN read back.
- `id` fields are the database's own row ids; `index` fields count frames or reps within one
  session from 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from coach.core.flags import Flag
from coach.core.keypoints import Keypoints

SessionKind = Literal["photo", "video", "live"]
SESSION_KINDS: tuple[SessionKind, ...] = ("photo", "video", "live")






@dataclass(frozen=True)
class RepRecord:
    """One repetition: start, deepest point and end as seconds into the session."""

    id: int
    index: int
    start_s: float
    bottom_s: float
    end_s: float
    verdict: str


@dataclass(frozen=True)
class FrameRecord:
    """One analysed frame.

    Attributes:
        keypoints: one frame (T=1) of COCO-17 keypoints in pixels, or None when nobody was found.
        angles_deg: joint angles in degrees by name; NaN where an angle could not be measured.
        has_thumbnail: whether `Store.thumbnail(id)` returns JPEG bytes for this frame.
        flags: flags raised on this frame, each with its current verdict.
    """

    id: int
    index: int
    t_s: float
    keypoints: Keypoints | None
    angles_deg: Mapping[str, float]
    lift: str | None
    view: str | None
    has_thumbnail: bool
    flags: tuple[Flag, ...] = ()


@dataclass(frozen=True)
class SessionSummary:
    """One line of the sessions list."""

    id: int
    athlete: str
    kind: SessionKind
    started_at: datetime
    ended_at: datetime | None
    lift: str | None
    backend: str | None
    frame_count: int
    flag_count: int

    @property
    def date(self) -> date:
        """The UTC calendar day the session started."""
        return self.started_at.date()


@dataclass(frozen=True)
class SessionDetail:
    """A whole session: frames in index order (flags inside them), and reps in index order."""

    id: int
    athlete_id: int
    athlete: str
    kind: SessionKind
    started_at: datetime
    ended_at: datetime | None
    lift: str | None
    backend: str | None
    notes: str
    frames: tuple[FrameRecord, ...] = ()
    reps: tuple[RepRecord, ...] = field(default=())
    bar: Mapping[str, Any] | None = None  # {"bar": bar_to_json, "chart": bar_chart_inputs}

    @property
    def flags(self) -> tuple[Flag, ...]:
        """Every flag of the session, in frame order."""
        return tuple(flag for frame in self.frames for flag in frame.flags)


@dataclass(frozen=True)
class FrameDraft:
    """One frame to write with `Store.record_session` (same meaning as `Store.add_frame`)."""

    index: int
    t_s: float
    keypoints: Keypoints | None
    angles_deg: Mapping[str, float]
    lift: str | None = None
    view: str | None = None
    thumbnail_jpeg: bytes | None = None
    flags: tuple[Flag, ...] = ()


@dataclass(frozen=True)
class RepDraft:
    """One rep to write with `Store.record_session` (same meaning as `Store.add_rep`)."""

    index: int
    start_s: float
    bottom_s: float
    end_s: float
    verdict: str = ""


@dataclass(frozen=True)
class SessionDraft:
    """A finished session, written whole by `Store.record_session` in one transaction."""

    athlete_id: int
    kind: SessionKind
    lift: str | None = None
    backend: str | None = None
    notes: str = ""
    frames: tuple[FrameDraft, ...] = ()
    reps: tuple[RepDraft, ...] = ()
    bar: Mapping[str, Any] | None = None  # see `SessionDetail.bar`
