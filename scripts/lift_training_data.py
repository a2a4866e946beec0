"""Synthetic training data for the lift classifier: varied lifts, cameras and pose-model errors.

Everything here is made by the project (`coach.synth.lifter`); the shared fixtures are never used.
- Poses: each lift at a uniform progress through its phases, natural variation, random form
  faults, and common VARIANTS the textbook table in `coach.synth.poses` lacks (front, Zercher,
  low-bar and wide squats; sumo, Romanian, trap-bar, deficit and rack-pull deadlifts; incline,
  decline and close/wide-grip bench), written from general lifting knowledge.
- Cameras: the full circle of yaws (bench gets extra head-end and foot-end views), pitches from
  slightly below to well above, phone and camera focal lengths, portrait and landscape frames.
- Pose-model errors (`augment`): occluded far-side limbs snapping onto the near-side ones (what
  MediaPipe does with a hidden arm or leg), the frame cutting the lifter off at one edge (bench
  photos often lose the feet), a tilted phone, pixel noise and dropped joints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from coach.core.keypoints import Joint, Keypoints
from coach.synth import lifter as synth
from coach.synth.lifter import Camera, LiftPose

VIEWS_PER_POSE = 3  # projection is cheap next to posing, so each pose is seen from 3 cameras
IMAGE_SIZES: tuple[tuple[int, int], ...] = (
    (1920, 1080),
    (1080, 1920),
    (1280, 720),
    (640, 480),
    (1080, 1350),
    (800, 800),
)
Variant = Callable[[LiftPose, float, np.random.Generator], LiftPose]


# --- pose variants (general lifting knowledge; angles in degrees) ------------------------------


def _with_hip(pose: LiftPose, **changes: Any) -> LiftPose:
    """Apply changes, then re-close the sagittal chain as synth does (hip = knee - ankle + lean)."""
    new = replace(pose, **changes)
    lean = -new.trunk_lean_deg if new.supine else new.trunk_lean_deg
    return replace(new, hip_flexion_deg=new.knee_flexion_deg - new.ankle_dorsiflexion_deg + lean)


def _hanging(pose: LiftPose, rng: np.random.Generator) -> LiftPose:
    """Arms hanging straight down: the armpit angle follows the trunk lean."""
    return replace(
        pose,
        shoulder_elevation_deg=pose.trunk_lean_deg + rng.normal(0, 4),
        elbow_flexion_deg=abs(rng.normal(0, 4)),
    )


def _front_squat(pose: LiftPose, p: float, rng: np.random.Generator) -> LiftPose:
    """Bar on the front delts: upright trunk, elbows high and forward, hands at the shoulders."""
    new = _with_hip(pose, trunk_lean_deg=pose.trunk_lean_deg * rng.uniform(0.4, 0.8))
    return replace(
        new,
        shoulder_elevation_deg=rng.uniform(70, 110),
        elbow_flexion_deg=rng.uniform(110, 150),
        grip_width_ratio=rng.uniform(0.9, 1.4),
    )


def _zercher(pose: LiftPose, p: float, rng: np.random.Generator) -> LiftPose:
    """Bar in the crook of the elbows in front of the belly."""
    new = _with_hip(pose, trunk_lean_deg=pose.trunk_lean_deg * rng.uniform(0.5, 0.9))
    return replace(
        new,
        shoulder_elevation_deg=rng.uniform(15, 50),
        elbow_flexion_deg=rng.uniform(95, 135),
        grip_width_ratio=rng.uniform(0.5, 1.0),
    )


def _low_bar(pose: LiftPose, p: float, rng: np.random.Generator) -> LiftPose:
    new = _with_hip(pose, trunk_lean_deg=min(pose.trunk_lean_deg * rng.uniform(1.0, 1.35), 70))
    return replace(
        new,
        shoulder_elevation_deg=rng.uniform(35, 65),
        elbow_flexion_deg=rng.uniform(70, 120),
        grip_width_ratio=rng.uniform(1.5, 2.3),
    )


def _wide_squat(pose: LiftPose, p: float, rng: np.random.Generator) -> LiftPose:
    return replace(pose, stance_width_ratio=rng.uniform(1.3, 2.1), toe_out_deg=rng.uniform(20, 40))


def _sumo(pose: LiftPose, p: float, rng: np.random.Generator) -> LiftPose:
    new = _with_hip(
        pose,
        trunk_lean_deg=pose.trunk_lean_deg * rng.uniform(0.55, 0.85),
        knee_flexion_deg=pose.knee_flexion_deg * rng.uniform(1.0, 1.3),
    )
    new = replace(
        new,
        stance_width_ratio=rng.uniform(1.5, 2.4),
        toe_out_deg=rng.uniform(25, 45),
        grip_width_ratio=rng.uniform(0.6, 0.95),
    )
    return _hanging(new, rng)


def _romanian(pose: LiftPose, p: float, rng: np.random.Generator) -> LiftPose:
    """RDL / stiff-legged: near-straight knees, the hips hinge the trunk down to 90 deg."""
    lean = (1 - p) * rng.uniform(45, 90) + p * rng.uniform(0, 10)
    new = _with_hip(
        pose,
        knee_flexion_deg=rng.uniform(3, 25),
        ankle_dorsiflexion_deg=rng.uniform(0, 8),
        trunk_lean_deg=lean,
    )
    return _hanging(new, rng)


def _trap_bar(pose: LiftPose, p: float, rng: np.random.Generator) -> LiftPose:
    new = _with_hip(
        pose,
        trunk_lean_deg=pose.trunk_lean_deg * rng.uniform(0.6, 0.85),
        knee_flexion_deg=pose.knee_flexion_deg * rng.uniform(1.0, 1.25),
    )
    return _hanging(replace(new, grip_width_ratio=rng.uniform(1.3, 1.7)), rng)


def _deficit(pose: LiftPose, p: float, rng: np.random.Generator) -> LiftPose:
    new = _with_hip(
        pose,
        knee_flexion_deg=pose.knee_flexion_deg * rng.uniform(1.1, 1.35),
        trunk_lean_deg=min(pose.trunk_lean_deg * rng.uniform(1.0, 1.2), 85),
    )
    return _hanging(new, rng)


def _incline(pose: LiftPose, p: float, rng: np.random.Generator) -> LiftPose:
    return _with_hip(pose, trunk_lean_deg=rng.uniform(40, 75))


def _decline(pose: LiftPose, p: float, rng: np.random.Generator) -> LiftPose:
    return _with_hip(
        pose, trunk_lean_deg=rng.uniform(95, 110), knee_flexion_deg=rng.uniform(60, 110)
    )


def _bench_grip(pose: LiftPose, p: float, rng: np.random.Generator) -> LiftPose:
    return replace(pose, grip_width_ratio=rng.uniform(0.8, 2.2))


def _as_is(pose: LiftPose, p: float, rng: np.random.Generator) -> LiftPose:
    return pose


@dataclass(frozen=True)
class VariantSpec:
    """A lift variant: its share of the lift's samples, the pose change, the arm rule
    (`synth.pose_world` lift name: "deadlift" = arms forward, as a front squat needs) and the
    progress range (a rack pull starts above the knee)."""

    weight: float
    change: Variant
    arm_rule: str
    progress: tuple[float, float] = (0.0, 1.0)


VARIANTS: dict[str, dict[str, VariantSpec]] = {
    "squat": {
        "back": VariantSpec(0.40, _as_is, "squat"),
        "low_bar": VariantSpec(0.15, _low_bar, "squat"),
        "wide": VariantSpec(0.15, _wide_squat, "squat"),
        "front": VariantSpec(0.20, _front_squat, "deadlift"),
        "zercher": VariantSpec(0.10, _zercher, "deadlift"),
    },
    "deadlift": {
        "conventional": VariantSpec(0.35, _as_is, "deadlift"),
        "sumo": VariantSpec(0.20, _sumo, "deadlift"),
        "romanian": VariantSpec(0.20, _romanian, "deadlift"),
        "trap_bar": VariantSpec(0.10, _trap_bar, "deadlift"),
        "deficit": VariantSpec(0.07, _deficit, "deadlift"),
        "rack_pull": VariantSpec(0.08, _as_is, "deadlift", (0.45, 1.0)),
    },
    "bench": {
        "flat": VariantSpec(0.45, _as_is, "bench"),
        "grip": VariantSpec(0.20, _bench_grip, "bench"),
        "incline": VariantSpec(0.25, _incline, "bench"),
        "decline": VariantSpec(0.10, _decline, "bench"),
    },
}


# --- poses and cameras -------------------------------------------------------------------------


def _random_faults(lift: str, rng: np.random.Generator) -> dict[str, float]:
    """Form faults are still the lift: the classifier must not need textbook form."""
    faults: dict[str, float] = {}
    if rng.random() < 0.3:
        faults["knee_valgus_deg"] = float(rng.uniform(0, 12))
    if rng.random() < 0.3:
        faults["grip_width_scale"] = float(rng.uniform(0.8, 1.3))
    if lift != "bench" and rng.random() < 0.3:
        faults["trunk_lean_deg"] = float(rng.uniform(-5, 15))
    if lift == "bench" and rng.random() < 0.3:
        faults["elbow_flare_deg"] = float(rng.uniform(0, 30))
    return faults


def draw_pose(lift: str, rng: np.random.Generator) -> tuple[NDArray[np.float32], str]:
    """One random posture of `lift` in the lifter frame: ((17, 3) metres, variant name)."""
    names = list(VARIANTS[lift])
    weights = np.array([VARIANTS[lift][n].weight for n in names])
    name = names[int(rng.choice(len(names), p=weights / weights.sum()))]
    spec = VARIANTS[lift][name]
    progress = float(rng.uniform(*spec.progress))
    pose = synth.phase_pose(
        lift,
        progress,
        rng=rng,
        variation=float(rng.uniform(0.5, 2.0)),
        faults=_random_faults(lift, rng),
    )
    pose = spec.change(pose, progress, rng)
    pose = replace(
        pose,
        shoulder_elevation_deg=float(np.clip(pose.shoulder_elevation_deg, 0, 160)),
        elbow_flexion_deg=float(np.clip(pose.elbow_flexion_deg, 0, 150)),
    )
    return synth.pose_world(spec.arm_rule, pose, synth.random_body(rng)), name


def draw_camera(lift: str, world: NDArray[np.float32], rng: np.random.Generator) -> Camera:
    """A camera anywhere on the circle around the lifter, framed so the lifter fills 35-90%."""
    if lift == "bench" and rng.random() < 0.3:  # gym phones often film the bench end-on
        yaw = float(rng.choice([0.0, 180.0]) + rng.normal(0, 20))
    else:
        yaw = float(rng.uniform(-180, 180))
    # A lying lifter is often filmed from above; a standing one from about chest height.
    pitch = float(rng.uniform(-5, 45) if lift == "bench" else rng.uniform(-10, 30))
    wh = IMAGE_SIZES[int(rng.integers(len(IMAGE_SIZES)))]
    camera = Camera(
        yaw_deg=(yaw + 180) % 360 - 180,
        pitch_deg=pitch,
        distance_m=4.0,
        focal_px=float(rng.uniform(0.6, 1.5) * max(wh)),
        image_wh=wh,
    )
    return synth.fit_camera(world, camera, fill=float(rng.uniform(0.35, 0.9)))


# --- what a real pose model does to the keypoints ------------------------------------------------

_PAIRS: tuple[tuple[Joint, Joint], ...] = (
    (Joint.LEFT_ELBOW, Joint.RIGHT_ELBOW),
    (Joint.LEFT_WRIST, Joint.RIGHT_WRIST),
    (Joint.LEFT_KNEE, Joint.RIGHT_KNEE),
    (Joint.LEFT_ANKLE, Joint.RIGHT_ANKLE),
    (Joint.LEFT_HIP, Joint.RIGHT_HIP),
    (Joint.LEFT_SHOULDER, Joint.RIGHT_SHOULDER),
)


def _snap_far_side(
    xy: NDArray[np.float64], depth_m: NDArray[np.float32], diag_px: float, rng: np.random.Generator
) -> None:
    """Occluded far-side joints land near their near-side twins (in place)."""
    for left, right in _PAIRS:
        near, far = (left, right) if depth_m[left] < depth_m[right] else (right, left)
        if depth_m[far] - depth_m[near] > 0.08 and rng.random() < 0.7:
            xy[far] = xy[near] + rng.normal(0, 0.02 * diag_px, 2)


def _crop_edge(xy: NDArray[np.float64], rng: np.random.Generator) -> None:
    """The frame cuts the lifter off at one edge: joints beyond the cut go missing (in place)."""
    ok = np.isfinite(xy).all(axis=1)
    lo, hi = xy[ok].min(axis=0), xy[ok].max(axis=0)
    axis = int(rng.integers(2))
    edge = int(rng.random() < (0.8 if axis == 1 else 0.5))  # mostly the bottom (feet) edge
    cut_frac = float(rng.uniform(0.05, 0.35))
    if edge:  # cut at the high end (bottom / right)
        gone = xy[:, axis] > hi[axis] - cut_frac * (hi[axis] - lo[axis])
    else:
        gone = xy[:, axis] < lo[axis] + cut_frac * (hi[axis] - lo[axis])
    if (ok & ~gone).sum() >= 8:  # keep enough of the lifter for the photo to be usable
        xy[gone] = np.nan


def _roll(xy: NDArray[np.float64], roll_deg: float) -> NDArray[np.float64]:
    """Rotate the points about their centre: a phone held a little crooked."""
    c, s = np.cos(np.radians(roll_deg)), np.sin(np.radians(roll_deg))
    centre = np.nanmean(xy, axis=0)
    rolled: NDArray[np.float64] = (xy - centre) @ np.array([[c, s], [-s, c]]) + centre
    return rolled


def augment(
    kp: Keypoints, depth_m: NDArray[np.float32], lift: str, rng: np.random.Generator
) -> NDArray[np.float32]:
    """(17, 2) pixels after the pose-model errors described in the module docstring."""
    xy = kp.xy[0].astype(np.float64)
    box = kp.bbox_xywh()
    diag_px = float(np.hypot(box[2], box[3])) if box else 1.0
    if rng.random() < 0.4:
        _snap_far_side(xy, depth_m, diag_px, rng)
    if rng.random() < (0.35 if lift == "bench" else 0.12):
        _crop_edge(xy, rng)
    xy = _roll(xy, float(rng.normal(0, 3)))
    noisy = synth.corrupt(
        Keypoints.single(xy),
        rng,
        sigma_px=float(rng.uniform(0.004, 0.025)) * diag_px,
        p_missing=float(rng.uniform(0.0, 0.1)),
    )
    out: NDArray[np.float32] = noisy.xy[0]
    return out


def _view(
    lift: str, world: NDArray[np.float32], rng: np.random.Generator
) -> tuple[Camera, Keypoints]:
    """A random camera and its projection; redraws a camera that framing pushed into the body."""
    for _ in range(10):
        try:  # fit_camera and project refuse a camera inside the lifter's box
            camera = draw_camera(lift, world, rng)
            return camera, synth.project(world, camera)
        except ValueError:
            continue
    raise RuntimeError("no usable camera in 10 draws")


@dataclass(frozen=True)
class Dataset:
    """Keypoints (N, 17, 2) pixels, lift labels (N,), variant names and camera yaws (N,)."""

    xy: NDArray[np.float32]
    lift: NDArray[np.str_]
    variant: NDArray[np.str_]
    yaw_deg: NDArray[np.float64]


def make_dataset(seed: int, poses_per_lift: int, views_per_pose: int = VIEWS_PER_POSE) -> Dataset:
    """Draw `poses_per_lift` poses of each lift, each seen by `views_per_pose` random cameras."""
    rng = np.random.default_rng(seed)
    xy, lifts, variants, yaws = [], [], [], []
    for lift in synth.LIFTS:
        for _ in range(poses_per_lift):
            world, variant = draw_pose(lift, rng)
            for _ in range(views_per_pose):
                camera, kp = _view(lift, world, rng)
                xy.append(augment(kp, synth.camera_depths_m(world, camera), lift, rng))
                lifts.append(lift)
                variants.append(variant)
                yaws.append(camera.yaw_deg)
    return Dataset(np.stack(xy), np.array(lifts), np.array(variants), np.array(yaws))
