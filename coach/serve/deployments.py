"""The Ray Serve deployments of the pose service. Replicas, resources and batch sizes are set in
the Serve config (deploy/ray/pose-*.yaml); the values here are the defaults for a CPU box.

Batching (`@serve.batch`), and why these numbers:
- KeypointModel batches CROPS from every request on the cluster: each call is one person crop,
  so crops from all live streams and photos share one forward pass. GPU config: at most 64
  crops (the batch where ViTPose-B's throughput levels off on an A100/H200, and the issue's
  target batch) and 5 ms of waiting: a lone 30 fps frame (33 ms budget) loses at most 5 ms,
  while under load the batch fills long before the timer fires. CPU default: 8 crops, 2 ms
  (a CPU gains ~10 % from batching, so waiting longer buys nothing).
- PersonDetector batches whole images (RT-DETR resizes every image to one size): 8 images,
  10 ms on GPU; CPU default 2 images, 2 ms.
- MediaPipePose is not batched: a MediaPipe graph reads one image per call, so its CPU replicas
  scale out by number instead.
Each can be changed in the config's `user_config` without restarting the replica.

Faults: `max_queued_requests` bounds every queue (Serve answers 503 beyond it, so live frames
are dropped instead of piling up); `check_health` runs every `health_check_period_s` and a
replica that fails it, or dies, is replaced by the controller.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import numpy as np
from numpy.typing import NDArray
from ray import serve

from coach.core.errors import LiftCoachError
from coach.core.keypoints import PersonPose
from coach.pose.vitpose_backend import Detection
from coach.pose.wire import decode_jpeg

log = logging.getLogger(__name__)

# Serve calls check_health this often; a replica that fails it or dies is replaced.
HEALTH_PERIOD_S = 2.0
HEALTH_TIMEOUT_S = 10.0
# Small defaults so the whole app fits a 2-CPU test box; the Serve configs set real resources.
_MODEL_CPUS = 0.5


def _set_batching(method: Any, config: dict[str, Any]) -> None:
    """Apply `user_config` batch options to a `@serve.batch` method (live, no restart)."""
    if "max_batch_size" in config:
        method.set_max_batch_size(int(config["max_batch_size"]))
    if "batch_wait_timeout_s" in config:
        method.set_batch_wait_timeout_s(float(config["batch_wait_timeout_s"]))


@serve.deployment(
    name="MediaPipePose", ray_actor_options={"num_cpus": _MODEL_CPUS}, max_ongoing_requests=1,
    max_queued_requests=32,
    health_check_period_s=HEALTH_PERIOD_S, health_check_timeout_s=HEALTH_TIMEOUT_S,
)  # fmt: skip
class MediaPipePose:
    """BlazePose on a CPU replica, photo mode (frames of one stream may reach any replica, so
    there is no tracking between frames). Photos get the app's photo path (2x2 tiles, two
    threads); a stream's frames skip the tiles, which would double a frame's cost, and use one
    thread, as a replica shares its cores with the others."""

    def __init__(self, max_pixels: int) -> None:
        from coach.pose.mediapipe_backend import MediaPipeEstimator

        self._photos = MediaPipeEstimator(video=False)
        self._frames = MediaPipeEstimator(video=False, tiles=False, num_threads=1)
        self._max_pixels = max_pixels

        self._broken = ""

    def estimate(self, jpeg: bytes, frame: bool = False) -> list[PersonPose]:
        bgr = decode_jpeg(jpeg, self._max_pixels)
        with _Watch(self):
            return (self._frames if frame else self._photos).estimate(bgr)

    def check_health(self) -> None:
        _check(self._broken)


@serve.deployment(
    name="PersonDetector", ray_actor_options={"num_cpus": _MODEL_CPUS}, max_ongoing_requests=16,
    max_queued_requests=64,
    health_check_period_s=HEALTH_PERIOD_S, health_check_timeout_s=HEALTH_TIMEOUT_S,
)  # fmt: skip
class PersonDetector:
    """RT-DETR person boxes; JPEGs in (small on the wire), one batch per call."""

    def __init__(self, detector_model: str, device: str, max_pixels: int) -> None:
        from coach.serve.vitpose_parts import DetectorPart

        self._part = DetectorPart(detector_model, device)
        self._max_pixels = max_pixels
        self._broken = ""

    def reconfigure(self, config: dict[str, Any]) -> None:
        _set_batching(self.detect, config)

    @serve.batch(max_batch_size=2, batch_wait_timeout_s=0.002)
    async def detect(self, jpegs: list[bytes]) -> list[list[Detection]]:
        images = [decode_jpeg(j, self._max_pixels) for j in jpegs]
        with _Watch(self):
            return await asyncio.to_thread(self._part.detect_many, images)

    def check_health(self) -> None:
        _check(self._broken)


@serve.deployment(
    name="KeypointModel", ray_actor_options={"num_cpus": _MODEL_CPUS}, max_ongoing_requests=64,
    max_queued_requests=256,
    health_check_period_s=HEALTH_PERIOD_S, health_check_timeout_s=HEALTH_TIMEOUT_S,
)  # fmt: skip
class KeypointModel:
    """ViTPose heatmaps; one call is one (3, 256, 192) crop, batched across all callers."""

    def __init__(self, pose_model: str, device: str) -> None:
        from coach.serve.vitpose_parts import KeypointPart

        self._part = KeypointPart(pose_model, device)
        self.batch_sizes: list[int] = []
        self._broken = ""

    def reconfigure(self, config: dict[str, Any]) -> None:
        _set_batching(self.heatmaps, config)

    @serve.batch(max_batch_size=8, batch_wait_timeout_s=0.002)
    async def heatmaps(self, crops: list[NDArray[np.float32]]) -> list[NDArray[np.float32]]:
        self.batch_sizes = [*self.batch_sizes[-99:], len(crops)]
        with _Watch(self):
            out = await asyncio.to_thread(self._part.heatmaps, np.stack(crops))
        return list(out)

    def recent_batch_sizes(self) -> list[int]:
        """The sizes of the last 100 batches (benchmarks and tests read them)."""
        return list(self.batch_sizes)

    def check_health(self) -> None:
        _check(self._broken)


class _Watch:
    """Marks a replica broken when its model raises something other than a LiftCoachError
    (a CUDA fault, a crashed graph): its next health check fails and Serve replaces it."""

    def __init__(self, replica: Any) -> None:
        self._replica = replica

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: object) -> None:  # fmt: skip
        if exc is not None and not isinstance(exc, LiftCoachError | asyncio.CancelledError):
            log.error("model failed, asking Serve to replace this replica: %r", exc)
            self._replica._broken = f"{type(exc).__name__}: {exc}"


def _check(broken: str) -> None:
    if broken:
        raise RuntimeError(f"replica unhealthy after a model failure ({broken})")
