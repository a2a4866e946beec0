"""`python -m coach.serve [--config deploy/ray/pose-cpu.yaml]`: start the pose service.

The same as `serve run <config>` (Ray Serve's own CLI, which this calls), with the repository's
CPU config as the default and a clear message when the file or Ray is missing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "ray" / "pose-cpu.yaml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coach.serve", description=__doc__)
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG,
                        help="Ray Serve config (deploy/ray/pose-cpu.yaml or pose-gpu.yaml)")
    parser.add_argument("--address", default=None,
                        help="a running Ray cluster (e.g. auto after `ray start --head`)")
    args = parser.parse_args(argv)
    if not args.config.is_file():
        print(f"error: no Serve config at {args.config}", file=sys.stderr)
        return 2
    try:
        from ray.serve.scripts import cli
    except ImportError:
        print("error: the pose service needs ray[serve]: pip install -c constraints.txt "
              "-r requirements-serve.txt", file=sys.stderr)  # fmt: skip
        return 4
    serve_args = ["run", str(args.config)]
    if args.address:
        serve_args += ["--address", args.address]
    cli.main(args=serve_args, prog_name="serve", standalone_mode=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
