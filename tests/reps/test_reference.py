"""A clip analysed end to end on the replay backend: rep checks in the verdicts and the JSON,
a coach's recorded set as the reference, and DTW arrows on its key frames."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coach.core.errors import BadInput, BadVideo
from coach.core.settings import Settings
from coach.pipeline.clip import ClipAnalysis, analyze_video, video_to_json
from coach.pipeline.reference import clip_frame_arrows, clip_frame_differences, reference_from_clip
from coach.pose.replay import ReplayEstimator
from coach.reps.check import MIN_LIMIT_DEG
from coach.reps.reference import reference_skeleton
from tests.video_helpers import make_clip, squat_depths, squat_reps_doc

DEPTHS = squat_depths(3, 20)  # 10 standing, 3 reps of 20 frames, 10 standing


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("clip") / "set.mp4", n_frames=len(DEPTHS))


def _analyse(clip: Path, scale: float = 1.0, **kwargs: object) -> ClipAnalysis:
    estimator = ReplayEstimator.from_json(squat_reps_doc(DEPTHS, scale))
    return analyze_video(clip, estimator, Settings(), lift="squat", **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def good_set(clip: Path) -> ClipAnalysis:
    return _analyse(clip)


def test_every_rep_is_checked_and_the_json_keeps_its_keys(good_set: ClipAnalysis) -> None:
    assert len(good_set.reps) == 3
    assert good_set.reference is not None and good_set.reference.source == "gold"
    for v in good_set.reps:
        assert v.check is not None and {p.position for p in v.check.positions} == {
            "start", "bottom"}
    doc = video_to_json(good_set)
    json.dumps(doc, allow_nan=False)
    rep = doc["reps"][0]  # type: ignore[index]
    assert set(rep) >= {"index", "start_s", "bottom_s", "end_s", "flags", "feedback", "dtw",
                        "check"}  # fmt: skip
    assert set(rep["check"]["bottom"]) == {"t_s", "difference_deg", "limit_deg", "flagged",
                                           "worst_angle", "worst_diff_deg"}  # fmt: skip
    assert doc["reference"]["source"] == "gold"  # type: ignore[index]
    assert set(doc) >= {"backend", "video", "lift", "rep_count", "reps", "traces",
                        "frames_analysed", "timings_ms", "fps_processed"}  # fmt: skip


def test_a_coach_set_as_reference(clip: Path, good_set: ClipAnalysis) -> None:
    ref = reference_from_clip(good_set, name="coach.mp4")
    assert ref.lift == "squat" and ref.source.startswith("coach.mp4, rep ")
    assert not ref.angles_3d  # replay keypoints have no world points: 2D, like the lifter's
    # Three identical reps: no spread, so the limit is the floor.
    assert ref.spread_deg["bottom"] < 1.0 and ref.limits_deg["bottom"] == MIN_LIMIT_DEG
    assert ref.poses["bottom"]["left_knee"] < 100 < ref.poses["start"]["left_knee"]
    assert set(ref.skeletons) == {"start", "bottom"}
    assert reference_skeleton(ref, "bottom", 0.0) is ref.skeletons["bottom"]
    same = _analyse(clip, reference=ref)
    assert [v.feedback() for v in same.reps] == [f"rep {i}: no faults flagged" for i in (1, 2, 3)]
    shallow = _analyse(clip, 0.9, reference=ref)
    assert len(shallow.reps) == 3
    words = [[p.words() for p in v.check.flagged] if v.check else [] for v in shallow.reps]
    assert all(any("at the bottom, left knee" in w and "straighter than the reference" in w
                   for w in rep) for rep in words), words  # fmt: skip
    assert all(v.check is not None and not v.check.get("start").flagged  # type: ignore[union-attr]
               for v in shallow.reps)  # fmt: skip


def test_a_reference_must_have_reps_and_the_same_lift(clip: Path, good_set: ClipAnalysis) -> None:
    from dataclasses import replace

    with pytest.raises(BadVideo, match="no complete rep"):
        reference_from_clip(replace(good_set, reps=()), name="empty.mp4")
    ref = replace(reference_from_clip(good_set), lift="deadlift")
    estimator = ReplayEstimator.from_json(squat_reps_doc(DEPTHS))
    with pytest.raises(BadInput, match="reference rep is a deadlift"):
        analyze_video(clip, estimator, Settings(), lift="squat", reference=ref)


def test_arrows_point_toward_the_reference_at_the_bottom(clip: Path, good_set: ClipAnalysis
                                                         ) -> None:  # fmt: skip
    ref = reference_from_clip(good_set)
    shallow = _analyse(clip, 0.9, reference=ref)
    verdict = shallow.reps[1]
    bottom = verdict.rep.bottom_frame
    diffs = clip_frame_differences(shallow, verdict, bottom)
    assert diffs["left_knee"] < -10 and diffs["right_knee"] < -10  # the reference bends more
    arrows = clip_frame_arrows(shallow, verdict, bottom, scale=0.5)
    assert {a.angle for a in arrows} == {"left_knee", "right_knee"}
    knee = shallow.keypoints.xy[bottom, arrows[0].joint] * 0.5
    assert arrows[0].start_xy == pytest.approx(tuple(knee), abs=1e-3)
    assert clip_frame_differences(shallow, verdict, verdict.rep.end_frame + 50) == {}
