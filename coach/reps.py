"""Rep segmentation: one `Rep` type, two methods, and a live counter that shares the maths.

Methods (pick with `segment_reps(..., method=...)`):
- "angle": the home-training coach's state machine on one key joint angle (knee for squat,
  hip for deadlift, elbow for bench). See `AngleRepParams` and `_AngleStateMachine`.
- "distance": GyML's count: distance of each frame's pose from the starting pose, Gaussian
  smoothed; peaks are mid-reps, valleys are rep starts and ends. See `coach.rep_distance`.

`LiveRepCounter` runs the very same `_AngleStateMachine` one frame at a time, so the live
webcam count and the count of an uploaded clip cannot disagree on the same angles.

Conventions: frame indices are positions in the trace given (0-based); times come from `t_s`
when given (variable frame rate), else `index / fps`. `Rep.index` is 0-based (rep 1 = index 0).
NaN angles are skipped: they neither advance nor break a hold. Bridge short gaps first with
`coach.smoothing.fill_gaps`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from coach.rep_distance import DistanceRepParams, segment_reps_distance
from coach.rep_types import Rep, times_s

__all__ = [
    "KEY_ANGLES",
    "LIFT_REP_PARAMS",
    "AngleRepParams",
    "DistanceRepParams",
    "LiveRepCounter",
    "Rep",
    "key_angle_for_lift",
    "key_angle_trace",
    "rep_params_for_lift",
    "segment_reps",
    "segment_reps_angle",
    "segment_reps_distance",
]

_EPS_S = 1e-6


@dataclass(frozen=True)
class AngleRepParams:
    """Thresholds of the angle state machine. Angles in degrees, times in seconds.

    The key angle is large at the top (lockout, standing) and small at the bottom (depth).

    Attributes:
        top_deg: the angle at lockout for this lift (reference "top"). Lower it for lifters or
            views whose 2D angle never straightens fully.
        bottom_deg: a rep counts only if the angle gets to or below this (the depth gate). A
            half rep that stays above it is not counted. Raise it to count partial reps.
        top_zone_deg: "at the top" means within this of `top_deg` (the home-training coach's
            20°): the set is entered and a rep ends when the angle is >= top_deg - top_zone_deg.
        hysteresis_deg: having entered the top zone, the lifter leaves it only below
            top_deg - top_zone_deg - hysteresis_deg, so jitter at the threshold cannot start
            or end a rep. Raise it for noisy pose estimates.
        hold_s: how long the angle must stay in the top zone (or, for `starts_from_bottom`,
            at the bottom) to enter the set, and back at the top to count the rep. The source
            used 5 frames at 9.5 fps; 0.2 s is 5 frames at 25 fps and fits the brief lockout
            of touch-and-go reps.
        min_rep_s: a top-to-top excursion shorter than this is a glitch, not a rep.
        starts_from_bottom: True for lifts whose rep starts at the bottom (deadlift: the bar
            starts on the floor), so holding the bottom position also enters the set.
    """

    top_deg: float
    bottom_deg: float
    top_zone_deg: float = 20.0
    hysteresis_deg: float = 10.0
    hold_s: float = 0.2
    min_rep_s: float = 0.5
    starts_from_bottom: bool = False

    def __post_init__(self) -> None:
        if not self.exit_top_deg > self.bottom_deg:
            raise ValueError(
                f"the top zone's exit ({self.exit_top_deg:.0f}°) must lie above bottom_deg "
                f"({self.bottom_deg:.0f}°)"
            )
        if min(self.top_zone_deg, self.hysteresis_deg, self.hold_s, self.min_rep_s) < 0:
            raise ValueError("zones, hysteresis and times must be >= 0")

    @property
    def enter_top_deg(self) -> float:
        """At or above this angle the lifter is back at the top."""
        return self.top_deg - self.top_zone_deg

    @property
    def exit_top_deg(self) -> float:
        """Below this angle the lifter has left the top (enter threshold minus hysteresis)."""
        return self.top_deg - self.top_zone_deg - self.hysteresis_deg


# Key angles per lift (names from coach.angles.angle_traces); the mean of the sides found.
KEY_ANGLES: dict[str, tuple[str, ...]] = {
    "squat": ("left_knee", "right_knee"),
    "deadlift": ("left_hip", "right_hip"),
    "bench": ("left_elbow", "right_elbow"),
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
    """Names of the angle traces whose mean drives rep counting for `lift`."""
    return KEY_ANGLES[_lift_key(lift)]


def rep_params_for_lift(lift: str, **overrides: float | bool) -> AngleRepParams:
    """The documented thresholds for `lift`, with named fields replaced (unknown names fail)."""
    return replace(LIFT_REP_PARAMS[_lift_key(lift)], **overrides)  # type: ignore[arg-type]


def key_angle_trace(
    traces: Mapping[str, NDArray[np.floating[Any]]], lift: str
) -> NDArray[np.float64]:
    """(T,) mean of the lift's key angles (NaN-aware: one side is enough), in degrees.

    Raises:
        KeyError: none of the key angles is in `traces`.
    """
    names = [n for n in key_angle_for_lift(lift) if n in traces]
    if not names:
        raise KeyError(f"none of {key_angle_for_lift(lift)} in the angle traces")
    stacked = np.stack([np.asarray(traces[n], dtype=np.float64) for n in names])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN frames stay NaN
        return np.asarray(np.nanmean(stacked, axis=0), dtype=np.float64)


class _AngleStateMachine:
    """The one implementation of the angle method, fed one (index, time, angle) at a time.

    States: "idle" (not in the set yet), "top" (at lockout), "moving" (left the top; tracking
    the deepest angle and whether `bottom_deg` was passed). A rep is emitted when the angle is
    back in the top zone for `hold_s` after passing the bottom: counted at lockout.
    """

    def __init__(self, params: AngleRepParams) -> None:
        self.p = params
        self.state: Literal["idle", "top", "moving"] = "idle"
        self.n_reps = 0
        self._seen = False
        self._hold: tuple[int, float, str] | None = None  # first frame of a pending hold
        self._last_top = (0, 0.0)
        self._start = (0, 0.0)
        self._bottom = (0, 0.0, math.inf)
        self._depth = False

    def step(self, i: int, t_s: float, angle_deg: float) -> Rep | None:
        """Advance by one frame; return the rep completed at this frame, if any."""
        if not math.isfinite(angle_deg):
            return None
        first, self._seen = not self._seen, True
        if self.state == "idle":
            self._idle(i, t_s, angle_deg, first)
        elif self.state == "top":
            self._top(i, t_s, angle_deg)
        else:
            return self._moving(i, t_s, angle_deg)
        return None

    def finish(self) -> Rep | None:
        """End of input: a lockout cut short by the end of the clip still counts."""
        if self.state == "moving" and self._hold is not None:
            return self._close(self._hold[0], self._hold[1])
        return None

    def _begin_moving(self, i: int, t_s: float, angle_deg: float, start: tuple[int, float]) -> None:
        self.state, self._start, self._hold = "moving", start, None
        self._bottom = (i, t_s, angle_deg)
        self._depth = angle_deg <= self.p.bottom_deg

    def _idle(self, i: int, t_s: float, a: float, first: bool) -> None:
        p = self.p
        if first and a <= p.bottom_deg:  # the clip starts mid-rep, at the bottom
            self._begin_moving(i, t_s, a, (i, t_s))
            return
        kind = "top" if a >= p.enter_top_deg else ""
        kind = kind or ("bottom" if p.starts_from_bottom and a <= p.bottom_deg else "")
        if first and kind == "top":  # the clip starts at lockout: already in the set
            self.state, self._last_top = "top", (i, t_s)
            return
        if not kind:
            self._hold = None
            return
        if self._hold is None or self._hold[2] != kind:
            self._hold = (i, t_s, kind)
        if t_s - self._hold[1] >= p.hold_s - _EPS_S:
            if kind == "top":
                self.state, self._last_top, self._hold = "top", (i, t_s), None
            else:
                self._begin_moving(i, t_s, a, (self._hold[0], self._hold[1]))

    def _top(self, i: int, t_s: float, a: float) -> None:
        if a >= self.p.exit_top_deg:
            self._last_top = (i, t_s)
        else:
            self._begin_moving(i, t_s, a, self._last_top)

    def _moving(self, i: int, t_s: float, a: float) -> Rep | None:
        if a < self._bottom[2]:
            self._bottom = (i, t_s, a)
        self._depth = self._depth or a <= self.p.bottom_deg
        if self._hold is None and a >= self.p.enter_top_deg:
            self._hold = (i, t_s, "top")
        elif self._hold is not None and a < self.p.exit_top_deg:
            self._hold = None  # hysteresis: only a real drop cancels a pending lockout
        if self._hold is not None and t_s - self._hold[1] >= self.p.hold_s - _EPS_S:
            rep = self._close(self._hold[0], self._hold[1])
            self._last_top = (i, t_s)
            return rep
        return None

    def _close(self, end_i: int, end_s: float) -> Rep | None:
        """Back at the top: emit the rep if it reached depth and lasted long enough."""
        rep = None
        if self._depth and end_s - self._start[1] >= self.p.min_rep_s - _EPS_S:
            b_i, b_s, b_val = self._bottom
            rep = Rep(self.n_reps, self._start[0], b_i, end_i, self._start[1], b_s, end_s, b_val)
            self.n_reps += 1
        self.state, self._hold, self._depth = "top", None, False
        self._last_top = (end_i, end_s)
        return rep


def segment_reps_angle(
    trace_deg: NDArray[np.floating[Any]],
    params: AngleRepParams,
    *,
    fps: float,
    t_s: NDArray[np.floating[Any]] | None = None,
) -> list[Rep]:
    """Reps in a key-angle trace by the top/bottom state machine (see `AngleRepParams`).

    Args:
        trace_deg: (T,) key angle in degrees, NaN where unknown (smooth it first).
        params: thresholds, e.g. `rep_params_for_lift("squat")`.
        fps: frames per second (used for times when `t_s` is not given).
        t_s: optional (T,) timestamps in seconds (variable frame rate clips).

    Returns:
        Completed reps in time order.
    """
    trace = np.asarray(trace_deg, dtype=np.float64)
    if trace.ndim != 1:
        raise ValueError(f"the angle method needs a (T,) trace, got shape {trace.shape}")
    times = times_s(len(trace), fps, t_s)
    machine = _AngleStateMachine(params)
    reps = [r for i in range(len(trace)) if (r := machine.step(i, times[i], trace[i]))]
    last = machine.finish()
    return [*reps, last] if last is not None else reps


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
        self._machine = _AngleStateMachine(self.params)
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
