"""Choosing the bar's end: wrists as the prior, the clip's consistency, the wrist fallback."""

from __future__ import annotations

import numpy as np
import pytest

from coach.bar.detector import PlateBox
from coach.bar.track import MIN_PLATE_FRAMES, choose_plates, crop_box

T = 30
D = 100.0  # plate diameter in px


def _wrists(t: int) -> np.ndarray:
    """Hands rising and falling 300 px over the clip."""
    return np.array([500.0, 600.0 - 300.0 * np.sin(np.pi * t / (T - 1))])


def _plate(xy: np.ndarray, score: float = 0.6) -> PlateBox:
    return PlateBox(float(xy[0]), float(xy[1]), D, D * 0.9, score)


def test_plate_that_moves_with_the_hands_is_chosen_over_a_static_logo() -> None:
    wrists = np.stack([_wrists(t) for t in range(T)])
    logo = np.array([520.0, 420.0])  # passes near the hands mid-clip, scores higher
    cands = [[_plate(logo, 0.9), _plate(wrists[t] + (30.0, -10.0), 0.4)] for t in range(T)]
    xy, source, diameter = choose_plates(cands, wrists)
    assert source == ("plate",) * T
    np.testing.assert_allclose(xy, wrists + np.array([30.0, -10.0]))
    assert diameter == pytest.approx(D)


def test_missing_plates_fall_back_to_the_wrists_shifted_by_the_median_offset() -> None:
    wrists = np.stack([_wrists(t) for t in range(T)])
    cands = [[_plate(wrists[t] + (20.0, 0.0))] if t % 3 else [] for t in range(T)]
    xy, source, _ = choose_plates(cands, wrists)
    for t in range(T):
        assert source[t] == ("plate" if t % 3 else "wrists")
    np.testing.assert_allclose(xy, wrists + np.array([20.0, 0.0]))


def test_no_wrists_and_no_plate_is_a_gap() -> None:
    wrists = np.stack([_wrists(t) for t in range(T)])
    wrists[10:14] = np.nan
    cands = [[_plate(wrists[t] + 5.0)] if np.isfinite(wrists[t]).all() else [] for t in range(T)]
    xy, source, _ = choose_plates(cands, wrists)
    assert source[10:14] == ("none",) * 4
    assert np.isnan(xy[10:14]).all()
    assert np.isfinite(xy[:10]).all() and np.isfinite(xy[14:]).all()


def test_too_few_plates_means_wrists_only_and_no_scale() -> None:
    wrists = np.stack([_wrists(t) for t in range(T)])
    cands = [[_plate(wrists[t])] if t < MIN_PLATE_FRAMES - 1 else [] for t in range(T)]
    xy, source, diameter = choose_plates(cands, wrists)
    assert set(source) == {"wrists"}
    assert np.isnan(diameter)
    np.testing.assert_allclose(xy, wrists)


def test_a_static_box_at_the_hands_offset_is_not_the_bar() -> None:
    """Every pick is the same still box near the hands' start: it never moves, so no plate."""
    wrists = np.stack([_wrists(t) for t in range(T)])
    still = wrists[0] + (10.0, 0.0)
    cands = [[_plate(still)] for _ in range(T)]
    _, source, diameter = choose_plates(cands, wrists)
    assert "plate" not in source
    assert np.isnan(diameter)


def test_far_candidates_are_ignored() -> None:
    wrists = np.stack([_wrists(t) for t in range(T)])
    cands = [[_plate(wrists[t] + (3 * D, 0.0), 0.99)] for t in range(T)]
    _, source, _ = choose_plates(cands, wrists)
    assert set(source) == {"wrists"}


def test_crop_stays_inside_the_image() -> None:
    box = crop_box(np.array([5.0, 470.0]), (0.0, 0.0, 100.0, 200.0), 640, 480)
    assert box == (0, 240, 240, 480)  # 1.2 x the box's long side, shifted inside
    assert crop_box(np.array([np.nan, 1.0]), (0.0, 0.0, 10.0, 10.0), 640, 480) is None


def test_overlapping_boxes_merge_into_the_best_one() -> None:
    from coach.bar.track import merge_overlapping

    boxes = [PlateBox(100, 100, 80, 80, 0.3), PlateBox(110, 95, 40, 40, 0.5),
             PlateBox(300, 100, 80, 80, 0.2)]  # fmt: skip
    merged = merge_overlapping(boxes)
    assert [b.score for b in merged] == [0.5, 0.2]
