"""DTW arrows: moving a joint so its 2D angle changes by the reference's difference."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coach.core.angles import ANGLE_SPECS, joint_angle_deg
from coach.core.keypoints import Joint, Keypoints
from coach.render.arrows import (
    ARROW_SPECS,
    aligned_differences,
    arrows_xy,
    corrected_position,
    correction_arrows,
)

J = Joint
SPECS = {s.name: s for s in ANGLE_SPECS}


def _side_pose() -> np.ndarray:
    """A bent lifter seen from the side, image pixels (every joint defined)."""
    pts = {
        J.LEFT_SHOULDER: (300, 100), J.LEFT_ELBOW: (340, 160), J.LEFT_WRIST: (330, 110),
        J.LEFT_HIP: (260, 250), J.LEFT_KNEE: (340, 300), J.LEFT_ANKLE: (300, 400),
    }  # fmt: skip
    xy = np.full((17, 2), np.nan)
    for j, p in pts.items():
        xy[j] = p
    for left, right in ((J.LEFT_SHOULDER, J.RIGHT_SHOULDER), (J.LEFT_ELBOW, J.RIGHT_ELBOW),
                        (J.LEFT_WRIST, J.RIGHT_WRIST), (J.LEFT_HIP, J.RIGHT_HIP),
                        (J.LEFT_KNEE, J.RIGHT_KNEE), (J.LEFT_ANKLE, J.RIGHT_ANKLE)):
        xy[right] = xy[left] + (5, 3)  # fmt: skip
    return xy


def _moved_pose(xy: np.ndarray, angle: str, new: np.ndarray) -> np.ndarray:
    """The whole pose after the move: when the vertex moves, the far end of the ray that keeps
    its direction moves with it."""
    arrow, spec = ARROW_SPECS[angle], SPECS[angle]
    out = xy.copy()
    shift = new - xy[arrow.moved]
    out[arrow.moved] = new
    if arrow.moved == spec.vertex:
        other = spec.c if arrow.pivot == spec.a else spec.a
        out[other] = xy[other] + shift
    return out


@pytest.mark.parametrize("diff", [-40.0, -10.0, 15.0, 30.0])
@pytest.mark.parametrize("angle", sorted(ARROW_SPECS))
def test_the_moved_joint_gives_the_reference_angle(angle: str, diff: float) -> None:
    xy = _side_pose()
    spec, arrow = SPECS[angle], ARROW_SPECS[angle]
    before = float(joint_angle_deg(xy[spec.a], xy[spec.vertex], xy[spec.c]))
    new = corrected_position(xy, angle, diff)
    assert new is not None
    after_xy = _moved_pose(xy, angle, new)
    after = float(joint_angle_deg(after_xy[spec.a], after_xy[spec.vertex], after_xy[spec.c]))
    assert after == pytest.approx(float(np.clip(before + diff, 0, 180)), abs=1e-6)
    # A rotation about the pivot: the segment keeps its length, the pivot stays.
    assert np.linalg.norm(new - xy[arrow.pivot]) == pytest.approx(
        np.linalg.norm(xy[arrow.moved] - xy[arrow.pivot]))


def test_a_straight_knee_bends_to_a_right_angle() -> None:
    xy = np.full((17, 2), np.nan)
    xy[J.LEFT_HIP], xy[J.LEFT_KNEE], xy[J.LEFT_ANKLE] = (0, 0), (0, 100), (0, 200)
    new = corrected_position(xy, "left_knee", -90.0)
    assert new is not None
    assert np.hypot(*new) == pytest.approx(100.0)  # the thigh turned about the hip
    assert abs(new[0]) == pytest.approx(100.0, abs=1e-6) and new[1] == pytest.approx(0, abs=1e-6)


def test_arrows_skip_small_unknown_and_missing() -> None:
    xy = _side_pose()
    xy[J.RIGHT_ANKLE] = np.nan
    kp = Keypoints(xy[None].astype(np.float32), np.ones((1, 17), np.float32))
    arrows = correction_arrows(kp, {"left_knee": 20.0, "left_elbow": 2.0, "right_knee": 25.0,
                                    "trunk_lean": 30.0, "left_hip": math.nan})  # fmt: skip
    assert [a.angle for a in arrows] == ["left_knee"]
    assert arrows[0].joint == J.LEFT_KNEE
    assert arrows[0].start_xy == pytest.approx(tuple(xy[J.LEFT_KNEE]))
    starts, ends = arrows_xy(arrows)
    assert starts.shape == ends.shape == (1, 2)
    assert not np.allclose(starts, ends)


def test_differences_at_the_aligned_reference_steps() -> None:
    user = {"left_knee": np.array([170.0, 120.0, 90.0])}
    ref = {"left_knee": np.array([175.0, 100.0, 80.0, 60.0])}
    path = [(0, 0), (1, 1), (2, 2), (2, 3)]
    assert aligned_differences(user, ref, path, 1) == {"left_knee": -20.0}
    assert aligned_differences(user, ref, path, 2) == {"left_knee": pytest.approx(-20.0)}
    assert aligned_differences(user, ref, path, 5) == {}
