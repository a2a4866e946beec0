"""A PostgreSQL server for the tests that need one (store, browser): LIFTCOACH_TEST_DATABASE_URL
(a throwaway database), else a throwaway cluster started from Debian's
/usr/lib/postgresql/*/bin on a unix socket in a temporary folder (as root, the server runs as
the `postgres` user). One per test session: tests/conftest.py makes `postgres_url` visible to
every test folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.skips import skip_or_fail


def _pg_bindir() -> Path | None:
    """Newest Debian PostgreSQL server binaries, e.g. /usr/lib/postgresql/15/bin."""
    found = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    found.sort(key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    return found[-1] if found else None


def _as_server_user(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as `postgres` when we are root."""
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


def _run(cmd: list[str], what: str, log: Path | None = None) -> None:
    done = subprocess.run(_as_server_user(cmd), capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        detail = log.read_text() if log is not None and log.exists() else ""
        pytest.fail(f"{what} failed ({done.returncode}): {done.stdout}{done.stderr}{detail}")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL for the whole test session; skips when no server can be had."""
    if os.environ.get("LIFTCOACH_TEST_DATABASE_URL"):
        yield os.environ["LIFTCOACH_TEST_DATABASE_URL"]
        return
    bindir = _pg_bindir()
    if bindir is None:
        skip_or_fail(
            "PostgreSQL server not installed (no /usr/lib/postgresql/*/bin/initdb): "
            "apt-get install postgresql, or set LIFTCOACH_TEST_DATABASE_URL"
        )
    if os.geteuid() == 0 and (shutil.which("runuser") is None or _no_postgres_user()):
        skip_or_fail("running as root needs `runuser` and a `postgres` user to start PostgreSQL")
    # A short folder: unix socket paths are limited to about 107 bytes.
    root = Path(tempfile.mkdtemp(prefix="lcpg-", dir="/tmp" if Path("/tmp").is_dir() else None))
    try:
        yield _start_cluster(bindir, root)
    finally:
        subprocess.run(
            _as_server_user([str(bindir / "pg_ctl"), "-D", str(root / "data"), "-m", "immediate",
                             "-w", "stop"]),
            capture_output=True, timeout=60, check=False,
        )  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


def _no_postgres_user() -> bool:
    import pwd

    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return True
    return False


def _start_cluster(bindir: Path, root: Path) -> str:
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    root.chmod(0o755)  # the socket must be reachable by the (root) test process
    data, log = root / "data", root / "server.log"
    _run([str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
          "-E", "UTF8", "--no-sync"], "initdb")  # fmt: skip
    options = f"-k {root} -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
    _run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w",
          "-t", "60", "start"], "pg_ctl start", log)  # fmt: skip
    return f"postgresql+psycopg://postgres@/postgres?host={root}"


def fresh_database(server_url: str, name: str) -> str:
    """An empty database `name` on the test server (dropped first if it exists); its URL."""
    from sqlalchemy import create_engine, make_url, text

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)
