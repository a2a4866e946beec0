"""`python -m coach analyze`: JSON schema, exit codes and error lines, on real and bad inputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
SQUAT_FRAME = "gym-app-ai_TheSebitzu/frames/videos__squat_f00191.jpg"


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "coach", *args],
        capture_output=True, text=True, cwd=REPO, env=full_env, timeout=300,
    )


def assert_clean_error(proc: subprocess.CompletedProcess[str], code: int, words: str) -> None:
    assert proc.returncode == code, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert words in lines[0]
    assert "Traceback" not in proc.stderr


def replay_file(tmp_path: Path, persons: list[dict[str, object]]) -> Path:
    path = tmp_path / "replay.json"
    path.write_text(json.dumps({"frames": [{"persons": persons}]}))
    return path


def squat_person() -> dict[str, object]:
    """A standing lifter seen from the front, in a 640x480 image (hand-placed points)."""
    pts = [(320, 80), (312, 72), (328, 72), (300, 78), (340, 78), (280, 130), (360, 130),
           (270, 190), (370, 190), (280, 240), (360, 240), (295, 250), (345, 250),
           (292, 340), (348, 340), (290, 430), (350, 430)]
    return {"bbox": [260, 60, 120, 380], "keypoints": [[x, y, 0.9] for x, y in pts]}


@pytest.fixture
def blank_png(tmp_path: Path) -> Path:
    path = tmp_path / "blank.png"
    cv2.imwrite(str(path), np.full((480, 640, 3), 127, np.uint8))
    return path


def test_replay_json_has_the_documented_schema(tmp_path, blank_png) -> None:
    replay = replay_file(tmp_path, [squat_person()])
    proc = run_cli("analyze", str(blank_png), "--backend", "replay", "--json", "--lift", "squat",
                   env={"LIFTCOACH_REPLAY": str(replay), "LIFTCOACH_DATA": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["backend"] == "replay"
    assert doc["image"] == {"width": 640, "height": 480}
    assert doc["persons_found"] == 1
    assert len(doc["person"]["keypoints"]) == 17 and len(doc["person"]["bbox"]) == 4
    assert doc["person"]["keypoints"][0] == [320, 80, 0.9]
    assert {"decode", "pose", "select", "total"} <= set(doc["timings_ms"])
    assert doc["lift"] == {"label": "squat", "probabilities": doc["lift"]["probabilities"],
                           "confidence": 1.0, "source": "given"}
    assert doc["view"]["label"] in {"front", "left", "right", "oblique"}
    for key in ("pairs", "vote", "flagged_joints", "angles_deg"):
        assert key in doc
    assert doc["pairs"] and set(doc["pairs"][0]["per_view"]) == {"front", "left", "right"}


def test_low_confidence_joints_are_null(tmp_path, blank_png) -> None:
    person = squat_person()
    person["keypoints"][9] = [280, 240, 0.05]  # type: ignore[index]
    replay = replay_file(tmp_path, [person])
    proc = run_cli("analyze", str(blank_png), "--backend", "replay", "--json",
                   env={"LIFTCOACH_REPLAY": str(replay), "LIFTCOACH_DATA": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["person"]["keypoints"][9] is None


def test_no_person_exits_3(tmp_path, blank_png) -> None:
    replay = replay_file(tmp_path, [])
    proc = run_cli("analyze", str(blank_png), "--backend", "replay",
                   env={"LIFTCOACH_REPLAY": str(replay)})
    assert_clean_error(proc, 3, "no person found")


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"", "empty"), (b"hello, I am not a photo", "not a photo")],
    ids=["empty-file", "text-file"],
)
def test_bad_photo_exits_2(tmp_path, content, words) -> None:
    path = tmp_path / "bad.jpg"
    path.write_bytes(content)
    assert_clean_error(run_cli("analyze", str(path)), 2, words)


def test_truncated_photo_exits_2(tmp_path, fixtures) -> None:
    data = (fixtures / SQUAT_FRAME).read_bytes()
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) // 2])
    assert_clean_error(run_cli("analyze", str(path)), 2, "truncated")


def test_missing_file_and_bad_click_exit_2(tmp_path, blank_png) -> None:
    assert_clean_error(run_cli("analyze", str(tmp_path / "nope.jpg")), 2, "not found")
    assert_clean_error(run_cli("analyze", str(blank_png), "--click", "a,b"), 2, "--click")


def test_unusable_out_path_exits_2(tmp_path, blank_png) -> None:
    replay = replay_file(tmp_path, [squat_person()])
    proc = run_cli("analyze", str(blank_png), "--backend", "replay", "--out",
                   str(tmp_path / "out.txt"), env={"LIFTCOACH_REPLAY": str(replay)})
    assert_clean_error(proc, 2, "--out")


def test_missing_vitpose_weights_exit_4_with_advice(tmp_path, blank_png) -> None:
    proc = run_cli("analyze", str(blank_png), "--backend", "vitpose",
                   env={"LIFTCOACH_VITPOSE": str(tmp_path / "no-weights")})
    assert_clean_error(proc, 4, "--backend mediapipe")
    assert "LIFTCOACH_VITPOSE" in proc.stderr


def test_bad_setting_exits_2(blank_png) -> None:
    proc = run_cli("analyze", str(blank_png), env={"LIFTCOACH_MIN_SCORE": "lots"})
    assert_clean_error(proc, 2, "min_keypoint_score")


def test_real_photo_on_embedded_backend(tmp_path, fixtures) -> None:
    out = tmp_path / "annotated.jpg"
    proc = run_cli("analyze", str(fixtures / SQUAT_FRAME), "--backend", "mediapipe", "--json",
                   "--out", str(out), env={"LIFTCOACH_DATA": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["backend"] == "mediapipe" and doc["persons_found"] >= 1
    w, h = doc["image"]["width"], doc["image"]["height"]
    found = [kp for kp in doc["person"]["keypoints"] if kp is not None]
    assert len(found) >= 12
    assert all(-0.02 * w <= x <= 1.02 * w and -0.02 * h <= y <= 1.02 * h for x, y, _ in found)
    image = cv2.imread(str(out))
    assert image is not None and image.shape[:2] == (h, w)


def test_human_summary_without_json(tmp_path, blank_png) -> None:
    replay = replay_file(tmp_path, [squat_person()])
    proc = run_cli("analyze", str(blank_png), "--backend", "replay", "--lift", "squat",
                   env={"LIFTCOACH_REPLAY": str(replay), "LIFTCOACH_DATA": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    assert "backend: replay" in proc.stdout and "lift: squat (given)" in proc.stdout


WARMUP_CLIP = "gym-app-ai_TheSebitzu/videos/videos__bench_press_warmup.mp4"  # 1 rep by hand


def test_analyze_video_json_on_a_real_clip(tmp_path, fixtures) -> None:
    proc = run_cli("analyze-video", str(fixtures / WARMUP_CLIP), "--lift", "bench", "--json",
                   env={"LIFTCOACH_DATA": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["rep_count"] == 1 == len(doc["reps"])
    rep = doc["reps"][0]
    assert 0 <= rep["start_s"] < rep["bottom_s"] < rep["end_s"] <= doc["video"]["duration_s"]
    assert isinstance(rep["flags"], list) and rep["feedback"].startswith("rep 1:")
    # Every fault of the bench catalogue is answered on the rep: judged, or why not.
    assert {f["id"] for f in rep["faults"]} == {"elbows_flared", "uneven_lockout",
                                                "incomplete_lockout", "bar_path_end",
                                                "hips_off_bench"}  # fmt: skip
    fields = {"name", "moment_s", "value", "limit", "unit", "views_judged", "votes_bad",
              "confidence", "cue", "status", "note", "source"}
    assert all(fields <= set(f) for f in rep["faults"])
    judged = [f for f in rep["faults"] if f["status"] != "cannot_judge"]
    assert all(f["views_judged"] == 1 and f["moment_s"] is not None for f in judged)
    assert all(f["views_judged"] == 0 and f["note"] for f in rep["faults"]
               if f["status"] == "cannot_judge")  # fmt: skip
    assert doc["lift"]["label"] == "bench" and doc["lift"]["source"] == "given"
    n = doc["frames_analysed"]
    assert n > 10 and len(doc["traces"]["t_s"]) == n == len(doc["traces"]["left_elbow"])
    assert doc["fps_processed"] > 0 and doc["timings_ms"]["total"] > 0


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"", "empty"), (b"just some text, not a clip", "video")],
    ids=["empty-file", "text-file"],
)
def test_bad_clip_exits_2(tmp_path, content, words) -> None:
    path = tmp_path / "bad.mp4"
    path.write_bytes(content)
    assert_clean_error(run_cli("analyze-video", str(path)), 2, words)


def test_truncated_clip_exits_2(tmp_path, fixtures) -> None:
    data = (fixtures / WARMUP_CLIP).read_bytes()
    path = tmp_path / "cut.mp4"
    path.write_bytes(data[: len(data) // 2])
    proc = run_cli("analyze-video", str(path), "--lift", "bench")
    assert_clean_error(proc, 2, "cut.mp4")


def test_missing_clip_exits_2(tmp_path) -> None:
    assert_clean_error(run_cli("analyze-video", str(tmp_path / "none.mp4")), 2, "not found")


# -- --save: the CLI stores what it analyses (exit 5 when the database refuses) ---------------


def test_save_stores_a_photo_session_for_the_athlete(tmp_path, blank_png) -> None:
    from coach.auth.viewer import Viewer
    from coach.store.store import Store

    replay = replay_file(tmp_path, [squat_person()])
    env = {"LIFTCOACH_REPLAY": str(replay), "LIFTCOACH_DATA": str(tmp_path)}
    proc = run_cli("analyze", str(blank_png), "--backend", "replay", "--json", "--lift", "squat",
                   "--save", "Ada", env=env)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    session_id = json.loads(proc.stdout)["session_id"]
    url = f"sqlite:///{tmp_path / 'liftcoach.sqlite3'}"
    with Store.open(url, viewer=Viewer.operator()) as store:
        detail = store.load_session(session_id)
    assert detail.athlete == "Ada" and detail.kind == "photo" and len(detail.frames) == 1
    assert detail.frames[0].keypoints is not None


def test_save_refuses_a_bad_name_before_analysing(tmp_path, blank_png) -> None:
    proc = run_cli("analyze", str(blank_png), "--backend", "replay", "--save", "x" * 10_000,
                   env={"LIFTCOACH_REPLAY": str(tmp_path / "absent.json")})  # fmt: skip
    # The replay file is missing: had the name not been refused first, that error would show.
    assert_clean_error(proc, 2, "athlete name")
    assert len(proc.stderr) < 200, "the error must quote only a short prefix of the name"


def test_save_to_a_database_that_refuses_exits_5(tmp_path, blank_png) -> None:
    replay = replay_file(tmp_path, [squat_person()])
    (tmp_path / "not-a-db").mkdir()
    env = {"LIFTCOACH_REPLAY": str(replay),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'not-a-db'}"}  # a folder, not a file
    proc = run_cli("analyze", str(blank_png), "--backend", "replay", "--save", "Ada", env=env)
    assert_clean_error(proc, 5, "")


@pytest.mark.parametrize(
    ("args", "words"),
    [(["--click", "nan,nan"], "--click must be two finite"),
     (["--click", "inf,3"], "--click must be two finite"),
     (["--click=-4,3"], "--click must be two finite")],
)  # fmt: skip
def test_bad_click_numbers_exit_2(blank_png, args, words) -> None:
    assert_clean_error(run_cli("analyze", str(blank_png), "--backend", "replay", *args), 2, words)


@pytest.mark.parametrize("fps", ["-5", "nan", "inf", "1000"])
def test_bad_fps_exits_2_before_decoding(tmp_path, fps) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"not decoded: the rate is checked first")
    assert_clean_error(run_cli("analyze-video", str(clip), "--fps", fps), 2, "--fps must be")


@pytest.mark.parametrize(("var", "value"), [("LIFTCOACH_MAX_PIXELS", "-1"),
                                            ("LIFTCOACH_MIN_SCORE", "nan")])
def test_a_bad_setting_is_blamed_on_its_variable(blank_png, var, value) -> None:
    assert_clean_error(run_cli("analyze", str(blank_png), env={var: value}), 2, var)


def test_a_clip_with_nobody_exits_3(tmp_path) -> None:
    from tests.video_helpers import make_clip

    clip = make_clip(tmp_path / "empty-gym.mp4", n_frames=20)
    replay = tmp_path / "nobody.json"
    replay.write_text(json.dumps({"frames": [{"persons": []}] * 20}))
    proc = run_cli("analyze-video", str(clip), "--backend", "replay",
                   env={"LIFTCOACH_REPLAY": str(replay)})  # fmt: skip
    assert_clean_error(proc, 3, "no lifter was found")
