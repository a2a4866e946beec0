"""Fault-check speed: `judge_rep` per rep and per frame, on reps of real fixture clips.

The keypoints come from `analyze_video` of the fixture clips (MediaPipe, once, untimed); then
only the fault checks are timed: the rep's moments, its view and every fault of the catalogue.
Targets (the fault issue): under 20 ms a rep and under 1 ms a frame.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from benchmarks.common import time_calls
from coach.core.settings import load_settings
from coach.form.fault_check import judge_rep, rep_frames, rep_view
from coach.pipeline.clip import ClipAnalysis, analyze_video
from coach.pose.base import create_estimator

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
                  rep_view(kp, (r.start_frame, r.bottom_frame, r.end_frame)))  # fmt: skip


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
        *rows,
    ])  # fmt: skip
