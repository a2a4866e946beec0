"""Rep segmentation: one `Rep` type, two methods, and a live counter that shares the maths.

Methods (pick with `segment_reps(..., method=...)`):
- "angle": the home-training coach's state machine on a key joint angle (knees for squat,
  hips and knees for deadlift, elbows for bench). See `coach.reps.angle_method`.
- "distance": GyML's count: distance of each frame's pose from the starting pose, Gaussian
  smoothed; peaks are mid-reps, valleys are rep starts and ends. See `coach.reps.distance_method`.

`LiveRepCounter` runs the very same `AngleStateMachine` one frame at a time, so the live
webcam count and the count of an uploaded clip cannot disagree on the same angles.

Conventions: frame indices are positions in the trace given (0-based); times come from `t_s`
when given (variable frame rate), else `index / fps`. `Rep.index` is 0-based (rep 1 = index 0).
NaN angles are skipped: they neither advance nor break a hold. Bridge short gaps first with
`coach.core.smoothing.fill_gaps`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from coach.reps.angle_method import AngleRepParams, AngleStateMachine, segment_reps_angle
from coach.reps.distance_method import DistanceRepParams, segment_reps_distance
from coach.reps.types import Rep, times_s

__all__ = [
    "KEY_ANGLES",
    "KEY_ANGLE_GROUPS",
    "LIFT_REP_PARAMS",
    "AngleRepParams",
    "DistanceRepParams",
    "LiveRepCounter",
    "Rep",
    "calibrate_top",
    "key_angle_for_lift",
    "key_angle_trace",
    "rep_params_for_lift",
    "reps_from_angles",
    "segment_reps",
    "segment_reps_angle",
    "segment_reps_distance",
]


# Key angles per lift (names from coach.core.angles.angle_traces), as groups: each group is the
# mean of the sides found (one side is enough), and the key angle is the SMALLEST group. So a
# deadlift is locked out only when hips AND knees are open, and deep when either is folded;
# requiring both keeps a pose-model glitch in one joint (a hip misplaced on the plates at the
# floor) from looking like a lockout.
KEY_ANGLE_GROUPS: dict[str, tuple[tuple[str, ...], ...]] = {
    "squat": (("left_knee", "right_knee"),),
    "deadlift": (("left_hip", "right_hip"), ("left_knee", "right_knee")),
    "bench": (("left_elbow", "right_elbow"),),
}
KEY_ANGLES: dict[str, tuple[str, ...]] = {
    lift: tuple(name for group in groups for name in group)
    for lift, groups in KEY_ANGLE_GROUPS.items()
}

# Thresholds per lift, as data. 2D angles from the side; a front or oblique view shortens the
# range, which is why the depth gates sit well above textbook depths (knee ~70-90° at parallel,
# hip ~50-90° at the floor, elbow ~70-90° at the chest) while staying far below lockout.
LIFT_REP_PARAMS: dict[str, AngleRepParams] = {
    "squat": AngleRepParams(top_deg=170.0, bottom_deg=120.0),
    "deadlift": AngleRepParams(top_deg=170.0, bottom_deg=125.0, starts_from_bottom=True),
    "bench": AngleRepParams(top_deg=170.0, bottom_deg=115.0),
}


def _lift_key(lift: str) -> str:
    key = lift.strip().lower().rstrip("?")
    if key not in KEY_ANGLES:
        raise ValueError(f"unknown lift {lift!r}; valid: {', '.join(sorted(KEY_ANGLES))}")
    return key


def key_angle_for_lift(lift: str) -> tuple[str, ...]:
    """Names of the angle traces that drive rep counting for `lift` (see `KEY_ANGLE_GROUPS`)."""
    return KEY_ANGLES[_lift_key(lift)]


def rep_params_for_lift(lift: str, **overrides: float | bool) -> AngleRepParams:
    """The documented thresholds for `lift`, with named fields replaced (unknown names fail)."""
    return replace(LIFT_REP_PARAMS[_lift_key(lift)], **overrides)  # type: ignore[arg-type]


def key_angle_trace(
    traces: Mapping[str, NDArray[np.floating[Any]]], lift: str
) -> NDArray[np.float64]:
    """(T,) key angle in degrees: per group the mean of the sides seen, then the smallest group.

    See `KEY_ANGLE_GROUPS`. A frame is NaN only when no group has any side seen.

    Raises:
        KeyError: none of the lift's key angles is in `traces`.
    """
    groups = [
        [np.asarray(traces[n], dtype=np.float64) for n in group if n in traces]
        for group in KEY_ANGLE_GROUPS[_lift_key(lift)]
    ]
    groups = [g for g in groups if g]
    if not groups:
        raise KeyError(f"none of {key_angle_for_lift(lift)} in the angle traces")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN frames stay NaN
        means = np.stack([np.nanmean(np.stack(g), axis=0) for g in groups])
        return np.asarray(np.nanmin(means, axis=0), dtype=np.float64)


def calibrate_top(
    trace_deg: NDArray[np.floating[Any]], params: AngleRepParams, *, percentile: float = 90.0
) -> AngleRepParams:
    """Lower `top_deg` to the lifter's own lockout seen in this clip, for offline analysis.

    A 2D angle seen from the front or the foot end never opens as far as it does from the
    side (an incline press from the foot end locks out near 150°, not 170°). The home-training
    coach compared against a reference pose; here the reference top is the `percentile`-th
    percentile of the clip's key angle (robust to brief pose glitches), never raised above the
    lift's default. Left unchanged when that would put the top zone's exit at or below the
    depth gate (no lockout distinguishable from depth in this clip).
    """
    values = np.asarray(trace_deg, dtype=np.float64)
    if not np.isfinite(values).any():
        return params
    top = min(params.top_deg, float(np.nanpercentile(values, percentile)))
    if top - params.top_zone_deg - params.hysteresis_deg <= params.bottom_deg:
        return params
    return replace(params, top_deg=top)


def reps_from_angles(
    traces: Mapping[str, NDArray[np.floating[Any]]],
    lift: str,
    *,
    fps: float,
    t_s: NDArray[np.floating[Any]] | None = None,
    calibrate: bool = True,
) -> list[Rep]:
    """Reps of a clip from its angle traces: key angle, lift thresholds, angle method.

    Compute `traces` with `coach.core.angles.angle_traces` from keypoints that went through
    `Keypoints.confident` and `coach.core.smoothing.smooth_keypoints` (2D angles: `use_3d=False`
    counted the fixture clips best).

    Args:
        traces: angle name -> (T,) degrees.
        lift: "squat", "deadlift" or "bench".
        fps: frames per second of the traces.
        t_s: optional (T,) timestamps in seconds.
        calibrate: lower the top reference to this clip's own lockout (`calibrate_top`);
            offline only, since it needs the whole clip.
    """
    key = key_angle_trace(traces, lift)
    params = rep_params_for_lift(lift)
    if calibrate:
        params = calibrate_top(key, params)
    reps = segment_reps_angle(key, params, fps=fps, t_s=t_s)
    if not reps and params.starts_from_bottom and calibrate:
        single = single_pull(key, params, fps=fps, t_s=t_s)
        reps = [single] if single is not None else []
    return reps


def single_pull(
    key_deg: NDArray[np.floating[Any]], params: AngleRepParams, *, fps: float,
    t_s: NDArray[np.floating[Any]] | None = None,
) -> Rep | None:
    """The one rep of a clip filmed from the floor to lockout, when the state machine saw none.

    Such a clip never shows the top before the pull, and its lockout may end the clip before
    the hold the state machine needs, so it counts nothing. Here the pull is the largest rise
    of the key angle from a low point to a later high point; it is a rep when it opens the
    angle by at least the lift's own gap between its depth gate and its top (`top_deg -
    bottom_deg`, 45 deg for the deadlift) and starts below the depth gate. The rep starts and
    bottoms at the low point and ends where the angle first comes within the hysteresis of the
    high point. Offline only: it needs the whole clip.
    """
    values = np.asarray(key_deg, dtype=np.float64)
    if np.isfinite(values).sum() < 2:
        return None
    low_so_far = np.fmin.accumulate(np.where(np.isfinite(values), values, np.inf))
    rise = np.where(np.isfinite(values), values - low_so_far, -np.inf)
    top = int(np.argmax(rise))
    bottom = int(np.nanargmin(np.where(np.arange(len(values)) <= top, values, np.nan)))
    if rise[top] < params.top_deg - params.bottom_deg or values[bottom] > params.bottom_deg:
        return None
    end = bottom + int(np.argmax(values[bottom:top + 1] >= values[top] - params.hysteresis_deg))
    times = times_s(len(values), fps, t_s)
    return Rep(0, bottom, bottom, end, times[bottom], times[bottom], times[end],
               float(values[bottom]))


def top_hold_end(key_deg: NDArray[np.floating[Any]], end: int) -> int:
    """The last frame the lifter holds the top after a rep's `end` frame: the run of frames
    whose key angle stays at or above its value at `end` (a frame where no key angle was seen
    neither ends the run nor extends it). `end` itself when its angle is unknown."""
    values = np.asarray(key_deg, dtype=np.float64)
    if not 0 <= end < len(values) or not math.isfinite(values[end]):
        return end
    after = values[end:]
    below = np.flatnonzero(after < values[end])
    run = after[:below[0]] if len(below) else after
    return end + int(np.flatnonzero(np.isfinite(run))[-1])


def segment_reps(
    signal: NDArray[np.floating[Any]],
    *,
    fps: float,
    method: Literal["angle", "distance"] = "angle",
    params: AngleRepParams | DistanceRepParams | None = None,
    t_s: NDArray[np.floating[Any]] | None = None,
) -> list[Rep]:
    """Segment reps with the chosen method.

    Args:
        signal: "angle": (T,) key angle in degrees (`key_angle_trace`). "distance": (T, ...)
            pose features, e.g. `normalise_keypoints(kp)` (T, 17, 2) or angles (T, K).
        fps: frames per second of the signal.
        method: "angle" or "distance".
        params: `AngleRepParams` (required for "angle", e.g. `rep_params_for_lift(lift)`) or
            `DistanceRepParams` (optional for "distance").
        t_s: optional (T,) timestamps in seconds.

    Returns:
        Completed reps in time order.

    Raises:
        ValueError: unknown method, or params of the wrong kind.
    """
    if method == "angle":
        if not isinstance(params, AngleRepParams):
            raise ValueError("method 'angle' needs AngleRepParams, e.g. rep_params_for_lift(lift)")
        return segment_reps_angle(signal, params, fps=fps, t_s=t_s)
    if method == "distance":
        if params is not None and not isinstance(params, DistanceRepParams):
            raise ValueError("method 'distance' needs DistanceRepParams or None")
        return segment_reps_distance(signal, fps=fps, params=params, t_s=t_s)
    raise ValueError(f"unknown rep method {method!r}; valid: 'angle', 'distance'")


class LiveRepCounter:
    """The angle state machine fed one webcam frame at a time.

    Not thread-safe: call it from the one thread that handles frames.
    """

    def __init__(self, params: AngleRepParams) -> None:
        self.params = params
        self.reset()

    @classmethod
    def for_lift(cls, lift: str) -> LiveRepCounter:
        """A counter with the documented thresholds for `lift`."""
        return cls(rep_params_for_lift(lift))

    def reset(self) -> None:
        """Forget everything (a new set)."""
        self._machine = AngleStateMachine(self.params)
        self._frame = 0
        self.reps: list[Rep] = []

    @property
    def count(self) -> int:
        """Reps counted so far."""
        return len(self.reps)

    @property
    def state(self) -> str:
        """'idle' (not in the set yet), 'top' (at lockout) or 'moving'."""
        return self._machine.state

    def update(self, t_s: float, angle_deg: float) -> Rep | None:
        """Feed one frame (time in seconds, key angle in degrees; NaN if unknown).

        Returns:
            The rep completed at this frame (counted at lockout), else None.
        """
        rep = self._machine.step(self._frame, float(t_s), float(angle_deg))
        self._frame += 1
        if rep is not None:
            self.reps.append(rep)
        return rep

    def finish(self) -> Rep | None:
        """End of the stream: count a lockout that the stream cut short."""
        rep = self._machine.finish()
        if rep is not None:
            self.reps.append(rep)
        return rep
