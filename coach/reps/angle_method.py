"""The angle method's thresholds and its one state machine (see `coach.reps.segment` for the API).

`AngleStateMachine` is the single implementation: `segment_reps_angle` runs it over a whole
trace and `coach.reps.segment.LiveRepCounter` feeds it one webcam frame at a time, so the two cannot
disagree on the same angles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from coach.reps.types import Rep, times_s

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
            used 5 frames; 0.3 s is 5 frames at the 15 fps we analyse clips at, short enough
            for a touch-and-go lockout (~0.4 s) and long enough to outlast a pose glitch.
            A lockout cut short by the end of the clip still counts (`finish`).
        min_rep_s: a top-to-top excursion shorter than this is a glitch, not a rep.
        starts_from_bottom: True for lifts whose rep starts at the bottom (deadlift: the bar
            starts on the floor), so holding the bottom position also enters the set.
    """

    top_deg: float
    bottom_deg: float
    top_zone_deg: float = 20.0
    hysteresis_deg: float = 10.0
    hold_s: float = 0.3
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


class AngleStateMachine:
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
    machine = AngleStateMachine(params)
    reps = [r for i in range(len(trace)) if (r := machine.step(i, times[i], trace[i]))]
    last = machine.finish()
    return [*reps, last] if last is not None else reps
