"""The lying-lifter retry: the detector was trained mostly on upright people, so a lifter on a
bench is often missed. When nobody is found, or someone is found lying (hip -> scale-point axis
within 30 degrees of horizontal), the image is also run turned 90 degrees each way, the
detections are mapped back and merged with hard NMS.

Measured on the 33 labelled bench photos: found 30 -> 32; costs two more detector runs
(about 25 ms at 1080p on a loaded 2-core CPU), only when it fires.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import cv2
import numpy as np
from numpy.typing import NDArray

from coach.pose.blazepose.anchors import iou
from coach.pose.blazepose.detector import Detection

LYING_TOLERANCE_DEG = 30.0
MERGE_IOU = 0.3
_TURNS = (1, -1)  # +1 = a quarter turn clockwise, -1 = anticlockwise


def rotate_image(image: NDArray[np.uint8], turns: int) -> NDArray[np.uint8]:
    """Rotate (H, W, C) by one quarter turn: clockwise for +1, anticlockwise for -1."""
    code = cv2.ROTATE_90_CLOCKWISE if turns == 1 else cv2.ROTATE_90_COUNTERCLOCKWISE
    out: NDArray[np.uint8] = cv2.rotate(image, code)
    return out


def unrotate_points(
    points: NDArray[np.float64], turns: int, width: int, height: int
) -> NDArray[np.float64]:
    """Points (..., 2) in the rotated image -> the original `width` x `height` image's px."""
    xr, yr = points[..., 0], points[..., 1]
    if turns == 1:  # clockwise sent (x, y) to (H - 1 - y, x)
        x, y = yr, (height - 1) - xr
    else:  # anticlockwise sent (x, y) to (y, W - 1 - x)
        x, y = (width - 1) - yr, xr
    return np.stack([x, y], axis=-1)


def unrotate_detection(det: Detection, turns: int, width: int, height: int) -> Detection:
    """A detection found in the rotated image, in the original image's px."""
    corners = unrotate_points(det.box.reshape(2, 2), turns, width, height)
    box = np.concatenate([corners.min(0), corners.max(0)])
    return Detection(box, det.score, unrotate_points(det.keypoints, turns, width, height))


def body_axis_deg(det: Detection) -> float:
    """Angle of the hip -> scale-point axis from horizontal, in [0, 90] degrees."""
    dx, dy = det.keypoints[1] - det.keypoints[0]
    angle = abs(math.degrees(math.atan2(dy, dx)))
    return min(angle, 180.0 - angle)


def needs_retry(dets: list[Detection], tolerance_deg: float = LYING_TOLERANCE_DEG) -> bool:
    """True when nobody was found or anyone found lies within tolerance of horizontal."""
    return not dets or any(body_axis_deg(d) <= tolerance_deg for d in dets)


def clusters(dets: list[Detection], threshold: float = MERGE_IOU) -> list[list[Detection]]:
    """Group detections of one person (face-box IoU above `threshold` with the group's best),
    best first in each group, groups by descending best score. Groups, not hard NMS alone:
    when the best view's pose is rejected by the landmark model, another view of the same
    person (upright or turned) often passes."""
    groups: list[list[Detection]] = []
    for det in sorted(dets, key=lambda d: -d.score):
        for group in groups:
            if float(iou(group[0].box, det.box[None])[0]) > threshold:
                group.append(det)
                break
        else:
            groups.append([det])
    return groups


Detect = Callable[[NDArray[np.uint8]], "tuple[list[Detection], list[Detection]]"]


def detect_with_rotation(
    detect_all: Detect, image_rgb: NDArray[np.uint8], *, retry: bool = True,
    force: bool = False, tolerance_deg: float = LYING_TOLERANCE_DEG,
) -> tuple[list[list[Detection]], list[list[Detection]], bool]:
    """Detect everyone, retrying on quarter turns for lying people.

    Args:
        detect_all: `PersonDetector.detect_all` (strong and weak detections).
        retry: allow the retry at all. force: retry even if the upright pass looks fine (the
            landmark model rejected everyone it found).

    Returns:
        (strong clusters, weak clusters, whether the retry ran); detections in original px.
    """
    strong, weak = detect_all(image_rgb)
    ran = retry and (force or needs_retry(strong, tolerance_deg))
    if ran:
        height, width = image_rgb.shape[:2]
        for turns in _TURNS:
            more_strong, more_weak = detect_all(rotate_image(image_rgb, turns))
            strong += [unrotate_detection(d, turns, width, height) for d in more_strong]
            weak += [unrotate_detection(d, turns, width, height) for d in more_weak]
    strong_groups = clusters(strong)
    weak = [d for d in weak if not any(float(iou(g[0].box, d.box[None])[0]) > MERGE_IOU
                                       for g in strong_groups)]
    return strong_groups, clusters(weak), ran
