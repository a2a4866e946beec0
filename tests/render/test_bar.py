"""Drawing the bar's path: drawn where found, not across gaps, input checked."""

from __future__ import annotations

import numpy as np
import pytest

from coach.render.bar import draw_bar_path


def test_path_is_drawn_and_gaps_are_not_bridged() -> None:
    img = np.zeros((200, 200, 3), np.uint8)
    xy = np.array([[20, 100], [60, 100], [np.nan, np.nan], [140, 100], [180, 100]], float)
    out = draw_bar_path(img, xy, ["plate", "plate", "none", "wrists", "wrists"])
    assert out[100, 40].any()  # first segment drawn
    assert not out[100, 100].any()  # no line across the gap
    assert out[100, 160].any()
    assert not img.any()  # input untouched


def test_upto_draws_only_the_path_so_far() -> None:
    img = np.zeros((200, 200, 3), np.uint8)
    xy = np.array([[20, 100], [60, 100], [100, 100], [140, 100]], float)
    out = draw_bar_path(img, xy, ["plate"] * 4, upto=1)
    assert out[100, 40].any() and not out[100, 120].any()


def test_bad_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="N sources"):
        draw_bar_path(np.zeros((10, 10, 3), np.uint8), np.zeros((3, 2)), ["plate"])
