"""Textbook-good postures for each lift phase, as data, plus the faults tests inject.

Angle conventions (shared with `coach.core.angles`): a FLEXION angle is 180 deg minus the included
angle that `coach.core.angles.joint_angle_deg` measures, so 0 = straight; `shoulder_elevation_deg`
IS
the included elbow-shoulder-hip (armpit) angle; `trunk_lean_deg` is the mid-hip -> mid-shoulder
line against vertical-up (0 upright, 90 horizontal). Widths are ratios to the biacromial
breadth (`Body.biacromial_m`), the unit the bench-grip literature uses.

Sources for the phase values (typical values, rounded; the literature reports ranges):
- Squat: Escamilla 2001, "Knee biomechanics of the dynamic squat exercise", Med Sci Sports
  Exerc 33(1):127-141 (squat depth by knee flexion: a parallel-to-deep squat reaches roughly
  100-130 deg of knee flexion); Schoenfeld 2010, "Squatting kinematics and kinetics and their
  application to exercise performance", J Strength Cond Res 24(12):3497-3506 (stance about
  shoulder width, toes turned out, knees tracking over the toes without valgus, forward trunk
  lean that grows with depth). Bottom: knee 120, trunk lean 45, ankle dorsiflexion 35.
- Deadlift (conventional): Escamilla et al. 2000, "A three-dimensional biomechanical analysis of
  sumo and conventional style deadlifts", Med Sci Sports Exerc 32(7):1265-1275 (the
  conventional setup has a markedly inclined trunk and less knee flexion than sumo, feet about
  hip width, hands just outside the legs). Setup: knee 80, trunk lean 60, ankle 25; lockout
  upright. Arms hang vertically from the shoulders (general coaching guidance, e.g. NSCA).
- Bench press: Green & Comfort 2007, "The affect of grip width on bench press performance and
  risk of injury", Strength Cond J 29(5):10-14 (grip no wider than about 1.5x biacromial);
  Lehman 2005, "The influence of grip width and forearm pronation/supination on upper-body
  myoelectric activity during the flat bench press", J Strength Cond Res 19(3):587-591 (grips
  expressed in biacromial widths). Elbows about 45-75 deg from the torso at the chest and feet
  flat on the floor follow common coaching guidance (e.g. NSCA); we use 50 deg, with the
  forearms vertical seen from the side and the bar touching the lower chest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from types import MappingProxyType

import numpy as np

from coach.core import body
from coach.core.lifts import LIFTS

# The sources of the phase values above, per lift (written into the gold files' provenance).
SOURCES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "squat": (
            "Escamilla RF (2001). Knee biomechanics of the dynamic squat exercise. "
            "Med Sci Sports Exerc 33(1):127-141.",
            "Schoenfeld BJ (2010). Squatting kinematics and kinetics and their application to "
            "exercise performance. J Strength Cond Res 24(12):3497-3506.",
        ),
        "bench": (
            "Green CM, Comfort P (2007). The affect of grip width on bench press performance and "
            "risk of injury. Strength Cond J 29(5):10-14.",
            "Lehman GJ (2005). The influence of grip width and forearm pronation/supination on "
            "upper-body myoelectric activity during the flat bench press. J Strength Cond Res "
            "19(3):587-591.",
            "General coaching guidance (e.g. NSCA exercise technique material): elbows about "
            "45-75 deg from the torso at the chest, feet flat on the floor.",
        ),
        "deadlift": (
            "Escamilla RF et al. (2000). A three-dimensional biomechanical analysis of sumo and "
            "conventional style deadlifts. Med Sci Sports Exerc 32(7):1265-1275.",
            "General coaching guidance (e.g. NSCA exercise technique material): arms straight "
            "and vertical, bar over mid-foot, neutral spine.",
        ),
    }
)
# Faults `phase_pose` can inject; each is a deviation from good form (0 = none).
FAULTS: Mapping[str, str] = MappingProxyType(
    {
        "knee_valgus_deg": "knees swing toward the midline about the hip-ankle line (caving in)",
        "grip_width_scale": "multiplies the hand spacing (e.g. 1.6 = a far too wide grip)",
        "elbow_flare_deg": "bench only: extra armpit angle at the chest (elbows toward 90 deg)",
        "trunk_lean_deg": "extra forward trunk lean (hip flexion follows, knees and shins keep)",
    }
)


@dataclass(frozen=True)
class LiftPose:
    """The joint angles that define one posture. Both sides are symmetric.

    Attributes:
        knee_flexion_deg: 180 - included hip-knee-ankle angle (0 = straight leg).
        hip_flexion_deg: SIDE-VIEW (sagittal) hip flexion: 180 - the shoulder-hip-knee angle
            seen from the side, i.e. the thigh's angle from vertical plus the trunk lean;
            negative = extension (the bench lifter's thighs drop below the trunk line). The 3D
            same-side angle differs: the shoulders are wider than the hips and the legs spread,
            so even a straight hip measures about 15-20 deg of "flexion" in 3D.
        trunk_lean_deg: mid-hip -> mid-shoulder line against vertical-up, 0..90 deg.
        ankle_dorsiflexion_deg: forward tilt of the shank from vertical with the foot flat
            (sagittal plane). Implied by the other three; `phase_pose` derives the hip from it.
        stance_width_ratio: ankle-to-ankle distance / biacromial breadth.
        toe_out_deg: feet (and knees, which track the toes) turned out from straight ahead.
        knee_valgus_deg: knees swung toward the midline (a fault; 0 in good form).
        shoulder_elevation_deg: included elbow-shoulder-hip (armpit) angle; at the bench's chest
            phase this is the elbow flare from the torso.
        elbow_flexion_deg: 180 - included shoulder-elbow-wrist angle.
        grip_width_ratio: wrist-to-wrist distance / biacromial breadth.
        neck_flexion_deg: head nodded forward relative to the trunk (negative = looking up).
        supine: lying face-up (bench); the trunk then leans back, not forward.
    """

    knee_flexion_deg: float
    hip_flexion_deg: float
    trunk_lean_deg: float
    ankle_dorsiflexion_deg: float
    stance_width_ratio: float
    toe_out_deg: float
    knee_valgus_deg: float
    shoulder_elevation_deg: float
    elbow_flexion_deg: float
    grip_width_ratio: float
    neck_flexion_deg: float = 0.0
    supine: bool = False


# Good form per lift and phase: (first phase, second phase). The hip is derived (see `_hip`).
_TABLE: dict[str, dict[str, tuple[float, float]]] = {
    "squat": {  # high-bar back squat, bar on the upper traps
        "knee_flexion_deg": (3.0, 120.0),
        "trunk_lean_deg": (3.0, 45.0),
        "ankle_dorsiflexion_deg": (2.0, 35.0),
        "stance_width_ratio": (1.15, 1.15),
        "toe_out_deg": (20.0, 20.0),
        "shoulder_elevation_deg": (60.0, 60.0),
        "elbow_flexion_deg": (140.0, 140.0),
        "grip_width_ratio": (1.5, 1.5),
        "neck_flexion_deg": (0.0, -15.0),
    },
    "bench": {  # lockout: arms vertical over the shoulders; chest: bar on the lower chest
        "knee_flexion_deg": (85.0, 85.0),
        "trunk_lean_deg": (90.0, 90.0),
        "ankle_dorsiflexion_deg": (5.0, 5.0),
        "stance_width_ratio": (1.4, 1.4),
        "toe_out_deg": (15.0, 15.0),
        "shoulder_elevation_deg": (90.0, 50.0),
        "elbow_flexion_deg": (5.0, 115.0),
        "grip_width_ratio": (1.5, 1.5),
        "neck_flexion_deg": (0.0, 0.0),
    },
    "deadlift": {  # conventional; arms hang vertically, so the armpit angle is derived
        "knee_flexion_deg": (80.0, 2.0),
        "trunk_lean_deg": (60.0, 0.0),
        "ankle_dorsiflexion_deg": (25.0, 0.0),
        "stance_width_ratio": (0.75, 0.75),
        "toe_out_deg": (10.0, 10.0),
        "shoulder_elevation_deg": (0.0, 0.0),
        "elbow_flexion_deg": (0.0, 0.0),
        "grip_width_ratio": (1.15, 1.15),
        "neck_flexion_deg": (-10.0, 0.0),
    },
}
# One standard deviation of natural, still-good variation per angle; `variation` scales it.
_VARIATION_SD: dict[str, float] = {
    "knee_flexion_deg": 5.0,
    "trunk_lean_deg": 4.0,
    "ankle_dorsiflexion_deg": 3.0,
    "stance_width_ratio": 0.08,
    "toe_out_deg": 5.0,
    "shoulder_elevation_deg": 5.0,
    "elbow_flexion_deg": 6.0,
    "grip_width_ratio": 0.08,
    "neck_flexion_deg": 5.0,
}
_LIMITS: dict[str, tuple[float, float]] = {
    "knee_flexion_deg": (0.0, 150.0),
    "trunk_lean_deg": (0.0, 90.0),
    "ankle_dorsiflexion_deg": (-10.0, 45.0),
    "stance_width_ratio": (0.4, 2.5),
    "toe_out_deg": (-10.0, 45.0),
    "shoulder_elevation_deg": (0.0, 160.0),
    "elbow_flexion_deg": (0.0, 150.0),
    "grip_width_ratio": (0.6, 3.0),
    "neck_flexion_deg": (-45.0, 45.0),
}
# Default-body geometry (Drillis & Contini fractions of height, see coach.synth.lifter) used to
# hang the
# deadlift arms vertically: trunk length, half-widths of the COCO shoulder and hip points, and
# arm length (upper arm + forearm), all / height.
_TRUNK_H = body.TRUNK_FRAC
_HALF_SHOULDER_H = 0.5 * body.SHOULDER_POINT_SHARE * body.BIACROMIAL_FRAC
_HALF_HIP_H = 0.5 * body.HIP_POINT_SHARE * body.HIP_BREADTH_FRAC
_ARM_H = body.UPPER_ARM_FRAC + body.FOREARM_FRAC
_BIACROMIAL_H = body.BIACROMIAL_FRAC


def phase_pose(
    lift: str,
    progress: float,
    *,
    rng: np.random.Generator | None = None,
    variation: float = 0.0,
    faults: Mapping[str, float] | None = None,
) -> LiftPose:
    """The textbook-good posture of `lift` at `progress` between its two phases.

    Args:
        lift: one of `LIFTS`.
        progress: 0.0 = first phase of `PHASES[lift]`, 1.0 = second; angles interpolate
            linearly in between (clipped to [0, 1]).
        rng: source of natural variation; needed when `variation` > 0.
        variation: scale of per-angle Gaussian variation (1.0 = one typical SD, still good form).
        faults: deviations from good form, keys from `FAULTS`.

    Returns:
        A `LiftPose`; its hip flexion is derived so the sagittal chain closes with the foot flat.

    Raises:
        ValueError: unknown lift or fault, or `variation` > 0 without `rng`.
    """
    if lift not in LIFTS:
        raise ValueError(f"unknown lift {lift!r}; expected one of {LIFTS}")
    if variation > 0 and rng is None:
        raise ValueError("phase_pose: variation > 0 needs an rng")
    p = float(np.clip(progress, 0.0, 1.0))
    values = {name: (1 - p) * a + p * b for name, (a, b) in _TABLE[lift].items()}
    if variation > 0 and rng is not None:
        for name, sd in _VARIATION_SD.items():
            values[name] += float(rng.normal(0.0, sd * variation))
    if lift == "deadlift":  # elbows stay locked whatever the variation
        values["elbow_flexion_deg"] = 0.0
    values = {k: float(np.clip(v, *_LIMITS[k])) for k, v in values.items()}
    if lift == "bench":  # lying flat on the bench: the trunk line stays horizontal
        values["trunk_lean_deg"] = 90.0
    pose = _build(lift, values, valgus_deg=0.0)
    return _apply_faults(lift, p, pose, faults or {})


def _hip(values: Mapping[str, float], supine: bool) -> float:
    """Hip flexion that closes the sagittal chain: thigh angle from vertical = hip - lean, shank
    angle = thigh - knee, and the shank's forward tilt is the ankle dorsiflexion."""
    lean = -values["trunk_lean_deg"] if supine else values["trunk_lean_deg"]
    return values["knee_flexion_deg"] - values["ankle_dorsiflexion_deg"] + lean


def _hanging_arm_deg(trunk_lean_deg: float, grip_width_ratio: float) -> float:
    """Armpit angle (against the same-side shoulder -> hip line) of a straight arm hanging
    vertically, tilted sideways just enough to reach the grip; exact for the default body."""
    lean = np.radians(trunk_lean_deg)
    side_down = np.array([_HALF_HIP_H - _HALF_SHOULDER_H, _TRUNK_H * np.cos(lean),
                          -_TRUNK_H * np.sin(lean)])  # fmt: skip
    lateral = np.clip((0.5 * grip_width_ratio * _BIACROMIAL_H - _HALF_SHOULDER_H) / _ARM_H,
                      -0.95, 0.95)  # fmt: skip
    arm = np.array([lateral, np.sqrt(1.0 - lateral**2), 0.0])
    cos = float(arm @ side_down) / float(np.linalg.norm(side_down))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def _build(lift: str, values: Mapping[str, float], *, valgus_deg: float) -> LiftPose:
    supine = lift == "bench"
    shoulder = values["shoulder_elevation_deg"]
    if lift == "deadlift":
        shoulder = _hanging_arm_deg(values["trunk_lean_deg"], values["grip_width_ratio"])
    return LiftPose(
        knee_flexion_deg=values["knee_flexion_deg"],
        hip_flexion_deg=_hip(values, supine),
        trunk_lean_deg=values["trunk_lean_deg"],
        ankle_dorsiflexion_deg=values["ankle_dorsiflexion_deg"],
        stance_width_ratio=values["stance_width_ratio"],
        toe_out_deg=values["toe_out_deg"],
        knee_valgus_deg=valgus_deg,
        shoulder_elevation_deg=shoulder,
        elbow_flexion_deg=values["elbow_flexion_deg"],
        grip_width_ratio=values["grip_width_ratio"],
        neck_flexion_deg=values["neck_flexion_deg"],
        supine=supine,
    )


def _apply_faults(
    lift: str, progress: float, pose: LiftPose, faults: Mapping[str, float]
) -> LiftPose:
    unknown = sorted(set(faults) - set(FAULTS))
    if unknown:
        raise ValueError(f"unknown fault(s) {unknown}; expected some of {sorted(FAULTS)}")
    if "elbow_flare_deg" in faults and lift != "bench":
        raise ValueError("elbow_flare_deg is a bench fault; use it with lift='bench'")
    values = {f.name: getattr(pose, f.name) for f in fields(LiftPose)}
    scale = float(faults.get("grip_width_scale", 1.0))
    values["grip_width_ratio"] *= scale
    if lift == "squat":  # hands far out on the bar: the arms open up and the elbows unbend
        values["shoulder_elevation_deg"] = min(
            values["shoulder_elevation_deg"] + 40 * (scale - 1), 120
        )
        values["elbow_flexion_deg"] = float(
            np.clip(values["elbow_flexion_deg"] - 100 * (scale - 1), 0, 150)
        )
    values["trunk_lean_deg"] += float(faults.get("trunk_lean_deg", 0.0))
    if lift == "bench":  # flare only exists with the bar at the chest, so it grows with progress
        extra = progress * float(faults.get("elbow_flare_deg", 0.0))
        values["shoulder_elevation_deg"] = min(values["shoulder_elevation_deg"] + extra, 120.0)
    rebuilt = _build(lift, values, valgus_deg=float(faults.get("knee_valgus_deg", 0.0)))
    if lift != "deadlift":  # the armpit angle is only derived for the hanging deadlift arms
        rebuilt = replace(rebuilt, shoulder_elevation_deg=values["shoulder_elevation_deg"])
    return rebuilt
