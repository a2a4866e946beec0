"""Which way the camera looks at the lifter, from 2D keypoints alone.

Conventions (pinned by tests/form/test_view.py):
- yaw_deg is the camera's angle around the lifter, seen from above: 0 = front (camera faces
  the lifter), +90 = the lifter's LEFT side, -90 = the lifter's RIGHT side, +-180 = behind.
  For a lifter lying on a bench, "front" is the camera at the feet end.
- view: "front" when |yaw| < 30 deg, "left" for 55..125 deg, "right" for -125..-55 deg,
  "oblique" otherwise. Rear views (|yaw| > 145 deg) are reported as "front": the same widths
  show, mirrored, and `yaw_deg` still says +-180.

Method
------
1. Body scale (pixels per metre): each segment's length divided by its typical length (torso
   0.50 m, thigh 0.43, shank 0.43, upper arm 0.325, forearm 0.255), then the mean of the three
   largest. The largest are the least foreshortened, so this works for upright and lying
   lifters alike; averaging three tames one odd segment.
2. |cos(yaw)| = shoulder width / (0.385 m x scale), and the same for the hips (0.22 m);
   the shoulders count twice (hip points are placed less consistently by annotators).
   Widths across the body shrink with cos(yaw); in a side view the shoulders overlap.
   The sign comes from the left/right order: the lifter's left shoulder is on the image RIGHT
   when the camera is in front (positive cos), on the image left from behind.
3. The sign of sin(yaw) (left vs right side) comes from where the lifter faces in the image:
   seen from the lifter's left, the lifter faces image-left. Cues, each in [-1, 1]:
   nose ahead of the ears, nose ahead of the shoulders, knees ahead of the hip-ankle line, and
   for a lifter lying horizontally (torso within 35 deg of horizontal, legs beyond the hips)
   the head-to-feet direction (a bench lifter's "forward" is the feet). A weak tie-breaker
   is that the near side's joints score higher (the far side is occluded).
4. yaw = atan2(sign * sqrt(1 - cos^2), cos).

Confidence is in [0, 1]: how far the yaw is from the nearest class boundary (full at 15 deg or
more), times the fraction of the shoulder and hip joints present, times, for side views, how
clear the facing cue is.

Limits: assumes typical adult proportions (+-15 % shifts cos by as much; hence the 30/55 deg
margins, erring toward "oblique", which judges less). On synthetic lifters with random bodies,
about 1 in 15 true 45 deg views still reads as "front". A twisted torso, a lifter turned at the
hips, or a head turned toward the camera biases it. Without shoulders and hips the estimate
is "oblique" with confidence 0, which makes every width pair "not judgeable" (the safe side).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from coach.core import body
from coach.core.keypoints import Joint, Keypoints

J = Joint

# |yaw| below this: front. Widths shrink by cos(yaw): at most 13 % at 30 deg, which the width
# bands absorb; a 45 deg view mistaken for front would read widths 29 % narrow (false valgus).
FRONT_MAX_DEG = 30.0
SIDE_MIN_DEG = 55.0  # |yaw| in [55, 125]: side
SIDE_MAX_DEG = 125.0
REAR_MIN_DEG = 145.0  # |yaw| above this: behind, reported as front
FULL_CONFIDENCE_MARGIN_DEG = 15.0

# Typical lengths of an adult, metres (coach.core.body).
_SEGMENTS_M: tuple[tuple[Joint, Joint, Joint, Joint, float], ...] = (
    (J.LEFT_HIP, J.LEFT_KNEE, J.RIGHT_HIP, J.RIGHT_KNEE, body.TYPICAL_THIGH_M),
    (J.LEFT_KNEE, J.LEFT_ANKLE, J.RIGHT_KNEE, J.RIGHT_ANKLE, body.TYPICAL_SHANK_M),
    (J.LEFT_SHOULDER, J.LEFT_ELBOW, J.RIGHT_SHOULDER, J.RIGHT_ELBOW, body.TYPICAL_UPPER_ARM_M),
    (J.LEFT_ELBOW, J.LEFT_WRIST, J.RIGHT_ELBOW, J.RIGHT_WRIST, body.TYPICAL_FOREARM_M),
)
_TORSO_M = body.TYPICAL_TORSO_M
_SHOULDER_WIDTH_M = body.TYPICAL_SHOULDER_WIDTH_M
_HIP_WIDTH_M = body.TYPICAL_HIP_WIDTH_M
_SCALE_TOP_N = 3  # average the 3 least-foreshortened segments: one segment is too noisy
_LYING_MAX_TILT_DEG = 35.0


@dataclass(frozen=True)
class ViewEstimate:
    """The camera's view of the lifter. See the module docstring for the conventions."""

    view: str  # "front" | "left" | "right" | "oblique"
    yaw_deg: float  # NaN when it could not be estimated
    confidence: float  # [0, 1]


UNKNOWN_VIEW = ViewEstimate("oblique", float("nan"), 0.0)


def view_from_yaw(yaw_deg: float) -> str:
    """The view class of a yaw angle in degrees (see the module docstring)."""
    a = abs((yaw_deg + 180.0) % 360.0 - 180.0)
    if a < FRONT_MAX_DEG or a > REAR_MIN_DEG:
        return "front"
    if SIDE_MIN_DEG <= a <= SIDE_MAX_DEG:
        return "left" if ((yaw_deg + 180.0) % 360.0 - 180.0) > 0 else "right"
    return "oblique"


def _boundary_margin_deg(yaw_deg: float) -> float:
    a = abs((yaw_deg + 180.0) % 360.0 - 180.0)
    edges = (FRONT_MAX_DEG, SIDE_MIN_DEG, SIDE_MAX_DEG, REAR_MIN_DEG)
    return min(abs(a - e) for e in edges)


def _mid(p: NDArray[np.float64], a: Joint, b: Joint) -> NDArray[np.float64]:
    """Midpoint of a and b; whichever is present when one is missing; NaN when both are."""
    pts = p[[a, b]]
    ok = np.isfinite(pts).all(axis=1)
    return pts[ok].mean(axis=0) if ok.any() else np.full(2, np.nan)


def body_scale_px_per_m(p: NDArray[np.float64]) -> float:
    """Pixels per metre from (17, 2) points: the mean of the 3 largest segment ratios
    (length px / typical length m; left and right averaged); NaN if no segment is present."""
    ratios = []
    for a1, b1, a2, b2, length_m in _SEGMENTS_M:
        sides = [np.linalg.norm(p[b] - p[a]) / length_m for a, b in ((a1, b1), (a2, b2))]
        finite = [r for r in sides if np.isfinite(r)]
        if finite:
            ratios.append(float(np.mean(finite)))
    torso = _mid(p, J.LEFT_SHOULDER, J.RIGHT_SHOULDER) - _mid(p, J.LEFT_HIP, J.RIGHT_HIP)
    ratios.append(float(np.linalg.norm(torso)) / _TORSO_M)
    top = sorted((r for r in ratios if np.isfinite(r) and r > 0), reverse=True)[:_SCALE_TOP_N]
    return float(np.mean(top)) if top else float("nan")


def _cos_yaw(p: NDArray[np.float64], scale: float) -> tuple[float, float]:
    """(signed cos(yaw), fraction of shoulder/hip joints present)."""
    estimates = []
    for left, right, width_m in (
        (J.LEFT_SHOULDER, J.RIGHT_SHOULDER, _SHOULDER_WIDTH_M),
        (J.LEFT_HIP, J.RIGHT_HIP, _HIP_WIDTH_M),
    ):
        v = p[left] - p[right]
        if np.isfinite(v).all():
            sign = 1.0 if v[0] >= 0 else -1.0  # left joint on the image right: camera in front
            est = sign * min(1.0, float(np.linalg.norm(v)) / (width_m * scale))
            estimates += [est, est] if left == J.LEFT_SHOULDER else [est]
    present = float(np.isfinite(p[[J.LEFT_SHOULDER, J.RIGHT_SHOULDER, J.LEFT_HIP, J.RIGHT_HIP]])
                    .all(axis=1).mean())
    return (float(np.mean(estimates)) if estimates else float("nan")), present


def _is_lying(
    p: NDArray[np.float64], torso: NDArray[np.float64], hip: NDArray[np.float64], scale: float
) -> bool:
    """Torso within 35 deg of horizontal AND the legs on the far side of the hips from the
    shoulders (a bent-over deadlifter's feet are under him, on the shoulders' side)."""
    if not (np.isfinite(torso).all() and np.linalg.norm(torso) > 0.25 * _TORSO_M * scale):
        return False
    tilt = math.degrees(math.atan2(abs(torso[1]), abs(torso[0])))
    legs = _mid(p, J.LEFT_ANKLE, J.RIGHT_ANKLE)
    if not np.isfinite(legs).all():
        legs = _mid(p, J.LEFT_KNEE, J.RIGHT_KNEE)
    beyond = bool(np.isfinite(legs).all() and (legs[0] - hip[0]) * torso[0] < 0)
    return tilt < _LYING_MAX_TILT_DEG and beyond


def _facing_x(p: NDArray[np.float64], score: NDArray[np.float64], scale: float) -> float:
    """Where the lifter faces along image x, in [-1, 1] (negative: faces image-left)."""
    sh = _mid(p, J.LEFT_SHOULDER, J.RIGHT_SHOULDER)
    hip = _mid(p, J.LEFT_HIP, J.RIGHT_HIP)
    torso = sh - hip
    cues: list[float] = []
    if _is_lying(p, torso, hip, scale):  # lying: forward = toward the feet
        cues.append(float(np.clip(-torso[0] / (0.3 * scale), -1, 1)))
    if not cues:
        nose = p[J.NOSE]
        ears = _mid(p, J.LEFT_EAR, J.RIGHT_EAR)
        cues.append(float(np.clip((nose[0] - ears[0]) / (0.08 * scale), -1, 1)))
        cues.append(float(np.clip((nose[0] - sh[0]) / (0.12 * scale), -1, 1)))
        knees = _mid(p, J.LEFT_KNEE, J.RIGHT_KNEE)
        line = (hip + _mid(p, J.LEFT_ANKLE, J.RIGHT_ANKLE)) / 2
        cues.append(float(np.clip((knees[0] - line[0]) / (0.15 * scale), -1, 1)))
    finite = [c for c in cues if np.isfinite(c)]
    facing = float(np.mean(finite)) if finite else 0.0
    if abs(facing) < 0.2:  # weak tie-breaker: the near side scores higher (far side occluded)
        left = np.nanmean(score[[J.LEFT_SHOULDER, J.LEFT_HIP, J.LEFT_KNEE, J.LEFT_ANKLE]])
        right = np.nanmean(score[[J.RIGHT_SHOULDER, J.RIGHT_HIP, J.RIGHT_KNEE, J.RIGHT_ANKLE]])
        facing += float(np.clip(right - left, -0.2, 0.2))  # left nearer: faces image-left
    return facing


def estimate_view(kp: Keypoints, t: int = 0) -> ViewEstimate:
    """Estimate the camera's view of the lifter in frame t (method in the module docstring).

    Args:
        kp: keypoints in pixels, y down, NaN for missing joints.
        t: frame index.

    Returns:
        ViewEstimate(view, yaw_deg in (-180, 180], confidence in [0, 1]); `UNKNOWN_VIEW`
        ("oblique", NaN, 0.0) when the shoulders, hips and limbs are missing.
    """
    p = kp.xy[t].astype(np.float64)
    score = kp.score[t].astype(np.float64)
    scale = body_scale_px_per_m(p)
    if not np.isfinite(scale):
        return UNKNOWN_VIEW
    cos_yaw, present = _cos_yaw(p, scale)
    if not np.isfinite(cos_yaw):
        return UNKNOWN_VIEW
    facing = _facing_x(p, score, scale)
    sin_mag = math.sqrt(max(0.0, 1.0 - cos_yaw**2))
    sign = -1.0 if facing > 0 else 1.0  # faces image-left: camera at the lifter's left (+yaw)
    yaw = math.degrees(math.atan2(sign * sin_mag, cos_yaw))
    view = view_from_yaw(yaw)
    margin = min(1.0, _boundary_margin_deg(yaw) / FULL_CONFIDENCE_MARGIN_DEG)
    confidence = present * (0.5 + 0.5 * margin)
    if view in ("left", "right"):
        confidence *= min(1.0, 0.4 + abs(facing))
    return ViewEstimate(view, round(yaw, 2), round(float(np.clip(confidence, 0, 1)), 3))
