"""MediaPipe BlazePose (the embedded default backend), adapted to COCO-17 `PersonPose`.

Two ways to run it, both from the models inside the installed mediapipe 0.10.21 package:
- Photos (`video=False`): EVERY person. The BlazePose person detector and landmark model run
  through ai-edge-litert (coach/pose/blazepose), with the lying-lifter rotation retry; the
  legacy `Pose` graph keeps only its best detection.
- Clips and live (`video=True`): the legacy `Pose` graph in tracking mode follows one person
  from frame to frame (its own landmark-to-ROI tracking, ~20 ms at 640 px, which is what keeps
  live at 25+ fps), and every `others_every` frames the person detector looks for everyone else,
  whose landmarks come from the ROI model. So a click or a tracker can still pick anyone.
  Once the caller names someone else (`follow`: a lifter clicked on the live view, or chosen
  on a frame where the graph held another person), that person is followed every frame by the
  ROI model alone, the ROI carried from frame to frame the graph's own way
  (`RoiLandmarker.next_roi`); without it they would be seen only every `others_every` frames
  (measured on a live stream: 89 of 1032 frames).

BlazePose reports 33 landmarks. COCO-17 takes 17 of them:

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

Feet (`Keypoints.feet_xy`, COCO-WholeBody order): LEFT_HEEL <- LEFT_HEEL (29), RIGHT_HEEL <-
RIGHT_HEEL (30), LEFT_BIG_TOE <- LEFT_FOOT_INDEX (31), RIGHT_BIG_TOE <- RIGHT_FOOT_INDEX (32).
BlazePose's "foot index" is the tip of the foot, nearest the big toe, so it stands in for the
big toe; it has no small toe, so LEFT_SMALL_TOE and RIGHT_SMALL_TOE stay NaN (score 0).

Output conventions:
- xy = landmark in image px, NOT clamped: a joint the model places outside the frame keeps
  its coordinates, and its low visibility lets `Keypoints.confident` drop it.
- score = landmark visibility in [0, 1], unthresholded.
- world_xyz = world landmarks in metres, hip-centred, y down.
- bbox = box around all 33 landmarks plus a 10 % margin, clipped to the image (the box says
  where in the picture the person is; the keypoints themselves are not clipped).
- detection_score = the person detector's probability on the photo path; on the tracked
  (legacy) path, the mean visibility of the 17 COCO joints (that graph exposes no score).

Only `model_complexity=1` is bundled with mediapipe 0.10.21; 0 and 2 try to download.
"""

from __future__ import annotations

import math
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
from numpy.typing import NDArray

from coach.core.errors import BackendUnavailable
from coach.core.keypoints import N_JOINTS, Joint, Keypoints, PersonPose
from coach.core.silhouette import Silhouette, whole_image

if TYPE_CHECKING:
    from coach.pose.blazepose.landmarks import Roi

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
# Foot order (coach.core.keypoints.Foot); -1 = BlazePose has no such point (small toes).
_FOOT_INDEX = np.array([31, -1, 29, 32, -1, 30])
BOX_MARGIN = 0.10  # fraction of the landmark box's width/height added on each side
# Video mode looks for everyone else every this many frames (the tracked person every frame):
# every 1/3 s of a clip analysed at 15 fps. A live stream is analysed at up to 30 fps, so the
# same 1/3 s is 10 frames. Each look costs a detector run plus a landmark run per other person;
# on one person's clip the two rates analyse at the same ~74 fps in process (BENCHMARKS.md).
OTHERS_EVERY = 5
LIVE_OTHERS_EVERY = 10
# `follow` turns a person's box (landmark extent + BOX_MARGIN a side) into a first ROI: the
# detector's ROI is 1.25x the body's enclosing circle, about 1.2x that box's longer side.
FOLLOW_BOX_SCALE = 1.2


class MediaPipeEstimator:
    """BlazePose as a `PoseEstimator` (module docstring: photos find everyone; video tracks
    one person every frame and looks for the others every `others_every` frames).

    One instance may be shared between threads (e.g. Streamlit sessions via cache_resource):
    neither the graph nor the interpreters are thread-safe, so `estimate` holds a lock.
    Use one video-mode instance per clip so tracks do not leak between clips.
    """

    name = "mediapipe"

    def __init__(self, video: bool = False, *, rotation_retry: bool = True,
                 tiles: bool = True, others_every: int = OTHERS_EVERY,
                 silhouette: bool = False, num_threads: int | None = None) -> None:
        """Load the models.

        Args:
            video: frames come in order from one clip (tracking on); False for photos.
            rotation_retry: photos: retry on quarter turns for lying lifters.
            tiles: photos: also search 2x2 tiles for small people (+4 detector runs, about
                18 ms a 1080p photo). On by default: the 15 COCO ground-truth images go from
                0.666 to 0.718 image-mean OKS and 12 to 18 of 38 people found at OKS 0.5.
            others_every: video: look for other people every this many frames; 0 = never.
            silhouette: video: also give the tracked person's segmentation (`PersonPose.
                silhouette`, for the back's outline). The tracking graph then segments every
                frame: about 4 ms more a 720p frame, measured; the ROI model has it for free.
            num_threads: threads of each litert model; default LITERT_THREADS for photos and
                1 for video.

        Raises:
            BackendUnavailable: mediapipe or ai-edge-litert is missing or a model cannot load.
        """
        from coach.pose.blazepose.detector import LITERT_THREADS, PersonDetector
        from coach.pose.blazepose.landmarks import RoiLandmarker

        try:
            import mediapipe as mp

            self._pose: Any = None if not video else mp.solutions.pose.Pose(
                static_image_mode=False,
                model_complexity=1,  # the only bundled model; 0 and 2 download at start
                smooth_landmarks=True,
                enable_segmentation=silhouette,
                min_detection_confidence=0.5,
                min_tracking_confidence=0.5,
            )
        except Exception as exc:  # ImportError, or the graph failing to load its model
            raise BackendUnavailable(
                "The MediaPipe pose model could not start. Install mediapipe==0.10.21 "
                f"(the last release with bundled pose weights). Details: {exc}"
            ) from None
        # Photos are one call a picture, so they get LITERT_THREADS; a stream shares the cores
        # with its own decoding and WebRTC, so video keeps one thread per model.
        threads = num_threads if num_threads is not None else 1 if video else LITERT_THREADS
        self._detector = PersonDetector(num_threads=threads)
        self._landmarker = RoiLandmarker(segment=silhouette, num_threads=threads)
        self.video = video
        self.rotation_retry = rotation_retry
        self.tiles = tiles
        self.others_every = others_every
        self.last_rotation_retry = False  # whether the last photo call ran the retry
        self._frame_index = 0
        self._follow: Roi | None = None  # video: the ROI of the person followed (see follow)
        self._lock = threading.Lock()
        self._closed = False

    def estimate(self, image_bgr: NDArray[np.uint8]) -> list[PersonPose]:
        """Find the people in a BGR image.

        Args:
            image_bgr: (H, W, 3) uint8, OpenCV channel order.

        Returns:
            Everyone found, in this image's pixels ([] when nobody). Photos: by descending
            detection score. Video: the tracked person first, then any others.

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
            return self._tracked(rgb) if self.video else self._everyone(rgb)

    def _everyone(self, rgb: NDArray[np.uint8]) -> list[PersonPose]:
        from coach.pose.blazepose.people import find_people

        people, self.last_rotation_retry = find_people(
            rgb, self._detector.detect_all, self._landmarker.run,
            rotation_retry=self.rotation_retry, tiles=self.tiles)
        height, width = rgb.shape[:2]
        return [_to_person(p.landmarks[:, :3], p.landmarks[:, 3:], width, height, p.score)
                for p in people]

    def follow(self, box_xywh: tuple[float, float, float, float]) -> None:
        """Video: from the next frame on, track the person in this box (x, y, w, h px of the
        latest frame) every frame, instead of whoever the tracking graph holds; everyone else
        is still looked for every `others_every` frames. Photos: nothing to do (everyone is
        found on every photo)."""
        from coach.pose.blazepose.landmarks import Roi

        if not self.video:
            return
        x, y, w, h = box_xywh
        with self._lock:
            self._follow = Roi(x + w / 2, y + h / 2, max(w, h) * FOLLOW_BOX_SCALE, 0.0)

    def _tracked(self, rgb: NDArray[np.uint8]) -> list[PersonPose]:
        height, width = rgb.shape[:2]
        sil: Silhouette | None = None
        if self._follow is not None:
            lms, world = self._followed(rgb)
            sil = self._landmarker.last_silhouette
        else:
            lms, world, sil = self._graph(rgb)
        persons: list[PersonPose] = []
        tracked: NDArray[np.float32] | None = None
        if lms is not None:
            tracked = lms[:, :2]
            persons.append(_to_person(lms, world, width, height, None, sil))
        look = self.others_every > 0 and self._frame_index % self.others_every == 0
        self._frame_index += 1
        if look:
            persons += self._others(rgb, tracked)
        return persons

    def _graph(self, rgb: NDArray[np.uint8]) -> tuple[NDArray[np.float32] | None,
                                                      NDArray[np.float32] | None,
                                                      Silhouette | None]:
        """The tracking graph's person: (33, 3) x px, y px, visibility, (33, 3) world, and
        the segmentation when it was asked for."""
        result = self._pose.process(rgb)
        if result.pose_landmarks is None:
            return None, None, None
        height, width = rgb.shape[:2]
        image33 = _landmark_array(result.pose_landmarks)
        xy = image33[:, :2] * np.array([width, height], dtype=np.float32)
        world = None if result.pose_world_landmarks is None else (
            _landmark_array(result.pose_world_landmarks)[:, :3])
        mask = getattr(result, "segmentation_mask", None)
        sil = None if mask is None else whole_image(np.asarray(mask, np.float32))
        return np.column_stack([xy, image33[:, 3]]), world, sil

    def _followed(self, rgb: NDArray[np.uint8]) -> tuple[NDArray[np.float32] | None,
                                                         NDArray[np.float32] | None]:
        """The followed person (as `_graph`), from last frame's ROI; when that ROI no longer
        holds a person, from the detection whose hip centre lies nearest inside it."""
        from coach.pose.blazepose.landmarks import detection_to_roi

        roi = self._follow
        assert roi is not None
        lms = self._landmarker.run(rgb, roi)
        if lms is None:
            near = [d for d in self._detector.detect(rgb)
                    if math.dist(d.keypoints[0], (roi.cx, roi.cy)) < roi.size / 2]
            if near:
                det = min(near, key=lambda d: math.dist(d.keypoints[0], (roi.cx, roi.cy)))
                lms = self._landmarker.run(rgb, detection_to_roi(det))
        if lms is None:
            return None, None  # keep looking where they were last seen
        self._follow = self._landmarker.next_roi or roi
        return lms[:, :3], lms[:, 3:]

    def _others(self, rgb: NDArray[np.uint8], tracked: NDArray[np.float32] | None
                ) -> list[PersonPose]:
        """Everyone the detector finds who is not the tracked person, with landmarks from the
        ROI model. A detection is the tracked person when its hip centre is near the tracked
        hips, or its landmarks coincide with or box mostly overlaps the tracked ones (a lifter
        bent over a bar moves the detector's hip point off the landmarks' hips)."""
        from coach.pose.blazepose.landmarks import detection_to_roi
        from coach.pose.blazepose.people import inside_fraction, landmark_box, same_landmarks

        height, width = rgb.shape[:2]
        tracked_box = None if tracked is None else landmark_box(tracked, width, height)
        out: list[PersonPose] = []
        for det in self._detector.detect(rgb):
            if tracked is not None and _near_hips(det.keypoints, tracked):
                continue
            lms = self._landmarker.run(rgb, detection_to_roi(det))
            if lms is None:
                continue
            if tracked is not None and tracked_box is not None and (
                    same_landmarks(lms, tracked) or max(
                        inside_fraction(landmark_box(lms, width, height), tracked_box),
                        inside_fraction(tracked_box, landmark_box(lms, width, height))) > 0.6):
                continue
            out.append(_to_person(lms[:, :3], lms[:, 3:], width, height, det.score))
        return out

    def close(self) -> None:
        """Free the graph; later `estimate` calls raise RuntimeError. Safe to call twice."""
        with self._lock:
            if not self._closed:
                self._closed = True
                if self._pose is not None:
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


def _near_hips(det_kps: NDArray[np.float64], tracked_px: NDArray[np.float32]) -> bool:
    """A detection is the tracked person when its hip centre lies within a quarter of its
    body scale of the tracked hips (landmarks 23, 24); saves a landmark run per frame."""
    hips = tracked_px[[23, 24]].mean(axis=0)
    scale = float(np.linalg.norm(det_kps[1] - det_kps[0]))
    return float(np.linalg.norm(det_kps[0] - hips)) < 0.25 * max(scale, 1.0)


def _landmark_array(landmarks: Any) -> NDArray[np.float32]:
    """(33, 4) x, y, z, visibility from a MediaPipe landmark list."""
    return np.array(
        [(lm.x, lm.y, lm.z, lm.visibility) for lm in landmarks.landmark], dtype=np.float32
    )


def _to_person(
    lms: NDArray[np.float32], world: NDArray[np.float32] | None, width: int, height: int,
    detection_score: float | None, silhouette: Silhouette | None = None,
) -> PersonPose:
    """Adapt 33 landmarks (x px, y px, visibility) and optional (33, 3) world points to a
    PersonPose (see the module docstring)."""
    xy33 = lms[:, :2].astype(np.float32)
    score33 = np.clip(lms[:, 2], 0.0, 1.0).astype(np.float32)
    score = score33[_COCO_INDEX]
    has_foot = _FOOT_INDEX >= 0
    feet = np.full((1, 6, 2), np.nan, dtype=np.float32)
    feet_score = np.zeros((1, 6), dtype=np.float32)
    feet[0, has_foot] = xy33[_FOOT_INDEX[has_foot]]
    feet_score[0, has_foot] = score33[_FOOT_INDEX[has_foot]]
    kp = Keypoints(xy33[_COCO_INDEX][None], score[None],
                   None if world is None else np.asarray(world, np.float32)[_COCO_INDEX][None],
                   feet, feet_score)
    return PersonPose(
        keypoints=kp,
        bbox_xywh=_box_with_margin(xy33, width, height),
        detection_score=float(score.mean()) if detection_score is None else detection_score,
        silhouette=silhouette,
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
