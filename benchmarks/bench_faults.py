"""Fault-check speed: `judge_rep` per rep and per frame, on reps of real fixture clips, and
the back's outline per frame (the rounded back's measure, read on every analysed clip frame).

The keypoints come from `analyze_video` of the fixture clips (MediaPipe, once, untimed); then
only the fault checks are timed: the rep's moments, its view and every fault of the catalogue.
The back's outline is timed on the silhouettes MediaPipe gives on the deadlift clip's frames,
and beside it what asking the tracking graph for those silhouettes costs a frame.
Targets (the fault issue): under 20 ms a rep and under 1 ms a frame.
"""

from __future__ import annotations

from functools import partial
from itertools import islice
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from benchmarks.common import Stats, time_calls
from coach.core.keypoints import PersonPose
from coach.core.settings import load_settings
from coach.form.back import back_arcs
from coach.form.fault_check import judge_rep, rep_frames, rep_view
from coach.media.video import iter_frames
from coach.pipeline.clip import ClipAnalysis, analyze_video
from coach.pose.base import create_estimator

BACK_CLIP = "gym_tracker_Jurisimo00/videos/deadlift.mp4"
BACK_FRAMES = 60
TARGET_REP_MS = 20.0
TARGET_FRAME_MS = 1.0
CLIPS = {"gym_tracker_Jurisimo00/videos/squat.mp4": "squat",
         "gym_tracker_Jurisimo00/videos/deadlift.mp4": "deadlift",
         "gym-app-ai_TheSebitzu/videos/videos__bench_press.mp4": "bench"}  # fmt: skip


def _judge_all(analysis: ClipAnalysis, lift: str, fps: float) -> None:
    kp = analysis.keypoints
    for v in analysis.reps:
        r = v.rep
        moments = rep_frames(kp, lift, r.start_frame, r.bottom_frame, r.end_frame, fps)
        judge_rep(lift, kp, analysis.traces, moments,
                  rep_view(kp, range(r.start_frame, r.end_frame + 1)))  # fmt: skip


def run(fixtures: Path | None) -> str:
    """Markdown section: ms per rep and per rep frame of the fault checks, per lift."""
    if fixtures is None:
        return "## Fault checks\n\nSkipped: the fixture clips were not found.\n"
    settings = load_settings().with_overrides(backend="mediapipe")
    rows = []
    for clip, lift in CLIPS.items():
        estimator = create_estimator("mediapipe", settings, video=True)
        analysis = analyze_video(fixtures / clip, estimator, settings, lift=lift)
        getattr(estimator, "close", lambda: None)()
        if not analysis.reps:
            continue
        stats = time_calls(partial(_judge_all, analysis, lift, analysis.analysed_fps), n=50,
                           warmup=3)  # fmt: skip
        reps = len(analysis.reps)
        frames = sum(v.rep.end_frame - v.rep.start_frame + 1 for v in analysis.reps)
        per_rep, per_frame = stats.median_ms / reps, stats.median_ms / frames
        ok = "yes" if per_rep < TARGET_REP_MS and per_frame < TARGET_FRAME_MS else "no"
        rows.append(f"| {lift} | {clip} | {reps} | {per_rep:.2f} | {per_frame:.3f} | {ok} |")
    return "\n".join([
        "## Fault checks (`judge_rep`)\n",
        "Every fault of the lift's catalogue on every rep of a fixture clip (moments, view, "
        f"measures, verdicts), median of 50 runs. Targets: < {TARGET_REP_MS:.0f} ms a rep, "
        f"< {TARGET_FRAME_MS:.0f} ms a frame.\n",
        "| lift | clip | reps | ms per rep | ms per rep frame | within targets |",
        "|---|---|---|---|---|---|",
        *rows, "", _back_section(fixtures / BACK_CLIP),
    ])  # fmt: skip


def _pose_per_frame(frames: list[NDArray[np.uint8]], silhouette: bool
                    ) -> tuple[Stats, list[PersonPose]]:  # fmt: skip
    """One video-mode estimator over the frames, timed a frame."""
    from coach.pose.mediapipe_backend import MediaPipeEstimator

    people: list[PersonPose] = []
    with MediaPipeEstimator(video=True, others_every=0, silhouette=silhouette) as est:
        it = iter(frames)
        stats = time_calls(lambda: people.extend(est.estimate(next(it))[:1]),
                           n=len(frames) - 3, warmup=3)  # fmt: skip
    return stats, people


def _back_section(clip: Path) -> str:
    frames = [f.bgr for f in islice(iter_frames(clip), BACK_FRAMES)]
    plain, _ = _pose_per_frame(frames, silhouette=False)
    segmented, people = _pose_per_frame(frames, silhouette=True)
    seen = [(p.silhouette, p.keypoints) for p in people if p.silhouette is not None]
    if not seen:
        return "The back's outline: no silhouette was found on the clip.\n"
    it = iter(seen * 4)
    back = time_calls(lambda: back_arcs(*next(it)), n=len(seen) * 4 - 3, warmup=3)
    ok = "yes" if back.median_ms < TARGET_FRAME_MS else "no"
    height, width = frames[0].shape[:2]
    return "\n".join([
        f"The back's outline (`coach.form.back.back_arcs`) on {len(seen)} real silhouettes of "
        f"`{BACK_CLIP}` ({width}x{height}), and MediaPipe's tracking graph per frame with and "
        "without the segmentation it needs, in this run:\n",
        "| what | median ms | p95 ms | n | note |",
        "|---|---|---|---|---|",
        f"| back's outline, a frame | {back.median_ms:.2f} | {back.p95_ms:.2f} | {back.n} | "
        f"under the {TARGET_FRAME_MS:.0f} ms a frame target: {ok} |",
        f"| pose, a frame, no segmentation | {plain.row()} | live and photos |",
        f"| pose, a frame, with segmentation | {segmented.row()} | clips; "
        f"{segmented.median_ms / plain.median_ms:.2f}x the frame without |",
    ])
