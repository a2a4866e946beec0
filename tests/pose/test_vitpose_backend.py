"""ViTPose backend contract, from tiny random models saved and loaded like real weights.

Random weights give meaningless poses, so geometry is checked two ways: against the crop each
person box defines, and exactly, by replacing the model's heatmaps with Gaussian peaks placed
at known heatmap cells.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from coach.core.errors import BackendUnavailable, BadImage, SettingsError
from coach.core.keypoints import N_JOINTS, PersonPose
from coach.core.settings import Settings
from coach.pose.base import create_estimator

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
cv2 = pytest.importorskip("cv2")

from coach.pose.vitpose_backend import ViTPoseEstimator, crop_region_xywh  # noqa: E402

CROP_WH = (192, 256)
HEATMAP_WH = (48, 64)
# Two people far apart on a 1920x1080 frame: their padded crops do not overlap.
TWO_BOXES = [(150.0, 200.0, 250.0, 600.0), (1300.0, 250.0, 250.0, 600.0)]


@dataclass(frozen=True)
class ModelDirs:
    pose: Path
    pose_moe: Path
    detector: Path


def _save_pose(path: Path, num_experts: int, num_labels: int = N_JOINTS) -> Path:
    """A tiny random ViTPose (ViTPose+ when num_experts > 1) with a num_labels-keypoint head."""
    backbone = transformers.VitPoseBackboneConfig(
        hidden_size=32, num_hidden_layers=2, num_attention_heads=2, mlp_ratio=2,
        image_size=[256, 192], patch_size=[16, 16], out_indices=[2],
        num_experts=num_experts, part_features=8,
    )  # fmt: skip
    config = transformers.VitPoseConfig(backbone_config=backbone, num_labels=num_labels)
    transformers.VitPoseForPoseEstimation(config).save_pretrained(path)
    transformers.VitPoseImageProcessor().save_pretrained(path)
    return path


def _save_detector(path: Path) -> Path:
    backbone = transformers.RTDetrResNetConfig(
        embedding_size=8, hidden_sizes=[8, 16, 32, 64], depths=[1, 1, 1, 1],
        layer_type="basic", out_indices=[2, 3, 4],
    )  # fmt: skip
    config = transformers.RTDetrConfig(
        backbone_config=backbone, encoder_in_channels=[16, 32, 64], encoder_hidden_dim=32,
        encoder_ffn_dim=64, encoder_attention_heads=2, d_model=32, decoder_in_channels=[32] * 3,
        decoder_ffn_dim=64, decoder_layers=1, decoder_attention_heads=2, decoder_n_points=2,
        num_queries=20, num_denoising=0, num_labels=2, id2label={0: "person", 1: "barbell"},
    )  # fmt: skip
    model = transformers.RTDetrForObjectDetection(config)
    with torch.no_grad():  # the default init gives every query the same box and score
        for name, param in model.named_parameters():
            if any(k in name for k in ("class_embed", "enc_score")):
                param.normal_(0.0, 0.5)
            elif any(k in name for k in ("bbox_embed", "enc_bbox")):
                param.normal_(0.0, 0.05)  # boxes of about a fifth of the image, not slivers
    model.save_pretrained(path)
    # A 320 px detector input keeps the tests fast; real checkpoints ship 640.
    transformers.RTDetrImageProcessor(size={"height": 320, "width": 320}).save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def model_dirs(tmp_path_factory: pytest.TempPathFactory) -> ModelDirs:
    torch.manual_seed(0)
    root = tmp_path_factory.mktemp("tiny_models")
    return ModelDirs(
        _save_pose(root / "vitpose", 1), _save_pose(root / "vitpose_plus", 2),
        _save_detector(root / "rtdetr"),
    )  # fmt: skip


def _load(dirs: ModelDirs, **options: Any) -> ViTPoseEstimator:
    return ViTPoseEstimator(str(dirs.pose), str(dirs.detector), "cpu", **options)


@pytest.fixture(scope="module")
def estimator(model_dirs: ModelDirs) -> ViTPoseEstimator:
    return _load(model_dirs, person_threshold=0.0)


@pytest.fixture(scope="module")
def photo(fixtures: Path) -> NDArray[np.uint8]:
    """A real 1080p gym frame (deadlift), BGR."""
    image = cv2.imread(str(fixtures / "gym-app-ai_TheSebitzu/frames/videos__deadlift_f00000.jpg"))
    assert image is not None and image.shape == (1080, 1920, 3)
    return np.asarray(image, dtype=np.uint8)


def synthetic_photo(height_px: int = 540, width_px: int = 960) -> NDArray[np.uint8]:
    rng = np.random.default_rng(7)
    small = rng.integers(0, 256, (height_px // 20, width_px // 20, 3), dtype=np.uint8)
    return np.asarray(cv2.resize(small, (width_px, height_px)), dtype=np.uint8)


def assert_valid_pose(pose: PersonPose) -> None:
    """Schema, score range, and every located joint inside the crop its box defines."""
    assert pose.keypoints.xy.shape == (1, N_JOINTS, 2)
    score = pose.keypoints.score[0]
    assert np.all((score >= 0) & (score <= 1))
    x, y, w, h = crop_region_xywh(pose.bbox_xywh, CROP_WH)
    pts = pose.keypoints.xy[0][pose.keypoints.present()]
    assert len(pts) > 0
    assert np.all((pts[:, 0] >= x - 1e-3) & (pts[:, 0] <= x + w + 1e-3))
    assert np.all((pts[:, 1] >= y - 1e-3) & (pts[:, 1] <= y + h + 1e-3))


class ForwardSpy:
    """Records each forward's batch size and kwargs; optionally swaps in chosen heatmaps."""

    def __init__(self, module: Any, heatmaps: Any = None) -> None:
        self.batch_sizes: list[int] = []
        self.kwargs: list[dict[str, Any]] = []
        self._heatmaps = heatmaps
        self._handle = module.register_forward_hook(self._hook, with_kwargs=True)

    def _hook(self, module: Any, args: Any, kwargs: dict[str, Any], output: Any) -> Any:
        self.batch_sizes.append(int(kwargs["pixel_values"].shape[0]))
        self.kwargs.append(kwargs)
        if self._heatmaps is None:
            return None
        return type(output)(heatmaps=self._heatmaps.to(output.heatmaps.dtype))

    def __enter__(self) -> ForwardSpy:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.remove()


def test_factory_loads_local_dirs(model_dirs: ModelDirs) -> None:
    settings = Settings(
        vitpose_model=str(model_dirs.pose), detector_model=str(model_dirs.detector), device="cpu"
    )
    est = create_estimator("vitpose", settings)
    assert isinstance(est, ViTPoseEstimator)
    assert est.name == "vitpose"
    assert (str(est.device), est.dtype, est.is_moe, est.person_label) == (
        "cpu", torch.float32, False, 0,
    )  # fmt: skip


def test_loading_reports_progress(model_dirs: ModelDirs) -> None:
    messages: list[str] = []
    ViTPoseEstimator(str(model_dirs.pose), str(model_dirs.detector), "cpu",
                     progress=messages.append)  # fmt: skip
    assert messages == [
        f"loading ViTPose from {model_dirs.pose}",
        f"loading person detector from {model_dirs.detector}",
    ]


def test_estimate_boxes_runs_one_batch_on_a_real_photo(
    estimator: ViTPoseEstimator, photo: NDArray[np.uint8]
) -> None:
    with ForwardSpy(estimator._pose) as spy:
        poses = estimator.estimate_boxes(photo, TWO_BOXES, [0.9, 0.6])
    assert spy.batch_sizes == [2]
    assert [p.bbox_xywh for p in poses] == TWO_BOXES
    assert [p.detection_score for p in poses] == [0.9, 0.6]
    for pose in poses:
        assert_valid_pose(pose)
    left, right = (p.keypoints.xy[0, :, 0] for p in poses)
    assert np.nanmax(left) < np.nanmin(right)  # each person's joints stay with their own box


def gaussian_heatmaps(n_people: int) -> tuple[Any, NDArray[np.float64], NDArray[np.float64]]:
    """Heatmaps with one Gaussian per joint at known (sub-)cells, the grid maximum of each,
    and joint 16 with no positive peak."""
    width, height = HEATMAP_WH
    yy, xx = np.mgrid[0:height, 0:width]
    cells = np.array([[3 + 2.5 * j, 60 - 3.25 * j] for j in range(N_JOINTS)])
    maps = np.stack([0.8 * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / 8.0) for cx, cy in cells])
    maps[16] = -0.5
    peaks = maps.reshape(N_JOINTS, -1).max(axis=1)
    return torch.tensor(np.stack([maps] * n_people), dtype=torch.float32), cells, peaks


def test_keypoints_land_where_the_heatmap_peaks_are(
    estimator: ViTPoseEstimator, photo: NDArray[np.uint8]
) -> None:
    heatmaps, cells, peaks = gaussian_heatmaps(len(TWO_BOXES))
    with ForwardSpy(estimator._pose, heatmaps):
        poses = estimator.estimate_boxes(photo, TWO_BOXES)
    width, height = HEATMAP_WH
    for pose, box in zip(poses, TWO_BOXES, strict=True):
        x, y, w, h = crop_region_xywh(box, CROP_WH)
        expected = np.c_[x + cells[:, 0] * w / (width - 1), y + cells[:, 1] * h / (height - 1)]
        np.testing.assert_allclose(pose.keypoints.xy[0, :16], expected[:16], atol=1.0)
        np.testing.assert_allclose(pose.keypoints.score[0, :16], peaks[:16], atol=1e-5)
        assert np.isnan(pose.keypoints.xy[0, 16]).all() and pose.keypoints.score[0, 16] == 0


class ShapeSpy:
    """Wraps an image processor and records the size of every image it is given."""

    def __init__(self, processor: Any) -> None:
        self.processor = processor
        self.shapes: list[tuple[int, ...]] = []

    def __call__(self, images: NDArray[np.uint8], **kwargs: Any) -> Any:
        self.shapes.append(images.shape)
        return self.processor(images=images, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.processor, name)


def test_downscaled_detection_maps_back_to_original_pixels(model_dirs: ModelDirs) -> None:
    base = synthetic_photo(270, 480)
    big = np.repeat(np.repeat(base, 2, axis=0), 2, axis=1)  # area-downscaling gives base back
    full = _load(model_dirs, person_threshold=0.0)
    small = _load(model_dirs, person_threshold=0.0, inference_max_side_px=480)
    spy = ShapeSpy(small._detector_processor)
    small._detector_processor = spy
    on_base, on_big = full.detect(base), small.detect(big)
    assert spy.shapes == [(270, 480, 3)]
    assert len(on_big) == len(on_base) > 0
    np.testing.assert_allclose([b for b, _ in on_big], [[2 * v for v in b] for b, _ in on_base],
                               atol=0.05)  # fmt: skip
    np.testing.assert_allclose([s for _, s in on_big], [s for _, s in on_base], atol=1e-5)
    # The pose step crops ORIGINAL pixels whatever the detector saw.
    boxes = [(100.0, 80.0, 200.0, 400.0)]
    a, b = full.estimate_boxes(big, boxes)[0], small.estimate_boxes(big, boxes)[0]
    np.testing.assert_array_equal(a.keypoints.xy, b.keypoints.xy)


def test_estimate_end_to_end(model_dirs: ModelDirs) -> None:
    image = synthetic_photo(1080, 1920)
    est = _load(model_dirs, person_threshold=0.0, max_people=3, inference_max_side_px=640)
    with ForwardSpy(est._pose) as spy:
        poses = est.estimate(image)
    assert 1 <= len(poses) <= 3 and spy.batch_sizes == [len(poses)]
    assert [p.bbox_xywh for p in poses] == [box for box, _ in est.detect(image)]
    scores = [p.detection_score for p in poses]
    assert scores == sorted(scores, reverse=True)
    for pose in poses:
        x, y, w, h = pose.bbox_xywh
        assert x >= 0 and y >= 0 and x + w <= 1920 and y + h <= 1080
        assert_valid_pose(pose)
    assert _load(model_dirs, person_threshold=1.0).estimate(image) == []


def test_vitpose_plus_gets_the_coco_dataset_index(model_dirs: ModelDirs) -> None:
    est = ViTPoseEstimator(str(model_dirs.pose_moe), str(model_dirs.detector), "cpu")
    assert est.is_moe
    boxes = [(10.0, 10.0, 100.0, 200.0), (300.0, 20.0, 120.0, 240.0), (600.0, 40.0, 90.0, 300.0)]
    with ForwardSpy(est._pose) as spy:
        poses = est.estimate_boxes(synthetic_photo(), boxes)
    assert len(poses) == 3
    index = spy.kwargs[0]["dataset_index"]
    assert index.dtype == torch.long and index.tolist() == [0, 0, 0]


@pytest.mark.parametrize(
    ("pose", "detector", "must_name"),
    [
        ("/nonexistent/liftcoach/vitpose", None, "LIFTCOACH_VITPOSE"),
        (" ", None, "LIFTCOACH_VITPOSE"),
        ("liftcoach-tests/no-such-vitpose", None, "LIFTCOACH_VITPOSE"),
        (None, "liftcoach-tests/no-such-detector", "LIFTCOACH_DETECTOR"),
    ],
    ids=["missing-dir", "blank", "offline-hub-id", "offline-detector-id"],
)
def test_missing_weights_fail_fast_with_one_clear_error(
    model_dirs: ModelDirs, monkeypatch: pytest.MonkeyPatch,
    pose: str | None, detector: str | None, must_name: str,
) -> None:  # fmt: skip
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    start = time.perf_counter()
    with pytest.raises(BackendUnavailable) as info:
        ViTPoseEstimator(pose or str(model_dirs.pose), detector or str(model_dirs.detector))
    assert time.perf_counter() - start < 5.0
    message = str(info.value)
    assert must_name in message and "--backend mediapipe" in message
    # No chained traceback from the hub or transformers reaches the lifter.
    assert info.value.__cause__ is None
    assert info.value.__context__ is None or info.value.__suppress_context__


def test_unreachable_hub_fails_after_one_probe(
    model_dirs: ModelDirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub

    calls: list[str] = []

    def unreachable(repo_id: str, **kwargs: Any) -> None:
        calls.append(repo_id)
        raise ConnectionError("Name or service not known")

    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(huggingface_hub, "model_info", unreachable)
    start = time.perf_counter()
    with pytest.raises(BackendUnavailable, match="cannot be reached") as info:
        ViTPoseEstimator("liftcoach-tests/no-such-vitpose", str(model_dirs.detector))
    assert time.perf_counter() - start < 5.0 and calls == ["liftcoach-tests/no-such-vitpose"]
    assert "LIFTCOACH_VITPOSE" in str(info.value) and "--backend mediapipe" in str(info.value)


def test_empty_weights_dir_is_unavailable(model_dirs: ModelDirs, tmp_path: Path) -> None:
    with pytest.raises(BackendUnavailable, match=r"LIFTCOACH_DETECTOR.*cannot be loaded"):
        ViTPoseEstimator(str(model_dirs.pose), str(tmp_path))


@pytest.mark.parametrize(
    "options",
    [{"person_threshold": 1.5}, {"max_people": 0}, {"inference_max_side_px": 0},
     {"device": "tpu"}],
    ids=["threshold", "max-people", "max-side", "device"],
)  # fmt: skip
def test_bad_options_are_settings_errors(model_dirs: ModelDirs, options: dict[str, Any]) -> None:
    with pytest.raises(SettingsError):
        ViTPoseEstimator(str(model_dirs.pose), str(model_dirs.detector), **options)


def test_cuda_device_without_gpu_is_unavailable(model_dirs: ModelDirs) -> None:
    if torch.cuda.is_available():
        pytest.skip("a CUDA GPU is present")
    with pytest.raises(BackendUnavailable, match="LIFTCOACH_DEVICE=cpu"):
        ViTPoseEstimator(str(model_dirs.pose), str(model_dirs.detector), "cuda")


def test_bad_inputs_are_refused(estimator: ViTPoseEstimator) -> None:
    with pytest.raises(BadImage):
        estimator.estimate(np.zeros((10, 10), dtype=np.uint8))
    with pytest.raises(BadImage):
        estimator.detect(np.zeros((10, 10, 3), dtype=np.float32))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="2 boxes but 1"):
        estimator.estimate_boxes(synthetic_photo(), TWO_BOXES, [0.5])
    assert estimator.estimate_boxes(synthetic_photo(), []) == []


def test_half_precision_outputs_are_decoded_in_fp32(
    model_dirs: ModelDirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CUDA path (bf16) on CPU: numpy cannot read bf16, so outputs must be cast first."""
    import coach.pose.vitpose_backend as backend

    monkeypatch.setattr(backend, "pick_dtype", lambda torch, device: torch.bfloat16)
    est = _load(model_dirs, person_threshold=0.0)
    assert next(est._pose.parameters()).dtype == torch.bfloat16
    poses = est.estimate_boxes(synthetic_photo(), [(100.0, 50.0, 150.0, 300.0)])
    assert_valid_pose(poses[0])
    for (x, y, w, h), score in est.detect(synthetic_photo()):
        assert 0.0 <= score <= 1.0 and x >= 0 and y >= 0 and x + w <= 960 and y + h <= 540
