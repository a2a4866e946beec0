"""The bar's path and per-rep speeds of a video session (schema_version 3).

One row per session that has a bar: the `coach.bar.export.bar_to_json` document and the chart
series the Sessions page draws, written in the same transaction as the session.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session_bars",
        sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("document", sa.JSON, nullable=False),
    )  # fmt: skip
    version = sa.table("schema_version", sa.column("version", sa.Integer),
                       sa.column("applied_at", sa.DateTime(timezone=True)))  # fmt: skip
    op.bulk_insert(version, [{"version": 3, "applied_at": datetime.now(UTC)}])


def downgrade() -> None:
    op.drop_table("session_bars")
    op.execute("DELETE FROM schema_version WHERE version = 3")
