"""The pose service's wire format, shared by the client (`coach.pose.remote`) and the Ray Serve
application (`coach.serve`): a JPEG goes in, `PersonPose` data comes back as JSON.

Why these choices:
- JPEG, not raw pixels: a 640x480 frame is 921,600 bytes raw and about 40-60 kB as JPEG at
  quality 90, and every live frame of every stream crosses the network.
- JSON, not pickle: the app and the service may run different Python or numpy builds, and a
  pose service must never unpickle what a client sends. Missing joints are `null` (JSON has no
  NaN). float32 values survive the trip exactly: float32 -> Python float -> JSON text -> float
  -> float32 is lossless.

Reply schema (version `WIRE_VERSION`):
    {"wire": 1, "backend": "mediapipe", "persons": [
        {"bbox_xywh": [x, y, w, h], "detection_score": s,
         "xy": [[x, y] | null] * 17, "score": [s] * 17,
         "world_xyz": [[x, y, z] | null] * 17 | null,
         "feet_xy": [[x, y] | null] * 6, "feet_score": [s] * 6}, ...]}
Errors: {"wire": 1, "error": "message a lifter can read", "kind": "BadImage" | ...}.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from coach.core.errors import BackendUnavailable, BadImage
from coach.core.keypoints import N_FEET, N_JOINTS, Keypoints, PersonPose

WIRE_VERSION = 1
JPEG_QUALITY = 90
JPEG_CONTENT_TYPE = "image/jpeg"


def encode_jpeg(image_bgr: NDArray[np.uint8], quality: int = JPEG_QUALITY) -> bytes:
    """(H, W, 3) uint8 BGR -> JPEG bytes.

    Raises:
        BadImage: not an 8-bit colour image, or the encoder refused it.
    """
    import cv2

    if not isinstance(image_bgr, np.ndarray) or image_bgr.dtype != np.uint8 or (
        image_bgr.ndim != 3 or image_bgr.shape[2] != 3 or min(image_bgr.shape[:2]) < 1
    ):
        shape = getattr(image_bgr, "shape", None)
        raise BadImage(f"expected a colour photo (height x width x 3, 8-bit), got shape {shape}")
    ok, buf = cv2.imencode(".jpg", image_bgr, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise BadImage("this picture could not be compressed for the pose service")
    return bytes(buf.tobytes())


def decode_jpeg(data: bytes, max_pixels: int) -> NDArray[np.uint8]:
    """JPEG (or PNG) bytes -> (H, W, 3) uint8 BGR, through the app's own photo decoder (it
    refuses oversized pictures from the header, before decoding).

    Raises:
        BadImage: empty, not a picture, or more than `max_pixels` pixels.
    """
    from coach.media.photo import load_image

    return load_image(bytes(data), max_pixels=max_pixels).bgr


def persons_to_json(persons: list[PersonPose], backend: str) -> dict[str, Any]:
    """The reply body for `persons` found by `backend`."""
    return {"wire": WIRE_VERSION, "backend": backend, "persons": [_person(p) for p in persons]}


def error_to_json(message: str, kind: str) -> dict[str, Any]:
    """An error reply; `kind` names the LiftCoachError subclass the client re-raises."""
    return {"wire": WIRE_VERSION, "error": message, "kind": kind}


def persons_from_json(body: dict[str, Any]) -> tuple[str, list[PersonPose]]:
    """(backend, persons) from a reply body.

    Raises:
        BackendUnavailable: a reply of another wire version or a malformed one (a client and a
            service from different LiftCoach releases).
    """
    if not isinstance(body, dict) or body.get("wire") != WIRE_VERSION:
        raise BackendUnavailable(
            "the pose service speaks another wire version; deploy the same LiftCoach release "
            "for the app and the pose service"
        )
    try:
        return str(body["backend"]), [_from_person(p) for p in body["persons"]]
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise BackendUnavailable(f"the pose service sent a malformed reply ({exc})") from None


def _rows(points: NDArray[np.float32]) -> list[list[float] | None]:
    return [
        [float(v) for v in row] if bool(np.isfinite(row).all()) else None for row in points
    ]


def _array(rows: list[list[float] | None], n: int, dims: int) -> NDArray[np.float32]:
    if len(rows) != n:
        raise ValueError(f"expected {n} points, got {len(rows)}")
    out = np.full((n, dims), np.nan, dtype=np.float32)
    for i, row in enumerate(rows):
        if row is not None:
            out[i] = np.asarray(row, dtype=np.float32).reshape(dims)
    return out


def _person(person: PersonPose) -> dict[str, Any]:
    kp = person.keypoints
    world = None if kp.world_xyz is None else _rows(kp.world_xyz[0])
    return {
        "bbox_xywh": [float(v) for v in person.bbox_xywh],
        "detection_score": float(person.detection_score),
        "xy": _rows(kp.xy[0]),
        "score": [float(s) for s in kp.score[0]],
        "world_xyz": world,
        "feet_xy": _rows(kp.feet[0]),
        "feet_score": [float(s) for s in kp.foot_scores[0]],
    }


def _from_person(raw: dict[str, Any]) -> PersonPose:
    xy = _array(raw["xy"], N_JOINTS, 2)[None]
    score = np.asarray(raw["score"], dtype=np.float32).reshape(1, N_JOINTS)
    world = None if raw.get("world_xyz") is None else _array(raw["world_xyz"], N_JOINTS, 3)[None]
    feet = _array(raw["feet_xy"], N_FEET, 2)[None]
    feet_score = np.asarray(raw["feet_score"], dtype=np.float32).reshape(1, N_FEET)
    x, y, w, h = (float(v) for v in raw["bbox_xywh"])
    kp = Keypoints(xy, score, world, feet, feet_score)
    return PersonPose(kp, (x, y, w, h), float(raw["detection_score"]))
