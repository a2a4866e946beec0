"""The back's outline from a side-view silhouette (coach.form.back), on drawn silhouettes whose
arc is known, and the rounded-back fault on top of it."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from coach.core.keypoints import Joint, Keypoints, PersonPose
from coach.core.silhouette import whole_image
from coach.form.back import RAY_STARTS, BackCollector, back_arcs

HIP = np.array([300.0, 400.0])


def _trunk(back_bow_px: float = 0.0, belly_px: float = 0.0, facing: int = 1,
           lean_deg: float = 60.0) -> tuple[np.ndarray, Keypoints]:  # fmt: skip
    """A side-view trunk 200 px long leaning `lean_deg` forward of vertical (60: a
    deadlifter's), 40 px thick either side of the shoulder-hip line; the back bows out
    `back_bow_px` at its middle (a half sine), the belly `belly_px`."""
    lean = math.radians(lean_deg)
    sh = HIP + 200 * np.array([facing * math.sin(lean), -math.cos(lean)])
    axis = HIP - sh
    normal = np.array([-axis[1], axis[0]]) / 200.0
    dorsal = normal if normal @ np.array([-facing, -1.0]) > 0 else -normal
    t = np.linspace(-0.1, 1.1, 121)
    bow = np.sin(np.pi * np.clip(t, 0, 1))
    back = sh + t[:, None] * axis + (40 + back_bow_px * bow)[:, None] * dorsal
    front = sh + t[:, None] * axis - (40 + belly_px * bow)[:, None] * dorsal
    mask = np.zeros((700, 700), np.uint8)
    cv2.fillPoly(mask, [np.round(np.vstack([back, front[::-1]])).astype(np.int32)], 1)
    xy = np.full((1, 17, 2), np.nan, np.float32)
    for j, p in ((Joint.LEFT_SHOULDER, sh), (Joint.RIGHT_SHOULDER, sh), (Joint.LEFT_HIP, HIP),
                 (Joint.RIGHT_HIP, HIP)):
        xy[0, j] = p
    return mask.astype(np.float32), Keypoints(xy, np.ones((1, 17), np.float32))


def expected(bow_px: float) -> float:
    """The outline's arc over its chord: the rays' end points lie on the half sine."""
    ends = math.sin(math.pi * RAY_STARTS[0])
    return bow_px * (1 - ends) / (200 * (RAY_STARTS[-1] - RAY_STARTS[0]))


def test_a_flat_back_has_no_arc() -> None:
    mask, kp = _trunk()
    assert back_arcs(whole_image(mask), kp)[0] < 0.01


@pytest.mark.parametrize("bow_px", [20.0, 35.0, 50.0])
def test_a_bowed_back_measures_its_arc(bow_px: float) -> None:
    mask, kp = _trunk(bow_px)
    assert back_arcs(whole_image(mask), kp)[0] == pytest.approx(expected(bow_px), abs=0.01)


def test_a_belly_is_not_a_rounded_back() -> None:
    mask, kp = _trunk(belly_px=50.0)
    assert back_arcs(whole_image(mask), kp)[0] < 0.01


def test_the_side_that_is_the_back_follows_the_way_the_lifter_faces() -> None:
    # Nearly upright and facing left, the back is to the right: only the facing-left column
    # reads it (the other reads the belly's side, which is flat).
    mask, kp = _trunk(40.0, facing=-1, lean_deg=20.0)
    facing_right, facing_left = back_arcs(whole_image(mask), kp)
    assert facing_left == pytest.approx(expected(40.0), abs=0.01)
    assert facing_right < 0.01


def test_bent_over_the_back_is_the_upper_side_whichever_way_the_lifter_faces() -> None:
    for facing in (1, -1):
        mask, kp = _trunk(40.0, facing=facing)
        assert back_arcs(whole_image(mask), kp) == pytest.approx([expected(40.0)] * 2, abs=0.01)


def test_no_outline_found_is_nan() -> None:
    _, kp = _trunk()
    assert np.isnan(back_arcs(whole_image(np.zeros((700, 700), np.float32)), kp)).all()
    no_hips = Keypoints(np.where(np.arange(17)[None, :, None] >= 11, np.nan, kp.xy), kp.score)
    mask, _ = _trunk()
    assert np.isnan(back_arcs(whole_image(mask), no_hips)).all()


def test_the_collector_keeps_one_row_a_frame() -> None:
    mask, kp = _trunk(50.0)
    collect = BackCollector()
    collect.add(0, None)
    collect.add(2, PersonPose(kp, (0, 0, 1, 1), 1.0, whole_image(mask)))
    collect.add(3, PersonPose(kp, (0, 0, 1, 1), 1.0))  # no silhouette from this backend
    arcs = collect.finish(4)
    assert arcs is not None and arcs.shape == (4, 2)
    assert np.isnan(arcs[[0, 1, 3]]).all() and arcs[2, 0] == pytest.approx(expected(50.0),
                                                                            abs=0.01)
    assert BackCollector().finish(4) is None
