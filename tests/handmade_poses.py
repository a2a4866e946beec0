"""Hand-made 3D poses (no coach.synth.lifter) and a camera model for the scoring and view tests.

Lifter frame, metres, origin between the hips: +x = the lifter's LEFT, +y = DOWN, +z = toward
the "front" camera (standing lifters face +z; a bench lifter lies face-up, feet toward +z).
`project` is a weak-perspective camera at yaw_deg around the lifter (0 = front, +90 = the lifter's
left, -90 = right): image right = (cos yaw, 0, -sin yaw), image down = +y.
"""

from __future__ import annotations

import numpy as np

from coach.core.keypoints import Joint, Keypoints

J = Joint

_HEAD = {J.NOSE: (0.0, -0.66, 0.10), J.LEFT_EYE: (0.03, -0.70, 0.08),
         J.RIGHT_EYE: (-0.03, -0.70, 0.08), J.LEFT_EAR: (0.075, -0.68, 0.0),
         J.RIGHT_EAR: (-0.075, -0.68, 0.0)}  # fmt: skip


def _sym(points: dict[str, tuple[float, float, float]]) -> dict[Joint, tuple[float, float, float]]:
    """{'KNEE': (x, y, z)} for the LEFT side -> both sides (right = x mirrored)."""
    out: dict[Joint, tuple[float, float, float]] = {}
    for name, (x, y, z) in points.items():
        out[Joint[f"LEFT_{name}"]] = (x, y, z)
        out[Joint[f"RIGHT_{name}"]] = (-x, y, z)
    return out


def _array(points: dict[Joint, tuple[float, float, float]]) -> np.ndarray:
    arr = np.full((17, 3), np.nan)
    for j, p in points.items():
        arr[j] = p
    return arr


def squat_world(phase: str, knee_half_width_m: float | None = None) -> np.ndarray:
    """(17, 3) squat pose; `knee_half_width_m` moves both knees to that |x| (valgus when small)."""
    if phase == "standing":
        pts = _sym({"SHOULDER": (0.19, -0.50, 0.0), "ELBOW": (0.26, -0.36, -0.10),
                    "WRIST": (0.36, -0.52, -0.05), "HIP": (0.11, 0.0, 0.0),
                    "KNEE": (0.14, 0.45, 0.03), "ANKLE": (0.16, 0.88, 0.0)})  # fmt: skip
        pts.update(_HEAD)
    else:  # bottom: thighs about horizontal, trunk leaning forward, knees over the toes
        pts = _sym({"SHOULDER": (0.19, -0.42, 0.26), "ELBOW": (0.26, -0.30, 0.14),
                    "WRIST": (0.36, -0.45, 0.20), "HIP": (0.11, 0.0, 0.0),
                    "KNEE": (0.20, 0.05, 0.40), "ANKLE": (0.17, 0.46, 0.26)})  # fmt: skip
        pts.update({j: (x, y + 0.10, z + 0.30) for j, (x, y, z) in _HEAD.items()})
    if knee_half_width_m is not None:
        for j, s in ((J.LEFT_KNEE, 1.0), (J.RIGHT_KNEE, -1.0)):
            _, y, z = pts[j]
            pts[j] = (s * knee_half_width_m, y, z)
    return _array(pts)


def bench_world(phase: str) -> np.ndarray:
    """(17, 3) bench pose: lying face-up, head toward -z, feet on the floor toward +z."""
    arms = ({"ELBOW": (0.24, -0.29, -0.47), "WRIST": (0.27, -0.55, -0.46)} if phase == "lockout"
            else {"ELBOW": (0.33, 0.08, -0.42), "WRIST": (0.28, -0.16, -0.44)})
    pts = _sym({"SHOULDER": (0.19, 0.0, -0.50), "HIP": (0.11, 0.0, 0.0),
                "KNEE": (0.20, -0.06, 0.42), "ANKLE": (0.24, 0.38, 0.50), **arms})  # fmt: skip
    pts.update({J.NOSE: (0.0, -0.12, -0.68), J.LEFT_EYE: (0.03, -0.10, -0.71),
                J.RIGHT_EYE: (-0.03, -0.10, -0.71), J.LEFT_EAR: (0.075, -0.01, -0.68),
                J.RIGHT_EAR: (-0.075, -0.01, -0.68)})  # fmt: skip
    return _array(pts)


def project(world: np.ndarray, yaw_deg: float, *, px_per_m: float = 400.0,
            centre: tuple[float, float] = (640.0, 500.0), score: float = 0.9) -> Keypoints:
    """Weak-perspective image of `world` from a camera at `yaw_deg` (module docstring)."""
    yaw = np.radians(yaw_deg)
    right = np.array([np.cos(yaw), 0.0, -np.sin(yaw)])
    xy = np.stack([world @ right, world[:, 1]], axis=1) * px_per_m + np.asarray(centre)
    sc = np.where(np.isfinite(xy).all(axis=1), score, 0.0)
    return Keypoints.single(xy, sc)


def gold_mapping(world_of_phase, phases: tuple[str, str], **kw: float) -> dict:
    """view -> phase -> Keypoints from a function phase -> (17, 3) world pose."""
    yaws = {"front": 0.0, "left": 90.0, "right": -90.0}
    return {v: {p: project(world_of_phase(p), y, **kw) for p in phases} for v, y in yaws.items()}
