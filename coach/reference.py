"""The reference rep a clip is compared with: the shipped gold, or a coach's recorded good set.

A `ReferenceRep` holds what both comparisons need: angle traces of one rep for DTW
(`coach.align`), and the start and bottom poses with their limits for GyML's per-rep check
(`coach.rep_check`, which documents the pose and the difference).

Where each limit comes from (the largest difference seen within the reference itself):
- **Shipped gold** (`gold_reference`): the gold lifter of `coach.synth` (textbook angles,
  default body). Its spread is measured on `GOLD_SPREAD_LIFTERS` plausible good lifters drawn
  with a fixed seed (`GOLD_SPREAD_SEED`): a random body (`random_body`, +-10 % segments) in the
  lift's good posture with one SD of natural variation (`phase_pose(variation=1.0)`). The
  limit per position is the largest difference of one of them from the gold pose, floored at
  `MIN_LIMIT_DEG`. Angles are 3D (the gold has exact world points).
- **A coach's recorded set** (`reference_from_clip`): the reference pose per position is the
  per-angle median over the set's reps, and the limit is the largest difference of one of the
  set's own reps from it (floored the same way; one rep alone gives the floor). The DTW traces
  are the most typical rep's (smallest summed difference from the median poses), or the rep
  the coach picks. Angles are the same kind the lifter's clip is compared on (3D when the
  backend gives world points, else 2D), because both go through `analyze_video`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from coach.angles import angle_traces, compute_angles
from coach.errors import BadVideo
from coach.keypoints import Keypoints
from coach.rep_check import (
    POSITIONS,
    check_angles_for,
    pose_at,
    pose_difference,
    reps_frames,
    spread_limit,
)
from coach.reps import key_angle_trace

if TYPE_CHECKING:
    from coach.clip import ClipAnalysis

REFERENCE_FRAMES = 60
GOLD_SPREAD_SEED = 7
GOLD_SPREAD_LIFTERS = 200


@dataclass(frozen=True, eq=False)
class ReferenceRep:
    """One reference rep (see the module docstring).

    Attributes:
        lift: "squat", "deadlift" or "bench".
        source: "gold" or e.g. "coach clip ref.mp4, rep 2".
        traces: angle name -> (M,) degrees over the reference rep, for DTW.
        poses: position ("start", "bottom") -> {angle name: degrees}.
        limits_deg: position -> the largest allowed pose difference (degrees).
        spread_deg: position -> the largest difference seen within the reference (NaN if none).
        angles_3d: whether the angles are 3D (world points) or 2D image angles.
        skeletons: position -> the reference's keypoints there (T=1), when it has real ones.
    """

    lift: str
    source: str
    traces: Mapping[str, NDArray[np.float64]]
    poses: Mapping[str, Mapping[str, float]]
    limits_deg: Mapping[str, float]
    spread_deg: Mapping[str, float]
    angles_3d: bool
    skeletons: Mapping[str, Keypoints] = field(default_factory=dict)


def _gold_angles(lift: str, progress: float, body: Any = None, rng: Any = None) -> dict[str, float]:
    from coach.synth import Body, Camera, phase_pose, pose_world, project

    pose = phase_pose(lift, progress, rng=rng, variation=0.0 if rng is None else 1.0)
    world = pose_world(lift, pose, Body() if body is None else body)
    return compute_angles(project(world, Camera()), use_3d=True)


def _gold_progress(lift: str) -> dict[str, float]:
    """Position -> progress between the lift's phases (0 or 1) for the gold lifter."""
    first, second = (lift_key_angle(_gold_angles(lift, p), lift) for p in (0.0, 1.0))
    top = 0.0 if first >= second else 1.0
    return {"start": top, "bottom": 1.0 - top}


def lift_key_angle(pose: Mapping[str, float], lift: str) -> float:
    """The rep-counting key angle of one pose (see `coach.reps.key_angle_trace`)."""
    trace = {name: np.array([value]) for name, value in pose.items()}
    return float(key_angle_trace(trace, lift)[0])


@lru_cache(maxsize=8)
def gold_reference(lift: str, n_frames: int = REFERENCE_FRAMES) -> ReferenceRep:
    """The shipped gold rep of `lift` with its limits (see the module docstring).

    The traces sweep the gold lifter's 3D angles from the lift's first phase to the second and
    back (deadlift: floor -> lockout -> floor) in `n_frames` samples.
    """
    from coach.synth import random_body

    check_angles_for(lift)
    sweep = np.concatenate([np.linspace(0, 1, n_frames // 2), np.linspace(1, 0, n_frames // 2)])
    rows = [_gold_angles(lift, float(p)) for p in sweep]
    traces = {name: np.array([r[name] for r in rows]) for name in rows[0]}
    progress = _gold_progress(lift)
    poses = {pos: _gold_angles(lift, p) for pos, p in progress.items()}
    angles = check_angles_for(lift)
    rng = np.random.default_rng(GOLD_SPREAD_SEED)
    diffs: dict[str, list[float]] = {pos: [] for pos in POSITIONS}
    for _ in range(GOLD_SPREAD_LIFTERS):
        body = random_body(rng)
        for pos in POSITIONS:
            good = _gold_angles(lift, progress[pos], body, rng)
            diffs[pos].append(pose_difference(good, poses[pos], angles).distance_deg)
    spread = {pos: spread_limit(d) for pos, d in diffs.items()}
    return ReferenceRep(
        lift, "gold", traces, poses, {p: s[1] for p, s in spread.items()},
        {p: s[0] for p, s in spread.items()}, angles_3d=True,
    )  # fmt: skip


def gold_skeleton(lift: str, position: str, yaw_deg: float = 90.0) -> Keypoints:
    """The gold lifter at `position` seen from `yaw_deg` (90 = the lifter's left side), in the
    pixels of `coach.synth.Camera`'s default image."""
    from coach.synth import Body, Camera, phase_pose, pose_world, project

    yaw = yaw_deg if math.isfinite(yaw_deg) else 90.0
    world = pose_world(lift, phase_pose(lift, _gold_progress(lift)[position]), Body())
    return project(world, Camera(yaw_deg=yaw))


def reference_skeleton(reference: ReferenceRep, position: str, yaw_deg: float) -> Keypoints:
    """The reference's keypoints at `position`: its own when it has them, else the gold lifter
    seen from the lifter's view (`yaw_deg`, see `coach.view`)."""
    if position in reference.skeletons:
        return reference.skeletons[position]
    return gold_skeleton(reference.lift, position, yaw_deg)


def comparison_traces(kp: Keypoints, traces_2d: Mapping[str, NDArray[np.float64]]) -> dict[
    str, NDArray[np.float64]
]:
    """The angles reps are compared on: 3D when the keypoints have world points (like the gold),
    else the 2D image angles."""
    return angle_traces(kp) if kp.world_xyz is not None else dict(traces_2d)


def reference_from_clip(
    analysis: ClipAnalysis, *, rep_index: int | None = None, name: str = "coach clip"
) -> ReferenceRep:
    """A coach's recorded good set as the reference (see the module docstring).

    Args:
        analysis: `analyze_video` of the good set (its lift must be known).
        rep_index: 0-based rep whose traces become the DTW reference; None = the most typical.
        name: how the source is named (e.g. the file name).

    Raises:
        BadVideo: the clip's lift is unknown or it shows no complete rep.
    """
    lift = analysis.lift.label
    if lift not in ("squat", "deadlift", "bench") or not analysis.reps:
        raise BadVideo(
            f"{name} shows no complete rep of a known lift, so it cannot be the reference: "
            "film the whole body through at least one full rep, or choose the lift."
        )
    angles = check_angles_for(lift)
    traces = comparison_traces(analysis.keypoints, analysis.traces)
    key = key_angle_trace(analysis.traces, lift)
    frames = reps_frames([v.rep for v in analysis.reps], key)
    rep_poses = [{pos: pose_at(traces, f[pos]) for pos in POSITIONS} for f in frames]
    poses = {pos: _median_pose([p[pos] for p in rep_poses], angles) for pos in POSITIONS}
    dist = [[pose_difference(p[pos], poses[pos], angles).distance_deg for pos in POSITIONS]
            for p in rep_poses]  # fmt: skip
    spread = {pos: spread_limit([d[k] for d in dist]) for k, pos in enumerate(POSITIONS)}
    if rep_index is None:
        rep_index = int(np.argmin([np.nansum(d) for d in dist]))
    if not 0 <= rep_index < len(analysis.reps):
        raise BadVideo(f"{name} has {len(analysis.reps)} reps; there is no rep {rep_index + 1}")
    rep = analysis.reps[rep_index].rep
    window = slice(rep.start_frame, rep.end_frame + 1)
    return ReferenceRep(
        lift, f"{name}, rep {rep_index + 1}", {n: t[window].copy() for n, t in traces.items()},
        poses, {p: s[1] for p, s in spread.items()}, {p: s[0] for p, s in spread.items()},
        angles_3d=analysis.keypoints.world_xyz is not None,
        skeletons={pos: analysis.keypoints.frame(frames[rep_index][pos]) for pos in POSITIONS},
    )  # fmt: skip


def _median_pose(poses: list[dict[str, float]], angles: tuple[str, ...]) -> dict[str, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an angle never seen stays NaN
        return {a: float(np.nanmedian([p.get(a, math.nan) for p in poses])) for a in angles}
