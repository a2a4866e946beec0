"""Accounts and teams (schema_version 2): users, teams, memberships, gold overrides, audit.

Existing sessions keep their athletes; an athlete row gets an owner when an account with the
same name is created (coach/store/accounts.py).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255)),
        sa.Column("oidc_subject", sa.String(200), unique=True),
        sa.Column("athlete_id", sa.Integer, sa.ForeignKey("athletes.id", ondelete="SET NULL"),
                  unique=True),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.CheckConstraint("role IN ('athlete', 'coach', 'admin')", name="ck_role"),
    )  # fmt: skip
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "memberships",
        sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  primary_key=True, index=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("added_at", TZ, nullable=False),
        sa.CheckConstraint("role IN ('athlete', 'coach')", name="ck_membership_role"),
    )  # fmt: skip
    op.create_table(
        "gold_overrides",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id", ondelete="CASCADE"),
                  index=True),
        sa.Column("lift", sa.String(64), nullable=False),
        sa.Column("view", sa.String(64), nullable=False),
        sa.Column("phase", sa.String(64), nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
        sa.Column("set_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("set_at", TZ, nullable=False),
        sa.Column("reverted_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("reverted_at", TZ),
    )  # fmt: skip
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", TZ, nullable=False, index=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("action", sa.String(64), nullable=False, index=True),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    version = sa.table("schema_version", sa.column("version", sa.Integer),
                       sa.column("applied_at", TZ))  # fmt: skip
    op.bulk_insert(version, [{"version": 2, "applied_at": datetime.now(UTC)}])


def downgrade() -> None:
    for table in ("audit", "gold_overrides", "memberships", "teams", "users"):
        op.drop_table(table)
    op.execute("DELETE FROM schema_version WHERE version = 2")
