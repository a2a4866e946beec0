"""Replay backend: both JSON forms, cycling, recording round trip, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from coach.core.errors import BadInput
from coach.core.keypoints import Joint, Keypoints, PersonPose
from coach.core.settings import Settings
from coach.pose.base import create_estimator
from coach.pose.replay import ReplayEstimator, ReplayFileError, write_replay_json

IMAGE = np.zeros((4, 4, 3), dtype=np.uint8)


def _rows(offset: float = 0.0, missing: tuple[int, ...] = ()) -> list[list[float] | None]:
    return [None if j in missing else [10.0 * j + offset, 5.0 * j, 0.5 + j / 40] for j in range(17)]


def cli_result(person: dict[str, Any] | None) -> dict[str, Any]:
    """The shape `coach.pipeline.photo.analysis_to_json` writes for one photo."""
    return {
        "backend": "mediapipe",
        "image": {"width": 640, "height": 480},
        "person": person,
        "persons_found": 0 if person is None else 1,
        "timings_ms": {"pose": 30.0},
    }


def test_cli_photo_form() -> None:
    doc = cli_result({"bbox": [1, 2, 300, 400], "keypoints": _rows(missing=(3,))})
    est = ReplayEstimator.from_json(doc)
    assert est.name == "replay" and len(est) == 1
    (person,) = est.estimate(IMAGE)
    assert person.bbox_xywh == (1, 2, 300, 400)
    kp = person.keypoints
    assert len(kp) == 1
    np.testing.assert_allclose(kp.point(Joint.LEFT_ELBOW), (70.0, 35.0))
    assert np.isnan(kp.point(Joint.LEFT_EAR)).all() and kp.score[0, Joint.LEFT_EAR] == 0
    assert kp.score[0, Joint.NOSE] == pytest.approx(0.5)
    present = kp.present()
    assert person.detection_score == pytest.approx(float(kp.score[0, present].mean()))


def test_cli_form_with_nobody_replays_an_empty_frame() -> None:
    assert ReplayEstimator.from_json(cli_result(None)).estimate(IMAGE) == []


def test_multi_frame_form_cycles() -> None:
    doc = {
        "frames": [
            {"persons": [{"bbox": [0, 0, 10, 10], "keypoints": _rows(0.0), "score": 0.9}]},
            {"persons": []},
            {
                "persons": [
                    {"bbox": [0, 0, 10, 10], "keypoints": _rows(1.0)},
                    {"bbox": [50, 0, 10, 10], "keypoints": _rows(2.0)},
                ]
            },
        ]
    }
    est = ReplayEstimator.from_json(json.dumps(doc))
    counts = [len(est.estimate(IMAGE)) for _ in range(7)]
    assert counts == [1, 0, 2, 1, 0, 2, 1]
    est.reset()
    (first,) = est.estimate(IMAGE)
    assert first.detection_score == pytest.approx(0.9)
    assert first.keypoints.point(Joint.NOSE)[0] == pytest.approx(0.0)


def test_write_then_read_round_trip(tmp_path: Path) -> None:
    xy = np.arange(34, dtype=np.float32).reshape(17, 2) * 3.3
    xy[Joint.RIGHT_WRIST] = np.nan
    world = np.linspace(-0.5, 0.5, 51, dtype=np.float32).reshape(17, 3)
    world[Joint.RIGHT_WRIST] = np.nan
    person = PersonPose(Keypoints.single(xy, np.full(17, 0.75), world), (1.5, 2.5, 30, 40), 0.8)
    frames = [[person], [], [person, person]]
    path = write_replay_json(frames, tmp_path / "rec.json")
    est = ReplayEstimator.from_file(path)
    assert len(est) == 3
    (back,) = est.estimate(IMAGE)
    np.testing.assert_allclose(back.keypoints.xy, person.keypoints.xy, atol=0.01)
    np.testing.assert_allclose(back.keypoints.score[0, :10], 0.75)
    assert back.keypoints.world_xyz is not None
    np.testing.assert_allclose(back.keypoints.world_xyz, world[None], atol=1e-4)
    assert back.bbox_xywh == (1.5, 2.5, 30, 40) and back.detection_score == pytest.approx(0.8)
    assert est.estimate(IMAGE) == [] and len(est.estimate(IMAGE)) == 2


def test_write_rejects_multi_frame_keypoints(tmp_path: Path) -> None:
    kp = Keypoints.stack([Keypoints.single(np.zeros((17, 2)))] * 2)
    with pytest.raises(ValueError, match="one frame"):
        write_replay_json([[PersonPose(kp, (0, 0, 1, 1), 1.0)]], tmp_path / "x.json")


def test_factory_builds_replay_from_settings(tmp_path: Path) -> None:
    path = tmp_path / "photo.json"
    path.write_text(json.dumps(cli_result({"bbox": [0, 0, 5, 5], "keypoints": _rows()})))
    est = create_estimator("replay", Settings(replay_file=str(path)))
    assert est.name == "replay" and len(est.estimate(IMAGE)) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"something": 1}', "neither 'frames'"),
        ('{"frames": {}}', "'frames' must be a list"),
        ('{"frames": []}', "no frames"),
        ('{"frames": [{"people": []}]}', "frame 0: .*'persons' list"),
        ('{"person": {"bbox": [0, 0, 1, 1], "keypoints": [[1, 2, 0.5]]}}', "17 .*got 1"),
        ('{"person": {"bbox": [0, 0, 1, 1], "keypoints": 5}}', "17 .*got int"),
        ('{"person": {"bbox": [0, 0, 1], "keypoints": KP}}', "bbox"),
        ('{"person": {"keypoints": KP}}', "'bbox' must be"),
        ('{"person": {"bbox": [0, 0, -1, 1], "keypoints": KP}}', "w, h >= 0"),
        ('{"person": {"bbox": [0, 0, 1, 1], "keypoints": KP, "score": "high"}}', "'score'"),
        ('{"person": {"bbox": [0, 0, 1, 1], "keypoints": KP, "world_xyz": [1]}}', "world_xyz"),
        ('{"frames": [{"persons": [{"bbox": [0, 0, 1, 1], "keypoints": BADKP}]}]}',
         "frame 0, person 0, keypoint 4"),
    ],
    ids=["not-json", "not-object", "no-known-key", "frames-not-list", "no-frames",
         "frame-without-persons", "too-few-keypoints", "keypoints-not-list", "short-bbox",
         "no-bbox", "negative-bbox", "score-text", "world-short", "bad-keypoint-row"],
)  # fmt: skip
def test_bad_files_give_clear_errors(tmp_path: Path, content: str, message: str) -> None:
    bad_rows = _rows()
    bad_rows[4] = ["x", 2]  # type: ignore[list-item]
    content = content.replace("BADKP", json.dumps(bad_rows)).replace("KP", json.dumps(_rows()))
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ReplayFileError, match=message) as info:
        ReplayEstimator.from_file(path)
    assert isinstance(info.value, BadInput)
    assert "bad.json" in str(info.value) or message == "no frames"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReplayFileError, match="does not exist"):
        ReplayEstimator.from_file(tmp_path / "gone.json")


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "binary.json"
    path.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(ReplayFileError, match="Cannot read"):
        ReplayEstimator.from_file(path)
