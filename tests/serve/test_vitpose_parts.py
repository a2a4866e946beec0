"""The Serve parts of ViTPose without Ray: a COCO-WholeBody checkpoint gives the same body and
feet through crop -> keypoint model -> decode as in process."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from coach.core.keypoints import N_FEET, N_JOINTS

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("cv2")

from coach.pose.vitpose_backend import ViTPoseEstimator  # noqa: E402
from coach.pose.vitpose_heads import COCO_WHOLEBODY  # noqa: E402
from coach.serve.vitpose_parts import CropPart, KeypointPart  # noqa: E402
from tests.pose.test_vitpose_backend import (  # noqa: E402
    TWO_BOXES,
    ForwardSpy,
    _save_detector,
    _save_pose,
    synthetic_photo,
)


def test_wholebody_parts_match_in_process(tmp_path: Path) -> None:
    torch.manual_seed(0)
    pose_dir = _save_pose(tmp_path / "vitpose_plus_wholebody", 6, 133)
    detector_dir = _save_detector(tmp_path / "rtdetr")
    photo = synthetic_photo(1080, 1920)
    crop, keypoints = CropPart(str(pose_dir)), KeypointPart(str(pose_dir), "cpu")
    assert crop.head is keypoints.head is COCO_WHOLEBODY
    with ForwardSpy(keypoints._model) as spy:
        maps = keypoints.heatmaps(crop.crops(photo, TWO_BOXES))
    assert spy.kwargs[0]["dataset_index"].tolist() == [5, 5]
    assert maps.shape[:2] == (2, N_JOINTS + N_FEET)  # face and hand maps stay on the replica
    served = crop.decode(maps, TWO_BOXES, [0.9, 0.8])
    local = ViTPoseEstimator(str(pose_dir), str(detector_dir), "cpu").estimate_boxes(
        photo, TWO_BOXES, [0.9, 0.8]
    )
    for a, b in zip(served, local, strict=True):
        assert a.keypoints.has_feet
        np.testing.assert_allclose(a.keypoints.xy, b.keypoints.xy, atol=1e-3)
        np.testing.assert_allclose(a.keypoints.feet, b.keypoints.feet, atol=1e-3)
        np.testing.assert_allclose(a.keypoints.foot_scores, b.keypoints.foot_scores, atol=1e-5)
