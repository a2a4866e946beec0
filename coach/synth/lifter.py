"""Synthetic lifters: a kinematic COCO-17 skeleton posed through squat, bench press and deadlift.

Used to train the lift classifier, to make the shipped gold poses and to test angle code.

Lifter frame (what `pose_world` returns), metres, origin at the mid-point of the two hips:
- +x = the lifter's LEFT, +y = DOWN (gravity), +z = toward the "front" camera.
- Standing lifts (squat, deadlift): the lifter faces +z.
- Bench press: the lifter lies face-up with the head toward -z and the feet toward +z, so the
  "front" camera (at the feet end, looking along the bench toward the head) also sits at +z.
This frame is right-handed in every lift (left = forward x up).

Cameras (`Camera`, `project`): yaw 0 = "front" (camera on +z looking at the lifter), yaw +90 =
"left" (camera on +x, the lifter's left side: it sees the left profile and the left joints are
nearer), yaw -90 = "right". Pitch > 0 raises the camera and tilts it down. Geometry then fixes
the image: in the FRONT view the lifter's left joints appear on the image RIGHT (the lifter faces
the camera); in the LEFT view a standing lifter faces image LEFT and a benching lifter's head is
on the image RIGHT; the RIGHT view is the mirror image (faces image right, head on the left).

Joint-angle conventions are the ones of `coach.core.angles`: flexion = 180 deg minus the included
angle of `coach.core.angles.joint_angle_deg`, so `knee_flexion_deg` 0 is a straight knee.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from coach.core import body
from coach.core.keypoints import N_JOINTS, Joint, Keypoints
from coach.core.lifts import LIFTS, PHASES
from coach.synth.camera import (
    Camera,
    camera_depths_m,
    corrupt,
    fit_camera,
    project,
    random_camera,
)
from coach.synth.poses import FAULTS, SOURCES, LiftPose, phase_pose

__all__ = [
    "FAULTS",
    "LIFTS",
    "PHASES",
    "SOURCES",
    "Body",
    "Camera",
    "LiftPose",
    "camera_depths_m",
    "corrupt",
    "fit_camera",
    "phase_pose",
    "pose_world",
    "project",
    "random_body",
    "random_camera",
    "sample",
]

J = Joint
_DOWN = np.array([0.0, 1.0, 0.0])
_FORWARD = np.array([0.0, 0.0, 1.0])

# Segment lengths: Drillis & Contini fractions of height, defined once in coach.core.body.
_TRUNK_FRAC = body.TRUNK_FRAC
_THIGH_FRAC = body.THIGH_FRAC
_SHANK_FRAC = body.SHANK_FRAC
_UPPER_ARM_FRAC = body.UPPER_ARM_FRAC
_FOREARM_FRAC = body.FOREARM_FRAC
_BIACROMIAL_FRAC = body.BIACROMIAL_FRAC
_HIP_BREADTH_FRAC = body.HIP_BREADTH_FRAC
_SHOULDER_POINT_SHARE = body.SHOULDER_POINT_SHARE
_HIP_POINT_SHARE = body.HIP_POINT_SHARE
# Face points relative to the mid-shoulder point in the head frame, as fractions of H:
# (up, forward, lateral). Heights follow Drillis & Contini (eyes 0.118H above the shoulders;
# nose tip between eyes and chin); forward and lateral offsets are typical adult head sizes
# (about 9 cm ear-to-eye, 6 cm between the pupils, 15 cm head breadth).
_FACE: dict[Joint, tuple[float, float, float]] = {
    J.NOSE: (0.087, 0.060, 0.0),
    J.LEFT_EYE: (0.118, 0.045, 0.018),
    J.RIGHT_EYE: (0.118, 0.045, -0.018),
    J.LEFT_EAR: (0.110, 0.0, 0.042),
    J.RIGHT_EAR: (0.110, 0.0, -0.042),
}


@dataclass(frozen=True)
class Body:
    """One lifter's body: height and segment lengths in metres.

    Defaults come from the Drillis & Contini (1966) segment fractions of height (see
    `Body.from_height`). `biacromial_m` is the shoulder breadth that grip and stance widths are
    expressed in; the COCO shoulder/hip points sit a little inside the breadths (see
    `shoulder_point_width_m`, `hip_point_width_m`).
    """

    height_m: float = 1.75
    trunk_m: float = _TRUNK_FRAC * 1.75
    thigh_m: float = _THIGH_FRAC * 1.75
    shank_m: float = _SHANK_FRAC * 1.75
    upper_arm_m: float = _UPPER_ARM_FRAC * 1.75
    forearm_m: float = _FOREARM_FRAC * 1.75
    biacromial_m: float = _BIACROMIAL_FRAC * 1.75
    hip_breadth_m: float = _HIP_BREADTH_FRAC * 1.75

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"Body.{name} must be a positive number of metres, got {value}")

    @classmethod
    def from_height(cls, height_m: float) -> Body:
        """A body of the given height with the Drillis & Contini proportions."""
        h = float(height_m)
        return cls(
            height_m=h,
            trunk_m=_TRUNK_FRAC * h,
            thigh_m=_THIGH_FRAC * h,
            shank_m=_SHANK_FRAC * h,
            upper_arm_m=_UPPER_ARM_FRAC * h,
            forearm_m=_FOREARM_FRAC * h,
            biacromial_m=_BIACROMIAL_FRAC * h,
            hip_breadth_m=_HIP_BREADTH_FRAC * h,
        )

    @property
    def shoulder_point_width_m(self) -> float:
        """Distance between the two COCO shoulder points."""
        return _SHOULDER_POINT_SHARE * self.biacromial_m

    @property
    def hip_point_width_m(self) -> float:
        """Distance between the two COCO hip points."""
        return _HIP_POINT_SHARE * self.hip_breadth_m


def random_body(rng: np.random.Generator) -> Body:
    """A plausible adult: height ~N(1.72 m, 0.09 m) clipped to [1.50, 2.00] m, then each segment
    length and breadth scaled independently by a factor in [0.90, 1.10] (about +-10%, the spread
    of adult proportions around the Drillis & Contini means)."""
    height = float(np.clip(rng.normal(1.72, 0.09), 1.50, 2.00))
    base = Body.from_height(height)
    scaled = {
        name: value * float(rng.uniform(0.90, 1.10))
        for name, value in vars(base).items()
        if name != "height_m"
    }
    return replace(base, **scaled)


# --- forward kinematics -------------------------------------------------------------------------


def _unit(v: NDArray[np.float64]) -> NDArray[np.float64]:
    n = float(np.linalg.norm(v))
    return v / n if n > 1e-12 else v


def _trunk_frame(
    pose: LiftPose,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """(up, chest-forward, left) unit vectors of the trunk. Supine = leaning back."""
    lean = np.radians(-pose.trunk_lean_deg if pose.supine else pose.trunk_lean_deg)
    up = np.array([0.0, -np.cos(lean), np.sin(lean)])
    forward = np.array([0.0, np.sin(lean), np.cos(lean)])
    return up, forward, np.cross(forward, up)


def _thigh_elevation(side_view_deg: float, beta: float, gamma: float) -> float:
    """In-plane thigh angle e (rad, thigh = cos(e) d + sin(e) f) whose side-view (sagittal)
    projection is `side_view_deg` from vertical, in a leg plane turned out by beta and tilted
    out by gamma: tan(side) = sin(e) cos(beta) / (cos(e) cos(gamma))."""
    side = np.radians(side_view_deg)
    return float(np.arctan2(np.sin(side) * np.cos(gamma), np.cos(side) * np.cos(beta)))


def _leg(
    hip: NDArray[np.float64], side: int, pose: LiftPose, body: Body
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(knee, ankle) of one leg. The leg moves in a plane turned out by `toe_out_deg` (knees track
    the toes) and tilted out (abducted) just enough that the ankles are `stance_width_ratio`
    biacromial breadths apart. The knee's included angle is exact; the thigh's side-view angle
    from vertical is hip flexion minus trunk lean (exact in an orthographic side view); valgus
    is applied last."""
    beta = np.radians(pose.toe_out_deg)
    f = np.array([side * np.sin(beta), 0.0, np.cos(beta)])
    out = np.array([side * np.cos(beta), 0.0, -np.sin(beta)])
    kappa = np.radians(pose.knee_flexion_deg)
    t_len, s_len = body.thigh_m, body.shank_m
    half_gap = 0.5 * (pose.stance_width_ratio * body.biacromial_m - body.hip_point_width_m)
    lean = -pose.trunk_lean_deg if pose.supine else pose.trunk_lean_deg
    thigh_deg = pose.hip_flexion_deg - lean
    gamma = 0.0
    for _ in range(5):  # thigh angle and abduction barely interact: a few sweeps converge
        d = np.cos(gamma) * _DOWN + np.sin(gamma) * out
        e = _thigh_elevation(thigh_deg, beta, gamma)
        drop = t_len * np.cos(e) + s_len * np.cos(e - kappa)
        reach = t_len * np.sin(e) + s_len * np.sin(e - kappa)
        sin_g = (half_gap - reach * np.sin(beta)) / max(drop * np.cos(beta), 1e-6)
        gamma = float(np.arcsin(np.clip(sin_g, -0.8, 0.8)))
    d = np.cos(gamma) * _DOWN + np.sin(gamma) * out
    e = _thigh_elevation(thigh_deg, beta, gamma)
    knee = hip + t_len * (np.cos(e) * d + np.sin(e) * f)
    ankle = knee + s_len * (np.cos(e - kappa) * d + np.sin(e - kappa) * f)
    return _valgus(hip, knee, ankle, side, pose.knee_valgus_deg), ankle


def _rotate(v: NDArray[np.float64], axis: NDArray[np.float64], angle: float) -> NDArray[np.float64]:
    """Rodrigues rotation of v about the unit `axis` by `angle` radians."""
    out: NDArray[np.float64] = (
        v * np.cos(angle)
        + np.cross(axis, v) * np.sin(angle)
        + axis * float(axis @ v) * (1 - np.cos(angle))
    )
    return out


def _valgus(
    hip: NDArray[np.float64],
    knee: NDArray[np.float64],
    ankle: NDArray[np.float64],
    side: int,
    valgus_deg: float,
) -> NDArray[np.float64]:
    """Swing the knee about the hip-ankle line toward the midline (valgus > 0) or away. Bone
    lengths and the knee angle are unchanged; only the knee's direction moves."""
    if valgus_deg == 0:
        return knee
    axis = _unit(ankle - hip)
    arm = knee - hip
    options = [_rotate(arm, axis, s * np.radians(abs(valgus_deg))) for s in (1.0, -1.0)]
    # Valgus = toward the midline = smaller outward (side * x) coordinate.
    options.sort(key=lambda v: side * float(v[0]))
    chosen = options[0] if valgus_deg > 0 else options[1]
    return hip + chosen


# Per-lift arm rule: (plane the forearm must lie in, given by its normal: the trunk's up axis for
# the bench, so forearms look vertical from the side; the trunk's forward axis for the back
# squat, so hands sit beside the neck; None for the deadlift's straight arms), the direction the
# forearm points toward, the range searched for the upper arm's plane of elevation (0 = straight
# out to the side, +90 = toward where the chest faces, -90 = backward), and whether the wrists
# must end above the shoulders (bench: the bar is held over the chest).
_ARM_RULES: dict[str, tuple[str | None, str, float, float, bool]] = {
    "squat": ("trunk_forward", "trunk_up", -180.0, 0.0, False),
    "bench": ("trunk_up", "world_up", -90.0, 90.0, True),
    "deadlift": (None, "trunk_up", 0.0, 180.0, False),
}


def _forearm(
    upper: NDArray[np.float64],
    flex: float,
    normal: NDArray[np.float64] | None,
    toward: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(forearm unit vectors (N, 3), infeasible (N,) bool) for N upper-arm directions: bent by
    `flex` rad (so the included elbow angle is 180 - flex), lying in the plane normal to `normal`
    when one is given, on the side of `toward`."""
    if normal is None:  # bend in the plane of the upper arm and `toward`
        perp = toward - (upper @ toward)[:, None] * upper
        norm = np.linalg.norm(perp, axis=1, keepdims=True)
        perp = perp / np.maximum(norm, 1e-9)
        return np.cos(flex) * upper + np.sin(flex) * perp, np.zeros(len(upper), dtype=bool)
    in_plane = upper - (upper @ normal)[:, None] * normal
    size = np.maximum(np.linalg.norm(in_plane, axis=1), 1e-9)
    along = in_plane / size[:, None]
    across = np.cross(normal, along)
    lam = np.cos(flex) / size  # forearm . upper = cos(flex)
    infeasible = np.abs(lam) > 1.0
    lam = np.clip(lam, -1.0, 1.0)
    mu = np.sqrt(1.0 - lam**2)[:, None]
    sign = np.where((across @ toward) >= 0, 1.0, -1.0)[:, None]
    return lam[:, None] * along + sign * mu * across, infeasible


def _arm(
    lift: str,
    shoulder: NDArray[np.float64],
    hip: NDArray[np.float64],
    trunk: tuple[NDArray[np.float64], NDArray[np.float64]],
    side: int,
    pose: LiftPose,
    body: Body,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(elbow, wrist) with the armpit (elbow-shoulder-hip) and elbow angles exact; the plane of
    elevation is searched so the wrists are `grip_width_ratio` biacromial breadths apart."""
    normal_name, toward_name, lo, hi, above = _ARM_RULES[lift]
    trunk_up, trunk_fwd = trunk
    axes = {"trunk_up": trunk_up, "trunk_forward": trunk_fwd, "world_up": -_DOWN}
    down = _unit(hip - shoulder)
    fwd = _unit(trunk_fwd - (trunk_fwd @ down) * down)
    out = side * np.cross(down, fwd)
    eps = np.radians(pose.shoulder_elevation_deg)
    rho = np.radians(np.linspace(lo, hi, 721))[:, None]
    upper = np.cos(eps) * down + np.sin(eps) * (np.cos(rho) * out + np.sin(rho) * fwd)
    normal = None if normal_name is None else axes[normal_name]
    fore, infeasible = _forearm(
        upper, np.radians(pose.elbow_flexion_deg), normal, axes[toward_name]
    )
    elbow = shoulder + body.upper_arm_m * upper
    wrist = elbow + body.forearm_m * fore
    cost = np.abs(wrist[:, 0] - side * 0.5 * pose.grip_width_ratio * body.biacromial_m)
    cost = cost + 10.0 * infeasible
    if above:  # the bar is held over the chest: the hands must be above the shoulders
        cost = cost + 10.0 * ((wrist - shoulder) @ -_DOWN < 0.02)
    best = int(np.argmin(cost))
    return elbow[best], wrist[best]


def pose_world(lift: str, pose: LiftPose, body: Body) -> NDArray[np.float32]:
    """Forward kinematics: the 17 COCO joints of `body` in `pose`, in the lifter frame.

    Args:
        lift: one of `LIFTS` (chooses the arm rule: bar on the back, over the chest, or hanging).
        pose: joint angles, e.g. from `phase_pose`.
        body: segment lengths.

    Returns:
        (17, 3) float32 metres, hip-centred, +x lifter's left, +y down, +z toward the front
        camera (see the module docstring). Exact by construction: knee and hip included angles,
        armpit and elbow angles, trunk lean and ankle-to-ankle stance width.
    """
    if lift not in LIFTS:
        raise ValueError(f"unknown lift {lift!r}; expected one of {LIFTS}")
    up, fwd, left = _trunk_frame(pose)
    pts = np.zeros((N_JOINTS, 3))
    mid_shoulder = body.trunk_m * up
    names = (
        (1, J.LEFT_HIP, J.LEFT_SHOULDER, J.LEFT_KNEE, J.LEFT_ANKLE, J.LEFT_ELBOW, J.LEFT_WRIST),
        (
            -1,
            J.RIGHT_HIP,
            J.RIGHT_SHOULDER,
            J.RIGHT_KNEE,
            J.RIGHT_ANKLE,
            J.RIGHT_ELBOW,
            J.RIGHT_WRIST,
        ),
    )
    for side, hip_j, sh_j, knee_j, ankle_j, elbow_j, wrist_j in names:
        hip = side * 0.5 * body.hip_point_width_m * left
        shoulder = mid_shoulder + side * 0.5 * body.shoulder_point_width_m * left
        pts[hip_j], pts[sh_j] = hip, shoulder
        pts[knee_j], pts[ankle_j] = _leg(hip, side, pose, body)
        pts[elbow_j], pts[wrist_j] = _arm(lift, shoulder, hip, (up, fwd), side, pose, body)
    neck = np.radians(pose.neck_flexion_deg)
    head_up, head_fwd = (
        np.cos(neck) * up + np.sin(neck) * fwd,
        np.cos(neck) * fwd - np.sin(neck) * up,
    )
    for joint, (u, f, lat) in _FACE.items():
        pts[joint] = mid_shoulder + body.height_m * (u * head_up + f * head_fwd + lat * left)
    return pts.astype(np.float32)


def sample(
    lift: str,
    rng: np.random.Generator,
    *,
    progress: float | None = None,
    camera: Camera | None = None,
    body: Body | None = None,
    variation: float = 1.0,
    faults: Mapping[str, float] | None = None,
    fill: float | None = None,
) -> Keypoints:
    """One synthetic frame of `lift`: pose, body and camera, each random unless given.

    Args:
        lift: one of `LIFTS`.
        rng: randomness.
        progress: 0..1 between the lift's phases; uniform random when None.
        camera: a fixed camera (used as given); when None, `random_camera` framed by
            `fit_camera` so the lifter fills a random 45-85% of the image.
        body: a fixed body; `random_body` when None.
        variation: natural variation of the good-form angles (see `phase_pose`).
        faults: form faults to inject (see `FAULTS`).
        fill: when given, the camera (given or random) is moved to this fill of the image.

    Returns:
        T=1 Keypoints with `world_xyz` set (no pixel noise: use `corrupt`).
    """
    p = float(rng.uniform(0.0, 1.0)) if progress is None else progress
    pose = phase_pose(lift, p, rng=rng, variation=variation, faults=faults)
    world = pose_world(lift, pose, random_body(rng) if body is None else body)
    if camera is None:
        camera = fit_camera(world, random_camera(rng), fill=float(rng.uniform(0.45, 0.85)))
    if fill is not None:
        camera = fit_camera(world, camera, fill=fill)
    return project(world, camera)
