"""Run every benchmark module and write BENCHMARKS.md.

Each `benchmarks/bench_*.py` exposes `run(fixtures: Path | None) -> str`, returning a Markdown
section. All sections are measured in this one run, on this one machine, so ratios between
them are side by side.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import platform
import sys
import time
from pathlib import Path

from benchmarks.common import REPO, fixtures_dir


def machine_summary() -> str:
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    return (
        f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n"
        f"- CPU: {cpu}, {os.cpu_count()} cores; Python {platform.python_version()}; "
        f"torch {torch.__version__}; torch threads {torch.get_num_threads()}\n"
        f"- GPU: {gpu}\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="BENCHMARKS.md")
    parser.add_argument("--only", nargs="*", help="module names, e.g. bench_photo")
    args = parser.parse_args(argv)
    modules = sorted(p.stem for p in (REPO / "benchmarks").glob("bench_*.py"))
    if args.only:
        modules = [m for m in modules if m in args.only]
    fixtures = fixtures_dir()
    parts = ["# LiftCoach benchmarks\n", "Written by `make bench`; every figure below comes from "
             "one run on the machine described here.\n", "## Machine\n", machine_summary()]
    for name in modules:
        t0 = time.perf_counter()
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        section = importlib.import_module(f"benchmarks.{name}").run(fixtures)
        parts.append(section.rstrip() + "\n")
        print(f"[bench] {name} done in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    Path(args.out).write_text("\n".join(parts), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
