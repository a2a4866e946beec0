"""The shipped Ray Serve configs, read as files (no Ray needed)."""

from __future__ import annotations

from pathlib import Path

import yaml

CONFIGS = Path(__file__).resolve().parents[2] / "deploy" / "ray"


def _deployments(name: str) -> list[dict]:
    doc = yaml.safe_load((CONFIGS / name).read_text())
    return [d for app in doc["applications"] for d in app["deployments"]]


def test_the_cpu_config_fits_the_smallest_host_it_is_run_on() -> None:
    """Two cores (this machine, the CI machine): with whole CPUs per MediaPipe replica the
    ingress could never be scheduled and every request timed out."""
    asked = sum(d["num_replicas"] * d["ray_actor_options"]["num_cpus"]
                for d in _deployments("pose-cpu.yaml"))  # fmt: skip
    assert asked <= 2


def test_the_pose_image_reports_healthy_only_when_the_application_answers() -> None:
    dockerfile = (CONFIGS / "Dockerfile.pose").read_text()
    health = next(line for line in dockerfile.splitlines() if "urlopen" in line)
    assert "/backends" in health and "/-/healthz" not in health
