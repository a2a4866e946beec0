"""NaN-aware filtering of per-frame traces and keypoints.

Conventions:
- Time is axis 0. A trace is (T,) or (T, ...); every other axis is filtered independently.
- NaN means "not measured" and stays NaN unless `fill_gaps` is asked to bridge it.
- `lowpass` is a zero-phase Butterworth (forward-backward, `scipy.signal.sosfiltfilt`) applied
  to each finite run separately, so a gap never smears values across it and peaks keep their
  timing (no lag). Runs too short to filter (under 3 samples) are returned as they are.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from coach.core.keypoints import Keypoints

# 6 Hz is the usual cut-off for human movement captured on video (Winter, Biomechanics and
# Motor Control of Human Movement): a lifting rep lasts > 1 s, so its content is far below it,
# while pose jitter sits above. Raise it for very fast moves (jumps); lower it for noisy 2D.
DEFAULT_CUTOFF_HZ = 6.0
# Bridge dropouts up to 5 frames (0.17 s at 30 fps): a joint hidden by a plate for a moment.
DEFAULT_MAX_GAP_FRAMES = 5
_ORDER = 2


def _finite_runs(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(start, stop) half-open index pairs of the True runs in a 1D mask."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _as_columns(trace: NDArray[np.floating[Any]]) -> tuple[NDArray[np.float64], tuple[int, ...]]:
    arr = np.asarray(trace, dtype=np.float64)
    if arr.ndim == 0:
        raise ValueError("trace must have a time axis, got a scalar")
    return arr.reshape(arr.shape[0], -1).copy(), arr.shape


def lowpass(
    trace: NDArray[np.floating[Any]], *, cutoff_hz: float, fps: float
) -> NDArray[np.float64]:
    """Zero-phase low-pass filter over each finite run of each column; NaN stays NaN.

    Args:
        trace: (T,) or (T, ...) values sampled at `fps`, NaN where missing.
        cutoff_hz: -3 dB cut-off in hertz. At or above the Nyquist rate (fps / 2) the trace is
            returned unchanged (nothing to remove).
        fps: sampling rate of the trace in frames per second.

    Returns:
        float64 array of the same shape.

    Raises:
        ValueError: cutoff_hz or fps not positive.
    """
    from scipy.signal import butter, sosfiltfilt

    if cutoff_hz <= 0 or fps <= 0:
        raise ValueError(f"cutoff_hz and fps must be > 0, got {cutoff_hz} and {fps}")
    cols, shape = _as_columns(trace)
    if cutoff_hz >= fps / 2.0:
        return cols.reshape(shape)
    sos = butter(_ORDER, cutoff_hz / (fps / 2.0), btype="low", output="sos")
    default_pad = 3 * (2 * len(sos) + 1)
    for k in range(cols.shape[1]):
        for a, b in _finite_runs(np.isfinite(cols[:, k])):
            if b - a >= 3:
                pad = min(default_pad, b - a - 1)
                cols[a:b, k] = sosfiltfilt(sos, cols[a:b, k], padlen=pad)
    return cols.reshape(shape)


def fill_gaps(trace: NDArray[np.floating[Any]], *, max_gap_frames: int) -> NDArray[np.float64]:
    """Linearly interpolate interior NaN gaps of at most `max_gap_frames` frames.

    Longer gaps, and NaN at the start or end (nothing to interpolate from on one side), stay
    NaN: inventing a joint for longer than a moment would hide a real occlusion.

    Args:
        trace: (T,) or (T, ...), time on axis 0; each column is filled independently.
        max_gap_frames: longest run of consecutive NaN frames to fill (0 fills nothing).

    Returns:
        float64 array of the same shape.
    """
    if max_gap_frames < 0:
        raise ValueError(f"max_gap_frames must be >= 0, got {max_gap_frames}")
    cols, shape = _as_columns(trace)
    n = cols.shape[0]
    for k in range(cols.shape[1]):
        col = cols[:, k]
        for a, b in _finite_runs(~np.isfinite(col)):
            if a == 0 or b == n or b - a > max_gap_frames:
                continue
            w = np.arange(1, b - a + 1) / (b - a + 1)
            col[a:b] = col[a - 1] + w * (col[b] - col[a - 1])
    return cols.reshape(shape)


def _smooth_points(
    pts: NDArray[np.float32], *, fps: float, cutoff_hz: float, max_gap_frames: int
) -> NDArray[np.float32]:
    filled = fill_gaps(pts, max_gap_frames=max_gap_frames)
    return lowpass(filled, cutoff_hz=cutoff_hz, fps=fps).astype(np.float32)


def smooth_keypoints(
    kp: Keypoints,
    *,
    fps: float,
    cutoff_hz: float = DEFAULT_CUTOFF_HZ,
    max_gap_frames: int = DEFAULT_MAX_GAP_FRAMES,
) -> Keypoints:
    """Bridge short dropouts, then low-pass every joint coordinate (and world point).

    Apply after `Keypoints.confident`, so low-confidence points are already NaN. A bridged
    point gets a score interpolated linearly between the scores on either side of its gap.

    Args:
        kp: T frames of keypoints sampled at `fps`.
        fps: frames per second of `kp`.
        cutoff_hz: low-pass cut-off in hertz (see `DEFAULT_CUTOFF_HZ`).
        max_gap_frames: longest dropout to bridge, in frames (see `DEFAULT_MAX_GAP_FRAMES`).

    Returns:
        A new `Keypoints` of the same length.
    """
    xy = _smooth_points(kp.xy, fps=fps, cutoff_hz=cutoff_hz, max_gap_frames=max_gap_frames)
    bridged = ~np.isfinite(kp.xy).all(axis=2) & np.isfinite(xy).all(axis=2)
    score = kp.score.astype(np.float64)
    score[bridged] = np.nan
    score = fill_gaps(score, max_gap_frames=max_gap_frames)
    score = np.where(np.isfinite(score), score, kp.score)
    world = None
    if kp.world_xyz is not None:
        world = _smooth_points(
            kp.world_xyz, fps=fps, cutoff_hz=cutoff_hz, max_gap_frames=max_gap_frames
        )
    feet = _smooth_points(kp.feet, fps=fps, cutoff_hz=cutoff_hz, max_gap_frames=max_gap_frames)
    return Keypoints(xy, score.astype(np.float32), world, feet, kp.foot_scores)
