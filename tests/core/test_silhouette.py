"""A person's segmentation on its own crop, read at image points."""

from __future__ import annotations

import math

import numpy as np

from coach.core.silhouette import Silhouette, whole_image


def _square() -> np.ndarray:
    prob = np.zeros((100, 100), np.float32)
    prob[20:60, 30:50] = 0.9  # rows (y) 20-59, columns (x) 30-49
    return prob


def test_a_whole_image_silhouette_is_read_in_its_own_pixels() -> None:
    sil = whole_image(_square())
    pts = np.array([[40.0, 40.0], [10.0, 40.0], [40.0, 70.0], [-5.0, 40.0], [np.nan, 1.0],
                    [40.0, 500.0]])
    assert sil.inside(pts).tolist() == [True, False, False, False, False, False]


def test_a_crop_maps_to_the_image_through_its_affine() -> None:
    # The crop is the image region x 200-400, y 100-300, turned by 90 deg, at half scale.
    c, s = math.cos(math.pi / 2), math.sin(math.pi / 2)
    a = 2.0
    matrix = np.array([[a * c, -a * s, 400.0], [a * s, a * c, 100.0]])
    sil = Silhouette(_square(), matrix)
    crop_pt = np.array([40.0, 40.0])  # inside the square on the crop
    image_pt = matrix[:, :2] @ crop_pt + matrix[:, 2]
    assert sil.inside(image_pt[None]).tolist() == [True]
    outside = matrix[:, :2] @ np.array([10.0, 10.0]) + matrix[:, 2]
    assert sil.inside(outside[None]).tolist() == [False]


def test_scaled_follows_the_image_resize() -> None:
    sil = whole_image(_square()).scaled(2.0)  # the image doubled in size
    assert sil.inside(np.array([[80.0, 80.0], [40.0, 40.0]])).tolist() == [True, False]
