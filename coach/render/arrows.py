"""Training Pose's arrows: from the lifter's joint toward where the reference would have it.

DESIGN.md, source 4: after DTW, arrows go from the user's joint to the target's joint (knees
for squats, ...). We have no target skeleton in the lifter's image, so we compute one:

For an angle (a, vertex, c) of `coach.core.angles.ANGLE_SPECS` that differs from the reference by
`diff` degrees (reference minus lifter, at the DTW-aligned step), the `moved` joint of
`ARROW_SPECS` is rotated about its `pivot` in the image until the 2D included angle at the
vertex has changed by `diff` (clipped to [0, 180]), with every other segment keeping its
direction. E.g. the knee (hip-knee-ankle): the thigh turns about the hip and the shank keeps
its direction, so the arrow starts at the knee and ends where the knee would be with the
reference's knee angle. Image angles change by the difference measured in the comparison's
angles (3D when the backend gives world points): the arrow shows the direction and roughly
the size of the correction, not a measured target position.

Geometry (2D, any axis orientation): one ray of the angle turns by delta about the pivot and
the other keeps its direction. With phi the signed angle from the fixed ray to the turning
ray, the included angle after the turn is |phi + delta|; keeping the limb bent to the same
side, delta = sign(phi) * target - phi.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from coach.core.angles import ANGLE_SPECS
from coach.core.keypoints import Joint, Keypoints

J = Joint
# Angles smaller than this are not worth an arrow (within measurement error).
MIN_ARROW_DEG = 5.0


@dataclass(frozen=True)
class ArrowSpec:
    """Which joint an angle's arrow moves (`moved`), rotating about which joint (`pivot`)."""

    angle: str
    moved: Joint
    pivot: Joint


ARROW_SPECS: dict[str, ArrowSpec] = {
    spec.angle: spec
    for spec in (
        ArrowSpec("left_knee", J.LEFT_KNEE, J.LEFT_HIP),  # thigh turns about the hip
        ArrowSpec("right_knee", J.RIGHT_KNEE, J.RIGHT_HIP),
        ArrowSpec("left_elbow", J.LEFT_ELBOW, J.LEFT_SHOULDER),  # upper arm about the shoulder
        ArrowSpec("right_elbow", J.RIGHT_ELBOW, J.RIGHT_SHOULDER),
        ArrowSpec("left_hip", J.LEFT_HIP, J.LEFT_KNEE),  # hips rise or sink about the knee
        ArrowSpec("right_hip", J.RIGHT_HIP, J.RIGHT_KNEE),
        ArrowSpec("left_shoulder", J.LEFT_ELBOW, J.LEFT_SHOULDER),  # arm swings at the shoulder
        ArrowSpec("right_shoulder", J.RIGHT_ELBOW, J.RIGHT_SHOULDER),
    )
}
_ANGLES = {spec.name: spec for spec in ANGLE_SPECS}


@dataclass(frozen=True)
class JointArrow:
    """One arrow in image pixels: from `start_xy` (the lifter's joint) to `end_xy`."""

    angle: str
    joint: Joint
    start_xy: tuple[float, float]
    end_xy: tuple[float, float]
    diff_deg: float


def _rot(v: NDArray[np.float64], delta_rad: float) -> NDArray[np.float64]:
    c, s = math.cos(delta_rad), math.sin(delta_rad)
    return np.array([c * v[0] - s * v[1], s * v[0] + c * v[1]])


def _signed(fixed: NDArray[np.float64], turning: NDArray[np.float64]) -> float:
    cross = fixed[0] * turning[1] - fixed[1] * turning[0]
    return math.atan2(cross, float(fixed @ turning))


def corrected_position(
    xy: NDArray[np.floating[Any]], angle: str, diff_deg: float
) -> NDArray[np.float64] | None:
    """Where `ARROW_SPECS[angle].moved` goes when the 2D angle changes by `diff_deg`.

    Args:
        xy: (17, 2) one frame's keypoints in pixels (NaN = missing).
        angle: a name in `ARROW_SPECS`.
        diff_deg: reference minus lifter, degrees; the new angle is clipped to [0, 180].

    Returns:
        (2,) the moved joint's new position, or None when a needed joint is missing.
    """
    arrow, spec = ARROW_SPECS[angle], _ANGLES[angle]
    pts = np.asarray(xy, dtype=np.float64)
    a, v, c = pts[spec.a], pts[spec.vertex], pts[spec.c]
    moved, pivot = pts[arrow.moved], pts[arrow.pivot]
    if not all(np.isfinite(p).all() for p in (a, v, c)):
        return None
    # The ray that turns is the one toward the end the rotation moves: toward `a` when the
    # vertex turns about `a` or `a` turns about the vertex; toward `c` otherwise.
    turning_end = a if spec.a in (arrow.moved, arrow.pivot) else c
    fixed_end = c if turning_end is a else a
    turning, fixed = turning_end - v, fixed_end - v
    if np.linalg.norm(turning) == 0 or np.linalg.norm(fixed) == 0:
        return None
    phi = _signed(fixed, turning)
    target = math.radians(float(np.clip(abs(math.degrees(phi)) + diff_deg, 0.0, 180.0)))
    delta = math.copysign(target, phi if phi != 0 else 1.0) - phi
    new: NDArray[np.float64] = pivot + _rot(moved - pivot, delta)
    return new


def correction_arrows(
    frame: Keypoints,
    diffs_deg: Mapping[str, float],
    *,
    min_deg: float = MIN_ARROW_DEG,
) -> tuple[JointArrow, ...]:
    """Arrows for the angles in `diffs_deg` that differ by at least `min_deg`.

    Args:
        frame: the lifter's keypoints (T=1), pixels.
        diffs_deg: angle name -> reference minus lifter (degrees); names without an
            `ARROW_SPECS` entry or with NaN are skipped.
        min_deg: smaller differences get no arrow.

    Returns:
        One `JointArrow` per angle that could be drawn.
    """
    xy = frame.xy[0]
    out = []
    for name, diff in diffs_deg.items():
        if name not in ARROW_SPECS or not math.isfinite(diff) or abs(diff) < min_deg:
            continue
        end = corrected_position(xy, name, diff)
        if end is None:
            continue
        start = xy[ARROW_SPECS[name].moved].astype(np.float64)
        out.append(JointArrow(name, ARROW_SPECS[name].moved, (float(start[0]), float(start[1])),
                              (float(end[0]), float(end[1])), float(diff)))  # fmt: skip
    return tuple(out)


def aligned_differences(
    user: Mapping[str, NDArray[np.floating[Any]]],
    reference: Mapping[str, NDArray[np.floating[Any]]],
    path: list[tuple[int, int]],
    user_frame: int,
) -> dict[str, float]:
    """Reference minus lifter per angle at one frame of the lifter's rep, after DTW.

    Args:
        user: angle name -> (N,) the lifter's rep (the sequence DTW aligned as `a`).
        reference: angle name -> (M,) the reference rep (`b`).
        path: the DTW path, (i, j) pairs (`coach.reps.dtw.DtwResult.path`).
        user_frame: i, the frame of the lifter's rep.

    Returns:
        {angle: mean over the reference steps matched with `user_frame` of ref - user};
        angles missing from either side are left out.
    """
    steps = [j for i, j in path if i == user_frame]
    if not steps:
        return {}
    out = {}
    for name in user:
        if name not in reference:
            continue
        ref = float(np.mean(np.asarray(reference[name], dtype=np.float64)[steps]))
        out[name] = ref - float(user[name][user_frame])
    return out


def arrows_xy(arrows: tuple[JointArrow, ...]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(starts (N, 2), ends (N, 2)) for `coach.render.draw.draw_arrows`."""
    starts = np.array([a.start_xy for a in arrows], dtype=np.float64).reshape(-1, 2)
    ends = np.array([a.end_xy for a in arrows], dtype=np.float64).reshape(-1, 2)
    return starts, ends




