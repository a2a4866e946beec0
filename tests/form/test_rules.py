"""The form rules are complete data: pairs match DESIGN.md, every entry has a band, a reason,
observability and joints to flag."""

from __future__ import annotations

import math

import pytest

from coach.core.errors import BadInput
from coach.core.keypoints import Joint
from coach.form.rules import (
    CAMERA_VIEWS,
    CRITICAL_PAIRS,
    GOLD_VIEWS,
    LIFTS,
    PAIR_RULES,
    PHASES,
    VARIANTS,
    WIDTH_BOX_EXCLUDES,
    rules_for,
)

J = Joint
WIDTHS = {
    (J.LEFT_WRIST, J.RIGHT_WRIST), (J.LEFT_ELBOW, J.RIGHT_ELBOW), (J.LEFT_HIP, J.RIGHT_HIP),
    (J.LEFT_KNEE, J.RIGHT_KNEE), (J.LEFT_ANKLE, J.RIGHT_ANKLE),
}  # fmt: skip

# DESIGN.md section 1, with per-side pairs expanded into left and right.
EXPECTED = {
    "bench": {
        (J.LEFT_WRIST, J.RIGHT_WRIST), (J.LEFT_WRIST, J.LEFT_ELBOW),
        (J.RIGHT_WRIST, J.RIGHT_ELBOW), (J.LEFT_ELBOW, J.RIGHT_ELBOW),
        (J.LEFT_ELBOW, J.LEFT_SHOULDER), (J.RIGHT_ELBOW, J.RIGHT_SHOULDER),
    },
    "deadlift": {
        (J.LEFT_WRIST, J.RIGHT_WRIST), (J.LEFT_HIP, J.RIGHT_HIP),
        (J.LEFT_ANKLE, J.RIGHT_ANKLE), (J.LEFT_KNEE, J.RIGHT_KNEE),
    },
    "squat": {
        (J.LEFT_WRIST, J.RIGHT_WRIST), (J.LEFT_KNEE, J.RIGHT_KNEE),
        (J.LEFT_ANKLE, J.RIGHT_ANKLE), (J.LEFT_HIP, J.LEFT_KNEE), (J.RIGHT_HIP, J.RIGHT_KNEE),
    },
}  # fmt: skip

ALL_RULES = [(lift, r) for lift in LIFTS for r in PAIR_RULES[lift]]
RULE_IDS = [f"{lift}:{r.name}" for lift, r in ALL_RULES]


@pytest.mark.parametrize("lift", LIFTS)
def test_critical_pairs_match_design(lift: str) -> None:
    assert set(CRITICAL_PAIRS[lift]) == EXPECTED[lift]
    assert len(CRITICAL_PAIRS[lift]) == len(EXPECTED[lift])  # no duplicates
    assert all(isinstance(j, Joint) for pair in CRITICAL_PAIRS[lift] for j in pair)


@pytest.mark.parametrize(("lift", "rule"), ALL_RULES, ids=RULE_IDS)
def test_every_rule_entry_is_complete(lift: str, rule) -> None:
    low, high = rule.band
    assert 0 <= low < 1.0 < high, "the gold itself (ratio 1) must be inside the band"
    assert rule.views and rule.views <= set(CAMERA_VIEWS)
    assert rule.name and rule.why
    # a closed edge is a fault and says which; an open edge (0 or inf) is no fault and is silent
    small_fault, large_fault = rule.faults
    assert bool(rule.too_small) is small_fault and bool(rule.too_large) is large_fault
    assert rule.too_small != rule.too_large or not (small_fault or large_fault)
    assert small_fault == (low > 0) and large_fault == math.isfinite(high)
    assert rule.flag_joints and set(rule.flag_joints) <= {rule.a, rule.b}
    for view, phase in rule.hidden_in:
        assert view in CAMERA_VIEWS and phase in PHASES[lift]
    assert rule.view_invariant_in <= set(PHASES[lift])
    # every rule is judged in some phase; a phase it skips is one where it shows no fault
    judged = rule.judged_phases(PHASES[lift])
    assert judged
    for ph in judged:
        assert any(rule.can_show(v, ph) for v in GOLD_VIEWS)
    skipped = set(PHASES[lift]) - set(judged)
    assert not skipped or "not judged" in rule.why


@pytest.mark.parametrize(("lift", "rule"), ALL_RULES, ids=RULE_IDS)
def test_widths_only_from_the_front(lift: str, rule) -> None:
    if rule.joints in WIDTHS:
        assert rule.views == {"front"}
        assert not any(rule.can_show(v, ph) for v in ("left", "right", "oblique")
                       for ph in PHASES[lift])
    else:  # limb lengths: every view, except where the rule hides them
        assert {"left", "right"} <= rule.views


def test_thigh_only_judged_from_the_side_at_the_bottom_of_a_squat() -> None:
    thigh = next(r for r in PAIR_RULES["squat"] if r.joints == (J.LEFT_HIP, J.LEFT_KNEE))
    assert not thigh.can_show("front", "bottom") and not thigh.can_show("oblique", "bottom")
    assert not any(thigh.can_show(v, "standing") for v in CAMERA_VIEWS)  # vertical: no fault
    assert thigh.can_show("left", "bottom") and thigh.can_show("right", "bottom")
    assert thigh.judged_phases(PHASES["squat"]) == ("bottom",)


def test_comparable_views() -> None:
    knees = next(r for r in PAIR_RULES["squat"] if r.joints == (J.LEFT_KNEE, J.RIGHT_KNEE))
    assert knees.comparable("front", "front", "bottom")
    assert not knees.comparable("front", "left", "bottom")  # collapsed in the side gold
    thigh = next(r for r in PAIR_RULES["squat"] if r.joints == (J.LEFT_HIP, J.LEFT_KNEE))
    assert thigh.comparable("left", "right", "bottom")  # mirror images
    assert not thigh.comparable("left", "front", "bottom")
    forearm = next(r for r in PAIR_RULES["bench"] if r.joints == (J.LEFT_WRIST, J.LEFT_ELBOW))
    assert forearm.comparable("front", "left", "lockout")  # vertical: alike from every side


def test_right_twins_mirror_left_rules() -> None:
    for rules in PAIR_RULES.values():
        by_pair = {r.joints: r for r in rules}
        for (a, b), rule in by_pair.items():
            if a.name.startswith("LEFT") and b.name.startswith("LEFT"):
                twin = by_pair[(Joint[a.name.replace("LEFT", "RIGHT")],
                                Joint[b.name.replace("LEFT", "RIGHT")])]
                assert twin.band == rule.band and twin.views == rule.views
                assert "right" in twin.name and "left" not in twin.too_small


def test_accepted_technique_is_never_a_fault() -> None:
    """Knees out, a wide squat stance, any squat grip, a sumo stance: open band edges."""
    squat = {r.name: r for r in PAIR_RULES["squat"]}
    deadlift = {r.name: r for r in PAIR_RULES["deadlift"]}
    assert squat["knee width"].faults == (True, False)
    assert squat["stance width"].faults == (False, False)
    assert squat["grip width"].faults == (False, False)
    assert deadlift["knee width"].faults == (True, False)
    assert deadlift["stance width"].faults == (True, False)
    assert deadlift["grip width"].faults == (True, True)  # a far too wide grip stays a fault


def test_valgus_is_judged_relative_to_the_stance() -> None:
    ankles = (J.LEFT_ANKLE, J.RIGHT_ANKLE)
    for lift in ("squat", "deadlift"):
        knees = next(r for r in PAIR_RULES[lift] if r.joints == (J.LEFT_KNEE, J.RIGHT_KNEE))
        assert knees.relative_to == ankles
        assert set(knees.measured_joints) == {J.LEFT_KNEE, J.RIGHT_KNEE, *ankles}


def test_sumo_variant_opens_the_narrow_grip_only() -> None:
    (sumo,) = VARIANTS["deadlift"]
    assert sumo.pair == (J.LEFT_ANKLE, J.RIGHT_ANKLE) and sumo.min_ratio > 1.0
    assert sumo.inside == ((J.LEFT_WRIST, J.RIGHT_WRIST), (J.LEFT_KNEE, J.RIGHT_KNEE))
    assert set(sumo.bands) == {(J.LEFT_WRIST, J.RIGHT_WRIST)}
    low, high = sumo.bands[(J.LEFT_WRIST, J.RIGHT_WRIST)]
    grip = next(r for r in PAIR_RULES["deadlift"] if r.joints == (J.LEFT_WRIST, J.RIGHT_WRIST))
    assert low == 0.0 and high == grip.band[1]
    assert "sumo" in sumo.note and sumo.why
    assert VARIANTS["squat"] == () and VARIANTS["bench"] == ()


def test_reasons_name_the_faults_coaches_look_for() -> None:
    squat_knees = next(r for r in PAIR_RULES["squat"] if r.joints == (J.LEFT_KNEE, J.RIGHT_KNEE))
    assert "valgus" in squat_knees.too_small
    dl_grip = next(r for r in PAIR_RULES["deadlift"] if r.joints == (J.LEFT_WRIST, J.RIGHT_WRIST))
    assert "grip far too wide" in dl_grip.too_large
    bench_elbows = next(r for r in PAIR_RULES["bench"] if r.joints == (J.LEFT_ELBOW, J.RIGHT_ELBOW))
    assert "elbows flared" in bench_elbows.too_large


def test_width_box_leaves_out_the_measured_widths() -> None:
    arms = {J.LEFT_WRIST, J.RIGHT_WRIST, J.LEFT_ELBOW, J.RIGHT_ELBOW}
    assert arms <= WIDTH_BOX_EXCLUDES["deadlift"]
    assert J.LEFT_SHOULDER not in WIDTH_BOX_EXCLUDES["deadlift"]
    assert {J.LEFT_KNEE, J.LEFT_ANKLE, J.LEFT_WRIST} <= WIDTH_BOX_EXCLUDES["squat"]


def test_unknown_lift_is_refused_with_the_valid_ones() -> None:
    with pytest.raises(BadInput, match="squat, bench, deadlift"):
        rules_for("clean and jerk")
