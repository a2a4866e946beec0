"""Synthetic lifters: bones keep their lengths, left/right and views are right, faults bite."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from coach.core.keypoints import Joint, Keypoints
from coach.synth.lifter import (
    FAULTS,
    LIFTS,
    PHASES,
    Body,
    Camera,
    camera_depths_m,
    corrupt,
    fit_camera,
    phase_pose,
    pose_world,
    project,
    random_body,
    sample,
)

J = Joint
BONES = (
    (J.LEFT_HIP, J.LEFT_KNEE), (J.LEFT_KNEE, J.LEFT_ANKLE),
    (J.RIGHT_HIP, J.RIGHT_KNEE), (J.RIGHT_KNEE, J.RIGHT_ANKLE),
    (J.LEFT_SHOULDER, J.LEFT_ELBOW), (J.LEFT_ELBOW, J.LEFT_WRIST),
    (J.RIGHT_SHOULDER, J.RIGHT_ELBOW), (J.RIGHT_ELBOW, J.RIGHT_WRIST),
    (J.LEFT_SHOULDER, J.RIGHT_SHOULDER), (J.LEFT_HIP, J.RIGHT_HIP),
    (J.LEFT_HIP, J.LEFT_SHOULDER), (J.NOSE, J.LEFT_EAR), (J.LEFT_EYE, J.RIGHT_EYE),
)  # fmt: skip
VIEWS = {"front": 0.0, "left": 90.0, "right": -90.0}


def _lengths(world: np.ndarray) -> np.ndarray:
    return np.array([np.linalg.norm(world[a] - world[b]) for a, b in BONES])


def _world(lift: str, progress: float, body: Body | None = None, **faults: float) -> np.ndarray:
    pose = phase_pose(lift, progress, faults=faults or None)
    return pose_world(lift, pose, body or Body()).astype(np.float64)


def test_public_constants() -> None:
    assert LIFTS == ("squat", "bench", "deadlift")
    assert dict(PHASES) == {
        "squat": ("standing", "bottom"),
        "bench": ("lockout", "chest"),
        "deadlift": ("setup", "lockout"),
    }
    assert {"knee_valgus_deg", "grip_width_scale", "elbow_flare_deg"} <= set(FAULTS)


@pytest.mark.parametrize("lift", LIFTS)
def test_bones_keep_their_lengths_across_phases(lift: str) -> None:
    body = random_body(np.random.default_rng(3))
    rng = np.random.default_rng(4)
    ref = _lengths(_world(lift, 0.0, body))
    for progress in np.linspace(0, 1, 6):
        pose = phase_pose(lift, float(progress), rng=rng, variation=1.0)
        np.testing.assert_allclose(_lengths(pose_world(lift, pose, body)), ref, rtol=1e-4)
    assert ref[0] == pytest.approx(body.thigh_m, rel=1e-4)
    assert ref[4] == pytest.approx(body.upper_arm_m, rel=1e-4)


def test_body_proportions_follow_drillis_contini() -> None:
    body = Body.from_height(1.80)
    assert body.thigh_m / body.height_m == pytest.approx(0.245)
    assert body.upper_arm_m / body.height_m == pytest.approx(0.186)
    assert body.biacromial_m / body.height_m == pytest.approx(0.259)
    bodies = [random_body(np.random.default_rng(i)) for i in range(50)]
    heights = [b.height_m for b in bodies]
    assert min(heights) >= 1.5 and max(heights) <= 2.0 and np.std(heights) > 0.04
    ratios = [b.thigh_m / b.height_m for b in bodies]
    assert min(ratios) >= 0.245 * 0.9 - 1e-9 and max(ratios) <= 0.245 * 1.1 + 1e-9


def test_body_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="thigh_m"):
        Body(thigh_m=-0.1)


@pytest.mark.parametrize("lift", LIFTS)
@pytest.mark.parametrize(("near", "far", "yaw"), [
    (J.LEFT_SHOULDER, J.RIGHT_SHOULDER, 90.0), (J.RIGHT_SHOULDER, J.LEFT_SHOULDER, -90.0),
    (J.LEFT_HIP, J.RIGHT_HIP, 90.0), (J.RIGHT_KNEE, J.LEFT_KNEE, -90.0),
], ids=["left-view-left-shoulder", "right-view-right-shoulder", "left-view-left-hip",
        "right-view-right-knee"])  # fmt: skip
def test_side_camera_sees_its_side_nearer(lift: str, near: Joint, far: Joint, yaw: float) -> None:
    world = _world(lift, 0.5)
    depth = camera_depths_m(world, Camera(yaw_deg=yaw))
    assert depth[near] < depth[far] - 0.1
    kp = project(world, Camera(yaw_deg=yaw))
    assert kp.world_xyz is not None and kp.world_xyz[0, near, 2] < kp.world_xyz[0, far, 2]


@pytest.mark.parametrize("lift", LIFTS)
def test_front_view_puts_the_lifters_left_on_the_image_right(lift: str) -> None:
    kp = project(_world(lift, 1.0), Camera(yaw_deg=0.0))
    for left, right in ((J.LEFT_SHOULDER, J.RIGHT_SHOULDER), (J.LEFT_HIP, J.RIGHT_HIP),
                        (J.LEFT_ANKLE, J.RIGHT_ANKLE), (J.LEFT_EYE, J.RIGHT_EYE)):  # fmt: skip
        assert kp.xy[0, left, 0] > kp.xy[0, right, 0]


@pytest.mark.parametrize(("lift", "yaw", "faces_right"), [
    ("squat", 90.0, False), ("squat", -90.0, True), ("deadlift", 90.0, False),
    ("deadlift", -90.0, True),
], ids=["squat-left", "squat-right", "deadlift-left", "deadlift-right"])  # fmt: skip
def test_which_way_a_standing_lifter_faces_in_side_views(
    lift: str, yaw: float, faces_right: bool
) -> None:
    kp = project(_world(lift, 0.0), Camera(yaw_deg=yaw))
    nose_x, ear_x = kp.xy[0, J.NOSE, 0], kp.xy[0, [J.LEFT_EAR, J.RIGHT_EAR], 0].mean()
    assert (nose_x > ear_x) == faces_right


def test_bench_side_views_put_the_head_at_opposite_ends() -> None:
    world = _world("bench", 1.0)
    left = project(world, Camera(yaw_deg=90.0))
    right = project(world, Camera(yaw_deg=-90.0))
    assert left.xy[0, J.NOSE, 0] > left.xy[0, J.LEFT_ANKLE, 0]
    assert right.xy[0, J.NOSE, 0] < right.xy[0, J.RIGHT_ANKLE, 0]


def test_front_squat_knees_track_the_stance() -> None:
    body = Body()
    world = _world("squat", 1.0, body)
    pose = phase_pose("squat", 1.0)
    ankles = abs(world[J.LEFT_ANKLE, 0] - world[J.RIGHT_ANKLE, 0])
    assert ankles == pytest.approx(pose.stance_width_ratio * body.biacromial_m, rel=1e-3)
    kp = project(world, Camera(yaw_deg=0.0, distance_m=30.0, focal_px=20000.0))
    knees_px = abs(kp.xy[0, J.LEFT_KNEE, 0] - kp.xy[0, J.RIGHT_KNEE, 0])
    ankles_px = abs(kp.xy[0, J.LEFT_ANKLE, 0] - kp.xy[0, J.RIGHT_ANKLE, 0])
    assert 0.95 < knees_px / ankles_px < 1.5  # knees over (slightly outside) the feet


def test_bench_lifter_is_lying_with_feet_on_the_floor() -> None:
    for progress in (0.0, 1.0):
        world = _world("bench", progress)
        shoulders = world[[J.LEFT_SHOULDER, J.RIGHT_SHOULDER]].mean(0)
        trunk = shoulders - world[[J.LEFT_HIP, J.RIGHT_HIP]].mean(0)
        assert abs(trunk[1]) < 0.02 * np.linalg.norm(trunk)  # torso horizontal
        assert trunk[2] < 0  # head toward -z, away from the "front" (feet-end) camera
        assert world[J.LEFT_ANKLE, 1] > 0.4  # ankles well below the hips
        assert world[J.LEFT_WRIST, 1] < world[J.LEFT_SHOULDER, 1]  # bar held over the chest


def test_knee_valgus_brings_the_knees_together_in_front_view() -> None:
    cam = Camera(yaw_deg=0.0, distance_m=30.0, focal_px=20000.0)
    good = project(_world("squat", 1.0), cam)
    bad = project(_world("squat", 1.0, knee_valgus_deg=25.0), cam)

    def gap(kp: Keypoints, a: Joint, b: Joint) -> float:
        return float(abs(kp.xy[0, a, 0] - kp.xy[0, b, 0]))

    assert gap(bad, J.LEFT_KNEE, J.RIGHT_KNEE) < 0.8 * gap(good, J.LEFT_KNEE, J.RIGHT_KNEE)
    assert gap(bad, J.LEFT_ANKLE, J.RIGHT_ANKLE) == pytest.approx(
        gap(good, J.LEFT_ANKLE, J.RIGHT_ANKLE), rel=1e-3
    )


@pytest.mark.parametrize("lift", LIFTS)
def test_grip_width_scale_widens_the_hands(lift: str) -> None:
    body = Body()
    good, wide = _world(lift, 0.5, body), _world(lift, 0.5, body, grip_width_scale=1.6)
    good_grip = good[J.LEFT_WRIST, 0] - good[J.RIGHT_WRIST, 0]
    wide_grip = wide[J.LEFT_WRIST, 0] - wide[J.RIGHT_WRIST, 0]
    assert good_grip == pytest.approx(phase_pose(lift, 0.5).grip_width_ratio * body.biacromial_m,
                                      rel=0.03)  # fmt: skip
    assert wide_grip > 1.4 * good_grip


def test_elbow_flare_opens_the_armpit_at_the_chest() -> None:
    from coach.core.angles import joint_angle_deg

    good, bad = _world("bench", 1.0), _world("bench", 1.0, elbow_flare_deg=35.0)

    def armpit(w: np.ndarray) -> float:
        return float(joint_angle_deg(w[J.LEFT_ELBOW], w[J.LEFT_SHOULDER], w[J.LEFT_HIP]))

    assert armpit(good) == pytest.approx(50.0, abs=0.5)
    assert armpit(bad) == pytest.approx(85.0, abs=0.5)
    assert bad[J.LEFT_ELBOW, 0] > good[J.LEFT_ELBOW, 0]  # elbows further out to the side
    assert bad[J.LEFT_WRIST, 0] == pytest.approx(good[J.LEFT_WRIST, 0], abs=0.01)  # same grip


def test_unknown_fault_and_lift_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        phase_pose("squat", 0.5, faults={"knees_in": 10.0})
    with pytest.raises(ValueError, match="bench"):
        phase_pose("squat", 0.5, faults={"elbow_flare_deg": 10.0})
    with pytest.raises(ValueError, match="unknown lift"):
        phase_pose("clean", 0.5)


def test_progress_interpolates_between_phases() -> None:
    first, mid, last = (phase_pose("squat", p).knee_flexion_deg for p in (0.0, 0.5, 1.0))
    assert first < mid < last and mid == pytest.approx(0.5 * (first + last))
    assert phase_pose("squat", 2.0) == phase_pose("squat", 1.0)  # clipped


def test_project_centres_the_lifter_and_fit_camera_frames_it() -> None:
    world = _world("deadlift", 0.0)
    cam = fit_camera(world, Camera(image_wh=(1920, 1080)), fill=0.7)
    kp = project(world, cam)
    box = kp.bbox_xywh()
    assert box is not None
    x, y, w, h = box
    assert x + w / 2 == pytest.approx(960, abs=1) and y + h / 2 == pytest.approx(540, abs=1)
    assert h == pytest.approx(0.7 * 1080, rel=0.02)
    assert kp.world_xyz is not None
    np.testing.assert_allclose(kp.world_xyz[0, [J.LEFT_HIP, J.RIGHT_HIP]].mean(0), 0, atol=1e-5)


def test_corrupt_adds_noise_and_drops_joints() -> None:
    kp = sample("squat", np.random.default_rng(0), progress=0.5)
    bad = corrupt(kp, np.random.default_rng(1), sigma_px=3.0, p_missing=0.3)
    missing = ~bad.present()
    assert 1 <= missing.sum() <= 12
    assert np.all(bad.score[0, missing] == 0)
    assert bad.world_xyz is not None and np.isnan(bad.world_xyz[0, missing]).all()
    moved = np.linalg.norm(bad.xy[0, ~missing] - kp.xy[0, ~missing], axis=1)
    assert 0.5 < moved.mean() < 10
    assert np.array_equal(corrupt(kp, np.random.default_rng(1), sigma_px=0, p_missing=0).xy, kp.xy)


@pytest.mark.parametrize("lift", LIFTS)
def test_sample_is_valid_and_reproducible(lift: str) -> None:
    a = sample(lift, np.random.default_rng(7))
    b = sample(lift, np.random.default_rng(7))
    assert len(a) == 1 and a.present().all() and a.world_xyz is not None
    np.testing.assert_array_equal(a.xy, b.xy)
    fixed = sample(lift, np.random.default_rng(8), progress=1.0, camera=Camera(), body=Body())
    assert fixed.present().all()


def test_pose_world_rejects_unknown_lift() -> None:
    with pytest.raises(ValueError, match="unknown lift"):
        pose_world("clean", dataclasses.replace(phase_pose("squat", 0.0)), Body())
