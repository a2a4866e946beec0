"""The bar over a clip: detect plate candidates per frame, choose the bar's end with the
lifter's wrists, smooth it (gaps stay gaps) and measure each rep.

`measure_bar` is pure (arrays in, `BarAnalysis` out); `analyze_bar` decodes the clip again at the
pose pass's rate and size, so frame i here is frame i of `ClipAnalysis.keypoints`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from coach.bar.detector import PlateBox, PlateDetector, PlateFinder, torch_threads
from coach.bar.metrics import rep_metrics
from coach.bar.track import PROPOSAL_THRESHOLD, choose_plates, frame_candidates, wrists_midpoint
from coach.bar.types import BarAnalysis, BarPath, RepSpan
from coach.core.errors import BackendUnavailable
from coach.core.keypoints import Keypoints
from coach.core.settings import Settings
from coach.core.smoothing import lowpass
from coach.media.video import iter_frames

log = logging.getLogger(__name__)

# A rep's concentric lasts 0.5 s or more, so the bar's movement sits below ~2 Hz; the
# detector's centre jitter (about 0.05 plate diameters, ~2 cm) is frame to frame, above 4 Hz.
BAR_CUTOFF_HZ = 4.0
# What analyze_video decodes at (coach.pipeline.clip.ANALYSIS_MAX_SIDE_PX): the detector sees
# a 256 px crop anyway, so larger frames would only cost decoding.
BAR_MAX_SIDE_PX = 640
_DEFAULT: list[PlateDetector] = []
_DEFAULT_LOCK = threading.Lock()


def default_detector() -> PlateDetector:
    """One shared committed detector at the tracker's proposal threshold (loads on first use)."""
    with _DEFAULT_LOCK:
        if not _DEFAULT:
            _DEFAULT.append(PlateDetector(score_threshold=PROPOSAL_THRESHOLD))
        return _DEFAULT[0]


def measure_bar(
    candidates: Sequence[Sequence[PlateBox]], keypoints: Keypoints,
    t_s: NDArray[np.floating[Any]], reps: Sequence[RepSpan], *, fps: float,
    plate_diameter_mm: float,
) -> BarAnalysis:  # fmt: skip
    """Choose, smooth and measure the bar.

    Args:
        candidates: per frame, plate candidates in original pixels.
        keypoints: the lifter's keypoints per frame, original pixels (T frames).
        t_s: (T,) frame times in seconds.
        reps: the clip's reps (frames into the same T).
        fps: the frames' rate, for the low-pass filter.
        plate_diameter_mm: the plates' true diameter, for the scale.

    Returns:
        The bar's path and per-rep figures (timings empty).
    """
    times = np.asarray(t_s, dtype=np.float64)
    if len(keypoints) != len(times):
        raise ValueError(f"{len(keypoints)} keypoint frames for {len(times)} times")
    raw, source, diameter = choose_plates(candidates, wrists_midpoint(keypoints))
    smooth = lowpass(raw, cutoff_hz=BAR_CUTOFF_HZ, fps=fps) if len(raw) else raw
    px_per_cm = diameter / (plate_diameter_mm / 10.0) if np.isfinite(diameter) else None
    path = BarPath(times, smooth, raw, source, px_per_cm, diameter, plate_diameter_mm)
    return BarAnalysis(path, tuple(rep_metrics(path, r) for r in reps), {})


def analyze_bar(
    path: str | Path, keypoints: Keypoints, t_s: NDArray[np.floating[Any]],
    reps: Sequence[RepSpan], settings: Settings, *, width_px: int, fps: float,
    target_fps: float | None, detector: PlateFinder | None = None,
) -> BarAnalysis | None:  # fmt: skip
    """Track the bar through a clip already analysed for the lifter.

    Args:
        path: the clip.
        keypoints, t_s, reps: from the pose pass (`ClipAnalysis`), original pixels.
        width_px: the clip's upright width (`VideoInfo.width_px`), to map decoded frames back.
        fps, target_fps: the analysed rate, and the rate asked of the decoder (as analyze_video).
        detector: a plate finder; default the committed CenterNet at `PROPOSAL_THRESHOLD`.

    Returns:
        The bar analysis, or None when the detector cannot run here (logged, not raised: the
        body's analysis stands without the bar).
    """
    t0 = time.perf_counter()
    finder = detector or default_detector()
    times = np.asarray(t_s, dtype=np.float64)
    try:
        with torch_threads():
            candidates = _candidates(path, keypoints, times, finder, width_px,
                                     settings.max_image_pixels, target_fps)  # fmt: skip
    except BackendUnavailable as exc:
        log.warning("bar tracking skipped: %s", exc)
        return None
    result = measure_bar(candidates, keypoints, times, reps, fps=fps,
                         plate_diameter_mm=settings.plate_diameter_mm)  # fmt: skip
    total_ms = round((time.perf_counter() - t0) * 1000, 1)
    return BarAnalysis(result.path, result.reps, {"total": total_ms})


def _candidates(
    path: str | Path, keypoints: Keypoints, times: NDArray[np.float64], finder: PlateFinder,
    width_px: int, max_pixels: int, target_fps: float | None,
) -> list[list[PlateBox]]:  # fmt: skip
    """Per analysed frame, plate candidates in original pixels (frames the pose pass did not
    keep are skipped)."""
    candidates: list[list[PlateBox]] = [[] for _ in times]
    wrists = wrists_midpoint(keypoints)
    for frame in iter_frames(path, target_fps=target_fps, max_side_px=BAR_MAX_SIDE_PX,
                             max_pixels=max_pixels):  # fmt: skip
        i = frame.index
        if i >= len(times) or abs(frame.t_s - times[i]) > 1e-3:
            continue  # not a frame the pose pass kept
        scale = frame.bgr.shape[1] / width_px
        box = keypoints.bbox_xywh(i)
        body = None if box is None else tuple(v * scale for v in box)
        found = frame_candidates(finder, frame.bgr, wrists[i] * scale, body)  # type: ignore[arg-type]
        candidates[i] = [PlateBox(b.cx_px / scale, b.cy_px / scale, b.w_px / scale,
                                  b.h_px / scale, b.score) for b in found]  # fmt: skip
    return candidates
