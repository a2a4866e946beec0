"""The bar's path drawn on a frame: a polyline of the rep so far, broken at gaps, and a dot at
the bar's end now. Plate-found stretches are drawn solid cyan; wrist-fallback stretches in
orange, so a viewer sees which parts are guessed from the hands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from coach.render.draw import OUTLINE_BGR, Color

PLATE_BGR: Color = (255, 220, 0)  # cyan: reads on skin, clothes, black and coloured plates
WRISTS_BGR: Color = (0, 140, 255)  # orange: the wrist fallback


def draw_bar_path(
    image_bgr: NDArray[np.uint8], xy_px: NDArray[np.floating[Any]], sources: Sequence[str],
    *, upto: int | None = None,
) -> NDArray[np.uint8]:  # fmt: skip
    """Draw the bar's path on a copy of the image.

    Args:
        image_bgr: (H, W, 3) uint8; not modified.
        xy_px: (N, 2) positions in this image's pixels, NaN in gaps (no line across a gap).
        sources: N per-point sources ("plate", "wrists", "none"); a segment takes its end's.
        upto: draw points 0..upto only (the path so far at a key frame) and mark point
            `upto`; None draws the whole path and marks nothing.

    Returns:
        (H, W, 3) uint8 copy with the path.

    Raises:
        ValueError: the image is not (H, W, 3) uint8, or xy_px is not (N, 2) with N sources.
    """
    import cv2

    if image_bgr.ndim != 3 or image_bgr.shape[2] != 3 or image_bgr.dtype != np.uint8:
        raise ValueError(f"image must be (H, W, 3) uint8, got {image_bgr.shape} {image_bgr.dtype}")
    pts = np.asarray(xy_px, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[1] != 2 or len(sources) != len(pts):
        raise ValueError(f"xy_px must be (N, 2) with N sources, got {pts.shape}, {len(sources)}")
    out = image_bgr.copy()
    last = len(pts) - 1 if upto is None else min(upto, len(pts) - 1)
    thickness = max(2, round(min(out.shape[:2]) / 200))
    limit = 4.0 * max(out.shape[:2])  # OpenCV takes int32: pull wild points in
    for i in range(1, last + 1):
        a, b = pts[i - 1], pts[i]
        if not (np.isfinite(a).all() and np.isfinite(b).all()):
            continue
        pa = _pixel(a, limit)
        pb = _pixel(b, limit)
        color = PLATE_BGR if sources[i] == "plate" else WRISTS_BGR
        cv2.line(out, pa, pb, OUTLINE_BGR, thickness + 2, cv2.LINE_AA)
        cv2.line(out, pa, pb, color, thickness, cv2.LINE_AA)
    if upto is not None and last >= 0 and np.isfinite(pts[last]).all():
        centre = _pixel(pts[last], limit)
        cv2.circle(out, centre, thickness * 3, OUTLINE_BGR, -1, cv2.LINE_AA)
        cv2.circle(out, centre, thickness * 2, PLATE_BGR, -1, cv2.LINE_AA)
    return out


def _pixel(xy: NDArray[np.float64], limit: float) -> tuple[int, int]:
    x, y = np.clip(xy, -limit, limit)
    return round(float(x)), round(float(y))
