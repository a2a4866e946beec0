"""Photo analysis on the embedded backend: per-stage times at 1080p and 12 MP, our pipeline
against raw MediaPipe on the same frames, and keypoint accuracy against human ground truth."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np

from benchmarks.common import Stats, stats_ms
from coach.core.settings import Settings
from coach.eval.metrics import evaluate_coco_gt
from coach.pipeline.photo import analyze_photo
from coach.pose.mediapipe_backend import MediaPipeEstimator

FRAMES_1080P = (
    "gym-app-ai_TheSebitzu/frames/videos__squat_f00191.jpg",
    "gym-app-ai_TheSebitzu/frames/videos__deadlift_f00127.jpg",
    "gym-app-ai_TheSebitzu/frames/videos__bench_press_f00184.jpg",
)
N_REPEATS = 20


def _stage_table(photos: list[bytes], estimator: MediaPipeEstimator, lift: str | None) -> str:
    settings = Settings()
    stages: dict[str, list[float]] = {}
    for _ in range(2):  # warm-up
        analyze_photo(photos[0], estimator, settings, lift=lift)
    for i in range(N_REPEATS):
        result, _ = analyze_photo(photos[i % len(photos)], estimator, settings, lift=lift)
        for name, ms in result.timings_ms.items():
            stages.setdefault(name, []).append(ms)
    rows = [f"| {name} | {stats_ms(v).row()} |" for name, v in stages.items()]
    return "| stage | median ms | p95 ms | n |\n|---|---|---|---|\n" + "\n".join(rows)


def _raw_vs_pipeline(
    photos: list[bytes], estimators: list[MediaPipeEstimator]
) -> tuple[Stats, list[Stats]]:
    """Raw MediaPipe (imdecode + RGB + Pose.process) vs analyze_photo on each estimator,
    interleaved."""
    import mediapipe as mp

    settings = Settings()
    raw_pose = mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1)
    raw_ms: list[float] = []
    ours_ms: list[list[float]] = [[] for _ in estimators]
    for i in range(N_REPEATS + 2):
        data = photos[i % len(photos)]
        warm = i >= 2
        t0 = time.perf_counter()
        bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        raw_pose.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        if warm:
            raw_ms.append((time.perf_counter() - t0) * 1000)
        for estimator, samples in zip(estimators, ours_ms, strict=True):
            t0 = time.perf_counter()
            analyze_photo(data, estimator, settings)
            if warm:
                samples.append((time.perf_counter() - t0) * 1000)
    raw_pose.close()
    return stats_ms(raw_ms), [stats_ms(v) for v in ours_ms]


def _twelve_mp(data: bytes) -> bytes:
    """A 4000x3000 JPEG made by enlarging a real 1080p frame (no 12 MP fixture exists)."""
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    big = cv2.resize(bgr, (4000, 3000), interpolation=cv2.INTER_CUBIC)
    ok, buf = cv2.imencode(".jpg", big, [cv2.IMWRITE_JPEG_QUALITY, 92])
    assert ok
    return bytes(buf.tobytes())


def run(fixtures: Path | None) -> str:
    if fixtures is None:
        return "## Photo, embedded backend\n\nSkipped: the shared fixtures were not found.\n"
    photos = [(fixtures / f).read_bytes() for f in FRAMES_1080P]
    estimator = MediaPipeEstimator(video=False)
    out = ["## Photo, embedded backend (MediaPipe, CPU)\n",
           f"Whole `analyze_photo` on real 1920x1080 gym frames ({len(photos)} photos, "
           f"{N_REPEATS} runs). Target: median of 100 ms or less for 1080p.\n",
           "### 1080p, keypoints only\n", _stage_table(photos, estimator, None),
           "\n### 1080p, with form verdicts (classify, view, gold, vote, angles)\n",
           _stage_table(photos, estimator, "auto"),
           "\n### 12 MP (4000x3000, an enlarged fixture frame), keypoints only\n",
           _stage_table([_twelve_mp(photos[0])], estimator, None)]
    with MediaPipeEstimator(video=False, tiles=False) as no_tiles:
        raw, (plain, ours) = _raw_vs_pipeline(photos, [no_tiles, estimator])
    out += ["\n### Overhead against raw MediaPipe (same frames, same run, interleaved)\n",
            "| | median ms | p95 ms | n |\n|---|---|---|---|",
            f"| raw MediaPipe (imdecode + Pose.process, one person) | {raw.row()} |",
            f"| LiftCoach analyze_photo, every person, tiles off | {plain.row()} |",
            f"| LiftCoach analyze_photo, every person, 2x2 tiles (default) | {ours.row()} |",
            f"\nRatio of medians, tiles off: **{plain.median_ms / raw.median_ms:.2f}x** (target: "
            "1.25x or less). It includes the photo checks (size, truncation, EXIF orientation), "
            "the downscale of photos over 1920 px, the every-person detector, lifter choice and "
            "thresholding. With the tiles, on by default so that small people are found too "
            f"(issue 9 allows 60 ms a 1080p photo with every person): "
            f"**{ours.median_ms / raw.median_ms:.2f}x**.\n"]
    out.append(_accuracy(fixtures, estimator))
    estimator.close()
    return "\n".join(out)


def _accuracy(fixtures: Path, estimator: MediaPipeEstimator) -> str:
    res = evaluate_coco_gt(fixtures / "keypoints_coco17_gt.json", fixtures, estimator)
    pck = " | ".join(f"{v:.2f}" if v is not None else "-" for v in res["pck_per_joint"].values())
    names = " | ".join(res["pck_per_joint"])
    return (
        "### Keypoint accuracy against human COCO-17 ground truth\n\n"
        f"{res['images']} images, {res['gt_people']} labelled people, "
        f"{res['matched_people']} matched. Mean OKS over matched people: "
        f"**{res['mean_oks']:.3f}**; per-image mean OKS (missed images count 0): "
        f"{res['image_mean_oks']:.3f}; mean PCK@0.2: {res['mean_pck']:.3f}.\n"
        f"Protocol: {res['protocol']}\n\n| {names} |\n|{'---|' * len(res['pck_per_joint'])}\n"
        f"| {pck} |\n"
    )
