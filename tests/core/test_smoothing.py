"""NaN-aware low-pass, gap filling and keypoint smoothing."""

from __future__ import annotations

import numpy as np
import pytest

from coach.core.keypoints import Joint, Keypoints
from coach.core.smoothing import fill_gaps, lowpass, smooth_keypoints

FPS = 30.0


def _sine(freq_hz: float, seconds: float = 4.0) -> np.ndarray:
    t = np.arange(round(seconds * FPS)) / FPS
    return np.sin(2 * np.pi * freq_hz * t)


def test_lowpass_keeps_slow_motion_and_removes_jitter() -> None:
    slow, fast = _sine(0.5), 0.3 * _sine(12.0)
    out = lowpass(slow + fast, cutoff_hz=4.0, fps=FPS)
    inner = slice(15, -15)
    assert np.abs(out - slow)[inner].max() < 0.03
    # Zero phase: the slow wave's peak stays on the same frame.
    assert np.argmax(out[:60]) == np.argmax(slow[:60])


def test_lowpass_leaves_nan_as_nan_and_does_not_smear_across_gaps() -> None:
    x = np.r_[np.zeros(30), np.full(5, np.nan), np.full(30, 100.0)]
    out = lowpass(x, cutoff_hz=3.0, fps=FPS)
    assert np.isnan(out[30:35]).all()
    np.testing.assert_allclose(out[:30], 0.0, atol=1e-9)
    np.testing.assert_allclose(out[35:], 100.0, atol=1e-9)


def test_lowpass_handles_multi_dim_short_runs_and_high_cutoff() -> None:
    x = np.random.default_rng(0).normal(size=(40, 17, 2))
    x[::3, 4, 0] = np.nan  # runs of 2 frames: too short to filter, kept as they are
    out = lowpass(x, cutoff_hz=5.0, fps=FPS)
    assert out.shape == x.shape
    np.testing.assert_array_equal(np.isnan(out), np.isnan(x))
    np.testing.assert_allclose(out[1:3, 4, 0], x[1:3, 4, 0])
    np.testing.assert_allclose(lowpass(x, cutoff_hz=20.0, fps=FPS), x)  # above Nyquist: as is
    with pytest.raises(ValueError, match="must be > 0"):
        lowpass(x, cutoff_hz=0.0, fps=FPS)


@pytest.mark.parametrize(
    ("gap", "filled"), [(1, True), (3, True), (4, False)], ids=["1-frame", "3-frames", "4-frames"]
)
def test_fill_gaps_only_up_to_the_stated_length(gap: int, filled: bool) -> None:
    x = np.r_[0.0, 10.0, np.full(gap, np.nan), 10.0 + 10.0 * (gap + 1), 0.0]
    out = fill_gaps(x, max_gap_frames=3)
    if filled:
        np.testing.assert_allclose(out[2 : 2 + gap], 10.0 + 10.0 * np.arange(1, gap + 1))
    else:
        assert np.isnan(out[2 : 2 + gap]).all()


def test_fill_gaps_never_extrapolates_and_works_per_column() -> None:
    x = np.array([[np.nan, 1.0], [2.0, np.nan], [4.0, 3.0], [np.nan, 4.0]])
    out = fill_gaps(x, max_gap_frames=5)
    assert np.isnan(out[0, 0]) and np.isnan(out[3, 0])
    assert out[1, 1] == pytest.approx(2.0)


def test_smooth_keypoints_bridges_short_dropouts_and_keeps_long_ones() -> None:
    t = 60
    xy = np.full((t, 17, 2), np.nan, dtype=np.float32)
    xy[:, Joint.LEFT_KNEE] = np.stack([np.linspace(100, 160, t), np.full(t, 300.0)], axis=1)
    xy[:, Joint.LEFT_HIP] = [100.0, 200.0]
    score = np.isfinite(xy[..., 0]).astype(np.float32)
    xy[20:23, Joint.LEFT_KNEE] = np.nan  # 3 frames: bridged
    score[20:23, Joint.LEFT_KNEE] = 0.0
    xy[40:50, Joint.LEFT_HIP] = np.nan  # 10 frames: left missing
    kp = Keypoints(xy, score, world_xyz=np.zeros((t, 17, 3), np.float32))
    out = smooth_keypoints(kp, fps=FPS, cutoff_hz=6.0, max_gap_frames=5)
    assert np.isfinite(out.xy[20:23, Joint.LEFT_KNEE]).all()
    np.testing.assert_allclose(out.xy[21, Joint.LEFT_KNEE, 0], 100 + 60 * 21 / 59, atol=0.5)
    assert (out.score[20:23, Joint.LEFT_KNEE] == 1.0).all()  # interpolated from its neighbours
    assert np.isnan(out.xy[40:50, Joint.LEFT_HIP]).all()
    assert np.isnan(out.xy[:, Joint.NOSE]).all()
    assert out.world_xyz is not None and out.world_xyz.shape == (t, 17, 3)
    assert len(out) == t
