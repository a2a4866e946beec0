"""Per-rep bar figures from a bar path: drift, range, concentric mean and peak velocity.

Definitions (pinned by tests/bar/test_metrics.py):
- drift_cm: the largest horizontal distance of the bar from its first found position in the
  rep, in cm (a vertical path has 0 drift, however long).
- range_cm: highest minus lowest bar position in the rep, in cm.
- concentric: from the rep's lowest bar position (largest image y) to the highest position
  after it, trimmed at both ends to where the bar is within 5 % of the rise of the bottom and
  of the top (a pause at the floor or a slow creep into lockout is not lifting time). Works
  for every lift: a squat or bench goes down then up; a deadlift starts at its lowest point.
- mean_velocity_m_s: the concentric's vertical rise divided by its duration (VBT's "mean
  concentric velocity").
- peak_velocity_m_s: the largest upward speed between consecutive found frames in the
  concentric (a central difference would halve a 1-frame peak at 15 fps).
Speeds are vertical: bar speed apps report the bar's rise, and the plate's centre is the bar.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from coach.bar.types import BarPath, BarRep, BarSource, RepSpan

# Fewer found frames than this in a concentric and no speed is given.
MIN_CONCENTRIC_FRAMES = 3
# A concentric that rises less than this (cm) is not a rep's lift: no speed (e.g. a lockout
# wobble read as a rep).
MIN_RISE_CM = 5.0
# Share of the rise trimmed at the bottom and the top of the concentric.
EDGE_SHARE = 0.05


def rep_metrics(path: BarPath, rep: RepSpan) -> BarRep:
    """The bar over one rep (see the module doc for each figure).

    Raises:
        ValueError: the rep's frames lie outside the path.
    """
    a, b = rep.start_frame, rep.end_frame
    if not 0 <= a <= b < len(path.t_s):
        raise ValueError(f"rep frames {a}..{b} outside the path's {len(path.t_s)} frames")
    xy = path.xy_px[a:b + 1]
    sources = path.source[a:b + 1]
    found = np.isfinite(xy).all(axis=1)
    source = _majority(sources)
    plate_fraction = sources.count("plate") / len(sources)
    if not found.any():
        return BarRep(rep.index, a, b, xy, "none", 0.0, None, float("nan"), None, None, None,
                      None, None, "the bar was not found in this rep")  # fmt: skip
    dx = xy[found, 0] - xy[found][0, 0]
    drift_signed_px = float(dx[np.argmax(np.abs(dx))])
    y_range_px = float(np.ptp(xy[found, 1]))
    scale = path.px_per_cm
    lo, hi = _concentric(xy[:, 1])
    mean_v, peak_v, note = _velocities(path, a, lo, hi, scale)
    return BarRep(
        rep.index, a, b, xy, source, plate_fraction,
        None if scale is None else abs(drift_signed_px) / scale, drift_signed_px,
        None if scale is None else y_range_px / scale,
        None if lo is None else a + lo, None if hi is None else a + hi, mean_v, peak_v, note,
    )  # fmt: skip


def _majority(sources: Sequence[BarSource]) -> BarSource:
    counts = Counter(s for s in sources if s != "none")
    if not counts:
        return "none"
    return "plate" if counts["plate"] >= counts["wrists"] else "wrists"


def _concentric(y: NDArray[np.float64]) -> tuple[int | None, int | None]:
    """(start, end) indices into the rep's y (image y grows downwards) of the concentric: from
    the last frame within `EDGE_SHARE` of the rise above the lowest point to the first frame
    within `EDGE_SHARE` of the top after it, so a pause on the floor or a slow creep into
    lockout does not count as lifting time."""
    if not np.isfinite(y).any():
        return None, None
    lo = int(np.nanargmax(y))
    hi = lo + int(np.nanargmin(y[lo:]))
    rise = y[lo] - y[hi]
    if rise <= 0:
        return lo, hi
    seg = y[lo:hi + 1]
    end = lo + int(np.flatnonzero(seg <= y[hi] + EDGE_SHARE * rise)[0])
    start = lo + int(np.flatnonzero(y[lo:end + 1] >= y[lo] - EDGE_SHARE * rise)[-1])
    return start, end


def _velocities(path: BarPath, a: int, lo: int | None, hi: int | None, scale: float | None
                ) -> tuple[float | None, float | None, str]:  # fmt: skip
    if scale is None:
        return None, None, "no plate was seen in the clip, so there is no scale for speeds"
    if lo is None or hi is None:
        return None, None, "the bar was not found in this rep"
    t = path.t_s[a + lo:a + hi + 1]
    y = path.xy_px[a + lo:a + hi + 1, 1]
    ok = np.isfinite(y)
    if ok.sum() < MIN_CONCENTRIC_FRAMES:
        return None, None, "the bar was found in too few frames of the lift to time it"
    rise_cm = float(y[ok][0] - y[ok][-1]) / scale
    if rise_cm < MIN_RISE_CM:
        return None, None, f"the bar rose only {rise_cm:.0f} cm: no lift to time"
    mean = rise_cm / 100.0 / float(t[ok][-1] - t[ok][0])
    steps = -np.diff(y[ok]) / scale / 100.0 / np.diff(t[ok])
    return mean, float(np.max(steps)), ""


def jitter_mm(path: BarPath) -> NDArray[np.float64]:
    """Frame-to-frame jitter of the smoothed path, in mm, one value per frame with both
    neighbours found: half the length of the second difference |p[t-1] - 2 p[t] + p[t+1]|, i.e.
    how far p[t] sits off the straight line through its neighbours. Empty without a scale."""
    if path.px_per_cm is None or len(path.t_s) < 3:
        return np.zeros(0)
    xy: NDArray[Any] = path.xy_px
    second = xy[:-2] - 2 * xy[1:-1] + xy[2:]
    ok = np.isfinite(second).all(axis=1)
    out: NDArray[np.float64] = np.hypot(second[ok, 0], second[ok, 1]) / 2.0 / path.px_per_cm * 10.0
    return out
