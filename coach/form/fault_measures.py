"""The measures behind the fault catalogue: pure functions of one rep's keypoints.

Each measure returns a `Measured` (the value, LARGER IS WORSE, in the unit its fault names;
the frame it was read at; and the lowest keypoint score it used), or None when the joints it
needs were not found. Image y points down; "forward" is the way the lifter faces in the
picture (`RepFrames.forward`, +1 = to the right). Body sizes are measured on the clip itself:
a segment's length is its 95th-percentile length over the clip, since projection only ever
shortens a segment.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from coach.core.keypoints import Foot, Joint, Keypoints
from coach.form.hands import hands_xy

J = Joint
F64 = NDArray[np.float64]
# Munro, Herrington & Carolan 2012: the smallest detectable difference of a 2D frontal-plane
# projection angle is 7.5-8.9 deg; a knee angle must change more than this to count as caving.
FPPA_SDD_DEG = 9.0


@dataclass(frozen=True)
class RepFrames:
    """Where one rep's moments are, as frame indices into the clip's keypoints.

    Attributes:
        start, bottom, end: the rep's start, deepest point and lockout (`coach.reps.types.Rep`).
        early_end: the last frame of the early ascent (bottom + a third of the way up; for a
            deadlift, where the hands pass the knees).
        lockout_end: the last frame of the lockout window after `end`.
        forward: +1 when the lifter faces right in the picture, -1 left, 0 unknown.
        bar_xy: (T, 2) the tracked bar's end where its plate was seen, NaN elsewhere; None when
            the bar was not tracked (`coach.form.hands`).
        back_arc: (T, 2) the back outline's arc per frame, [facing right, facing left]
            (`coach.form.back`); None when no frame had the lifter's silhouette.
        lockout_cut: the clip ended before the lockout window did, so the lockout was not
            seen held (`coach.form.fault_check.rep_frames`).
    """

    start: int
    bottom: int
    end: int
    early_end: int
    lockout_end: int
    forward: int
    bar_xy: F64 | None = field(default=None, compare=False)
    back_arc: F64 | None = field(default=None, compare=False)
    lockout_cut: bool = False


@dataclass(frozen=True)
class Measured:
    value: float
    frame: int
    quality: float
    source: str = ""  # where the bar's position came from ("plate", "wrists"; "" = not read)


def _quiet(fn: Callable[..., Any], *args: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices stay NaN
        return fn(*args)


def near_foot(kp: Keypoints) -> tuple[F64, F64]:
    """(T, 2) heel and (T, 2) big toe of the foot the pose model is surer of over the clip.

    From the side the far foot hides behind the near one and behind the plates, and its
    guessed points wander; one foot is chosen for the whole clip so no side switch jumps. A
    foot point counts only on frames where its ankle was found: the model always places the
    foot landmarks, and without the ankle they are a guess (docs/fault-limits.md: hidden
    keypoints mean "can't judge").
    """
    left = np.nansum(kp.foot_scores[:, [Foot.LEFT_HEEL, Foot.LEFT_BIG_TOE]])
    right = np.nansum(kp.foot_scores[:, [Foot.RIGHT_HEEL, Foot.RIGHT_BIG_TOE]])
    heel, toe, ankle = ((Foot.LEFT_HEEL, Foot.LEFT_BIG_TOE, J.LEFT_ANKLE) if left >= right
                        else (Foot.RIGHT_HEEL, Foot.RIGHT_BIG_TOE, J.RIGHT_ANKLE))  # fmt: skip
    seen = np.isfinite(kp.xy[:, ankle]).all(axis=1)[:, None]
    return (np.where(seen, kp.feet[:, heel], np.nan).astype(np.float64),
            np.where(seen, kp.feet[:, toe], np.nan).astype(np.float64))  # fmt: skip


def length(kp: Keypoints, pairs: tuple[tuple[Joint, Joint], ...]) -> float:
    """A segment's length in pixels: the 95th percentile over the clip, either side."""
    lengths = [np.linalg.norm(kp.xy[:, a] - kp.xy[:, b], axis=1) for a, b in pairs]
    values = np.concatenate(lengths)
    values = values[np.isfinite(values)]
    return float(np.percentile(values, 95)) if len(values) else math.nan


def foot_length(heel: F64, toe: F64) -> float:
    """Heel to big toe (`near_foot`), 95th percentile over the clip (pixels)."""
    values = np.linalg.norm(heel - toe, axis=1)
    values = values[np.isfinite(values)]
    return float(np.percentile(values, 95)) if len(values) else math.nan


def trunk_lean(kp: Keypoints, forward: int) -> F64:
    """(T,) degrees of the hip->shoulder line from vertical, positive leaning forward."""
    sh = kp.midpoint(J.LEFT_SHOULDER, J.RIGHT_SHOULDER)
    hip = kp.midpoint(J.LEFT_HIP, J.RIGHT_HIP)
    out: F64 = np.degrees(np.arctan2(forward * (sh[:, 0] - hip[:, 0]), hip[:, 1] - sh[:, 1]))
    return out


def quality(kp: Keypoints, t: int, names: tuple[str, ...]) -> float:
    """The lowest score among the named joints that were found in frame t (0 if none)."""
    scores = []
    for name in names:
        if name.upper() in Joint.__members__:
            j = Joint[name.upper()]
            if np.isfinite(kp.xy[t, j]).all():
                scores.append(float(kp.score[t, j]))
        elif np.isfinite(kp.feet[t, Foot[name.upper()]]).all():
            scores.append(float(kp.foot_scores[t, Foot[name.upper()]]))
    return min(scores) if scores else 0.0


def _worst(values: F64, frames: range) -> tuple[float, int] | None:
    """The worst value held for two analysed frames in a row (about 0.13 s at 15 fps), so one
    frame's keypoint jump is never a fault (docs/fault-limits.md: faults persist >= 100 ms).

    A frame pairs with the next one, past the window's end too; a frame next to one where the
    joints were not found holds nothing (it is unconfirmed, not held). The clip's last frame
    pairs with itself: nothing follows it. A one-frame window (the setup) is that frame.
    """
    window = values[frames.start:frames.stop]
    if len(window) > 1:
        following = values[frames.start + 1:frames.stop + 1]
        if len(following) < len(window):  # the window ends at the clip's last frame
            following = np.append(following, window[-1])
        window = np.minimum(window, following)
    if not np.isfinite(window).any():
        return None
    i = int(np.nanargmax(window))
    return float(window[i]), frames.start + i


def _best(values: F64, frames: range) -> tuple[float, int] | None:
    """The best (smallest) value in the window: e.g. the lifter's best lockout frame."""
    window = values[frames.start:frames.stop]
    if not np.isfinite(window).any():
        return None
    i = int(np.nanargmin(window))
    return float(window[i]), frames.start + i


def near_side(kp: Keypoints, traces: Mapping[str, F64], joint: str) -> F64:
    """(T,) a joint's 2D angle on the side the pose model is surer of, frame by frame.

    From the side the far limb is hidden behind the near one, and its guessed angle would
    drag a mean of both sides toward nonsense; the surer side is the one the camera sees.
    """
    left, right = (traces.get(f"{s}_{joint}") for s in ("left", "right"))
    if left is None or right is None:
        found = left if left is not None else right
        return np.full(len(kp), np.nan) if found is None else np.asarray(found, np.float64)
    j_left, j_right = Joint[f"LEFT_{joint.upper()}"], Joint[f"RIGHT_{joint.upper()}"]
    use_left = (kp.score[:, j_left] >= kp.score[:, j_right]) & np.isfinite(left)
    use_left |= ~np.isfinite(right)
    out: F64 = np.where(use_left, left, right)
    return out


def windows(f: RepFrames) -> dict[str, range]:
    """The frames each moment of the catalogue covers."""
    return {
        "setup": range(f.start, f.start + 1), "bottom": range(f.bottom, f.bottom + 1),
        "descent": range(f.start, f.bottom + 1), "early_ascent": range(f.bottom, f.early_end + 1),
        "concentric": range(f.bottom, f.end + 1), "lockout": range(f.end, f.lockout_end + 1),
        "whole_rep": range(f.start, f.end + 1),
    }


Measure = Callable[[Keypoints, Mapping[str, F64], RepFrames], "Measured | None"]
_HIPS_KNEES = ("left_hip", "right_hip", "left_knee", "right_knee")
_TRUNK = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")


def _measured(found: tuple[float, int] | None, kp: Keypoints, names: tuple[str, ...],
              source: str = "") -> Measured | None:  # fmt: skip
    if found is None or not math.isfinite(found[0]):
        return None
    return Measured(found[0], found[1], quality(kp, found[1], names), source)


def squat_depth_shortfall(kp: Keypoints, traces: Mapping[str, F64], f: RepFrames
                          ) -> Measured | None:  # fmt: skip
    """How far the hips stay above the knees at the deepest frame, in thigh lengths."""
    thigh = length(kp, ((J.LEFT_HIP, J.LEFT_KNEE), (J.RIGHT_HIP, J.RIGHT_KNEE)))
    below = (kp.midpoint(J.LEFT_HIP, J.RIGHT_HIP)[:, 1]
             - kp.midpoint(J.LEFT_KNEE, J.RIGHT_KNEE)[:, 1])
    found = _best(-below / thigh, windows(f)["whole_rep"])
    return _measured(found, kp, _HIPS_KNEES)


def _fppa(kp: Keypoints, hip: Joint, knee: Joint, ankle: Joint, midline_x: F64) -> F64:
    """(T,) deg the knee bends off the hip-ankle line, positive toward the body's midline."""
    h, k, a = (kp.xy[:, j].astype(np.float64) for j in (hip, knee, ankle))
    u, v = h - k, a - k
    cos = np.sum(u * v, axis=1) / (np.linalg.norm(u, axis=1) * np.linalg.norm(v, axis=1))
    bend = 180.0 - np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
    along = (k[:, 1] - h[:, 1]) / (a[:, 1] - h[:, 1])
    line_x = h[:, 0] + along * (a[:, 0] - h[:, 0])
    inward = np.sign(midline_x - line_x) * np.sign(k[:, 0] - line_x)
    out: F64 = bend * inward
    return out


def knee_valgus_fppa(kp: Keypoints, traces: Mapping[str, F64], f: RepFrames
                     ) -> Measured | None:  # fmt: skip
    """Peak frontal-plane knee angle toward the midline, bottom to early ascent (deg); capped
    below the catalogue's limit unless it grew past the smallest detectable difference."""
    midline = kp.midpoint(J.LEFT_HIP, J.RIGHT_HIP)[:, 0]
    legs = ((J.LEFT_HIP, J.LEFT_KNEE, J.LEFT_ANKLE), (J.RIGHT_HIP, J.RIGHT_KNEE, J.RIGHT_ANKLE))
    best: tuple[float, int] | None = None
    for hip, knee, ankle in legs:
        fppa = _fppa(kp, hip, knee, ankle, midline)
        peak = _worst(fppa, range(f.bottom, f.early_end + 1))
        if peak is None:
            continue
        standing = float(fppa[f.start]) if math.isfinite(fppa[f.start]) else 0.0
        value = peak[0] if peak[0] - standing >= FPPA_SDD_DEG else min(peak[0], 13.0)
        if best is None or value > best[0]:
            best = (value, peak[1])
    return _measured(best, kp, ("left_knee", "right_knee"))


def heel_rise(kp: Keypoints, traces: Mapping[str, F64], f: RepFrames) -> Measured | None:
    """Highest rise of the near heel over its own toe, against the rep's start, in foot
    lengths. A heel lifts by tilting the foot about the toes; when heel and toe "rise" together
    the foot has not moved (the toes stay on the floor), the landmarks have, so only the heel's
    height above the toe counts."""
    heel, toe = near_foot(kp)
    tilt = toe[:, 1] - heel[:, 1]  # image y points down: a raised heel has the smaller y
    if not math.isfinite(tilt[f.start]):
        return None
    found = _worst((tilt - tilt[f.start]) / foot_length(heel, toe), range(f.start, f.end + 1))
    return _measured(found, kp, ("left_heel", "right_heel"))


def trunk_lean_gain(kp: Keypoints, traces: Mapping[str, F64], f: RepFrames
                    ) -> Measured | None:  # fmt: skip
    """How much more the trunk leans forward early in the ascent than at the bottom (deg)."""
    lean = trunk_lean(kp, f.forward)
    if f.forward == 0 or not math.isfinite(lean[f.bottom]):
        return None
    return _measured(_worst(lean - lean[f.bottom], windows(f)["early_ascent"]), kp, _TRUNK)


def hip_shift(kp: Keypoints, traces: Mapping[str, F64], f: RepFrames) -> Measured | None:
    """Sideways move of the hips over the feet since the start, in stance widths."""
    ankles = kp.midpoint(J.LEFT_ANKLE, J.RIGHT_ANKLE)[:, 0]
    stance = np.abs(kp.xy[:, J.LEFT_ANKLE, 0] - kp.xy[:, J.RIGHT_ANKLE, 0]).astype(np.float64)
    width = float(_quiet(np.nanmedian, stance))
    if not width > 0:  # feet on top of each other: this is no front view
        return None
    offset = (kp.midpoint(J.LEFT_HIP, J.RIGHT_HIP)[:, 0] - ankles) / width
    if not math.isfinite(offset[f.start]):
        return None
    shift = np.abs(offset - offset[f.start])
    return _measured(_worst(shift, range(f.bottom, f.early_end + 1)), kp, ("left_hip", "right_hip"))


# The squat and the bench start locked by rule (IPF: upright with the knees locked; straight
# arms, elbows locked, before the start signal), so the lifter's own start is the straight the
# lockout is held to: it cancels keypoint bias and carrying angle (docs/fault-limits.md, S6 and
# B3). A photo has no start, and a start that reads under the absolute limit was not locked;
# then that limit stands: 165 deg (S6, B3), i.e. a reference of 165 + the faults' 10 deg.
LOCKED_ABSOLUTE_DEG = 165.0
LOCKOUT_LIMIT_DEG = 10.0  # coach.form.faults: the squat's and bench's incomplete_lockout


def locked_start(angle: F64, f: RepFrames) -> bool:
    """Whether the rep starts locked: a start frame (a photo has none) whose angle reads at
    least the absolute limit."""
    return f.start < f.end and bool(angle[f.start] >= LOCKED_ABSOLUTE_DEG)


def locked_reference(angle: F64, f: RepFrames) -> float:
    """The angle a lockout is held to: the rep's locked start, else the absolute limit's."""
    if locked_start(angle, f):
        return min(float(angle[f.start]), 180.0)
    return LOCKED_ABSOLUTE_DEG + LOCKOUT_LIMIT_DEG


def _lockout_short_of_start(kp: Keypoints, traces: Mapping[str, F64], f: RepFrames,
                            joint: str) -> Measured | None:  # fmt: skip
    angle = near_side(kp, traces, joint)
    found = _best(locked_reference(angle, f) - angle, windows(f)["lockout"])
    return _measured(found, kp, (f"left_{joint}", f"right_{joint}"))


def knee_lockout_deficit(kp: Keypoints, traces: Mapping[str, F64], f: RepFrames
                         ) -> Measured | None:  # fmt: skip
    """Degrees the knees stay short of the lifter's locked start at the best frame of the
    lockout (`locked_reference`)."""
    return _lockout_short_of_start(kp, traces, f, "knee")


def shoulders_behind_bar(kp: Keypoints, traces: Mapping[str, F64], f: RepFrames
                         ) -> Measured | None:  # fmt: skip
    """At liftoff, how far the shoulders sit behind the hands, in upper-arm lengths."""
    if f.forward == 0:
        return None
    arm = length(kp, ((J.LEFT_SHOULDER, J.LEFT_ELBOW), (J.RIGHT_SHOULDER, J.RIGHT_ELBOW)))
    sh = kp.midpoint(J.LEFT_SHOULDER, J.RIGHT_SHOULDER)[f.bottom, 0]
    hands, source = hands_xy(kp, f.bar_xy, range(f.start, f.lockout_end + 1))
    value = -f.forward * (sh - hands[f.bottom, 0]) / arm
    return _measured((float(value), f.bottom), kp,
                     ("left_shoulder", "right_shoulder", "left_wrist", "right_wrist"), source)


def bar_ahead_of_midfoot(kp: Keypoints, traces: Mapping[str, F64], f: RepFrames
                         ) -> Measured | None:  # fmt: skip
    """Furthest the hands get ahead of mid-foot during the pull, in foot lengths."""
    if f.forward == 0:
        return None
    heel, toe = near_foot(kp)
    # The feet stay planted through a pull, so mid-foot is one place per rep: the median over
    # the rep, which frames where the landmarks wander (plates hide the feet) cannot drag.
    midfoot = _quiet(np.nanmedian, ((heel[:, 0] + toe[:, 0]) / 2)[f.start:f.end + 1])
    hands, source = hands_xy(kp, f.bar_xy, range(f.start, f.lockout_end + 1))
    ahead = f.forward * (hands[:, 0] - midfoot)
    found = _worst(ahead / foot_length(heel, toe), windows(f)["concentric"])
    return _measured(found, kp, ("left_wrist", "right_wrist", "left_heel", "right_heel"), source)


def deadlift_lockout_deficit(kp: Keypoints, traces: Mapping[str, F64], f: RepFrames
                             ) -> Measured | None:  # fmt: skip
    """At the best lockout frame, the larger of the knees' shortfall from straight and the
    trunk's forward lean (deg)."""
    short = 180.0 - near_side(kp, traces, "knee")
    if f.forward != 0:  # the lean needs to know which way is forward
        short = np.fmax(short, trunk_lean(kp, f.forward))
    return _measured(_best(short, windows(f)["lockout"]), kp, _HIPS_KNEES)


def lean_back(kp: Keypoints, traces: Mapping[str, F64], f: RepFrames) -> Measured | None:
    """Furthest the trunk leans back past vertical at the top (deg)."""
    if f.forward == 0:
        return None
    return _measured(_worst(-trunk_lean(kp, f.forward), windows(f)["lockout"]), kp, _TRUNK)


def elbow_flare(kp: Keypoints, traces: Mapping[str, F64], f: RepFrames) -> Measured | None:
    """At the chest, the widest angle between an upper arm and the trunk line in the picture
    (deg): a 2D stand-in for humeral abduction, seen from the head or foot end."""
    hips = kp.midpoint(J.LEFT_HIP, J.RIGHT_HIP)[f.bottom]
    shoulders = kp.midpoint(J.LEFT_SHOULDER, J.RIGHT_SHOULDER)[f.bottom]
    trunk = hips - shoulders
    best = -math.inf
    for sh, el in ((J.LEFT_SHOULDER, J.LEFT_ELBOW), (J.RIGHT_SHOULDER, J.RIGHT_ELBOW)):
        arm = (kp.xy[f.bottom, el] - kp.xy[f.bottom, sh]).astype(np.float64)
        cos = float(arm @ trunk / (np.linalg.norm(arm) * np.linalg.norm(trunk)))
        if math.isfinite(cos):
            best = max(best, math.degrees(math.acos(max(-1.0, min(1.0, cos)))))
    found = (best, f.bottom) if math.isfinite(best) else None
    return _measured(found, kp, ("left_elbow", "right_elbow"))


def bar_tilt(kp: Keypoints, traces: Mapping[str, F64], f: RepFrames) -> Measured | None:
    """The line between the hands against horizontal at the lockout (deg)."""
    d = (kp.xy[:, J.LEFT_WRIST] - kp.xy[:, J.RIGHT_WRIST]).astype(np.float64)
    tilt = np.degrees(np.arctan2(np.abs(d[:, 1]), np.abs(d[:, 0])))
    return _measured(_best(tilt, windows(f)["lockout"]), kp, ("left_wrist", "right_wrist"))


def elbow_lockout_deficit(kp: Keypoints, traces: Mapping[str, F64], f: RepFrames
                          ) -> Measured | None:  # fmt: skip
    """Degrees the elbows stay short of the lifter's locked start (the unrack) at the best
    lockout frame (`locked_reference`)."""
    return _lockout_short_of_start(kp, traces, f, "elbow")


def lockout_toward_feet(kp: Keypoints, traces: Mapping[str, F64], f: RepFrames
                        ) -> Measured | None:  # fmt: skip
    """At the lockout, how much further the arms point toward the feet than at the locked
    start (from straight up off the trunk when there is none), in degrees."""
    sh = kp.midpoint(J.LEFT_SHOULDER, J.RIGHT_SHOULDER)
    along = kp.midpoint(J.LEFT_HIP, J.RIGHT_HIP) - sh
    along /= np.linalg.norm(along, axis=1, keepdims=True)
    up = np.stack([along[:, 1], -along[:, 0]], axis=1)
    up *= np.where(up[:, 1:] > 0, -1.0, 1.0)  # the perpendicular that points up the picture
    hands, source = hands_xy(kp, f.bar_xy, range(f.start, f.lockout_end + 1))
    arm = hands - sh
    angle = np.degrees(np.arctan2(np.sum(arm * along, axis=1), np.sum(arm * up, axis=1)))
    # The lifter unracks with the bar over the shoulders, so a locked start is where "over the
    # shoulders" reads for this lifter and camera: the change from it cancels the shoulder
    # keypoint's bias (docs/fault-limits.md, B4). A photo has no start: straight up stands in.
    locked = locked_start(near_side(kp, traces, "elbow"), f)
    reference = float(angle[f.start]) if locked and math.isfinite(angle[f.start]) else 0.0
    return _measured(_best(angle - reference, windows(f)["lockout"]), kp,
                     ("left_wrist", "right_wrist", "left_shoulder", "right_shoulder"), source)


def hip_rise(kp: Keypoints, traces: Mapping[str, F64], f: RepFrames) -> Measured | None:
    """Highest the hips rise above their height at the rep's start, in torso lengths."""
    torso = length(kp, ((J.LEFT_SHOULDER, J.LEFT_HIP), (J.RIGHT_SHOULDER, J.RIGHT_HIP)))
    y = kp.midpoint(J.LEFT_HIP, J.RIGHT_HIP)[:, 1]
    if not math.isfinite(y[f.start]):
        return None
    found = _worst((y[f.start] - y) / torso, windows(f)["concentric"])
    return _measured(found, kp, ("left_hip", "right_hip"))


def back_rounding(kp: Keypoints, traces: Mapping[str, F64], f: RepFrames) -> Measured | None:
    """The most the back's outline bows out during the pull (`coach.form.back`: arc depth over
    its length), held two frames."""
    if f.back_arc is None or f.forward == 0:
        return None
    arc = f.back_arc[:, 0 if f.forward > 0 else 1]
    return _measured(_worst(arc, windows(f)["concentric"]), kp, _TRUNK)


MEASURES: dict[str, Measure] = {
    "squat_depth_shortfall": squat_depth_shortfall, "knee_valgus_fppa": knee_valgus_fppa,
    "heel_rise": heel_rise, "trunk_lean_gain": trunk_lean_gain, "hip_shift": hip_shift,
    "knee_lockout_deficit": knee_lockout_deficit, "shoulders_behind_bar": shoulders_behind_bar,
    "bar_ahead_of_midfoot": bar_ahead_of_midfoot,
    "deadlift_lockout_deficit": deadlift_lockout_deficit, "lean_back": lean_back,
    "elbow_flare": elbow_flare, "bar_tilt": bar_tilt,
    "elbow_lockout_deficit": elbow_lockout_deficit, "lockout_toward_feet": lockout_toward_feet,
    "hip_rise": hip_rise, "back_rounding": back_rounding,
}
