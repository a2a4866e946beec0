"""The Gold page's work: draw gold poses, and replace one view's gold from a coach's photo."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from coach.draw import draw_skeleton
from coach.keypoints import Keypoints
from coach.pose import PoseEstimator

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


@dataclass(frozen=True)
class GoldReplacement:
    """A saved gold pose: where it went and how it looks."""

    path: Path
    keypoints: Keypoints


def replace_gold_from_photo(
    image: bytes,
    estimator: PoseEstimator,
    override_dir: Path,
    *,
    lift: str,
    view: str,
    phase: str,
) -> GoldReplacement:
    """Make a gold pose from the coach's reference photo, validate it, and save it.

    Raises:
        BadImage, NoPersonFound: the photo cannot give a pose.
        GoldAnnotationError: the pose does not pass the gold checks (message says why).
    """
    from coach.gold import gold_from_photo, load_gold, save_gold_override, validate_gold

    doc = gold_from_photo(image, estimator, lift=lift, view=view, phase=phase)
    validate_gold(doc)
    path = Path(save_gold_override(doc, override_dir))
    # Read it back through the same loader the scorer uses, so what is shown is what counts.
    pose = load_gold(lift, override_dir=override_dir).pose(view, phase)
    return GoldReplacement(path, pose.keypoints)
