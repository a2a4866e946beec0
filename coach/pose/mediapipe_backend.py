"""MediaPipe BlazePose (the embedded default backend), adapted to COCO-17 `PersonPose`.

BlazePose finds at most one person and reports 33 landmarks. COCO-17 takes 17 of them:

| COCO-17 joint   | BlazePose landmark (index) |
|-----------------|----------------------------|
| NOSE            | NOSE (0)                   |
| LEFT_EYE        | LEFT_EYE (2)               |
| RIGHT_EYE       | RIGHT_EYE (5)              |
| LEFT_EAR        | LEFT_EAR (7)               |
| RIGHT_EAR       | RIGHT_EAR (8)              |
| LEFT_SHOULDER   | LEFT_SHOULDER (11)         |
| RIGHT_SHOULDER  | RIGHT_SHOULDER (12)        |
| LEFT_ELBOW      | LEFT_ELBOW (13)            |
| RIGHT_ELBOW     | RIGHT_ELBOW (14)           |
| LEFT_WRIST      | LEFT_WRIST (15)            |
| RIGHT_WRIST     | RIGHT_WRIST (16)           |
| LEFT_HIP        | LEFT_HIP (23)              |
| RIGHT_HIP       | RIGHT_HIP (24)             |
| LEFT_KNEE       | LEFT_KNEE (25)             |
| RIGHT_KNEE      | RIGHT_KNEE (26)            |
| LEFT_ANKLE      | LEFT_ANKLE (27)            |
| RIGHT_ANKLE     | RIGHT_ANKLE (28)           |

Both use the person's own left. The eye centres (2, 5) are used, not the inner/outer corners.

Output conventions:
- xy = normalised landmark * (width, height), NOT clamped: a joint the model places outside
  the frame keeps its coordinates, and its low visibility lets `Keypoints.confident` drop it.
- score = landmark visibility in [0, 1], unthresholded.
- world_xyz = `pose_world_landmarks` in metres, hip-centred, y down.
- bbox = box around all 33 landmarks plus a 10 % margin, clipped to the image (the box says
  where in the picture the person is; the keypoints themselves are not clipped).
- detection_score = mean visibility of the 17 COCO joints (BlazePose has no detector score).

Only `model_complexity=1` is bundled with mediapipe 0.10.21; 0 and 2 try to download.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from coach.core.errors import BackendUnavailable
from coach.core.keypoints import N_JOINTS, Joint, Keypoints, PersonPose

BLAZEPOSE_TO_COCO: dict[Joint, int] = {
    Joint.NOSE: 0,
    Joint.LEFT_EYE: 2,
    Joint.RIGHT_EYE: 5,
    Joint.LEFT_EAR: 7,
    Joint.RIGHT_EAR: 8,
    Joint.LEFT_SHOULDER: 11,
    Joint.RIGHT_SHOULDER: 12,
    Joint.LEFT_ELBOW: 13,
    Joint.RIGHT_ELBOW: 14,
    Joint.LEFT_WRIST: 15,
    Joint.RIGHT_WRIST: 16,
    Joint.LEFT_HIP: 23,
    Joint.RIGHT_HIP: 24,
    Joint.LEFT_KNEE: 25,
    Joint.RIGHT_KNEE: 26,
    Joint.LEFT_ANKLE: 27,
    Joint.RIGHT_ANKLE: 28,
}
_COCO_INDEX = np.array([BLAZEPOSE_TO_COCO[Joint(j)] for j in range(N_JOINTS)])
BOX_MARGIN = 0.10  # fraction of the landmark box's width/height added on each side


class MediaPipeEstimator:
    """BlazePose full (model_complexity=1) as a `PoseEstimator`.

    One instance may be shared between threads (e.g. Streamlit sessions via cache_resource):
    MediaPipe graphs are not thread-safe, so `estimate` serialises calls with a lock.
    In video mode MediaPipe tracks the person between consecutive frames, which is what clips
    and the webcam want; use one instance per clip so tracks do not leak between clips.
    """

    name = "mediapipe"

    def __init__(self, video: bool = False) -> None:
        """Build the graph.

        Args:
            video: frames come in order from one clip (tracking on); False for photos.

        Raises:
            BackendUnavailable: mediapipe is not installed or its pose graph cannot start.
        """
        try:
            import mediapipe as mp

            self._pose: Any = mp.solutions.pose.Pose(
                static_image_mode=not video,
                model_complexity=1,  # the only bundled model; 0 and 2 download at start
                smooth_landmarks=video,
                enable_segmentation=False,
                min_detection_confidence=0.5,
                min_tracking_confidence=0.5,
            )
        except Exception as exc:  # ImportError, or the graph failing to load its model
            raise BackendUnavailable(
                "The MediaPipe pose model could not start. Install mediapipe==0.10.21 "
                f"(the last release with bundled pose weights). Details: {exc}"
            ) from None
        self.video = video
        self._lock = threading.Lock()
        self._closed = False

    def estimate(self, image_bgr: NDArray[np.uint8]) -> list[PersonPose]:
        """Find the (single) person in a BGR image.

        Args:
            image_bgr: (H, W, 3) uint8, OpenCV channel order.

        Returns:
            [] when no pose is found, else one PersonPose in this image's pixels.

        Raises:
            ValueError: the image is not (H, W, 3) uint8.
            RuntimeError: the estimator was closed.
        """
        if image_bgr.ndim != 3 or image_bgr.shape[2] != 3 or image_bgr.dtype != np.uint8:
            raise ValueError(
                f"image must be (H, W, 3) uint8, got {image_bgr.shape} {image_bgr.dtype}"
            )
        # cvtColor is several times faster than a reversed-stride numpy copy at 1080p.
        rgb = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)
        with self._lock:
            if self._closed:
                raise RuntimeError("MediaPipeEstimator was closed")
            result = self._pose.process(rgb)
        if result.pose_landmarks is None:
            return []
        height, width = image_bgr.shape[:2]
        return [_to_person(result.pose_landmarks, result.pose_world_landmarks, width, height)]

    def close(self) -> None:
        """Free the graph; later `estimate` calls raise RuntimeError. Safe to call twice."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._pose.close()

    def __enter__(self) -> MediaPipeEstimator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _landmark_array(landmarks: Any) -> NDArray[np.float32]:
    """(33, 4) x, y, z, visibility from a MediaPipe landmark list."""
    return np.array(
        [(lm.x, lm.y, lm.z, lm.visibility) for lm in landmarks.landmark], dtype=np.float32
    )


def _to_person(image_lms: Any, world_lms: Any, width: int, height: int) -> PersonPose:
    """Adapt one BlazePose result to a PersonPose (see the module docstring)."""
    all33 = _landmark_array(image_lms)
    xy33 = all33[:, :2] * np.array([width, height], dtype=np.float32)
    coco = all33[_COCO_INDEX]
    xy = coco[:, :2] * np.array([width, height], dtype=np.float32)
    score = np.clip(coco[:, 3], 0.0, 1.0)
    world = None if world_lms is None else _landmark_array(world_lms)[_COCO_INDEX, :3]
    return PersonPose(
        keypoints=Keypoints.single(xy, score, world),
        bbox_xywh=_box_with_margin(xy33, width, height),
        detection_score=float(score.mean()),
    )


def _box_with_margin(
    xy_px: NDArray[np.float32], width: int, height: int
) -> tuple[float, float, float, float]:
    """(x, y, w, h) around the points, widened by BOX_MARGIN per side, clipped to the image."""
    x0, y0 = xy_px.min(axis=0)
    x1, y1 = xy_px.max(axis=0)
    pad_x, pad_y = (x1 - x0) * BOX_MARGIN, (y1 - y0) * BOX_MARGIN
    x0, x1 = max(0.0, float(x0 - pad_x)), min(float(width), float(x1 + pad_x))
    y0, y1 = max(0.0, float(y0 - pad_y)), min(float(height), float(y1 + pad_y))
    return x0, y0, max(0.0, x1 - x0), max(0.0, y1 - y0)
