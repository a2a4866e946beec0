"""COCO-WholeBody feet on the ViTPose backend, from tiny random models saved like real weights:
the head chosen from `num_labels`, ViTPose+'s COCO-WholeBody expert (dataset_index 5), the six
foot points in original pixels, and the feet reaching the CLI JSON and the wire format."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from coach.core.errors import BackendUnavailable
from coach.core.keypoints import N_FEET, N_JOINTS, Foot, PersonPose
from coach.core.settings import Settings
from coach.pose.vitpose_heads import COCO_BODY, COCO_WHOLEBODY, PoseHead, pose_head

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
pytest.importorskip("cv2")

from coach.pose.vitpose_backend import BoxXYWH, ViTPoseEstimator, crop_region_xywh  # noqa: E402
from tests.pose.test_vitpose_backend import (  # noqa: E402
    CROP_WH,
    HEATMAP_WH,
    TWO_BOXES,
    ForwardSpy,
    _save_detector,
    _save_pose,
    synthetic_photo,
)

WHOLEBODY = 133
N_BODY_AND_FEET = N_JOINTS + N_FEET


@dataclass(frozen=True)
class Dirs:
    wholebody_moe: Path
    body: Path
    detector: Path


@pytest.fixture(scope="module")
def dirs(tmp_path_factory: pytest.TempPathFactory) -> Dirs:
    torch.manual_seed(0)
    root = tmp_path_factory.mktemp("tiny_wholebody")
    return Dirs(
        _save_pose(root / "vitpose_plus_wholebody", 6, WHOLEBODY),
        _save_pose(root / "vitpose", 1), _save_detector(root / "rtdetr"),
    )  # fmt: skip


@pytest.fixture(scope="module")
def wholebody(dirs: Dirs) -> ViTPoseEstimator:
    return ViTPoseEstimator(str(dirs.wholebody_moe), str(dirs.detector), "cpu")


def _config(num_labels: int, num_experts: int) -> Any:
    return SimpleNamespace(num_labels=num_labels,
                           backbone_config=SimpleNamespace(num_experts=num_experts))  # fmt: skip


@pytest.mark.parametrize(
    ("num_labels", "num_experts", "head"),
    [(17, 1, COCO_BODY), (17, 6, COCO_BODY), (133, 1, COCO_WHOLEBODY), (133, 6, COCO_WHOLEBODY)],
    ids=["vitpose", "vitpose-plus", "wholebody", "wholebody-plus"],
)  # fmt: skip
def test_the_head_follows_num_labels(num_labels: int, num_experts: int, head: PoseHead) -> None:
    assert pose_head(_config(num_labels, num_experts), "w") is head


def test_the_wholebody_head_reads_expert_5_and_body_then_feet() -> None:
    # ViTPose+ order: COCO 0, AiC 1, MPII 2, AP-10K 3, APT-36K 4, COCO-WholeBody 5.
    assert (COCO_WHOLEBODY.dataset_index, COCO_BODY.dataset_index) == (5, 0)
    assert (COCO_WHOLEBODY.n_decoded, COCO_WHOLEBODY.has_feet) == (23, True)
    assert (COCO_BODY.n_decoded, COCO_BODY.has_feet) == (17, False)


def test_a_wholebody_vitpose_plus_reads_feet_through_expert_5(
    wholebody: ViTPoseEstimator,
) -> None:
    assert wholebody.head is COCO_WHOLEBODY and wholebody.is_moe
    with ForwardSpy(wholebody._pose) as spy:
        poses = wholebody.estimate_boxes(synthetic_photo(1080, 1920), TWO_BOXES)
    index = spy.kwargs[0]["dataset_index"]
    assert index.dtype == torch.long and index.tolist() == [5, 5]
    for pose, box in zip(poses, TWO_BOXES, strict=True):
        kp = pose.keypoints
        assert kp.xy.shape == (1, N_JOINTS, 2) and kp.score.shape == (1, N_JOINTS)
        assert kp.feet.shape == (1, N_FEET, 2) and kp.foot_scores.shape == (1, N_FEET)
        x, y, w, h = crop_region_xywh(box, CROP_WH)
        found = kp.feet[0][np.isfinite(kp.feet[0]).all(axis=1)]
        assert len(found) > 0 and kp.has_feet
        assert np.all((found[:, 0] >= x - 1e-3) & (found[:, 0] <= x + w + 1e-3))
        assert np.all((found[:, 1] >= y - 1e-3) & (found[:, 1] <= y + h + 1e-3))
        assert np.all((kp.foot_scores >= 0) & (kp.foot_scores <= 1))


def wholebody_heatmaps() -> tuple[Any, NDArray[np.float64], NDArray[np.float64]]:
    """One crop's 133 heatmaps: a Gaussian per body and foot point at known cells, the left
    heel with no positive peak, the right heel's peak just off the map's left edge (the
    sub-pixel refinement then lands outside the crop), face and hand maps flat.

    Returns:
        (1, 133, 64, 48) heatmaps, the 23 (x, y) cells, the 23 peak values.
    """
    width, height = HEATMAP_WH
    yy, xx = np.mgrid[0:height, 0:width]
    cells = np.array([[3 + 1.9 * k, 60 - 2.5 * k] for k in range(N_BODY_AND_FEET)])
    cells[N_JOINTS + Foot.RIGHT_HEEL] = (-1.0, 30.0)
    maps = np.zeros((WHOLEBODY, height, width))
    maps[:N_BODY_AND_FEET] = [0.8 * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / 8.0)
                              for cx, cy in cells]  # fmt: skip
    maps[N_JOINTS + Foot.LEFT_HEEL] = -0.5
    peaks = maps[:N_BODY_AND_FEET].reshape(N_BODY_AND_FEET, -1).max(axis=1)
    return torch.tensor(maps[None], dtype=torch.float32), cells, peaks


def _estimate_known(est: ViTPoseEstimator, box: BoxXYWH) -> PersonPose:
    heatmaps, _, _ = wholebody_heatmaps()
    with ForwardSpy(est._pose, heatmaps):
        return est.estimate_boxes(synthetic_photo(1080, 1920), [box])[0]


def test_feet_land_where_their_heatmaps_peak_clipped_to_the_crop(
    wholebody: ViTPoseEstimator,
) -> None:
    box = TWO_BOXES[1]
    kp = _estimate_known(wholebody, box).keypoints
    _, cells, peaks = wholebody_heatmaps()
    width, height = HEATMAP_WH
    x, y, w, h = crop_region_xywh(box, CROP_WH)
    expected = np.c_[x + cells[:, 0] * w / (width - 1), y + cells[:, 1] * h / (height - 1)]
    np.testing.assert_allclose(kp.xy[0], expected[:N_JOINTS], atol=1.0)
    np.testing.assert_allclose(kp.score[0], peaks[:N_JOINTS], atol=1e-5)
    on_map = [Foot.LEFT_BIG_TOE, Foot.LEFT_SMALL_TOE, Foot.RIGHT_BIG_TOE, Foot.RIGHT_SMALL_TOE]
    for foot in on_map:
        np.testing.assert_allclose(kp.foot(foot), expected[N_JOINTS + foot], atol=1.0)
        assert kp.foot_scores[0, foot] == pytest.approx(peaks[N_JOINTS + foot], abs=1e-5)
    # No positive peak: the processor's "no location", so NaN with score 0.
    assert np.isnan(kp.foot(Foot.LEFT_HEEL)).all() and kp.foot_scores[0, Foot.LEFT_HEEL] == 0
    # Refined past the map's edge: clipped onto the crop's left edge, not beyond it.
    assert kp.foot(Foot.RIGHT_HEEL)[0] == pytest.approx(x, abs=1e-3)


def test_a_coco_head_leaves_the_feet_missing(dirs: Dirs) -> None:
    est = ViTPoseEstimator(str(dirs.body), str(dirs.detector), "cpu")
    assert est.head is COCO_BODY and not est.is_moe
    with ForwardSpy(est._pose) as spy:
        poses = est.estimate_boxes(synthetic_photo(1080, 1920), TWO_BOXES)
    assert "dataset_index" not in spy.kwargs[0]
    for pose in poses:
        assert pose.keypoints.xy.shape == (1, N_JOINTS, 2)
        assert np.isnan(pose.keypoints.feet).all() and not pose.keypoints.foot_scores.any()


@pytest.mark.parametrize(
    ("num_labels", "num_experts", "says"),
    [(14, 1, "predict 14 keypoints"), (68, 6, "predict 68 keypoints"),
     (WHOLEBODY, 2, "only 2 experts")],
    ids=["aic-head", "face-head", "wholebody-without-its-expert"],
)  # fmt: skip
def test_a_head_liftcoach_cannot_read_is_refused_by_name(
    tmp_path: Path, dirs: Dirs, num_labels: int, num_experts: int, says: str
) -> None:
    path = _save_pose(tmp_path / "odd_vitpose", num_experts, num_labels)
    # Refused before the detector loads: this detector directory does not exist.
    with pytest.raises(BackendUnavailable) as info:
        ViTPoseEstimator(str(path), str(tmp_path / "no_detector"), "cpu")
    message = str(info.value)
    assert says in message and str(path) in message and "LIFTCOACH_VITPOSE" in message
    assert "--backend mediapipe" in message


def test_feet_reach_the_cli_json(dirs: Dirs) -> None:
    from coach.pipeline.photo import analysis_to_json, analyze_frame

    est = ViTPoseEstimator(str(dirs.wholebody_moe), str(dirs.detector), "cpu",
                           person_threshold=0.0, max_people=1)  # fmt: skip
    photo = synthetic_photo()
    ((box, _),) = est.detect(photo)
    heatmaps, _, _ = wholebody_heatmaps()
    with ForwardSpy(est._pose, heatmaps):
        expected = est.estimate_boxes(photo, [box])[0].keypoints.feet[0]
    with ForwardSpy(est._pose, heatmaps):
        result = analyze_frame(photo, est, Settings(device="cpu"))
    body = json.loads(json.dumps(analysis_to_json(result)))
    feet = body["person"]["feet"]
    assert len(feet) == N_FEET and feet[Foot.LEFT_HEEL] is None
    for foot in Foot:
        if foot != Foot.LEFT_HEEL:
            np.testing.assert_allclose(feet[foot][:2], expected[foot], atol=0.01)
            assert 0.3 <= feet[foot][2] <= 1.0
    assert body["persons"][0]["feet"] == feet


def test_feet_survive_the_pose_service_wire(wholebody: ViTPoseEstimator) -> None:
    from coach.pose.wire import persons_from_json, persons_to_json

    sent = _estimate_known(wholebody, TWO_BOXES[0])
    backend, (got,) = persons_from_json(json.loads(json.dumps(persons_to_json([sent], "vitpose"))))
    assert backend == "vitpose" and got.keypoints.has_feet
    assert np.array_equal(got.keypoints.feet, sent.keypoints.feet, equal_nan=True)
    assert np.array_equal(got.keypoints.foot_scores, sent.keypoints.foot_scores)
