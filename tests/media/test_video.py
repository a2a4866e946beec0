"""Video intake: bad files are refused with clear messages; real clips decode right."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from coach.core.errors import BadVideo, LiftCoachError
from coach.media.video import VideoFrame, iter_frames, probe_video

SMALL_CLIP = "gym_tracker_Jurisimo00/videos/squat.mp4"  # 640x360, 23.976 fps, 14.47 s
HD_CLIP = "gym-app-ai_TheSebitzu/videos/videos__bench_press_warmup.mp4"  # 1080p59.94, 1.28 s


def _make_clip(
    path: Path, *, n_frames: int = 10, fps: int = 10, rotation_ccw: float | None = None
) -> Path:
    """A 64x48 H.264 clip whose frames carry a red block in the top-left corner."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        if rotation_ccw is not None:
            stream.set_display_rotation(rotation_ccw)  # the display matrix phones write
        for _ in range(n_frames):
            img = np.zeros((48, 64, 3), np.uint8)
            img[:12, :16] = (0, 0, 255)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="bgr24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _red_block_centre(bgr: np.ndarray) -> tuple[float, float]:
    ys, xs = np.nonzero(bgr[..., 2] > 128)
    return float(ys.mean()) / bgr.shape[0], float(xs.mean()) / bgr.shape[1]


def _refusal(path: Path) -> str:
    with pytest.raises(BadVideo) as info:
        list(iter_frames(path))
    assert isinstance(info.value, LiftCoachError)
    return str(info.value)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp4"
    path.write_bytes(b"")
    assert "empty (0 bytes)" in _refusal(path)


def test_missing_file(tmp_path: Path) -> None:
    assert "not found" in _refusal(tmp_path / "nope.mp4")


def test_text_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("squat 3x5 at 100 kg\n" * 50, encoding="utf-8")
    assert "not a video we can read" in _refusal(path)


def test_truncated_mp4_cut_mid_stream(fixtures: Path, tmp_path: Path) -> None:
    data = (fixtures / SMALL_CLIP).read_bytes()
    path = tmp_path / "half.mp4"
    path.write_bytes(data[: len(data) // 2])  # moov first: it opens, then the pictures stop
    message = _refusal(path)
    assert "truncated" in message and "should last 14.5 s" in message


def test_truncated_mp4_cut_in_the_header(fixtures: Path, tmp_path: Path) -> None:
    path = tmp_path / "head.mp4"
    path.write_bytes((fixtures / SMALL_CLIP).read_bytes()[:4000])
    message = _refusal(path)
    assert "incomplete (truncated?)" in message
    with pytest.raises(BadVideo, match="truncated"):
        probe_video(path)


def test_truncated_mp4_without_its_index(tmp_path: Path) -> None:
    # Muxers that write the index (moov) last leave nothing playable when cut short.
    full = _make_clip(tmp_path / "full.mp4", n_frames=30).read_bytes()
    assert full.find(b"moov") > full.find(b"mdat")
    path = tmp_path / "cut.mp4"
    path.write_bytes(full[: len(full) * 2 // 3])
    assert "incomplete (truncated?)" in _refusal(path)


def test_audio_only_file(tmp_path: Path) -> None:
    import av

    path = tmp_path / "voice_memo.m4a"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=16000)
        samples = np.zeros((1, 16000), dtype=np.float32)
        frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
        frame.sample_rate = 16000
        for packet in [*stream.encode(frame), *stream.encode()]:
            container.mux(packet)
    assert "sound but no picture" in _refusal(path)


def test_caps_on_length_and_size_are_stated(fixtures: Path) -> None:
    clip = fixtures / SMALL_CLIP
    with pytest.raises(BadVideo, match=r"14 s long; the limit is 10 s"):
        next(iter_frames(clip, max_duration_s=10))
    with pytest.raises(BadVideo, match=r"640x360 \(0.2 MP\); the limit is 0.1 MP"):
        next(iter_frames(clip, max_pixels=100_000))


def test_real_clip_probe_and_sampling(fixtures: Path) -> None:
    clip = fixtures / SMALL_CLIP
    info = probe_video(clip)
    assert (info.width_px, info.height_px) == (640, 360)
    assert info.fps == pytest.approx(23.976, abs=0.01)
    assert info.duration_s == pytest.approx(14.47, abs=0.05)
    assert info.n_frames_est == 347 and info.rotation_deg == 0 and info.codec == "h264"

    frames = list(iter_frames(clip, target_fps=5.0, max_side_px=320))
    assert len(frames) == pytest.approx(info.duration_s * 5.0, abs=1)  # 73 ± 1
    assert [f.index for f in frames] == list(range(len(frames)))
    times = np.array([f.t_s for f in frames])
    assert times[0] == 0.0
    np.testing.assert_allclose(np.diff(times), 0.2, atol=1.0 / info.fps)  # on the 5 fps grid
    assert len({f.source_index for f in frames}) == len(frames)  # never a duplicate
    assert frames[0].bgr.shape == (180, 320, 3) and frames[0].bgr.dtype == np.uint8


def test_hd_clip_full_rate_and_no_upsampling(fixtures: Path) -> None:
    clip = fixtures / HD_CLIP
    info = probe_video(clip)
    assert (info.width_px, info.height_px, info.n_frames_est) == (1920, 1080, 77)
    assert info.fps == pytest.approx(59.94, abs=0.01)
    all_frames = list(iter_frames(clip, max_side_px=192))
    assert len(all_frames) == 77
    # Asking for more than the clip has gives each frame once, never a copy.
    assert len(list(iter_frames(clip, target_fps=120.0, max_side_px=96))) == 77
    assert len(list(iter_frames(clip, target_fps=10.0, max_side_px=96))) == 13  # 1.28 s


@pytest.mark.parametrize(
    ("rotation_ccw", "rotation_cw", "block_at"),
    [
        (None, 0, (0.12, 0.12)),
        (-90, 90, (0.12, 0.88)),  # phone portrait: turn clockwise, top-left goes top-right
        (90, 270, (0.88, 0.12)),
        (180, 180, (0.88, 0.88)),
    ],
    ids=["none", "cw90", "ccw90", "180"],
)
def test_rotation_metadata_is_applied(
    tmp_path: Path, rotation_ccw: float | None, rotation_cw: int, block_at: tuple[float, float]
) -> None:
    path = _make_clip(tmp_path / "phone.mp4", rotation_ccw=rotation_ccw)
    info = probe_video(path)
    assert info.rotation_deg == rotation_cw
    upright = (48, 64) if rotation_cw in (90, 270) else (64, 48)
    assert (info.width_px, info.height_px) == upright
    frame = next(iter_frames(path))
    assert frame.bgr.shape == (upright[1], upright[0], 3) and frame.bgr.flags.c_contiguous
    assert _red_block_centre(frame.bgr) == pytest.approx(block_at, abs=0.05)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg CLI not installed")
def test_rotation_matches_ffmpeg_autorotate(tmp_path: Path) -> None:
    path = _make_clip(tmp_path / "portrait.mp4", rotation_ccw=-90)
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-frames:v", "1", "-f", "rawvideo",
         "-pix_fmt", "bgr24", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    ours = next(iter_frames(path)).bgr
    theirs = np.frombuffer(raw, np.uint8).reshape(ours.shape)
    assert np.abs(ours.astype(int) - theirs.astype(int)).mean() < 2.0


def test_progress_reaches_one(fixtures: Path) -> None:
    seen: list[float] = []
    frames: list[VideoFrame] = list(
        iter_frames(fixtures / HD_CLIP, target_fps=10.0, max_side_px=96, progress=seen.append)
    )
    assert frames and seen[-1] == 1.0
    assert all(0.0 <= p <= 1.0 for p in seen) and seen == sorted(seen)
    assert len(seen) >= 10


def test_no_decodable_pictures(fixtures: Path, tmp_path: Path) -> None:
    data = bytearray((fixtures / SMALL_CLIP).read_bytes())
    mdat = data.find(b"mdat")
    data[mdat + 4 :] = bytes(len(data) - mdat - 4)  # index intact, every picture zeroed
    path = tmp_path / "zeroed.mp4"
    path.write_bytes(bytes(data))
    assert "cannot be decoded" in _refusal(path)


def _ffmpeg_clip(out: Path, size: str, rate: int, seconds: float) -> Path:
    """A grey WebM written to a pipe, so (like a browser recording) it states no duration."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg not installed")
    cmd = ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi",
           "-i", f"color=c=gray:s={size}:r={rate}:d={seconds}", "-c:v", "libvpx", "-b:v", "20k",
           "-deadline", "realtime", "-cpu-used", "8", "-f", "webm", "pipe:1"]  # fmt: skip
    with out.open("wb") as fh:
        subprocess.run(cmd, stdout=fh, check=True, timeout=300)
    return out


def test_a_long_clip_without_a_stated_duration_is_refused_within_seconds(tmp_path: Path) -> None:
    import time

    clip = _ffmpeg_clip(tmp_path / "twenty-minutes.webm", "64x64", 2, 1200)
    started = time.perf_counter()
    with pytest.raises(BadVideo, match=r"1200 s long; the limit is 600 s"):
        next(iter_frames(clip))
    assert time.perf_counter() - started < 5.0
    assert probe_video(clip).duration_s > 600


def test_the_4k_cap_applies_to_clips_whatever_limit_is_passed(tmp_path: Path) -> None:
    clip = _ffmpeg_clip(tmp_path / "eight-k.webm", "7680x4320", 1, 1)
    with pytest.raises(BadVideo, match="4K"):
        next(iter_frames(clip, max_pixels=50_000_000))
