"""Gold poses of good form, one per lift x view x phase, read from COCO keypoint files.

The shipped files live in gold_annotations/<lift>.json (made by scripts/make_gold.py from
`coach.synth.lifter`; the provenance is inside each file). A coach can replace any single view x
phase with their own: `coach.pipeline.gold_photo.gold_from_photo` (or `gold_from_keypoints`)
makes a one-annotation document and `save_gold_override` writes it as
<override_dir>/<lift>_<view>_<phase>.json; `load_gold` then prefers it over the shipped pose.
The format and its checks are in `coach.form.gold_schema`.

Visibility to score: v=2 (visible) -> score 1.0, v=1 (occluded but labelled) -> 0.5, so both
survive `Keypoints.confident` at the default 0.3; v=0 -> NaN, score 0.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from coach.core.errors import GoldAnnotationError
from coach.core.keypoints import N_JOINTS, Joint, Keypoints
from coach.core.lifts import GOLD_VIEWS, LIFTS, PHASES
from coach.form.gold_schema import PERSON_CATEGORY, validate_gold

__all__ = [
    "CRITICAL_JOINTS",
    "GOLD_VIEWS",
    "GoldPose",
    "GoldSet",
    "TeamGold",
    "active_team_gold",
    "combine_gold",
    "default_gold_dir",
    "gold_from_keypoints",
    "load_gold",
    "poses_of_document",
    "read_gold_file",
    "save_gold_override",
    "use_team_gold",
    "validate_gold",
]

log = logging.getLogger(__name__)
J = Joint
# Joints every critical pair of every lift uses (DESIGN.md): a reference photo must show them.
CRITICAL_JOINTS: tuple[Joint, ...] = (
    J.LEFT_SHOULDER, J.RIGHT_SHOULDER, J.LEFT_ELBOW, J.RIGHT_ELBOW, J.LEFT_WRIST, J.RIGHT_WRIST,
    J.LEFT_HIP, J.RIGHT_HIP, J.LEFT_KNEE, J.RIGHT_KNEE, J.LEFT_ANKLE, J.RIGHT_ANKLE,
)  # fmt: skip
_SCORE_OF_VISIBILITY = {0: 0.0, 1: 0.5, 2: 1.0}
LICENSES: list[dict[str, Any]] = [
    {"id": 1, "name": "MIT License (as LiftCoach)", "url": "https://opensource.org/licenses/MIT"}
]


@dataclass(frozen=True)
class TeamGold:
    """The gold overrides in force for one analysis: a team's documents from the database.

    Hashable by `ids` alone (row ids of the overrides), so gold sets can be cached per team
    and reloaded when a coach replaces or reverts a view.
    """

    ids: tuple[int, ...] = ()
    documents: tuple[Mapping[str, Any], ...] = field(default=(), compare=False, hash=False)


# The team gold in force in this thread or task (`use_team_gold`); none = shipped + folder.
_NO_TEAM_GOLD = TeamGold()
_TEAM_GOLD: ContextVar[TeamGold] = ContextVar("liftcoach_team_gold", default=_NO_TEAM_GOLD)


def active_team_gold() -> TeamGold:
    """The team gold set for this thread or task (empty when none)."""
    return _TEAM_GOLD.get()


@contextmanager
def use_team_gold(gold: TeamGold) -> Iterator[None]:
    """Judge analyses inside the block against `gold` (a team's overrides)."""
    token = _TEAM_GOLD.set(gold)
    try:
        yield
    finally:
        _TEAM_GOLD.reset(token)


def default_gold_dir() -> Path:
    """The shipped gold_annotations/ folder beside the `coach` package."""
    return Path(__file__).resolve().parents[2] / "gold_annotations"


@dataclass(frozen=True)
class GoldPose:
    """One gold pose: T=1 keypoints in the pixels of its (real or synthetic) image.

    `angles_deg` are the true joint angles (3D where the source had 3D); `angles_2d_deg` are
    the same angles measured in the image of this view (empty when the file has none).
    """

    lift: str
    view: str
    phase: str
    keypoints: Keypoints
    angles_deg: dict[str, float]
    source: str
    angles_2d_deg: dict[str, float] = field(default_factory=dict)
    image_wh: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class GoldSet(Mapping[tuple[str, str], GoldPose]):
    """All gold poses of one lift, keyed by (view, phase); complete by construction."""

    lift: str
    poses: Mapping[tuple[str, str], GoldPose]

    @property
    def views(self) -> tuple[str, ...]:
        return GOLD_VIEWS

    @property
    def phases(self) -> tuple[str, ...]:
        return tuple(PHASES[self.lift])

    def pose(self, view: str, phase: str) -> GoldPose:
        """The gold pose of one view and phase; ValueError names the valid ones."""
        if (view, phase) not in self.poses:
            raise ValueError(
                f"no {self.lift} gold for view={view!r} phase={phase!r}; "
                f"views are {self.views}, phases {self.phases}"
            )
        return self.poses[(view, phase)]

    def as_mapping(self) -> dict[str, dict[str, Keypoints]]:
        """{view: {phase: Keypoints}}, the plain form `coach.form.scoring` takes."""
        return {v: {p: self.poses[(v, p)].keypoints for p in self.phases} for v in self.views}

    def __getitem__(self, key: tuple[str, str]) -> GoldPose:
        return self.pose(*key)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.poses)

    def __len__(self) -> int:
        return len(self.poses)


def _parse(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise GoldAnnotationError(f"gold file {path}: cannot be read ({exc.strerror})") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise GoldAnnotationError(
            f"gold file {path}: is not valid JSON (line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg})"
        ) from exc


def _to_keypoints(values: list[float]) -> Keypoints:
    arr = np.asarray(values, dtype=np.float64).reshape(N_JOINTS, 3)
    xy = arr[:, :2].copy()
    xy[arr[:, 2] == 0] = np.nan
    score = np.array([_SCORE_OF_VISIBILITY[int(v)] for v in arr[:, 2]])
    return Keypoints.single(xy, score)


def _angles(raw: Mapping[str, Any] | None) -> dict[str, float]:
    return {k: float("nan") if v is None else float(v) for k, v in (raw or {}).items()}


def read_gold_file(path: Path) -> list[GoldPose]:
    """Every gold pose in one file, after `validate_gold`.

    Raises:
        GoldAnnotationError: unreadable, not JSON, or not following the schema.
    """
    path = Path(path)
    return poses_of_document(_parse(path), source=str(path), default_name=path.name)


def poses_of_document(data: Any, *, source: str, default_name: str = "gold") -> list[GoldPose]:
    """Every gold pose in one already-parsed document (a file, or a row of the database's
    gold_overrides), after `validate_gold`.

    Raises:
        GoldAnnotationError: not following the schema (the message names `source`).
    """
    validate_gold(data, source=source)
    assert isinstance(data, Mapping)
    sizes = {img["id"]: (int(img["width"]), int(img["height"])) for img in data["images"]}
    default_source = str(data["info"].get("description", default_name))
    return [
        GoldPose(
            lift=ann["lift"],
            view=ann["view"],
            phase=ann["phase"],
            keypoints=_to_keypoints(ann["keypoints"]),
            angles_deg=_angles(ann.get("angles_deg")),
            source=str(ann.get("source", default_source)),
            angles_2d_deg=_angles(ann.get("angles_2d_deg")),
            image_wh=sizes[ann["image_id"]],
        )
        for ann in data["annotations"]
    ]


def _override_poses(lift: str, override_dir: Path) -> list[GoldPose]:
    poses = []
    for path in sorted(override_dir.glob(f"{lift}_*.json")):
        for pose in read_gold_file(path):
            expected = f"{pose.lift}_{pose.view}_{pose.phase}.json"
            if path.name != expected:
                raise GoldAnnotationError(
                    f"gold file {path}: holds {pose.lift} {pose.view} {pose.phase}, so it must be "
                    f"named {expected}"
                )
            poses.append(pose)
    return poses


def load_gold(
    lift: str, *, root: Path | None = None, override_dir: Path | None = None,
    overrides: Sequence[Mapping[str, Any]] = (),
) -> GoldSet:  # fmt: skip
    """The complete gold set of `lift`: shipped poses, with a coach's overrides winning.

    Args:
        lift: one of `LIFTS`.
        root: folder with <lift>.json; `default_gold_dir()` when None.
        override_dir: folder of <lift>_<view>_<phase>.json replacements (may be absent).
        overrides: one-annotation documents from the database (a team's gold, shared by every
            app instance); they win over the folder. Poses of other lifts are skipped.

    Raises:
        GoldAnnotationError: a broken file, a pose for another lift, or a view x phase missing.
    """
    if lift not in LIFTS:
        raise GoldAnnotationError(f"unknown lift {lift!r}; expected one of {list(LIFTS)}")
    path = (root or default_gold_dir()) / f"{lift}.json"
    poses: dict[tuple[str, str], GoldPose] = {}
    for pose in read_gold_file(path):
        if pose.lift != lift:
            raise GoldAnnotationError(f"gold file {path}: holds a {pose.lift} pose, not {lift}")
        poses[(pose.view, pose.phase)] = pose
    if override_dir is not None and Path(override_dir).is_dir():
        for pose in _override_poses(lift, Path(override_dir)):
            log.info("gold %s %s %s replaced by %s", lift, pose.view, pose.phase, pose.source)
            poses[(pose.view, pose.phase)] = pose
    for doc in overrides:
        for pose in poses_of_document(doc, source="team gold override"):
            if pose.lift == lift:
                poses[(pose.view, pose.phase)] = pose
    missing = [(v, p) for v in GOLD_VIEWS for p in PHASES[lift] if (v, p) not in poses]
    if missing:
        raise GoldAnnotationError(
            f"gold file {path}: no pose for (view, phase) {missing}; every view x phase is needed"
        )
    return GoldSet(lift, {(v, p): poses[(v, p)] for v in GOLD_VIEWS for p in PHASES[lift]})


def _finite_angles(angles: Mapping[str, float]) -> dict[str, float | None]:
    return {k: round(float(v), 2) if np.isfinite(v) else None for k, v in angles.items()}


def gold_from_keypoints(
    kp: Keypoints,
    *,
    lift: str,
    view: str,
    phase: str,
    image_wh: tuple[int, int],
    source: str,
    visibility: NDArray[np.integer[Any]] | None = None,
    angles_deg: Mapping[str, float] | None = None,
    file_name: str | None = None,
) -> dict[str, Any]:
    """A one-annotation gold document for frame 0 of `kp`, validated.

    Args:
        kp: the pose; NaN joints become v=0.
        lift, view, phase: what the pose shows.
        image_wh: (width, height) of the image the pixels refer to.
        source: provenance written into the file (who, what photo or script, when).
        visibility: optional (17,) COCO v per joint (2 visible, 1 occluded); default 2 for
            every present joint.
        angles_deg: true joint angles; default `compute_angles(kp)` (3D when kp has world).
        file_name: the image's file name; default "<lift>_<view>_<phase>".

    Raises:
        GoldAnnotationError: the result would not pass `validate_gold`.
    """
    from coach.core.angles import compute_angles

    present = kp.present(0)
    vis = np.where(present, 2, 0) if visibility is None else np.where(present, visibility, 0)
    values: list[float] = []
    for j in range(N_JOINTS):
        x, y = (round(float(c), 2) for c in kp.xy[0, j]) if present[j] else (0.0, 0.0)
        values += [x, y, int(vis[j])]
    box = kp.bbox_xywh(0) or (0.0, 0.0, 0.0, 0.0)
    name = f"{lift}_{view}_{phase}"
    doc = {
        "info": {"description": f"LiftCoach gold pose: {lift}, {view} view, {phase}",
                 "version": "1.0", "provenance": source},
        "licenses": LICENSES,
        "categories": [PERSON_CATEGORY],
        "images": [{"id": 1, "file_name": file_name or name,
                    "width": int(image_wh[0]), "height": int(image_wh[1])}],
        "annotations": [{
            "id": 1, "image_id": 1, "category_id": 1, "keypoints": values,
            "num_keypoints": int(np.count_nonzero(vis)), "bbox": [round(b, 2) for b in box],
            "area": round(box[2] * box[3], 2), "iscrowd": 0, "lift": lift, "view": view,
            "phase": phase, "source": source,
            "angles_deg": _finite_angles(compute_angles(kp) if angles_deg is None else angles_deg),
            "angles_2d_deg": _finite_angles(compute_angles(kp, use_3d=False)),
        }],
    }  # fmt: skip
    validate_gold(doc, source=name)
    return doc


def combine_gold(docs: list[dict[str, Any]], *, info: Mapping[str, Any]) -> dict[str, Any]:
    """One file from several one-annotation documents: ids renumbered 1..n, `info` on top."""
    images, annotations = [], []
    for n, doc in enumerate(docs, start=1):
        image, ann = dict(doc["images"][0]), dict(doc["annotations"][0])
        image["id"], ann["id"], ann["image_id"] = n, n, n
        images.append(image)
        annotations.append(ann)
    out = {"info": dict(info), "licenses": LICENSES, "categories": [PERSON_CATEGORY],
           "images": images, "annotations": annotations}  # fmt: skip
    validate_gold(out, source=str(info.get("description", "combined gold")))
    return out




def save_gold_override(doc: Mapping[str, Any], override_dir: Path) -> Path:
    """Validate a one-annotation document and write it atomically as
    <override_dir>/<lift>_<view>_<phase>.json; returns that path.

    Raises:
        GoldAnnotationError: invalid, or not exactly one annotation.
    """
    validate_gold(doc, source="gold override")
    if len(doc["annotations"]) != 1:
        raise GoldAnnotationError(
            f"gold override: holds {len(doc['annotations'])} annotations; a replacement holds "
            "exactly one view x phase"
        )
    ann = doc["annotations"][0]
    folder = Path(override_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{ann['lift']}_{ann['view']}_{ann['phase']}.json"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=1)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
