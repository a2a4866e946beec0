"""Annotated output image: skeleton plus verdict colours, and writing it to disk."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np
from numpy.typing import NDArray

from coach.draw import draw_skeleton
from coach.errors import BadInput
from coach.keypoints import Joint

if TYPE_CHECKING:
    from coach.analysis import FrameAnalysis

# BGR. Red = flagged, green = judged and fine, grey = this view cannot judge it.
STATUS_COLORS_BGR: dict[str, tuple[int, int, int]] = {
    "flagged": (40, 40, 230),
    "good": (60, 190, 60),
    "unjudgeable": (170, 170, 170),
}


def annotate(bgr: NDArray[np.uint8], result: FrameAnalysis) -> NDArray[np.uint8]:
    """The photo with the lifter's skeleton; with form verdicts, joints coloured by status.

    Without form verdicts joints are coloured by keypoint confidence (coach.draw's scale).
    """
    kp = result.person.keypoints
    if result.form is None:
        return draw_skeleton(bgr, kp)
    from coach.form import joint_statuses

    statuses = joint_statuses(result.form)
    colors = {j: STATUS_COLORS_BGR[status] for j, (status, _) in statuses.items()}
    labels = {j: label for j, (status, label) in statuses.items() if label}
    return draw_skeleton(bgr, kp, joint_colors_bgr=colors, joint_labels=labels)


def encode_jpeg(bgr: NDArray[np.uint8], quality: int = 90) -> bytes:
    ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise BadInput("could not encode the annotated image")
    return bytes(buf.tobytes())


def write_image(path: Path, bgr: NDArray[np.uint8]) -> None:
    """Write an image; a bad extension or unwritable folder is a BadInput, not a crash."""
    suffix = path.suffix.lower()
    if suffix not in {".jpg", ".jpeg", ".png", ".webp"}:
        raise BadInput(f"--out must end in .jpg, .png or .webp, got {path.name!r}")
    try:
        ok, buf = cv2.imencode(suffix, bgr)
        if not ok:
            raise BadInput(f"could not encode the annotated image as {suffix}")
        path.write_bytes(buf.tobytes())
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror or exc}") from None


__all__ = ["STATUS_COLORS_BGR", "Joint", "annotate", "encode_jpeg", "write_image"]
