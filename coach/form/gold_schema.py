"""The gold annotation file format (COCO keypoints plus lift/view/phase) and its validator.

A gold file is a COCO keypoint document: "info" (with provenance), "licenses", "categories"
(one "person" category, id 1, with the 17 COCO keypoint names in order and the skeleton as
1-based pairs, as COCO writes it), "images" and "annotations". Each annotation adds "lift",
"view" ("front" / "left" / "right") and "phase" (`coach.synth.poses.PHASES`), plus optional
"angles_deg" (true joint angles, degrees) and "angles_2d_deg" (as seen in that image). Keypoint
visibility v follows COCO: 2 = visible, 1 = labelled but occluded, 0 = not labelled (x = y = 0).
See gold_annotations/README.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from coach.core.errors import GoldAnnotationError
from coach.core.keypoints import N_JOINTS, SKELETON_EDGES, Joint
from coach.core.lifts import GOLD_VIEWS, LIFTS, PHASES

__all__ = ["COCO_KEYPOINT_NAMES", "COCO_SKELETON", "GOLD_VIEWS", "PERSON_CATEGORY", "validate_gold"]

COCO_KEYPOINT_NAMES: tuple[str, ...] = tuple(j.name.lower() for j in Joint)
# COCO counts joints from 1 in its skeleton; we write it from the Joint edges, never by hand.
COCO_SKELETON: tuple[tuple[int, int], ...] = tuple((a + 1, b + 1) for a, b in SKELETON_EDGES)
PERSON_CATEGORY: dict[str, Any] = {
    "id": 1,
    "name": "person",
    "supercategory": "person",
    "keypoints": list(COCO_KEYPOINT_NAMES),
    "skeleton": [list(pair) for pair in COCO_SKELETON],
}
_TOP_KEYS = ("info", "categories", "images", "annotations")
_ANNOTATION_KEYS = ("id", "image_id", "category_id", "keypoints", "lift", "view", "phase")


def _fail(source: str, where: str, problem: str) -> GoldAnnotationError:
    return GoldAnnotationError(f"gold file {source}: {where}: {problem}")


def _finite_number(value: object) -> bool:
    """A JSON number (not a bool) that is neither NaN nor infinite."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_gold(data: object, *, source: str = "gold annotation") -> None:
    """Check a parsed gold document; raise on the first schema problem.

    Args:
        data: the parsed JSON (a dict for a valid file).
        source: where it came from (a path or a label), quoted in error messages.

    Raises:
        GoldAnnotationError: the message names the file, the place and the problem.
    """
    if not isinstance(data, Mapping):
        raise _fail(source, "top level", f"expected a JSON object, got {type(data).__name__}")
    missing = [key for key in _TOP_KEYS if key not in data]
    if missing:
        raise _fail(source, "top level", f"missing key(s) {missing}; a gold file needs {_TOP_KEYS}")
    if not isinstance(data["info"], Mapping):
        raise _fail(source, "info", "must be an object (description and provenance)")
    if "licenses" in data and not isinstance(data["licenses"], list):
        raise _fail(source, "licenses", "must be a list")
    _check_categories(data["categories"], source)
    images = _check_images(data["images"], source)
    annotations = data["annotations"]
    if not isinstance(annotations, list) or not annotations:
        raise _fail(source, "annotations", "must be a non-empty list")
    seen_ids: set[int] = set()
    seen_poses: dict[tuple[str, str, str], int] = {}
    for index, ann in enumerate(annotations):
        where = f"annotations[{index}]"
        _check_annotation(ann, images, source, where)
        if ann["id"] in seen_ids:
            raise _fail(source, where, f"duplicate annotation id {ann['id']}")
        seen_ids.add(ann["id"])
        key = (ann["lift"], ann["view"], ann["phase"])
        if key in seen_poses:
            raise _fail(
                source, where, f"duplicate {key[0]} view={key[1]!r} phase={key[2]!r} "
                f"(already given by annotation id {seen_poses[key]}); keep one per view x phase"
            )  # fmt: skip
        seen_poses[key] = ann["id"]


def _check_categories(categories: object, source: str) -> None:
    if not isinstance(categories, list) or not categories:
        raise _fail(source, "categories", "must be a non-empty list")
    person = [c for c in categories if isinstance(c, Mapping) and c.get("id") == 1]
    if not person:
        raise _fail(source, "categories", "needs the person category with id 1")
    names = person[0].get("keypoints")
    if names is None or list(names) != list(COCO_KEYPOINT_NAMES):
        raise _fail(
            source, "categories[id=1].keypoints",
            f"must be the 17 COCO keypoint names in order {list(COCO_KEYPOINT_NAMES)}",
        )  # fmt: skip


def _check_images(images: object, source: str) -> dict[int, tuple[float, float]]:
    if not isinstance(images, list) or not images:
        raise _fail(source, "images", "must be a non-empty list")
    sizes: dict[int, tuple[float, float]] = {}
    for index, image in enumerate(images):
        where = f"images[{index}]"
        if not isinstance(image, Mapping):
            raise _fail(source, where, "must be an object")
        for key in ("id", "file_name", "width", "height"):
            if key not in image:
                raise _fail(source, where, f"missing key {key!r}")
        if not _is_int(image["id"]):
            raise _fail(source, where, f"id must be an integer, got {image['id']!r}")
        if image["id"] in sizes:
            raise _fail(source, where, f"duplicate image id {image['id']}")
        w, h = image["width"], image["height"]
        if not (_is_int(w) and _is_int(h) and w > 0 and h > 0):
            raise _fail(source, where, f"width and height must be positive integers, got {w}, {h}")
        sizes[image["id"]] = (float(w), float(h))
    return sizes


def _check_annotation(
    ann: object, images: Mapping[int, tuple[float, float]], source: str, where: str
) -> None:
    if not isinstance(ann, Mapping):
        raise _fail(source, where, "must be an object")
    missing = [key for key in _ANNOTATION_KEYS if key not in ann]
    if missing:
        raise _fail(source, where, f"missing key(s) {missing}")
    if not _is_int(ann["id"]):
        raise _fail(source, where, f"id must be an integer, got {ann['id']!r}")
    if ann["image_id"] not in images:
        raise _fail(
            source, where, f"image_id {ann['image_id']!r} matches no image id {sorted(images)}"
        )
    if ann["category_id"] != 1:
        raise _fail(source, where, f"category_id must be 1 (person), got {ann['category_id']!r}")
    _check_labels(ann, source, where)
    _check_keypoints(ann, images[ann["image_id"]], source, where)
    for key in ("bbox", "area", "angles_deg", "angles_2d_deg"):
        if key in ann:
            _check_extra(key, ann[key], source, where)


def _check_labels(ann: Mapping[str, Any], source: str, where: str) -> None:
    lift, view, phase = ann["lift"], ann["view"], ann["phase"]
    if lift not in LIFTS:
        raise _fail(source, where, f"unknown lift {lift!r}; expected one of {list(LIFTS)}")
    if view not in GOLD_VIEWS:
        raise _fail(source, where, f"unknown view {view!r}; expected one of {list(GOLD_VIEWS)}")
    if phase not in PHASES[lift]:
        raise _fail(
            source, where, f"unknown phase {phase!r} for {lift}; expected one of {PHASES[lift]}"
        )


def _check_keypoints(
    ann: Mapping[str, Any], size: tuple[float, float], source: str, where: str
) -> None:
    values = ann["keypoints"]
    if not isinstance(values, list) or len(values) != 3 * N_JOINTS:
        count = len(values) if isinstance(values, list) else type(values).__name__
        raise _fail(
            source, f"{where}.keypoints",
            f"must be a list of 51 numbers (x, y, v for each of the 17 COCO joints), got {count}",
        )  # fmt: skip
    for j in range(N_JOINTS):
        x, y, v = values[3 * j : 3 * j + 3]
        name = COCO_KEYPOINT_NAMES[j]
        if not all(_finite_number(n) for n in (x, y, v)):
            raise _fail(source, f"{where}.keypoints[{name}]", f"non-finite or non-number {x, y, v}")
        if v not in (0, 1, 2):
            raise _fail(
                source, f"{where}.keypoints[{name}]",
                f"visibility must be 0 (not labelled), 1 (occluded) or 2 (visible), got {v}",
            )  # fmt: skip
        if v > 0 and not (0 <= x <= size[0] and 0 <= y <= size[1]):
            raise _fail(
                source, f"{where}.keypoints[{name}]",
                f"({x}, {y}) lies outside the {size[0]:.0f}x{size[1]:.0f} image",
            )  # fmt: skip
    labelled = sum(1 for j in range(N_JOINTS) if values[3 * j + 2] > 0)
    if "num_keypoints" in ann and ann["num_keypoints"] != labelled:
        raise _fail(
            source, where, f"num_keypoints is {ann['num_keypoints']} but {labelled} are labelled"
        )


def _check_extra(key: str, value: object, source: str, where: str) -> None:
    if key == "bbox":
        if not (isinstance(value, list) and len(value) == 4 and all(map(_finite_number, value))):
            raise _fail(
                source, f"{where}.bbox", f"must be 4 finite numbers [x, y, w, h], got {value!r}"
            )
    elif key == "area":
        if not (_finite_number(value) and float(value) >= 0):  # type: ignore[arg-type]
            raise _fail(source, f"{where}.area", f"must be a finite number >= 0, got {value!r}")
    else:
        if not isinstance(value, Mapping):
            raise _fail(source, f"{where}.{key}", "must be an object {angle name: degrees}")
        for name, deg in value.items():
            if deg is not None and not _finite_number(deg):
                raise _fail(
                    source, f"{where}.{key}.{name}", f"must be a finite number or null, got {deg!r}"
                )
