"""The shipped gold reference reps, computed from the synthetic gold lifter.

`scripts/make_reference.py` writes them to gold_annotations/reference_reps.json, which
`coach.reps.reference.gold_reference` reads at run time, so runtime code never imports the
synthetic generator. How the limits come about is in `coach.reps.reference`'s docstring.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from coach.core.angles import compute_angles
from coach.core.lifts import LIFTS
from coach.reps.check import POSITIONS, check_angles_for, pose_difference, spread_limit
from coach.reps.reference import lift_key_angle
from coach.synth.lifter import Body, Camera, phase_pose, pose_world, project, random_body

REFERENCE_FRAMES = 60
GOLD_SPREAD_SEED = 7
GOLD_SPREAD_LIFTERS = 200
# The gold skeleton drawn beside a lifter is the gold lifter seen from the lifter's view, rounded
# to this step (a drawing only: nothing is measured on it).
SKELETON_YAW_STEP_DEG = 15


def gold_angles(lift: str, progress: float, body: Any = None, rng: Any = None) -> dict[str, float]:
    """3D angles of the gold lifter (or a varied good lifter when `rng` is given)."""
    pose = phase_pose(lift, progress, rng=rng, variation=0.0 if rng is None else 1.0)
    world = pose_world(lift, pose, Body() if body is None else body)
    return compute_angles(project(world, Camera()), use_3d=True)


def gold_progress(lift: str) -> dict[str, float]:
    """Position -> progress between the lift's phases (0 or 1) for the gold lifter."""
    first, second = (lift_key_angle(gold_angles(lift, p), lift) for p in (0.0, 1.0))
    top = 0.0 if first >= second else 1.0
    return {"start": top, "bottom": 1.0 - top}


def _spread(lift: str, progress: dict[str, float], poses: dict[str, dict[str, float]]) -> dict[
    str, tuple[float, float]
]:
    angles = check_angles_for(lift)
    rng = np.random.default_rng(GOLD_SPREAD_SEED)
    diffs: dict[str, list[float]] = {pos: [] for pos in POSITIONS}
    for _ in range(GOLD_SPREAD_LIFTERS):
        body = random_body(rng)
        for pos in POSITIONS:
            good = gold_angles(lift, progress[pos], body, rng)
            diffs[pos].append(pose_difference(good, poses[pos], angles).distance_deg)
    return {pos: spread_limit(d) for pos, d in diffs.items()}


def _skeletons(lift: str, progress: dict[str, float]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for pos in POSITIONS:
        world = pose_world(lift, phase_pose(lift, progress[pos]), Body())
        out[pos] = {}
        for yaw in range(-180, 180, SKELETON_YAW_STEP_DEG):
            kp = project(world, Camera(yaw_deg=float(yaw)))
            out[pos][str(yaw)] = {"xy": kp.xy[0].tolist(), "score": kp.score[0].tolist()}
    return out


def reference_doc(lift: str) -> dict[str, Any]:
    """One lift's gold reference rep as plain JSON data."""
    sweep = np.concatenate([np.linspace(0, 1, REFERENCE_FRAMES // 2),
                            np.linspace(1, 0, REFERENCE_FRAMES // 2)])  # fmt: skip
    rows = [gold_angles(lift, float(p)) for p in sweep]
    progress = gold_progress(lift)
    poses = {pos: gold_angles(lift, p) for pos, p in progress.items()}
    spread = _spread(lift, progress, poses)
    return {
        "traces": {name: [r[name] for r in rows] for name in rows[0]},
        "poses": poses,
        "limits_deg": {p: s[1] for p, s in spread.items()},
        "spread_deg": {p: s[0] for p, s in spread.items()},
        "skeletons_by_yaw": _skeletons(lift, progress),
    }


def reference_file() -> dict[str, Any]:
    """The whole reference_reps.json document."""
    return {
        "info": {
            "made_by": "scripts/make_reference.py (coach.synth.reference_data)",
            "spread": f"{GOLD_SPREAD_LIFTERS} random good lifters, seed {GOLD_SPREAD_SEED}",
            "frames": REFERENCE_FRAMES,
            "skeleton_yaw_step_deg": SKELETON_YAW_STEP_DEG,
        },
        "lifts": {lift: reference_doc(lift) for lift in LIFTS},
    }
