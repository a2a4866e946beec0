"""Photo intake: bad inputs are refused with BadImage, odd formats decode to 8-bit BGR,
EXIF orientation is honoured, and downscaled coordinates map back to original pixels."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageFile

from coach.core.errors import BadImage
from coach.core.keypoints import Keypoints, PersonPose
from coach.media.photo import (
    ALPHA_BACKGROUND_BGR,
    LoadedImage,
    box_to_original,
    downscale_for_inference,
    keypoints_to_original,
    load_image,
    person_to_original,
)

EXIF_ORIENTATION = 0x0112


@pytest.fixture(scope="module")
def photo_path(labels: list[dict[str, str]], fixtures: Path) -> Path:
    """A real barbell-squat studio photo from the fixtures."""
    row = next(r for r in labels if r["lift"] == "squat" and r["file"].endswith("/0.jpg"))
    return fixtures / row["file"]


@pytest.fixture(scope="module")
def photo_rgb(photo_path: Path) -> np.ndarray:
    with Image.open(photo_path) as img:
        return np.asarray(img.convert("RGB"))


def _encode(img: Image.Image, fmt: str, **kwargs: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kwargs)
    return buf.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_bilevel(width: int, height: int, *, with_pixels: bool) -> bytes:
    """A black 1-bit PNG of width x height, or just its header when `with_pixels` is False.

    The pixel data is compressed row by row, so a 20000 x 20000 "bomb" (400 M pixels, ~60 kB
    on disk) is built without ever holding the decoded image in memory.
    """
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    body = b""
    if with_pixels:
        packer = zlib.compressobj(9)
        row = bytes(1 + (width + 7) // 8)  # filter byte 0, then all-black packed pixels
        body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
        body = _png_chunk(b"IDAT", body)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + body + _png_chunk(b"IEND", b"")


def _png_header_only(width: int, height: int) -> bytes:
    return _png_bilevel(width, height, with_pixels=False)


# ---- refusals ---------------------------------------------------------------------------


def test_empty_bytes_refused() -> None:
    with pytest.raises(BadImage, match="empty"):
        load_image(b"")


def test_empty_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(BadImage, match="empty"):
        load_image(path)


def test_missing_file_refused(tmp_path: Path) -> None:
    with pytest.raises(BadImage, match="does not exist"):
        load_image(tmp_path / "nope.jpg")


def test_directory_refused(tmp_path: Path) -> None:
    with pytest.raises(BadImage, match="cannot be read"):
        load_image(str(tmp_path))


def test_text_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.jpg"
    path.write_text("squat 100 kg x 5\n" * 20, encoding="utf-8")
    with pytest.raises(BadImage, match="not a photo"):
        load_image(path)


def test_truncated_jpeg_refused_not_padded(photo_path: Path, tmp_path: Path) -> None:
    data = photo_path.read_bytes()
    half = tmp_path / "half.jpg"
    half.write_bytes(data[: len(data) // 2])
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    with pytest.raises(BadImage, match="truncated"):
        load_image(half)
    with pytest.raises(BadImage, match="truncated"):
        load_image(data[: len(data) // 2])


def test_truncated_png_refused(photo_rgb: np.ndarray) -> None:
    data = _encode(Image.fromarray(photo_rgb), "PNG")
    with pytest.raises(BadImage, match="truncated"):
        load_image(data[: len(data) * 2 // 3])


def test_truncation_switch_left_alone_and_enforced(
    photo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_image(photo_path)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError, match="LOAD_TRUNCATED_IMAGES"):
        load_image(photo_path)


def test_oversized_header_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_decoding(self: object) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    # 8000 x 8000 = 64 M pixels: over our 50 M default, under Pillow's own bomb limit.
    with pytest.raises(BadImage, match=r"too large \(8000×8000 pixels\)"):
        load_image(_png_header_only(8000, 8000))


def test_decompression_bomb_refused_even_with_high_limit() -> None:
    # 20000 x 20000 1-bit compresses to almost nothing; Pillow's own bomb check fires here.
    with pytest.raises(BadImage, match="too large"):
        load_image(_png_header_only(20000, 20000), max_pixels=10**12)


def test_real_bomb_png_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_bilevel(20000, 20000, with_pixels=True))
    assert path.stat().st_size < 200_000
    with pytest.raises(BadImage, match="too large"):
        load_image(path)


def test_small_bilevel_png_from_the_same_builder_loads() -> None:
    """Guards the bomb test: the builder makes valid PNGs, so refusal is about size."""
    loaded = load_image(_png_bilevel(40, 30, with_pixels=True))
    assert loaded.bgr.shape == (30, 40, 3) and (loaded.bgr == 0).all()


def test_max_pixels_applies_to_normal_photos(photo_path: Path) -> None:
    with pytest.raises(BadImage, match="too large"):
        load_image(photo_path, max_pixels=1000)


# ---- formats ----------------------------------------------------------------------------


def test_real_jpeg_decodes_to_bgr(photo_path: Path, photo_rgb: np.ndarray) -> None:
    loaded = load_image(photo_path)
    assert isinstance(loaded, LoadedImage)
    assert loaded.format == "JPEG"
    assert loaded.bgr.dtype == np.uint8 and loaded.bgr.flags.c_contiguous
    assert loaded.bgr.shape == (loaded.height_px, loaded.width_px, 3) == (*photo_rgb.shape[:2], 3)
    np.testing.assert_array_equal(loaded.bgr, photo_rgb[..., ::-1])
    assert load_image(photo_path.read_bytes()).bgr.shape == loaded.bgr.shape


@pytest.mark.parametrize(
    ("mode", "fmt", "min_corr"),
    [("L", "JPEG", 0.9), ("CMYK", "JPEG", 0.9), ("P", "PNG", 0.9), ("LA", "PNG", 0.9),
     ("RGB", "WEBP", 0.9), ("F", "TIFF", 0.9), ("I", "TIFF", 0.9),
     ("1", "PNG", 0.3)],  # bilevel is dithered: only a loose likeness survives
    ids=["gray-jpeg", "cmyk-jpeg", "palette-png", "gray-alpha-png", "webp", "float-tiff",
         "int32-tiff", "bilevel-png"],
)  # fmt: skip
def test_odd_formats_decode_to_bgr8(
    photo_rgb: np.ndarray, mode: str, fmt: str, min_corr: float
) -> None:
    img = Image.fromarray(photo_rgb).convert(mode)
    loaded = load_image(_encode(img, fmt))
    assert loaded.bgr.shape == (*photo_rgb.shape[:2], 3)
    assert loaded.bgr.dtype == np.uint8
    assert loaded.format == fmt
    # Still the same picture: close to the original's grey levels (lossy formats allowed).
    gray_ref = np.asarray(Image.fromarray(photo_rgb).convert("L"), dtype=float)
    gray_out = loaded.bgr.astype(float).mean(axis=2)
    assert np.corrcoef(gray_ref.ravel(), gray_out.ravel())[0, 1] > min_corr


def test_sixteen_bit_png_scaled_not_clipped() -> None:
    levels = np.array([[0, 257, 257 * 128, 65535]], dtype=np.uint16).repeat(4, axis=0)
    img = Image.fromarray(levels)
    assert img.mode.startswith("I;16")
    loaded = load_image(_encode(img, "PNG"))
    assert loaded.bgr.shape == (4, 4, 3)
    np.testing.assert_array_equal(loaded.bgr[0, :, 0], [0, 1, 128, 255])
    assert (loaded.bgr[..., 0] == loaded.bgr[..., 2]).all()


def test_rgba_composited_on_grey() -> None:
    rgba = np.zeros((4, 6, 4), dtype=np.uint8)
    rgba[:, :3] = (255, 0, 0, 255)  # opaque red on the left, fully transparent on the right
    loaded = load_image(_encode(Image.fromarray(rgba, "RGBA"), "PNG"))
    assert tuple(loaded.bgr[0, 0]) == (0, 0, 255)
    assert tuple(loaded.bgr[0, 5]) == ALPHA_BACKGROUND_BGR


def test_cmyk_colours_survive() -> None:
    rgb = np.zeros((16, 16, 3), dtype=np.uint8)
    rgb[:, :8] = (200, 30, 30)
    loaded = load_image(_encode(Image.fromarray(rgb).convert("CMYK"), "JPEG", quality=95))
    b, g, r = loaded.bgr[8, 2].astype(int)
    assert r > 150 and g < 80 and b < 80


# ---- EXIF orientation -------------------------------------------------------------------

# Stored pixels = upright pixels transposed by `stored`; the tag tells viewers to undo it.
ORIENTATIONS = [
    (3, Image.Transpose.ROTATE_180),
    (6, Image.Transpose.ROTATE_90),
    (8, Image.Transpose.ROTATE_270),
    (2, Image.Transpose.FLIP_LEFT_RIGHT),
]


def rotated_copy(upright_rgb: np.ndarray, orientation: int, fmt: str) -> bytes:
    """Encoded copy whose pixels are turned and whose EXIF tag turns them back."""
    stored = dict(ORIENTATIONS)[orientation]
    img = Image.fromarray(upright_rgb).transpose(stored)
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = orientation
    return _encode(img, fmt, exif=exif.tobytes(), **({"quality": 95} if fmt == "JPEG" else {}))


@pytest.mark.parametrize("orientation", [o for o, _ in ORIENTATIONS])
def test_exif_orientation_restores_upright_pixels(photo_rgb: np.ndarray, orientation: int) -> None:
    data = rotated_copy(photo_rgb, orientation, "PNG")
    with Image.open(io.BytesIO(data)) as raw:
        assert raw.getexif()[EXIF_ORIENTATION] == orientation
        if orientation in (6, 8):  # stored sideways: width and height swapped
            assert raw.size == (photo_rgb.shape[0], photo_rgb.shape[1])
    loaded = load_image(data)
    np.testing.assert_array_equal(loaded.bgr, photo_rgb[..., ::-1])
    assert (loaded.width_px, loaded.height_px) == (photo_rgb.shape[1], photo_rgb.shape[0])


def test_exif_orientation_jpeg(photo_rgb: np.ndarray) -> None:
    loaded = load_image(rotated_copy(photo_rgb, 6, "JPEG"))
    assert loaded.bgr.shape == (*photo_rgb.shape[:2], 3)
    assert np.abs(loaded.bgr.astype(int) - photo_rgb[..., ::-1]).mean() < 4.0


# ---- downscale and coordinate mapping ---------------------------------------------------


def test_downscale_shrinks_longest_side() -> None:
    big = np.zeros((500, 1000, 3), dtype=np.uint8)
    small, scale = downscale_for_inference(big, 400)
    assert small.shape == (200, 400, 3) and small.dtype == np.uint8
    assert scale == pytest.approx(0.4)


def test_downscale_never_enlarges() -> None:
    image = np.zeros((300, 200, 3), dtype=np.uint8)
    same, scale = downscale_for_inference(image, 300)
    assert same is image and scale == 1.0


@pytest.mark.parametrize("bad_side", [0, -5])
def test_downscale_rejects_bad_side(bad_side: int) -> None:
    with pytest.raises(ValueError, match="max_side_px"):
        downscale_for_inference(np.zeros((10, 10, 3), dtype=np.uint8), bad_side)


def test_blob_position_round_trips_through_downscale() -> None:
    """A bright square found on the small image maps back to its original position."""
    big = np.zeros((1200, 1600, 3), dtype=np.uint8)
    big[400:440, 1000:1040] = 255  # continuous centre (1020, 420) in original pixels
    small, scale = downscale_for_inference(big, 400)
    weights = small[..., 0].astype(float)
    rows, cols = np.indices(weights.shape)
    centre_small = (
        np.array([((cols + 0.5) * weights).sum(), ((rows + 0.5) * weights).sum()]) / weights.sum()
    )
    kp = Keypoints.single(np.tile(centre_small, (17, 1)), np.full(17, 0.9))
    back = keypoints_to_original(kp, scale)
    np.testing.assert_allclose(back.xy[0, 0], (1020, 420), atol=1.0)
    np.testing.assert_allclose(back.score, kp.score)


def test_keypoints_boxes_and_persons_map_back() -> None:
    xy = np.arange(34, dtype=np.float32).reshape(17, 2)
    xy[3] = np.nan
    world = np.ones((17, 3), dtype=np.float32)
    kp = Keypoints.single(xy, np.full(17, 0.5), world)
    back = keypoints_to_original(kp, 0.25)
    np.testing.assert_allclose(back.xy[0], xy * 4)
    assert np.isnan(back.xy[0, 3]).all()
    np.testing.assert_array_equal(back.world_xyz, kp.world_xyz)  # metres do not scale
    assert box_to_original((10, 20, 30, 40), 0.5) == (20, 40, 60, 80)
    person = person_to_original(PersonPose(kp, (1, 2, 3, 4), 0.7), 0.5)
    assert person.bbox_xywh == (2, 4, 6, 8) and person.detection_score == 0.7
    np.testing.assert_allclose(person.keypoints.xy[0, 1], xy[1] * 2)


@pytest.mark.parametrize("scale", [0.0, -1.0, float("nan")])
def test_bad_scale_rejected(scale: float) -> None:
    kp = Keypoints.single(np.zeros((17, 2)))
    with pytest.raises(ValueError, match="scale"):
        keypoints_to_original(kp, scale)


def test_a_truncated_jpeg_with_an_end_marker_appended_is_refused() -> None:
    rng = np.random.default_rng(0)
    img = cv2.GaussianBlur((rng.random((480, 640, 3)) * 255).astype(np.uint8), (9, 9), 3)
    ok, buf = cv2.imencode(".jpg", img)
    assert ok
    whole = buf.tobytes()
    assert load_image(whole).bgr.shape == (480, 640, 3)
    with pytest.raises(BadImage, match="truncated"):
        load_image(whole[: len(whole) // 2] + b"\xff\xd9")
