"""Pinhole cameras around a synthetic lifter, and the noise a real pose model adds.

Camera placement (lifter frame of `coach.synth.lifter`: +x lifter's left, +y down, +z toward
"front"):
the camera sits `distance_m` from the centre of the lifter's 3D bounding box, at azimuth
`yaw_deg` (0 = on +z, "front"; +90 = on +x, the lifter's LEFT side; -90 = the right side) and
elevation `pitch_deg` (> 0 = above, looking down), and looks at that centre with no roll.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from coach.core.keypoints import N_JOINTS, Keypoints

__all__ = ["Camera", "camera_depths_m", "corrupt", "fit_camera", "project", "random_camera"]

_DOWN = np.array([0.0, 1.0, 0.0])


@dataclass(frozen=True)
class Camera:
    """A pinhole camera aimed at the lifter. Angles in degrees, distance in metres, focal length
    and image size in pixels."""

    yaw_deg: float = 0.0
    pitch_deg: float = 0.0
    distance_m: float = 4.0
    focal_px: float = 1400.0
    image_wh: tuple[int, int] = (1920, 1080)

    def __post_init__(self) -> None:
        if not (self.distance_m > 0 and self.focal_px > 0):
            raise ValueError("Camera distance_m and focal_px must be positive")
        if not -89.0 <= self.pitch_deg <= 89.0:
            raise ValueError(f"Camera pitch_deg must be within [-89, 89], got {self.pitch_deg}")
        if len(self.image_wh) != 2 or min(self.image_wh) <= 0:
            raise ValueError(f"Camera image_wh must be two positive ints, got {self.image_wh}")


def _pose_of(
    world: NDArray[np.floating[Any]], camera: Camera
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(position (3,), rotation (3, 3) whose rows are camera right, down, forward)."""
    pts = np.asarray(world, dtype=np.float64)
    ok = np.isfinite(pts).all(axis=1)
    target = 0.5 * (pts[ok].min(axis=0) + pts[ok].max(axis=0)) if ok.any() else np.zeros(3)
    yaw, pitch = np.radians(camera.yaw_deg), np.radians(camera.pitch_deg)
    offset = np.array([np.sin(yaw) * np.cos(pitch), -np.sin(pitch), np.cos(yaw) * np.cos(pitch)])
    position = target + camera.distance_m * offset
    forward = -offset
    right = np.cross(forward, _DOWN)
    right /= np.linalg.norm(right)
    down = np.cross(right, forward)
    return position, np.stack([right, down, forward])


def camera_depths_m(world: NDArray[np.floating[Any]], camera: Camera) -> NDArray[np.float32]:
    """(17,) distance of each joint along the camera's viewing axis, metres (smaller = nearer)."""
    position, rot = _pose_of(world, camera)
    depth: NDArray[np.float32] = ((np.asarray(world, np.float64) - position) @ rot[2]).astype(
        np.float32
    )
    return depth


def project(world: NDArray[np.floating[Any]], camera: Camera) -> Keypoints:
    """Pinhole projection of one lifter-frame pose, centred in the image.

    Args:
        world: (17, 3) metres in the lifter frame (`coach.synth.lifter.pose_world`); NaN = missing.
        camera: where the camera is and what it sees.

    Returns:
        T=1 Keypoints: `xy` in pixels (x right, y down), the box of the joints centred in the
        image; `score` 1 where the joint exists; `world_xyz` hip-centred metres in CAMERA axes
        (x = image right, y = image down, z = away from the camera), as MediaPipe's world
        landmarks are. Angles are the same in either frame.
    """
    pts = np.asarray(world, dtype=np.float64)
    if pts.shape != (N_JOINTS, 3):
        raise ValueError(f"world must be (17, 3), got {pts.shape}")
    position, rot = _pose_of(pts, camera)
    cam = (pts - position) @ rot.T
    if np.nanmin(cam[:, 2]) <= 0.05:
        raise ValueError("the camera is inside or behind the lifter: increase distance_m")
    xy = camera.focal_px * cam[:, :2] / cam[:, 2:3]
    ok = np.isfinite(xy).all(axis=1)
    if ok.any():  # centre the box of the joints in the image
        centre = 0.5 * (xy[ok].min(axis=0) + xy[ok].max(axis=0))
        xy += 0.5 * np.asarray(camera.image_wh, dtype=np.float64) - centre
    hip_mid = 0.5 * (pts[11] + pts[12])
    world_cam = (pts - hip_mid) @ rot.T
    return Keypoints.single(xy, ok.astype(np.float32), world_cam)


def fit_camera(world: NDArray[np.floating[Any]], camera: Camera, *, fill: float = 0.7) -> Camera:
    """`camera` moved along its line of sight so the lifter's box fills `fill` of the image
    height, or of 90% of its width if that is the tighter side (a bench lifter seen side-on)."""
    if not 0 < fill <= 1:
        raise ValueError(f"fill must be in (0, 1], got {fill}")
    w, h = camera.image_wh
    for _ in range(3):  # perspective makes the size slightly non-linear in distance
        box = project(world, camera).bbox_xywh()
        if box is None or box[2] <= 0 or box[3] <= 0:
            return camera
        grow = min(fill * h / box[3], min(fill, 0.9) * w / box[2])
        camera = replace(camera, distance_m=max(camera.distance_m / grow, 0.5))
    return camera


def random_camera(rng: np.random.Generator, *, yaw_deg: float | None = None) -> Camera:
    """A phone-or-tripod camera: any yaw within +-150 deg (unless given), pitch -10..25 deg,
    a focal length of 0.7-1.4 x the image's long side, one of the common image sizes, and the
    lifter filling 45-85% of the frame."""
    sizes = ((1920, 1080), (1080, 1920), (1280, 720), (640, 480), (1080, 1350))
    wh = sizes[int(rng.integers(len(sizes)))]
    return Camera(
        yaw_deg=float(rng.uniform(-150, 150)) if yaw_deg is None else float(yaw_deg),
        pitch_deg=float(rng.uniform(-10, 25)),
        distance_m=4.0,
        focal_px=float(rng.uniform(0.7, 1.4) * max(wh)),
        image_wh=wh,
    )


def corrupt(
    kp: Keypoints,
    rng: np.random.Generator,
    *,
    sigma_px: float,
    p_missing: float,
    sigma_m: float = 0.0,
) -> Keypoints:
    """What a pose model does to perfect keypoints: Gaussian pixel noise and dropped joints.

    Args:
        kp: keypoints to corrupt (any T).
        rng: randomness.
        sigma_px: SD of the noise added to each pixel coordinate.
        p_missing: chance that each joint of each frame goes missing (xy and world NaN,
            score 0).
        sigma_m: SD of the noise added to world coordinates, metres.

    Returns:
        New Keypoints; present joints get scores in [0.5, 1], lower the further they moved.
    """
    if sigma_px < 0 or sigma_m < 0 or not 0 <= p_missing <= 1:
        raise ValueError("corrupt: sigma_px, sigma_m >= 0 and p_missing in [0, 1] required")
    noise = rng.normal(0.0, 1.0, kp.xy.shape)
    xy = kp.xy + sigma_px * noise
    score = kp.score * np.clip(1.0 - 0.1 * np.linalg.norm(noise, axis=-1), 0.5, 1.0)
    missing = rng.random(kp.score.shape) < p_missing
    xy[missing] = np.nan
    score = np.where(missing, 0.0, score)
    world = None
    if kp.world_xyz is not None:
        world = kp.world_xyz + sigma_m * rng.normal(0.0, 1.0, kp.world_xyz.shape)
        world[missing] = np.nan
    return Keypoints(xy.astype(np.float32), score.astype(np.float32), world)
