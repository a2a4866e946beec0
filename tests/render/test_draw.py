"""Overlay drawing: copies, not edits; joints drawn where they are; NaN skipped; colours."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from coach.core.keypoints import Joint, Keypoints
from coach.render.draw import confidence_color_bgr, draw_arrows, draw_skeleton

J = Joint
BODY = {
    J.NOSE: (200, 60), J.LEFT_EYE: (210, 50), J.RIGHT_EYE: (190, 50),
    J.LEFT_EAR: (220, 55), J.RIGHT_EAR: (180, 55),
    J.LEFT_SHOULDER: (240, 110), J.RIGHT_SHOULDER: (160, 110),
    J.LEFT_ELBOW: (260, 170), J.RIGHT_ELBOW: (140, 170),
    J.LEFT_WRIST: (270, 230), J.RIGHT_WRIST: (130, 230),
    J.LEFT_HIP: (225, 240), J.RIGHT_HIP: (175, 240),
    J.LEFT_KNEE: (230, 320), J.RIGHT_KNEE: (170, 320),
    J.LEFT_ANKLE: (232, 390), J.RIGHT_ANKLE: (168, 390),
}  # fmt: skip


@pytest.fixture
def canvas() -> np.ndarray:
    return np.full((420, 400, 3), 90, dtype=np.uint8)


@pytest.fixture
def body(make_keypoints: Callable[..., Keypoints]) -> Keypoints:
    return make_keypoints(BODY, score=0.9)


def test_returns_new_image_and_leaves_input_alone(canvas: np.ndarray, body: Keypoints) -> None:
    before = canvas.copy()
    out = draw_skeleton(canvas, body)
    assert out.shape == canvas.shape and out.dtype == np.uint8
    assert out is not canvas
    np.testing.assert_array_equal(canvas, before)


def test_every_joint_is_drawn_where_it_is(canvas: np.ndarray, body: Keypoints) -> None:
    out = draw_skeleton(canvas, body)
    for joint, (x, y) in BODY.items():
        assert (out[y, x] != canvas[y, x]).any(), joint
    assert (out[5, 5] == canvas[5, 5]).all()  # far from the skeleton: untouched


def test_missing_joint_and_its_edges_are_not_drawn(
    canvas: np.ndarray, make_keypoints: Callable[..., Keypoints]
) -> None:
    points = dict(BODY)
    del points[J.LEFT_KNEE]
    out = draw_skeleton(canvas, make_keypoints(points))
    kx, ky = BODY[J.LEFT_KNEE]
    assert (out[ky, kx] == canvas[ky, kx]).all()
    # Midpoints of hip-knee and knee-ankle edges stay clean too.
    for other in (J.LEFT_HIP, J.LEFT_ANKLE):
        mx, my = (np.add(BODY[other], BODY[J.LEFT_KNEE]) / 2).astype(int)
        assert (out[my, mx] == canvas[my, mx]).all(), other


def test_edges_between_present_joints_are_drawn(canvas: np.ndarray, body: Keypoints) -> None:
    out = draw_skeleton(canvas, body)
    mx, my = (np.add(BODY[J.LEFT_HIP], BODY[J.LEFT_KNEE]) / 2).astype(int)
    assert (out[my, mx] != canvas[my, mx]).any()


def test_default_colours_follow_confidence(
    canvas: np.ndarray, make_keypoints: Callable[..., Keypoints]
) -> None:
    low = draw_skeleton(canvas, make_keypoints({J.NOSE: (200, 200)}, score=0.0))
    high = draw_skeleton(canvas, make_keypoints({J.NOSE: (200, 200)}, score=1.0))
    assert tuple(low[200, 200]) == (0, 0, 255)
    assert tuple(high[200, 200]) == (0, 255, 0)


@pytest.mark.parametrize(
    ("score", "bgr"),
    [(0.0, (0, 0, 255)), (0.5, (0, 255, 255)), (1.0, (0, 255, 0)), (0.25, (0, 128, 255)),
     (float("nan"), (0, 0, 255)), (2.0, (0, 255, 0))],
)  # fmt: skip
def test_confidence_scale(score: float, bgr: tuple[int, int, int]) -> None:
    assert confidence_color_bgr(score) == bgr


def test_custom_joint_colours_and_labels(canvas: np.ndarray, body: Keypoints) -> None:
    flagged, good = (0, 0, 255), (0, 200, 0)
    colours = {J.LEFT_KNEE: flagged, J.RIGHT_KNEE: good}
    out = draw_skeleton(canvas, body, joint_colors_bgr=colours)
    assert tuple(out[BODY[J.LEFT_KNEE][::-1]]) == flagged
    assert tuple(out[BODY[J.RIGHT_KNEE][::-1]]) == good
    # Joints without a custom colour keep the confidence colour (0.9 -> mostly green).
    assert tuple(out[BODY[J.LEFT_HIP][::-1]]) == confidence_color_bgr(0.9)
    labelled = draw_skeleton(
        canvas, body, joint_colors_bgr=colours, joint_labels={J.LEFT_KNEE: "95"}
    )
    kx, ky = BODY[J.LEFT_KNEE]
    region = (slice(ky - 30, ky), slice(kx + 4, kx + 50))
    assert (labelled[region] != out[region]).any()
    assert (labelled[region] > 200).all(axis=2).any()  # light text...
    assert (labelled[region] < 40).all(axis=2).any()  # ...on a dark outline


def test_frame_index_selects_frame(
    canvas: np.ndarray, make_keypoints: Callable[..., Keypoints]
) -> None:
    kp = Keypoints.stack([make_keypoints({J.NOSE: (50, 50)}), make_keypoints({J.NOSE: (300, 300)})])
    out = draw_skeleton(canvas, kp, t=1)
    assert (out[300, 300] != canvas[300, 300]).any() and (out[50, 50] == canvas[50, 50]).all()


def test_sizes_scale_with_image(make_keypoints: Callable[..., Keypoints]) -> None:
    def dot_area(side: int) -> int:
        image = np.zeros((side, side, 3), dtype=np.uint8)
        kp = make_keypoints({J.NOSE: (side / 2, side / 2)})
        return int((draw_skeleton(image, kp) != 0).any(axis=2).sum())

    assert dot_area(1200) > 4 * dot_area(300)


def test_far_offscreen_joint_does_not_crash(canvas: np.ndarray) -> None:
    xy = np.array([[1e12, -1e12]] + [[np.nan, np.nan]] * 15 + [[10, 10]], dtype=np.float32)
    out = draw_skeleton(canvas, Keypoints.single(xy))
    assert out.shape == canvas.shape


def test_rejects_non_bgr_image(body: Keypoints) -> None:
    with pytest.raises(ValueError, match="uint8"):
        draw_skeleton(np.zeros((10, 10), dtype=np.uint8), body)


def test_arrows_drawn_and_nan_rows_skipped(canvas: np.ndarray) -> None:
    starts = np.array([[50.0, 50.0], [np.nan, 100.0], [300.0, 300.0]])
    ends = np.array([[150.0, 50.0], [200.0, 200.0], [300.0, np.nan]])
    before = canvas.copy()
    out = draw_arrows(canvas, starts, ends, (255, 0, 0))
    np.testing.assert_array_equal(canvas, before)
    b, g, r = out[50, 100].astype(int)  # along the first arrow (anti-aliased edges)
    assert b > 200 and g < 40 and r < 40
    changed = (out != canvas).any(axis=2)
    assert not changed[140:260, 140:260].any()  # the NaN rows drew nothing
    assert not changed[290:310, 290:310].any()


def test_arrows_shape_checked(canvas: np.ndarray) -> None:
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        draw_arrows(canvas, np.zeros((2, 2)), np.zeros((3, 2)), (0, 0, 255))
    out = draw_arrows(canvas, np.zeros((0, 2)), np.zeros((0, 2)), (0, 0, 255))
    np.testing.assert_array_equal(out, canvas)


def test_draw_boxes_outlines_each_box_on_a_copy(canvas: np.ndarray) -> None:
    from coach.render.draw import draw_boxes

    out = draw_boxes(canvas, [((50, 60, 100, 200), "lifter", (0, 140, 255)),
                              ((250, 60, 80, 150), "#2", (200, 200, 200))])
    assert np.all(canvas == 90), "the input must not be modified"
    # On the first box's left edge and the second box's right edge (anti-aliased lines).
    assert np.abs(out[160, 50].astype(int) - (0, 140, 255)).max() < 30
    assert np.abs(out[100, 330].astype(int) - (200, 200, 200)).max() < 30
    assert np.all(out[150, 100] == 90) and np.all(out[300, 200] == 90)  # inside, outside
