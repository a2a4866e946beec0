"""One ViTPose per process: photos, clips and every live stream share one loaded model (the
detector and ViTPose together are about 1 GB of weights for the base models), and on a GPU
their pose steps are micro-batched together.

`create_estimator("vitpose", ..., video=True)` used to load a fresh pair per stream and per
clip; ViTPose does not track between frames, so nothing is lost by sharing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from coach.core.keypoints import PersonPose
from coach.core.settings import Settings
from coach.pose.microbatch import MicroBatcher
from coach.pose.vitpose_backend import BoxXYWH, ViTPoseEstimator

# GPU micro-batch: at most this many crops per ViTPose batch, gathered for at most this long.
# 4 ms is an eighth of a 30 fps frame's budget; 32 crops fill a mid-size GPU's batch.
MICROBATCH_MAX_CROPS = 32
MICROBATCH_WAIT_S = 0.004

_Job = tuple[NDArray[np.uint8], list[BoxXYWH], list[float]]

_CACHE: dict[tuple[str, str, str], SharedViTPose] = {}
_CACHE_LOCK = threading.Lock()


class SharedViTPose(ViTPoseEstimator):
    """A ViTPoseEstimator whose pose step batches concurrent callers' crops (on CUDA only).

    It has no `close`: the live engine closes its estimator at STOP, and this one outlives
    every stream.
    """

    def __init__(self, *args: Any, batch: bool | None = None, **kwargs: Any) -> None:
        """Args as ViTPoseEstimator; `batch` forces micro-batching on or off (default: CUDA)."""
        super().__init__(*args, **kwargs)
        use = self.device.type == "cuda" if batch is None else batch
        self._batcher: MicroBatcher[_Job, list[PersonPose]] | None = None
        if use:
            self._batcher = MicroBatcher(
                self._run_jobs, max_items=MICROBATCH_MAX_CROPS, wait_s=MICROBATCH_WAIT_S,
                size=lambda job: len(job[1]),
            )  # fmt: skip

    @property
    def batches_run(self) -> int:
        """Pose batches run through the micro-batcher (0 when it is off)."""
        return 0 if self._batcher is None else self._batcher.batches_run

    def estimate(self, image_bgr: NDArray[np.uint8]) -> list[PersonPose]:
        """As ViTPoseEstimator.estimate; the pose step joins other callers' batch on CUDA."""
        if self._batcher is None:
            return super().estimate(image_bgr)
        detections = self.detect(image_bgr)
        if not detections:
            return []
        boxes, scores = [box for box, _ in detections], [score for _, score in detections]
        return self._batcher.submit((image_bgr, boxes, scores))

    def _run_jobs(self, jobs: list[_Job]) -> list[list[PersonPose]]:
        return self.estimate_boxes_many(
            [j[0] for j in jobs], [j[1] for j in jobs], [j[2] for j in jobs]
        )


def shared_vitpose(
    settings: Settings, loader: Callable[..., SharedViTPose] = SharedViTPose
) -> SharedViTPose:
    """The process's ViTPose for these weights and device, loaded on first use.

    Concurrent first callers wait for the one load instead of loading their own.

    Raises:
        BackendUnavailable, SettingsError: as ViTPoseEstimator (nothing is cached then).
    """
    key = (settings.vitpose_model, settings.detector_model, settings.device)
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = loader(
                pose_model=settings.vitpose_model, detector_model=settings.detector_model,
                device=settings.device,
            )  # fmt: skip
        return _CACHE[key]


def clear_shared() -> None:
    """Forget the loaded models (tests; a process that swaps weights)."""
    with _CACHE_LOCK:
        _CACHE.clear()
