"""OKS and PCK conventions, pinned with hand-computed cases."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from coach.core.errors import BadInput
from coach.core.keypoints import N_JOINTS, Joint, Keypoints, PersonPose
from coach.eval.metrics import COCO_SIGMAS, evaluate_coco_gt, oks, pck
from coach.pose.replay import ReplayEstimator, write_replay_json

GT = np.stack([np.linspace(100, 300, N_JOINTS), np.linspace(50, 450, N_JOINTS)], axis=1)
ALL = np.ones(N_JOINTS, dtype=bool)
AREA = 200.0 * 400.0


def test_sigmas_are_the_coco_values() -> None:
    assert list(COCO_SIGMAS) == list(Joint)
    assert COCO_SIGMAS[Joint.NOSE] == 0.026 and COCO_SIGMAS[Joint.LEFT_HIP] == 0.107
    assert COCO_SIGMAS[Joint.LEFT_ANKLE] == COCO_SIGMAS[Joint.RIGHT_ANKLE] == 0.089


def test_perfect_prediction_scores_one() -> None:
    assert oks(GT, GT, ALL, AREA) == pytest.approx(1.0)
    np.testing.assert_array_equal(pck(GT, GT, ALL, ref_len_px=400.0), np.ones(N_JOINTS))


def test_one_joint_off_by_known_amount() -> None:
    pred = GT.copy()
    pred[Joint.LEFT_KNEE, 0] += 10.0
    k = 2 * COCO_SIGMAS[Joint.LEFT_KNEE]
    expected = (16 + np.exp(-(10.0**2) / (2 * AREA * k**2))) / 17
    assert oks(pred, GT, ALL, AREA) == pytest.approx(expected)


def test_missing_predictions_count_as_zero() -> None:
    pred = GT.copy()
    pred[[Joint.LEFT_WRIST, Joint.RIGHT_WRIST]] = np.nan
    assert oks(pred, GT, ALL, AREA) == pytest.approx(15 / 17)
    hits = pck(pred, GT, ALL, ref_len_px=400.0)
    assert hits[Joint.LEFT_WRIST] == 0.0 and hits[Joint.NOSE] == 1.0


def test_invisible_gt_joints_are_ignored() -> None:
    visible = ALL.copy()
    visible[Joint.LEFT_ANKLE] = False
    pred = GT.copy()
    pred[Joint.LEFT_ANKLE] = (0.0, 0.0)  # wildly wrong, but unlabelled
    assert oks(pred, GT, visible, AREA) == pytest.approx(1.0)
    hits = pck(pred, GT, visible, ref_len_px=400.0)
    assert np.isnan(hits[Joint.LEFT_ANKLE]) and np.nansum(hits) == 16


def test_no_labelled_joint_gives_nan() -> None:
    assert np.isnan(oks(GT, GT, np.zeros(N_JOINTS, dtype=bool), AREA))


def test_bigger_people_tolerate_bigger_errors() -> None:
    pred = GT + 5.0
    assert oks(pred, GT, ALL, AREA * 4) > oks(pred, GT, ALL, AREA) > oks(pred, GT, ALL, AREA / 4)


def test_pck_threshold_is_inclusive_alpha_times_reference() -> None:
    pred = GT.copy()
    pred[0, 0] += 20.0  # exactly 0.2 * 100
    pred[1, 0] += 20.5
    hits = pck(pred, GT, ALL, ref_len_px=100.0, alpha=0.2)
    assert hits[0] == 1.0 and hits[1] == 0.0


@pytest.mark.parametrize(
    ("pred", "gt", "visible"),
    [(np.zeros((16, 2)), GT, ALL), (GT, np.zeros((17, 3)), ALL), (GT, GT, ALL[:5])],
    ids=["pred-16", "gt-17x3", "visible-5"],
)
def test_shapes_checked(pred: np.ndarray, gt: np.ndarray, visible: np.ndarray) -> None:
    with pytest.raises(ValueError, match=r"\(17"):
        oks(pred, gt, visible, AREA)
    with pytest.raises(ValueError, match=r"\(17"):
        pck(pred, gt, visible, 100.0)


def _tiny_coco(tmp_path: Path) -> Path:
    """Two labelled people in one small PNG; the replayed prediction equals person B."""
    from PIL import Image

    Image.new("RGB", (500, 500)).save(tmp_path / "img.png")
    a = [[float(x), float(y), 2] for x, y in GT]
    b = [[float(x) + 150, float(y), 2] for x, y in GT]
    b[Joint.NOSE] = [0.0, 0.0, 0]  # unlabelled
    doc = {
        "images": [{"id": 7, "file_name": "img.png", "width": 500, "height": 500}],
        "annotations": [
            {
                "image_id": 7,
                "keypoints": [v for row in a for v in row],
                "area": AREA,
                "bbox": [100, 50, 200, 400],
            },
            {
                "image_id": 7,
                "keypoints": [v for row in b for v in row],
                "area": AREA,
                "bbox": [250, 50, 200, 400],
            },
        ],
    }
    path = tmp_path / "gt.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_evaluate_matches_prediction_to_best_person(tmp_path: Path) -> None:
    pred_xy = GT + np.array([150.0, 0.0])
    person = PersonPose(Keypoints.single(pred_xy, np.full(17, 0.9)), (250, 50, 200, 400), 0.9)
    replay = ReplayEstimator.from_file(write_replay_json([[person]], tmp_path / "r.json"))
    result = evaluate_coco_gt(_tiny_coco(tmp_path), tmp_path, replay)
    assert result["images"] == 1 and result["gt_people"] == 2 and result["matched_people"] == 1
    assert result["mean_oks"] == pytest.approx(1.0, abs=1e-4)
    assert result["image_mean_oks"] == pytest.approx(1.0, abs=1e-4)
    assert np.isnan(result["pck_per_joint"]["nose"])  # person B's nose is unlabelled
    assert result["pck_per_joint"]["left knee"] == 1.0 and result["mean_pck"] == 1.0
    assert result["backend"] == "replay" and result["per_image"] == {"img.png": 1.0}


def test_evaluate_pairs_for_the_best_total_not_by_score(tmp_path: Path) -> None:
    # A confident find of someone left unlabelled (right of B) fits B a little; a greedy pass
    # by score would give it B and leave the exact find of B to A, at OKS ~0.
    stranger_xy, b_xy = GT + np.array([300.0, 0.0]), GT + np.array([150.0, 0.0])
    stranger = PersonPose(Keypoints.single(stranger_xy, np.full(17, 0.9)), (400, 50, 200, 400),
                          0.95)
    b = PersonPose(Keypoints.single(b_xy, np.full(17, 0.9)), (250, 50, 200, 400), 0.5)
    gt = _tiny_coco(tmp_path)
    assert 0 < oks(stranger_xy, b_xy, ALL, AREA) < 0.1  # the bait a greedy pass would take
    result = evaluate_coco_gt(gt, tmp_path, ReplayEstimator([[stranger, b]]))
    assert result["matched_people"] == 2
    assert result["per_image"] == {"img.png": 1.0}
    assert result["person_mean_oks"] == pytest.approx(
        (1.0 + oks(stranger_xy, GT, ALL, AREA)) / 2, abs=1e-4)


def test_person_mean_charges_unpaired_people(tmp_path: Path) -> None:
    person = PersonPose(Keypoints.single(GT + np.array([150.0, 0.0]), np.full(17, 0.9)),
                        (250, 50, 200, 400), 0.9)
    result = evaluate_coco_gt(_tiny_coco(tmp_path), tmp_path, ReplayEstimator([[person]]))
    assert result["person_mean_oks"] == pytest.approx(0.5, abs=1e-4)  # B found, A missed


def test_evaluate_counts_missed_images_as_zero(tmp_path: Path) -> None:
    replay = ReplayEstimator([[]])
    result = evaluate_coco_gt(_tiny_coco(tmp_path), tmp_path, replay)
    assert result["images_with_person"] == 0 and result["matched_people"] == 0
    assert np.isnan(result["mean_oks"]) and result["image_mean_oks"] == 0.0
    assert result["per_image"] == {"img.png": None}


def test_evaluate_thresholds_when_asked(tmp_path: Path) -> None:
    scores = np.full(17, 0.9)
    scores[Joint.LEFT_WRIST] = 0.1
    pred_xy = GT + np.array([150.0, 0.0])
    person = PersonPose(Keypoints.single(pred_xy, scores), (250, 50, 200, 400), 0.9)
    raw = evaluate_coco_gt(_tiny_coco(tmp_path), tmp_path, ReplayEstimator([[person]]))
    cut = evaluate_coco_gt(
        _tiny_coco(tmp_path), tmp_path, ReplayEstimator([[person]]), min_score=0.3
    )
    assert raw["mean_oks"] == pytest.approx(1.0, abs=1e-4)
    assert cut["mean_oks"] == pytest.approx(15 / 16, abs=1e-4)  # 16 labelled, wrist dropped
    assert cut["pck_per_joint"]["left wrist"] == 0.0


def test_evaluate_bad_annotation_file(tmp_path: Path) -> None:
    path = tmp_path / "gt.json"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(BadInput, match="annotations"):
        evaluate_coco_gt(path, tmp_path, ReplayEstimator([[]]))
