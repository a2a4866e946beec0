"""The BlazePose person detector (`pose_detection.tflite` from the mediapipe wheel) through
ai-edge-litert, returning every person rather than the legacy graph's best one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from coach.core.errors import BackendUnavailable
from coach.pose.blazepose.anchors import (
    INPUT_SIZE,
    NUM_ANCHORS,
    decode,
    iou,
    letterbox_matrix,
    ssd_anchors,
    weighted_nms,
)

DETECTOR_MODEL = "modules/pose_detection/pose_detection.tflite"
LANDMARK_MODEL = "modules/pose_landmark/pose_landmark_full.tflite"
# The legacy Pose passes min_detection_confidence=0.5 to the graph (whose own default is 0.2);
# 0.3 found no extra labelled person on the COCO ground truth, only false ones. Detections
# between WEAK_SCORE and MIN_SCORE are kept apart, as a last resort when nobody else is found
# (a lifter lying on a bench often scores 0.2-0.45 yet has a confident pose flag).
MIN_SCORE = 0.5
WEAK_SCORE = 0.2
NMS_IOU = 0.3
# Two threads cut a 1080p photo's every-person pass from 35 to 23 ms, and with the 2x2 tiles
# from 65 to 41 ms (quiet 2-core machine, 2026-12-03; same keypoints). Calls are serialised
# per estimator, so one estimator never asks for more than two cores.
LITERT_THREADS = 2


@dataclass(frozen=True)
class Detection:
    """One detected person in image px.

    Attributes:
        box: (4,) face box x0, y0, x1, y1 (a fixed-size square; see anchors.py).
        score: detection probability in [0, 1].
        keypoints: (4, 2) mid-hip, full-body scale point, mid-shoulder, upper-body scale point.
    """

    box: NDArray[np.float64]
    score: float
    keypoints: NDArray[np.float64]


def mediapipe_model_path(relative: str) -> Path:
    """Path of a model shipped inside the installed mediapipe package (never copied here).

    Raises:
        BackendUnavailable: mediapipe is missing or lacks the file (only 0.10.21 ships it).
    """
    try:
        import mediapipe
    except ImportError as exc:
        raise BackendUnavailable(f"mediapipe==0.10.21 is not installed: {exc}") from None
    path = Path(mediapipe.__file__).parent / relative
    if not path.is_file():
        raise BackendUnavailable(
            f"{relative} is not in the installed mediapipe package; install mediapipe==0.10.21"
        )
    return path


def litert_interpreter(relative: str, num_threads: int) -> Any:
    """An allocated ai-edge-litert interpreter for a model in the mediapipe package."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError as exc:
        raise BackendUnavailable(
            f"ai-edge-litert is not installed (pip install ai-edge-litert==2.3.0): {exc}"
        ) from None
    interpreter = Interpreter(model_path=str(mediapipe_model_path(relative)),
                              num_threads=num_threads)
    interpreter.allocate_tensors()
    return interpreter


def outputs_by_shape(interpreter: Any) -> dict[tuple[int, ...], int]:
    """Output tensor index by shape: the models' output names are not stable, shapes are."""
    return {tuple(int(s) for s in d["shape"]): d["index"]
            for d in interpreter.get_output_details()}


class PersonDetector:
    """Finds every person in an RGB image. Not thread-safe: the caller serialises calls."""

    def __init__(self, min_score: float = MIN_SCORE, weak_score: float = WEAK_SCORE,
                 num_threads: int = LITERT_THREADS) -> None:
        """Load the detector. Raises BackendUnavailable when the model or runtime is missing."""
        self._interpreter = litert_interpreter(DETECTOR_MODEL, num_threads)
        self._input = self._interpreter.get_input_details()[0]["index"]
        outs = outputs_by_shape(self._interpreter)
        self._boxes_out = outs[(1, NUM_ANCHORS, 12)]
        self._scores_out = outs[(1, NUM_ANCHORS, 1)]
        self._anchors = ssd_anchors()
        self.min_score = min_score
        self.weak_score = weak_score

    def detect(self, image_rgb: NDArray[np.uint8]) -> list[Detection]:
        """Every person scoring at least `min_score`, in image px, by descending score."""
        return self.detect_all(image_rgb)[0]

    def detect_all(self, image_rgb: NDArray[np.uint8]) -> tuple[list[Detection], list[Detection]]:
        """(people scoring >= min_score, weaker ones >= weak_score not overlapping them), each
        by descending score, in image px of an (H, W, 3) uint8 RGB image. The two are merged
        separately so weak anchors never shift a strong detection (MediaPipe parity)."""
        height, width = image_rgb.shape[:2]
        matrix = letterbox_matrix(width, height)
        warped = cv2.warpAffine(image_rgb, matrix, (INPUT_SIZE, INPUT_SIZE),
                                flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
        # The black border becomes -1 after scaling, as in MediaPipe.
        self._interpreter.set_tensor(self._input, (warped.astype(np.float32) / 127.5 - 1.0)[None])
        self._interpreter.invoke()
        raw_boxes = self._interpreter.get_tensor(self._boxes_out)[0]
        raw_scores = self._interpreter.get_tensor(self._scores_out)[0, :, 0]
        boxes, kps, scores = decode(raw_boxes, raw_scores, self._anchors, self.weak_score)
        strong = scores >= self.min_score
        inverse = cv2.invertAffineTransform(matrix)
        found = [_merged(boxes[m], kps[m], scores[m], inverse) for m in (strong, ~strong)]
        weak = [d for d in found[1]
                if not found[0] or bool((iou(d.box, np.array([k.box for k in found[0]]))
                                         <= NMS_IOU).all())]
        return found[0], weak


def _merged(boxes: NDArray[np.float64], kps: NDArray[np.float64], scores: NDArray[np.float64],
            inverse: NDArray[np.float64]) -> list[Detection]:
    boxes, kps, scores = weighted_nms(boxes, kps, scores, NMS_IOU)
    boxes_px = _to_image(boxes.reshape(-1, 2, 2), inverse).reshape(-1, 4)
    kps_px = _to_image(kps, inverse)
    return [Detection(b, float(s), k) for b, k, s in zip(boxes_px, kps_px, scores, strict=True)]


def _to_image(points: NDArray[np.float64], inverse: NDArray[np.float64]) -> NDArray[np.float64]:
    """Normalised model-input points (..., 2) -> image px."""
    out: NDArray[np.float64] = (points * INPUT_SIZE) @ inverse[:, :2].T + inverse[:, 2]
    return out
