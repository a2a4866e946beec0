"""Scoring: the DESIGN formula, the per-view calls, the 2-of-3 vote, view awareness, reports."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from coach.core.errors import BadInput, GoldAnnotationError
from coach.core.keypoints import Joint, Keypoints
from coach.core.lifts import PHASES
from coach.form.scoring import (
    RESULT_NOT_JUDGEABLE,
    assess_form,
    band_confidence,
    box_wh,
    lift_box_wh,
    nearest_phase,
    pair_distance_norm,
    pose_distance,
    report_to_dict,
)
from coach.form.view import ViewEstimate
from coach.synth import lifter as synth
from tests.handmade_poses import gold_mapping, project, squat_world

J = Joint
KNEES = (J.LEFT_KNEE, J.RIGHT_KNEE)
FRONT = ViewEstimate("front", 0.0, 1.0)
LEFT = ViewEstimate("left", 90.0, 1.0)


@pytest.fixture(scope="module")
def squat_gold() -> dict:
    return gold_mapping(squat_world, PHASES["squat"])


# --- the formula -------------------------------------------------------------------------------


def test_pair_distance_hand_computed(make_keypoints) -> None:
    kp = make_keypoints({J.LEFT_KNEE: (10.0, 20.0), J.RIGHT_KNEE: (40.0, 60.0)})
    # dx = 30 px over W = 100, dy = 40 px over H = 200: sqrt(0.3^2 + 0.2^2)
    d = pair_distance_norm(kp, J.LEFT_KNEE, J.RIGHT_KNEE, (100.0, 200.0))
    assert d == pytest.approx(math.sqrt(0.13), rel=1e-6)
    assert pair_distance_norm(kp, J.RIGHT_KNEE, J.LEFT_KNEE, (100.0, 200.0)) == pytest.approx(d)


def test_pair_distance_is_nan_for_a_missing_joint_or_empty_box(make_keypoints) -> None:
    kp = make_keypoints({J.LEFT_KNEE: (10.0, 20.0)})
    assert math.isnan(pair_distance_norm(kp, J.LEFT_KNEE, J.RIGHT_KNEE, (100.0, 200.0)))
    both = make_keypoints({J.LEFT_KNEE: (10.0, 20.0), J.RIGHT_KNEE: (40.0, 60.0)})
    assert math.isnan(pair_distance_norm(both, J.LEFT_KNEE, J.RIGHT_KNEE, (0.0, 200.0)))


def test_box_is_the_lifters_not_the_images(make_keypoints) -> None:
    """Moving or zooming the lifter in the image leaves d unchanged."""
    pts = {J.NOSE: (50.0, 0.0), J.LEFT_ANKLE: (80.0, 180.0), J.RIGHT_ANKLE: (20.0, 180.0),
           J.LEFT_KNEE: (70.0, 100.0), J.RIGHT_KNEE: (30.0, 100.0)}  # fmt: skip
    a = make_keypoints(pts)
    b = make_keypoints({j: (3 * x + 500, 3 * y + 40) for j, (x, y) in pts.items()})
    assert box_wh(a) == (60.0, 180.0)
    da = pair_distance_norm(a, *KNEES, box_wh(a))
    assert pair_distance_norm(b, *KNEES, box_wh(b)) == pytest.approx(da, rel=1e-6)


def test_lift_box_width_leaves_out_the_measured_widths(make_keypoints) -> None:
    kp = make_keypoints({J.LEFT_SHOULDER: (60.0, 0.0), J.RIGHT_SHOULDER: (20.0, 0.0),
                         J.LEFT_WRIST: (100.0, 50.0), J.RIGHT_WRIST: (-20.0, 50.0),
                         J.LEFT_ANKLE: (50.0, 200.0)})  # fmt: skip
    w, h = lift_box_wh(kp, "deadlift", kp.present())
    assert (w, h) == (40.0, 200.0)  # W from the shoulders, not the wide grip; H from all


# --- phase -------------------------------------------------------------------------------------


def test_pose_distance_ignores_position_and_scale() -> None:
    a = project(squat_world("bottom"), 0.0, px_per_m=300, centre=(100, 100))
    b = project(squat_world("bottom"), 0.0, px_per_m=700, centre=(900, 500))
    assert pose_distance(a, b) == pytest.approx(0.0, abs=1e-5)
    assert pose_distance(a, project(squat_world("standing"), 0.0)) > 0.05


@pytest.mark.parametrize("yaw", [0.0, 90.0, -90.0, 180.0])
@pytest.mark.parametrize("phase", ["standing", "bottom"])
def test_nearest_phase(squat_gold, phase: str, yaw: float) -> None:
    kp = project(squat_world(phase), yaw, px_per_m=250, centre=(300, 300))
    assert nearest_phase(kp, "squat", squat_gold) == phase


def test_gold_without_a_view_is_refused(squat_gold) -> None:
    broken = {v: p for v, p in squat_gold.items() if v != "right"}
    with pytest.raises(GoldAnnotationError, match="right"):
        assess_form(squat_gold["front"]["standing"], "squat", broken)


def test_unknown_lift_is_refused(squat_gold) -> None:
    with pytest.raises(BadInput):
        assess_form(squat_gold["front"]["standing"], "snatch", squat_gold)


# --- the vote, on constructed verdicts ---------------------------------------------------------


















# --- assess_form on hand-made poses ------------------------------------------------------------


@pytest.mark.parametrize("view", ["front", "left", "right"])
@pytest.mark.parametrize("phase", ["standing", "bottom"])
def test_gold_pose_flags_nothing(squat_gold, view: str, phase: str) -> None:
    report = assess_form(squat_gold[view][phase], "squat", squat_gold)
    assert report.phase == phase and report.view.view == view
    assert report.flagged == () and report.vote.flagged_pairs == ()
    if view != "front" and phase == "standing":  # a standing squatter's side view shows no
        assert report.vote.result == RESULT_NOT_JUDGEABLE  # fault: the thigh is vertical
        assert "left thigh is only judged at the bottom" in report.not_judgeable
    else:
        assert report.vote.front_lift_good or report.vote.side_lift_good


def test_knees_caving_in_from_the_front_are_flagged(squat_gold) -> None:
    kp = project(squat_world("bottom", knee_half_width_m=0.09), 0.0)
    report = assess_form(kp, "squat", squat_gold)
    assert report.view.view == "front"
    assert {Joint[f.joint.upper()] for f in report.flagged} == set(KNEES)
    assert all("valgus" in f.reason and 0 < f.confidence <= 1 for f in report.flagged)
    knees = next(p for p in report.pairs if p.joints == KNEES)
    assert knees.per_view["front"].verdict == "bad" and knees.per_view["front"].ratio < 0.7


def test_flag_confidence_follows_keypoint_scores(squat_gold) -> None:
    sure = assess_form(project(squat_world("bottom", 0.09), 0.0, score=0.9), "squat", squat_gold)
    unsure = assess_form(project(squat_world("bottom", 0.09), 0.0, score=0.4), "squat", squat_gold)
    assert unsure.flagged[0].confidence < sure.flagged[0].confidence


def test_pairs_the_camera_cannot_show_are_never_flagged(squat_gold) -> None:
    """The same caved-in knees, with the camera said to be at the side: not judgeable."""
    kp = project(squat_world("bottom", knee_half_width_m=0.09), 0.0)
    report = assess_form(kp, "squat", squat_gold, view=LEFT)
    knees = next(p for p in report.pairs if p.joints == KNEES)
    assert {pv.verdict for pv in knees.per_view.values()} == {"not_judgeable"}
    assert KNEES not in report.vote.flagged_pairs
    assert not any("valgus" in f.reason for f in report.flagged)
    assert "knee width can't be judged from a side view" in report.not_judgeable


def test_oblique_view_judges_no_widths(squat_gold) -> None:
    report = assess_form(project(squat_world("standing"), 50.0), "squat", squat_gold)
    assert report.view.view == "oblique"
    assert any("oblique" in note for note in report.not_judgeable)
    assert report.flagged == ()


def test_a_missing_joint_leaves_its_pairs_out(squat_gold) -> None:
    kp = project(squat_world("bottom", knee_half_width_m=0.09), 0.0)
    xy = kp.xy[0].copy()
    xy[J.LEFT_KNEE] = np.nan
    report = assess_form(Keypoints.single(xy), "squat", squat_gold, view=FRONT)
    for p in report.pairs:
        if J.LEFT_KNEE in p.joints:
            assert math.isnan(p.value)
            assert {pv.verdict for pv in p.per_view.values()} == {"missing"}
    assert any("knee width" in m and "left knee not found" in m for m in report.missing)
    assert any("left thigh" in m for m in report.missing)
    assert not any(Joint[f.joint.upper()] in KNEES for f in report.flagged)


def test_report_to_dict_is_plain_json(squat_gold) -> None:
    kp = project(squat_world("bottom", knee_half_width_m=0.09), 0.0)
    doc = report_to_dict(assess_form(kp, "squat", squat_gold))
    text = json.dumps(doc, allow_nan=False)  # NaN would make invalid JSON
    assert json.loads(text) == doc
    assert doc["view"]["label"] == "front"
    knees = next(p for p in doc["pairs"] if p["joints"] == ["left_knee", "right_knee"])
    assert set(knees["per_view"]) == {"front", "left", "right"}
    assert set(knees["per_view"]["front"]) == {"gold", "ratio", "verdict"}
    assert doc["vote"]["per_view"]["front"]["bad_pairs"] == [["left_knee", "right_knee"]]
    assert {"front_lift_good", "side_lift_good", "result"} <= set(doc["vote"])
    assert {f["joint"] for f in doc["flagged_joints"]} == {"left_knee", "right_knee"}
    assert set(doc["flagged_joints"][0]) == {"joint", "reason", "confidence"}


# --- integration with coach.synth.lifter and the shipped coach.form.gold
# ------------------------------------

GOLD_YAWS = {"front": 0.0, "left": 90.0, "right": -90.0}


def _synth_gold(lift: str) -> dict:
    """The shipped gold: made from coach.synth.lifter by scripts/make_gold.py (the default body in
    textbook form, cameras at the three gold views)."""
    from coach.form.gold import load_gold

    return dict(load_gold(lift).as_mapping())


@pytest.fixture(scope="module")
def synth_golds() -> dict:
    return {lift: _synth_gold(lift) for lift in ("squat", "bench", "deadlift")}


@pytest.mark.parametrize("lift", ["squat", "bench", "deadlift"])
def test_synth_gold_flags_nothing_in_any_view_or_phase(synth_golds, lift: str) -> None:
    gold = synth_golds[lift]
    for view in GOLD_YAWS:
        for phase in PHASES[lift]:
            report = assess_form(gold[view][phase], lift, gold)
            assert report.phase == phase, (view, phase)
            assert report.flagged == (), (view, phase, report.flagged)


def _judge(kp: Keypoints, lift: str, golds: dict):
    """assess_form as coach/pipeline/form_check.py calls it: synthetic lifters carry world points,
    like
    MediaPipe's, so the gold's 3D angles choose the phase (coach/form/phase.py)."""
    from coach.form.gold import load_gold

    gold = load_gold(lift)
    angles = {phase: gold.pose("front", phase).angles_deg for phase in gold.phases}
    return assess_form(kp, lift, golds[lift], gold_angles_3d_deg=angles)


def _front_sample(lift: str, progress: float, faults: dict, seed: int) -> Keypoints:
    rng = np.random.default_rng(seed)
    cam = synth.Camera(yaw_deg=3.0, pitch_deg=8.0)
    return synth.sample(lift, rng, progress=progress, camera=cam, variation=0.0, faults=faults,
                        fill=0.7)


def test_synth_squat_knees_caving_in_seen_from_the_front(synth_golds) -> None:
    kp = _front_sample("squat", 1.0, {"knee_valgus_deg": 20.0}, seed=1)
    report = _judge(kp, "squat", synth_golds)
    assert report.view.view == "front" and report.phase == "bottom"
    assert {Joint[f.joint.upper()] for f in report.flagged} == set(KNEES)
    assert all("valgus" in f.reason for f in report.flagged)


@pytest.mark.parametrize("progress", [0.0, 1.0])
def test_synth_deadlift_grip_far_too_wide(synth_golds, progress: float) -> None:
    kp = _front_sample("deadlift", progress, {"grip_width_scale": 1.6}, seed=2)
    report = _judge(kp, "deadlift", synth_golds)
    assert {Joint[f.joint.upper()] for f in report.flagged} == {J.LEFT_WRIST, J.RIGHT_WRIST}
    assert all("grip far too wide" in f.reason for f in report.flagged)


def test_synth_bench_elbows_flared(synth_golds) -> None:
    kp = _front_sample("bench", 1.0, {"elbow_flare_deg": 30.0}, seed=3)
    report = _judge(kp, "bench", synth_golds)
    assert report.phase == "chest"
    flagged = {Joint[f.joint.upper()]: f.reason for f in report.flagged}
    assert {J.LEFT_ELBOW, J.RIGHT_ELBOW} <= set(flagged)
    assert all("elbows flared" in flagged[j] for j in (J.LEFT_ELBOW, J.RIGHT_ELBOW))


@pytest.mark.parametrize("lift", ["squat", "bench", "deadlift"])
def test_clean_synth_pose_with_another_body_and_noise_flags_nothing(synth_golds, lift) -> None:
    rng = np.random.default_rng(11)
    for view, yaw in GOLD_YAWS.items():
        for progress in (0.0, 1.0):
            cam = synth.Camera(yaw_deg=yaw + 3.0, pitch_deg=8.0)
            kp = synth.sample(lift, rng, progress=progress, camera=cam, variation=0.3, fill=0.7)
            kp = synth.corrupt(kp, rng, sigma_px=1.5, p_missing=0.0)
            report = assess_form(kp, lift, synth_golds[lift])
            assert report.flagged == (), (view, progress, report.flagged)


# --- accepted technique and variants (form_rules: open band edges, relative_to, VARIANTS) ------


def _front_pose(lift: str, progress: float, **changes: float) -> Keypoints:
    """The default body in good form with some pose values changed, seen from the front."""
    import dataclasses

    pose = dataclasses.replace(synth.phase_pose(lift, progress), **changes)
    world = synth.pose_world(lift, pose, synth.Body())
    return synth.project(world, synth.fit_camera(world, synth.Camera(yaw_deg=2.0, pitch_deg=8.0)))


@pytest.mark.parametrize("stance", [0.8, 2.0])
def test_narrow_or_wide_squat_stance_is_not_valgus(synth_golds, stance: float) -> None:
    kp = _front_pose("squat", 1.0, stance_width_ratio=stance, toe_out_deg=20 + 10 * (stance > 1))
    report = _judge(kp, "squat", synth_golds)
    assert report.view.view == "front" and report.phase == "bottom"
    assert report.flagged == (), report.flagged
    knees = next(p for p in report.pairs if p.joints == KNEES)
    assert knees.per_view["front"].verdict == "ok"


def test_valgus_with_a_narrow_stance_is_still_flagged(synth_golds) -> None:
    kp = _front_pose("squat", 1.0, stance_width_ratio=0.9, knee_valgus_deg=25.0)
    report = _judge(kp, "squat", synth_golds)
    assert {Joint[f.joint.upper()] for f in report.flagged} == set(KNEES)
    assert all("valgus" in f.reason for f in report.flagged)


def test_knees_out_is_not_a_fault(synth_golds) -> None:
    kp = _front_pose("squat", 1.0, toe_out_deg=40.0)  # knees track far out over the toes
    report = _judge(kp, "squat", synth_golds)
    knees = next(p for p in report.pairs if p.joints == KNEES)
    assert knees.per_view["front"].ratio > 1.0 and knees.per_view["front"].verdict == "ok"
    assert report.flagged == ()


def test_a_missing_ankle_leaves_the_valgus_check_out(synth_golds) -> None:
    kp = _front_pose("squat", 1.0, knee_valgus_deg=25.0)
    xy = kp.xy[0].copy()
    xy[J.LEFT_ANKLE] = np.nan
    report = assess_form(Keypoints.single(xy), "squat", synth_golds["squat"], view=FRONT)
    knees = next(p for p in report.pairs if p.joints == KNEES)
    assert {pv.verdict for pv in knees.per_view.values()} == {"missing"}
    assert any("knee width" in m and "left ankle not found" in m for m in report.missing)


@pytest.mark.parametrize("progress", [0.0, 1.0])
def test_sumo_deadlift_is_recognised_not_flagged(synth_golds, progress: float) -> None:
    # Escamilla et al. 2000: sumo stance 70 cm vs 32, feet out 42 deg; the grip is narrower
    # still than their sumo mean (47 cm), past the conventional pull's "too narrow" edge.
    kp = _front_pose("deadlift", progress, stance_width_ratio=1.64, toe_out_deg=42.0,
                     grip_width_ratio=0.7)
    report = _judge(kp, "deadlift", synth_golds)
    assert report.view.view == "front"
    assert report.variant is not None and "sumo" in report.variant
    assert report.flagged == (), report.flagged
    grip = next(p for p in report.pairs if p.joints == (J.LEFT_WRIST, J.RIGHT_WRIST))
    assert grip.per_view["front"].ratio < 0.65  # would be "too narrow" for a conventional pull


def test_wide_stance_with_hands_outside_the_knees_is_not_sumo(synth_golds) -> None:
    kp = _front_pose("deadlift", 0.0, stance_width_ratio=1.3, grip_width_ratio=1.5)
    report = _judge(kp, "deadlift", synth_golds)
    stance = next(p for p in report.pairs if p.joints == (J.LEFT_ANKLE, J.RIGHT_ANKLE))
    assert stance.per_view["front"].ratio >= 1.5  # wide enough for sumo...
    assert report.variant is None  # ...but the hands are outside the knees


def test_narrow_grip_with_a_conventional_stance_is_still_flagged(synth_golds) -> None:
    kp = _front_pose("deadlift", 0.0, grip_width_ratio=0.6)
    report = _judge(kp, "deadlift", synth_golds)
    assert report.variant is None
    assert {Joint[f.joint.upper()] for f in report.flagged} == {J.LEFT_WRIST, J.RIGHT_WRIST}
    assert all("closer" in f.reason for f in report.flagged)


def test_band_confidence_of_a_one_sided_band() -> None:
    band = (0.7, math.inf)
    assert band_confidence(5.0, band) == 0.0  # the open side is never outside
    assert band_confidence(0.6999, band) == pytest.approx(0.5, abs=1e-3)
    assert band_confidence(0.7 * 0.7, band) == 1.0  # half of 2 * |log 0.7| further out
