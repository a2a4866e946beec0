"""Overlays on photos: the skeleton (coloured by confidence or by verdict), arrows and boxes.

Colour scale by default (`confidence_color_bgr`): score 0 -> red, 0.5 -> yellow, 1 -> green,
interpolated linearly through yellow (red-green straight mixing gives a muddy olive in the
middle). NaN scores count as 0. Each edge is drawn as two halves, each in its end joint's
colour, so a flagged (red) joint stays obvious whatever its neighbours are. Every line, dot
and label gets a dark outline so it reads on light and dark backgrounds.

Sizes scale with the image: line width about 1/300 and joint radius about 1/150 of the
shorter side, so a phone photo and a thumbnail look alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from coach.core.keypoints import SKELETON_EDGES, Joint, Keypoints

Color = tuple[int, int, int]
OUTLINE_BGR: Color = (20, 20, 20)
LABEL_TEXT_BGR: Color = (255, 255, 255)
# Coordinates farther than this many image sizes outside the frame are pulled in before
# drawing: OpenCV takes int32 points, and a wild off-frame joint must not overflow.
_MAX_OFFSCREEN = 4.0


def confidence_color_bgr(score: float) -> Color:
    """BGR colour for a confidence: 0 red (0, 0, 255), 0.5 yellow, 1 green (0, 255, 0)."""
    s = 0.0 if not np.isfinite(score) else float(np.clip(score, 0.0, 1.0))
    if s < 0.5:
        return 0, round(510 * s), 255
    return 0, 255, round(510 * (1.0 - s))


def _check_image(image_bgr: NDArray[np.uint8]) -> None:
    if image_bgr.ndim != 3 or image_bgr.shape[2] != 3 or image_bgr.dtype != np.uint8:
        raise ValueError(f"image must be (H, W, 3) uint8, got {image_bgr.shape} {image_bgr.dtype}")


def _sizes(image_bgr: NDArray[np.uint8]) -> tuple[int, int]:
    """(line thickness px, joint radius px) for this image size."""
    short_side = min(image_bgr.shape[:2])
    return max(1, round(short_side / 300)), max(2, round(short_side / 150))


def _pixel(xy: NDArray[np.floating[Any]], image_bgr: NDArray[np.uint8]) -> tuple[int, int]:
    height, width = image_bgr.shape[:2]
    x = np.clip(xy[0], -_MAX_OFFSCREEN * width, (1 + _MAX_OFFSCREEN) * width)
    y = np.clip(xy[1], -_MAX_OFFSCREEN * height, (1 + _MAX_OFFSCREEN) * height)
    return round(float(x)), round(float(y))


def draw_skeleton(
    image_bgr: NDArray[np.uint8],
    kp: Keypoints,
    *,
    t: int = 0,
    joint_colors_bgr: Mapping[Joint, Color] | None = None,
    joint_labels: Mapping[Joint, str] | None = None,
) -> NDArray[np.uint8]:
    """Draw frame `t` of `kp` on a copy of the image.

    Args:
        image_bgr: (H, W, 3) uint8; not modified.
        kp: keypoints in this image's pixels; NaN joints and edges touching them are skipped.
        t: frame index in `kp`.
        joint_colors_bgr: colour per joint (e.g. red flagged, green good, grey unjudgeable);
            joints not in it use the confidence colour.
        joint_labels: short text drawn beside joints (e.g. "112°").

    Returns:
        (H, W, 3) uint8 copy with the overlay.

    Raises:
        ValueError: the image is not (H, W, 3) uint8.
    """
    import cv2

    _check_image(image_bgr)
    out = image_bgr.copy()
    thickness, radius = _sizes(out)
    xy, present = kp.xy[t], kp.present(t)
    colors = {
        j: (joint_colors_bgr or {}).get(j, confidence_color_bgr(float(kp.score[t, j])))
        for j in Joint
    }
    for a, b in SKELETON_EDGES:
        if present[a] and present[b]:
            pa, pb = _pixel(xy[a], out), _pixel(xy[b], out)
            mid = _pixel((xy[a] + xy[b]) / 2.0, out)
            cv2.line(out, pa, pb, OUTLINE_BGR, thickness + 2, cv2.LINE_AA)
            cv2.line(out, pa, mid, colors[a], thickness, cv2.LINE_AA)
            cv2.line(out, mid, pb, colors[b], thickness, cv2.LINE_AA)
    for j in Joint:
        if present[j]:
            centre = _pixel(xy[j], out)
            cv2.circle(out, centre, radius + 1, OUTLINE_BGR, -1, cv2.LINE_AA)
            cv2.circle(out, centre, radius, colors[j], -1, cv2.LINE_AA)
    for j, text in (joint_labels or {}).items():
        if present[j] and text:
            _draw_label(out, _pixel(xy[j], out), text, radius)
    return out


def _draw_label(image_bgr: NDArray[np.uint8], at: tuple[int, int], text: str, radius: int) -> None:
    """White text up-right of the joint with a dark outline (drawn in place)."""
    import cv2

    font_scale = max(0.4, min(image_bgr.shape[:2]) / 900)
    weight = max(1, round(font_scale * 1.5))
    origin = (at[0] + radius + 3, at[1] - radius - 3)
    font = cv2.FONT_HERSHEY_SIMPLEX
    cv2.putText(image_bgr, text, origin, font, font_scale, OUTLINE_BGR, weight + 3, cv2.LINE_AA)
    cv2.putText(image_bgr, text, origin, font, font_scale, LABEL_TEXT_BGR, weight, cv2.LINE_AA)


def draw_arrows(
    image_bgr: NDArray[np.uint8],
    starts_xy: NDArray[np.floating[Any]],
    ends_xy: NDArray[np.floating[Any]],
    color_bgr: Color,
) -> NDArray[np.uint8]:
    """Draw arrows from each start to its end on a copy (e.g. "move this joint there").

    Args:
        image_bgr: (H, W, 3) uint8; not modified.
        starts_xy: (N, 2) pixel positions where arrows start.
        ends_xy: (N, 2) pixel positions the arrows point to; rows with NaN in either are skipped.
        color_bgr: arrow colour.

    Returns:
        (H, W, 3) uint8 copy with the arrows.

    Raises:
        ValueError: the image is not (H, W, 3) uint8, or the point arrays are not matching (N, 2).
    """
    import cv2

    _check_image(image_bgr)
    starts = np.asarray(starts_xy, dtype=np.float64)
    ends = np.asarray(ends_xy, dtype=np.float64)
    if starts.ndim != 2 or starts.shape[1] != 2 or starts.shape != ends.shape:
        raise ValueError(
            f"starts and ends must both be (N, 2), got {starts.shape} and {ends.shape}"
        )
    out = image_bgr.copy()
    thickness, _ = _sizes(out)
    for start, end in zip(starts, ends, strict=True):
        if not (np.isfinite(start).all() and np.isfinite(end).all()):
            continue
        p0, p1 = _pixel(start, out), _pixel(end, out)
        length = max(1.0, float(np.hypot(*(end - start))))
        tip = min(0.4, 12.0 * thickness / length)  # tip size in px, not a fixed fraction
        cv2.arrowedLine(out, p0, p1, OUTLINE_BGR, thickness + 2, cv2.LINE_AA, 0, tip)
        cv2.arrowedLine(out, p0, p1, color_bgr, thickness, cv2.LINE_AA, 0, tip)
    return out


def draw_boxes(
    image_bgr: NDArray[np.uint8],
    boxes: Sequence[tuple[tuple[float, float, float, float], str, Color]],
) -> NDArray[np.uint8]:
    """Draw labelled rectangles on a copy (e.g. everyone found, the lifter in its own colour).

    Args:
        image_bgr: (H, W, 3) uint8; not modified.
        boxes: (x, y, w, h) in this image's pixels, the label drawn at its top-left corner,
            and the rectangle's colour.

    Returns:
        (H, W, 3) uint8 copy with the rectangles.

    Raises:
        ValueError: the image is not (H, W, 3) uint8.
    """
    import cv2

    _check_image(image_bgr)
    out = image_bgr.copy()
    thickness, radius = _sizes(out)
    for (x, y, w, h), label, color in boxes:
        p0 = _pixel(np.array([x, y]), out)
        p1 = _pixel(np.array([x + w, y + h]), out)
        cv2.rectangle(out, p0, p1, OUTLINE_BGR, thickness + 2, cv2.LINE_AA)
        cv2.rectangle(out, p0, p1, color, thickness, cv2.LINE_AA)
        if label:
            # _draw_label writes up-right of a point; start it inside the box's top-left corner.
            _draw_label(out, (p0[0], p0[1] + 4 * radius), label, radius)
    return out
