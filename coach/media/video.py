"""Video intake: probe a clip, refuse what we cannot use, and decode upright BGR frames.

Decoding uses PyAV (FFmpeg), imported inside the functions, so importing this module is cheap.

Conventions:
- Times come from the stream's own timestamps (`pts`), so variable-frame-rate phone clips keep
  their real timing. `t_s` is measured from the first video frame (the first frame has 0.0).
- Rotation metadata (the display matrix that phones write, or the legacy `rotate` tag) is
  applied, so frames come out upright. `VideoInfo.width_px`/`height_px` are the upright size.
- `target_fps` sampling keeps a source frame when it is the first one at or after the next
  tick of a 1/target_fps grid; a source frame is used at most once, so frames are never
  duplicated, and a clip slower than `target_fps` yields every frame.

Limits (lifter-facing; raise `BadVideo` with the cap in the message):
- `DEFAULT_MAX_DURATION_S` = 600 s (10 min): a set is well under a minute; longer uploads are
  almost always the wrong file and would tie up the worker.
- `DEFAULT_MAX_PIXELS` = 3840 x 2160 (4K UHD): larger frames gain nothing for pose estimation.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from coach.core.errors import BadVideo

log = logging.getLogger(__name__)

DEFAULT_MAX_DURATION_S = 600.0
DEFAULT_MAX_PIXELS = 3840 * 2160
# A decoded clip that stops this much before its declared end is reported as truncated.
_TRUNCATION_SLACK_S = 0.5
_TRUNCATION_SLACK_FRACTION = 0.02


@dataclass(frozen=True)
class VideoInfo:
    """What `probe_video` learned about a clip.

    Attributes:
        width_px, height_px: upright frame size (after applying `rotation_deg`).
        fps: average frame rate of the video stream (frames per second).
        duration_s: length of the video stream in seconds.
        n_frames_est: frame count from the container, else `duration_s * fps`, rounded.
        rotation_deg: clockwise rotation (0, 90, 180 or 270) applied to stored frames to show
            them upright; the same meaning as the legacy `rotate` tag (an iPhone portrait = 90).
        codec: FFmpeg codec name, e.g. "h264", "hevc", "vp9".
    """

    width_px: int
    height_px: int
    fps: float
    duration_s: float
    n_frames_est: int
    rotation_deg: int
    codec: str


@dataclass(frozen=True)
class VideoFrame:
    """One decoded, upright frame.

    Attributes:
        index: position in the yielded sequence (0, 1, 2, ... after `target_fps` sampling).
        t_s: presentation time in seconds from the first video frame.
        bgr: (H, W, 3) uint8 image, upright, C-contiguous.
        source_index: position of this frame among all decoded frames of the clip.
    """

    index: int
    t_s: float
    bgr: NDArray[np.uint8]
    source_index: int


def _open(path: Path) -> Any:
    """Open a container, turning every failure into a lifter-readable `BadVideo`."""
    import av

    if not path.is_file():
        raise BadVideo(f"Video file not found: {path.name}")
    if os.path.getsize(path) == 0:
        raise BadVideo(f"The video file {path.name} is empty (0 bytes). Please upload it again.")
    try:
        return av.open(str(path), mode="r")
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        with path.open("rb") as fh:
            head = fh.read(12)
        if head[4:8] == b"ftyp":
            raise BadVideo(
                f"{path.name} looks like an MP4/MOV but is incomplete (truncated?): the upload "
                "or copy probably stopped early. Please export or upload it again."
            ) from exc
        raise BadVideo(
            f"{path.name} is not a video we can read. Please upload an MP4, MOV or WebM clip."
        ) from exc


def _rotation_cw(stream: Any, first_frame: Any | None) -> int:
    """Clockwise degrees to make frames upright, from the display matrix or `rotate` tag."""
    ccw = getattr(first_frame, "rotation", 0) if first_frame is not None else 0
    if ccw:
        return round(-float(ccw) / 90.0) * 90 % 360
    tag = stream.metadata.get("rotate")
    try:
        return round(float(tag) / 90.0) * 90 % 360 if tag else 0
    except ValueError:
        return 0


def _stream_duration_s(container: Any, stream: Any) -> float:
    """Video stream duration, falling back to the container duration; 0 when unknown."""
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return float(container.duration) / 1e6
    return 0.0


def _packet_duration_s(path: Path, stop_after_s: float) -> float:
    """The video's length from its packets' timestamps, without decoding a frame.

    Demuxing is cheap (a 20-minute WebM takes well under a second), so a clip that does not
    state its length is measured before any decoding, and a too-long one is refused at once.
    Stops reading once `stop_after_s` is passed (that is enough to refuse it).
    """
    with _open(path) as container:
        stream = container.streams.video[0]
        if stream.time_base is None:
            return 0.0
        first: float | None = None
        last = 0.0
        try:
            for packet in container.demux(stream):
                if packet.pts is None:
                    continue
                t = float(packet.pts * stream.time_base)
                first = t if first is None else min(first, t)
                last = max(last, t)
                if last - first > stop_after_s:
                    break
        except Exception as exc:  # av.FFmpegError on a damaged tail: decoding will say more
            log.debug("stopped measuring %s: %s", path.name, exc)
        return 0.0 if first is None else last - first


def _first_frame(container: Any, stream: Any, name: str) -> Any:
    """Decode the first picture; `BadVideo` when there is none."""
    import av

    try:
        for frame in container.decode(stream):
            return frame
    except av.FFmpegError as exc:
        raise BadVideo(
            f"{name} has a video track but its pictures cannot be decoded (damaged or "
            "truncated file?)."
        ) from exc
    raise BadVideo(f"{name} has a video track but no picture frames could be decoded.")


def _video_stream(container: Any, name: str) -> Any:
    if not container.streams.video:
        kind = "sound but no picture" if container.streams.audio else "no video track"
        raise BadVideo(f"{name} has {kind}. Please upload a video of the lift.")
    return container.streams.video[0]


def probe_video(path: str | Path) -> VideoInfo:
    """Read a clip's size, rate, length, rotation and codec, decoding only its first frame.

    Args:
        path: MP4, MOV or WebM file (anything FFmpeg reads).

    Returns:
        `VideoInfo`, with the upright size.

    Raises:
        BadVideo: missing or empty file, not a video, truncated, audio only, or no decodable
            picture.
    """
    path = Path(path)
    with _open(path) as container:
        stream = _video_stream(container, path.name)
        first = _first_frame(container, stream, path.name)
        rot = _rotation_cw(stream, first)
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps = float(rate) if rate else 0.0
        duration_s = _stream_duration_s(container, stream)
        if duration_s <= 0:  # browsers record WebM without a duration: read it off the packets
            duration_s = _packet_duration_s(path, 6 * DEFAULT_MAX_DURATION_S)
        n_est = int(stream.frames) or round(duration_s * fps)
        w, h = int(first.width), int(first.height)
        if rot in (90, 270):
            w, h = h, w
        return VideoInfo(w, h, fps, duration_s, n_est, rot, stream.codec_context.name)


def check_limits(
    info: VideoInfo,
    *,
    max_duration_s: float = DEFAULT_MAX_DURATION_S,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> None:
    """Raise `BadVideo` for a clip longer than `max_duration_s` or frames over `max_pixels`."""
    if info.duration_s > max_duration_s:
        raise BadVideo(
            f"The clip is {info.duration_s:.0f} s long; the limit is {max_duration_s:.0f} s "
            f"({max_duration_s / 60:.0f} min). Trim it to the set you want checked."
        )
    if info.width_px * info.height_px > max_pixels:
        raise BadVideo(
            f"The frames are {info.width_px}x{info.height_px} "
            f"({info.width_px * info.height_px / 1e6:.1f} MP); the limit is "
            f"{max_pixels / 1e6:.1f} MP (4K). Please export at 4K or lower."
        )


def _upright_bgr(frame: Any, rot_cw: int, max_side_px: int | None) -> NDArray[np.uint8]:
    """Convert to BGR, downscale so the long side is at most `max_side_px`, and rotate."""
    w, h = int(frame.width), int(frame.height)
    scale = 1.0 if not max_side_px else min(1.0, max_side_px / max(w, h))
    if scale < 1.0:
        w2, h2 = max(2, round(w * scale)), max(2, round(h * scale))
        frame = frame.reformat(width=w2, height=h2, format="bgr24", interpolation="AREA")
        img = frame.to_ndarray()
    else:
        img = frame.to_ndarray(format="bgr24")
    if rot_cw:
        img = np.rot90(img, k=-(rot_cw // 90))  # np.rot90 turns counter-clockwise for k > 0
    return np.ascontiguousarray(img, dtype=np.uint8)


class _Sampler:
    """Keeps a frame when it is the first at or after the next 1/target_fps tick."""

    def __init__(self, target_fps: float | None, source_fps: float) -> None:
        if target_fps is not None and not target_fps > 0:
            raise ValueError(f"target_fps must be > 0, got {target_fps}")
        self.period_s = 0.0 if target_fps is None else 1.0 / target_fps
        # A quarter source frame of slack absorbs timestamp rounding (30000/1001 etc.).
        self.tol_s = 0.25 / source_fps if source_fps > 0 else 1e-3
        self.next_s = 0.0

    def keep(self, t_s: float) -> bool:
        if self.period_s == 0.0:
            return True
        if t_s + self.tol_s < self.next_s:
            return False
        self.next_s = (math.floor((t_s + self.tol_s) / self.period_s) + 1) * self.period_s
        return True


def _decoded(
    container: Any, stream: Any, name: str, max_duration_s: float
) -> Iterator[tuple[int, float, Any]]:
    """(source index, t_s, av frame) for every decoded frame; BadVideo on a damaged stream."""
    import av

    t0: float | None = None
    n = 0
    try:
        for n, frame in enumerate(container.decode(stream)):
            t = float(frame.time) if frame.time is not None else n / float(stream.average_rate)
            t0 = t if t0 is None else t0
            if t - t0 > max_duration_s:
                raise BadVideo(
                    f"{name} runs past {max_duration_s:.0f} s, the longest clip we analyse. "
                    "Trim it to the set you want checked."
                )
            yield n, t - t0, frame
    except av.FFmpegError as exc:
        raise BadVideo(
            f"{name} stops with a decoding error after frame {n}: the file is damaged or "
            "truncated. Please upload it again."
        ) from exc


def iter_frames(
    path: str | Path,
    *,
    target_fps: float | None = None,
    max_duration_s: float = DEFAULT_MAX_DURATION_S,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_side_px: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> Iterator[VideoFrame]:
    """Decode a clip into upright BGR frames, optionally sampled to `target_fps`.

    Args:
        path: MP4, MOV or WebM file.
        target_fps: output rate in frames per second; None keeps every frame. Frames are picked
            by timestamp and never duplicated (a 24 fps clip asked for 30 fps gives 24 fps).
        max_duration_s: refuse clips longer than this (seconds).
        max_pixels: refuse clips whose frames have more pixels than this (width * height).
        max_side_px: if given, downscale each output frame so its long side is at most this
            many pixels (keypoints found on it are then in the downscaled frame's pixels).
        progress: called with the fraction done in [0, 1], ending with exactly 1.0.

    Yields:
        `VideoFrame` in presentation order.

    Raises:
        BadVideo: every reason `probe_video` gives, a clip over the caps, a stream that breaks
            off mid-way, or one that ends well before its declared length (truncated).
    """
    path = Path(path)
    info = probe_video(path)
    # The 4K cap of clips holds whatever a caller passes (e.g. the 50 MP photo limit).
    check_limits(info, max_duration_s=max_duration_s,
                 max_pixels=min(max_pixels, DEFAULT_MAX_PIXELS))  # fmt: skip
    sampler = _Sampler(target_fps, info.fps)
    last_t, out, reported = -1.0, 0, -1.0
    with _open(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for src_i, t_s, frame in _decoded(container, stream, path.name, max_duration_s):
            if t_s <= last_t:  # repeated or out-of-order timestamp: never emit it twice
                continue
            last_t = t_s
            if progress is not None and info.duration_s > 0:
                frac = min(t_s / info.duration_s, 0.999)
                if frac - reported >= 0.01:
                    progress(frac)
                    reported = frac
            if sampler.keep(t_s):
                yield VideoFrame(
                    out, t_s, _upright_bgr(frame, info.rotation_deg, max_side_px), src_i
                )
                out += 1
    _check_complete(path.name, last_t, info)
    if progress is not None:
        progress(1.0)


def _check_complete(name: str, last_t_s: float, info: VideoInfo) -> None:
    """Raise `BadVideo` when decoding stopped well before the declared end (truncated file)."""
    if last_t_s < 0:
        raise BadVideo(f"{name} has a video track but no picture frames could be decoded.")
    slack_s = _TRUNCATION_SLACK_S + _TRUNCATION_SLACK_FRACTION * info.duration_s
    if info.duration_s > 0 and last_t_s < info.duration_s - slack_s:
        raise BadVideo(
            f"{name} stops at {last_t_s:.1f} s but should last {info.duration_s:.1f} s: "
            "the file looks truncated. Please upload it again."
        )
