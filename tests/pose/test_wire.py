"""The pose service's wire format: exact round trips, clear refusals."""

from __future__ import annotations

import json

import numpy as np
import pytest

from coach.core.errors import BackendUnavailable, BadImage
from coach.core.keypoints import Keypoints, PersonPose
from coach.pose.wire import (
    decode_jpeg,
    encode_jpeg,
    error_to_json,
    persons_from_json,
    persons_to_json,
)


def _person(rng: np.random.Generator, world: bool) -> PersonPose:
    xy = rng.uniform(0, 640, (1, 17, 2)).astype(np.float32)
    xy[0, 3] = np.nan
    world_xyz = rng.normal(size=(1, 17, 3)).astype(np.float32) if world else None
    feet = rng.uniform(0, 640, (1, 6, 2)).astype(np.float32)
    feet[0, 2] = np.nan
    kp = Keypoints(xy, rng.uniform(size=(1, 17)).astype(np.float32), world_xyz, feet,
                   rng.uniform(size=(1, 6)).astype(np.float32))  # fmt: skip
    return PersonPose(kp, (1.5, 2.25, 100.125, 200.0), 0.75)


@pytest.mark.parametrize("world", [True, False], ids=["with-world", "without-world"])
def test_persons_survive_the_trip_bit_for_bit(world: bool) -> None:
    rng = np.random.default_rng(0)
    sent = [_person(rng, world), _person(rng, world)]
    backend, got = persons_from_json(json.loads(json.dumps(persons_to_json(sent, "vitpose"))))
    assert backend == "vitpose"
    for a, b in zip(sent, got, strict=True):
        assert np.array_equal(a.keypoints.xy, b.keypoints.xy, equal_nan=True)
        assert np.array_equal(a.keypoints.score, b.keypoints.score)
        assert np.array_equal(a.keypoints.feet, b.keypoints.feet, equal_nan=True)
        assert np.array_equal(a.keypoints.foot_scores, b.keypoints.foot_scores)
        assert (a.keypoints.world_xyz is None) == (b.keypoints.world_xyz is None)
        if world:
            assert np.array_equal(a.keypoints.world_xyz, b.keypoints.world_xyz)  # type: ignore[arg-type]
        assert (a.bbox_xywh, a.detection_score) == (b.bbox_xywh, b.detection_score)


def test_the_json_has_no_nan_tokens() -> None:
    text = json.dumps(persons_to_json([_person(np.random.default_rng(1), True)], "x"))
    assert "NaN" not in text and "null" in text


@pytest.mark.parametrize(
    "body",
    [{"wire": 2, "backend": "x", "persons": []}, {"wire": 1, "backend": "x"},
     {"wire": 1, "backend": "x", "persons": [{"xy": [[1, 2]]}]}, error_to_json("oops", "X")],
    ids=["version", "no-persons", "short-person", "error-body"],
)
def test_a_malformed_reply_is_backend_unavailable(body: dict[str, object]) -> None:
    with pytest.raises(BackendUnavailable):
        persons_from_json(body)


def test_jpeg_round_trip_keeps_the_picture() -> None:
    image = np.zeros((120, 160, 3), dtype=np.uint8)
    image[30:90, 40:120] = (20, 180, 240)
    back = decode_jpeg(encode_jpeg(image), max_pixels=10**6)
    assert back.shape == image.shape
    assert np.abs(back.astype(int) - image.astype(int)).mean() < 2.0


def test_decode_refuses_garbage_and_oversized_pictures() -> None:
    with pytest.raises(BadImage):
        decode_jpeg(b"not a picture", max_pixels=10**6)
    with pytest.raises(BadImage):
        decode_jpeg(encode_jpeg(np.zeros((100, 100, 3), np.uint8)), max_pixels=5000)
    with pytest.raises(BadImage):
        encode_jpeg(np.zeros((10, 10), np.uint8))  # type: ignore[arg-type]
