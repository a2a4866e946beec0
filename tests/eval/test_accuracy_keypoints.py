"""Regression: MediaPipe keypoint accuracy against the human COCO-17 ground truth.

Protocol (coach.eval.metrics.evaluate_coco_gt): 15 images, 38 labelled people. MediaPipe reports
every person it finds (photo path: BlazePose detector on the image and on 2x2 tiles, ROI
landmark model, rotation retry); per image, predictions and labelled people are paired one to
one for the largest total OKS. Mean OKS is over matched people; `image_mean_oks` charges
images where nobody was found with 0.
PCK@0.2 uses max(labelled box w, h) as the reference length (mmpose's "bbox" PCK), because
the torso is unlabelled for several people.

Measured 2026-11-20 (this repo, mediapipe 0.10.21, model_complexity=1, 2-core CPU):
  found a person in 12/15 images; mean OKS 0.697 over 12 matched people (raw scores),
  0.683 with joints below 0.3 dropped (what the app shows); image-mean OKS 0.557;
  mean PCK@0.2 0.827 (raw) / 0.798 (thresholded).
Measured 2026-12-02 with every person (issue 9), greedy matching by detection score and no
tiles: image-mean OKS 0.650.
Measured 2026-12-03 with the tiles and the one-to-one pairing (scripts/measure_lifters.py):
a person in 15/15 images, 24 matched, 18 of 38 found at OKS 0.5, mean OKS 0.668 (0.639 after
the app threshold), image-mean OKS 0.718 (issue 9's target is 0.70; 0.762 without
000000000785.jpg, whose file is a gym squat photo, not the COCO skier its labels describe),
mean PCK@0.2 0.868.
Floors sit a little under those numbers so real regressions fail and tiny numeric drift does
not. The GT contains no barbell lift, so this measures the pose model, not lift judgement.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coach.core.keypoints import DEFAULT_MIN_SCORE
from coach.eval.metrics import evaluate_coco_gt
from coach.pose.mediapipe_backend import MediaPipeEstimator
from tests.skips import skip_or_fail

MEAN_OKS_FLOOR = 0.64  # measured 0.668 over the matched people (every person found)
THRESHOLDED_OKS_FLOOR = 0.61  # measured 0.639
MEAN_PCK_FLOOR = 0.84  # measured 0.868
MIN_IMAGES_WITH_PERSON = 15  # measured 15 of 15 (the legacy single-person graph: 12)
IMAGE_MEAN_OKS_FLOOR = 0.69  # measured 0.718, missed images counting 0 (legacy: 0.557)
FOUND_PEOPLE_FLOOR = 16  # measured 18 of 38 at OKS 0.5


@pytest.fixture(scope="module")
def gt_path(fixtures: Path) -> Path:
    path = fixtures / "keypoints_coco17_gt.json"
    if not path.is_file():
        skip_or_fail(f"keypoint ground truth not found at {path}")
    return path


@pytest.fixture(scope="module")
def estimator() -> Iterator[MediaPipeEstimator]:
    with MediaPipeEstimator() as est:
        yield est


def _report(result: dict[str, Any]) -> None:
    per_joint = {k: round(v, 2) for k, v in result["pck_per_joint"].items()}
    print(
        f"\n[{result['backend']}, min_score={result['min_score']}] "
        f"images {result['images']}, with a person {result['images_with_person']}, "
        f"GT people {result['gt_people']}, matched {result['matched_people']}\n"
        f"  mean OKS {result['mean_oks']:.3f}  image-mean OKS {result['image_mean_oks']:.3f}  "
        f"mean PCK@0.2 {result['mean_pck']:.3f}\n"
        f"  per-joint PCK@0.2: {json.dumps(per_joint)}"
    )


def test_mediapipe_oks_and_pck(
    gt_path: Path, fixtures: Path, estimator: MediaPipeEstimator
) -> None:
    result = evaluate_coco_gt(gt_path, fixtures, estimator)
    _report(result)
    assert result["images"] == 15 and result["gt_people"] == 38
    assert result["images_with_person"] >= MIN_IMAGES_WITH_PERSON
    assert result["matched_people"] > result["images_with_person"]  # several per image
    assert result["mean_oks"] >= MEAN_OKS_FLOOR
    assert result["image_mean_oks"] >= IMAGE_MEAN_OKS_FLOOR
    assert result["found_people"] >= FOUND_PEOPLE_FLOOR
    assert result["mean_pck"] >= MEAN_PCK_FLOOR
    # Every COCO joint is labelled somewhere in this set, so each has a PCK figure.
    assert all(0.0 <= v <= 1.0 for v in result["pck_per_joint"].values())


def test_mediapipe_oks_after_app_threshold(
    gt_path: Path, fixtures: Path, estimator: MediaPipeEstimator
) -> None:
    result = evaluate_coco_gt(gt_path, fixtures, estimator, min_score=DEFAULT_MIN_SCORE)
    _report(result)
    assert result["mean_oks"] >= THRESHOLDED_OKS_FLOOR
