"""BarCollector fed the frames of a real decoded clip: frames line up with the pose pass, the
clip is decoded once, and a detector that cannot run leaves the body's analysis standing (None,
not an error)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from coach.bar.analyze import BarCollector
from coach.bar.detector import PlateBox, PlateDetector
from coach.core.keypoints import N_JOINTS, Joint, Keypoints
from coach.core.settings import Settings
from coach.media.video import iter_frames
from tests.video_helpers import make_clip

N = 20


def _keypoints() -> Keypoints:
    xy = np.full((N, N_JOINTS, 2), np.nan, dtype=np.float32)
    y = 300.0 - 100.0 * np.abs(np.sin(np.linspace(0, np.pi, N)))
    xy[:, Joint.LEFT_WRIST] = np.stack([np.full(N, 320.0), y], axis=1)
    xy[:, Joint.LEFT_HIP] = (300.0, 100.0)
    return Keypoints(xy, np.ones((N, N_JOINTS), dtype=np.float32))


class _AtTheWrist:
    """A fake detector that sees a 90 px plate where the crop's centre is."""

    def __init__(self) -> None:
        self.sizes: list[tuple[int, int]] = []

    def detect(self, image_bgr: np.ndarray) -> list[PlateBox]:
        h, w = image_bgr.shape[:2]
        self.sizes.append((w, h))
        return [PlateBox(w / 2, h / 2, 90.0, 90.0, 0.5)]


def _feed(collector: BarCollector, clip: Path, kp: Keypoints) -> int:
    """Feed the collector as the pose pass does; returns the frames decoded."""
    decoded = 0
    for frame in iter_frames(clip, target_fps=None):
        collector.add(frame.index, frame.bgr, kp.frame(frame.index))
        decoded += 1
    return decoded


def test_frames_line_up_with_the_pose_pass(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "c.mp4", n_frames=N, fps=15)
    fake = _AtTheWrist()
    collector = BarCollector(width_px=640, detector=fake)
    assert _feed(collector, clip, _keypoints()) == N
    bar = collector.finish(_keypoints(), np.arange(N) / 15.0, [], Settings(), fps=15.0)
    assert bar is not None and len(fake.sizes) == N
    assert bar.path.source.count("plate") > N // 2
    assert bar.px_per_cm == 2.0  # 90 px / 45 cm
    assert "total" in bar.timings_ms


def test_frames_decoded_smaller_map_back_to_original_pixels(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "c.mp4", n_frames=N, fps=15)
    collector = BarCollector(width_px=1280, detector=_AtTheWrist())  # frames are half size
    kp = _keypoints()
    for frame in iter_frames(clip, target_fps=None):
        collector.add(frame.index, frame.bgr, kp.frame(frame.index).scaled(2.0))
    bar = collector.finish(kp.scaled(2.0), np.arange(N) / 15.0, [], Settings(), fps=15.0)
    assert bar is not None and bar.px_per_cm == 4.0  # 90 px at half size = 180 px / 45 cm


def test_missing_weights_mean_no_bar_not_a_failure(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "c.mp4", n_frames=5, fps=15)
    collector = BarCollector(width_px=640, detector=PlateDetector(weights=tmp_path / "x.pt"))
    kp = Keypoints.stack([_keypoints().frame(i) for i in range(5)])
    assert _feed(collector, clip, kp) == 5
    assert collector.finish(kp, np.arange(5) / 15.0, [], Settings(), fps=15.0) is None


def test_torch_threads_are_restored() -> None:
    import torch

    from coach.bar.detector import torch_threads

    before = torch.get_num_threads()
    with torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
