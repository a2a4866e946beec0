"""Alembic migrations: an empty database, and a database the first release wrote, upgrade in
place on SQLite and PostgreSQL; the whole-session write is all or nothing."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from dataclasses import replace
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from coach.auth.viewer import Viewer
from coach.core.errors import StorageError
from coach.core.flags import Flag
from coach.store.accounts import Accounts
from coach.store.engine import open_engine
from coach.store.models import SCHEMA_VERSION
from coach.store.records import FrameDraft, RepDraft, SessionDraft
from coach.store.store import Store

REPO = Path(__file__).resolve().parents[2]
# The last commit before accounts: its coach/ package writes a schema-1 database.
FIRST_RELEASE = "cc4c766"
OLD_WRITER = """
import sys
from coach.store.store import Store
with Store.open(sys.argv[1]) as store:
    sid = store.start_session(store.get_or_create_athlete("Ada"), "video", lift="squat")
    store.add_rep(sid, index=0, start_s=0.0, bottom_s=0.5, end_s=1.0)
    store.add_frame(sid, index=0, t_s=0.5, keypoints=None, angles_deg={"left_knee": 90.0})
    store.end_session(sid)
    print(sid)
"""


def _first_release(tmp_path: Path) -> Path:
    """The first release's coach/ package, unpacked from git."""
    try:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", FIRST_RELEASE, "coach"],
                                 capture_output=True, check=True, timeout=60).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip(f"git history with {FIRST_RELEASE} is not available here")
    root = tmp_path / "release1"
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(root, filter="data")
    return root


def test_a_first_release_database_upgrades_in_place(db_url: str, tmp_path: Path) -> None:
    old = _first_release(tmp_path)
    made = subprocess.run([sys.executable, "-c", OLD_WRITER, db_url], cwd=old,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert made.returncode == 0, made.stderr
    sid = int(made.stdout)
    with Store.open(db_url, viewer=Viewer.operator()) as store:
        detail = store.load_session(sid)
        assert detail.athlete == "Ada" and len(detail.frames) == 1 and len(detail.reps) == 1
        Accounts(store).create_first_admin("root", "a long passphrase")
        Accounts(store).create_user("ada", "a long passphrase", "athlete")
        ada = Accounts(store).authenticate("ada", "a long passphrase")
        assert ada is not None and [s.id for s in store.as_viewer(ada).list_sessions()] == [sid]
    engine = open_engine(db_url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            assert {"users", "teams", "memberships", "gold_overrides", "audit"} <= tables
            assert conn.scalar(text("SELECT version_num FROM alembic_version")) == "0003"
            assert conn.scalar(text("SELECT max(version) FROM schema_version")) == SCHEMA_VERSION
    finally:
        engine.dispose()
    Store.open(db_url, viewer=Viewer.operator()).close()  # opening again changes nothing


def test_the_first_release_refuses_the_upgraded_database(db_url: str, tmp_path: Path) -> None:
    old = _first_release(tmp_path)
    Store.open(db_url, viewer=Viewer.operator()).close()
    done = subprocess.run([sys.executable, "-c", OLD_WRITER, db_url], cwd=old,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode != 0 and f"newer LiftCoach (schema {SCHEMA_VERSION})" in done.stderr


def test_an_unknown_revision_is_refused(db_url: str) -> None:
    Store.open(db_url, viewer=Viewer.operator()).close()
    engine = open_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StorageError, match="newer LiftCoach"):
        Store.open(db_url, viewer=Viewer.operator())


def _draft(athlete_id: int, bad_last: bool = False) -> SessionDraft:
    frames = tuple(
        FrameDraft(i, i / 10, None, {"left_knee": 90.0 + i},
                   flags=(Flag("left_knee", "caves in", 0.8),) if i == 5 else ())
        for i in range(20)
    )  # fmt: skip
    if bad_last:  # a repeated index makes the last insert fail inside the transaction
        frames = (*frames, FrameDraft(3, 9.9, None, {}))
    reps = (RepDraft(0, 0.0, 0.4, 0.9, "good"), RepDraft(1, 1.0, 1.4, 1.9, ""))
    return SessionDraft(athlete_id, "video", lift="squat", frames=frames, reps=reps)


def test_a_session_is_written_whole_or_not_at_all(db_url: str) -> None:
    with Store.open(db_url, viewer=Viewer.operator()) as store:
        ada = store.get_or_create_athlete("Ada")
        sid = store.record_session(_draft(ada))
        detail = store.load_session(sid)
        assert len(detail.frames) == 20 and len(detail.reps) == 2
        assert detail.ended_at is not None
        assert detail.flags[0].rep_index == 0 and detail.flags[0].frame_index == 5
        with pytest.raises(StorageError, match="clashes"):
            store.record_session(_draft(ada, bad_last=True))
        assert [s.id for s in store.list_sessions()] == [sid]


KILLED_WRITER = """
import sys, time
from sqlalchemy import event
from coach.auth.viewer import Viewer
from coach.store.records import FrameDraft, RepDraft, SessionDraft
from coach.store.store import Store
store = Store.open(sys.argv[1], viewer=Viewer.operator())
athlete = store.get_or_create_athlete("Ada")
inserts = []

@event.listens_for(store._engine, "after_cursor_execute")
def _slow(conn, cursor, statement, *args):
    if statement.startswith("INSERT INTO frames"):
        inserts.append(1)
        if len(inserts) == 1:
            print("WRITING", flush=True)  # the session and its reps are in; frames are going in
            time.sleep(60)  # the test kills us here

frames = tuple(FrameDraft(i, i / 30, None, {"left_knee": 90.0}) for i in range(576))
store.record_session(SessionDraft(athlete, "video", frames=frames,
                                  reps=(RepDraft(0, 0.0, 1.0, 2.0), RepDraft(1, 2.0, 3.0, 4.0))))
"""


def test_a_server_killed_mid_save_leaves_no_session(db_url: str) -> None:
    Store.open(db_url, viewer=Viewer.operator()).close()
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, db_url], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        assert first == "WRITING", proc.stderr.read() if proc.stderr else ""
    finally:
        proc.kill()  # SIGKILL: no cleanup, no rollback by the process itself
        proc.wait(timeout=30)
    with Store.open(db_url, viewer=Viewer.operator()) as store:
        assert store.list_sessions() == []  # neither a complete-looking nor a half session


def test_a_video_session_keeps_its_bar(db_url: str) -> None:
    bar = {"bar": {"label": "for training use; not validated against a transducer",
                   "plate_diameter_mm": 450.0, "px_per_cm": 2.1,
                   "reps": [{"index": 1, "source": "plate", "drift_cm": 3.1, "range_cm": 52.0,
                             "mean_velocity_m_s": 0.61, "peak_velocity_m_s": 0.95,
                             "note": ""}]},
           "chart": {"series": [{"name": "rep 1 (plate)", "x": [0.0, 1.0], "y": [0.0, 50.0]}],
                     "unit": "cm", "label": "for training use"}}  # fmt: skip
    with Store.open(db_url, viewer=Viewer.operator()) as store:
        ada = store.get_or_create_athlete("Ada")
        with_bar = store.record_session(replace(_draft(ada), bar=bar))
        without = store.record_session(_draft(ada))
        assert store.load_session(with_bar).bar == bar
        assert store.load_session(without).bar is None
        assert store.export_json(with_bar)["bar"] == bar["bar"]
        assert store.export_json(without)["bar"] is None


@pytest.mark.postgres
def test_a_cluster_created_as_sql_ascii_still_reads_and_writes_text(postgres_url: str) -> None:
    """initdb without a locale makes SQL_ASCII databases, where psycopg returns bytes unless the
    client asks for UTF-8 (found running compose.yaml against such a server)."""
    from sqlalchemy import create_engine, make_url

    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS liftcoach_ascii"))
        conn.execute(text("CREATE DATABASE liftcoach_ascii ENCODING 'SQL_ASCII' "
                          "LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"))  # fmt: skip
    admin.dispose()
    url = make_url(postgres_url).set(database="liftcoach_ascii").render_as_string(False)
    store = Store.open(url, viewer=Viewer.operator())
    try:
        athlete = store.get_or_create_athlete("Zoë Łukasz")
        assert (athlete, "Zoë Łukasz") in store.athletes()
    finally:
        store.close()
