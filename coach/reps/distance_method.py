"""GyML's rep count: distance of each frame's pose from the starting pose.

Algorithm (DESIGN.md, source 2): take the L2 distance between each frame's pose and the start
pose, smooth it with a Gaussian, and find its peaks: peaks are mid-reps, the valleys between
them are rep starts and ends. A rep is complete (counted) once the trace has fallen back by the
required prominence after its peak, so a clip that ends mid-rep does not count that rep.

Limits: the clip must start in the rest position the reps return to (standing for a squat,
the floor or lockout for a deadlift), and the camera must not move or zoom much.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from coach.core.keypoints import Joint, Keypoints
from coach.reps.types import Rep, times_s


@dataclass(frozen=True)
class DistanceRepParams:
    """Settings of the distance method. Times in seconds.

    Attributes:
        sigma_s: standard deviation of the Gaussian smoothing. Raise it for jittery poses;
            keep it well under half a rep (a rep lasts 1-4 s).
        rel_prominence: a peak must stand out by this fraction of the trace's range (max -
            min) on both sides; 0.35 ignores setup wiggles and half-height bounces. Lower it
            when reps vary a lot in depth.
        min_rep_s: peaks closer than this are one rep (minimum spacing).
        start_window_s: the start pose is the median pose over this first stretch of frames.
    """

    sigma_s: float = 0.15
    rel_prominence: float = 0.35
    min_rep_s: float = 0.8
    start_window_s: float = 0.3


def normalise_keypoints(kp: Keypoints) -> NDArray[np.float64]:
    """(T, 17, 2) keypoints in torso lengths about the clip's median mid-hip.

    One centre and one scale for the whole clip (not per frame), so the body's own travel
    (standing up, the bar going down) stays in the signal while framing and size cancel.
    Falls back to the median box height when no torso is seen.
    """
    xy = kp.xy.astype(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        hip = np.nanmean(xy[:, [Joint.LEFT_HIP, Joint.RIGHT_HIP]], axis=1)
        shoulder = np.nanmean(xy[:, [Joint.LEFT_SHOULDER, Joint.RIGHT_SHOULDER]], axis=1)
        centre = np.nanmedian(hip, axis=0)
        if not np.isfinite(centre).all():
            centre = np.nanmedian(xy.reshape(-1, 2), axis=0)
        scale = float(np.nanmedian(np.linalg.norm(shoulder - hip, axis=1)))
        if not (np.isfinite(scale) and scale > 0):
            heights = np.nanmax(xy[..., 1], axis=1) - np.nanmin(xy[..., 1], axis=1)
            scale = float(np.nanmedian(heights))
    if not (np.isfinite(scale) and scale > 0):
        scale = 1.0
    return np.asarray((xy - centre) / scale, dtype=np.float64)


def distance_from_start(
    poses: NDArray[np.floating[Any]], *, start_frames: int
) -> NDArray[np.float64]:
    """(T,) root-mean-square difference of each frame from the start pose, NaN-aware.

    The start pose is the per-dimension median of the first `start_frames` frames; each
    frame uses only the dimensions finite in both (NaN when it shares none).
    """
    x = np.asarray(poses, dtype=np.float64).reshape(len(poses), -1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        start = np.nanmedian(x[: max(1, start_frames)], axis=0)
        return np.asarray(np.sqrt(np.nanmean((x - start) ** 2, axis=1)), dtype=np.float64)


def _interp_nan(d: NDArray[np.float64]) -> NDArray[np.float64] | None:
    ok = np.isfinite(d)
    if ok.sum() < 3:
        return None
    idx = np.arange(len(d))
    return np.interp(idx, idx[ok], d[ok])


def segment_reps_distance(
    poses: NDArray[np.floating[Any]],
    *,
    fps: float,
    params: DistanceRepParams | None = None,
    t_s: NDArray[np.floating[Any]] | None = None,
) -> list[Rep]:
    """Reps as peaks of the smoothed distance from the start pose (GyML).

    Args:
        poses: (T, ...) pose features per frame, NaN where missing; e.g. `normalise_keypoints`.
        fps: frames per second.
        params: see `DistanceRepParams`.
        t_s: optional (T,) timestamps in seconds.

    Returns:
        Reps in time order; `depth_value` is the peak distance (smoothed).
    """
    from scipy.ndimage import gaussian_filter1d
    from scipy.signal import find_peaks

    p = params or DistanceRepParams()
    times = times_s(len(poses), fps, t_s)
    raw = _interp_nan(distance_from_start(poses, start_frames=round(p.start_window_s * fps)))
    if raw is None:
        return []
    d = gaussian_filter1d(raw, sigma=max(p.sigma_s * fps, 1e-3), mode="nearest")
    span = float(d.max() - d.min())
    if span <= 1e-9:
        return []
    peaks, _ = find_peaks(
        d, prominence=p.rel_prominence * span, distance=max(1, round(p.min_rep_s * fps))
    )
    bounds = [0, *peaks.tolist(), len(d) - 1]
    reps = []
    for k, pk in enumerate(peaks.tolist()):
        a = bounds[k] + int(np.argmin(d[bounds[k] : pk + 1]))
        b = pk + int(np.argmin(d[pk : bounds[k + 2] + 1]))
        reps.append(Rep(k, a, pk, b, times[a], times[pk], times[b], float(d[pk])))
    return reps
