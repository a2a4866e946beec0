"""One local Ray + Serve for the whole session (starting Ray costs ~6 s and Serve ~4 s here),
serving MediaPipe and a tiny random ViTPose saved with save_pretrained. Tests that use it are
marked `ray` (select with `-m ray`, skip with `-m "not ray"`)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.skips import skip_or_fail


@dataclass(frozen=True)
class PoseService:
    url: str
    pose_dir: Path
    detector_dir: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def tiny_vitpose_dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(ViTPose dir, RT-DETR dir): tiny random models, saved like real weights."""
    torch = pytest.importorskip("torch")
    from tests.pose.test_vitpose_backend import _save_detector, _save_pose

    torch.manual_seed(0)
    root = tmp_path_factory.mktemp("tiny_serve_models")
    return _save_pose(root / "vitpose", 1), _save_detector(root / "rtdetr")


@pytest.fixture(scope="session")
def pose_service(tiny_vitpose_dirs: tuple[Path, Path]) -> Iterator[PoseService]:
    try:
        import ray
        from ray import serve
    except ImportError:
        skip_or_fail("ray[serve] is not installed (requirements-serve.txt)")
    from coach.serve.app import build_app

    pose_dir, detector_dir = tiny_vitpose_dirs
    port = _free_port()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": str(Path(__file__).parents[2])}})  # fmt: skip
    try:
        serve.start(http_options={"host": "127.0.0.1", "port": port})
        app = build_app({"backends": ["mediapipe", "vitpose"], "vitpose_model": str(pose_dir),
                         "detector_model": str(detector_dir), "device": "cpu"})  # fmt: skip
        serve.run(app, name="pose", route_prefix="/")
        yield PoseService(f"http://127.0.0.1:{port}", pose_dir, detector_dir)
    finally:
        serve.shutdown()
        ray.shutdown()
