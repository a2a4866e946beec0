"""Lift accuracy on REAL labelled photos (shared/fixtures), counted per clip / exercise.

MediaPipe finds the lifter in every labelled barbell photo (`lift` in squat/bench/deadlift;
`bench?` floor presses and `other:*` rows are left out), the classifier names the lift, and
accuracy is counted per GROUP so near-identical frames do not count twice:
- free-exercise-db: one group per exercise folder (its 0.jpg and 1.jpg);
- gym-app-ai and gym_tracker frames: one group per source video (file name before `_fNNNNN`).
A group scores the fraction of its photos classified correctly; a lift's accuracy is the mean
over its groups. A photo where MediaPipe finds nobody, or an "unsure" answer, counts as a miss.

The classifier never saw these photos: it is trained on synthetic skeletons only.
Run with `pytest -s tests/lift/test_classify_real.py` to see the per-lift table.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from coach.core.keypoints import DEFAULT_MIN_SCORE
from coach.lift.classify import LIFT_NAMES, UNSURE, classify_lift

pytest.importorskip("mediapipe")

CLIP_MAX_SIDE_PX = 640  # clips are decoded at this size, as coach.pipeline.clip.analyze_video does
_FRAME_SUFFIX = re.compile(r"_f\d{5}\.jpg$")

# Floors just under what was MEASURED. The project aims for 95% per lift.
# Measured 2026-11-20 (MediaPipe 0.10.21 CPU, model seed 20261120), mean over groups:
#   squat 0.955 (22 groups, 45 photos), bench 0.875 (16, 33), deadlift 0.977 (22, 46),
#   macro 0.936. Misses: 5 photos where MediaPipe found nobody (4 bench, 1 squat), 1 squat
#   called deadlift (chains hide the arms; MediaPipe put the wrists at the hips), 1 deadlift
#   unsure (snatch-grip deadlift: a grip wider than any synthetic deadlift). Bench is below
#   the aim only because MediaPipe misses lying lifters; of the 119 photos where it found a
#   person, the classifier got 117 (98.3%).
FLOOR_PER_LIFT: dict[str, float] = {"squat": 0.93, "bench": 0.85, "deadlift": 0.95}
FLOOR_MACRO = 0.91
FLOOR_WHEN_FOUND = 0.95  # photo accuracy over the photos where MediaPipe found a person


@dataclass(frozen=True)
class Outcome:
    """One photo's result: the true lift, the group it counts in, and what we said."""

    file: str
    truth: str
    group: str
    predicted: str  # a lift, "unsure", or "no person"
    probabilities: dict[str, float]


def group_of(file: str) -> str:
    """The clip or exercise a labelled photo belongs to (see the module docstring)."""
    parts = Path(file).parts
    if parts[0] == "free-exercise-db":
        return f"free-exercise-db/{parts[-2]}"
    return f"{parts[0]}/{_FRAME_SUFFIX.sub('', parts[-1])}"


@pytest.fixture(scope="session")
def outcomes(fixtures: Path, labels: list[dict[str, str]]) -> list[Outcome]:
    """Run MediaPipe + the classifier once per session on every labelled barbell photo."""
    from coach.core.errors import NoPersonFound
    from coach.core.settings import Settings
    from coach.pipeline.photo import analyze_photo
    from coach.pose.mediapipe_backend import MediaPipeEstimator

    settings = Settings()  # the app's defaults: downscale, lifter choice, score threshold
    estimator = MediaPipeEstimator(video=False)
    rows = [r for r in labels if r["lift"] in LIFT_NAMES and r["file"].endswith(".jpg")]
    assert len(rows) >= 60, f"expected the fixture set's ~90 barbell photos, found {len(rows)}"
    out: list[Outcome] = []
    for row in rows:
        predicted, probs = "no person", {}
        try:
            result, _ = analyze_photo(fixtures / row["file"], estimator, settings)
        except NoPersonFound:
            result = None
        if result is not None:
            pred = classify_lift(result.person.keypoints)
            predicted, probs = pred.label, pred.probabilities
        out.append(Outcome(row["file"], row["lift"], group_of(row["file"]), predicted, probs))
    return out


def per_lift_accuracy(results: list[Outcome]) -> dict[str, tuple[float, int, int]]:
    """lift -> (mean over its groups of the fraction correct, groups, photos)."""
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in results:
        groups[o.group].append(o)
    scores: dict[str, list[float]] = defaultdict(list)
    photos: dict[str, int] = defaultdict(int)
    for members in groups.values():
        truth = members[0].truth
        scores[truth].append(float(np.mean([o.predicted == truth for o in members])))
        photos[truth] += len(members)
    return {
        lift: (float(np.mean(scores[lift])), len(scores[lift]), photos[lift]) for lift in scores
    }


def confusion(results: list[Outcome]) -> dict[str, dict[str, int]]:
    """truth -> predicted -> photo count (photos, not groups)."""
    table: dict[str, dict[str, int]] = {t: defaultdict(int) for t in LIFT_NAMES}
    for o in results:
        table[o.truth][o.predicted] += 1
    return table


def _print_report(results: list[Outcome]) -> None:
    acc = per_lift_accuracy(results)
    print("\nlift       groups photos  accuracy (mean over groups)")
    for lift, (score, n_groups, n_photos) in acc.items():
        print(f"{lift:10s} {n_groups:6d} {n_photos:6d}  {score:.3f}")
    macro = np.mean([score for score, _, _ in acc.values()])
    print(f"macro (mean of the lifts) {macro:.3f}")
    cols = [*LIFT_NAMES, UNSURE, "no person"]
    print("confusion (photos): truth \\ predicted  " + " ".join(f"{c:>9s}" for c in cols))
    for truth, row in confusion(results).items():
        print(f"{truth:>37s}  " + " ".join(f"{row.get(c, 0):9d}" for c in cols))
    for o in results:
        if o.predicted != o.truth:
            shown = " ".join(f"{k}={v:.2f}" for k, v in o.probabilities.items())
            print(f"  miss: {o.file} ({o.truth}) -> {o.predicted} {shown}")


def test_group_of_counts_clips_not_frames() -> None:
    assert group_of("gym-app-ai_TheSebitzu/frames/videos__bench_press_f00184.jpg") == (
        "gym-app-ai_TheSebitzu/videos__bench_press"
    )
    assert group_of("gym_tracker_Jurisimo00/frames/deadlift2_f00114.jpg") == (
        "gym_tracker_Jurisimo00/deadlift2"
    )
    assert group_of("free-exercise-db/exercises/Box_Squat/1.jpg") == "free-exercise-db/Box_Squat"


def test_lift_accuracy_on_real_photos_per_clip(outcomes: list[Outcome]) -> None:
    _print_report(outcomes)
    acc = per_lift_accuracy(outcomes)
    assert set(acc) == set(LIFT_NAMES), f"every lift must be represented, got {sorted(acc)}"
    for lift, floor in FLOOR_PER_LIFT.items():
        assert acc[lift][0] >= floor, f"{lift}: {acc[lift][0]:.3f} per-group accuracy < {floor}"
    macro = float(np.mean([acc[lift][0] for lift in LIFT_NAMES]))
    assert macro >= FLOOR_MACRO, f"macro per-group accuracy {macro:.3f} < {FLOOR_MACRO}"


def test_classifier_accuracy_where_a_person_was_found(outcomes: list[Outcome]) -> None:
    """Separates the classifier from MediaPipe: photos with no person found are left out."""
    found = [o for o in outcomes if o.predicted != "no person"]
    correct = sum(o.predicted == o.truth for o in found)
    print(f"\nwhere MediaPipe found a person: {correct}/{len(found)} correct")
    assert correct / len(found) >= FLOOR_WHEN_FOUND


@dataclass(frozen=True)
class ClipOutcome:
    """One labelled clip: truth, the clip-level answer and the per-frame answers."""

    file: str
    truth: str
    predicted: str
    frame_labels: tuple[str, ...]


CLIP_FPS = 2.0  # two frames a second span every rep of these 1-25 s clips and keep the test fast


@pytest.fixture(scope="session")
def clip_outcomes(fixtures: Path, labels: list[dict[str, str]]) -> list[ClipOutcome]:
    """classify_sequence on MediaPipe (video mode) keypoints of every labelled barbell clip."""
    from coach.core.keypoints import Keypoints
    from coach.lift.classify import classify_sequence
    from coach.media.video import iter_frames
    from coach.pose.mediapipe_backend import MediaPipeEstimator
    from coach.pose.select import choose_lifter

    rows = [r for r in labels if r["lift"] in LIFT_NAMES and r["file"].endswith(".mp4")]
    out: list[ClipOutcome] = []
    for row in rows:
        estimator = MediaPipeEstimator(video=True)
        frames: list[Keypoints] = []
        for frame in iter_frames(
            fixtures / row["file"], target_fps=CLIP_FPS, max_side_px=CLIP_MAX_SIDE_PX
        ):
            persons = estimator.estimate(frame.bgr)
            if persons:
                height, width = frame.bgr.shape[:2]
                frames.append(choose_lifter(persons, (width, height)).keypoints)
        if not frames:
            out.append(ClipOutcome(row["file"], row["lift"], "no person", ()))
            continue
        kp = Keypoints.stack(frames).confident(DEFAULT_MIN_SCORE)
        labels_per_frame = tuple(classify_lift(kp, t).label for t in range(len(kp)))
        out.append(
            ClipOutcome(row["file"], row["lift"], classify_sequence(kp).label, labels_per_frame)
        )
    return out


def test_lift_accuracy_on_real_clips(clip_outcomes: list[ClipOutcome]) -> None:
    """Measured 2026-11-20: all 8 barbell clips right (3 bench, 1 squat, 4 deadlift); 155 of
    their 156 sampled frames were right on their own."""
    print()
    for c in clip_outcomes:
        share = np.mean([f == c.truth for f in c.frame_labels]) if c.frame_labels else 0.0
        print(f"clip {c.file}: {c.truth} -> {c.predicted}; frames right {share:.2f} "
              f"of {len(c.frame_labels)}")  # fmt: skip
    assert len(clip_outcomes) == 8, "the fixture set has 8 barbell clips"
    correct = sum(c.predicted == c.truth for c in clip_outcomes)
    assert correct == 8, f"{correct}/8 clips right (README: 8 of 8)"
    frames = [f == c.truth for c in clip_outcomes for f in c.frame_labels]
    assert sum(frames) >= 154, f"{sum(frames)} of {len(frames)} sampled frames right (README: 155)"
