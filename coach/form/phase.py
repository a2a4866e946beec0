"""The gold phase a photo is compared with (coach.form.scoring, item 2).

A lift's phases are defined by a few joint angles (the squat's bottom by bent knees and hips,
the bench's chest by bent elbows, the deadlift's setup by bent hips and knees). So:
- with 3D points (MediaPipe's world landmarks) the phase is the one whose gold has the
  nearest of THOSE 3D angles: view-independent;
- with 2D points only, each lift uses the cue that measured best (PHASE_2D_METHOD):
  * squat: the thigh-drop ratio, the hip-to-knee drop over the knee-to-ankle drop in image
    height (~1 standing, ~0 with the thigh horizontal). Heights don't change when the camera
    turns around a standing lifter, so it holds in every view; from the front, camera pitch
    and perspective still leak into it. 2D knee angles are useless there: from the front a
    bent knee points at the lens and reads straight.
  * bench, deadlift: the nearest gold in whole-body shape.
  Measured 2026-11-20 with scripts/measure_phase.py (ratio vs shape): right phase on 300
  random synthetic lifters each, squat 0.92 vs 0.88, deadlift 0.82 vs 0.88, bench (shape)
  0.87; agreement with the 3D choice on the real fixture photos, squat 43/44 vs 37/44,
  deadlift 42/46 vs 44/46, bench (shape) 25/29. The 3D angles: 1.00 on all three lifts.

`coach.form.scoring` re-exports `nearest_phase` and `pose_distance`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from coach.core.angles import compute_angles
from coach.core.errors import GoldAnnotationError
from coach.core.keypoints import MIRROR, Joint, Keypoints
from coach.core.lifts import GOLD_VIEWS, PHASES
from coach.form.rules import rules_for

GoldMapping = Mapping[str, Mapping[str, Keypoints]]  # view -> phase -> Keypoints (T >= 1)

# The angles (coach.core.angles names) whose values tell a lift's two phases apart.
PHASE_ANGLES: dict[str, tuple[str, ...]] = {
    "squat": ("left_knee", "right_knee", "left_hip", "right_hip"),
    "bench": ("left_elbow", "right_elbow"),
    "deadlift": ("left_hip", "right_hip", "left_knee", "right_knee"),
}
# The 2D cue per lift (module docstring): "ratio" (thigh_drop_ratio) or "shape" (pose_distance).
PHASE_2D_METHOD: dict[str, str] = {"squat": "ratio", "bench": "shape", "deadlift": "shape"}


def _shape(xy: NDArray[np.float64]) -> NDArray[np.float64]:
    """Points centred on their box centre and divided by the box's longer side."""
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    side = float(max(hi - lo))
    return (xy - (lo + hi) / 2) / side if side > 0 else np.zeros_like(xy)


def pose_distance(kp: Keypoints, other: Keypoints, t: int = 0, t_other: int = 0) -> float:
    """Mean distance between two poses over the joints present in both, unitless.

    Each pose is centred on its box and scaled by the box's longer side (keeps the aspect ratio,
    which is what separates standing from the bottom of a squat). Inf when < 2 joints are shared.
    """
    common = kp.present(t) & other.present(t_other)
    if common.sum() < 2:
        return float("inf")
    a = _shape(kp.xy[t][common].astype(np.float64))
    b = _shape(other.xy[t_other][common].astype(np.float64))
    return float(np.linalg.norm(a - b, axis=1).mean())


def _check_gold(lift: str, gold: GoldMapping) -> None:
    for view in GOLD_VIEWS:
        for phase in PHASES[lift]:
            if phase not in gold.get(view, {}):
                raise GoldAnnotationError(
                    f"the {lift} gold has no {view!r} view for phase {phase!r}; it needs "
                    f"views {', '.join(GOLD_VIEWS)} and phases {', '.join(PHASES[lift])}"
                )


def _drop(kp: Keypoints, upper: Joint, lower: Joint) -> float:
    """Vertical image distance from `upper` down to `lower` (pixels, y down; NaN if missing)."""
    return float(kp.xy[0, lower, 1] - kp.xy[0, upper, 1])


def thigh_drop_ratio(kp: Keypoints) -> float:
    """Frame 0's hip-to-knee drop over knee-to-ankle drop, mean of the sides found; NaN if none."""
    values = []
    for hip, knee, ankle in ((Joint.LEFT_HIP, Joint.LEFT_KNEE, Joint.LEFT_ANKLE),
                             (Joint.RIGHT_HIP, Joint.RIGHT_KNEE, Joint.RIGHT_ANKLE)):
        thigh, shin = _drop(kp, hip, knee), _drop(kp, knee, ankle)
        if np.isfinite(thigh) and np.isfinite(shin) and shin > 1e-6:
            values.append(thigh / shin)
    return float(np.mean(values)) if values else float("nan")


def phase_angle_distance_deg(
    lift: str, lifter_deg: Mapping[str, float], gold_deg: Mapping[str, float]
) -> float:
    """Mean |lifter - gold| over the lift's PHASE_ANGLES found in both, degrees; inf if none."""
    diffs = [abs(lifter_deg[n] - gold_deg[n]) for n in PHASE_ANGLES[lift]
             if np.isfinite(lifter_deg.get(n, np.nan)) and np.isfinite(gold_deg.get(n, np.nan))]
    return float(np.mean(diffs)) if diffs else float("inf")


def nearest_phase(
    kp: Keypoints, lift: str, gold: GoldMapping, t: int = 0,
    gold_angles_3d_deg: Mapping[str, Mapping[str, float]] | None = None,
) -> str:
    """The gold phase closest to frame t (rules: module docstring).

    Args:
        gold_angles_3d_deg: phase -> the gold's true (3D) angles; with it and world points
            in `kp`, the 3D key angles decide. Otherwise the lift's 2D cue (PHASE_2D_METHOD).
    Ties and nothing comparable go to the lift's first phase.

    Raises:
        GoldAnnotationError: when the gold lacks a view or phase.
    """
    rules_for(lift)
    _check_gold(lift, gold)
    frame = kp.frame(t)
    by_3d = _by_3d_angles(frame, lift, gold_angles_3d_deg)
    if by_3d is not None:
        return by_3d
    if PHASE_2D_METHOD[lift] == "ratio":
        by_ratio = _by_thigh_drop(frame, lift, gold)
        if by_ratio is not None:
            return by_ratio
    return _by_shape(frame, lift, gold)


def _by_3d_angles(
    frame: Keypoints, lift: str, gold_deg: Mapping[str, Mapping[str, float]] | None
) -> str | None:
    if gold_deg is None or frame.world_xyz is None:
        return None
    mine = compute_angles(frame, use_3d=True)
    dist = {ph: phase_angle_distance_deg(lift, mine, gold_deg[ph]) for ph in PHASES[lift]}
    if not any(np.isfinite(d) for d in dist.values()):
        return None
    return min(PHASES[lift], key=lambda ph: dist[ph])


def _by_thigh_drop(frame: Keypoints, lift: str, gold: GoldMapping) -> str | None:
    mine = thigh_drop_ratio(frame)
    if not np.isfinite(mine):
        return None
    dist = {ph: min(abs(mine - thigh_drop_ratio(gold[v][ph])) for v in GOLD_VIEWS)
            for ph in PHASES[lift]}
    return min(PHASES[lift], key=lambda ph: dist[ph])


def _by_shape(frame: Keypoints, lift: str, gold: GoldMapping) -> str:
    """Nearest gold in whole-body shape, also trying left and right swapped (seen from
    behind, a symmetric pose is the front view with the sides swapped)."""
    swap = [int(j) for j in MIRROR]
    candidates = (frame, Keypoints(frame.xy[:, swap], frame.score[:, swap]))
    best, best_d = PHASES[lift][0], float("inf")
    for phase in PHASES[lift]:
        d = min(pose_distance(c, gold[v][phase]) for v in GOLD_VIEWS for c in candidates)
        if d < best_d:
            best, best_d = phase, d
    return best
