"""Output images: verdict colours, JPEG encoding, thumbnails, and writing an image to disk."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from coach.core.errors import BadInput

# BGR. Red = flagged, green = judged and fine, grey = this view cannot judge it.
STATUS_COLORS_BGR: dict[str, tuple[int, int, int]] = {
    "flagged": (40, 40, 230),
    "good": (60, 190, 60),
    "unjudgeable": (170, 170, 170),
}


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


THUMBNAIL_WIDTH_PX = 240


def thumbnail_jpeg(bgr: NDArray[np.uint8], width_px: int = THUMBNAIL_WIDTH_PX) -> bytes:
    """A small JPEG of a frame, `width_px` wide, keeping the aspect ratio."""
    height, width = bgr.shape[:2]
    if width > width_px:
        size = (width_px, max(1, round(height * width_px / width)))
        bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA).astype(np.uint8)
    return encode_jpeg(bgr, quality=80)
