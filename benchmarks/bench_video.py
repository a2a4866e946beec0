"""Video decode speed and DTW speed (the full pipeline time is added by the integrator)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from benchmarks.common import time_calls

# The only 1080p fixture clips are 59.94 fps phone clips; this one is full 1920x1080.
HD_CLIP = "gym-app-ai_TheSebitzu/videos/videos__bench_press.mp4"


def _decode_seconds(path: Path, **kwargs: object) -> tuple[float, int]:
    from coach.video import iter_frames

    t0 = time.perf_counter()
    n = sum(1 for _ in iter_frames(path, **kwargs))  # type: ignore[arg-type]
    return time.perf_counter() - t0, n


def _decode_rows(fixtures: Path | None) -> list[str]:
    from coach.video import probe_video

    if fixtures is None or not (fixtures / HD_CLIP).is_file():
        return ["| (fixture clip not found: decode not measured) | | | |"]
    path = fixtures / HD_CLIP
    info = probe_video(path)
    rows = []
    settings: list[tuple[str, dict[str, object]]] = [
        ("every frame, full size (BGR)", {}),
        ("15 fps, long side 640 px (what the rep tests use)", {"target_fps": 15.0,
                                                               "max_side_px": 640}),
    ]  # fmt: skip
    for label, kwargs in settings:
        best = min(_decode_seconds(path, **kwargs) for _ in range(3))
        seconds, n = best
        rows.append(f"| {label} | {n} | {seconds:.2f} | {info.duration_s / seconds:.1f}x |")
    return rows


def _dtw_rows() -> list[str]:
    from coach.align import ALIGN_ANGLES, compare_reps, dtw

    def rep(n: int, depth: float) -> np.ndarray:
        return 170.0 - (170.0 - depth) * np.sin(np.pi * np.linspace(0.0, 1.0, n)) ** 2

    joints = ALIGN_ANGLES["bench"]
    user = {j: rep(60, 80.0 + k) for k, j in enumerate(joints)}
    ref = {j: rep(60, 90.0) for j in joints}
    a = np.stack([user[j] for j in joints], axis=1)
    b = np.stack([ref[j] for j in joints], axis=1)
    rows = []
    for label, fn in [
        ("`dtw`, 60 x 60 frames, 4 angles", lambda: dtw(a, b)),
        ("`compare_reps`, 60 x 60 frames, 4 angles", lambda: compare_reps(user, ref, joints)),
        ("`compare_reps`, 60 x 90 frames, band 10", lambda: compare_reps(
            user, {j: rep(90, 90.0) for j in joints}, joints, band=10)),
    ]:  # fmt: skip
        s = time_calls(fn, n=50, warmup=5)
        rows.append(f"| {label} | {s.median_ms:.2f} | {s.p95_ms:.2f} |")
    return rows


def run(fixtures: Path | None) -> str:
    """Markdown section: decode speed as a multiple of real time, and DTW time per rep pair."""
    lines = [
        "## Video decode and DTW\n",
        f"Decode alone (PyAV, rotation applied, BGR out) of `{HD_CLIP}` (1920x1080, 59.94 fps), "
        "best of 3. A multiple above 1 is faster than real time.\n",
        "| setting | frames out | seconds | x real time |",
        "|---|---|---|---|",
        *_decode_rows(fixtures),
        "",
        "DTW per rep pair (synthetic reps; target < 5 ms for two 60-frame reps).\n",
        "| call | median ms | p95 ms |",
        "|---|---|---|",
        *_dtw_rows(),
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    from benchmarks.common import fixtures_dir

    print(run(fixtures_dir()))
