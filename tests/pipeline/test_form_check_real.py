"""How often a good-form photo raises a flag, on the real fixtures (MediaPipe, lift given).

Measured 2026-11-20 after the rule review (form_rules: accepted technique is no fault, valgus is
judged relative to the stance, the sumo deadlift is recognised, the thigh is judged only at the
bottom from the side) and with the phase chosen by the 3D key angles (coach/form/phase.py): 10 of
the 104 good-form barbell photos in which MediaPipe found a lifter raised at least one flag
(9.6%; squat 0/41, deadlift 4/41, bench 6/22); 5 more had nobody found. Before the review it
was 35 of 104 (33.7%). The 10 left are variants the 2D keypoints cannot tell from a fault or
poses between the gold phases: 4 deliberately wide (snatch) grips on deadlifts, flagged "far
too wide ... fine only if this is a snatch-grip deadlift", 4 incline or decline bench presses
(the gold is a flat bench) mostly seen from 3/4 views, 1 board press stopped halfway (elbows at
~127 deg, between the chest and lockout golds), and 1 flat bench press where chains hide the
arm and MediaPipe puts the elbow on the chain. The ceiling sits just above the measurement, so
a change that raises false flags fails here.

Re-measured 2026-12-02 with every person found on photos (issue 9: detector + ROI landmarks,
rotation retry): the lifter is now found in 109 of the good-form photos (was 104), and 12 raise
a flag (11.0%); the ceiling moved from 0.10 to 0.12 for that wider, harder set.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.core.errors import NoPersonFound
from coach.core.settings import Settings
from coach.pipeline.photo import analyze_photo

LIFTS = {"squat", "bench", "deadlift"}
MAX_FLAGGED_SHARE = 0.12


@pytest.fixture(scope="module")
def good_form_results(labels, fixtures: Path, tmp_path_factory):
    from coach.pose.mediapipe_backend import MediaPipeEstimator

    rows = [r for r in labels if r["lift"] in LIFTS and r["file"].endswith(".jpg")
            and r["form"].startswith(("presumed good", "good"))]
    settings = Settings(data_dir=str(tmp_path_factory.mktemp("data")))
    out = []
    with MediaPipeEstimator() as estimator:
        for row in rows:
            try:
                result, _ = analyze_photo(fixtures / row["file"], estimator, settings,
                                          lift=row["lift"])
            except NoPersonFound:
                continue
            out.append((row, result))
    return out


def test_good_form_photos_rarely_raise_a_flag(good_form_results) -> None:
    assert len(good_form_results) >= 95, "MediaPipe should find the lifter in most photos"
    flagged = [(r["file"], [f.reason for f in res.form.flags])
               for r, res in good_form_results if res.form.flags]
    share = len(flagged) / len(good_form_results)
    print(f"\ngood-form photos flagged: {len(flagged)}/{len(good_form_results)} = {share:.1%}")
    assert share <= MAX_FLAGGED_SHARE, flagged


def test_every_verdict_is_complete_on_real_photos(good_form_results) -> None:
    for row, res in good_form_results:
        form = res.form
        assert form.report is not None, row["file"]
        assert form.report.phase in {"standing", "bottom", "lockout", "chest", "setup"}
        for flag in form.flags:
            assert flag.reason and 0.0 <= flag.confidence <= 1.0
        for pair in form.report.pairs:
            if not any(v.verdict in ("ok", "bad") for v in pair.per_view.values()):
                # A pair nobody could judge is never silent: the lifter is told why.
                assert any(pair.name in note for note in form.notes), (row["file"], pair.name)
