"""Timing helpers shared by the benchmark modules (not tests: nothing here asserts speed)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Stats:
    """Wall-clock figures of repeated calls, in milliseconds."""

    n: int
    median_ms: float
    p95_ms: float
    mean_ms: float

    def row(self) -> str:
        return f"{self.median_ms:.1f} | {self.p95_ms:.1f} | {self.n}"


def stats_ms(samples_ms: list[float]) -> Stats:
    arr = np.asarray(samples_ms, dtype=float)
    return Stats(len(arr), float(np.median(arr)), float(np.percentile(arr, 95)), float(arr.mean()))


def time_calls(fn: Callable[[], object], *, n: int = 30, warmup: int = 3) -> Stats:
    """Call fn warmup+n times; return stats over the last n."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000.0)
    return stats_ms(samples)


def fixtures_dir() -> Path | None:
    """Same lookup as the tests: LIFTCOACH_FIXTURES, else ../shared/fixtures."""
    env = os.environ.get("LIFTCOACH_FIXTURES")
    for path in ([Path(env)] if env else []) + [REPO.parent / "shared" / "fixtures"]:
        if (path / "labels.csv").is_file():
            return path
    return None
