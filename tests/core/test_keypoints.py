"""The Keypoints schema: shapes, NaN for missing, the one thresholding place, JSON form."""

from __future__ import annotations

import numpy as np
import pytest

from coach.core.keypoints import (
    MIRROR,
    N_JOINTS,
    SKELETON_EDGES,
    Foot,
    Joint,
    Keypoints,
    PersonPose,
)


def test_joint_order_is_coco() -> None:
    assert Joint.NOSE == 0 and Joint.LEFT_SHOULDER == 5 and Joint.RIGHT_ANKLE == 16
    assert len(Joint) == N_JOINTS == 17
    assert Joint.LEFT_KNEE.label == "left knee"


def test_edges_use_joint_members_and_cover_the_limbs() -> None:
    assert all(isinstance(a, Joint) and isinstance(b, Joint) for a, b in SKELETON_EDGES)
    assert (Joint.LEFT_KNEE, Joint.LEFT_HIP) in SKELETON_EDGES
    assert len(set(SKELETON_EDGES)) == len(SKELETON_EDGES)


@pytest.mark.parametrize(
    ("xy_shape", "score_shape", "message"),
    [
        ((30, 18, 2), (30, 18), "xy must be (T, 17, 2), got (30, 18, 2)"),
        ((17, 2), (17,), "xy must be (T, 17, 2), got (17, 2)"),
        ((2, 17, 2), (3, 17), "score must be (T, 17)"),
    ],
    ids=["18-joints", "no-time-axis", "score-mismatch"],
)
def test_bad_shapes_are_refused(xy_shape, score_shape, message) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Keypoints(np.zeros(xy_shape), np.zeros(score_shape))


def test_confident_is_the_one_threshold_and_keeps_scores() -> None:
    xy = np.arange(34, dtype=np.float32).reshape(17, 2)
    score = np.linspace(0, 1, 17, dtype=np.float32)
    kp = Keypoints.single(xy, score, world_xyz=np.ones((17, 3)))
    out = kp.confident(0.5)
    low = score < 0.5
    assert np.isnan(out.xy[0, low]).all() and np.isfinite(out.xy[0, ~low]).all()
    assert out.world_xyz is not None and np.isnan(out.world_xyz[0, low]).all()
    np.testing.assert_array_equal(out.score, kp.score)
    assert np.isfinite(kp.xy).all(), "the input must not be modified"


def test_nan_score_counts_as_low() -> None:
    kp = Keypoints.single(np.zeros((17, 2)), np.full(17, np.nan))
    assert not kp.confident(0.0).present().any()


def test_from_dict_leaves_other_joints_missing(make_keypoints) -> None:
    kp = make_keypoints({Joint.LEFT_KNEE: (10.0, 20.0)})
    assert kp.present().sum() == 1
    np.testing.assert_allclose(kp.point(Joint.LEFT_KNEE), (10.0, 20.0))
    assert np.isnan(kp.point(Joint.NOSE)).all()


def test_to_list_round_trip_uses_null_for_missing(make_keypoints) -> None:
    kp = make_keypoints({Joint.NOSE: (1.5, 2.5), Joint.RIGHT_ANKLE: (3.0, 4.0)}, score=0.9)
    rows = kp.to_list()
    assert rows[0] == [1.5, 2.5, 0.9] and rows[1] is None and len(rows) == 17
    back = Keypoints.from_list(rows)
    np.testing.assert_allclose(back.xy, kp.xy)


def test_bbox_ignores_missing_points(make_keypoints) -> None:
    kp = make_keypoints({Joint.NOSE: (10, 5), Joint.LEFT_ANKLE: (30, 105)})
    assert kp.bbox_xywh() == (10.0, 5.0, 20.0, 100.0)
    assert make_keypoints({}).bbox_xywh() is None


def test_mirror_swaps_sides_and_flips_x(make_keypoints) -> None:
    kp = make_keypoints({Joint.LEFT_WRIST: (10, 50), Joint.NOSE: (40, 0)})
    out = kp.mirrored(100)
    np.testing.assert_allclose(out.point(Joint.RIGHT_WRIST), (90, 50))
    np.testing.assert_allclose(out.point(Joint.NOSE), (60, 0))
    assert all(MIRROR[MIRROR[j]] == j for j in Joint)


def test_stack_and_frame() -> None:
    a = Keypoints.single(np.zeros((17, 2)))
    b = Keypoints.single(np.ones((17, 2)))
    both = Keypoints.stack([a, b])
    assert len(both) == 2
    np.testing.assert_array_equal(both.frame(1).xy, b.xy)


def test_person_area() -> None:
    person = PersonPose(Keypoints.single(np.full((17, 2), 10.0)), (1, 2, 3, 4), 0.8)
    assert person.area_px == 12


# -- the six optional foot points --------------------------------------------------------------


def test_feet_are_missing_unless_a_backend_gives_them(make_keypoints) -> None:
    kp = make_keypoints({Joint.LEFT_ANKLE: (10.0, 20.0)})
    assert kp.feet.shape == (1, 6, 2) and np.isnan(kp.feet).all()
    assert not kp.has_feet and (kp.foot_scores == 0).all()


def test_feet_follow_frames_stacks_confidence_and_mirroring() -> None:
    feet = np.arange(12, dtype=np.float32).reshape(1, 6, 2) + 100
    scores = np.array([[0.9, 0.1, 0.9, 0.9, 0.9, 0.9]], dtype=np.float32)
    kp = Keypoints(np.zeros((1, 17, 2)), np.ones((1, 17)), None, feet, scores)
    both = Keypoints.stack([kp, kp])
    assert both.feet.shape == (2, 6, 2) and both.frame(1).foot(Foot.LEFT_HEEL)[0] == 104
    sure = kp.confident(0.3)
    assert np.isnan(sure.foot(Foot.LEFT_SMALL_TOE)).all() and sure.has_feet
    flipped = kp.mirrored(1000.0)
    assert flipped.foot(Foot.RIGHT_HEEL)[0] == 1000.0 - 104  # the left heel, mirrored
    with pytest.raises(ValueError, match=r"feet_xy must be \(T, 6, 2\)"):
        Keypoints(np.zeros((1, 17, 2)), np.ones((1, 17)), None, np.zeros((1, 5, 2)))


def test_scaled_moves_pixels_and_feet_but_not_metres() -> None:
    feet = np.full((1, 6, 2), 10.0, np.float32)
    kp = Keypoints(np.ones((1, 17, 2)) * 4, np.ones((1, 17)), np.ones((1, 17, 3)), feet, None)
    half = kp.scaled(0.5)
    assert (half.xy == 2).all() and (half.feet == 5).all() and (half.world_xyz == 1).all()
    assert (half.score == kp.score).all() and (half.foot_scores == kp.foot_scores).all()


def test_missing_is_one_frame_with_nobody() -> None:
    gone = Keypoints.missing()
    assert len(gone) == 1 and not gone.present().any() and not gone.has_feet
    assert (gone.score == 0).all()


def test_midpoint_uses_one_joint_when_the_other_is_missing() -> None:
    xy = np.full((3, N_JOINTS, 2), np.nan, dtype=np.float32)
    xy[0, Joint.LEFT_WRIST] = (10, 20)
    xy[0, Joint.RIGHT_WRIST] = (30, 40)
    xy[1, Joint.RIGHT_WRIST] = (5, 6)
    mid = Keypoints(xy, np.ones((3, N_JOINTS), dtype=np.float32)).midpoint(
        Joint.LEFT_WRIST, Joint.RIGHT_WRIST)
    np.testing.assert_allclose(mid[0], (20, 30))
    np.testing.assert_allclose(mid[1], (5, 6))
    assert np.isnan(mid[2]).all()


def test_midpoint_of_a_rep_is_the_mean_or_the_one_seen() -> None:
    from tests.form import fault_poses as fp

    kp, _ = fp.bar_ahead(0.0)
    kp.xy[2, Joint.LEFT_WRIST] = np.nan
    kp.xy[3, [Joint.LEFT_WRIST, Joint.RIGHT_WRIST]] = np.nan
    xy = kp.midpoint(Joint.LEFT_WRIST, Joint.RIGHT_WRIST)
    assert np.allclose(xy[2], kp.xy[2, Joint.RIGHT_WRIST]) and np.isnan(xy[3]).all()
