"""Opening the session database: URL checks, SQLite pragmas, the versioned schema, and errors.

SQLite gets WAL journaling and a busy timeout on every connection, and each write transaction
starts with `BEGIN IMMEDIATE`, so two browser sessions writing at once queue for the write lock
instead of failing half-way ("database is locked") or corrupting the file. Reads start a plain
deferred `BEGIN` and so never wait for a writer (WAL gives them a snapshot). The schema is made
and upgraded by the Alembic revisions in alembic/versions (`ensure_schema`).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError, SQLAlchemyError

from coach.core.errors import StorageError
from coach.store.models import SCHEMA_VERSION, SchemaVersionRow

log = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 30.0
CONNECT_TIMEOUT_S = 10
READ_OPTION = "liftcoach_read"  # execution option: this transaction only reads
_PG_SCHEMA_LOCK = 0x4C696674  # advisory lock key ("Lift") held while creating tables
ALEMBIC_DIR = Path(__file__).resolve().parents[2] / "alembic"
# schema_version -> the Alembic revision that made it, for databases older than Alembic here.
_FIRST_RELEASE_REVISIONS = {1: "0001", 2: "0002"}
_URL_EXAMPLE = "sqlite:///data/liftcoach.sqlite3 or postgresql+psycopg://user:pass@host/db"


def redact(url: str) -> str:
    """The URL with any password replaced by ***, for messages and logs."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def open_engine(url: str) -> Engine:
    """Create an Engine for `url`, creating a SQLite file's parent folder.

    Raises:
        StorageError: the URL cannot be parsed, names an unknown database or driver, or the
            SQLite folder cannot be created.
    """
    try:
        parsed = _normalise(make_url(url))
    except ArgumentError:
        raise StorageError(
            f"bad database URL {redact(url)!r}: expected something like {_URL_EXAMPLE}"
        ) from None
    is_sqlite = parsed.get_backend_name() == "sqlite"
    if is_sqlite:
        _make_parent_dir(parsed)
    kwargs: dict[str, Any] = {"json_serializer": partial(json.dumps, allow_nan=False)}
    if not is_sqlite:
        # UTF-8 asked for explicitly: on a cluster created as SQL_ASCII (initdb without a
        # locale) psycopg would otherwise hand back bytes, which SQLAlchemy cannot read.
        kwargs.update(pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT_S,
                                                        "client_encoding": "utf8"})
    try:
        engine = create_engine(parsed, **kwargs)
    except (ArgumentError, NoSuchModuleError, ImportError, TypeError) as exc:
        raise StorageError(
            f"cannot use database URL {redact(url)!r} ({exc}); expected something like "
            f"{_URL_EXAMPLE}"
        ) from None
    if is_sqlite:
        _install_sqlite_listeners(engine)
    return engine


def _normalise(url: URL) -> URL:
    """Route plain `postgresql://` and `postgres://` URLs to psycopg 3, the driver we ship."""
    if url.drivername in {"postgres", "postgresql"}:
        return url.set(drivername="postgresql+psycopg")
    return url


def _make_parent_dir(url: URL) -> None:
    database = url.database or ""
    if database in {"", ":memory:"} or database.startswith("file:"):
        return
    parent = Path(database).expanduser().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot create the data folder {parent}: {exc.strerror}") from None


def _install_sqlite_listeners(engine: Engine) -> None:
    """WAL + busy timeout + foreign keys per connection; BEGIN IMMEDIATE for writes."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module so that `_on_begin` decides.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")  # durable across app crashes in WAL
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        read_only = conn.get_execution_options().get(READ_OPTION, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


@contextmanager
def translate_errors(action: str) -> Iterator[None]:
    """Re-raise database failures inside the block as StorageError("could not <action>: ...")."""
    try:
        yield
    except StorageError:
        raise
    except IntegrityError as exc:
        reason = _first_line(exc.orig)
        raise StorageError(f"could not {action}: it clashes with stored data ({reason})") from exc
    except SQLAlchemyError as exc:
        reason = _first_line(getattr(exc, "orig", None) or exc)
        if "locked" in reason or "busy" in reason:
            reason += f" (other writers kept it busy for over {BUSY_TIMEOUT_S:.0f} s)"
        raise StorageError(f"could not {action}: {reason}") from exc


def _first_line(exc: object) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def ensure_schema(engine: Engine) -> int:
    """Create or upgrade the schema with Alembic, in place, under one lock and one transaction.

    An empty database gets every revision; a first-release database (schema_version 1, no
    alembic_version table) is stamped as revision 0001 and upgraded; a database already at the
    head is left alone.

    Returns:
        The schema version of the database (== SCHEMA_VERSION).

    Raises:
        StorageError: the server is unreachable, the file is not a database, or the database
            was written by a newer LiftCoach.
    """
    where = redact(engine.url.render_as_string(hide_password=True))
    with translate_errors(f"open the session database {where}"), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_SCHEMA_LOCK})
        found = _stored_version(conn)
        if found is not None and found > SCHEMA_VERSION:
            raise StorageError(
                f"this database was written by a newer LiftCoach (schema {found}); upgrade "
                f"LiftCoach (this one understands schema {SCHEMA_VERSION})"
            )
        _migrate(conn, found)
        now = _stored_version(conn)
    if now != SCHEMA_VERSION:
        raise StorageError(f"database schema {now} is not {SCHEMA_VERSION} after migrating")
    return SCHEMA_VERSION


def _migrate(conn: Connection, found: int | None) -> None:
    """Bring the database to Alembic's head revision on this connection's transaction."""
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from alembic import command

    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    config.attributes["connection"] = conn
    scripts = ScriptDirectory.from_config(config)
    current = MigrationContext.configure(conn).get_current_revision()
    if current is None and found is not None:
        # Made by the first release, which wrote schema_version but had no Alembic.
        command.stamp(config, _FIRST_RELEASE_REVISIONS[found])
        current = _FIRST_RELEASE_REVISIONS[found]
    if current is not None and current not in {s.revision for s in scripts.walk_revisions()}:
        raise StorageError(
            f"this database was migrated by a newer LiftCoach (revision {current}); upgrade "
            "LiftCoach"
        )
    if current != scripts.get_current_head():
        log.info("migrating the session database from %s to %s", current or "empty",
                 scripts.get_current_head())  # fmt: skip
        command.upgrade(config, "head")


def _stored_version(conn: Connection) -> int | None:
    if not inspect(conn).has_table(SchemaVersionRow.__tablename__):
        return None
    version = conn.scalar(select(func.max(SchemaVersionRow.version)))
    return None if version is None else int(version)
