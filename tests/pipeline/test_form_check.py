"""coach/pipeline/form_check.py: the wiring of classify -> view -> gold -> vote -> angles, and its
JSON."""

from __future__ import annotations

import numpy as np
import pytest

from coach.core.keypoints import Joint, Keypoints, PersonPose
from coach.core.settings import Settings
from coach.pipeline.form_check import evaluate_form, form_to_json, gold_for, joint_statuses
from coach.synth.lifter import Body, Camera, phase_pose, pose_world, project


def _person(kp: Keypoints) -> PersonPose:
    box = kp.bbox_xywh()
    assert box is not None
    return PersonPose(kp, box, 1.0)


def _synth(lift: str, progress: float, yaw_deg: float, faults=None, world: bool = True):
    kp = project(pose_world(lift, phase_pose(lift, progress, faults=faults), Body()),
                 Camera(yaw_deg=yaw_deg))
    return kp if world else Keypoints(kp.xy, kp.score)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=str(tmp_path))


@pytest.mark.parametrize("lift", ["squat", "bench", "deadlift"])
@pytest.mark.parametrize("view", ["front", "left", "right"])
def test_shipped_gold_pose_flags_nothing(lift, view, settings) -> None:
    gold = gold_for(lift, settings)
    for phase in gold.phases:
        outcome = evaluate_form(_person(gold.pose(view, phase).keypoints), lift, settings)
        assert outcome.report is not None and outcome.flags == (), (view, phase)
        assert outcome.report.phase == phase


def test_constructed_valgus_is_flagged_red_on_the_knees(settings) -> None:
    kp = _synth("squat", 1.0, 0.0, faults={"knee_valgus_deg": 25.0})
    outcome = evaluate_form(_person(kp), "squat", settings)
    flagged = {Joint[f.joint.upper()] for f in outcome.flags}
    assert {Joint.LEFT_KNEE, Joint.RIGHT_KNEE} <= flagged
    assert "cav" in outcome.top_cue or "valgus" in outcome.top_cue
    statuses = joint_statuses(outcome)
    assert statuses[Joint.LEFT_KNEE][0] == "flagged" and statuses[Joint.LEFT_KNEE][1]
    assert statuses[Joint.NOSE][0] == "good"


def test_side_view_widths_are_grey_not_flagged(settings) -> None:
    kp = _synth("squat", 1.0, 90.0, faults={"knee_valgus_deg": 25.0})
    outcome = evaluate_form(_person(kp), "squat", settings)
    assert outcome.view.view == "left"
    assert not {Joint.LEFT_KNEE, Joint.RIGHT_KNEE} & {Joint[f.joint.upper()] for f in outcome.flags}
    assert any("knee width" in n for n in outcome.notes)
    assert joint_statuses(outcome)[Joint.LEFT_ANKLE][0] == "unjudgeable"


def test_classified_lift_and_json_shape(settings) -> None:
    outcome = evaluate_form(_person(_synth("deadlift", 0.0, 90.0)), "auto", settings)
    assert outcome.lift.label == "deadlift" and outcome.lift.source == "classified"
    doc = form_to_json(outcome)
    assert set(doc) >= {"lift", "view", "phase", "pairs", "vote", "flagged_joints",
                        "not_judgeable", "missing", "angles_deg", "gold_angles_deg"}
    assert doc["phase"] == "setup" and doc["vote"]["result"]
    pair = doc["pairs"][0]
    assert set(pair["per_view"]["front"]) == {"gold", "ratio", "verdict"}


def test_unsure_lift_scores_nothing_and_says_why(settings) -> None:
    xy = np.full((17, 2), np.nan)
    xy[Joint.NOSE] = (100, 100)
    xy[Joint.LEFT_SHOULDER] = (90, 130)
    kp = Keypoints.single(xy, np.isfinite(xy[:, 0]).astype(float))
    outcome = evaluate_form(PersonPose(kp, (80, 90, 40, 60), 1.0), "auto", settings)
    assert outcome.lift.label == "unsure" and outcome.report is None
    assert "choose the lift" in outcome.notes[0] and outcome.flags == ()
    assert form_to_json(outcome)["pairs"] == []


def test_2d_lifter_is_compared_with_the_gold_2d_angles(settings) -> None:
    gold = gold_for("squat", settings).pose("left", "bottom")
    kp2d = _synth("squat", 1.0, 90.0, world=False)
    outcome = evaluate_form(_person(kp2d), "squat", settings)
    assert outcome.gold_angles_deg == gold.angles_2d_deg
    kp3d = _synth("squat", 1.0, 90.0)
    assert evaluate_form(_person(kp3d), "squat", settings).gold_angles_deg == gold.angles_deg


def test_missing_knee_leaves_pairs_out(settings) -> None:
    kp = _synth("squat", 1.0, 0.0)
    xy = kp.xy.copy()
    xy[0, Joint.LEFT_KNEE] = np.nan
    outcome = evaluate_form(_person(Keypoints(xy, kp.score, kp.world_xyz)), "squat", settings)
    assert any("left knee not found" in n for n in outcome.notes)
    assert Joint.LEFT_KNEE not in {Joint[f.joint.upper()] for f in outcome.flags}
