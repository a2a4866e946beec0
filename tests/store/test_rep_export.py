"""Per-rep exports: one row per rep with the flags raised inside it; frame exports unchanged."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from coach.auth.viewer import Viewer
from coach.core.flags import Flag
from coach.core.keypoints import Keypoints
from coach.store.export import BASE_COLUMNS
from coach.store.rep_export import REP_COLUMNS
from coach.store.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(f"sqlite:///{tmp_path / 'reps.sqlite3'}", viewer=Viewer.operator())
    yield s
    s.close()


def _seed(store: Store) -> int:
    sid = store.start_session(store.get_or_create_athlete("Di"), "video", lift="squat")
    store.add_rep(sid, index=0, start_s=0.0, bottom_s=0.5, end_s=1.0, verdict="rep 1: fine")
    store.add_rep(sid, index=1, start_s=1.2, bottom_s=1.7, end_s=2.2,
                  verdict="rep 2: at the bottom, left knee: knees caving in")  # fmt: skip
    for i in range(25):
        t = i / 10
        flags = []
        if i == 17:
            flags = [Flag("left_knee", "knees caving in | valgus", 0.8),
                     Flag("trunk_lean", "trunk 20° leaning further forward", 0.3)]
        if i == 11:  # between the reps: belongs to none
            flags = [Flag("left_hip", "hips shoot up", 0.5)]
        kp = Keypoints.from_list([[100.0, 100.0 + j, 0.9] for j in range(17)])
        store.add_frame(sid, index=i, t_s=t, keypoints=kp, angles_deg={"left_knee": 170 - i},
                        flags=flags)  # fmt: skip
    store.end_session(sid)
    return sid


def test_reps_csv_has_one_row_per_rep_with_its_flags(store: Store) -> None:
    sid = _seed(store)
    rows = list(csv.DictReader(io.StringIO(store.export_reps_csv(sid).decode("utf-8"))))
    assert tuple(rows[0]) == REP_COLUMNS
    assert [r["rep"] for r in rows] == ["1", "2"]
    assert rows[0]["flag_count"] == "0" and rows[0]["flag_joints"] == ""
    assert rows[1]["flag_count"] == "2"
    assert rows[1]["flag_joints"] == "left_knee | trunk_lean"
    assert rows[1]["flag_reasons"].startswith("knees caving in / valgus | trunk")
    assert rows[1]["flag_frames"] == "17 | 17" and rows[1]["flag_verdicts"] == "pending | pending"
    assert float(rows[1]["duration_s"]) == pytest.approx(1.0)
    assert rows[1]["verdict"].startswith("rep 2: at the bottom")


def test_reps_json_is_lossless_and_strict(store: Store) -> None:
    sid = _seed(store)
    flag_id = next(f.id for f in store.load_session(sid).flags if f.joint == "left_knee")
    assert flag_id is not None
    store.set_verdict(flag_id, accepted=True, note="yes")
    doc = store.export_reps_json(sid)
    json.dumps(doc, allow_nan=False)
    assert doc["kind"] == "video" and doc["athlete"] == "Di" and len(doc["reps"]) == 2
    rep2 = doc["reps"][1]
    assert [f["joint"] for f in rep2["flags"]] == ["left_knee", "trunk_lean"]
    assert rep2["flags"][0]["reason"] == "knees caving in | valgus"  # lossless
    assert rep2["flags"][0]["verdict"] == "accepted"
    assert store.reps_frame(sid)["rep_index"].tolist() == [0, 1]


def test_frame_exports_still_work_with_reps(store: Store) -> None:
    sid = _seed(store)
    rows = list(csv.reader(io.StringIO(store.export_csv(sid).decode("utf-8"))))
    assert tuple(rows[0][: len(BASE_COLUMNS)]) == BASE_COLUMNS and len(rows) == 26
    assert len(store.export_json(sid)["reps"]) == 2
