"""A pose drawn alone on a blank canvas (gold poses, reference skeletons)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from coach.core.keypoints import Keypoints
from coach.render.draw import draw_skeleton

CANVAS_WH_PX = (300, 400)


CANVAS_BGR = (248, 248, 248)


MARGIN_PX = 24


def skeleton_canvas(kp: Keypoints, size_wh: tuple[int, int] = CANVAS_WH_PX) -> NDArray[np.uint8]:
    """The pose drawn on a blank canvas, scaled and centred to fit (aspect ratio kept).

    Returns:
        (H, W, 3) uint8 RGB (what `st.image` expects by default).
    """
    width, height = size_wh
    canvas = np.full((height, width, 3), CANVAS_BGR, dtype=np.uint8)
    box = kp.bbox_xywh()
    if box is None:
        return canvas[..., ::-1].copy()
    x, y, w, h = box
    scale = min((width - 2 * MARGIN_PX) / max(w, 1e-6), (height - 2 * MARGIN_PX) / max(h, 1e-6))
    offset = np.array(
        [(width - w * scale) / 2 - x * scale, (height - h * scale) / 2 - y * scale],
        dtype=np.float32,
    )
    fitted = Keypoints(kp.xy[:1] * np.float32(scale) + offset, kp.score[:1])
    drawn = draw_skeleton(canvas, fitted)
    return drawn[..., ::-1].copy()
