"""Per-rep bar figures on constructed paths: known drift, range and velocity; gaps stay gaps."""

from __future__ import annotations

import numpy as np
import pytest

from coach.bar.analyze import measure_bar
from coach.bar.metrics import jitter_mm, rep_metrics
from coach.bar.types import BarPath
from coach.core.keypoints import N_JOINTS, Joint, Keypoints
from coach.reps.types import Rep

FPS = 30.0
PX_PER_CM = 2.0


def _path(xy: np.ndarray, source: str = "plate", scale: float | None = PX_PER_CM) -> BarPath:
    t = np.arange(len(xy)) / FPS
    return BarPath(t, xy, xy.copy(), (source,) * len(xy), scale, 90.0, 450.0)


def _rep(start: int, end: int) -> Rep:
    return Rep(0, start, (start + end) // 2, end, start / FPS, (start + end) / 2 / FPS,
               end / FPS, 90.0)  # fmt: skip


def _squat(rise_px: float = 100.0, drift_px: float = 10.0) -> np.ndarray:
    """61 frames: 30 down at constant speed, 30 up, bar drifting right then back."""
    down = np.linspace(0.0, rise_px, 31)
    y = 300.0 + np.concatenate([down, down[::-1][1:]])
    x = 200.0 + drift_px * np.sin(np.linspace(0.0, np.pi, 61))
    return np.stack([x, y], axis=1)


def test_known_drift_range_and_constant_velocity() -> None:
    r = rep_metrics(_path(_squat()), _rep(0, 60))
    assert r.drift_cm == pytest.approx(5.0, abs=0.01)  # 10 px / 2 px per cm
    assert r.drift_signed_px == pytest.approx(10.0, abs=0.01)
    assert r.range_cm == pytest.approx(50.0)
    # 100 px = 50 cm in 30 frames = 1 s: 0.5 m/s, constant, so peak = mean.
    assert r.mean_velocity_m_s == pytest.approx(0.5, rel=1e-6)
    assert r.peak_velocity_m_s == pytest.approx(0.5, rel=1e-6)
    assert r.source == "plate" and r.note == ""


def test_pause_at_the_bottom_is_not_lifting_time() -> None:
    xy = _squat()
    paused = np.concatenate([xy[:31], np.repeat(xy[30:31], 15, axis=0), xy[31:]])
    r = rep_metrics(_path(paused), _rep(0, len(paused) - 1))
    assert r.mean_velocity_m_s == pytest.approx(0.5, rel=0.05)


def test_peak_is_above_mean_for_an_accelerating_bar() -> None:
    y = 400.0 - 100.0 * np.linspace(0.0, 1.0, 31) ** 2
    xy = np.stack([np.full(31, 100.0), y], axis=1)
    r = rep_metrics(_path(xy), _rep(0, 30))
    assert r.peak_velocity_m_s is not None and r.mean_velocity_m_s is not None
    assert r.peak_velocity_m_s > 1.5 * r.mean_velocity_m_s


def test_no_scale_means_no_cm_and_no_speed_with_a_reason() -> None:
    r = rep_metrics(_path(_squat(), "wrists", scale=None), _rep(0, 60))
    assert r.drift_cm is None and r.range_cm is None
    assert r.mean_velocity_m_s is None and r.peak_velocity_m_s is None
    assert "no scale" in r.note
    assert r.source == "wrists"


def test_a_rep_without_the_bar_says_so() -> None:
    xy = np.full((61, 2), np.nan)
    r = rep_metrics(BarPath(np.arange(61) / FPS, xy, xy, ("none",) * 61, PX_PER_CM, 90.0,
                            450.0), _rep(0, 60))  # fmt: skip
    assert r.source == "none" and r.mean_velocity_m_s is None and "not found" in r.note


def test_frames_outside_the_path_are_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        rep_metrics(_path(_squat()), _rep(0, 61))


def test_jitter_of_a_straight_constant_speed_path_is_zero() -> None:
    line = np.stack([np.linspace(0, 30, 61), np.linspace(400, 300, 61)], axis=1)
    assert jitter_mm(_path(line)).max() == pytest.approx(0.0, abs=1e-9)
    noisy = line + np.array([[0.0, 1.0], [0.0, -1.0]] * 30 + [[0.0, 0.0]])
    assert np.median(jitter_mm(_path(noisy))) == pytest.approx(10.0, rel=0.01)  # 2 px = 10 mm


def _keypoints(wrists: np.ndarray) -> Keypoints:
    xy = np.full((len(wrists), N_JOINTS, 2), np.nan, dtype=np.float32)
    xy[:, Joint.LEFT_WRIST] = wrists
    xy[:, Joint.RIGHT_WRIST] = wrists
    xy[:, Joint.LEFT_HIP] = wrists + np.array([0.0, -200.0])
    return Keypoints(xy, np.ones((len(wrists), N_JOINTS), dtype=np.float32))


def test_measure_bar_keeps_gaps_as_gaps_and_labels_the_wrist_fallback() -> None:
    from coach.bar.detector import PlateBox

    xy = _squat()
    wrists = xy.copy()
    wrists[20:26] = np.nan  # the lifter lost for 6 frames
    cands = [[PlateBox(x, y, 90.0, 90.0, 0.5)] if t % 4 else [] for t, (x, y) in enumerate(xy)]
    for t in range(20, 26):
        cands[t] = []
    bar = measure_bar(cands, _keypoints(wrists), np.arange(61) / FPS, [_rep(0, 60)], fps=FPS,
                      plate_diameter_mm=450.0)  # fmt: skip
    assert np.isnan(bar.path.xy_px[20:26]).all()
    assert bar.path.source[20:26] == ("none",) * 6
    assert bar.path.source[0] == "wrists" and bar.path.source[1] == "plate"
    assert bar.px_per_cm == pytest.approx(2.0)  # 90 px for 45 cm
    assert "not validated against a transducer" in bar.label
    rep = bar.reps[0]
    assert rep.source == "plate" and 0.5 < rep.plate_fraction < 0.8
    assert rep.range_cm == pytest.approx(50.0, abs=2.0)  # the 4 Hz low-pass rounds the sharp V
    assert rep.mean_velocity_m_s == pytest.approx(0.5, rel=0.05)
