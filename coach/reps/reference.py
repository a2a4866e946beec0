"""The reference rep a clip is compared with: the shipped gold, or a coach's recorded good set.

A `ReferenceRep` holds what both comparisons need: angle traces of one rep for DTW
(`coach.reps.dtw`), and the start and bottom poses with their limits for GyML's per-rep check
(`coach.reps.check`, which documents the pose and the difference).

Where each limit comes from (the largest difference seen within the reference itself):
- **Shipped gold** (`gold_reference`): the gold lifter of `coach.synth.lifter` (textbook angles,
  default body), precomputed into gold_annotations/reference_reps.json by
  scripts/make_reference.py (`coach.synth.reference_data`). Its spread is measured on 200
  plausible good lifters drawn with a fixed seed (7): a random body (`random_body`, +-10 %
  segments) in the lift's good posture with one SD of natural variation
  (`phase_pose(variation=1.0)`). The limit per position is the largest difference of one of
  them from the gold pose, floored at `MIN_LIMIT_DEG`. Angles are 3D (the gold has exact world
  points).
- **A coach's recorded set** (`reference_from_reps`): the reference pose per position is the
  per-angle median over the set's reps, and the limit is the largest difference of one of the
  set's own reps from it (floored the same way; one rep alone gives the floor). The DTW traces
  are the most typical rep's (smallest summed difference from the median poses), or the rep
  the coach picks. Angles are the same kind the lifter's clip is compared on (3D when the
  backend gives world points, else 2D), because both go through `analyze_video`.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from coach.core.angles import angle_traces
from coach.core.errors import BadVideo, GoldAnnotationError
from coach.core.keypoints import Keypoints
from coach.core.lifts import LIFTS
from coach.reps.check import (
    POSITIONS,
    check_angles_for,
    pose_at,
    pose_difference,
    reps_frames,
    spread_limit,
)
from coach.reps.segment import key_angle_trace
from coach.reps.types import Rep


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


def lift_key_angle(pose: Mapping[str, float], lift: str) -> float:
    """The rep-counting key angle of one pose (see `coach.reps.segment.key_angle_trace`)."""
    trace = {name: np.array([value]) for name, value in pose.items()}
    return float(key_angle_trace(trace, lift)[0])


def reference_data_path() -> Path:
    """gold_annotations/reference_reps.json, written by scripts/make_reference.py."""
    return Path(__file__).resolve().parents[2] / "gold_annotations" / "reference_reps.json"


@lru_cache(maxsize=1)
def _reference_data() -> dict[str, Any]:
    path = reference_data_path()
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["lifts"]
    except (OSError, ValueError, KeyError) as exc:
        raise GoldAnnotationError(f"the shipped reference reps cannot be read ({exc})") from None
    return data


@lru_cache(maxsize=8)
def gold_reference(lift: str) -> ReferenceRep:
    """The shipped gold rep of `lift` with its limits (see the module docstring).

    The traces sweep the gold lifter's 3D angles from the lift's first phase to the second and
    back (deadlift: floor -> lockout -> floor).
    """
    check_angles_for(lift)
    doc = _reference_data()[lift]
    traces = {name: np.array(values, dtype=np.float64) for name, values in doc["traces"].items()}
    return ReferenceRep(
        lift, "gold", traces, doc["poses"], doc["limits_deg"], doc["spread_deg"], angles_3d=True
    )


def gold_skeleton(lift: str, position: str, yaw_deg: float = 90.0) -> Keypoints:
    """The gold lifter at `position` seen from about `yaw_deg` (90 = the lifter's left side;
    rounded to the file's yaw step), in the pixels of a 1920x1080 image."""
    by_yaw = _reference_data()[lift]["skeletons_by_yaw"][position]
    step = 360 // len(by_yaw)
    yaw = yaw_deg if math.isfinite(yaw_deg) else 90.0
    key = int(round(yaw / step) * step)
    key = (key + 180) % 360 - 180
    frame = by_yaw[str(key)]
    return Keypoints(np.array([frame["xy"]], dtype=np.float32),
                     np.array([frame["score"]], dtype=np.float32))  # fmt: skip


def reference_skeleton(reference: ReferenceRep, position: str, yaw_deg: float) -> Keypoints:
    """The reference's keypoints at `position`: its own when it has them, else the gold lifter
    seen from the lifter's view (`yaw_deg`, see `coach.form.view`)."""
    if position in reference.skeletons:
        return reference.skeletons[position]
    return gold_skeleton(reference.lift, position, yaw_deg)


def comparison_traces(kp: Keypoints, traces_2d: Mapping[str, NDArray[np.float64]]) -> dict[
    str, NDArray[np.float64]
]:
    """The angles reps are compared on: 3D when the keypoints have world points (like the gold),
    else the 2D image angles."""
    return angle_traces(kp) if kp.world_xyz is not None else dict(traces_2d)




def reference_from_reps(
    lift: str,
    reps: Sequence[Rep],
    keypoints: Keypoints,
    traces_2d: Mapping[str, NDArray[np.float64]],
    *,
    rep_index: int | None = None,
    name: str = "coach clip",
) -> ReferenceRep:
    """A coach's recorded good set as the reference (see the module docstring).

    Args:
        lift: the set's lift.
        reps: its complete reps, in clip frames.
        keypoints: (T, 17) keypoints of the clip; world points make the angles 3D.
        traces_2d: angle name -> (T,) 2D image angles in degrees.
        rep_index: 0-based rep whose traces become the DTW reference; None = the most typical.
        name: how the source is named (e.g. the file name).

    Raises:
        BadVideo: the lift is unknown or there is no complete rep.
    """
    if lift not in LIFTS or not reps:
        raise BadVideo(
            f"{name} shows no complete rep of a known lift, so it cannot be the reference: "
            "film the whole body through at least one full rep, or choose the lift."
        )
    angles = check_angles_for(lift)
    traces = comparison_traces(keypoints, traces_2d)
    key = key_angle_trace(traces_2d, lift)
    frames = reps_frames(list(reps), key)
    rep_poses = [{pos: pose_at(traces, f[pos]) for pos in POSITIONS} for f in frames]
    poses = {pos: _median_pose([p[pos] for p in rep_poses], angles) for pos in POSITIONS}
    dist = [[pose_difference(p[pos], poses[pos], angles).distance_deg for pos in POSITIONS]
            for p in rep_poses]  # fmt: skip
    spread = {pos: spread_limit([d[k] for d in dist]) for k, pos in enumerate(POSITIONS)}
    if rep_index is None:
        rep_index = int(np.argmin([np.nansum(d) for d in dist]))
    if not 0 <= rep_index < len(reps):
        raise BadVideo(f"{name} has {len(reps)} reps; there is no rep {rep_index + 1}")
    rep = reps[rep_index]
    window = slice(rep.start_frame, rep.end_frame + 1)
    return ReferenceRep(
        lift, f"{name}, rep {rep_index + 1}", {n: t[window].copy() for n, t in traces.items()},
        poses, {p: s[1] for p, s in spread.items()}, {p: s[0] for p, s in spread.items()},
        angles_3d=keypoints.world_xyz is not None,
        skeletons={pos: keypoints.frame(frames[rep_index][pos]) for pos in POSITIONS},
    )  # fmt: skip


def _median_pose(poses: list[dict[str, float]], angles: tuple[str, ...]) -> dict[str, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an angle never seen stays NaN
        return {a: float(np.nanmedian([p.get(a, math.nan) for p in poses])) for a in angles}
