"""Session store against real databases: SQLite in tmp_path, and PostgreSQL when available.

PostgreSQL: LIFTCOACH_TEST_DATABASE_URL (a throwaway database: every test drops LiftCoach's
tables in it), else a throwaway cluster started from Debian's /usr/lib/postgresql/*/bin on a
unix socket in a temporary folder (as root, the server runs as the `postgres` user).
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert

from coach.auth.viewer import Viewer
from coach.core.errors import BadInput, StorageError
from coach.core.flags import Flag
from coach.core.keypoints import Joint, Keypoints
from coach.store.engine import open_engine
from coach.store.export import BASE_COLUMNS, FLAG_COLUMNS, KEYPOINT_COLUMNS
from coach.store.models import SCHEMA_VERSION, SchemaVersionRow
from coach.store.store import Store

REPO = Path(__file__).resolve().parents[2]
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60 + b"\xff\xd9"
KNEES = {Joint.LEFT_KNEE: (101.25, 202.5), Joint.RIGHT_KNEE: (140.0, 203.75)}


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with Store.open(db_url, viewer=Viewer.operator()) as opened:
        yield opened


def _session(store: Store, name: str = "Ada", kind: str = "video") -> int:
    return store.start_session(store.get_or_create_athlete(name), kind, lift="squat")


# -- round trips -----------------------------------------------------------------------------


def test_athletes_are_unique_by_trimmed_name(store: Store) -> None:
    ada = store.get_or_create_athlete("Ada")
    assert store.get_or_create_athlete("  Ada ") == ada
    assert store.get_or_create_athlete("Bob") != ada
    with pytest.raises(BadInput, match="athlete name"):
        store.get_or_create_athlete("   ")


def test_every_record_round_trips(store: Store) -> None:
    athlete = store.get_or_create_athlete("Ada")
    sid = store.start_session(athlete, "live", lift="squat", backend="mediapipe", notes="heavy")
    kp = Keypoints.from_dict(KNEES, score=0.75)
    flag = Flag("left_knee", "knee caves in", 0.875)
    f0 = store.add_frame(sid, index=0, t_s=0.0, keypoints=kp, angles_deg={"left_knee": 92.5},
                         lift="squat", view="side", thumbnail_jpeg=JPEG, flags=[flag])  # fmt: skip
    store.add_frame(sid, index=1, t_s=0.04, keypoints=None, angles_deg={})
    store.add_rep(sid, index=0, start_s=0.0, bottom_s=0.02, end_s=0.04, verdict="good depth")
    store.end_session(sid, notes="heavy day")
    detail = store.load_session(sid)
    assert (detail.athlete, detail.athlete_id, detail.kind) == ("Ada", athlete, "live")
    assert (detail.lift, detail.backend, detail.notes) == ("squat", "mediapipe", "heavy day")
    assert detail.started_at.tzinfo is not None and detail.ended_at is not None
    assert detail.started_at <= detail.ended_at <= datetime.now(UTC)
    first, second = detail.frames
    assert (first.id, first.index, first.t_s) == (f0, 0, 0.0)
    assert (first.lift, first.view) == ("squat", "side")
    assert first.keypoints is not None and first.keypoints.to_list() == kp.to_list()
    assert dict(first.angles_deg) == {"left_knee": 92.5}
    assert first.has_thumbnail and store.thumbnail(f0) == JPEG
    assert second.keypoints is None and not second.has_thumbnail and second.flags == ()
    (stored_flag,) = detail.flags
    assert (stored_flag.joint, stored_flag.reason, stored_flag.confidence) == (
        "left_knee", "knee caves in", 0.875)  # fmt: skip
    assert (stored_flag.frame_index, stored_flag.rep_index, stored_flag.status) == (0, 0, "pending")
    (rep,) = detail.reps
    assert (rep.index, rep.start_s, rep.bottom_s, rep.end_s, rep.verdict) == (
        0, 0.0, 0.02, 0.04, "good depth")  # fmt: skip


def test_nan_survives(store: Store) -> None:
    sid = _session(store)
    xy = np.full((17, 2), np.nan, dtype=np.float32)
    xy[Joint.LEFT_HIP] = (50.0, 60.0)
    score = np.zeros(17, dtype=np.float32)
    score[Joint.LEFT_HIP] = np.nan  # a finite point with an unknown score
    store.add_frame(sid, index=0, t_s=0.0, keypoints=Keypoints.single(xy, score),
                    angles_deg={"left_knee": math.nan, "left_hip": 170.0},
                    flags=[Flag("left_hip", "hips rise first")])  # fmt: skip
    (frame,) = store.load_session(sid).frames
    assert math.isnan(frame.angles_deg["left_knee"]) and frame.angles_deg["left_hip"] == 170.0
    assert frame.keypoints is not None
    assert frame.keypoints.xy[0, Joint.LEFT_HIP].tolist() == [50.0, 60.0]
    assert math.isnan(frame.keypoints.score[0, Joint.LEFT_HIP])
    assert np.isnan(frame.keypoints.xy[0, Joint.NOSE]).all()
    assert math.isnan(frame.flags[0].confidence)
    table = store.frames_frame(sid)
    assert math.isnan(table.loc[0, "left_knee_deg"]) and math.isnan(table.loc[0, "nose_x"])


def test_verdict_is_one_per_flag_and_updatable(store: Store) -> None:
    sid = _session(store)
    store.add_frame(sid, index=0, t_s=0.0, keypoints=None, angles_deg={},
                    flags=[Flag("left_knee", "caves", 0.9)])  # fmt: skip
    (flag,) = store.load_session(sid).flags
    assert flag.id is not None
    store.set_verdict(flag.id, accepted=True, note="yes, valgus")
    first = store.load_session(sid).flags[0].verdict
    assert first is not None and (first.accepted, first.note) == (True, "yes, valgus")
    store.set_verdict(flag.id, accepted=False, note="camera angle")
    (updated,) = store.load_session(sid).flags
    assert updated.status == "rejected" and updated.verdict is not None
    assert updated.verdict.note == "camera angle" and updated.verdict.decided_at >= first.decided_at
    with pytest.raises(StorageError, match="no flag with id 999"):
        store.set_verdict(999, accepted=True, note="")


def test_flags_join_the_rep_that_holds_their_frame(store: Store) -> None:
    sid = _session(store)
    store.add_frame(sid, index=0, t_s=0.5, keypoints=None, angles_deg={},
                    flags=[Flag("left_knee", "before the rep was known")])  # fmt: skip
    store.add_rep(sid, index=0, start_s=0.0, bottom_s=0.6, end_s=1.0)
    store.add_rep(sid, index=1, start_s=1.5, bottom_s=2.0, end_s=2.5)
    store.add_frame(sid, index=1, t_s=2.0, keypoints=None, angles_deg={},
                    flags=[Flag("right_knee", "after")])  # fmt: skip
    store.add_frame(sid, index=2, t_s=3.0, keypoints=None, angles_deg={},
                    flags=[Flag("right_hip", "outside every rep")])  # fmt: skip
    assert [f.rep_index for f in store.load_session(sid).flags] == [0, 1, None]


def test_list_sessions_filters(store: Store) -> None:
    early = _session(store, "Ada", "photo")
    two_flags = [Flag("left_knee", "a"), Flag("right_knee", "b")]
    store.add_frame(early, index=0, t_s=0.0, keypoints=None, angles_deg={}, flags=two_flags)
    time.sleep(0.01)
    middle = datetime.now(UTC)
    time.sleep(0.01)
    late = _session(store, "Bob", "live")
    for i in range(3):
        store.add_frame(late, index=i, t_s=i / 30, keypoints=None, angles_deg={})
    everything = store.list_sessions()
    assert [s.id for s in everything] == [late, early]  # newest first
    assert [(s.frame_count, s.flag_count) for s in everything] == [(3, 0), (1, 2)]
    assert [(s.athlete, s.kind, s.lift) for s in everything] == [
        ("Bob", "live", "squat"), ("Ada", "photo", "squat")]  # fmt: skip
    assert [s.id for s in store.list_sessions(athlete="Ada")] == [early]
    assert store.list_sessions(athlete="Nobody") == []
    assert [s.id for s in store.list_sessions(since=middle)] == [late]
    assert [s.id for s in store.list_sessions(until=middle)] == [early]
    naive = middle.replace(tzinfo=None)  # naive datetimes are UTC
    assert [s.id for s in store.list_sessions(athlete="Bob", since=naive)] == [late]
    assert everything[0].date == everything[0].started_at.date()
    assert store.list_sessions(since=middle + timedelta(days=1)) == []
    today = middle.date()  # a date means 00:00 UTC of that day
    assert len(store.list_sessions(since=today, until=today + timedelta(days=1))) == 2


# -- exports ---------------------------------------------------------------------------------


def _exported_session(store: Store) -> int:
    sid = _session(store)
    kp = Keypoints.from_dict(KNEES, score=0.5)
    store.add_frame(sid, index=0, t_s=0.0, keypoints=kp, angles_deg={"left_knee": 91.0},
                    lift="squat", view="front",
                    flags=[Flag("left_knee", "caves | in", 0.8),
                           Flag("right_knee", "caves", math.nan)])  # fmt: skip
    store.add_frame(sid, index=1, t_s=0.5, keypoints=None, angles_deg={"right_hip_deg": 160.0})
    store.add_rep(sid, index=0, start_s=0.0, bottom_s=0.2, end_s=0.4, verdict="ok")
    flag_id = store.load_session(sid).flags[0].id
    assert flag_id is not None
    store.set_verdict(flag_id, accepted=True, note="agreed")
    return sid


def test_frames_frame_has_one_row_per_frame(store: Store) -> None:
    table = store.frames_frame(_exported_session(store))
    assert list(table.columns) == [
        *BASE_COLUMNS, "left_knee_deg", "right_hip_deg", *KEYPOINT_COLUMNS]  # fmt: skip
    assert table["index"].tolist() == [0, 1] and table["t_s"].tolist() == [0.0, 0.5]
    assert table.loc[0, ["left_knee_x", "left_knee_y", "left_knee_score"]].tolist() == [
        101.25, 202.5, 0.5]  # fmt: skip
    assert table.loc[0, "rep_index"] == 0 and pd.isna(table.loc[1, "rep_index"])
    assert math.isnan(table.loc[1, "left_knee_deg"]) and table.loc[1, "right_hip_deg"] == 160.0


def test_export_csv_has_the_documented_columns(store: Store) -> None:
    table = pd.read_csv(BytesIO(store.export_csv(_exported_session(store))))
    angles = ["left_knee_deg", "right_hip_deg"]
    assert list(table.columns) == [*BASE_COLUMNS, *angles, *KEYPOINT_COLUMNS, *FLAG_COLUMNS]
    first = table.iloc[0]
    assert first["flag_count"] == 2
    assert first["flag_joints"] == "left_knee | right_knee"
    assert first["flag_reasons"] == "caves / in | caves"
    assert first["flag_verdicts"] == "accepted | pending"
    assert first["flag_confidences"] == "0.8 | "
    assert first["left_knee_x"] == 101.25 and math.isnan(table.iloc[1]["left_knee_x"])
    assert table.iloc[1]["flag_count"] == 0


def test_export_json_round_trips(store: Store) -> None:
    sid = _exported_session(store)
    document = store.export_json(sid)
    assert json.loads(json.dumps(document, allow_nan=False)) == document
    detail = store.load_session(sid)
    assert document["session"]["id"] == sid and document["athlete"]["name"] == "Ada"
    assert datetime.fromisoformat(document["session"]["started_at"]) == detail.started_at
    stored = detail.frames[0].keypoints
    assert stored is not None
    assert Keypoints.from_list(document["frames"][0]["keypoints"]).to_list() == stored.to_list()
    assert document["frames"][1]["keypoints"] is None
    assert document["frames"][0]["angles_deg"] == {"left_knee": 91.0}
    assert document["reps"] == [{"id": detail.reps[0].id, "index": 0, "start_s": 0.0,
                                 "bottom_s": 0.2, "end_s": 0.4, "verdict": "ok"}]  # fmt: skip
    flags = document["flags"]
    assert [f["joint"] for f in flags] == ["left_knee", "right_knee"]
    assert flags[0]["verdict"]["accepted"] is True and flags[0]["verdict"]["note"] == "agreed"
    assert flags[1]["verdict"] is None and flags[1]["confidence"] is None


# -- schema, URLs and failures ---------------------------------------------------------------


def test_newer_schema_is_refused(db_url: str) -> None:
    Store.open(db_url, viewer=Viewer.operator()).close()
    engine = open_engine(db_url)
    with engine.begin() as conn:
        conn.execute(insert(SchemaVersionRow).values(
            version=SCHEMA_VERSION + 1, applied_at=datetime.now(UTC)))  # fmt: skip
    engine.dispose()
    with pytest.raises(StorageError, match=rf"newer LiftCoach \(schema {SCHEMA_VERSION + 1}\)"):
        Store.open(db_url, viewer=Viewer.operator())


def test_reopening_keeps_the_data(db_url: str) -> None:
    with Store.open(db_url, viewer=Viewer.operator()) as store:
        sid = _session(store)
    with Store.open(db_url, viewer=Viewer.operator()) as again:
        assert [s.id for s in again.list_sessions()] == [sid]


@pytest.mark.parametrize(
    "url, message",
    [
        ("not a url", "bad database URL"),
        ("nosuchdb://host/db", "cannot use database URL"),
        ("postgresql+psycopg://lifter:s3cret@127.0.0.1:9/liftcoach", "could not open"),
    ],
    ids=["garbage", "unknown-dialect", "unreachable-server"],
)
def test_bad_url_is_a_storage_error(url: str, message: str) -> None:
    with pytest.raises(StorageError, match=message) as caught:
        Store.open(url, viewer=Viewer.operator())
    assert "s3cret" not in str(caught.value)


def test_sqlite_folder_is_created_and_bad_files_refused(tmp_path: Path) -> None:
    deep = f"sqlite:///{tmp_path / 'a' / 'b' / 'liftcoach.sqlite3'}"
    with Store.open(deep, viewer=Viewer.operator()):
        assert (tmp_path / "a" / "b" / "liftcoach.sqlite3").is_file()
    (tmp_path / "junk.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError, match="could not open"):
        Store.open(f"sqlite:///{tmp_path / 'junk.sqlite3'}", viewer=Viewer.operator())
    (tmp_path / "file").write_text("x")
    with pytest.raises(StorageError, match="cannot create the data folder"):
        Store.open(f"sqlite:///{tmp_path / 'file' / 'sub' / 'db.sqlite3'}",
                   viewer=Viewer.operator())


def test_bad_values_are_refused(store: Store) -> None:
    athlete = store.get_or_create_athlete("Ada")
    with pytest.raises(StorageError, match="unknown session kind"):
        store.start_session(athlete, "selfie")
    with pytest.raises(StorageError, match="no athlete with id"):
        store.start_session(athlete + 100, "photo")
    sid = store.start_session(athlete, "photo")
    two = Keypoints.stack([Keypoints.from_dict(KNEES)] * 2)
    for kwargs, message in [
        ({"t_s": math.nan, "keypoints": None}, "t_s must be a finite"),
        ({"t_s": 0.0, "keypoints": two}, "T=2"),
        ({"t_s": 0.0, "keypoints": None, "thumbnail_jpeg": b"PNG"}, "JPEG"),
        ({"t_s": 0.0, "keypoints": None, "thumbnail_jpeg": JPEG * 5000}, "at most 256 KiB"),
    ]:
        with pytest.raises(StorageError, match=message):
            store.add_frame(sid, index=0, angles_deg={}, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(StorageError, match="start_s <= bottom_s <= end_s"):
        store.add_rep(sid, index=0, start_s=1.0, bottom_s=0.5, end_s=2.0)
    with pytest.raises(StorageError, match="no session with id"):
        store.load_session(sid + 100)


def test_a_failed_write_keeps_what_was_recorded(store: Store) -> None:
    sid = _session(store)
    for i in range(5):
        store.add_frame(sid, index=i, t_s=i / 30, keypoints=None, angles_deg={"knee": 90.0 + i})
    with pytest.raises(StorageError, match=r"frame 2 of session \d+: it clashes"):
        store.add_frame(sid, index=2, t_s=1.0, keypoints=None, angles_deg={})
    with pytest.raises(StorageError, match="no session with id"):
        store.add_frame(sid + 100, index=0, t_s=0.0, keypoints=None, angles_deg={})
    with pytest.raises(StorageError, match="could not save frame 5"):  # a flag breaks NOT NULL
        store.add_frame(sid, index=5, t_s=0.2, keypoints=None, angles_deg={},
                        flags=[Flag("left_knee", None)])  # type: ignore[arg-type]  # fmt: skip
    store.add_frame(sid, index=6, t_s=0.25, keypoints=None, angles_deg={})
    detail = store.load_session(sid)
    assert [f.index for f in detail.frames] == [0, 1, 2, 3, 4, 6]  # frame 5 went with its flag
    assert [f.angles_deg["knee"] for f in detail.frames[:5]] == [90.0, 91.0, 92.0, 93.0, 94.0]
    assert detail.flags == ()


# -- concurrency -----------------------------------------------------------------------------

N_FRAMES = 50
WRITER = f"""
import sys
from coach.auth.viewer import Viewer
from coach.store.store import Store
url, own, shared, worker = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
with Store.open(url, viewer=Viewer.operator()) as store:
    for i in range({N_FRAMES}):
        store.add_frame(own, index=i, t_s=i / 30, keypoints=None, angles_deg={{"knee": i}})
        store.add_frame(shared, index=worker * 1000 + i, t_s=i / 30, keypoints=None,
                        angles_deg={{"knee": i}})
"""


def _write_frames(store: Store, own: int, shared: int, worker: int) -> None:
    for i in range(N_FRAMES):
        store.add_frame(own, index=i, t_s=i / 30, keypoints=None, angles_deg={"knee": float(i)})
        store.add_frame(shared, index=worker * 1000 + i, t_s=i / 30, keypoints=None,
                        angles_deg={"knee": float(i)})  # fmt: skip


def test_concurrent_writers_lose_nothing(store: Store, db_url: str) -> None:
    shared = _session(store, "Team", "live")
    own = [_session(store, f"Lifter {w}", "live") for w in range(6)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, db_url, str(own[w]), str(shared), str(w)],
                         cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)
        for w in (4, 5)
    ]  # fmt: skip
    errors: list[BaseException] = []

    def thread_main(worker: int) -> None:
        try:
            _write_frames(store, own[worker], shared, worker)
        except BaseException as exc:  # surfaced below with the others
            errors.append(exc)

    threads = [threading.Thread(target=thread_main, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    stderrs = [proc.communicate(timeout=120)[1] for proc in procs]
    assert errors == [] and [p.returncode for p in procs] == [0, 0], (errors, stderrs)
    for w, sid in enumerate(own):
        assert [f.index for f in store.load_session(sid).frames] == list(range(N_FRAMES)), w
    expected = sorted(w * 1000 + i for w in range(6) for i in range(N_FRAMES))
    assert [f.index for f in store.load_session(shared).frames] == expected


def test_sqlite_uses_wal_and_readers_do_not_wait_for_writers(tmp_path: Path) -> None:
    path = tmp_path / "liftcoach.sqlite3"
    with Store.open(f"sqlite:///{path}", viewer=Viewer.operator()) as store:
        sid = _session(store)
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        other.execute("BEGIN IMMEDIATE")  # another writer holds the lock for a moment
        release = threading.Timer(0.5, other.execute, args=("COMMIT",))
        release.start()
        started = time.monotonic()
        assert [s.id for s in store.list_sessions()] == [sid]
        assert time.monotonic() - started < 0.4  # the read did not queue behind the writer
        store.add_frame(sid, index=0, t_s=0.0, keypoints=None, angles_deg={})  # waits, no error
        assert time.monotonic() - started >= 0.4
        release.join()
        other.close()
        assert len(store.load_session(sid).frames) == 1


def test_racing_first_writes_of_one_athlete_and_one_verdict_agree(store: Store) -> None:
    sid = _session(store)
    store.add_frame(sid, index=0, t_s=0.0, keypoints=None, angles_deg={},
                    flags=[Flag("left_knee", "caves")])  # fmt: skip
    flag_id = store.load_session(sid).flags[0].id
    assert flag_id is not None
    start = threading.Barrier(4)
    ids: list[int] = []

    def race(worker: int) -> None:
        start.wait()
        ids.append(store.get_or_create_athlete("Racer"))
        store.set_verdict(flag_id, accepted=worker % 2 == 0, note=f"coach {worker}")

    threads = [threading.Thread(target=race, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(ids) == 4 and len(set(ids)) == 1
    (flag,) = store.load_session(sid).flags
    assert flag.verdict is not None and flag.verdict.note.startswith("coach ")


def test_a_bar_the_sessions_page_could_not_show_is_refused_before_anything_is_written(
        store: Store) -> None:  # fmt: skip
    from coach.store.checks import bar_document_problem
    from coach.store.records import FrameDraft, SessionDraft

    athlete = store.get_or_create_athlete("Ada")
    frames = (FrameDraft(0, 0.0, None, {"left_knee": 150.0}),)
    for bad, why in (({"bar": {"label": "x"}}, "lacks 'chart'"),
                     ({"bar": {"label": "x", "plate_diameter_mm": 450, "reps": [{"index": 1}]},
                       "chart": {"series": [], "unit": "cm", "label": "x"}}, "reps lack"),
                     ("not a document", "wrong type")):  # fmt: skip
        assert why in (bar_document_problem(bad) or "")
        with pytest.raises(StorageError, match="bar cannot be saved"):
            store.record_session(SessionDraft(athlete, "video", frames=frames, bar=bad))
    assert store.list_sessions(athlete="Ada") == []  # nothing half-saved
    assert bar_document_problem({"bar": {"label": "x", "plate_diameter_mm": 450, "reps": []},
                                 "chart": {"series": [], "unit": "cm", "label": "x"}}) is None


@pytest.mark.parametrize(("keypoints", "angles"), [
    ([[1.0, 2.0]], {}), ("junk", {}), ([[1, 2, 3, "a"]] * 17, {}),
    (None, {"left_knee": "abc"}), (None, ["left_knee"]),
])  # fmt: skip
def test_a_frame_damaged_in_the_database_is_a_storage_error_that_says_so(
        store: Store, keypoints: object, angles: object) -> None:  # fmt: skip
    from sqlalchemy import update

    from coach.store.models import FrameRow

    sid = _session(store)
    store.add_frame(sid, index=0, t_s=0.0, keypoints=None, angles_deg={"left_knee": 150.0})
    with store.write("damage a frame") as orm:
        orm.execute(update(FrameRow).values(keypoints=keypoints, angles_deg=angles))
    with pytest.raises(StorageError, match=r"damaged.*changed by something other than LiftCoach"):
        store.load_session(sid)
