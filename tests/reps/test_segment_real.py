"""Rep counts on the real fixture clips must equal the counts made by hand.

How the expected counts were made: every clip was stepped through by eye on contact sheets
(one frame every 0.25 s, 8 fps around unclear moments, full-resolution frames where a bar
position was in doubt). A rep is counted at lockout: the lifter stands tall (squat, deadlift,
RDL) or the arms are straight with the bar over the shoulders (bench); a lockout at the very
end of a clip counts, a descent the clip cuts off does not, and a press that starts at the
chest in the first frame counts (its descent happened before the clip began).

Pipeline under test is the product's own, `coach.pipeline.clip.analyze_video` (no per-clip tuning):
decode at 15 fps with the long side at most 640 px, MediaPipe BlazePose in video mode,
`Keypoints.confident`, `smooth_keypoints` (3 Hz), 2D `angle_traces`, then `reps_from_angles`
with the lift's documented thresholds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.core.settings import Settings
from coach.pipeline.clip import analyze_video

# (clip, lift, reps counted by hand, what was seen)
CLIPS = [
    ("gym-app-ai_TheSebitzu/videos/videos__squat.mp4", "squat", 2,
     "front view; lockouts at ~4.3 s and ~9.3 s, clip ends standing"),
    ("gym-app-ai_TheSebitzu/videos/videos__deadlift.mp4", "deadlift", 2,
     "starts on the floor; lockouts at ~2.0 s and ~5.8 s (clip ends at lockout)"),
    ("gym-app-ai_TheSebitzu/videos/videos__rdl.mp4", "deadlift", 3,
     "RDL, rear-oblique; lockouts at ~1.8 s, ~4.0 s and ~6.5 s (clip ends there)"),
    ("gym-app-ai_TheSebitzu/videos/videos__bench_press.mp4", "bench", 1,
     "unrack, lower, ~2.5 s pause on the chest, press to lockout at ~5.8 s, rerack"),
    ("gym-app-ai_TheSebitzu/videos/videos__bench_press_warmup.mp4", "bench", 1,
     "1.3 s clip of one rep: down by 0.45 s, back at lockout at ~1.2 s"),
    ("gym-app-ai_TheSebitzu/videos/videos__incline_bench_press.mp4", "bench", 2,
     "starts with the bar on the chest; lockouts at ~1.6 s and ~5.4 s (clip end)"),
    ("gym_tracker_Jurisimo00/videos/deadlift.mp4", "deadlift", 4,
     "side view; lockouts at ~3.8, 9.5, 15.0 and 20.5 s; ends lowering, then a fade"),
    ("gym_tracker_Jurisimo00/videos/deadlift2.mp4", "deadlift", 2,
     "side view; lockouts at ~2.5 s and ~10.3 s; ends back on the floor"),
    ("gym_tracker_Jurisimo00/videos/squat.mp4", "squat", 8,
     "bodyweight squats, side view; 8 stands between 1.7 s and 13.8 s"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("clip", "lift", "expected", "seen"), CLIPS, ids=[Path(c[0]).stem for c in CLIPS]
)
def test_rep_count_matches_the_hand_count(
    fixtures: Path, tmp_path: Path, clip: str, lift: str, expected: int, seen: str
) -> None:
    from coach.pose.mediapipe_backend import MediaPipeEstimator

    with MediaPipeEstimator(video=True) as estimator:
        result = analyze_video(fixtures / clip, estimator, Settings(data_dir=str(tmp_path)),
                               lift=lift)
    reps = [v.rep for v in result.reps]
    found = [f"{r.start_s:.1f}-{r.end_s:.1f} s" for r in reps]
    assert len(reps) == expected, f"{clip}: hand count {expected} ({seen}); found {found}"
    assert all(r.start_frame < r.end_frame for r in reps)
