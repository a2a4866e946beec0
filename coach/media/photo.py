"""Photo intake: decode any photo Pillow opens into 8-bit BGR, safely, and map coordinates
between the inference-sized copy and the original.

Conventions:
- Pixel coordinates are continuous: x=0 is the left edge of the first pixel column, so
  scaling an image by `s` scales every coordinate by exactly `s` (no half-pixel shift).
  MediaPipe's normalised landmarks times the image size follow the same convention.
- `scale` always means "model px = original px * scale"; `scale <= 1` (we never upscale).
- Transparent pixels are composited on neutral mid-grey (`ALPHA_BACKGROUND_BGR`), not white:
  a cut-out lifter on white loses the edge of a white shirt or pale skin, on black the edge of
  dark clothing; mid-grey keeps contrast with both, so the pose model sees the silhouette.

Safety: the pixel count is checked from the header BEFORE any decoding (decompression
bombs), the whole image is decoded inside a try block so a truncated file is refused instead
of being returned half grey, and no global Pillow setting is touched.
"""

from __future__ import annotations

import io
import logging
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from coach.core.errors import BadImage
from coach.core.keypoints import Keypoints, PersonPose

log = logging.getLogger(__name__)

ALPHA_BACKGROUND_BGR: tuple[int, int, int] = (128, 128, 128)
_SIXTEEN_BIT_MODES = frozenset({"I;16", "I;16B", "I;16L", "I;16N"})


@dataclass(frozen=True)
class LoadedImage:
    """A decoded photo, upright (EXIF orientation applied), as 8-bit BGR.

    Attributes:
        bgr: (H, W, 3) uint8, C-contiguous, in OpenCV channel order.
        width_px: W after the EXIF rotation.
        height_px: H after the EXIF rotation.
        format: Pillow's name of the file format, e.g. "JPEG", "PNG", "WEBP".
    """

    bgr: NDArray[np.uint8]
    width_px: int
    height_px: int
    format: str


def load_image(source: bytes | str | Path, *, max_pixels: int = 50_000_000) -> LoadedImage:
    """Decode a photo from bytes or a file path into upright 8-bit BGR.

    Args:
        source: the file's bytes, or a path to it.
        max_pixels: refuse images with more pixels than this (checked from the header,
            before decoding).

    Returns:
        LoadedImage with `bgr` of shape (H, W, 3) uint8.

    Raises:
        BadImage: empty or missing file, not an image, truncated or corrupt data, or an
            image larger than `max_pixels`.
    """
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Someone enabled Pillow's global "pad truncated files with grey" switch; we would
        # then hand half-grey photos to the pose model. That is a bug in the process setup.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is enabled; LiftCoach needs it off")
    import cv2

    with _open_source(source) as stream, _open_image(stream) as img:
        _check_size(img, max_pixels)
        fmt = str(img.format or "unknown")
        if fmt in {"JPEG", "MPO"}:
            _require_complete_jpeg(stream)
        bgr = _fast_jpeg_bgr(img, stream)
        if bgr is None:
            bgr = cv2.cvtColor(_decode_upright_rgb(img), cv2.COLOR_RGB2BGR)
    return LoadedImage(bgr=bgr, width_px=int(bgr.shape[1]), height_px=int(bgr.shape[0]), format=fmt)


def _fast_jpeg_bgr(img: Image.Image, stream: IO[bytes]) -> NDArray[np.uint8] | None:
    """OpenCV's decoder for the common case, a complete upright 8-bit RGB or grey JPEG.

    It is ~2x faster than Pillow's path here and gives BGR directly. OpenCV pads a truncated
    JPEG with grey instead of failing, so this path is taken only when the data ends with the
    JPEG end-of-image marker; anything else (truncated, CMYK, EXIF-rotated, PNG, WebP) goes
    through Pillow, which refuses damaged files. None = not this case.
    """
    import cv2

    if img.format != "JPEG" or img.mode not in {"RGB", "L"} or _orientation(img) != 1:
        return None
    stream.seek(0)
    data = stream.read()
    if not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        return None
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if bgr is None or bgr.shape[:2] != (img.size[1], img.size[0]):
        return None
    return np.asarray(bgr, dtype=np.uint8)


def _require_complete_jpeg(stream: IO[bytes]) -> None:
    """Refuse a JPEG whose compressed data ends early, even when an end marker follows it.

    libjpeg (under both OpenCV and Pillow) only warns about such data and pads the rest of the
    picture with grey, which gives a wrong lift and false flags. FFmpeg's JPEG decoder with
    error detection set to "explode" fails on it instead; it costs about one more decode
    (docs/safe-to-host.md has the timing).

    Raises:
        BadImage: the data is damaged or cut short.
    """
    import av

    stream.seek(0)
    data = stream.read()
    stream.seek(0)
    try:
        codec = av.CodecContext.create("mjpeg", "r")
        codec.options = {"err_detect": "explode+crccheck+bitstream+buffer+careful"}
        frames = codec.decode(av.Packet(data)) + codec.decode(None)
    except av.FFmpegError:
        frames = []
    if not frames:
        raise BadImage(
            "The photo is truncated or damaged: part of the picture is missing. "
            "Please send the file again."
        )


def _orientation(img: Image.Image) -> int:
    """The EXIF orientation tag (1 = upright, also when absent or unreadable)."""
    try:
        return int(img.getexif().get(0x0112, 1))
    except (OSError, SyntaxError, ValueError, TypeError):
        return 1


def _open_source(source: bytes | str | Path) -> IO[bytes]:
    """A readable binary stream over `source`; refuses empty and missing inputs."""
    if isinstance(source, bytes | bytearray | memoryview):
        if len(source) == 0:
            raise BadImage("The photo is empty (0 bytes). Please choose the file again.")
        return io.BytesIO(bytes(source))
    path = Path(os.fspath(source))
    try:
        if path.stat().st_size == 0:
            raise BadImage(f"The photo file {path.name!r} is empty (0 bytes).")
        return path.open("rb")
    except FileNotFoundError:
        raise BadImage(f"The photo file {str(path)!r} does not exist.") from None
    except OSError as exc:
        raise BadImage(f"The photo file {path.name!r} cannot be read: {exc.strerror}.") from None


def _open_image(stream: IO[bytes]) -> Image.Image:
    """Read the header only (Pillow decodes lazily)."""
    try:
        return Image.open(stream)
    except UnidentifiedImageError:
        raise BadImage("This file is not a photo we can read (JPEG, PNG, WebP...).") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BadImage(_too_large_message(None)) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise BadImage(f"The photo is damaged and cannot be opened ({exc}).") from None


def _too_large_message(size: tuple[int, int] | None) -> str:
    dims = f" ({size[0]}×{size[1]} pixels)" if size else ""
    return f"The photo is too large{dims}. Please resize it or send a smaller one."


def _check_size(img: Image.Image, max_pixels: int) -> None:
    width, height = img.size
    if width <= 0 or height <= 0:
        raise BadImage("The photo has no pixels (zero width or height).")
    if width * height > max_pixels:
        raise BadImage(f"{_too_large_message((width, height))} The limit is {max_pixels:,} pixels.")


def _decode_upright_rgb(img: Image.Image) -> NDArray[np.uint8]:
    """Force a full decode, apply EXIF orientation, and convert to (H, W, 3) uint8 RGB."""
    try:
        img.load()  # decodes every byte now, so truncation raises here and not later
        # exif_transpose copies even an upright image: only call it when it will turn.
        upright = (ImageOps.exif_transpose(img) or img) if _orientation(img) != 1 else img
        return _to_rgb8(upright)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BadImage(_too_large_message(img.size)) from None
    except (OSError, SyntaxError, ValueError, EOFError, KeyError, IndexError) as exc:
        log.info("photo decode failed: %s", exc)
        raise BadImage(
            "The photo is truncated or damaged (it may not have finished uploading). "
            "Please send it again."
        ) from None


def _to_rgb8(img: Image.Image) -> NDArray[np.uint8]:
    """Any Pillow mode to (H, W, 3) uint8 RGB; see `_high_depth_to_u8` for 16-bit and float."""
    if img.mode in _SIXTEEN_BIT_MODES or img.mode in {"I", "F"}:
        gray = _high_depth_to_u8(np.asarray(img), img.mode)
        return np.repeat(gray[..., None], 3, axis=2)
    if "A" in img.getbands() or "transparency" in img.info or img.mode in {"La", "PA"}:
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (*ALPHA_BACKGROUND_BGR[::-1], 255))
        img = Image.alpha_composite(background, rgba)
    rgb: NDArray[np.uint8] = np.asarray(img if img.mode == "RGB" else img.convert("RGB"),
                                        dtype=np.uint8)
    return rgb


def _high_depth_to_u8(values: NDArray[np.generic], mode: str) -> NDArray[np.uint8]:
    """One channel of 16-bit, 32-bit integer or float samples to 0..255.

    16-bit data is divided by 257 (65535 -> 255). 32-bit integers that fit in 8 or 16 bits
    are treated as such (Pillow opens some 16-bit PNGs as "I"). Floats in [0, 1] are scaled
    by 255, floats in [0, 255] kept. Anything else is stretched min..max, since its range has
    no standard meaning.
    """
    arr = values.astype(np.float64)
    finite = arr[np.isfinite(arr)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    if mode in _SIXTEEN_BIT_MODES or (mode == "I" and lo >= 0 and hi > 255 and hi <= 65535):
        out = arr / 257.0
    elif lo >= 0 and hi <= 255 and (mode == "I" or hi > 1):
        out = arr
    elif lo >= 0 and hi <= 1:  # only floats reach here: "I" in [0, 1] took the branch above
        out = arr * 255.0
    else:
        out = (arr - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(arr)
    gray: NDArray[np.uint8] = np.clip(np.nan_to_num(np.rint(out)), 0, 255).astype(np.uint8)
    return gray


def downscale_for_inference(
    bgr: NDArray[np.uint8], max_side_px: int
) -> tuple[NDArray[np.uint8], float]:
    """Shrink an image so its longest side is at most `max_side_px` (never enlarges).

    Args:
        bgr: (H, W, 3) uint8 image.
        max_side_px: the longest side allowed, in pixels (> 0).

    Returns:
        (image, scale): the (h, w, 3) uint8 image given to the model, and the factor with
        model px = original px * scale. When no shrinking is needed, `bgr` itself (not a copy)
        and 1.0. Rounding the new size to whole pixels costs under half a pixel per axis.

    Raises:
        ValueError: `max_side_px` is not positive or `bgr` is not (H, W, 3).
    """
    import cv2

    if max_side_px <= 0:
        raise ValueError(f"max_side_px must be positive, got {max_side_px}")
    if bgr.ndim != 3 or bgr.shape[2] != 3:
        raise ValueError(f"image must be (H, W, 3), got {bgr.shape}")
    height, width = bgr.shape[:2]
    longest = max(height, width)
    if longest <= max_side_px:
        return bgr, 1.0
    scale = max_side_px / longest
    size_wh = (max(1, round(width * scale)), max(1, round(height * scale)))
    # INTER_AREA averages the source pixels under each output pixel: no aliasing on shrink.
    small: NDArray[np.uint8] = np.asarray(
        cv2.resize(bgr, size_wh, interpolation=cv2.INTER_AREA), dtype=np.uint8
    )
    return small, scale


def _check_scale(scale: float) -> None:
    if not (np.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive finite number, got {scale}")


def keypoints_to_original(kp: Keypoints, scale: float) -> Keypoints:
    """Map keypoints found on a downscaled image back to original pixels.

    Args:
        kp: keypoints in model pixels, xy (T, 17, 2).
        scale: the factor returned by `downscale_for_inference`.

    Returns:
        Keypoints with xy / scale; scores and world_xyz (metres, scale-free) unchanged.

    Raises:
        ValueError: `scale` is not a positive finite number.
    """
    _check_scale(scale)
    return replace(kp, xy=kp.xy / np.float32(scale), feet_xy=kp.feet / np.float32(scale))


def box_to_original(
    bbox_xywh: tuple[float, float, float, float], scale: float
) -> tuple[float, float, float, float]:
    """Map an (x, y, w, h) box in model pixels back to original pixels (divide by `scale`).

    Raises:
        ValueError: `scale` is not a positive finite number.
    """
    _check_scale(scale)
    x, y, w, h = bbox_xywh
    return x / scale, y / scale, w / scale, h / scale


def person_to_original(person: PersonPose, scale: float) -> PersonPose:
    """A PersonPose found on a downscaled image, with keypoints and box in original pixels.

    Raises:
        ValueError: `scale` is not a positive finite number.
    """
    return PersonPose(
        keypoints=keypoints_to_original(person.keypoints, scale),
        bbox_xywh=box_to_original(person.bbox_xywh, scale),
        detection_score=person.detection_score,
        silhouette=None if person.silhouette is None else person.silhouette.scaled(1 / scale),
    )
