"""Plate detection in one image: the committed tiny CenterNet (`coach.bar.net`) behind a small
Protocol, so the tracker and its tests can use any plate finder.

Torch is imported on the first `detect` call, not at import time. The weights
(`models/plate_centernet.pt`, 0.9 MB) are derived from CC BY 4.0 data: see models/README.md.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from coach.core.errors import BackendUnavailable

DEFAULT_WEIGHTS = Path(__file__).resolve().parent / "models" / "plate_centernet.pt"
# Longest side the network sees: chosen with the prototype on valid (8-10 ms a frame, 1 thread).
INPUT_SIZE_PX = 256
# Best F1 at IoU 0.5 on the valid split for one photo on its own (the test-split figures are at
# this threshold). The tracker asks for weaker candidates (PROPOSAL_THRESHOLD in
# coach/bar/track.py) and lets the wrists and the clip's consistency choose among them.
SINGLE_IMAGE_THRESHOLD = 0.286


# The network is small (256 px, 0.2 M parameters), so a second intra-op thread mostly waits: on
# the shared 2-core machine, 2 threads took 100-165 ms a frame against 33 ms for 1 under load.
BAR_TORCH_THREADS = 1
_THREADS_LOCK = threading.Lock()


@contextmanager
def torch_threads(n: int = BAR_TORCH_THREADS) -> Iterator[None]:
    """Run the block with torch limited to `n` intra-op threads, then restore the count.

    torch's thread count is per process, so a ViTPose call in another session during the bar
    pass also runs on `n` threads for that time; the lock keeps two bar passes from restoring
    each other's setting out of order.
    """
    try:
        import torch
    except ImportError as exc:
        raise BackendUnavailable(f"bar tracking needs torch: {exc}") from None
    with _THREADS_LOCK:
        before = torch.get_num_threads()
        torch.set_num_threads(n)
        try:
            yield
        finally:
            torch.set_num_threads(before)


@dataclass(frozen=True)
class PlateBox:
    """One detected plate, in the pixels of the image given to `detect`.

    Attributes:
        cx_px, cy_px: the plate's centre (the bar's end).
        w_px, h_px: the box's size; a plate seen at an angle is an ellipse whose long axis is
            the true diameter, so `diameter_px` is the larger side.
        score: detector confidence in [0, 1].
    """

    cx_px: float
    cy_px: float
    w_px: float
    h_px: float
    score: float

    @property
    def diameter_px(self) -> float:
        return max(self.w_px, self.h_px)


class PlateFinder(Protocol):
    """Anything that finds plates in a BGR image, best first."""

    def detect(self, image_bgr: NDArray[np.uint8]) -> list[PlateBox]: ...


def letterbox(image_bgr: NDArray[np.uint8], input_size: int) -> tuple[NDArray[np.uint8], float]:
    """Scale so the long side is `input_size` px, pad right/bottom to a multiple of 32.

    Returns:
        The padded RGB uint8 image and the scale (network px per image px).
    """
    import cv2

    from coach.bar.net_constants import PAD_MULTIPLE, PAD_VALUE

    height, width = image_bgr.shape[:2]
    scale = input_size / max(height, width)
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    # INTER_AREA when shrinking a 1080p frame avoids aliasing the plate's rim away.
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(image_bgr, (new_w, new_h), interpolation=interp)
    padded = cv2.copyMakeBorder(resized, 0, -new_h % PAD_MULTIPLE, 0, -new_w % PAD_MULTIPLE,
                                cv2.BORDER_CONSTANT, value=(PAD_VALUE,) * 3)  # fmt: skip
    return np.ascontiguousarray(cv2.cvtColor(padded, cv2.COLOR_BGR2RGB)), scale


class PlateDetector:
    """The committed CenterNet plate detector.

    Args:
        weights: a PlateNet state_dict file.
        score_threshold: drop candidates under this score.
        max_detections: keep at most this many, best first.
        input_size: the network's long side in pixels.

    Thread-safe: the network loads once under a lock, and inference holds no shared state.
    """

    def __init__(
        self, weights: str | Path = DEFAULT_WEIGHTS, *,
        score_threshold: float = SINGLE_IMAGE_THRESHOLD, max_detections: int = 10,
        input_size: int = INPUT_SIZE_PX,
    ) -> None:  # fmt: skip
        self.weights = Path(weights)
        self.score_threshold = score_threshold
        self.max_detections = max_detections
        self.input_size = input_size
        self._net: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._net is None:
                try:
                    import torch

                    from coach.bar.net import PlateNet
                except ImportError as exc:
                    raise BackendUnavailable(f"bar tracking needs torch: {exc}") from None
                if not self.weights.is_file():
                    raise BackendUnavailable(f"plate detector weights not found: {self.weights}")
                net = PlateNet()
                state = torch.load(self.weights, map_location="cpu", weights_only=True)
                net.load_state_dict({k: v.float() for k, v in state.items()})
                self._net = net.eval()
        return self._net

    def detect(self, image_bgr: NDArray[np.uint8]) -> list[PlateBox]:
        """Plates in an (H, W, 3) uint8 BGR image, best first, in that image's pixels."""
        import torch

        from coach.bar.net import decode

        net = self._load()
        padded, scale = letterbox(image_bgr, self.input_size)
        tensor = torch.from_numpy(padded).permute(2, 0, 1).float().div_(255.0).unsqueeze(0)
        with torch.inference_mode():
            heat, size, offset = net(tensor)
            found = decode(heat, size, offset, self.score_threshold, self.max_detections)
        return [PlateBox(cx / scale, cy / scale, w / scale, h / scale, s)
                for cx, cy, w, h, s in found]  # fmt: skip
