"""The pose service through a real local Ray Serve: same keypoints as in process, errors as
LiftCoach errors, and a live stream that survives a replica being killed."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from coach.core.errors import BadImage
from coach.core.keypoints import PersonPose
from coach.core.settings import Settings
from coach.live.analyzer import LiveAnalyzer
from coach.pose.remote import RemoteEstimator
from coach.pose.wire import decode_jpeg, encode_jpeg
from tests.serve.conftest import PoseService

cv2 = pytest.importorskip("cv2")
pytestmark = pytest.mark.ray

# Both sides decode the same JPEG bytes and run the same code, so they differ only by float
# rounding (thread counts, batch composition): far below a pixel.
SAME_INPUT_TOL_PX = 0.5


@pytest.fixture(scope="module")
def squat_bgr(labels: list[dict[str, str]], fixtures: Path) -> NDArray[np.uint8]:
    row = next(r for r in labels if r["lift"] == "squat" and r["file"].endswith("/0.jpg"))
    image = cv2.imread(str(fixtures / row["file"]))
    assert image is not None
    return np.asarray(image, dtype=np.uint8)


def _in_process(backend: str, service: PoseService, bgr: NDArray[np.uint8],
                tiles: bool = True) -> list[PersonPose]:  # fmt: skip
    if backend == "mediapipe":
        from coach.pose.mediapipe_backend import MediaPipeEstimator

        with MediaPipeEstimator(video=False, tiles=tiles) as est:
            return est.estimate(bgr)
    from coach.pose.vitpose_backend import ViTPoseEstimator

    return ViTPoseEstimator(str(service.pose_dir), str(service.detector_dir), "cpu").estimate(bgr)


def _max_diff_px(a: list[PersonPose], b: list[PersonPose]) -> float:
    assert len(a) == len(b) > 0
    diffs = [np.abs(p.keypoints.xy - q.keypoints.xy) for p, q in zip(a, b, strict=True)]
    for p, q in zip(a, b, strict=True):  # missing joints must agree too
        assert np.array_equal(np.isnan(p.keypoints.xy), np.isnan(q.keypoints.xy))
        assert np.allclose(p.bbox_xywh, q.bbox_xywh, atol=SAME_INPUT_TOL_PX)
    return float(np.nanmax(np.concatenate([d.ravel() for d in diffs])))


@pytest.mark.parametrize("backend", ["mediapipe", "vitpose"])
def test_same_photo_same_keypoints_in_process_and_through_ray(
    pose_service: PoseService, squat_bgr: NDArray[np.uint8], backend: str
) -> None:
    remote = RemoteEstimator(pose_service.url, backend).estimate(squat_bgr)
    # The service sees the JPEG the client sent, so in process reads the same decoded pixels.
    local = _in_process(backend, pose_service, decode_jpeg(encode_jpeg(squat_bgr), 10**8))
    assert _max_diff_px(local, remote) <= SAME_INPUT_TOL_PX
    assert remote[0].keypoints.score == pytest.approx(local[0].keypoints.score, abs=1e-3)


def test_a_stream_frame_skips_the_tiles(pose_service: PoseService, fixtures: Path) -> None:
    """A crowded COCO photo where the tiles find two more people: as a frame it gets the photo
    path without tiles, as a photo the tiles, each as in process."""
    image = cv2.imread(str(fixtures / "mmpose_testdata_via_liftingpose/coco/000000197388.jpg"))
    sent = decode_jpeg(encode_jpeg(image), 10**8)
    frame = RemoteEstimator(pose_service.url, "mediapipe", video=True).estimate(image)
    photo = RemoteEstimator(pose_service.url, "mediapipe").estimate(image)
    plain = _in_process("mediapipe", pose_service, sent, tiles=False)
    assert len(frame) == len(plain) < len(photo)
    assert _max_diff_px(plain, frame) <= SAME_INPUT_TOL_PX
    assert _max_diff_px(_in_process("mediapipe", pose_service, sent), photo) <= SAME_INPUT_TOL_PX


def test_auto_names_the_backend_that_ran(
    pose_service: PoseService, squat_bgr: NDArray[np.uint8]
) -> None:
    est = RemoteEstimator(pose_service.url, "auto")
    assert est.estimate(squat_bgr)
    assert est.name == "mediapipe (pose service)"


def test_a_picture_the_service_cannot_read_is_bad_image(pose_service: PoseService) -> None:
    est = RemoteEstimator(pose_service.url, "mediapipe")
    status, body = est._post(f"{pose_service.url}/pose/mediapipe", b"not a jpeg", 10.0)
    assert status == 400
    with pytest.raises(BadImage, match="not"):
        est._persons(status, body)


def _replica_names(deployment: str) -> list[tuple[str, str]]:
    import ray

    return [(a["name"], a["namespace"]) for a in ray.util.list_named_actors(all_namespaces=True)
            if a["name"].startswith("SERVE_REPLICA") and deployment in a["name"]]  # fmt: skip


def test_live_stream_reports_a_killed_replica_and_recovers(
    pose_service: PoseService, squat_bgr: NDArray[np.uint8]
) -> None:
    import ray

    frame = np.ascontiguousarray(cv2.resize(squat_bgr, (640, 480)))
    analyzer = LiveAnalyzer(RemoteEstimator(pose_service.url, "mediapipe", video=True),
                            Settings(), lift=None)  # fmt: skip
    t = [0.0]

    def feed(n: int) -> None:
        for _ in range(n):
            t[0] += 1 / 30
            analyzer.process(frame, t[0])

    feed(3)
    before = analyzer.snapshot()
    assert before.frames_with_person == 3 and before.last_error is None
    (name, namespace), = _replica_names("MediaPipePose")
    ray.kill(ray.get_actor(name, namespace=namespace), no_restart=True)
    deadline = time.monotonic() + 90
    while analyzer.snapshot().last_error is None and time.monotonic() < deadline:
        feed(1)
    down = analyzer.snapshot()
    assert down.last_error is not None and "pose" in down.last_error, down.last_error
    while analyzer.snapshot().frames_with_person == down.frames_with_person:
        assert time.monotonic() < deadline, "the stream did not recover within 90 s"
        feed(1)
        time.sleep(0.05)
    assert _replica_names("MediaPipePose") and _replica_names("MediaPipePose")[0][0] != name


def test_three_app_instances_share_one_pose_service(
    pose_service: PoseService, labels: list[dict[str, str]], fixtures: Path, tmp_path: Path
) -> None:
    """Three separate app processes (as on three hosts: they share nothing but the service's
    address) analyse the same photo at once through one pose service and agree with each other
    and with the service's own answer."""
    import json
    import os
    import subprocess
    import sys

    row = next(r for r in labels if r["lift"] == "squat" and r["file"].endswith("/0.jpg"))
    env = {**os.environ, "LIFTCOACH_POSE_SERVER": pose_service.url,
           "LIFTCOACH_DATA": str(tmp_path)}  # fmt: skip
    command = [sys.executable, "-m", "coach", "analyze", str(fixtures / row["file"]), "--json",
               "--backend", "mediapipe"]  # fmt: skip
    root = Path(__file__).parents[2]
    apps = [subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(3)]  # fmt: skip
    results = []
    for app in apps:
        out, err = app.communicate(timeout=120)
        assert app.returncode == 0, err[-2000:]
        results.append(json.loads(out))
    assert {r["backend"] for r in results} == {"mediapipe (pose service)"}
    points = [_xy(r["person"]["keypoints"]) for r in results]
    for other in points[1:]:
        assert np.array_equal(points[0], other, equal_nan=True)
    direct = RemoteEstimator(pose_service.url, "mediapipe").estimate(
        cv2.imread(str(fixtures / row["file"])))
    shown = np.isfinite(points[0])
    assert shown.sum() >= 20  # most joints are above the score floor on this photo
    # The CLI rounds to 0.01 px; the service's own answer is the same model on the same JPEG.
    assert np.allclose(points[0][shown], direct[0].keypoints.xy[0][shown], atol=SAME_INPUT_TOL_PX)


def _xy(keypoints: list[list[float] | None]) -> NDArray[np.float64]:
    """(17, 2) from the CLI's `[x, y, score]` or null per joint."""
    return np.asarray([p[:2] if p is not None else (np.nan, np.nan) for p in keypoints],
                      dtype=np.float64)
