"""The `Rep` result shared by every rep-segmentation method (see `coach.reps.segment`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Rep:
    """One completed rep.

    Attributes:
        index: 0-based rep number in the set (the lifter's "rep 1" is index 0).
        start_frame: frame where the rep starts (last frame at the top, or at the floor for a
            deadlift that starts there; the valley for the distance method).
        bottom_frame: deepest frame (smallest key angle; the distance method's peak).
        end_frame: lockout, the first frame back at the top (the closing valley for distance).
        start_s, bottom_s, end_s: the same frames as times in seconds.
        depth_value: the angle method's smallest key angle in degrees, or the distance
            method's peak distance from the start pose (in the features' units).
    """

    index: int
    start_frame: int
    bottom_frame: int
    end_frame: int
    start_s: float
    bottom_s: float
    end_s: float
    depth_value: float

    @property
    def duration_s(self) -> float:
        """Seconds from start to lockout."""
        return self.end_s - self.start_s


def times_s(n: int, fps: float, t_s: NDArray[np.floating[Any]] | None) -> list[float]:
    """Per-frame times in seconds: `t_s` when given (checked to be (n,)), else index / fps."""
    if t_s is not None:
        times = np.asarray(t_s, dtype=np.float64)
        if times.shape != (n,):
            raise ValueError(f"t_s must be ({n},), got {times.shape}")
        return [float(v) for v in times]
    if not fps > 0:
        raise ValueError(f"fps must be > 0, got {fps}")
    return [i / fps for i in range(n)]
