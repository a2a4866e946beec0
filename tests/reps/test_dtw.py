"""DTW of joint-angle sequences and the per-joint rep comparison."""

from __future__ import annotations

import time

import numpy as np
import pytest

from coach.reps.dtw import ALIGN_ANGLES, compare_reps, dtw, local_costs


def _rep(n: int, depth_deg: float = 80.0, top_deg: float = 170.0) -> np.ndarray:
    phase = np.linspace(0.0, 1.0, n)
    return top_deg - (top_deg - depth_deg) * np.sin(np.pi * phase) ** 2


def _squat_angles(n: int, offset_deg: float = 0.0) -> dict[str, np.ndarray]:
    return {"left_knee": _rep(n) + offset_deg, "right_knee": _rep(n, 85.0)}


def _brute_force_cost(a: np.ndarray, b: np.ndarray) -> float:
    c = local_costs(a, b)
    acc = np.full((c.shape[0] + 1, c.shape[1] + 1), np.inf)
    acc[0, 0] = 0.0
    for i in range(1, acc.shape[0]):
        for j in range(1, acc.shape[1]):
            acc[i, j] = c[i - 1, j - 1] + min(acc[i - 1, j - 1], acc[i - 1, j], acc[i, j - 1])
    return float(acc[-1, -1])


def test_matches_the_textbook_recurrence() -> None:
    rng = np.random.default_rng(0)
    for _ in range(10):
        a = rng.normal(size=(int(rng.integers(1, 25)), 3))
        b = rng.normal(size=(int(rng.integers(1, 25)), 3))
        result = dtw(a, b)
        assert result.cost == pytest.approx(_brute_force_cost(a, b))
        assert result.path[0] == (0, 0) and result.path[-1] == (len(a) - 1, len(b) - 1)
        steps = np.diff(np.array(result.path), axis=0)
        assert {tuple(s) for s in steps} <= {(1, 0), (0, 1), (1, 1)}


def test_a_rep_against_itself_costs_nothing() -> None:
    a = np.stack([_rep(60), _rep(60, 85.0)], axis=1)
    result = dtw(a, a)
    assert result.mean_cost_deg == pytest.approx(0.0, abs=1e-9)
    assert result.path == [(i, i) for i in range(60)]


@pytest.mark.parametrize("band", [None, 10], ids=["no-band", "band-10"])
def test_a_time_stretched_copy_aligns_almost_perfectly(band: int | None) -> None:
    a = np.stack([_rep(60), _rep(60, 85.0)], axis=1)
    slow = np.stack([_rep(95), _rep(95, 85.0)], axis=1)  # the same rep, 58% slower
    assert dtw(a, slow, band=band).mean_cost_deg < 1.5
    # Without warping (index-by-index on resampled time) the same pair differs far more.
    idx = np.round(np.linspace(0, 94, 60)).astype(int)
    assert np.abs(a - slow[idx]).mean() < 1.5 < np.abs(a - slow[:60]).mean()


def test_a_shifted_angle_reports_that_offset() -> None:
    user, ref = _squat_angles(60), _squat_angles(75, offset_deg=-12.0)
    cmp = compare_reps(user, ref, ALIGN_ANGLES["squat"])
    left, right = cmp.joints
    assert left.joint == "left_knee"
    assert left.mean_abs_deg == pytest.approx(12.0, abs=1.5)
    assert left.mean_signed_deg == pytest.approx(12.0, abs=1.5)  # the user's knee is more open
    assert right.mean_abs_deg < 1.5
    assert cmp.worst is left
    assert 0.0 <= left.max_at_fraction <= 1.0
    assert cmp.alignment.mean_cost_deg < 1.5  # same shape once centred
    # Raw-angle DTW warps time to hide much of the offset: why compare_reps centres first.
    raw = compare_reps(user, ref, ALIGN_ANGLES["squat"], centre=False)
    assert raw.joints[0].mean_abs_deg < 9.0


def test_where_in_the_rep_the_largest_difference_is() -> None:
    user, ref = _squat_angles(60), _squat_angles(60)
    user["left_knee"] = user["left_knee"].copy()
    user["left_knee"][27:33] -= 25.0  # the user sinks 25° deeper around mid-rep only
    cmp = compare_reps(user, ref, ("left_knee", "right_knee"), band=3)
    assert cmp.joints[0].max_abs_deg == pytest.approx(25.0, abs=3.0)
    assert cmp.joints[0].max_at_fraction == pytest.approx(0.5, abs=0.08)


def test_nan_dims_are_ignored_per_step() -> None:
    user, ref = _squat_angles(60), _squat_angles(60)
    user["right_knee"] = user["right_knee"].copy()
    user["right_knee"][10:30] = np.nan  # one knee hidden by a plate for a while
    a = np.stack([user["left_knee"], user["right_knee"]], axis=1)
    b = np.stack([ref["left_knee"], ref["right_knee"]], axis=1)
    assert dtw(a, b).mean_cost_deg == pytest.approx(0.0, abs=1e-9)
    cmp = compare_reps(user, ref, ("left_knee", "right_knee"))
    assert cmp.joints[0].mean_abs_deg < 1.0 and cmp.joints[1].mean_abs_deg < 1.0
    all_nan = compare_reps({"k": np.full(5, np.nan)}, {"k": _rep(5)}, ("k",))
    assert np.isnan(all_nan.joints[0].mean_abs_deg) and all_nan.worst is None


def test_band_keeps_the_path_near_the_diagonal() -> None:
    a, b = _rep(60)[:, None], _rep(80)[:, None]
    path = dtw(a, b, band=4).path
    slope = 79 / 59
    assert max(abs(j - i * slope) for i, j in path) <= 4 + slope


def test_align_angles_per_lift_and_input_errors() -> None:
    assert ALIGN_ANGLES["squat"] == ("left_knee", "right_knee")
    assert set(ALIGN_ANGLES["deadlift"]) == {"left_hip", "right_hip", "left_knee", "right_knee"}
    assert set(ALIGN_ANGLES["bench"]) == {
        "left_elbow",
        "right_elbow",
        "left_shoulder",
        "right_shoulder",
    }
    with pytest.raises(ValueError, match="same number of angles"):
        dtw(np.zeros((3, 2)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="N > 0"):
        dtw(np.zeros((0, 2)), np.zeros((3, 2)))
    with pytest.raises(KeyError):
        compare_reps(_squat_angles(10), {"left_knee": _rep(10)}, ALIGN_ANGLES["squat"])


def test_two_60_frame_reps_align_in_under_5_ms() -> None:
    user = {k: _rep(60) + i for i, k in enumerate(ALIGN_ANGLES["bench"])}
    ref = {k: _rep(60, 90.0) for k in ALIGN_ANGLES["bench"]}
    compare_reps(user, ref, ALIGN_ANGLES["bench"])  # warm-up
    n = 20
    t0 = time.perf_counter()
    for _ in range(n):
        compare_reps(user, ref, ALIGN_ANGLES["bench"])
    per_pair_ms = (time.perf_counter() - t0) / n * 1000
    assert per_pair_ms < 25.0  # target 5 ms; loose here because CI cores are shared
