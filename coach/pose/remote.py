"""A `PoseEstimator` that asks a shared pose service (the Ray Serve app in `coach.serve`) over
HTTP, used when LIFTCOACH_POSE_SERVER is set. The pipeline, clip analysis and live engine call
it exactly like an in-process backend.

No Ray here: the app talks to Serve's HTTP proxy with the standard library, so app hosts need
neither Ray nor a Ray version matching the cluster's.

Faults become one `BackendUnavailable` line the page shows while keeping what it has:
- down (connection refused, 5xx, Serve's back-pressure 503) or slow (past the timeout);
- after a failure the client fails fast for `RETRY_AFTER_S` instead of waiting out one
  timeout per frame, then tries again, so a live stream recovers on its own when the
  replicas are back;
- at most `max_in_flight` requests wait on the service per estimator; a live stream has one
  (its frames are serialised by the live engine), so a frame that arrives while the previous
  one is out is the caller's to drop, never a queue here.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from coach.core.errors import BackendUnavailable, BadImage, LiftCoachError, NoPersonFound
from coach.core.keypoints import PersonPose
from coach.pose.wire import JPEG_CONTENT_TYPE, encode_jpeg, persons_from_json

log = logging.getLogger(__name__)

# A live frame older than this is worth nothing to the lifter: drop it and show the fault.
VIDEO_TIMEOUT_S = 2.0
# A photo may queue behind others on a busy cluster; a minute is the longest a page waits.
PHOTO_TIMEOUT_S = 60.0
# After a failure, fail fast for this long: a live stream at 30 fps would otherwise wait one
# timeout per frame while the service is down.
RETRY_AFTER_S = 1.0
PHOTO_MAX_IN_FLIGHT = 8

_ERRORS: dict[str, type[LiftCoachError]] = {
    "BadImage": BadImage, "NoPersonFound": NoPersonFound, "BackendUnavailable": BackendUnavailable,
}  # fmt: skip

Post = Callable[[str, bytes, float], tuple[int, bytes]]


class RemoteEstimator:
    """Pose from the shared service at `url`, for the backend named `backend`.

    Thread-safe: photos from many sessions may share one instance (up to `max_in_flight` at
    once); a live stream holds its own.
    """

    def __init__(
        self,
        url: str,
        backend: str,
        *,
        video: bool = False,
        timeout_s: float | None = None,
        max_in_flight: int | None = None,
        post: Post | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Args:
        url: the service's base URL (LIFTCOACH_POSE_SERVER), e.g. http://pose:8000.
        backend: auto, mediapipe or vitpose; the service answers "auto" with its default.
        video: frames of one live stream or clip (short timeout, one request in flight).
        timeout_s: seconds to wait for one answer (default: 2 for video, 60 for photos).
        max_in_flight: requests waiting at once (default: 1 for video, 8 for photos).
        post: (url, body, timeout_s) -> (status, body); injectable for tests.
        clock: monotonic seconds, injectable for tests.
        """
        self.url = url.rstrip("/")
        self.backend = backend
        self.name = f"{backend} (pose service)"
        self.video = video
        self.timeout_s = timeout_s or (VIDEO_TIMEOUT_S if video else PHOTO_TIMEOUT_S)
        slots = max_in_flight or (1 if video else PHOTO_MAX_IN_FLIGHT)
        self._slots = threading.BoundedSemaphore(slots)
        self._post = post or _urllib_post
        self._clock = clock
        self._state_lock = threading.Lock()
        self._down_until = -np.inf
        self._last_fault = ""

    def estimate(self, image_bgr: NDArray[np.uint8]) -> list[PersonPose]:
        """Every person the service finds, in original-image pixels.

        Raises:
            BadImage: not an 8-bit colour image, or the service could not read it.
            BackendUnavailable: the service is down, slow, busy, or answered nonsense.
        """
        body = encode_jpeg(image_bgr)
        self._fail_fast()
        # Video: never wait for a slot (the frame is dropped); photos wait their timeout.
        if not self._slots.acquire(timeout=0 if self.video else self.timeout_s):
            raise BackendUnavailable(
                f"the pose service at {self.url} is busy; this frame was dropped"
            )
        try:
            status, reply = self._call(body)
        finally:
            self._slots.release()
        return self._persons(status, reply)

    def _fail_fast(self) -> None:
        with self._state_lock:
            if self._clock() < self._down_until:
                raise BackendUnavailable(self._last_fault + " (retrying in a moment)")

    def _call(self, body: bytes) -> tuple[int, bytes]:
        endpoint = f"{self.url}/pose/{self.backend}" + ("?frame=1" if self.video else "")
        try:
            return self._post(endpoint, body, self.timeout_s)
        except TimeoutError:
            raise self._fault(f"the pose service at {self.url} did not answer within "
                              f"{self.timeout_s:g} s") from None  # fmt: skip
        except OSError as exc:  # refused, reset, DNS: urllib wraps them all in OSError
            reason = getattr(exc, "reason", exc)
            raise self._fault(f"the pose service at {self.url} cannot be reached "
                              f"({reason})") from None  # fmt: skip

    def _fault(self, message: str) -> BackendUnavailable:
        log.warning("%s", message)
        with self._state_lock:
            self._down_until = self._clock() + RETRY_AFTER_S
            self._last_fault = message
        return BackendUnavailable(message)

    def _persons(self, status: int, reply: bytes) -> list[PersonPose]:
        try:
            body: Any = json.loads(reply.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            body = None
        if status == 200:
            backend, persons = persons_from_json(body)
            self.name = f"{backend} (pose service)"
            return persons
        if isinstance(body, dict) and body.get("kind") in _ERRORS and status < 500:
            raise _ERRORS[str(body["kind"])](str(body.get("error", "")))
        if status == 404:
            raise BackendUnavailable(
                f"the pose service at {self.url} does not serve the {self.backend!r} backend"
                + (f": {body['error']}" if isinstance(body, dict) and "error" in body else "")
            )
        detail = body.get("error") if isinstance(body, dict) else None
        raise self._fault(
            f"the pose service at {self.url} failed (HTTP {status}"
            + (f": {detail})" if detail else ")")
        )


def _urllib_post(url: str, body: bytes, timeout_s: float) -> tuple[int, bytes]:
    """POST a JPEG; (status, body) for any HTTP answer, OSError/TimeoutError when none."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": JPEG_CONTENT_TYPE}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return int(exc.code), bytes(exc.read())
