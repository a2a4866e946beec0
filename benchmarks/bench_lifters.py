"""Every person on the embedded backend (issue 9): photo and live speed.

- Photo: `MediaPipeEstimator()` (every person: BlazePose detector + ROI landmark model through
  ai-edge-litert, 2x2 tiles on by default) on the 1920x1080 fixture frames, with the
  lying-lifter rotation retry on and off (the difference is what the retry costs when it
  fires), and without the tiles (the difference is what they cost).
- Live: `MediaPipeEstimator(video=True)` (the tracked lifter every frame, everyone else every
  5th frame as in clips, and every 10th as on the live view) plus the lifter keeper, on a
  fixture clip's frames resized to 640x480.

Targets (reported, not asserted): photo <= 60 ms median; live >= 25 fps, p95 <= 60 ms.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from benchmarks.common import stats_ms

LIVE_CLIP = "gym_tracker_Jurisimo00/videos/squat.mp4"
LIVE_FRAMES = 150


def run(fixtures: Path | None) -> str:
    """Markdown section with the measured figures (or why they could not be measured)."""
    head = "## Every person on the embedded backend (photo and live)\n\n"
    if fixtures is None:
        return head + "Not measured: fixtures not found.\n"
    import cv2

    from coach.pose.mediapipe_backend import MediaPipeEstimator

    big = [f for f in (cv2.imread(str(p)) for p in sorted(fixtures.rglob("*.jpg")))
           if f is not None and f.shape[:2] == (1080, 1920)][:8]
    rows = ["| case | n | median ms | p95 ms |", "|---|---|---|---|"]
    for label, kwargs in (("photo 1080p, every person, retry + 2x2 tiles (default)", {}),
                          ("photo 1080p, every person, tiles, no retry",
                           {"rotation_retry": False}),
                          ("photo 1080p, every person, retry, no tiles", {"tiles": False})):
        with MediaPipeEstimator(**kwargs) as est:  # type: ignore[arg-type]
            samples, retried = _photo_times(est, big)
        s = stats_ms(samples)
        rows.append(f"| {label} (retry fired on {retried}/{len(big)}) | {s.n} | "
                    f"{s.median_ms:.1f} | {s.p95_ms:.1f} |")
    from coach.pose.mediapipe_backend import LIVE_OTHERS_EVERY, OTHERS_EVERY

    rates = []
    for every, where in ((OTHERS_EVERY, "as in clips"), (LIVE_OTHERS_EVERY, "as live")):
        live = _live_times(fixtures / LIVE_CLIP, every)
        s = stats_ms(live)
        rows.append(f"| 640x480 video, tracked lifter + others every {every}th frame ({where}) "
                    f"+ keeper | {s.n} | {s.median_ms:.1f} | {s.p95_ms:.1f} |")
        rates.append(f"{1000.0 / float(np.mean(live)):.1f} fps with others every {every}th")
    return head + "\n".join(rows) + f"\n\nProcessing rate in process: {'; '.join(rates)}.\n"


def _photo_times(est: object, frames: list[NDArray[np.uint8]]) -> tuple[list[float], int]:
    estimate = est.estimate  # type: ignore[attr-defined]
    estimate(frames[0])
    samples, retried = [], 0
    for rep in range(3):
        for f in frames:
            t0 = time.perf_counter()
            estimate(f)
            samples.append((time.perf_counter() - t0) * 1000)
            retried += rep == 0 and bool(est.last_rotation_retry)  # type: ignore[attr-defined]
    return samples, retried


def _live_times(clip: Path, others_every: int) -> list[float]:
    import cv2

    from coach.core.errors import NoPersonFound
    from coach.core.settings import Settings
    from coach.pipeline.photo import analyze_frame
    from coach.pose.mediapipe_backend import MediaPipeEstimator
    from coach.pose.tracking import LifterKeeper

    cap = cv2.VideoCapture(str(clip))
    frames: list[NDArray[np.uint8]] = []
    while len(frames) < LIVE_FRAMES:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(cv2.resize(frame, (640, 480)))
    cap.release()
    keeper, settings, samples = LifterKeeper(), Settings(), []
    with MediaPipeEstimator(video=True, others_every=others_every) as est:
        for i, f in enumerate(frames):
            t0 = time.perf_counter()
            with contextlib.suppress(NoPersonFound):
                analyze_frame(f, est, settings, keeper=keeper, frame_index=i)
            samples.append((time.perf_counter() - t0) * 1000)
    return samples[5:]
