"""Constructed stick-figure reps for the fault checks: each builder puts one fault's measure at
a chosen value, so a test can place it just inside or just past the catalogue's limit.

Every rep has five frames: start, bottom, bottom again (a fault must be held), back up, and a
held lockout; `FRAMES` are its moments. Side views face right (the nose ahead of the ears).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from coach.core.keypoints import Foot, Joint, Keypoints
from coach.form.fault_measures import RepFrames

J = Joint
Pose = dict[Joint, tuple[float, float]]
Built = tuple[Keypoints, dict[str, NDArray[np.float64]]]
FRAMES = RepFrames(start=0, bottom=1, end=3, early_end=2, lockout_end=4, forward=1)
FOOT_PX = 40.0  # heel to big toe


def _face(pose: Pose, head: tuple[float, float]) -> Pose:
    x, y = head
    return {**pose, J.NOSE: (x + 10, y), J.LEFT_EAR: (x, y), J.RIGHT_EAR: (x, y),
            J.LEFT_EYE: (x + 6, y - 3), J.RIGHT_EYE: (x + 6, y - 3)}  # fmt: skip


def _both(pose: Pose, name: str, xy: tuple[float, float]) -> None:
    pose[J[f"LEFT_{name}"]] = xy
    pose[J[f"RIGHT_{name}"]] = xy


def side_lifter(lean_deg: float = 0.0, hip: tuple[float, float] = (300.0, 400.0),
                knee: tuple[float, float] = (300.0, 500.0), hands_x: float | None = None) -> Pose:
    """A side view: hip, trunk of 200 px leaning `lean_deg` forward, upper arm 60 px down."""
    rad = math.radians(lean_deg)
    sh = (hip[0] + 200 * math.sin(rad), hip[1] - 200 * math.cos(rad))
    pose: Pose = {}
    for name, xy in (("SHOULDER", sh), ("HIP", hip), ("KNEE", knee), ("ANKLE", (300.0, 600.0)),
                     ("ELBOW", (sh[0], sh[1] + 60)),
                     ("WRIST", (sh[0] if hands_x is None else hands_x, sh[1] + 120))):
        _both(pose, name, xy)
    return _face(pose, (sh[0] + 5, sh[1] - 40))


def keypoints(poses: list[Pose], heel_y: list[float] | None = None) -> Keypoints:
    """Stack poses; feet flat under the ankles (heel 290, toe 330) unless `heel_y` moves them."""
    frames = [Keypoints.from_dict(p) for p in poses]
    kp = Keypoints.stack(frames)
    feet = np.zeros((len(poses), 6, 2), np.float32)
    for t in range(len(poses)):
        y = 600.0 if heel_y is None else heel_y[t]
        for heel, toe in ((Foot.LEFT_HEEL, Foot.LEFT_BIG_TOE),
                          (Foot.RIGHT_HEEL, Foot.RIGHT_BIG_TOE)):
            feet[t, heel] = (290.0, y)
            feet[t, toe] = (290.0 + FOOT_PX, 600.0)
        feet[t, Foot.LEFT_SMALL_TOE] = feet[t, Foot.RIGHT_SMALL_TOE] = np.nan
    return Keypoints(kp.xy, kp.score, None, feet, None)


SETUP_DEG = 175.0  # the traces' start frame: a locked start, as a squat's or bench's is


def traces(knee: float = 180.0, elbow: float = 180.0, n: int = 5,
           setup: float = SETUP_DEG) -> dict[str, NDArray[np.float64]]:  # fmt: skip
    """2D angle traces with the start frame at `setup` and the lockout frames (3, 4) at the
    given angles."""
    def trace(top: float) -> NDArray[np.float64]:
        return np.array([setup, 90.0, 90.0, top, top][:n])
    return {f"{s}_{j}": trace(v) for s in ("left", "right") for j, v in (("knee", knee),
                                                                       ("elbow", elbow))}


def squat_depth(shortfall: float) -> Built:
    """The hip stays `shortfall` thigh lengths above the knee at the bottom."""
    bottom = side_lifter(30.0, hip=(250.0, 500.0 - shortfall * 100), knee=(350.0, 500.0))
    stand = side_lifter()
    return keypoints([stand, bottom, bottom, stand, stand]), traces()


def trunk_gain(gain_deg: float) -> Built:
    """The trunk leans `gain_deg` further forward early in the ascent than at the bottom, held
    into the next frame (a fault must hold for two frames)."""
    poses = [side_lifter(), side_lifter(40.0), side_lifter(40.0 + gain_deg),
             side_lifter(40.0 + gain_deg), side_lifter()]
    return keypoints(poses), traces()


def heel_rise(rise: float) -> Built:
    """The heels lift `rise` foot lengths mid-rep."""
    y = 600.0 - rise * FOOT_PX
    return keypoints([side_lifter()] * 5, heel_y=[600.0, y, y, 600.0, 600.0]), traces()


def shoulders_behind(behind: float) -> Built:
    """At liftoff the shoulders are `behind` upper-arm lengths behind the hands."""
    setup = side_lifter(60.0)
    sh_x = setup[J.LEFT_SHOULDER][0]
    setup = side_lifter(60.0, hands_x=sh_x + behind * 60.0)
    return keypoints([setup, setup, setup, side_lifter(), side_lifter()]), traces()


def bar_ahead(ahead: float) -> Built:
    """The hands pass `ahead` foot lengths in front of mid-foot during the pull."""
    pull = side_lifter(45.0, hands_x=310.0 + ahead * FOOT_PX)
    still = side_lifter(hands_x=310.0)
    return keypoints([still, pull, pull, still, still]), traces()


def lockout(knee_deg: float = 180.0, lean_deg: float = 0.0, elbow_deg: float = 180.0,
            setup_deg: float = SETUP_DEG) -> Built:  # fmt: skip
    """The top with the knees (or elbows) at an angle and the trunk leaning (negative = back),
    after a start with the knees and elbows at `setup_deg`."""
    top = side_lifter(lean_deg)
    poses = [side_lifter(), side_lifter(40.0), side_lifter(40.0), top, top]
    return keypoints(poses), traces(knee=knee_deg, elbow=elbow_deg, setup=setup_deg)


def _front_legs(dx: float, midline_offset: float = 0.0) -> Pose:
    """A front view: legs 60 px apart at the hips, knees moved `dx` px toward the midline."""
    pose: Pose = {}
    for side, x in (("LEFT", 330.0), ("RIGHT", 270.0)):
        inward = -1.0 if x > 300 else 1.0
        pose[J[f"{side}_HIP"]] = (x + midline_offset, 400.0)
        pose[J[f"{side}_KNEE"]] = (x + inward * dx, 500.0)
        pose[J[f"{side}_ANKLE"]] = (x, 600.0)
        pose[J[f"{side}_SHOULDER"]] = (x + 10 * (1 if side == "LEFT" else -1) + midline_offset,
                                       200.0)
    return pose


def knees_caving(fppa_deg: float, standing_deg: float = 0.0) -> Built:
    """Knees bent `fppa_deg` off the hip-ankle line toward the midline at the bottom."""
    def dx(deg: float) -> float:
        return 100.0 * math.tan(math.radians(deg / 2))
    stand, cave = _front_legs(dx(standing_deg)), _front_legs(dx(fppa_deg))
    return keypoints([stand, cave, cave, stand, stand]), traces()


def hip_shift(shift: float) -> Built:
    """The hips move sideways by `shift` stance widths (stance 60 px) out of the bottom."""
    stand, moved = _front_legs(0.0), _front_legs(0.0, midline_offset=shift * 60.0)
    return keypoints([stand, moved, moved, stand, stand]), traces()


def _bench(arm_deg: float = 0.0, hip_lift: float = 0.0) -> Pose:
    """A lying lifter, head left; arms pointing `arm_deg` toward the feet from straight up."""
    rad = math.radians(arm_deg)
    pose: Pose = {}
    _both(pose, "SHOULDER", (300.0, 300.0))
    _both(pose, "HIP", (500.0, 300.0 - hip_lift * 200))
    _both(pose, "ELBOW", (300.0 + 60 * math.sin(rad), 300.0 - 60 * math.cos(rad)))
    _both(pose, "WRIST", (300.0 + 120 * math.sin(rad), 300.0 - 120 * math.cos(rad)))
    _both(pose, "KNEE", (600.0, 330.0))
    _both(pose, "ANKLE", (600.0, 420.0))
    return _face(pose, (250.0, 290.0))


def bench_path_end(arm_deg: float) -> Built:
    top = _bench(arm_deg)
    return keypoints([_bench(), _bench(), _bench(), top, top]), traces()


def bench_hips(lift_torso: float) -> Built:
    up = _bench(hip_lift=lift_torso)
    return keypoints([_bench(), up, up, _bench(), _bench()]), traces()


def _bench_front(flare_deg: float = 45.0, tilt_deg: float = 0.0) -> Pose:
    """From the feet end: trunk down the picture; upper arms `flare_deg` off the trunk line."""
    rad = math.radians(flare_deg)
    pose: Pose = {J.LEFT_SHOULDER: (350.0, 300.0), J.RIGHT_SHOULDER: (250.0, 300.0),
                  J.LEFT_HIP: (340.0, 450.0), J.RIGHT_HIP: (260.0, 450.0)}  # fmt: skip
    for side, sign in (("LEFT", 1.0), ("RIGHT", -1.0)):
        sx, sy = pose[J[f"{side}_SHOULDER"]]
        pose[J[f"{side}_ELBOW"]] = (sx + sign * 80 * math.sin(rad), sy + 80 * math.cos(rad))
    dy = 160 * math.tan(math.radians(tilt_deg))
    pose[J.LEFT_WRIST], pose[J.RIGHT_WRIST] = (380.0, 200.0 + dy), (220.0, 200.0)
    return pose


def elbow_flare(deg: float) -> Built:
    chest = _bench_front(flare_deg=deg)
    return keypoints([_bench_front(), chest, chest, _bench_front(), _bench_front()]), traces()


def bar_tilt(deg: float) -> Built:
    top = _bench_front(tilt_deg=deg)
    return keypoints([_bench_front(), _bench_front(), _bench_front(), top, top]), traces()


Builder = Callable[[float], Built]
