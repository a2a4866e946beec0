"""The fault catalogue is data a coach can audit: every fault has a name, a cue, the views
that can show it, a moment, a measure that exists, and a limit with its source."""

from __future__ import annotations

import pytest

from coach.form.fault_measures import MEASURES
from coach.form.faults import FAULTS, MOMENTS, confidence, faults_for

ALL = [(lift, f) for lift, faults in FAULTS.items() for f in faults]


@pytest.mark.parametrize(("lift", "fault"), ALL, ids=[f"{lift}-{f.id}" for lift, f in ALL])
def test_each_fault_is_complete_data(lift: str, fault) -> None:
    assert fault.name and fault.cue and fault.joints
    assert fault.views and fault.views <= {"side", "front", "oblique"}
    assert fault.moment in MOMENTS
    if fault.limit is None:
        assert fault.needs, "a fault keypoints cannot judge must say what it would need"
        return
    assert fault.measure in MEASURES
    assert fault.limit.clearly_bad > fault.limit.value, "larger is worse"
    assert fault.limit.unit and len(fault.limit.source) > 20


def test_the_catalogue_covers_what_coaches_call() -> None:
    ids = {lift: {f.id for f in faults_for(lift)} for lift in FAULTS}
    assert {"depth_not_reached", "knees_caving", "heels_lifting", "hips_rise_first",
            "lateral_shift", "incomplete_lockout"} <= ids["squat"]
    assert {"hips_rise_first", "squat_deadlift", "bar_drift", "rounded_back",
            "incomplete_lockout", "leaning_back", "heels_lifting"} <= ids["deadlift"]
    assert {"elbows_flared", "uneven_lockout", "incomplete_lockout", "bar_path_end",
            "hips_off_bench"} <= ids["bench"]
    assert faults_for("lunge") == ()


def test_confidence_grows_from_the_limit_to_clearly_bad() -> None:
    depth = next(f for f in faults_for("squat") if f.id == "depth_not_reached")
    assert confidence(depth, 0.05, 1.0) == 0.0
    assert confidence(depth, 0.10001, 1.0) == pytest.approx(0.5, abs=1e-3)
    assert confidence(depth, 0.26, 1.0) == 1.0 and confidence(depth, 0.5, 1.0) == 1.0
    assert confidence(depth, 0.26, 0.6) == pytest.approx(0.6)  # shaky keypoints, less sure


def test_the_locked_reference_uses_the_catalogues_lockout_limit() -> None:
    from coach.form.fault_measures import LOCKED_ABSOLUTE_DEG, LOCKOUT_LIMIT_DEG

    for lift in ("squat", "bench"):
        fault = next(f for f in FAULTS[lift] if f.id == "incomplete_lockout")
        assert fault.limit is not None and fault.limit.value == LOCKOUT_LIMIT_DEG
        assert "165 deg" in fault.limit.source and LOCKED_ABSOLUTE_DEG == 165.0
