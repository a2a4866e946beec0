"""analyze_bar over a real decoded clip: frames line up with the pose pass, and a detector that
cannot run leaves the body's analysis standing (None, not an error)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from coach.bar.analyze import analyze_bar
from coach.bar.detector import PlateBox, PlateDetector
from coach.core.keypoints import N_JOINTS, Joint, Keypoints
from coach.core.settings import Settings
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


def test_frames_line_up_with_the_pose_pass(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "c.mp4", n_frames=N, fps=15)
    fake = _AtTheWrist()
    t_s = np.arange(N) / 15.0
    bar = analyze_bar(clip, _keypoints(), t_s, [], Settings(), width_px=640, fps=15.0,
                      target_fps=None, detector=fake)  # fmt: skip
    assert bar is not None and len(fake.sizes) == N
    assert bar.path.source.count("plate") > N // 2
    assert bar.px_per_cm == 2.0  # 90 px / 45 cm
    assert "total" in bar.timings_ms


def test_missing_weights_mean_no_bar_not_a_failure(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "c.mp4", n_frames=5, fps=15)
    broken = PlateDetector(weights=tmp_path / "missing.pt")
    bar = analyze_bar(clip, Keypoints.stack(
        [_keypoints().frame(i) for i in range(5)]), np.arange(5) / 15.0, [], Settings(),
        width_px=640, fps=15.0, target_fps=None, detector=broken)  # fmt: skip
    assert bar is None


def test_torch_threads_are_restored() -> None:
    import torch

    from coach.bar.detector import torch_threads

    before = torch.get_num_threads()
    with torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
