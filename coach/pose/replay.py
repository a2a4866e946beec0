"""Replay backend: plays stored keypoints instead of running a model (tests and demos).

Two JSON forms are read:

(a) the CLI's result for one photo (one frame; `"person": null` means nobody was found)::

    {"backend": "mediapipe", "image": {"width": 850, "height": 567},
     "person": {"bbox": [x, y, w, h], "keypoints": [[x, y, score] | null, ... 17 ...]}, ...}

(b) several frames, each with any number of people (what `write_replay_json` writes)::

    {"frames": [{"persons": [{"bbox": [x, y, w, h], "keypoints": [... 17 ...],
                              "score": 0.9, "world_xyz": [[x, y, z] | null, ... 17 ...]}]}]}

Keypoint rows are COCO-17 order in original-image pixels (see `Keypoints.to_list`); `score`
(detection score) and `world_xyz` (metres) are optional. The score defaults to the mean
score of the joints present.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from coach.core.errors import BadInput
from coach.core.keypoints import N_JOINTS, Keypoints, PersonPose


class ReplayFileError(BadInput):
    """A replay keypoints file that is missing, not JSON, or not in either replay form."""


class ReplayEstimator:
    """A `PoseEstimator` that ignores the image and returns stored frames in order, cycling."""

    name = "replay"

    def __init__(self, frames: Sequence[Sequence[PersonPose]]) -> None:
        """Args:
            frames: per frame, the people to report (an empty frame reports nobody).

        Raises:
            ReplayFileError: there are no frames.
        """
        if len(frames) == 0:
            raise ReplayFileError("The replay keypoints contain no frames.")
        self._frames = [list(persons) for persons in frames]
        self._next = 0
        self._lock = threading.Lock()  # one instance may be shared by several sessions

    @classmethod
    def from_file(cls, path: str | Path) -> ReplayEstimator:
        """Read a replay JSON file (form a or b, see the module docstring).

        Raises:
            ReplayFileError: missing or unreadable file, invalid JSON, or a bad schema.
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ReplayFileError(
                f"The replay keypoints file {str(path)!r} does not exist."
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ReplayFileError(f"Cannot read the replay file {str(path)!r}: {exc}") from None
        return cls.from_json(text, source=path.name)

    @classmethod
    def from_json(
        cls, data: Mapping[str, Any] | str, *, source: str = "replay data"
    ) -> ReplayEstimator:
        """Build from parsed JSON or JSON text (form a or b, see the module docstring).

        Args:
            data: the JSON object, or its text.
            source: how error messages name the data (e.g. the file name).

        Raises:
            ReplayFileError: invalid JSON or a bad schema; the message says where.
        """
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except json.JSONDecodeError as exc:
                raise ReplayFileError(f"{source} is not valid JSON: {exc}") from None
        if not isinstance(data, Mapping):
            raise ReplayFileError(f"{source} must be a JSON object with 'frames' or 'person'.")
        return cls(_parse_frames(data, source))

    def __len__(self) -> int:
        return len(self._frames)

    def estimate(self, image_bgr: NDArray[np.uint8]) -> list[PersonPose]:
        """The next stored frame's people (the image is not looked at); wraps to the start."""
        with self._lock:
            persons = self._frames[self._next]
            self._next = (self._next + 1) % len(self._frames)
        return list(persons)

    def reset(self) -> None:
        """Start again from the first frame."""
        with self._lock:
            self._next = 0


def _parse_frames(data: Mapping[str, Any], source: str) -> list[list[PersonPose]]:
    if "frames" in data:
        frames = data["frames"]
        if not isinstance(frames, list):
            raise ReplayFileError(f"{source}: 'frames' must be a list.")
        return [_parse_frame(frame, f"{source}, frame {i}") for i, frame in enumerate(frames)]
    if "person" in data:
        person = data["person"]
        return [[] if person is None else [_parse_person(person, f"{source}, person")]]
    raise ReplayFileError(
        f"{source} has neither 'frames' (a recording) nor 'person' (one photo's result)."
    )


def _parse_frame(frame: Any, where: str) -> list[PersonPose]:
    if not isinstance(frame, Mapping) or not isinstance(frame.get("persons"), list):
        raise ReplayFileError(f"{where}: each frame must be an object with a 'persons' list.")
    return [_parse_person(p, f"{where}, person {j}") for j, p in enumerate(frame["persons"])]


def _parse_person(person: Any, where: str) -> PersonPose:
    if not isinstance(person, Mapping):
        raise ReplayFileError(f"{where}: must be an object with 'bbox' and 'keypoints'.")
    rows = person.get("keypoints")
    if not isinstance(rows, list) or len(rows) != N_JOINTS:
        got = len(rows) if isinstance(rows, list) else type(rows).__name__
        raise ReplayFileError(f"{where}: expected 17 COCO keypoints, got {got}.")
    checked = [_number_row(row, (2, 3), f"{where}, keypoint {j}") for j, row in enumerate(rows)]
    kp = Keypoints.from_list(checked)
    world = _world(person.get("world_xyz"), where)
    if world is not None:
        kp = replace(kp, world_xyz=world[None])
    bbox = _number_row(person.get("bbox"), (4,), f"{where}, bbox")
    if bbox is None or bbox[2] < 0 or bbox[3] < 0:
        raise ReplayFileError(f"{where}: 'bbox' must be [x, y, w, h] with w, h >= 0.")
    present = kp.present()
    default_score = float(kp.score[0, present].mean()) if present.any() else 0.0
    score = person.get("score", default_score)
    if not isinstance(score, int | float) or isinstance(score, bool):
        raise ReplayFileError(f"{where}: 'score' must be a number.")
    return PersonPose(kp, (bbox[0], bbox[1], bbox[2], bbox[3]), float(score))


def _number_row(row: Any, lengths: tuple[int, ...], where: str) -> list[float] | None:
    """`row` as floats if it is null or a list of finite numbers of an allowed length."""
    if row is None:
        return None
    ok = isinstance(row, list) and len(row) in lengths
    ok = ok and all(isinstance(v, int | float) and not isinstance(v, bool) for v in row)
    if not ok or not np.isfinite(np.asarray(row, dtype=float)).all():
        sizes = " or ".join(str(n) for n in lengths)
        raise ReplayFileError(f"{where}: expected null or a list of {sizes} numbers, got {row!r}.")
    return [float(v) for v in row]


def _world(rows: Any, where: str) -> NDArray[np.float32] | None:
    if rows is None:
        return None
    if not isinstance(rows, list) or len(rows) != N_JOINTS:
        raise ReplayFileError(f"{where}: 'world_xyz' must list 17 [x, y, z] points or nulls.")
    world = np.full((N_JOINTS, 3), np.nan, dtype=np.float32)
    for j, row in enumerate(rows):
        point = _number_row(row, (3,), f"{where}, world point {j}")
        if point is not None:
            world[j] = point
    return world


def _person_json(person: PersonPose) -> dict[str, Any]:
    kp = person.keypoints
    if len(kp) != 1:
        raise ValueError(f"a PersonPose must hold one frame of keypoints, got {len(kp)}")
    out: dict[str, Any] = {
        "bbox": [round(float(v), 2) for v in person.bbox_xywh],
        "score": round(float(person.detection_score), 4),
        "keypoints": kp.to_list(0),
    }
    if kp.world_xyz is not None:
        out["world_xyz"] = [
            [round(float(v), 4) for v in p] if np.isfinite(p).all() else None
            for p in kp.world_xyz[0]
        ]
    return out


def write_replay_json(frames: Sequence[Sequence[PersonPose]], path: str | Path) -> Path:
    """Record frames of people as replay JSON (form b), readable by `ReplayEstimator.from_file`.

    Pixel coordinates are rounded to 0.01 px, scores to 4 decimals, world points to 0.1 mm.

    Args:
        frames: per frame, the people found (each PersonPose with T=1 keypoints).
        path: the file to write (its folder must exist).

    Returns:
        The path written.

    Raises:
        ValueError: a PersonPose holds more than one frame of keypoints.
    """
    doc = {"frames": [{"persons": [_person_json(p) for p in persons]} for persons in frames]}
    path = Path(path)
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    return path
