"""Joint angles from keypoints, with the angle definitions kept as data (`ANGLE_SPECS`).

THE convention, written once (pinned by tests/core/test_angles.py): `joint_angle_deg(a, vertex, c)`
is the INCLUDED angle at `vertex` between the rays vertex->a and vertex->c, in [0, 180] degrees.
A straight limb (three collinear points, vertex between) is 180; a right angle is 90; a fully
folded limb is 0. A NaN coordinate gives NaN, and so does a zero-length ray (a point on top of
the vertex). Flexion, where a caller wants it, is `180 - joint_angle_deg(...)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coach.core.keypoints import Joint, Keypoints

__all__ = [
    "ANGLE_SPECS",
    "TRUNK_LEAN",
    "AngleSpec",
    "angle_traces",
    "compute_angles",
    "joint_angle_deg",
    "trunk_lean_deg",
]

J = Joint
TRUNK_LEAN = "trunk_lean"  # key of the trunk lean in `compute_angles` / `angle_traces`


@dataclass(frozen=True)
class AngleSpec:
    """One named joint angle: the included angle at `vertex` between `a` and `c`, degrees."""

    name: str
    a: Joint
    vertex: Joint
    c: Joint
    description: str


ANGLE_SPECS: tuple[AngleSpec, ...] = (
    AngleSpec("left_knee", J.LEFT_HIP, J.LEFT_KNEE, J.LEFT_ANKLE,
              "hip-knee-ankle; 180 = straight leg, about 60 at a deep squat"),
    AngleSpec("right_knee", J.RIGHT_HIP, J.RIGHT_KNEE, J.RIGHT_ANKLE,
              "hip-knee-ankle; 180 = straight leg, about 60 at a deep squat"),
    AngleSpec("left_hip", J.LEFT_SHOULDER, J.LEFT_HIP, J.LEFT_KNEE,
              "shoulder-hip-knee; 180 = standing tall, small = hips folded"),
    AngleSpec("right_hip", J.RIGHT_SHOULDER, J.RIGHT_HIP, J.RIGHT_KNEE,
              "shoulder-hip-knee; 180 = standing tall, small = hips folded"),
    AngleSpec("left_elbow", J.LEFT_SHOULDER, J.LEFT_ELBOW, J.LEFT_WRIST,
              "shoulder-elbow-wrist; 180 = locked out"),
    AngleSpec("right_elbow", J.RIGHT_SHOULDER, J.RIGHT_ELBOW, J.RIGHT_WRIST,
              "shoulder-elbow-wrist; 180 = locked out"),
    AngleSpec("left_shoulder", J.LEFT_ELBOW, J.LEFT_SHOULDER, J.LEFT_HIP,
              "armpit, elbow-shoulder-hip; 0 = arm along the side, 90 = out sideways or forward"),
    AngleSpec("right_shoulder", J.RIGHT_ELBOW, J.RIGHT_SHOULDER, J.RIGHT_HIP,
              "armpit, elbow-shoulder-hip; 0 = arm along the side, 90 = out sideways or forward"),
)  # fmt: skip


def joint_angle_deg(a: ArrayLike, vertex: ArrayLike, c: ArrayLike) -> float | NDArray[np.float64]:
    """Included angle at `vertex` (see the module docstring for the convention).

    Args:
        a, vertex, c: points of shape (..., 2) or (..., 3); leading dimensions broadcast.

    Returns:
        Degrees in [0, 180], NaN where any input is NaN or a ray has zero length; a float for
        single points, else an array of the broadcast leading shape.
    """
    pa, pv, pc = (np.asarray(p, dtype=np.float64) for p in (a, vertex, c))
    dims = {pa.shape[-1:], pv.shape[-1:], pc.shape[-1:]}
    if dims not in ({(2,)}, {(3,)}):
        raise ValueError(
            f"points must be all 2D or all 3D, got shapes {pa.shape}, {pv.shape}, {pc.shape}"
        )
    u, v = pa - pv, pc - pv
    dot = np.sum(u * v, axis=-1)
    if u.shape[-1] == 2:
        cross = np.abs(u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0])
    else:
        cross = np.linalg.norm(np.cross(u, v), axis=-1)
    zero = (np.linalg.norm(u, axis=-1) == 0) | (np.linalg.norm(v, axis=-1) == 0)
    # atan2 of |u x v| and u.v stays accurate near 0 and 180, where arccos of a ratio does not.
    out = np.where(zero, np.nan, np.degrees(np.arctan2(cross, dot)))
    return float(out) if out.ndim == 0 else out


def trunk_lean_deg(mid_hip: ArrayLike, mid_shoulder: ArrayLike) -> float | NDArray[np.float64]:
    """Angle of the mid-hip -> mid-shoulder line against vertical UP, in [0, 180] degrees.

    0 = upright, 90 = horizontal (e.g. lying on a bench), 180 = upside down. Points are image
    pixels (..., 2) or world metres (..., 3), both with y DOWN, so "up" is -y. NaN in, NaN out.
    """
    hip = np.asarray(mid_hip, dtype=np.float64)
    up = np.zeros(hip.shape[-1])
    up[1] = -1.0
    return joint_angle_deg(hip + up, hip, mid_shoulder)


def _points(kp: Keypoints, use_3d: bool | None) -> NDArray[np.float64]:
    """(T, 17, D) coordinates: world metres when asked (or available and not refused)."""
    if use_3d and kp.world_xyz is None:
        raise ValueError("use_3d=True but these keypoints have no world_xyz (3D) points")
    if kp.world_xyz is not None and use_3d is not False:
        world: NDArray[Any] = kp.world_xyz.astype(np.float64)
        world[~np.isfinite(kp.xy).all(axis=-1)] = np.nan  # missing in 2D = missing
        return world
    return kp.xy.astype(np.float64)


def angle_traces(kp: Keypoints, *, use_3d: bool | None = None) -> dict[str, NDArray[np.float64]]:
    """Every `ANGLE_SPECS` angle plus `TRUNK_LEAN`, per frame.

    Args:
        kp: keypoints, any T.
        use_3d: None = 3D from `world_xyz` when present, else 2D pixels; True = 3D (raises
            ValueError without world points); False = 2D pixels.

    Returns:
        {name: (T,) degrees}, NaN in frames where a needed joint is missing.
    """
    pts = _points(kp, use_3d)
    traces: dict[str, NDArray[np.float64]] = {}
    for spec in ANGLE_SPECS:
        angle = joint_angle_deg(pts[:, spec.a], pts[:, spec.vertex], pts[:, spec.c])
        traces[spec.name] = np.atleast_1d(np.asarray(angle, dtype=np.float64))
    mid_hip = 0.5 * (pts[:, J.LEFT_HIP] + pts[:, J.RIGHT_HIP])
    mid_shoulder = 0.5 * (pts[:, J.LEFT_SHOULDER] + pts[:, J.RIGHT_SHOULDER])
    lean = trunk_lean_deg(mid_hip, mid_shoulder)
    traces[TRUNK_LEAN] = np.atleast_1d(np.asarray(lean, dtype=np.float64))
    return traces


def compute_angles(kp: Keypoints, t: int = 0, *, use_3d: bool | None = None) -> dict[str, float]:
    """The angles of frame `t` (negative counts from the end) as {name: degrees}; see
    `angle_traces` for `use_3d`. Raises IndexError for a frame that does not exist."""
    frame = kp.frame(range(len(kp))[t])
    return {name: float(trace[0]) for name, trace in angle_traces(frame, use_3d=use_3d).items()}
