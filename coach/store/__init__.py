"""Session storage: athletes, sessions, frames, reps, flags and coach verdicts (SQLAlchemy 2).

SQLite under LIFTCOACH_DATA by default, PostgreSQL through DATABASE_URL:

    store = Store.open(settings.resolved_database_url)
    athlete_id = store.get_or_create_athlete("Ada")
    session_id = store.start_session(athlete_id, "live", lift="squat", backend="mediapipe")
    store.add_frame(session_id, index=0, t_s=0.0, keypoints=kp, angles_deg={"left_knee": 92.0})
    store.end_session(session_id)

Everything raised on purpose is a `coach.errors.StorageError`.
"""

from __future__ import annotations

from coach.store.export import BASE_COLUMNS, FLAG_COLUMNS, KEYPOINT_COLUMNS, angle_column
from coach.store.models import SCHEMA_VERSION
from coach.store.records import (
    SESSION_KINDS,
    FlagRecord,
    FrameRecord,
    RepRecord,
    SessionDetail,
    SessionKind,
    SessionSummary,
    VerdictRecord,
)
from coach.store.rep_export import REP_COLUMNS
from coach.store.store import MAX_THUMBNAIL_BYTES, Store

__all__ = [
    "BASE_COLUMNS",
    "FLAG_COLUMNS",
    "KEYPOINT_COLUMNS",
    "MAX_THUMBNAIL_BYTES",
    "REP_COLUMNS",
    "SCHEMA_VERSION",
    "SESSION_KINDS",
    "FlagRecord",
    "FrameRecord",
    "RepRecord",
    "SessionDetail",
    "SessionKind",
    "SessionSummary",
    "Store",
    "VerdictRecord",
    "angle_column",
]
