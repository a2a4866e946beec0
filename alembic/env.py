"""Alembic environment: migrate the connection LiftCoach hands over, or DATABASE_URL by hand."""

from __future__ import annotations

from alembic import context
from coach.store.models import Base

config = context.config


def _run(connection: object) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=True)  # fmt: skip
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # `alembic upgrade head` from a shell: the same settings the app reads
    from coach.core.settings import load_settings
    from coach.store.engine import open_engine

    engine = open_engine(load_settings().resolved_database_url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()
