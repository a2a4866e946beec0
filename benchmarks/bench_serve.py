"""Pose in process against the Ray Serve pose service, side by side in one run.

Photos: 8 concurrent clients each analyse photos back to back; p50/p95 time to result and
throughput, in process (one shared MediaPipe behind its lock, as the app does today) and
through Serve with 1 and 2 CPU MediaPipe replicas. Live: N concurrent 640x480 streams paced at
15 and 30 fps, frames dropped when a stream falls behind (as streamlit-webrtc does); a stream is
held when it keeps >= 90 % of its frame rate. GPU: ViTPose crops/s raw against through Serve,
only where CUDA and ViTPose weights (LIFTCOACH_VITPOSE) are present; never estimated.

Run alone: python -m benchmarks.run --only bench_serve --out /tmp/serve.md
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import stats_ms

CLIENTS = 8
PHOTOS_PER_CLIENT = int(os.environ.get("BENCH_SERVE_PHOTOS", "4"))
STREAM_S = float(os.environ.get("BENCH_SERVE_STREAM_S", "4"))
STREAM_COUNTS = (1, 2, 4)
GPU_BATCH = 64


def run(fixtures: Path | None) -> str:
    photo = _photo(fixtures)
    rows: list[str] = []
    live: list[str] = []
    from coach.pose.mediapipe_backend import MediaPipeEstimator

    shared = MediaPipeEstimator(video=False)
    rows.append(_photo_row("in process (1 shared model)", shared.estimate, photo))
    live += _live_rows("in process", lambda: MediaPipeEstimator(video=True).estimate, photo)
    for replicas in (1, 2):
        with _Service(replicas) as url:
            from coach.pose.remote import RemoteEstimator

            remote = RemoteEstimator(url, "mediapipe")
            rows.append(_photo_row(f"Ray Serve, {replicas} CPU replica(s)", remote.estimate,
                                   photo))  # fmt: skip
            live += _live_rows(f"Ray Serve, {replicas} replica(s)",
                               partial(_stream_estimate, url),
                               photo)  # fmt: skip
    return _report(rows, live, _gpu_section())


def _photo(fixtures: Path | None) -> np.ndarray[Any, Any]:
    import cv2

    if fixtures is not None:
        for path in sorted(fixtures.rglob("0.jpg")):
            image = cv2.imread(str(path))
            if image is not None:
                return np.asarray(image)
    rng = np.random.default_rng(0)
    return rng.integers(0, 255, (720, 960, 3), dtype=np.uint8)


def _photo_row(label: str, estimate: Callable[[Any], Any], photo: Any) -> str:
    estimate(photo)  # warm up
    samples: list[float] = []
    lock = threading.Lock()

    def client(_: int) -> None:
        for _ in range(PHOTOS_PER_CLIENT):
            t0 = time.perf_counter()
            estimate(photo)
            with lock:
                samples.append((time.perf_counter() - t0) * 1000.0)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(client, range(CLIENTS)))
    wall = time.perf_counter() - t0
    s = stats_ms(samples)
    return f"| {label} | {s.median_ms:.0f} | {s.p95_ms:.0f} | {len(samples) / wall:.1f} |"


def _live_rows(label: str, make: Callable[[], Callable[[Any], Any]], photo: Any) -> list[str]:
    import cv2

    frame = np.ascontiguousarray(cv2.resize(photo, (640, 480)))
    rows = []
    for fps in (15, 30):
        for n in STREAM_COUNTS:
            done, lat = _streams(n, fps, make, frame)
            held = min(done) / (fps * STREAM_S) >= 0.9
            s = stats_ms(lat)
            rows.append(f"| {label} | {fps} | {n} | {np.mean(done) / STREAM_S:.1f} | "
                        f"{s.p95_ms:.0f} | {'yes' if held else 'no'} |")  # fmt: skip
            if not held:
                break  # more streams only hold fewer
    return rows


def _streams(n: int, fps: int, make: Callable[[], Callable[[Any], Any]],
             frame: Any) -> tuple[list[int], list[float]]:  # fmt: skip
    estimators = [make() for _ in range(n)]
    for est in estimators:
        est(frame)  # warm up
    done = [0] * n
    lat: list[float] = []
    lock = threading.Lock()

    def stream(i: int) -> None:
        start = time.perf_counter()
        next_t = start
        while (now := time.perf_counter()) - start < STREAM_S:
            if now < next_t:
                time.sleep(next_t - now)
                continue
            t0 = time.perf_counter()
            try:
                estimators[i](frame)
                done[i] += 1
            except Exception:  # a dropped frame counts as not done
                pass
            with lock:
                lat.append((time.perf_counter() - t0) * 1000.0)
            # drop the frames that arrived meanwhile: the next one is the next fresh frame
            next_t = max(next_t + 1 / fps, time.perf_counter())

    threads = [threading.Thread(target=stream, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return done, lat


class _Service:
    """A local Ray + Serve with MediaPipe on `replicas` CPU replicas (1 CPU each)."""

    def __init__(self, replicas: int) -> None:
        self.replicas = replicas

    def __enter__(self) -> str:
        import ray
        from ray import serve

        from coach.serve.app import build_app

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        # One CPU per replica plus the ingress (0.25): Ray waits forever for missing CPUs.
        ray.init(num_cpus=self.replicas + 1, include_dashboard=False,
                 log_to_driver=False)  # fmt: skip
        serve.start(http_options={"host": "127.0.0.1", "port": port})
        from coach.serve.deployments import MediaPipePose

        app = build_app({"backends": ["mediapipe"]})
        app = _with_replicas(app, MediaPipePose, self.replicas)
        serve.run(app, name="pose", route_prefix="/")
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        import ray
        from ray import serve

        serve.shutdown()  # type: ignore[no-untyped-call]
        ray.shutdown()


def _stream_estimate(url: str) -> Callable[[Any], Any]:
    """A fresh live stream's estimate (one request in flight, short timeout)."""
    from coach.pose.remote import RemoteEstimator

    return RemoteEstimator(url, "mediapipe", video=True).estimate


def _with_replicas(app: Any, deployment: Any, replicas: int) -> Any:
    from coach.serve.app import PoseAppArgs, PoseIngress

    mp = deployment.options(num_replicas=replicas, ray_actor_options={"num_cpus": 1})
    # Serve's decorator adds bind(); Ray ships no types for it.
    return PoseIngress.bind(  # type: ignore[attr-defined]
        PoseAppArgs(backends=("mediapipe",)), mp.bind(50_000_000))


def _gpu_section() -> str:
    try:
        import torch
    except ImportError:
        return "No torch here: the GPU part was not run.\n"
    if not torch.cuda.is_available():
        return ("No GPU on this machine: ViTPose crops/s through Serve against the raw model "
                "was NOT measured. On a CUDA host with ViTPose-B weights, run "
                "`LIFTCOACH_VITPOSE=<dir> python -m benchmarks.run --only bench_serve`.\n")
    return _gpu_crops_per_s()


def _gpu_crops_per_s() -> str:
    """Raw ViTPose at batch 64 against KeypointModel through Serve (64 concurrent crops)."""
    import asyncio

    import ray
    from ray import serve

    from coach.serve.deployments import KeypointModel
    from coach.serve.vitpose_parts import KeypointPart

    model = os.environ.get("LIFTCOACH_VITPOSE", "usyd-community/vitpose-base-simple")
    part = KeypointPart(model, "cuda")
    crops = np.random.default_rng(0).normal(size=(GPU_BATCH, 3, 256, 192)).astype(np.float32)
    for _ in range(3):
        part.heatmaps(crops)
    import torch

    torch.cuda.synchronize()
    t0, n = time.perf_counter(), 20
    for _ in range(n):
        part.heatmaps(crops)
    torch.cuda.synchronize()
    raw = n * GPU_BATCH / (time.perf_counter() - t0)
    del part
    ray.init(include_dashboard=False, log_to_driver=False)
    handle = serve.run(KeypointModel.options(  # type: ignore[attr-defined]
        ray_actor_options={"num_gpus": 1, "num_cpus": 1},
        user_config={"max_batch_size": GPU_BATCH, "batch_wait_timeout_s": 0.005},
        max_ongoing_requests=4 * GPU_BATCH).bind(model, "cuda"), name="bench")

    async def burst(rounds: int) -> float:
        t0 = time.perf_counter()
        for _ in range(rounds):
            await asyncio.gather(*(handle.heatmaps.remote(c) for c in crops))
        return rounds * GPU_BATCH / (time.perf_counter() - t0)

    asyncio.run(burst(3))
    served = asyncio.run(burst(20))
    sizes = handle.recent_batch_sizes.remote().result()
    serve.shutdown()  # type: ignore[no-untyped-call]
    ray.shutdown()
    overhead = 100.0 * (1 - served / raw)
    return (f"| ViTPose ({model}) | raw, batch {GPU_BATCH} | {raw:.0f} |\n"
            f"| | through Serve (@serve.batch {GPU_BATCH}, 5 ms) | {served:.0f} "
            f"(overhead {overhead:.1f} %, median batch {int(np.median(sizes))}) |\n")


def _report(rows: list[str], live: list[str], gpu: str) -> str:
    return "\n".join([
        "## Pose service: in process vs Ray Serve (bench_serve)\n",
        f"MediaPipe; {CLIENTS} concurrent clients x {PHOTOS_PER_CLIENT} photos each; "
        "JPEG (quality 90) over HTTP for Serve.\n",
        "| photos | p50 ms | p95 ms | photos/s |", "|---|---|---|---|", *rows, "",
        f"Live: 640x480 streams paced at 15 / 30 fps for {STREAM_S:g} s, late frames dropped; "
        "held = every stream kept >= 90 % of its rate.\n",
        "| live | fps | streams | frames/s per stream | p95 ms | held |",
        "|---|---|---|---|---|---|", *live, "",
        "GPU (crops/s):\n", gpu,
    ])
