"""Bar tracking cost per frame (plate detection on the crop around the wrists, or the whole
frame) at 1080p and 640x480, and the whole clip analysis with the bar against real time."""

from __future__ import annotations

import os
import time
from functools import partial
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from benchmarks.common import time_calls

HD_CLIP = "gym-app-ai_TheSebitzu/videos/videos__bench_press.mp4"
SIDE_CLIP = "gym_tracker_Jurisimo00/videos/deadlift.mp4"


def _first_frame(path: Path) -> NDArray[np.uint8]:
    from coach.media.video import iter_frames

    return next(iter_frames(path)).bgr


def _frame_rows(fixtures: Path | None) -> list[str]:
    import cv2

    from coach.bar.analyze import default_detector
    from coach.bar.detector import torch_threads
    from coach.bar.track import frame_candidates

    if fixtures is None or not (fixtures / HD_CLIP).is_file():
        frame = np.random.default_rng(0).integers(0, 255, (1080, 1920, 3), dtype=np.uint8)
    else:
        frame = _first_frame(fixtures / HD_CLIP)
    detector = default_detector()
    rows = []
    for label, size in (("1920x1080", (1920, 1080)), ("640x480", (640, 480))):
        img = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
        w, h = size
        wrists = np.array([0.6 * w, 0.4 * h])
        body = (0.2 * w, 0.2 * h, 0.6 * w, 0.5 * h)  # a lifter lying on a bench, seen side-on
        for how, args in (("crop around the wrists", (wrists, body)),
                          ("whole frame (no lifter)", (np.full(2, np.nan), None))):  # fmt: skip
            with torch_threads():  # as BarCollector runs it
                s = time_calls(partial(frame_candidates, detector, img, *args), n=30)
            rows.append(f"| {label} | {how} | {s.median_ms:.1f} | {s.p95_ms:.1f} |")
    return rows


def _pipeline_rows(fixtures: Path | None) -> list[str]:
    from coach.core.settings import Settings
    from coach.pipeline.clip import analyze_video
    from coach.pose.mediapipe_backend import MediaPipeEstimator

    rows = []
    for clip, lift in ((HD_CLIP, "bench"), (SIDE_CLIP, "deadlift")):
        if fixtures is None or not (fixtures / clip).is_file():
            rows.append(f"| {clip} (not found) | | | | |")
            continue
        with MediaPipeEstimator(video=True) as estimator:
            t0 = time.perf_counter()
            result = analyze_video(fixtures / clip, estimator, Settings(), lift=lift)
            seconds = time.perf_counter() - t0
        bar_ms = result.timings_ms.get("bar", 0.0)
        n = len(result.t_s)
        rows.append(f"| `{clip}` ({result.info.width_px}x{result.info.height_px}) | {n} | "
                    f"{seconds:.2f} | {result.info.duration_s / seconds:.2f}x | "
                    f"{bar_ms / max(n, 1):.1f} |")  # fmt: skip
    return rows


def run(fixtures: Path | None) -> str:
    """Markdown section: bar cost per frame and the clip analysis's multiple of real time."""
    import torch

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "## Bar tracking\n",
        "Plate candidates for one frame (`coach.bar.track.frame_candidates`: crop or letterbox "
        "to 256 px, CenterNet, merge), first frame of the 1080p bench clip resized to each "
        f"size; torch on 1 thread for the bar pass (default {torch.get_num_threads()}), "
        f"1-min load average at start {load:.1f} on {os.cpu_count()} cores.\n",
        "| frame | detector looks at | median ms | p95 ms |",
        "|---|---|---|---|",
        *_frame_rows(fixtures),
        "",
        "Whole clip analysis with the bar (`analyze_video`, MediaPipe video mode, 15 fps; the "
        "plate detector runs on each frame the pose pass decoded, so the clip is decoded once). "
        "Target: 1.0x real time or better.\n",
        "| clip | frames | seconds | x real time | bar ms per frame (detect + choose) |",
        "|---|---|---|---|---|",
        *_pipeline_rows(fixtures),
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    from benchmarks.common import fixtures_dir

    print(run(fixtures_dir()))
