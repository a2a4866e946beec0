"""GyML's statistical per-rep check: each rep's start and bottom poses against a reference's.

DESIGN.md, source 2: compare each rep's start pose and mid pose with the gold video's; the
limit is the largest difference seen WITHIN the gold itself, and feedback names the rep and
where in the rep the fault was. Our choices, written once here (pinned by
tests/reps/test_check.py):

- **Pose** = the lift's key joint angles (`CHECK_ANGLES`, names of `coach.core.angles`), in
  degrees, not normalised keypoints: angles do not depend on the lifter's size, the framing or
  (in 3D) the camera, so a coach's reference filmed elsewhere still compares.
- **Positions.** "start" = the top of the rep (standing tall, lockout): the frame with the
  largest key angle between the previous rep's bottom and the next rep's bottom (the clip's
  ends when there is none; live, up to this rep's lockout). The rep's own start frame is the
  last frame in the top zone, up to 30° below full lockout, so it is not used. For a deadlift
  that starts on the floor this is the lockout that ends the rep. "bottom" = the rep's
  deepest frame (`Rep.bottom_frame`), GyML's mid-rep.
- **Difference** between two poses = the RMS of the angle differences over the angles known in
  both (the analogue of GyML's L2 norm, in degrees so a coach can read it). NaN when no angle
  is known in both: then the position is not judged.
- **Limit** = the largest difference seen within the reference (`coach.reps.reference` documents
  how for the shipped gold and for a coach's recorded set), but never below `MIN_LIMIT_DEG`:
  2D/3D pose models measure joint angles to within 4-10 deg (OpenCap's published error), so a
  smaller difference is not evidence of a fault.
- A position is **flagged** when its difference exceeds the limit; the feedback names the
  angle that differs most and the direction, e.g. "rep 3: at the bottom, left knee 24° more
  bent than the reference (pose 17° off, limit 10°)".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from coach.reps.types import Rep

# Angles of the pose per lift: the joints that move in the lift, plus the trunk for the
# standing lifts (a chest that falls forward at the bottom is the squat's classic fault).
CHECK_ANGLES: dict[str, tuple[str, ...]] = {
    "squat": ("left_knee", "right_knee", "left_hip", "right_hip", "trunk_lean"),
    "deadlift": ("left_hip", "right_hip", "left_knee", "right_knee", "trunk_lean"),
    "bench": ("left_elbow", "right_elbow", "left_shoulder", "right_shoulder"),
}
POSITIONS: tuple[str, ...] = ("start", "bottom")
# Degrees. Published 2D/3D joint-angle error of markerless pose is 4-10 deg (OpenCap); a pose
# closer than this to the reference is within measurement error, whatever the reference's spread.
MIN_LIMIT_DEG = 10.0

# name -> (words, what a positive difference means, what a negative one means); a difference
# is lifter minus reference.
_ANGLE_WORDS: dict[str, tuple[str, str, str]] = {
    "left_knee": ("left knee", "straighter", "more bent"),
    "right_knee": ("right knee", "straighter", "more bent"),
    "left_hip": ("left hip", "more open", "more folded"),
    "right_hip": ("right hip", "more open", "more folded"),
    "left_elbow": ("left elbow", "straighter", "more bent"),
    "right_elbow": ("right elbow", "straighter", "more bent"),
    "left_shoulder": ("left arm", "further from the body", "closer to the body"),
    "right_shoulder": ("right arm", "further from the body", "closer to the body"),
    "trunk_lean": ("trunk", "leaning further forward", "more upright"),
}
_POSITION_WORDS = {"start": "at the start", "bottom": "at the bottom"}


def check_angles_for(lift: str) -> tuple[str, ...]:
    """The pose angles of `lift` (see `CHECK_ANGLES`); ValueError for an unknown lift."""
    if lift not in CHECK_ANGLES:
        raise ValueError(f"unknown lift {lift!r}; valid: {', '.join(sorted(CHECK_ANGLES))}")
    return CHECK_ANGLES[lift]


def angle_words(name: str, diff_deg: float) -> str:
    """e.g. 'left knee 24° more bent' for a difference (lifter - reference) of -24°."""
    label, more, less = _ANGLE_WORDS.get(name, (name.replace("_", " "), "larger", "smaller"))
    return f"{label} {abs(diff_deg):.0f}° {more if diff_deg > 0 else less}"


@dataclass(frozen=True)
class PoseDifference:
    """How far one pose is from another.

    Attributes:
        distance_deg: RMS of the angle differences over the angles known in both; NaN if none.
        diffs_deg: angle name -> lifter minus reference, degrees (only angles known in both).
    """

    distance_deg: float
    diffs_deg: Mapping[str, float]

    @property
    def worst(self) -> tuple[str, float] | None:
        """(angle name, signed difference) of the largest absolute difference, if any."""
        if not self.diffs_deg:
            return None
        name = max(self.diffs_deg, key=lambda n: abs(self.diffs_deg[n]))
        return name, self.diffs_deg[name]


def pose_difference(
    pose: Mapping[str, float], reference: Mapping[str, float], angles: tuple[str, ...]
) -> PoseDifference:
    """The difference of `pose` from `reference` over `angles` (see the module docstring)."""
    diffs = {
        name: float(pose[name]) - float(reference[name])
        for name in angles
        if name in pose and name in reference
        and math.isfinite(pose[name]) and math.isfinite(reference[name])
    }  # fmt: skip
    if not diffs:
        return PoseDifference(math.nan, {})
    rms = math.sqrt(sum(d * d for d in diffs.values()) / len(diffs))
    return PoseDifference(rms, diffs)


def spread_limit(differences_deg: list[float]) -> tuple[float, float]:
    """(largest finite difference, limit = max(that, MIN_LIMIT_DEG)); the spread is NaN (and the
    limit the floor) when there is no finite difference."""
    finite = [d for d in differences_deg if math.isfinite(d)]
    spread = max(finite) if finite else math.nan
    return spread, max(spread, MIN_LIMIT_DEG) if finite else MIN_LIMIT_DEG


@dataclass(frozen=True)
class PositionCheck:
    """One position of one rep against the reference.

    Attributes:
        position: "start" or "bottom".
        frame: the rep's frame that was checked (index into the clip's traces).
        difference: the pose difference (degrees).
        limit_deg: the reference's limit for this position.
    """

    position: str
    frame: int
    difference: PoseDifference
    limit_deg: float

    @property
    def flagged(self) -> bool:
        """The pose differs from the reference by more than the limit."""
        return math.isfinite(self.difference.distance_deg) and (
            self.difference.distance_deg > self.limit_deg
        )

    @property
    def confidence(self) -> float:
        """How far past the limit, in [0, 1): 1 - limit / difference (0 when not flagged)."""
        return 1.0 - self.limit_deg / self.difference.distance_deg if self.flagged else 0.0

    def words(self) -> str:
        """e.g. 'at the bottom, left knee 24° more bent than the reference (pose 17° off,
        limit 10°)'; '' when not flagged."""
        worst = self.difference.worst
        if not self.flagged or worst is None:
            return ""
        return (
            f"{_POSITION_WORDS.get(self.position, self.position)}, {angle_words(*worst)} than "
            f"the reference (pose {self.difference.distance_deg:.0f}° off, "
            f"limit {self.limit_deg:.0f}°)"
        )


@dataclass(frozen=True)
class RepCheck:
    """GyML's check of one rep: its start and bottom positions."""

    positions: tuple[PositionCheck, ...]

    @property
    def flagged(self) -> tuple[PositionCheck, ...]:
        return tuple(p for p in self.positions if p.flagged)

    def get(self, position: str) -> PositionCheck | None:
        return next((p for p in self.positions if p.position == position), None)


def pose_at(traces: Mapping[str, NDArray[np.floating[Any]]], frame: int) -> dict[str, float]:
    """{angle name: degrees} of one frame of angle traces."""
    return {name: float(trace[frame]) for name, trace in traces.items()}


def rep_frames(
    rep: Rep, key_trace_deg: NDArray[np.floating[Any]], *, lo: int | None = None,
    hi: int | None = None,
) -> dict[str, int]:  # fmt: skip
    """{"start": top frame, "bottom": deepest frame} of a rep (see the module docstring).

    Args:
        rep: the rep; its frames index `key_trace_deg`.
        key_trace_deg: (T,) the key angle (`coach.reps.segment.key_angle_trace`).
        lo, hi: the window searched for the top, inclusive: the previous and next reps'
            bottom frames; default the whole trace.
    """
    key = np.asarray(key_trace_deg, dtype=np.float64)
    first = 0 if lo is None else max(0, lo)
    last = len(key) - 1 if hi is None else min(len(key) - 1, hi)
    window = key[first : last + 1]
    top = rep.start_frame
    if window.size and np.isfinite(window).any():
        top = first + int(np.nanargmax(window))
    return {"start": top, "bottom": rep.bottom_frame}


def reps_frames(reps: list[Rep], key_trace_deg: NDArray[np.floating[Any]]) -> list[dict[str, int]]:
    """`rep_frames` of every rep of a clip, each searched between its neighbours' bottoms."""
    bottoms = [r.bottom_frame for r in reps]
    return [
        rep_frames(r, key_trace_deg, lo=bottoms[k - 1] + 1 if k else None,
                   hi=bottoms[k + 1] - 1 if k + 1 < len(reps) else None)
        for k, r in enumerate(reps)
    ]  # fmt: skip


def check_rep(
    poses: Mapping[str, Mapping[str, float]],
    frames: Mapping[str, int],
    reference_poses: Mapping[str, Mapping[str, float]],
    limits_deg: Mapping[str, float],
    angles: tuple[str, ...],
) -> RepCheck:
    """Check one rep's positions against the reference's.

    Args:
        poses: position ("start", "bottom") -> the rep's pose {angle: degrees}.
        frames: position -> the frame each pose was taken from.
        reference_poses: position -> the reference's pose.
        limits_deg: position -> the reference's limit (degrees).
        angles: the angles compared, e.g. `CHECK_ANGLES[lift]`.

    Returns:
        `RepCheck` with one `PositionCheck` per position present in both.
    """
    checks = tuple(
        PositionCheck(
            position, int(frames[position]),
            pose_difference(poses[position], reference_poses[position], angles),
            float(limits_deg[position]),
        )
        for position in POSITIONS
        if position in poses and position in reference_poses
    )  # fmt: skip
    return RepCheck(checks)
