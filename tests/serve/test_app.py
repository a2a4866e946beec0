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


def _in_process(backend: str, service: PoseService, bgr: NDArray[np.uint8]) -> list[PersonPose]:
    if backend == "mediapipe":
        from coach.pose.mediapipe_backend import MediaPipeEstimator

        with MediaPipeEstimator(video=False) as est:
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
