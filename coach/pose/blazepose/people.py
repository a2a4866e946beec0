"""Every person in an image: detection (with the lying-lifter retry, optionally 2x2 tiles)
then 33 landmarks each.

Tiles: the detector sees the whole image at 224 px, so people whose face spans a few model
pixels score low (in an 8-person COCO photo only the largest passes 0.5). Running it on four
overlapping tiles as well finds about 3 more people per crowded photo, for 4 more detector
runs; tile results are de-duplicated on the hip keypoints (the face box's size depends on the
tile, not the person) and on the landmarks. The cost besides time: a tile can also see part of
a body, or a plate, as a person. On the 124 labelled barbell photos 5 gained such a false
person, and the lifter chosen was the same on all 124 (tests/pose/test_tiles.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from coach.pose.blazepose.detector import Detection
from coach.pose.blazepose.landmarks import Roi, detection_to_roi
from coach.pose.blazepose.rotation import detect_with_rotation

DetectAll = Callable[[NDArray[np.uint8]], "tuple[list[Detection], list[Detection]]"]
Landmark = Callable[[NDArray[np.uint8], Roi], "NDArray[np.float32] | None"]
TILE_GRID = 2
TILE_FRACTION = 0.6  # tile side / image side: a 20 % overlap keeps a person on a seam whole
MAX_VIEWS = 3  # landmark runs per detection cluster at most (a rejected pose tries the next)


@dataclass(frozen=True)
class Person:
    """One person: `box` x, y, w, h px around the 33 landmarks, clipped to the image;
    `score` the detection probability; `landmarks` (33, 6) x px, y px, visibility, world xyz
    (`RoiLandmarker.run`)."""

    box: tuple[float, float, float, float]
    score: float
    landmarks: NDArray[np.float32]


def find_people(
    image_rgb: NDArray[np.uint8], detect_all: DetectAll, landmark: Landmark, *,
    rotation_retry: bool = True, tiles: bool = False,
) -> tuple[list[Person], bool]:
    """Detect every person and get 33 landmarks for each.

    Args:
        image_rgb: (H, W, 3) uint8 RGB.
        detect_all: `PersonDetector.detect_all`. landmark: `RoiLandmarker.run`.
        rotation_retry: also try quarter turns when someone lies down or nobody is found.
        tiles: also run the detector on 2x2 overlapping tiles (finds smaller people).

    Returns:
        (people, whether the rotation retry ran). People come by descending detection score;
        each is the first view of a detection cluster (upright or turned) whose pose the
        landmark model accepts, and is dropped if it repeats someone already found. Weak
        detections (0.2-0.5) are tried only when nobody else was found.
    """
    strong, weak, rotated = detect_with_rotation(detect_all, image_rgb, retry=rotation_retry)
    people = _landmark_all(image_rgb, strong, landmark, [])
    if not people and rotation_retry and not rotated:
        # The landmark model rejected everyone upright: a lifter at an angle may pass turned.
        strong, weak, rotated = detect_with_rotation(detect_all, image_rgb, force=True)
        people = _landmark_all(image_rgb, strong, landmark, [])
    if not people:
        people = _landmark_all(image_rgb, weak, landmark, [])
    if tiles:
        # Tiles only add people: a tile can cut a body, so its view of someone already found
        # is worse than the whole image's.
        known = [d for group in strong for d in group]
        extra = [d for d in _dedupe(_detect_tiles(detect_all, image_rgb))
                 if not any(_same_detection(d, k) for k in known)]
        people = _landmark_all(image_rgb, [[d] for d in extra], landmark, people,
                               drop_contained=True)
    return people, rotated


def _landmark_all(
    image_rgb: NDArray[np.uint8], groups: list[list[Detection]], landmark: Landmark,
    people: list[Person], drop_contained: bool = False,
) -> list[Person]:
    """`people` plus a Person per detection cluster with a pose that is new (trying up to
    MAX_VIEWS views of the cluster); `drop_contained` also drops a box lying mostly inside a
    known one (tiles see parts of one body as people)."""
    height, width = image_rgb.shape[:2]
    out = list(people)
    for group in groups:
        for det in group[:MAX_VIEWS]:
            lms = landmark(image_rgb, detection_to_roi(det))
            if lms is not None:
                break
        if lms is None or any(same_landmarks(lms, p.landmarks) for p in out):
            continue
        box = landmark_box(lms, width, height)
        if drop_contained and any(inside_fraction(box, p.box) > 0.7 for p in out):
            continue
        out.append(Person(box, det.score, lms))
    return out


def landmark_box(
    landmarks: NDArray[np.float32], width: int, height: int
) -> tuple[float, float, float, float]:
    """x, y, w, h px bounding (33, >=2) landmarks, clipped to a width x height image."""
    x0, y0 = np.clip(landmarks[:, :2].min(0), 0, [width, height])
    x1, y1 = np.clip(landmarks[:, :2].max(0), 0, [width, height])
    return float(x0), float(y0), float(x1 - x0), float(y1 - y0)


def same_landmarks(a: NDArray[np.float32], b: NDArray[np.float32], tol: float = 0.1) -> bool:
    """True when over half of two landmark sets lie within `tol` x the larger landmark box's
    side. Half, not all: the retry or a tile edge can get one view of a body only half right."""
    side = max(float(np.ptp(a[:, :2], axis=0).max()), float(np.ptp(b[:, :2], axis=0).max()))
    close = np.linalg.norm(a[:, :2] - b[:, :2], axis=1) < tol * side
    return bool(close.mean() > 0.5)


def inside_fraction(inner: tuple[float, ...], outer: tuple[float, ...]) -> float:
    """Fraction of the x, y, w, h box `inner` that lies inside `outer`."""
    ix = max(0.0, min(inner[0] + inner[2], outer[0] + outer[2]) - max(inner[0], outer[0]))
    iy = max(0.0, min(inner[1] + inner[3], outer[1] + outer[3]) - max(inner[1], outer[1]))
    return ix * iy / max(inner[2] * inner[3], 1e-9)


def _same_detection(a: Detection, b: Detection, centre_frac: float = 0.25) -> bool:
    """Same hip centre and a similar body scale (face boxes cannot tell: fixed size)."""
    scale_a = float(np.linalg.norm(a.keypoints[1] - a.keypoints[0]))
    scale_b = float(np.linalg.norm(b.keypoints[1] - b.keypoints[0]))
    if min(scale_a, scale_b) <= 0 or max(scale_a, scale_b) > 2 * min(scale_a, scale_b):
        return False
    gap = float(np.linalg.norm(a.keypoints[0] - b.keypoints[0]))
    return gap < centre_frac * max(scale_a, scale_b)


def _dedupe(dets: list[Detection]) -> list[Detection]:
    kept: list[Detection] = []
    for det in sorted(dets, key=lambda d: -d.score):
        if not any(_same_detection(det, k) for k in kept):
            kept.append(det)
    return kept


def _detect_tiles(detect_all: DetectAll, image_rgb: NDArray[np.uint8]) -> list[Detection]:
    """Detections from TILE_GRID x TILE_GRID overlapping tiles, in full-image px."""
    height, width = image_rgb.shape[:2]
    tile_w, tile_h = math.ceil(width * TILE_FRACTION), math.ceil(height * TILE_FRACTION)
    found: list[Detection] = []
    for y in _origins(height, tile_h):
        for x in _origins(width, tile_w):
            tile = np.ascontiguousarray(image_rgb[y:y + tile_h, x:x + tile_w])
            shift = np.array([x, y], dtype=np.float64)
            found += [Detection(d.box + np.tile(shift, 2), d.score, d.keypoints + shift)
                      for d in detect_all(tile)[0]]
    return found


def _origins(length: int, tile: int) -> list[int]:
    step = (length - tile) / (TILE_GRID - 1)
    return [round(i * step) for i in range(TILE_GRID)]
