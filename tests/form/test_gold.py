"""Gold files: the shipped set is complete and valid, bad files fail clearly, overrides win."""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from coach.core.errors import GoldAnnotationError
from coach.core.keypoints import Joint, Keypoints, PersonPose
from coach.core.lifts import LIFTS, PHASES
from coach.form.gold import (
    GOLD_VIEWS,
    default_gold_dir,
    gold_from_keypoints,
    load_gold,
    read_gold_file,
    save_gold_override,
    validate_gold,
)
from coach.form.gold_schema import COCO_KEYPOINT_NAMES, COCO_SKELETON
from coach.pipeline.gold_photo import gold_from_photo
from coach.synth.lifter import Body, Camera, phase_pose, pose_world, project

J = Joint
REPO = Path(__file__).resolve().parents[2]


def _shipped(lift: str) -> dict[str, Any]:
    return json.loads((default_gold_dir() / f"{lift}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("lift", LIFTS)
def test_shipped_files_validate_and_cover_every_view_and_phase(lift: str) -> None:
    data = _shipped(lift)
    validate_gold(data, source=f"{lift}.json")
    gold = load_gold(lift)
    assert gold.views == ("front", "left", "right")
    assert gold.phases == PHASES[lift]
    assert set(gold) == {(v, p) for v in GOLD_VIEWS for p in PHASES[lift]}
    mapping = gold.as_mapping()
    assert set(mapping) == set(GOLD_VIEWS)
    for view in GOLD_VIEWS:
        for phase in PHASES[lift]:
            kp = mapping[view][phase]
            assert isinstance(kp, Keypoints) and kp.present().all()
            box = kp.bbox_xywh()
            assert box is not None and box[3] == pytest.approx(0.7 * 1080, rel=0.02)
    assert data["categories"][0]["keypoints"] == list(COCO_KEYPOINT_NAMES)
    assert data["categories"][0]["skeleton"][0] == [16, 14]  # COCO's own first edge, 1-based
    assert "make_gold.py" in json.dumps(data["info"]["provenance"])
    names = {img["file_name"] for img in data["images"]}
    assert f"{lift}_front_{PHASES[lift][0]}.synthetic" in names


def test_coco_skeleton_is_one_based() -> None:
    assert min(min(pair) for pair in COCO_SKELETON) == 1
    assert max(max(pair) for pair in COCO_SKELETON) == 17


@pytest.mark.parametrize("lift", LIFTS)
def test_shipped_files_are_what_the_script_makes(lift: str) -> None:
    spec = importlib.util.spec_from_file_location("make_gold", REPO / "scripts" / "make_gold.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_gold"] = module
    spec.loader.exec_module(module)
    assert module.make_lift(lift) == _shipped(lift), "rerun scripts/make_gold.py"


@pytest.mark.parametrize("lift", LIFTS)
def test_gold_angles_match_the_documented_phase_angles(lift: str) -> None:
    gold = load_gold(lift)
    for i, phase in enumerate(PHASES[lift]):
        pose = phase_pose(lift, float(i))
        documented = json.dumps(_shipped(lift)["info"]["provenance"]["phase_angles"][phase])
        assert f'"knee_flexion_deg": {pose.knee_flexion_deg}' in documented
        for view in GOLD_VIEWS:
            angles = gold.pose(view, phase).angles_deg
            for side in ("left", "right"):
                assert angles[f"{side}_knee"] == pytest.approx(180 - pose.knee_flexion_deg, abs=0.1)
                assert angles[f"{side}_elbow"] == pytest.approx(
                    180 - pose.elbow_flexion_deg, abs=0.1
                )
                assert angles[f"{side}_shoulder"] == pytest.approx(
                    pose.shoulder_elevation_deg, abs=0.1
                )
            assert angles["trunk_lean"] == pytest.approx(pose.trunk_lean_deg, abs=0.1)
        if lift != "bench":  # the bench camera looks down from 20 deg, so its hip is no side view
            side_2d = gold.pose("left", phase).angles_2d_deg["left_hip"]
            assert side_2d == pytest.approx(180 - abs(pose.hip_flexion_deg), abs=8.0)


def test_side_views_mark_the_far_side_occluded() -> None:
    data = _shipped("squat")
    for ann in data["annotations"]:
        v = ann["keypoints"][2::3]
        if ann["view"] == "left":
            assert v[J.RIGHT_KNEE] == 1 and v[J.LEFT_KNEE] == 2
        elif ann["view"] == "right":
            assert v[J.LEFT_KNEE] == 1 and v[J.RIGHT_KNEE] == 2
        else:
            assert set(v) == {2}
    gold = load_gold("squat")
    assert gold.pose("left", "bottom").keypoints.score[0, J.RIGHT_KNEE] == 0.5


def _one() -> dict[str, Any]:
    world = pose_world("squat", phase_pose("squat", 1.0), Body())
    kp = project(world, Camera(yaw_deg=0.0))
    return gold_from_keypoints(
        kp, lift="squat", view="front", phase="bottom", image_wh=(1920, 1080), source="test"
    )


def _set(doc: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    target = out
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return out


_DELETE = object()
A = ("annotations", 0)
BAD_CASES = [
    ("not-an-object", lambda d: [d], "expected a JSON object"),
    ("no-annotations-key", lambda d: _set(d, ("annotations",), _DELETE), "missing key"),
    ("no-info", lambda d: _set(d, ("info",), _DELETE), "missing key"),
    ("empty-annotations", lambda d: _set(d, ("annotations",), []), "non-empty list"),
    ("50-numbers", lambda d: _set(d, (*A, "keypoints"), d["annotations"][0]["keypoints"][:50]),
     "51 numbers"),
    ("keypoints-not-list", lambda d: _set(d, (*A, "keypoints"), "1,2,3"), "51 numbers"),
    ("visibility-3", lambda d: _set(d, (*A, "keypoints", 2), 3), "visibility must be 0"),
    ("nan-coordinate", lambda d: _set(d, (*A, "keypoints", 0), float("nan")), "non-finite"),
    ("string-coordinate", lambda d: _set(d, (*A, "keypoints", 0), "12"), "non-number"),
    ("outside-image", lambda d: _set(d, (*A, "keypoints", 0), 5000.0), "outside the 1920x1080"),
    ("unknown-lift", lambda d: _set(d, (*A, "lift"), "clean"), "unknown lift 'clean'"),
    ("unknown-view", lambda d: _set(d, (*A, "view"), "back"), "unknown view 'back'"),
    ("phase-of-other-lift", lambda d: _set(d, (*A, "phase"), "chest"), "unknown phase 'chest'"),
    ("image-id-mismatch", lambda d: _set(d, (*A, "image_id"), 7), "matches no image id"),
    ("category-2", lambda d: _set(d, (*A, "category_id"), 2), "category_id must be 1"),
    ("num-keypoints-wrong", lambda d: _set(d, (*A, "num_keypoints"), 3), "num_keypoints is 3"),
    ("bbox-3", lambda d: _set(d, (*A, "bbox"), [1, 2, 3]), "4 finite numbers"),
    ("angle-inf", lambda d: _set(d, (*A, "angles_deg", "left_knee"), float("inf")),
     "finite number or null"),
    ("image-no-width", lambda d: _set(d, ("images", 0, "width"), _DELETE), "missing key 'width'"),
    ("image-zero-height", lambda d: _set(d, ("images", 0, "height"), 0), "positive integers"),
    ("keypoint-names-wrong", lambda d: _set(d, ("categories", 0, "keypoints"), ["nose"] * 17),
     "17 COCO keypoint names"),
    ("duplicate-view-phase", lambda d: {**d, "annotations": d["annotations"] * 2}, "duplicate"),
]  # fmt: skip


@pytest.mark.parametrize(("mutate", "message"), [c[1:] for c in BAD_CASES],
                         ids=[c[0] for c in BAD_CASES])  # fmt: skip
def test_bad_documents_are_refused_with_a_helpful_message(mutate: Any, message: str) -> None:
    with pytest.raises(GoldAnnotationError, match=r"gold file my\.json") as info:
        validate_gold(mutate(_one()), source="my.json")
    assert message in str(info.value)


def test_duplicate_view_phase_with_new_ids_names_both(tmp_path: Path) -> None:
    doc = _one()
    second = copy.deepcopy(doc["annotations"][0])
    second["id"] = 2
    doc["annotations"].append(second)
    with pytest.raises(GoldAnnotationError, match=r"duplicate squat view='front' phase='bottom'"):
        validate_gold(doc, source="x")


def test_not_json_and_missing_file_are_gold_errors(tmp_path: Path) -> None:
    bad = tmp_path / "squat.json"
    bad.write_text("{ not json", encoding="utf-8")
    with pytest.raises(GoldAnnotationError, match="not valid JSON"):
        read_gold_file(bad)
    with pytest.raises(GoldAnnotationError, match="cannot be read"):
        read_gold_file(tmp_path / "absent.json")
    with pytest.raises(GoldAnnotationError, match="not valid JSON"):
        load_gold("squat", root=tmp_path)


def test_incomplete_set_is_refused(tmp_path: Path) -> None:
    (tmp_path / "squat.json").write_text(json.dumps(_one()), encoding="utf-8")
    with pytest.raises(GoldAnnotationError, match="every view x phase"):
        load_gold("squat", root=tmp_path)


def test_round_trip_keypoints_to_file_and_back(tmp_path: Path) -> None:
    world = pose_world("bench", phase_pose("bench", 1.0), Body())
    kp = project(world, Camera(yaw_deg=90.0))
    xy = kp.xy.copy()
    xy[0, J.NOSE] = np.nan  # one joint missing
    kp = Keypoints(xy, kp.score, kp.world_xyz)
    doc = gold_from_keypoints(
        kp, lift="bench", view="left", phase="chest", image_wh=(1920, 1080), source="round trip"
    )
    validate_gold(json.loads(json.dumps(doc)), source="round trip")
    assert doc["annotations"][0]["num_keypoints"] == 16
    path = save_gold_override(doc, tmp_path / "over")
    assert path.name == "bench_left_chest.json"
    (pose,) = read_gold_file(path)
    assert (pose.lift, pose.view, pose.phase, pose.source) == (
        "bench",
        "left",
        "chest",
        "round trip",
    )
    assert np.isnan(pose.keypoints.xy[0, J.NOSE]).all() and pose.keypoints.score[0, J.NOSE] == 0
    np.testing.assert_allclose(pose.keypoints.xy[0, 1:], kp.xy[0, 1:], atol=0.01)
    assert pose.angles_deg["left_elbow"] == pytest.approx(180 - 115.0, abs=0.1)
    assert not list((tmp_path / "over").glob("*.tmp"))  # the atomic write left nothing behind


def test_override_wins_over_the_shipped_pose(tmp_path: Path) -> None:
    shipped = load_gold("squat")
    kp = shipped.pose("left", "bottom").keypoints
    moved = Keypoints(kp.xy + np.float32(10.0), np.ones_like(kp.score))
    doc = gold_from_keypoints(
        moved, lift="squat", view="left", phase="bottom", image_wh=(1920, 1080), source="coach"
    )
    save_gold_override(doc, tmp_path)
    gold = load_gold("squat", override_dir=tmp_path)
    np.testing.assert_allclose(gold.pose("left", "bottom").keypoints.xy, moved.xy, atol=0.01)
    assert gold.pose("left", "bottom").source == "coach"
    np.testing.assert_array_equal(
        gold.pose("front", "bottom").keypoints.xy, shipped.pose("front", "bottom").keypoints.xy
    )
    assert load_gold("bench", override_dir=tmp_path).pose("left", "chest").source != "coach"
    assert load_gold("squat", override_dir=tmp_path / "absent").pose("left", "bottom").source != (
        "coach"
    )


def test_misnamed_override_and_multi_annotation_override_are_refused(tmp_path: Path) -> None:
    doc = _one()
    (tmp_path / "squat_left_bottom.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(GoldAnnotationError, match=r"must be named squat_front_bottom\.json"):
        load_gold("squat", override_dir=tmp_path)
    two = _shipped("squat")
    with pytest.raises(GoldAnnotationError, match="exactly one"):
        save_gold_override(two, tmp_path / "other")


def test_unknown_view_lookup_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="views are"):
        load_gold("deadlift").pose("back", "setup")
    with pytest.raises(GoldAnnotationError, match="unknown lift"):
        load_gold("clean")


class _FakeEstimator:
    name = "fake"

    def __init__(self, persons: list[PersonPose]) -> None:
        self.persons = persons

    def estimate(self, image_bgr: np.ndarray) -> list[PersonPose]:
        assert image_bgr.ndim == 3
        return self.persons


def _png(tmp_path: Path) -> Path:
    pil = pytest.importorskip("PIL.Image")
    path = tmp_path / "ref.png"
    pil.new("RGB", (640, 480), (90, 90, 90)).save(path)
    return path


def _person(drop: tuple[Joint, ...] = ()) -> PersonPose:
    world = pose_world("deadlift", phase_pose("deadlift", 0.0), Body())
    kp = project(world, Camera(yaw_deg=90.0, image_wh=(640, 480), focal_px=500.0))
    score = kp.score.copy()
    score[0, list(drop)] = 0.1
    kp = Keypoints(kp.xy, score)
    box = kp.bbox_xywh()
    assert box is not None
    return PersonPose(kp, box, 0.9)


def test_gold_from_photo_builds_a_valid_override(tmp_path: Path) -> None:
    doc = gold_from_photo(_png(tmp_path), _FakeEstimator([_person()]), lift="deadlift",
                          view="left", phase="setup")  # fmt: skip
    validate_gold(doc, source="photo")
    assert doc["images"][0]["width"] == 640 and doc["images"][0]["file_name"] == "ref.png"
    path = save_gold_override(doc, tmp_path / "gold")
    gold = load_gold("deadlift", override_dir=tmp_path / "gold")
    assert gold.pose("left", "setup").source.startswith("coach reference photo ref.png")
    assert path.exists()


@pytest.mark.parametrize(("persons", "message"), [
    ([], "No person was found"),
    ([_person(drop=(J.LEFT_WRIST, J.RIGHT_ANKLE))], "left wrist, right ankle"),
], ids=["nobody", "missing-critical-joints"])  # fmt: skip
def test_gold_from_photo_refuses_unusable_photos(
    tmp_path: Path, persons: list[PersonPose], message: str
) -> None:
    with pytest.raises(GoldAnnotationError, match=message):
        gold_from_photo(_png(tmp_path), _FakeEstimator(persons), lift="deadlift", view="left",
                        phase="setup")  # fmt: skip


def test_gold_from_photo_missing_face_is_fine(tmp_path: Path) -> None:
    person = _person(drop=(J.NOSE, J.LEFT_EAR))
    doc = gold_from_photo(_png(tmp_path), _FakeEstimator([person]), lift="deadlift",
                          view="left", phase="setup", min_score=0.3)  # fmt: skip
    assert doc["annotations"][0]["num_keypoints"] == 15
