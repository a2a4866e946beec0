"""One ViTPose per process: every caller of create_estimator gets the same loaded model, and
the micro-batched pose step gives the same keypoints as the direct one."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
import pytest

from coach.core.settings import Settings
from coach.pose.base import create_estimator

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from coach.pose.shared import SharedViTPose, clear_shared, shared_vitpose  # noqa: E402
from tests.pose.test_vitpose_backend import _save_detector, _save_pose  # noqa: E402


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    torch.manual_seed(0)
    root = tmp_path_factory.mktemp("tiny_shared")
    return Settings(vitpose_model=str(_save_pose(root / "vitpose", 1)),
                    detector_model=str(_save_detector(root / "rtdetr")), device="cpu")  # fmt: skip


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    clear_shared()
    yield
    clear_shared()


def test_photos_clips_and_streams_share_one_load(settings: Settings) -> None:
    loads: list[str] = []

    def loader(**kwargs: str) -> SharedViTPose:
        loads.append(kwargs["pose_model"])
        return SharedViTPose(**kwargs)

    first = shared_vitpose(settings, loader)
    assert shared_vitpose(settings, loader) is first and loads == [settings.vitpose_model]
    photo = create_estimator("vitpose", settings)
    streams = [create_estimator("vitpose", settings, video=True) for _ in range(3)]
    assert all(est is photo for est in streams)
    assert not hasattr(photo, "close")  # a stream's STOP must not free the shared model


def test_micro_batched_poses_equal_direct_ones(settings: Settings) -> None:
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 255, (360, 480, 3), dtype=np.uint8) for _ in range(4)]
    batched = SharedViTPose(settings.vitpose_model, settings.detector_model, "cpu", batch=True)
    direct = []
    for image in images:
        detections = batched.detect(image)
        direct.append(batched.estimate_boxes(image, [box for box, _ in detections],
                                             [score for _, score in detections]))  # fmt: skip
    results: dict[int, list[object]] = {}

    def call(i: int) -> None:
        results[i] = list(batched.estimate(images[i]))

    threads = [threading.Thread(target=call, args=(i,)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert batched.batches_run >= 1
    for i, want in enumerate(direct):
        got = results[i]
        assert len(got) == len(want) > 0
        for a, b in zip(got, want, strict=True):
            assert np.allclose(a.keypoints.xy, b.keypoints.xy, atol=1e-3, equal_nan=True)  # type: ignore[attr-defined]
