"""Joint angles: the one convention (included angle in [0, 180], collinear = 180), pinned."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from coach.core.angles import (
    ANGLE_SPECS,
    TRUNK_LEAN,
    angle_traces,
    compute_angles,
    joint_angle_deg,
    trunk_lean_deg,
)
from coach.core.keypoints import Joint, Keypoints
from coach.core.lifts import LIFTS
from coach.synth.lifter import Body, Camera, phase_pose, pose_world, project

J = Joint
NAN = float("nan")


@pytest.mark.parametrize(("a", "vertex", "c", "expected"), [
    ((1, 0), (0, 0), (0, 1), 90.0),
    ((0, -2), (0, 0), (3, 0), 90.0),
    ((-1, 0), (0, 0), (1, 0), 180.0),
    ((0, 0), (1, 1), (2, 2), 180.0),
    ((1, 0), (0, 0), (1, 1), 45.0),
    ((1, 0), (0, 0), (2, 0), 0.0),
    ((1, 0, 0), (0, 0, 0), (0, 0, 5), 90.0),
    ((1, 1, 1), (0, 0, 0), (-2, -2, -2), 180.0),
    ((1, 0, 0), (0, 0, 0), (1, 1, 0), 45.0),
], ids=["right-angle", "right-angle-scaled", "collinear-180", "collinear-diagonal-180",
        "45deg", "folded-0", "3d-right-angle", "3d-collinear-180", "3d-45deg"])  # fmt: skip
def test_joint_angle_convention(a: tuple, vertex: tuple, c: tuple, expected: float) -> None:
    assert joint_angle_deg(a, vertex, c) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(("a", "vertex", "c"), [
    ((NAN, 0), (0, 0), (0, 1)), ((1, 0), (0, NAN), (0, 1)), ((1, 0, 0), (0, 0, 0), (NAN, 0, 1)),
    ((0, 0), (0, 0), (1, 1)), ((1, 1, 1), (0, 0, 0), (0, 0, 0)),
], ids=["nan-a", "nan-vertex", "nan-c-3d", "zero-ray-a", "zero-ray-c-3d"])  # fmt: skip
def test_nan_and_zero_rays_give_nan(a: tuple, vertex: tuple, c: tuple) -> None:
    assert np.isnan(joint_angle_deg(a, vertex, c))


def test_joint_angle_broadcasts_and_stays_in_range() -> None:
    rng = np.random.default_rng(0)
    a, v, c = rng.normal(size=(3, 50, 3))
    out = joint_angle_deg(a, v, c)
    assert isinstance(out, np.ndarray) and out.shape == (50,)
    assert np.all((out >= 0) & (out <= 180))
    one_vertex = joint_angle_deg(a[:, :2], np.zeros(2), c[:, :2])
    assert isinstance(one_vertex, np.ndarray) and one_vertex.shape == (50,)


def test_joint_angle_2d_equals_3d_in_a_plane() -> None:
    a, v, c = np.array([3.0, 1.0]), np.array([0.5, -2.0]), np.array([-1.0, 4.0])
    pad = np.zeros(1)
    flat = joint_angle_deg(a, v, c)
    assert joint_angle_deg(*(np.concatenate([p, pad]) for p in (a, v, c))) == pytest.approx(flat)


def test_joint_angle_rejects_mixed_dimensions() -> None:
    with pytest.raises(ValueError, match="all 2D or all 3D"):
        joint_angle_deg((1, 0), (0, 0, 0), (0, 1, 0))


@pytest.mark.parametrize(("hip", "shoulder", "expected"), [
    ((0, 100), (0, 0), 0.0), ((0, 0), (100, 0), 90.0), ((0, 0), (-100, 0), 90.0),
    ((0, 0), (100, -100), 45.0), ((0, 0, 0), (0, -1, 0), 0.0), ((0, 0, 0), (0, 0, 1), 90.0),
    ((0, 0, 0), (0, -1, 1), 45.0),
], ids=["upright-2d", "horizontal-right-2d", "horizontal-left-2d", "45-2d", "upright-3d",
        "horizontal-3d", "45-3d"])  # fmt: skip
def test_trunk_lean(hip: tuple, shoulder: tuple, expected: float) -> None:
    assert trunk_lean_deg(hip, shoulder) == pytest.approx(expected)


def test_angle_specs_are_the_documented_triples() -> None:
    specs = {s.name: (s.a, s.vertex, s.c) for s in ANGLE_SPECS}
    assert specs["left_knee"] == (J.LEFT_HIP, J.LEFT_KNEE, J.LEFT_ANKLE)
    assert specs["right_hip"] == (J.RIGHT_SHOULDER, J.RIGHT_HIP, J.RIGHT_KNEE)
    assert specs["left_elbow"] == (J.LEFT_SHOULDER, J.LEFT_ELBOW, J.LEFT_WRIST)
    assert specs["right_shoulder"] == (J.RIGHT_ELBOW, J.RIGHT_SHOULDER, J.RIGHT_HIP)
    assert len(specs) == 8 and all(s.description for s in ANGLE_SPECS)


def test_compute_angles_2d_from_the_factory(make_keypoints: Callable[..., Keypoints]) -> None:
    kp = make_keypoints({
        J.LEFT_HIP: (100, 100), J.LEFT_KNEE: (100, 200), J.LEFT_ANKLE: (200, 200),
        J.RIGHT_HIP: (150, 100), J.RIGHT_KNEE: (150, 200), J.RIGHT_ANKLE: (150, 300),
        J.LEFT_SHOULDER: (100, 0), J.RIGHT_SHOULDER: (150, 0),
    })  # fmt: skip
    angles = compute_angles(kp)
    assert angles["left_knee"] == pytest.approx(90.0)
    assert angles["right_knee"] == pytest.approx(180.0)
    assert angles["left_hip"] == pytest.approx(180.0)
    assert angles[TRUNK_LEAN] == pytest.approx(0.0)
    assert np.isnan(angles["left_elbow"])  # no elbow, no wrist: missing, not a guess


def test_use_3d_true_without_world_points_is_refused(
    make_keypoints: Callable[..., Keypoints],
) -> None:
    with pytest.raises(ValueError, match="world_xyz"):
        compute_angles(make_keypoints({J.NOSE: (1, 1)}), use_3d=True)


def _expected(lift: str, progress: float) -> dict[str, float]:
    pose = phase_pose(lift, progress)
    return {
        "left_knee": 180 - pose.knee_flexion_deg,
        "right_knee": 180 - pose.knee_flexion_deg,
        "left_elbow": 180 - pose.elbow_flexion_deg,
        "right_elbow": 180 - pose.elbow_flexion_deg,
        "left_shoulder": pose.shoulder_elevation_deg,
        "right_shoulder": pose.shoulder_elevation_deg,
        TRUNK_LEAN: pose.trunk_lean_deg,
    }


@pytest.mark.parametrize("lift", LIFTS)
@pytest.mark.parametrize("progress", [0.0, 0.5, 1.0], ids=["first", "mid", "second"])
def test_compute_angles_3d_matches_the_pose_it_was_built_from(lift: str, progress: float) -> None:
    world = pose_world(lift, phase_pose(lift, progress), Body())
    kp = project(world, Camera(yaw_deg=30.0))  # an oblique view: 3D must not care
    angles = compute_angles(kp)
    for name, expected in _expected(lift, progress).items():
        if name != TRUNK_LEAN:  # project's world points are in camera axes; lean needs gravity
            assert angles[name] == pytest.approx(expected, abs=2.0), name
    lifter_frame = Keypoints.single(kp.xy[0], world_xyz=world)
    assert compute_angles(lifter_frame)[TRUNK_LEAN] == pytest.approx(
        _expected(lift, progress)[TRUNK_LEAN], abs=1.0
    )


@pytest.mark.parametrize("lift", LIFTS)
def test_side_view_2d_hip_is_the_sagittal_hip_flexion(lift: str) -> None:
    pose = phase_pose(lift, 1.0)
    far_camera = Camera(yaw_deg=90.0, distance_m=60.0, focal_px=40000.0)  # near-orthographic
    kp = project(pose_world(lift, pose, Body()), far_camera)
    assert compute_angles(kp, use_3d=False)["left_hip"] == pytest.approx(
        180 - abs(pose.hip_flexion_deg), abs=3.0
    )


def test_angle_traces_per_frame_and_missing_joints() -> None:
    frames = [
        project(pose_world("squat", phase_pose("squat", p), Body()), Camera())
        for p in (0.0, 0.5, 1.0)
    ]
    kp = Keypoints.stack(frames).confident()
    traces = angle_traces(kp)
    assert set(traces) == {s.name for s in ANGLE_SPECS} | {TRUNK_LEAN}
    knee = traces["left_knee"]
    assert knee.shape == (3,) and knee[0] > knee[1] > knee[2]  # bending down
    score = kp.score.copy()
    score[1, J.LEFT_KNEE] = 0.0
    holed = Keypoints(kp.xy, score, kp.world_xyz).confident()
    assert np.isnan(angle_traces(holed)["left_knee"][1])
    assert np.isfinite(angle_traces(holed)["left_knee"][[0, 2]]).all()
    assert compute_angles(kp, -1)["left_knee"] == pytest.approx(knee[2])
    two_d = angle_traces(kp, use_3d=False)["left_knee"]
    assert not np.allclose(two_d, knee)  # the 2D pixel angle is a different measurement
