"""Rep segmentation on synthetic traces: exact counts, no false reps, both methods, live = batch."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from coach.core.keypoints import Joint, Keypoints
from coach.reps.distance_method import DistanceRepParams, normalise_keypoints
from coach.reps.segment import (
    KEY_ANGLES,
    LIFT_REP_PARAMS,
    AngleRepParams,
    LiveRepCounter,
    key_angle_for_lift,
    key_angle_trace,
    rep_params_for_lift,
    segment_reps,
    segment_reps_distance,
)

FPS = 15.0
SQUAT = rep_params_for_lift("squat")  # top 170°, bottom gate 120°, enter 150°, exit 140°


def _hold(value: float, seconds: float) -> NDArray[np.float64]:
    return np.full(round(seconds * FPS), value, dtype=np.float64)


def _dip(depth_deg: float, seconds: float = 2.0, top_deg: float = 172.0) -> NDArray[np.float64]:
    """One rep: a smooth dip from `top_deg` to `depth_deg` and back."""
    phase = np.linspace(0.0, 1.0, round(seconds * FPS))
    return top_deg - (top_deg - depth_deg) * np.sin(np.pi * phase) ** 2


def squat_set(
    depths: list[float], *, rest_s: float = 0.8, lead_s: float = 1.0
) -> NDArray[np.float64]:
    """Standing `lead_s`, then one dip per depth with `rest_s` standing between and after."""
    parts = [_hold(172.0, lead_s)]
    for d in depths:
        parts += [_dip(d), _hold(172.0, rest_s)]
    return np.concatenate(parts)


def count(trace: NDArray[np.float64], params: AngleRepParams = SQUAT) -> int:
    return len(segment_reps(trace, fps=FPS, method="angle", params=params))


@pytest.mark.parametrize("n", [1, 3, 5, 8], ids=lambda n: f"{n}-reps")
def test_clean_reps_are_counted_exactly(n: int) -> None:
    trace = squat_set([80.0] * n)
    reps = segment_reps(trace, fps=FPS, method="angle", params=SQUAT)
    assert len(reps) == n
    assert [r.index for r in reps] == list(range(n))
    for r in reps:
        assert r.start_frame < r.bottom_frame < r.end_frame
        assert r.start_s < r.bottom_s < r.end_s
        assert r.depth_value == pytest.approx(80.0, abs=1.0)
        assert 1.0 < r.duration_s < 2.0  # from leaving the top zone to lockout


def test_jitter_at_the_thresholds_creates_no_rep() -> None:
    rng = np.random.default_rng(1)
    base = squat_set([80.0] * 3)
    # Hover around the top-zone entry (150°) and around the depth gate (120°) for 2 s each.
    top_jitter = SQUAT.enter_top_deg + rng.choice([-4.0, 4.0], size=30)
    depth_jitter = SQUAT.bottom_deg + rng.choice([-3.0, 3.0], size=30)
    trace = np.concatenate([base, top_jitter, _hold(172.0, 1.0), depth_jitter[:1], base])
    trace = np.concatenate([trace, _hold(172.0, 1.0)])
    assert count(trace) == 6
    # Noise on every frame does not add reps either.
    noisy = base + rng.normal(0.0, 3.0, size=base.shape)
    assert count(noisy) == 3


def test_setup_wiggles_and_unrack_do_not_count() -> None:
    # Walk-out: knees bend to 135° a few times (above the 120° depth gate), then 2 real reps.
    wiggles = np.concatenate([_dip(135.0, 1.0), _hold(172.0, 0.3), _dip(140.0, 0.8)])
    trace = np.concatenate([_hold(172.0, 0.5), wiggles, squat_set([80.0, 85.0])])
    assert count(trace) == 2


def test_half_rep_counts_only_past_the_depth_gate() -> None:
    half, deep_enough = 130.0, 115.0
    assert count(squat_set([80.0, half, 80.0])) == 2
    assert count(squat_set([80.0, deep_enough, 80.0])) == 3


def test_glitch_shorter_than_min_rep_is_not_a_rep() -> None:
    trace = squat_set([80.0])
    spike_at = len(trace) - 5
    trace[spike_at - 2 : spike_at + 1] = [120.0, 60.0, 120.0]  # 0.2 s pose glitch at the top
    assert count(np.concatenate([trace, _hold(172.0, 1.0)])) == 1


def test_nan_gaps_are_skipped() -> None:
    trace = squat_set([80.0] * 4)
    trace[20:26] = np.nan  # before the first rep
    trace[40:44] = np.nan  # inside rep 1
    assert count(trace) == 4
    assert count(np.full(50, np.nan)) == 0


def test_clip_that_ends_at_lockout_still_counts() -> None:
    trace = np.concatenate([_hold(172.0, 1.0), _dip(80.0), _hold(172.0, 0.07)])
    assert count(trace) == 1


def test_clip_that_starts_at_the_bottom_counts_the_press() -> None:
    trace = np.concatenate([_hold(85.0, 0.5), _dip(85.0)[15:], _hold(172.0, 1.0)])
    assert count(trace) == 1


def test_clip_that_ends_at_the_bottom_does_not_count_the_unfinished_rep() -> None:
    trace = np.concatenate([squat_set([80.0]), _dip(80.0)[:15]])
    assert count(trace) == 1


def test_deadlift_from_the_floor_enters_the_set_at_the_bottom() -> None:
    dl = rep_params_for_lift("deadlift")
    floor, lockout = 80.0, 172.0
    pull = np.linspace(floor, lockout, round(0.8 * FPS))
    rep = np.concatenate([pull, _hold(lockout, 0.5), pull[::-1], _hold(floor, 0.7)])
    # Already bent over as the clip starts, then setup at the floor (hips wiggle below the
    # gate), then 3 pulls; ends back on the floor.
    setup = floor + 8.0 * np.sin(np.linspace(0.0, 6 * np.pi, round(1.5 * FPS)))
    trace = np.concatenate([_hold(130.0, 0.5), setup, rep, rep, rep])
    reps = segment_reps(trace, fps=FPS, method="angle", params=dl)
    assert len(reps) == 3
    # Squat thresholds (no bottom entry) would miss the first pull.
    assert count(trace, rep_params_for_lift("squat")) == 2


def test_variable_frame_rate_times_are_used() -> None:
    trace = squat_set([80.0] * 2)
    t_s = np.cumsum(np.r_[0.0, np.full(len(trace) - 1, 1.0 / FPS)])
    t_s[len(t_s) // 2 :] += 0.5  # a half-second stall in the middle of the clip
    reps = segment_reps(trace, fps=FPS, method="angle", params=SQUAT, t_s=t_s)
    assert len(reps) == 2
    assert reps[1].end_s == pytest.approx(t_s[reps[1].end_frame])


@pytest.mark.parametrize("n", [1, 3, 5, 8], ids=lambda n: f"{n}-reps")
def test_live_counter_agrees_with_batch(n: int) -> None:
    rng = np.random.default_rng(n)
    trace = squat_set([80.0] * n) + rng.normal(0.0, 2.0, size=len(squat_set([80.0] * n)))
    trace[rng.integers(0, len(trace), size=5)] = np.nan
    batch = segment_reps(trace, fps=FPS, method="angle", params=SQUAT)
    live = LiveRepCounter(SQUAT)
    emitted = [r for i, a in enumerate(trace) if (r := live.update(i / FPS, a)) is not None]
    last = live.finish()
    emitted += [last] if last else []
    assert emitted == batch
    assert live.count == n
    # Counted at lockout: each rep is emitted within hold_s of its end frame.
    live.reset()
    for i, a in enumerate(trace):
        if (rep := live.update(i / FPS, a)) is not None:
            assert i / FPS - rep.end_s <= SQUAT.hold_s + 2 / FPS  # a NaN frame may delay it


def test_thresholds_are_data_and_validated() -> None:
    assert set(KEY_ANGLES) == set(LIFT_REP_PARAMS) == {"squat", "deadlift", "bench"}
    assert key_angle_for_lift("bench") == ("left_elbow", "right_elbow")
    assert key_angle_for_lift("Deadlift") == ("left_hip", "right_hip", "left_knee", "right_knee")
    with pytest.raises(ValueError, match="valid: bench, deadlift, squat"):
        key_angle_for_lift("curl")
    with pytest.raises(ValueError, match="must lie above bottom_deg"):
        AngleRepParams(top_deg=170.0, bottom_deg=145.0)
    with pytest.raises(TypeError):
        rep_params_for_lift("squat", depth=3.0)
    assert rep_params_for_lift("squat", bottom_deg=100.0).bottom_deg == 100.0
    with pytest.raises(ValueError, match="unknown rep method"):
        segment_reps(np.zeros(3), fps=FPS, method="magic", params=SQUAT)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs AngleRepParams"):
        segment_reps(np.zeros(3), fps=FPS, method="angle")


def test_key_angle_trace_uses_whichever_side_is_seen() -> None:
    left = np.array([100.0, np.nan, np.nan])
    right = np.array([110.0, 90.0, np.nan])
    out = key_angle_trace({"left_knee": left, "right_knee": right}, "squat")
    np.testing.assert_allclose(out, [105.0, 90.0, np.nan])
    with pytest.raises(KeyError):
        key_angle_trace({"left_elbow": left}, "squat")


# --- distance method (GyML) -------------------------------------------------------------


def _poses_from_knee_trace(trace_deg: NDArray[np.float64]) -> Keypoints:
    """A side-view stick figure whose hips drop as the knee bends (standing knee ~172°)."""
    t = len(trace_deg)
    xy = np.full((t, 17, 2), np.nan, dtype=np.float32)
    bend = np.deg2rad(180.0 - trace_deg)
    knee = np.stack([np.full(t, 300.0 + 80.0 * np.sin(bend / 2)), 400.0 - 0 * bend], axis=1)
    hip = np.stack([knee[:, 0] - 100.0 * np.sin(bend), knee[:, 1] - 100.0 * np.cos(bend)], axis=1)
    ankle = np.stack([np.full(t, 300.0), np.full(t, 500.0)], axis=1)
    shoulder = hip + np.array([20.0, -150.0])
    for side in (0, 1):
        xy[:, Joint.LEFT_ANKLE + side] = ankle
        xy[:, Joint.LEFT_KNEE + side] = knee
        xy[:, Joint.LEFT_HIP + side] = hip
        xy[:, Joint.LEFT_SHOULDER + side] = shoulder
    return Keypoints(xy, np.isfinite(xy[..., 0]).astype(np.float32))


@pytest.mark.parametrize("n", [1, 3, 5, 8], ids=lambda n: f"{n}-reps")
def test_distance_method_counts_clean_reps(n: int) -> None:
    kp = _poses_from_knee_trace(squat_set([80.0] * n))
    reps = segment_reps(normalise_keypoints(kp), fps=FPS, method="distance")
    assert len(reps) == n
    for r in reps:
        assert r.start_frame < r.bottom_frame < r.end_frame


def test_distance_method_ignores_small_wiggles_and_noise() -> None:
    rng = np.random.default_rng(3)
    trace = np.concatenate([_hold(172.0, 0.5), _dip(160.0, 1.0), squat_set([80.0] * 3)])
    poses = normalise_keypoints(_poses_from_knee_trace(trace))
    poses = poses + rng.normal(0.0, 0.02, size=poses.shape)
    poses[10:14] = np.nan  # a dropout of every joint
    assert len(segment_reps_distance(poses, fps=FPS)) == 3
    assert segment_reps_distance(np.zeros((40, 4)), fps=FPS) == []
    assert segment_reps(np.full((40, 4), np.nan), fps=FPS, method="distance") == []


def test_distance_method_does_not_count_an_unfinished_rep() -> None:
    trace = np.concatenate([squat_set([80.0] * 2), _dip(80.0)[:15]])
    poses = normalise_keypoints(_poses_from_knee_trace(trace))
    assert len(segment_reps(poses, fps=FPS, method="distance", params=DistanceRepParams())) == 2


def test_both_methods_agree_on_a_clean_set() -> None:
    trace = squat_set([80.0, 90.0, 85.0, 95.0])
    by_angle = segment_reps(trace, fps=FPS, method="angle", params=SQUAT)
    poses = normalise_keypoints(_poses_from_knee_trace(trace))
    by_distance = segment_reps(poses, fps=FPS, method="distance")
    assert len(by_angle) == len(by_distance) == 4
    for a, d in zip(by_angle, by_distance, strict=True):
        assert abs(a.bottom_s - d.bottom_s) <= 0.2


# -- a clip filmed from the floor to lockout is one rep ----------------------------------------


def test_a_single_pull_from_the_floor_to_lockout_is_one_rep() -> None:
    from coach.reps.segment import reps_from_angles

    fps = 15.0
    floor = np.full(10, 70.0)  # set up at the floor
    pull = np.linspace(70.0, 165.0, 15)  # the pull; the clip ends right at lockout
    key = np.concatenate([floor, pull, [166.0]])
    reps = reps_from_angles({"left_hip": key, "left_knee": key}, "deadlift", fps=fps)
    assert len(reps) == 1
    rep = reps[0]
    assert rep.bottom_frame <= 10 and rep.end_frame >= 20


def test_a_pull_whose_lockout_the_pose_model_never_opens_fully_is_still_one_rep() -> None:
    # Plates and a head out of frame can keep a 2D lockout near 140 deg: the state machine sees
    # no top, so the clip's single pull (a rise of at least top - bottom = 45 deg) is the rep.
    from coach.reps.segment import reps_from_angles

    key = np.concatenate([np.full(10, 70.0), np.linspace(70.0, 140.0, 12), np.full(3, 139.0)])
    reps = reps_from_angles({"left_hip": key, "left_knee": key}, "deadlift", fps=15.0)
    assert len(reps) == 1
    rep = reps[0]
    assert rep.start_frame == rep.bottom_frame <= 10 and 19 <= rep.end_frame <= 21
    assert reps_from_angles({"left_knee": key}, "squat", fps=15.0) == []  # deadlift only


def test_a_setup_without_a_pull_is_no_rep() -> None:
    from coach.reps.segment import reps_from_angles

    key = np.concatenate([np.full(10, 170.0), np.linspace(170.0, 80.0, 10), np.full(5, 80.0)])
    assert reps_from_angles({"left_hip": key, "left_knee": key}, "deadlift", fps=15.0) == []
    small = np.concatenate([np.full(10, 100.0), np.linspace(100.0, 130.0, 10)])  # 30 deg only
    assert reps_from_angles({"left_hip": small, "left_knee": small}, "deadlift", fps=15.0) == []


# -- the hold at the top, over which the lockout is judged --------------------------------------


def test_the_hold_at_the_top_runs_until_the_angle_falls_back() -> None:
    from coach.reps.segment import top_hold_end

    key = np.array([70, 120, 160, 170, 175, np.nan, 176, 175, 150, 100, 172], dtype=float)
    assert top_hold_end(key, 2) == 7  # a frame with no angle neither ends nor extends the hold
    assert top_hold_end(key, 7) == 7  # the next frame already falls
    assert top_hold_end(np.array([70.0, 160.0, np.nan]), 1) == 1
    assert top_hold_end(np.array([70.0, np.nan, 170.0]), 1) == 1  # unknown at the end
