"""The first release's schema (schema_version 1): athletes, sessions, frames, reps, flags.

A database made by that release has these tables but no alembic_version; LiftCoach stamps it
with this revision and upgrades from here (coach/store/engine.py).

Revision ID: 0001
Revises:
Create Date: 2026-11-20
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    version = op.create_table(
        "schema_version",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("applied_at", TZ),
    )
    op.create_table(
        "athletes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), unique=True, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("athlete_id", sa.Integer, sa.ForeignKey("athletes.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("started_at", TZ, nullable=False, index=True),
        sa.Column("ended_at", TZ),
        sa.Column("lift", sa.String(64)),
        sa.Column("backend", sa.String(64)),
        sa.Column("notes", sa.Text, nullable=False),
        sa.CheckConstraint("kind IN ('photo', 'video', 'live')", name="ck_kind"),
    )  # fmt: skip
    op.create_table(
        "frames",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("frame_index", sa.Integer, nullable=False),
        sa.Column("t_s", sa.Float, nullable=False),
        sa.Column("keypoints", sa.JSON(none_as_null=True)),
        sa.Column("angles_deg", sa.JSON, nullable=False),
        sa.Column("lift", sa.String(64)),
        sa.Column("view", sa.String(64)),
        sa.Column("thumbnail_jpeg", sa.LargeBinary),
        sa.UniqueConstraint("session_id", "frame_index", name="uq_frame_index"),
    )  # fmt: skip
    op.create_table(
        "reps",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("rep_index", sa.Integer, nullable=False),
        sa.Column("start_s", sa.Float, nullable=False),
        sa.Column("bottom_s", sa.Float, nullable=False),
        sa.Column("end_s", sa.Float, nullable=False),
        sa.Column("verdict", sa.Text, nullable=False),
        sa.UniqueConstraint("session_id", "rep_index", name="uq_rep_index"),
    )  # fmt: skip
    op.create_table(
        "flags",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("frame_id", sa.Integer, sa.ForeignKey("frames.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("rep_id", sa.Integer, sa.ForeignKey("reps.id", ondelete="SET NULL")),
        sa.Column("joint", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("confidence", sa.Float),
    )  # fmt: skip
    op.create_table(
        "flag_verdicts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("flag_id", sa.Integer, sa.ForeignKey("flags.id", ondelete="CASCADE"),
                  nullable=False, unique=True),
        sa.Column("accepted", sa.Boolean, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("decided_at", TZ, nullable=False),
    )  # fmt: skip
    op.bulk_insert(version, [{"version": 1, "applied_at": datetime.now(UTC)}])


def downgrade() -> None:
    for table in ("flag_verdicts", "flags", "reps", "frames", "sessions", "athletes",
                  "schema_version"):  # fmt: skip
        op.drop_table(table)
