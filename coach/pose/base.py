"""The backend Protocol and the plain-dict factory.

Backends return UNTHRESHOLDED keypoints in original-image pixels (every joint they report,
with its score); the pipeline applies `Keypoints.confident` once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from coach.core.errors import BackendUnavailable, SettingsError
from coach.core.keypoints import PersonPose
from coach.core.settings import Settings

log = logging.getLogger(__name__)


class PoseEstimator(Protocol):
    """Finds people and their COCO-17 keypoints in one BGR image."""

    name: str

    def estimate(self, image_bgr: NDArray[np.uint8]) -> list[PersonPose]:
        """All people found, in original-image pixels; empty list when nobody is found."""
        ...


def follow_lifter(estimator: PoseEstimator, box_xywh: tuple[float, float, float, float]) -> None:
    """Tell a video estimator that tracks one person (MediaPipe's `follow`) to track the lifter
    in this box from the next frame on; otherwise it may hold someone else and find the lifter
    only on the frames where it looks for everyone. Estimators without it find everyone on every
    frame, so there is nothing to tell them."""
    follow = getattr(estimator, "follow", None)
    if callable(follow):
        follow(box_xywh)


def _mediapipe(settings: Settings, video: bool, live: bool = False) -> PoseEstimator:
    from coach.pose.mediapipe_backend import LIVE_OTHERS_EVERY, OTHERS_EVERY, MediaPipeEstimator

    # Clips read the back's outline from the lifter's silhouette (coach.form.back); live does
    # not, since segmenting every frame would cost its frame rate about 4 ms a frame.
    return MediaPipeEstimator(video=video or live,
                              others_every=LIVE_OTHERS_EVERY if live else OTHERS_EVERY,
                              silhouette=video and not live)


def _vitpose(settings: Settings, video: bool) -> PoseEstimator:
    # One load per process, shared by photos, clips and live streams (it does not track).
    from coach.pose.shared import shared_vitpose

    return shared_vitpose(settings)


def _replay(settings: Settings, video: bool) -> PoseEstimator:
    from coach.pose.replay import ReplayEstimator

    if not settings.replay_file:
        raise SettingsError("the replay backend needs LIFTCOACH_REPLAY=path/to/keypoints.json")
    return ReplayEstimator.from_file(settings.replay_file)


BACKENDS: dict[str, Callable[[Settings, bool], PoseEstimator]] = {
    "mediapipe": _mediapipe,
    "vitpose": _vitpose,
    "replay": _replay,
}
BACKEND_NAMES: tuple[str, ...] = ("auto", *BACKENDS)


def create_estimator(name: str, settings: Settings, *, video: bool = False, live: bool = False
                     ) -> PoseEstimator:  # fmt: skip
    """Build a backend by name. `auto` is vitpose when a GPU is present and its weights load,
    else mediapipe; the returned estimator's `name` always says which one ran.

    Args:
        video: frames come from one clip in order (lets MediaPipe track between frames).
        live: frames come from a camera stream (implies video): MediaPipe looks for the other
            people less often, since a stream is analysed at twice a clip's rate.

    With LIFTCOACH_POSE_SERVER set, every backend runs on that shared pose service instead.

    Raises:
        SettingsError: unknown name (the message lists the valid ones).
        BackendUnavailable: the backend cannot run here (missing weights or package).
    """
    if settings.pose_server and name in BACKEND_NAMES and name != "replay":
        from coach.pose.remote import RemoteEstimator

        return RemoteEstimator(settings.pose_server, name, video=video or live)
    if name == "auto":
        return _auto(settings, video, live)
    if name == "mediapipe":
        return _mediapipe(settings, video, live)
    try:
        factory = BACKENDS[name]
    except KeyError:
        raise SettingsError(
            f"unknown backend {name!r}; choose one of {', '.join(BACKEND_NAMES)}"
        ) from None
    return factory(settings, video or live)


def _auto(settings: Settings, video: bool, live: bool) -> PoseEstimator:
    if _cuda_available():
        try:
            return _vitpose(settings, video)
        except BackendUnavailable as exc:
            log.warning("GPU present but ViTPose unavailable, using MediaPipe: %s", exc)
    return _mediapipe(settings, video, live)


def _cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())
