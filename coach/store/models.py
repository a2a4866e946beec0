"""SQLAlchemy 2 tables of the session store (typed declarative models).

Bump `SCHEMA_VERSION` whenever a table or column changes and add an Alembic revision under
alembic/versions/ that also records the new version in `schema_version`: a database stamped
with a newer version than the code's is refused, so an old LiftCoach never writes rows a newer
one cannot read. Version 1 is the first release's schema (no accounts); 2 adds users, teams,
memberships, gold overrides and the audit log.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, deferred, mapped_column
from sqlalchemy.types import TypeDecorator

SCHEMA_VERSION = 3
NAME_LEN = 200
LABEL_LEN = 64


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite has no time zones: store naive UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Naive values are taken as UTC; aware ones are converted to UTC."""
        if value is None:
            return None
        aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return aware.replace(tzinfo=None) if dialect.name == "sqlite" else aware

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Always hand back an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of every LiftCoach table."""


class SchemaVersionRow(Base):
    """One row per schema version applied to this database; the highest is the current one."""

    __tablename__ = "schema_version"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AthleteRow(Base):
    """A lifter, known by a unique display name."""

    __tablename__ = "athletes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LEN), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SessionRow(Base):
    """One photo, one video or one live stream of one athlete."""

    __tablename__ = "sessions"
    __table_args__ = (CheckConstraint("kind IN ('photo', 'video', 'live')", name="ck_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(
        ForeignKey("athletes.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lift: Mapped[str | None] = mapped_column(String(LABEL_LEN))
    backend: Mapped[str | None] = mapped_column(String(LABEL_LEN))
    notes: Mapped[str] = mapped_column(Text, default="")


class FrameRow(Base):
    """One analysed frame; keypoints and angles are JSON with null for missing values."""

    __tablename__ = "frames"
    __table_args__ = (UniqueConstraint("session_id", "frame_index", name="uq_frame_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    frame_index: Mapped[int] = mapped_column(Integer)
    t_s: Mapped[float] = mapped_column(Float)
    # 17 [x_px, y_px, score] or null, in COCO order (Keypoints.to_list); SQL NULL: nobody found.
    keypoints: Mapped[list[Any] | None] = mapped_column(JSON(none_as_null=True))
    angles_deg: Mapped[dict[str, Any]] = mapped_column(JSON)
    lift: Mapped[str | None] = mapped_column(String(LABEL_LEN))
    view: Mapped[str | None] = mapped_column(String(LABEL_LEN))
    # Small JPEG kept in the database so that PostgreSQL deployments on several hosts share it.
    thumbnail_jpeg: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))


class RepRow(Base):
    """One repetition, in seconds from the start of the session."""

    __tablename__ = "reps"
    __table_args__ = (UniqueConstraint("session_id", "rep_index", name="uq_rep_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    rep_index: Mapped[int] = mapped_column(Integer)
    start_s: Mapped[float] = mapped_column(Float)
    bottom_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    verdict: Mapped[str] = mapped_column(Text, default="")


class FlagRow(Base):
    """A form fault on one joint of one frame; `rep_id` is the rep whose time span holds it."""

    __tablename__ = "flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    frame_id: Mapped[int] = mapped_column(ForeignKey("frames.id", ondelete="CASCADE"), index=True)
    rep_id: Mapped[int | None] = mapped_column(ForeignKey("reps.id", ondelete="SET NULL"))
    joint: Mapped[str] = mapped_column(String(LABEL_LEN))
    reason: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float | None] = mapped_column(Float)


class VerdictRow(Base):
    """The coach's current verdict on a flag: at most one per flag, updated in place."""

    __tablename__ = "flag_verdicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(
        ForeignKey("flags.id", ondelete="CASCADE"), unique=True
    )
    accepted: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UserRow(Base):
    """An account: built-in (password hash) or from an identity provider (oidc_subject)."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('athlete', 'coach', 'admin')", name="ck_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(LABEL_LEN), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    oidc_subject: Mapped[str | None] = mapped_column(String(NAME_LEN), unique=True)
    # The athlete row that holds this person's own sessions (athletes always have one).
    athlete_id: Mapped[int | None] = mapped_column(
        ForeignKey("athletes.id", ondelete="SET NULL"), unique=True
    )
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TeamRow(Base):
    """A coach's team; athletes may belong to several teams."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LEN), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MembershipRow(Base):
    """One person on one team, as its coach or as one of its athletes."""

    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint("role IN ('athlete', 'coach')", name="ck_membership_role"),
    )

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SessionBarRow(Base):
    """A video session's bar: path and per-rep speeds (`coach.bar.export.bar_to_json`) and the
    chart series the Sessions page draws (`bar_chart_inputs`), as one JSON document."""

    __tablename__ = "session_bars"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    document: Mapped[dict[str, Any]] = mapped_column(JSON)


class GoldOverrideRow(Base):
    """A team's replacement gold pose for one lift x view x phase; the newest unreverted wins."""

    __tablename__ = "gold_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), index=True
    )
    lift: Mapped[str] = mapped_column(String(LABEL_LEN))
    view: Mapped[str] = mapped_column(String(LABEL_LEN))
    phase: Mapped[str] = mapped_column(String(LABEL_LEN))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)  # one-annotation COCO gold doc
    set_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reverted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reverted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditRow(Base):
    """Who did what to accounts, teams, gold and verdicts, and failed sign-ins."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(LABEL_LEN), index=True)
    target: Mapped[str] = mapped_column(String(NAME_LEN), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
