"""The bar over a clip: detect plate candidates per frame, choose the bar's end with the
lifter's wrists, smooth it (gaps stay gaps) and measure each rep.

`measure_bar` is pure (arrays in, `BarAnalysis` out); `BarCollector` is fed each frame the pose
pass decodes, so frame i here is frame i of `ClipAnalysis.keypoints`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from coach.bar.detector import PlateBox, PlateDetector, PlateFinder, torch_threads
from coach.bar.metrics import rep_metrics
from coach.bar.track import PROPOSAL_THRESHOLD, choose_plates, frame_candidates
from coach.bar.types import BarAnalysis, BarPath, RepSpan
from coach.core.errors import BackendUnavailable
from coach.core.keypoints import Joint, Keypoints
from coach.core.settings import Settings
from coach.core.smoothing import lowpass

log = logging.getLogger(__name__)

# A rep's concentric lasts 0.5 s or more, so the bar's movement sits below ~2 Hz; the
# detector's centre jitter (about 0.05 plate diameters, ~2 cm) is frame to frame, above 4 Hz.
BAR_CUTOFF_HZ = 4.0
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
    wrists = keypoints.midpoint(Joint.LEFT_WRIST, Joint.RIGHT_WRIST)
    raw, source, diameter = choose_plates(candidates, wrists)
    smooth = lowpass(raw, cutoff_hz=BAR_CUTOFF_HZ, fps=fps) if len(raw) else raw
    px_per_cm = diameter / (plate_diameter_mm / 10.0) if np.isfinite(diameter) else None
    path = BarPath(times, smooth, raw, source, px_per_cm, diameter, plate_diameter_mm)
    return BarAnalysis(path, tuple(rep_metrics(path, r) for r in reps), {})


class BarCollector:
    """Plate candidates gathered frame by frame during the pose pass, so a clip is decoded
    once (a second decode at 1080p cost more than the detector did: BENCHMARKS.md).

    The crop around the wrists uses that frame's unsmoothed wrists; the tracker's choice and the
    smoothing happen in `finish`, over the whole clip, on the smoothed keypoints.
    """

    def __init__(self, width_px: int, detector: PlateFinder | None = None) -> None:
        """Args:
        width_px: the clip's upright width (`VideoInfo.width_px`), to map frames back.
        detector: a plate finder; default the committed CenterNet at `PROPOSAL_THRESHOLD`,
            loaded on the first frame.
        """
        self.width_px = width_px
        self._finder = detector
        self._candidates: list[list[PlateBox]] = []
        self._unavailable: str | None = None
        self._ms = 0.0

    def add(self, index: int, bgr: NDArray[np.uint8], keypoints: Keypoints) -> None:
        """Candidates in frame `index` (the pose pass's frame), from its decoded pixels and the
        lifter's keypoints in ORIGINAL pixels (one frame; NaN when the lifter is missing)."""
        t0 = time.perf_counter()
        while len(self._candidates) <= index:
            self._candidates.append([])
        if self._unavailable is None:
            try:
                self._candidates[index] = self._detect(bgr, keypoints)
            except BackendUnavailable as exc:
                self._unavailable = str(exc)
                log.warning("bar tracking skipped: %s", exc)
        self._ms += (time.perf_counter() - t0) * 1000

    def finish(
        self, keypoints: Keypoints, t_s: NDArray[np.floating[Any]], reps: Sequence[RepSpan],
        settings: Settings, *, fps: float,
    ) -> BarAnalysis | None:  # fmt: skip
        """The bar over the clip, from the smoothed keypoints and the clip's reps.

        Returns:
            The bar analysis, or None when the detector could not run here (logged, not raised:
            the body's analysis stands without the bar).
        """
        if self._unavailable is not None:
            return None
        t0 = time.perf_counter()
        candidates = self._candidates + [[] for _ in range(len(t_s) - len(self._candidates))]
        result = measure_bar(candidates[: len(t_s)], keypoints, t_s, reps, fps=fps,
                             plate_diameter_mm=settings.plate_diameter_mm)  # fmt: skip
        total_ms = round(self._ms + (time.perf_counter() - t0) * 1000, 1)
        return BarAnalysis(result.path, result.reps, {"total": total_ms})

    def _detect(self, bgr: NDArray[np.uint8], keypoints: Keypoints) -> list[PlateBox]:
        if self._finder is None:
            self._finder = default_detector()
        scale = bgr.shape[1] / self.width_px
        box = keypoints.bbox_xywh(0)
        body = None if box is None else (box[0] * scale, box[1] * scale, box[2] * scale,
                                         box[3] * scale)  # fmt: skip
        wrist = keypoints.midpoint(Joint.LEFT_WRIST, Joint.RIGHT_WRIST)[0] * scale
        # Per frame, not per clip: torch's thread count is process-wide, and the pose pass
        # between two frames (ViTPose) should keep its threads.
        with torch_threads():
            found = frame_candidates(self._finder, bgr, wrist, body)
        return [PlateBox(b.cx_px / scale, b.cy_px / scale, b.w_px / scale, b.h_px / scale,
                         b.score) for b in found]  # fmt: skip
