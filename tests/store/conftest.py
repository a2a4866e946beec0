"""Databases for the store tests: SQLite in tmp_path, and PostgreSQL when available
(`postgres_url`, tests/postgres_server.py; every test drops LiftCoach's tables in it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.store.engine import open_engine
from coach.store.models import Base


def _drop_liftcoach_tables(url: str) -> None:
    engine = open_engine(url)
    try:
        Base.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    finally:
        engine.dispose()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty LiftCoach database: SQLite in tmp_path, or the PostgreSQL one emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'liftcoach.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    _drop_liftcoach_tables(url)
    return url


