"""ViTPose and RT-DETR speed, from random-weight models built from their configs.

Weights are random because none can be downloaded here; speed does not depend on weight values,
only on the architecture, the batch and the dtype. CPU: ViTPose-S and -B per crop and per batch
of 8, the image processor's crop and decode cost, and RT-DETR-r50 at 640x640. GPU (when
torch sees one): ViTPose-B crops/s at batch 1/8/32/64 in fp32 and bf16, and RT-DETR-r50 ms per
1080p frame.

Standalone GPU run (e.g. on a lent GPU host): `python -m benchmarks.bench_vitpose --gpu-only`.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from benchmarks.common import Stats, time_calls

VITPOSE_SIZES: dict[str, dict[str, int]] = {
    # hidden size, layers, heads, MLP width (ratio 4) of the published ViTPose backbones
    "ViTPose-S": {"hidden_size": 384, "num_hidden_layers": 12, "num_attention_heads": 6},
    "ViTPose-B": {"hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12},
}
GPU_BATCHES = (1, 8, 32, 64)
NOTE = (
    "Weights are random (built from configs; nothing can be downloaded here). Speed does not "
    "depend on weight values, only on architecture, input size, batch and dtype. "
    "Input crops are 256x192 (ViTPose), detector input 640x640 (RT-DETR's processor default)."
)


def vitpose_model(size: str) -> Any:
    """A random-weight ViTPose (simple decoder, 17 joints) of a published size."""
    import transformers

    dims = VITPOSE_SIZES[size]
    backbone = transformers.VitPoseBackboneConfig(
        **dims, mlp_ratio=4, image_size=[256, 192], patch_size=[16, 16],
        out_indices=[dims["num_hidden_layers"]],
    )  # fmt: skip
    config = transformers.VitPoseConfig(backbone_config=backbone, num_labels=17)
    return transformers.VitPoseForPoseEstimation(config).eval()


def rtdetr_r50() -> Any:
    """A random-weight RT-DETR with the r50vd-sized backbone and 80 COCO classes."""
    import transformers

    return transformers.RTDetrForObjectDetection(transformers.RTDetrConfig(num_labels=80)).eval()


def run(fixtures: Path | None) -> str:
    """The Markdown section: CPU figures always, GPU figures when CUDA is available."""
    import torch

    parts = ["## ViTPose top-down (detector + ViTPose)\n", NOTE + "\n", cpu_section()]
    if torch.cuda.is_available():
        parts.append(gpu_section())
    else:
        parts.append(
            "### GPU\n\nNo GPU was available on this machine, so there are no GPU figures here. "
            "Run `python -m benchmarks.bench_vitpose --gpu-only` on a CUDA host.\n"
        )
    return "\n".join(parts)


def cpu_section() -> str:
    """ViTPose-S/B fp32 per crop and per batch of 8, processor costs, RT-DETR-r50 at 640."""
    import torch

    load_before = os.getloadavg()[0]
    rows = ["| model | 1 crop: median ms | p95 | n | batch of 8: median ms | p95 | n |",
            "|---|---|---|---|---|---|---|"]  # fmt: skip
    for size in VITPOSE_SIZES:
        model = vitpose_model(size)
        one, eight = (_forward_stats(model, torch.randn(b, 3, 256, 192), n) for b, n in
                      ((1, 5), (8, 3)))  # fmt: skip
        rows.append(f"| {size} fp32 | {one.row()} | {eight.row()} |")
    detector = rtdetr_r50()
    det = _forward_stats(detector, torch.randn(1, 3, 640, 640), 3)
    threads, load_after = torch.get_num_threads(), os.getloadavg()[0]
    return (
        f"### CPU (fp32, {threads} torch threads, {os.cpu_count()} cores; 1-min load average "
        f"{load_before:.1f} before, {load_after:.1f} after: a load above the core count means "
        "other work shared the CPU and these figures are inflated)\n\n" + "\n".join(rows) + "\n\n"
        f"RT-DETR-r50 forward at 640x640: {det.median_ms:.0f} ms median "
        f"(p95 {det.p95_ms:.0f}, n={det.n}).\n\n" + processor_costs() + "\n"
    )


def _forward_stats(model: Any, pixel_values: Any, n: int) -> Stats:
    import torch

    def call() -> None:
        with torch.inference_mode():
            model(pixel_values=pixel_values)

    return time_calls(call, n=n, warmup=1)


def processor_costs() -> str:
    """What the image processors add on CPU around the forward passes (1080p frame, 8 people)."""
    import torch
    from transformers import RTDetrImageProcessor, VitPoseImageProcessor

    frame = np.random.default_rng(0).integers(0, 256, (1080, 1920, 3), dtype=np.uint8)
    boxes = [[[100.0 + 200 * i, 150.0, 180.0, 700.0] for i in range(8)]]
    pose_proc, det_proc = VitPoseImageProcessor(), RTDetrImageProcessor()
    crop = time_calls(lambda: pose_proc(images=frame, boxes=boxes, return_tensors="pt"), n=5)
    heatmaps = SimpleNamespace(heatmaps=torch.rand(8, 17, 64, 48))
    decode = time_calls(lambda: pose_proc.post_process_pose_estimation(heatmaps, boxes=boxes), n=5)
    resize = time_calls(lambda: det_proc(images=frame, return_tensors="pt"), n=5)
    return (
        "Image processors (PIL backends, CPU), on a 1080p frame with 8 people: "
        f"ViTPose crop+normalise {crop.median_ms:.1f} ms, heatmap decode (DARK) "
        f"{decode.median_ms:.1f} ms, RT-DETR resize+normalise {resize.median_ms:.1f} ms."
    )


def gpu_section(device_name: str = "cuda") -> str:
    """ViTPose-B crops/s per batch and dtype, and RT-DETR-r50 ms per 1080p frame.

    Half precision is bf16 where the GPU supports it, else fp16 (the backend's own choice).
    `device_name` exists so the code can be smoke-run on CPU; the figures mean GPU speed.
    """
    import torch

    device = torch.device(device_name)
    dtypes = (torch.float32, _half_dtype(device))
    rows = ["| dtype | " + " | ".join(f"batch {b}" for b in GPU_BATCHES) + " |",
            "|---" * (len(GPU_BATCHES) + 1) + "|"]  # fmt: skip
    for dtype in dtypes:
        model = vitpose_model("ViTPose-B").to(device, dtype)
        rates = [_crops_per_s(model, batch, dtype, device) for batch in GPU_BATCHES]
        rows.append(f"| {_dtype_name(dtype)} | " + " | ".join(f"{r:.0f}" for r in rates) + " |")
        del model
        if device.type == "cuda":
            torch.cuda.empty_cache()
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else str(device)
    return (
        f"### GPU ({name})\n\nViTPose-B, crops per second (forward only, inputs already on "
        "the device; 10 warm-up calls, then 2 s of calls between two synchronisations):\n\n"
        + "\n".join(rows) + "\n\n" + detector_gpu(device, dtypes) + "\n"
    )  # fmt: skip


def _half_dtype(device: Any) -> Any:
    import torch

    if device.type == "cuda" and not torch.cuda.is_bf16_supported():
        return torch.float16
    return torch.bfloat16


def _dtype_name(dtype: Any) -> str:
    return str(dtype).removeprefix("torch.")


def _sync(device: Any) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _crops_per_s(model: Any, batch: int, dtype: Any, device: Any, seconds: float = 2.0) -> float:
    import torch

    pixel_values = torch.randn(batch, 3, 256, 192, device=device, dtype=dtype)
    with torch.inference_mode():
        for _ in range(10):
            model(pixel_values=pixel_values)
        _sync(device)
        calls, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            model(pixel_values=pixel_values)
            calls += 1
        _sync(device)
        elapsed = time.perf_counter() - start
    return batch * calls / elapsed


def detector_gpu(device: Any, dtypes: tuple[Any, ...]) -> str:
    """RT-DETR-r50 per 1080p frame: CPU preprocessing, then the forward pass per dtype."""
    from transformers import RTDetrImageProcessor

    frame = np.random.default_rng(0).integers(0, 256, (1080, 1920, 3), dtype=np.uint8)
    processor = RTDetrImageProcessor()
    pre = time_calls(lambda: processor(images=frame, return_tensors="pt"), n=10)
    pixel_values = processor(images=frame, return_tensors="pt")["pixel_values"]
    lines = [f"RT-DETR-r50, one 1080p frame: preprocessing {pre.median_ms:.1f} ms (CPU)"]
    for dtype in dtypes:
        model = rtdetr_r50().to(device, dtype)
        stats = time_calls(_synced(model, pixel_values.to(device, dtype), device), n=30, warmup=10)
        lines.append(
            f"forward {_dtype_name(dtype)} {stats.median_ms:.1f} ms (p95 {stats.p95_ms:.1f})"
        )
    return ", ".join(lines) + "; a frame costs preprocessing + forward."


def _synced(model: Any, pixel_values: Any, device: Any) -> Callable[[], None]:
    import torch

    def call() -> None:
        with torch.inference_mode():
            model(pixel_values=pixel_values)
        _sync(device)

    return call


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gpu-only", action="store_true", help="print only the GPU section")
    args = parser.parse_args(argv)
    if args.gpu_only:
        import torch

        if not torch.cuda.is_available():
            print("No GPU was available on this machine (torch.cuda.is_available() is False).")
            return 1
        print(NOTE + "\n\n" + gpu_section())
        return 0
    print(run(None))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
