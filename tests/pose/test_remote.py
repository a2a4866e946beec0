"""RemoteEstimator against a fake transport: replies, faults, fail-fast and dropping."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from coach.core.errors import BackendUnavailable, BadImage, SettingsError
from coach.core.keypoints import Keypoints, PersonPose
from coach.core.settings import Settings, load_settings
from coach.pose.base import create_estimator
from coach.pose.remote import RETRY_AFTER_S, RemoteEstimator
from coach.pose.wire import persons_to_json

IMAGE = np.zeros((48, 64, 3), dtype=np.uint8)
PERSON = PersonPose(Keypoints.single(np.full((17, 2), 5.0), np.full(17, 0.9)), (1, 2, 3, 4), 0.8)


class FakeService:
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.reply: tuple[int, bytes] | Exception = (200, _ok())

    def __call__(self, url: str, body: bytes, timeout_s: float) -> tuple[int, bytes]:
        self.calls.append(url)
        assert body[:2] == b"\xff\xd8"  # a JPEG travels, not raw pixels
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply


def _ok() -> bytes:
    return json.dumps(persons_to_json([PERSON], "mediapipe")).encode()


def _estimator(service: FakeService, now: list[float], video: bool = False) -> RemoteEstimator:
    return RemoteEstimator("http://pose:8000/", "auto", video=video, post=service,
                           clock=lambda: now[0])  # fmt: skip


def test_a_reply_becomes_person_poses_and_names_the_backend() -> None:
    service = FakeService()
    est = _estimator(service, [0.0])
    (person,) = est.estimate(IMAGE)
    assert service.calls == ["http://pose:8000/pose/auto"]
    assert np.array_equal(person.keypoints.xy, PERSON.keypoints.xy)
    assert est.name == "mediapipe (pose service)"


def test_a_stream_frame_says_so() -> None:
    """The service answers a photo with its photo path (tiles) and a frame without."""
    service = FakeService()
    assert _estimator(service, [0.0], video=True).estimate(IMAGE)
    assert service.calls == ["http://pose:8000/pose/auto?frame=1"]


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        (ConnectionRefusedError("refused"), "cannot be reached"),
        (TimeoutError(), "did not answer within 60 s"),
        ((503, b'{"wire": 1, "error": "replica restarting", "kind": "BackendUnavailable"}'),
         "HTTP 503: replica restarting"),
        ((502, b"<html>bad gateway</html>"), "HTTP 502"),
    ],
    ids=["down", "slow", "replica-failed", "proxy-error"],
)
def test_faults_are_one_line_and_fail_fast_then_retry(reply: object, words: str) -> None:
    service, now = FakeService(), [100.0]
    service.reply = reply  # type: ignore[assignment]
    est = _estimator(service, now)
    with pytest.raises(BackendUnavailable, match=words) as info:
        est.estimate(IMAGE)
    assert "\n" not in str(info.value)
    with pytest.raises(BackendUnavailable, match="retrying"):
        est.estimate(IMAGE)  # inside the retry window: no request at all
    assert len(service.calls) == 1
    now[0] += RETRY_AFTER_S + 0.01
    service.reply = (200, _ok())
    assert est.estimate(IMAGE)  # back: the next frame goes through
    assert len(service.calls) == 2


def test_a_bad_picture_is_bad_image_and_does_not_trip_the_breaker() -> None:
    service = FakeService()
    service.reply = (400, b'{"wire": 1, "error": "not a JPEG", "kind": "BadImage"}')
    est = _estimator(service, [0.0])
    with pytest.raises(BadImage, match="not a JPEG"):
        est.estimate(IMAGE)
    service.reply = (200, _ok())
    assert est.estimate(IMAGE)


def test_another_wire_version_is_refused() -> None:
    service = FakeService()
    service.reply = (200, b'{"wire": 99, "backend": "x", "persons": []}')
    with pytest.raises(BackendUnavailable, match="same LiftCoach release"):
        _estimator(service, [0.0]).estimate(IMAGE)


def test_a_live_frame_is_dropped_while_the_previous_one_is_out() -> None:
    est = _estimator(FakeService(), [0.0], video=True)
    assert est.timeout_s == 2.0
    est._slots.acquire()  # the stream's one request is in flight
    with pytest.raises(BackendUnavailable, match="dropped"):
        est.estimate(IMAGE)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("http://pose:8000/", "http://pose:8000"), ("https://pose.example", "https://pose.example"),
     ("", "")],
)
def test_pose_server_setting_accepts_http_urls(value: str, expected: str) -> None:
    assert load_settings({"LIFTCOACH_POSE_SERVER": value}).pose_server == expected


@pytest.mark.parametrize("value", ["ray://head:10001", "pose:8000", "http://", "http://h:99999",
                                   "http://h:8000/?x=1"])
def test_pose_server_setting_refuses_what_is_not_a_serve_url(value: str) -> None:
    with pytest.raises(SettingsError, match="pose_server"):
        load_settings({"LIFTCOACH_POSE_SERVER": value})


def test_the_setting_selects_the_remote_backend_and_imports_no_ray() -> None:
    est = create_estimator("vitpose", Settings(pose_server="http://pose:8000"), video=True)
    assert isinstance(est, RemoteEstimator) and est.video and est.backend == "vitpose"
    code = ("import sys; from coach.core.settings import Settings; "
            "from coach.pose.base import create_estimator; "
            "create_estimator('auto', Settings(pose_server='http://p:1')); "
            "import coach.pipeline.photo, coach.live.analyzer; "
            "print(sorted(m for m in sys.modules if m == 'ray' or m.startswith('coach.serve')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
